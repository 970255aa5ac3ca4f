//! Checks for free-text settings: GUIDs, tenant names, URLs, names and identifiers.
//!
//! Invariant: each check returns the normalised value or a message saying what is allowed;
//! messages never repeat the value (it may be a secret pasted into the wrong field).

/// `8e47e025-e175-4a96-85be-59ee5e49e632`, case-insensitive, normalised to lower case.
pub(crate) fn guid(value: &str) -> Result<String, String> {
    let value = value.trim();
    let groups: Vec<&str> = value.split('-').collect();
    let lengths = [8, 4, 4, 4, 12];
    let ok = groups.len() == lengths.len()
        && groups
            .iter()
            .zip(lengths)
            .all(|(group, len)| group.len() == len && group.chars().all(|c| c.is_ascii_hexdigit()));
    if ok {
        Ok(value.to_ascii_lowercase())
    } else {
        Err(
            "must be a GUID such as 11111111-2222-3333-4444-555555555555 (the \
             \"Application (client) ID\" shown in Entra ID, not the secret)"
                .to_owned(),
        )
    }
}

/// A tenant: its GUID or one of its domain names (`contoso.onmicrosoft.com`).
pub(crate) fn tenant(value: &str) -> Result<String, String> {
    if let Ok(id) = guid(value) {
        return Ok(id);
    }
    let value = value.trim().to_ascii_lowercase();
    let is_domain = value.contains('.')
        && !value.starts_with('.')
        && !value.ends_with('.')
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    if is_domain {
        Ok(value)
    } else {
        Err("must be the \"Directory (tenant) ID\", a GUID such as \
             11111111-2222-3333-4444-555555555555, or a domain of the tenant such as \
             contoso.onmicrosoft.com"
            .to_owned())
    }
}

/// An `http://` or `https://` URL with a host; a trailing `/` is removed.
pub(crate) fn http_url(value: &str) -> Result<String, String> {
    let value = value.trim();
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"));
    let host = rest.map(|rest| rest.split(['/', '?', '#']).next().unwrap_or(""));
    match host {
        Some(host) if !host.is_empty() && !value.contains(char::is_whitespace) => {
            Ok(value.trim_end_matches('/').to_owned())
        }
        _ => Err("must be an https:// (or http://) URL with a host name".to_owned()),
    }
}

/// The EWS endpoint: a full URL, or just the host as büro+ asks for it
/// (`exchange.example.local` -> `https://exchange.example.local/EWS/Exchange.asmx`).
pub(crate) fn ews_url(value: &str) -> Result<String, String> {
    let value = value.trim();
    if value.contains("://") {
        return http_url(value).map_err(|_| {
            "must be the EWS URL, e.g. https://mail.example.com/EWS/Exchange.asmx, or just the \
             host name, e.g. mail.example.com"
                .to_owned()
        });
    }
    let is_host = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    if is_host {
        Ok(format!("https://{value}/EWS/Exchange.asmx"))
    } else {
        Err(
            "must be the EWS URL, e.g. https://mail.example.com/EWS/Exchange.asmx, or just the \
             host name, e.g. mail.example.com"
                .to_owned(),
        )
    }
}

/// The Microsoft Graph base URL: an `http(s)://` URL that is not an EWS endpoint; a bare
/// origin (`https://graph.microsoft.com`) gets the version path `/v1.0`.
pub(crate) fn graph_url(value: &str) -> Result<String, String> {
    let url = http_url(value)?;
    let (_, rest) = url.split_once("://").unwrap_or(("", &url));
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let host = host.to_ascii_lowercase();
    let path = path.to_ascii_lowercase();
    let ews = path.contains(".asmx")
        || path.split('/').any(|segment| segment == "ews")
        || host.starts_with("outlook.");
    if ews {
        return Err(
            "is an EWS endpoint (bnWin's AzureEwsEndpoint), but exsync reaches Exchange Online \
             through Microsoft Graph: leave graph_url out or write graph_url = \
             \"https://graph.microsoft.com/v1.0\" (with exchange.kind = \"online\"); for an \
             Exchange Server on premises write exchange.kind = \"server\" and give the EWS URL \
             as exchange.server.ews_url"
                .to_owned(),
        );
    }
    if path.is_empty() {
        return Ok(format!("{url}/v1.0"));
    }
    Ok(url)
}

