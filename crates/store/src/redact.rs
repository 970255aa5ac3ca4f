//! Redaction of database URLs before they reach a message or a log line.
//!
//! Invariant: [`redact_url`] never returns the password of the URL it was given, whether it sits
//! in the user info (`postgres://user:secret@host/db`) or in a `password=` query parameter, and
//! [`Secrets::scrub`] removes every spelling of those passwords (as written, percent-decoded)
//! from free text such as a driver message. When the URL is odd, both err on the side of hiding
//! too much.

const MASK: &str = "***";

/// Returns `url` with every password replaced by `***`; fit for messages and logs.
///
/// ```
/// assert_eq!(
///     exsync_store::redact_url("postgres://exsync:s3cret@db.example/erp"),
///     "postgres://exsync:***@db.example/erp"
/// );
/// ```
pub fn redact_url(url: &str) -> String {
    let (redacted, _) = split_secrets(url);
    redacted
}

/// The passwords found in one URL, to scrub them from text that did not come from us.
#[derive(Debug, Default)]
pub(crate) struct Secrets(Vec<String>);

impl Secrets {
    /// Collects the passwords of `url`, as written and percent-decoded.
    pub(crate) fn of_url(url: &str) -> Self {
        let (_, found) = split_secrets(url);
        let mut spellings = Vec::new();
        for secret in found {
            let decoded = percent_decode(&secret);
            if decoded != secret {
                spellings.push(decoded);
            }
            spellings.push(secret);
        }
        spellings.retain(|spelling| !spelling.is_empty());
        // Longest first, so that a password containing another one is masked whole.
        spellings.sort_by_key(|spelling| std::cmp::Reverse(spelling.len()));
        Secrets(spellings)
    }

    /// Returns `text` with every known password replaced by `***`.
    pub(crate) fn scrub(&self, text: &str) -> String {
        self.0.iter().fold(text.to_owned(), |text, secret| {
            text.replace(secret.as_str(), MASK)
        })
    }
}

/// Splits `url` into its redacted form and the raw passwords it held.
fn split_secrets(url: &str) -> (String, Vec<String>) {
    let mut secrets = Vec::new();
    let without_userinfo_password = mask_userinfo_password(url, &mut secrets);
    let redacted = mask_password_parameters(&without_userinfo_password, &mut secrets);
    (redacted, secrets)
}

/// Masks `secret` in `scheme://user:secret@host`. The user info is taken to end at the *last*
/// `@`: a password may contain an unescaped `@`, and masking too much is harmless.
fn mask_userinfo_password(url: &str, secrets: &mut Vec<String>) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_owned();
    };
    let rest_start = scheme_end + 3;
    let rest = &url[rest_start..];
    let Some(at) = rest.rfind('@') else {
        return url.to_owned();
    };
    let userinfo = &rest[..at];
    let Some(colon) = userinfo.find(':') else {
        return url.to_owned();
    };
    secrets.push(userinfo[colon + 1..].to_owned());
    format!(
        "{}{}{MASK}{}",
        &url[..rest_start],
        &userinfo[..=colon],
        &rest[at..]
    )
}

/// Masks the value of every query parameter whose name ends in `password` (`password`,
/// `sslpassword`, ...), whatever its case.
fn mask_password_parameters(url: &str, secrets: &mut Vec<String>) -> String {
    let Some(query_start) = url.find('?') else {
        return url.to_owned();
    };
    let (head, query_and_fragment) = url.split_at(query_start + 1);
    let (query, fragment) = match query_and_fragment.find('#') {
        Some(hash) => query_and_fragment.split_at(hash),
        None => (query_and_fragment, ""),
    };
    let masked: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, value)) if name.to_ascii_lowercase().ends_with("password") => {
                secrets.push(value.to_owned());
                format!("{name}={MASK}")
            }
            _ => pair.to_owned(),
        })
        .collect();
    format!("{head}{}{fragment}", masked.join("&"))
}

/// Decodes `%XX` escapes (and `+` as space, as in query strings); invalid escapes stay as
/// written.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let byte = bytes[index];
        let escaped = (byte == b'%')
            .then(|| bytes.get(index + 1..index + 3))
            .flatten()
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(value) => {
                decoded.push(value);
                index += 3;
            }
            None => {
                decoded.push(if byte == b'+' { b' ' } else { byte });
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_the_user_info_password() {
        assert_eq!(
            redact_url("postgres://exsync:s3cret@db:5432/erp?sslmode=require"),
            "postgres://exsync:***@db:5432/erp?sslmode=require"
        );
    }

    #[test]
    fn masks_a_password_holding_reserved_characters() {
        let url = "postgres://exsync:p@ss/w:rd@db/erp";
        let redacted = redact_url(url);
        assert_eq!(redacted, "postgres://exsync:***@db/erp");
        assert!(!redacted.contains("ss/w"));
    }

    #[test]
    fn masks_password_query_parameters_of_any_case() {
        let redacted =
            redact_url("postgres://db/erp?user=exsync&Password=s3cret&sslpassword=k3y#frag");
        assert_eq!(
            redacted,
            "postgres://db/erp?user=exsync&Password=***&sslpassword=***#frag"
        );
    }

    #[test]
    fn leaves_urls_without_password_alone() {
        for url in [
            "postgres://postgres@127.0.0.1:5432/test",
            "postgres://db/erp",
            "sqlite://state/exsync.db",
            "sqlite::memory:",
        ] {
            assert_eq!(redact_url(url), url);
        }
    }

    #[test]
    fn scrub_removes_raw_and_decoded_spellings() {
        let secrets = Secrets::of_url("postgres://exsync:s%40cret@db/erp?password=other");
        let scrubbed = secrets.scrub("login with s@cret or s%40cret or other failed");
        assert_eq!(scrubbed, "login with *** or *** or *** failed");
    }

    #[test]
    fn scrub_without_secrets_keeps_the_text() {
        let secrets = Secrets::of_url("postgres://postgres@127.0.0.1/test");
        assert_eq!(secrets.scrub("connection refused"), "connection refused");
    }
}
