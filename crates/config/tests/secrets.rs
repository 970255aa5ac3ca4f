//! Secrets never leak: not through `Debug`, `config show`, warnings or any error, whatever
//! key a secret is (mis)placed in and however it is given.

mod common;

use common::{ONLINE, SECRET, env, errors, load, no_env};
use exsync_config::{
    Config, ConfigErrors, ExchangeTarget, ExposeSecret, OnlineCredential, ServerAuth, keys,
};

fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 1).expect("date")
}

/// Everything a configuration can print.
fn everything_printed(config: &Config) -> String {
    format!(
        "{config:?}\n{}\n{}",
        config.render_effective(),
        config.warnings(today()).join("\n")
    )
}

fn assert_no_secret(text: &str) {
    assert!(!text.contains(SECRET), "secret leaked in:\n{text}");
    assert!(
        !text.contains("RecognisableSecret"),
        "secret leaked in:\n{text}"
    );
}

fn client_secret(config: &Config) -> String {
    match &config.exchange.target {
        ExchangeTarget::Online(online) => match &online.credential {
            OnlineCredential::Secret(secret) => secret.expose_secret().to_owned(),
            OnlineCredential::Certificate(_) => panic!("expected a client secret"),
        },
        _ => panic!("expected Exchange Online"),
    }
}

#[test]
fn an_inline_secret_is_usable_but_never_printed() {
    let config = load(ONLINE, &[]);
    assert_eq!(client_secret(&config), SECRET);
    let printed = everything_printed(&config);
    assert_no_secret(&printed);
    assert!(
        printed.contains("client_secret = \"********\"  # from exsync.toml:7"),
        "{printed}"
    );
}

#[test]
fn a_secret_from_the_environment_replaces_the_file_and_is_masked() {
    let config = load(
        &ONLINE.replace(SECRET, "file-secret"),
        &[("EXSYNC_EXCHANGE_ONLINE_CLIENT_SECRET", SECRET)],
    );
    assert_eq!(client_secret(&config), SECRET);
    let printed = everything_printed(&config);
    assert_no_secret(&printed);
    assert!(printed.contains("# from EXSYNC_EXCHANGE_ONLINE_CLIENT_SECRET"));
}

#[test]
fn a_secret_file_is_read_trimmed_and_shown_by_path_only() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("secret.txt");
    std::fs::write(&file, format!("  {SECRET}\r\n\n")).expect("write");
    let toml = ONLINE.replace(
        &format!("client_secret = \"{SECRET}\""),
        &format!("client_secret_file = {:?}", file.display().to_string()),
    );
    let config = load(&toml, &[]);
    assert_eq!(client_secret(&config), SECRET);
    let printed = everything_printed(&config);
    assert_no_secret(&printed);
    assert!(printed.contains(&format!(
        "client_secret_file = {:?}",
        file.display().to_string()
    )));
}

#[test]
fn a_secret_file_given_in_the_environment_replaces_the_inline_file_secret() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("secret.txt");
    std::fs::write(&file, "from-file\n").expect("write");
    let var = "EXSYNC_EXCHANGE_ONLINE_CLIENT_SECRET_FILE";
    let config = load(ONLINE, &[(var, &file.display().to_string())]);
    assert_eq!(client_secret(&config), "from-file");
}

#[test]
fn relative_secret_files_are_found_next_to_the_configuration_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("secret.txt"), SECRET).expect("write");
    let toml = ONLINE.replace(
        &format!("client_secret = \"{SECRET}\""),
        "client_secret_file = \"secret.txt\"",
    );
    let path = dir.path().join("exsync.toml");
    std::fs::write(&path, toml).expect("write");
    let config = Config::load(Some(&path), no_env()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(client_secret(&config), SECRET);
}

#[test]
fn an_unreadable_or_empty_secret_file_names_key_and_path() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = dir.path().join("missing.txt");
    let toml = ONLINE.replace(
        &format!("client_secret = \"{SECRET}\""),
        &format!("client_secret_file = {:?}", missing.display().to_string()),
    );
    let lines = errors(Config::from_toml_str(&toml, no_env()));
    assert_eq!(lines.len(), 1, "{lines:?}");
    let expected = format!(
        "exsync.toml:7: exchange.online.client_secret_file: cannot read {}: ",
        missing.display()
    );
    assert!(lines[0].starts_with(&expected), "{lines:?}");

    let empty = dir.path().join("empty.txt");
    std::fs::write(&empty, " \n").expect("write");
    let var = "EXSYNC_EXCHANGE_ONLINE_CLIENT_SECRET_FILE";
    let lines = errors(Config::from_toml_str(
        ONLINE,
        env(&[(var, &empty.display().to_string())]),
    ));
    assert_eq!(
        lines,
        [format!(
            "{var}: exchange.online.client_secret_file: cannot read {}: the file is empty",
            empty.display()
        )]
    );
}

#[test]
fn inline_and_file_in_the_same_place_is_an_error_without_the_secret() {
    let toml = format!("{ONLINE}client_secret_file = \"/run/secrets/x\"\n");
    let lines = errors(Config::from_toml_str(&toml, no_env()));
    assert_eq!(
        lines,
        [
            "exchange.online.client_secret (exsync.toml:7) and exchange.online.client_secret_file (exsync.toml:8) are both set: give the secret one way only"
        ]
    );
}

#[test]
fn a_secret_of_the_wrong_type_is_not_echoed() {
    let toml = ONLINE.replace(&format!("\"{SECRET}\""), "4242424242");
    let lines = errors(Config::from_toml_str(&toml, no_env()));
    assert_eq!(
        lines,
        [
            "exsync.toml:7: exchange.online.client_secret: must be text in quotes, not a whole number"
        ]
    );
}