/// Microsoft's Graph hosts (the global service and the national clouds), whose `.default`
/// scope is their own origin.
const GRAPH_HOST_SUFFIXES: [&str; 4] = [
    ".microsoft.com",
    ".microsoft.us",
    ".chinacloudapi.cn",
    ".microsoft.de",
];

/// The OAuth2 scope for a Graph base URL: its origin + `/.default` for Microsoft's Graph hosts
/// (`https://graph.microsoft.us/.default` in the US government cloud), else (an emulator or a
/// proxy in front of Graph) `https://graph.microsoft.com/.default`.
pub(crate) fn default_scope(graph_url: &str) -> String {
    let (scheme, rest) = graph_url.split_once("://").unwrap_or(("https", graph_url));
    let host = rest.split('/').next().unwrap_or(rest);
    let name = host.split(':').next().unwrap_or(host).to_ascii_lowercase();
    if GRAPH_HOST_SUFFIXES.iter().any(|s| name.ends_with(s)) {
        format!("{scheme}://{host}/.default")
    } else {
        "https://graph.microsoft.com/.default".to_owned()
    }
}

/// A scope such as `https://graph.microsoft.com/.default`: no spaces, and not the Exchange
/// Online (EWS) scope, which Graph refuses.
pub(crate) fn scope(value: &str) -> Result<String, String> {
    let value = value.trim();
    if value.is_empty() || value.contains(char::is_whitespace) {
        return Err(
            "must be a single scope such as https://graph.microsoft.com/.default".to_owned(),
        );
    }
    let resource = value
        .split_once("://")
        .map_or(value, |(_, rest)| rest)
        .to_ascii_lowercase();
    let ews = resource.starts_with("outlook.office365.com")
        || resource.starts_with("outlook.office.com")
        || resource.starts_with("00000002-0000-0ff1-ce00-000000000000");
    if ews {
        return Err(
            "is the Exchange Online (EWS) scope (bnWin's AzureEwsScopestring); Microsoft Graph \
             needs its own: leave exchange.online.scope out (the default \
             https://graph.microsoft.com/.default is right)"
                .to_owned(),
        );
    }
    Ok(value.to_owned())
}

/// An instance name for leases: 1 to 64 letters, digits, `.`, `_` or `-`.
pub(crate) fn instance_name(value: &str) -> Result<String, String> {
    let value = value.trim();
    let ok = (1..=64).contains(&value.len())
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(value.to_owned())
    } else {
        Err("must be 1 to 64 letters, digits, '.', '_' or '-'".to_owned())
    }
}

/// A PostgreSQL schema name: a plain identifier of at most 63 characters.
pub(crate) fn sql_identifier(value: &str) -> Result<String, String> {
    let value = value.trim();
    let mut chars = value.chars();
    let ok = value.len() <= 63
        && chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok {
        Ok(value.to_owned())
    } else {
        Err(
            "must be a schema name of letters, digits and '_', starting with a letter or '_' \
             (at most 63 characters)"
                .to_owned(),
        )
    }
}

/// A folder or list name as Outlook shows it: 1 to 255 characters, not only spaces.
pub(crate) fn display_name(value: &str) -> Result<String, String> {
    let value = value.trim();
    if !value.is_empty() && value.chars().count() <= 255 && !value.contains(['\n', '\r']) {
        Ok(value.to_owned())
    } else {
        Err("must be a name of 1 to 255 characters on one line".to_owned())
    }
}

/// A time zone by IANA or Windows name (`Europe/Berlin`, `W. Europe Standard Time`).
pub(crate) fn time_zone(value: &str) -> Result<String, String> {
    let value = value.trim();
    match exsync_model::TimeZoneName::new(value) {
        Ok(_) => Ok(value.to_owned()),
        Err(_) => Err(
            "must be an IANA time zone (\"Europe/Berlin\") or a Windows one (\"W. Europe Standard Time\")"
                .to_owned(),
        ),
    }
}

/// A user name for EWS: not blank, one line.
pub(crate) fn user_name(value: &str) -> Result<String, String> {
    let value = value.trim();
    if !value.is_empty() && !value.contains(['\n', '\r']) {
        Ok(value.to_owned())
    } else {
        Err("must be the account name, e.g. sync@example.com or EXAMPLE\\exsync".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guids_and_tenants() {
        assert_eq!(
            guid(" 8E47E025-e175-4a96-85be-59ee5e49e632 ").as_deref(),
            Ok("8e47e025-e175-4a96-85be-59ee5e49e632")
        );
        assert!(guid("XW.8Q~q6rDOhRG2Kml9xf").is_err());
        assert_eq!(
            tenant("Contoso.onmicrosoft.com").as_deref(),
            Ok("contoso.onmicrosoft.com")
        );
        assert!(tenant("common stuff").is_err());
    }

    #[test]
    fn urls() {
        assert_eq!(
            http_url("https://graph.microsoft.com/v1.0/").as_deref(),
            Ok("https://graph.microsoft.com/v1.0")
        );
        assert!(http_url("ftp://x").is_err());
        assert!(http_url("https:///path").is_err());
        assert_eq!(
            ews_url("exchange.firma.local").as_deref(),
            Ok("https://exchange.firma.local/EWS/Exchange.asmx")
        );
        assert_eq!(
            ews_url("http://127.0.0.1:8080/EWS/Exchange.asmx").as_deref(),
            Ok("http://127.0.0.1:8080/EWS/Exchange.asmx")
        );
        assert_eq!(
            default_scope("http://127.0.0.1:9000/v1.0"),
            "https://graph.microsoft.com/.default",
            "an emulator or proxy stands in for Graph"
        );
        assert_eq!(
            default_scope("https://graph.microsoft.us/v1.0"),
            "https://graph.microsoft.us/.default"
        );
        assert_eq!(
            default_scope("https://microsoftgraph.chinacloudapi.cn/v1.0"),
            "https://microsoftgraph.chinacloudapi.cn/.default"
        );
    }

    #[test]
    fn ews_endpoints_and_scopes_are_refused_where_graph_belongs() {
        for ews in [
            "https://outlook.office365.com/EWS/Exchange.asmx",
            "https://mail.example.com/ews/exchange.asmx",
            "https://outlook.office365.com",
        ] {
            let error = graph_url(ews).expect_err(ews);
            assert!(error.contains("is an EWS endpoint"), "{error}");
            assert!(
                error.contains("graph_url = \"https://graph.microsoft.com/v1.0\""),
                "{error}"
            );
            assert!(!error.contains(ews), "the value is not repeated: {error}");
        }
        assert_eq!(
            graph_url("https://graph.microsoft.com/v1.0/").as_deref(),
            Ok("https://graph.microsoft.com/v1.0")
        );
        assert_eq!(
            graph_url("https://graph.microsoft.com").as_deref(),
            Ok("https://graph.microsoft.com/v1.0"),
            "a bare origin gets the version"
        );
        assert_eq!(
            graph_url("http://127.0.0.1:9000/v1.0").as_deref(),
            Ok("http://127.0.0.1:9000/v1.0")
        );
        let error = scope("https://outlook.office365.com/.default").expect_err("EWS scope");
        assert!(error.contains("Exchange Online (EWS) scope"), "{error}");
        assert_eq!(
            scope(" https://graph.microsoft.com/.default ").as_deref(),
            Ok("https://graph.microsoft.com/.default")
        );
    }

    #[test]
    fn names() {
        assert!(instance_name("node-1.example").is_ok());
        assert!(instance_name("two words").is_err());
        assert!(sql_identifier("exsync_state").is_ok());
        assert!(sql_identifier("1abc").is_err());
        assert!(display_name("  ").is_err());
        assert!(user_name("EXAMPLE\\exsync").is_ok());
    }
}