#[test]
fn a_secret_pasted_into_the_client_id_is_not_echoed() {
    let toml = ONLINE.replace(
        "client_id = \"66666666-7777-8888-9999-000000000000\"",
        &format!("client_id = \"{SECRET}\""),
    );
    let lines = errors(Config::from_toml_str(&toml, no_env()));
    assert_eq!(lines.len(), 1);
    assert!(lines[0].starts_with("exsync.toml:6: exchange.online.client_id: must be a GUID"));
    assert_no_secret(&lines.join("\n"));
}

#[test]
fn a_secret_under_a_misspelt_key_is_not_echoed() {
    let toml = ONLINE.replace("client_secret =", "client_secert =");
    let text = errors(Config::from_toml_str(&toml, no_env())).join("\n");
    assert!(text.contains(
        "unknown key exchange.online.client_secert: did you mean exchange.online.client_secret?"
    ));
    assert_no_secret(&text);
    let text = errors(Config::from_toml_str(
        "",
        env(&[("EXSYNC_EXCHANGE_ONLINE_CLIENT_SECERT", SECRET)]),
    ))
    .join("\n");
    assert_no_secret(&text);
}

#[test]
fn a_syntax_error_on_a_secret_line_does_not_show_the_line() {
    let toml = ONLINE.replace(&format!("\"{SECRET}\""), &format!("\"{SECRET}"));
    let text = errors(Config::from_toml_str(&toml, no_env())).join("\n");
    assert!(text.contains("not valid TOML"), "{text}");
    assert_no_secret(&text);
}

/// Keys whose value is a path: an unreadable path is named in errors, by design.
fn is_path_key(name: &str) -> bool {
    name.ends_with("_file") || name == "logging.file"
}

fn bases() -> [String; 2] {
    let server = format!(
        "[exchange]\nkind = \"server\"\n[exchange.server]\news_url = \"mail.example.com\"\n\
         username = \"EXAMPLE\\\\exsync\"\npassword = \"{SECRET}\"\n"
    );
    [ONLINE.to_owned(), server]
}

fn check(result: Result<Config, ConfigErrors>, secret_key: bool, what: &str) {
    match result {
        Ok(config) if secret_key => assert_no_secret(&everything_printed(&config)),
        Ok(_) => {}
        Err(errors) => {
            let text = format!("{errors}\n{errors:?}");
            assert!(!text.contains(SECRET), "{what}: secret leaked in:\n{text}");
        }
    }
}

#[test]
fn a_secret_in_any_key_never_reaches_an_error() {
    for base in bases() {
        for key in keys::KEYS.iter().filter(|key| !is_path_key(key.name)) {
            let secret_key = key.kind == keys::KeyKind::Secret;
            let var = key.env_var();
            check(
                Config::from_toml_str(&base, env(&[(&var, SECRET)])),
                secret_key,
                &var,
            );
            let header = format!("[{}]\n", key.section());
            let line = format!("{} = \"{SECRET}\"\n", key.leaf());
            let toml = if base.contains(&header) {
                base.replace(&header, &format!("{header}{line}"))
            } else {
                format!("{base}\n{header}{line}")
            };
            check(Config::from_toml_str(&toml, no_env()), secret_key, key.name);
        }
    }
}

#[test]
fn database_passwords_are_masked() {
    let url = format!("postgres://exsync:{SECRET}@db.example.com/exsync");
    let config = load(&format!("[database]\nurl = \"{url}\"\n"), &[]);
    assert_eq!(config.database.url.expose_secret(), url);
    let printed = everything_printed(&config);
    assert_no_secret(&printed);
    assert!(printed.contains("url = \"postgres://exsync:********@db.example.com/exsync\""));
    let bad = format!("[database]\nurl = \"mysql://root:{SECRET}@db/x\"\n");
    assert_no_secret(&errors(Config::from_toml_str(&bad, no_env())).join("\n"));
}

#[test]
fn server_passwords_tokens_and_certificate_passwords_are_masked() {
    let [_, server] = bases();
    let config = load(&server, &[]);
    match &config.exchange.target {
        ExchangeTarget::Server(s) => match &s.auth {
            ServerAuth::Ntlm(c) => assert_eq!(c.password.expose_secret(), SECRET),
            other => panic!("expected NTLM, got {other:?}"),
        },
        other => panic!("expected a server, got {other:?}"),
    }
    assert_no_secret(&everything_printed(&config));

    let bearer = load(
        "[exchange]\nkind = \"server\"\n[exchange.server]\news_url = \"mail.example.com\"\nauth = \"bearer\"\n",
        &[("EXSYNC_EXCHANGE_SERVER_TOKEN", SECRET)],
    );
    assert_no_secret(&everything_printed(&bearer));

    let dir = tempfile::tempdir().expect("temp dir");
    let cert = dir.path().join("app.pfx");
    std::fs::write(&cert, [0x30, 0x82, 0x01, 0x00]).expect("write");
    let toml = ONLINE.replace(
        &format!("client_secret = \"{SECRET}\""),
        &format!(
            "certificate_file = {:?}\ncertificate_password = \"{SECRET}\"",
            cert.display().to_string()
        ),
    );
    let config = load(&toml, &[]);
    assert_no_secret(&everything_printed(&config));
    assert!(
        config
            .render_effective()
            .contains("certificate_password = \"********\"")
    );
}
