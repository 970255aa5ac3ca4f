//! Helpers shared by the integration tests: explicit environments and error texts.
#![allow(dead_code)]

use exsync_config::{Config, ConfigErrors};

/// An environment made of the given pairs only.
pub fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// No environment at all.
pub fn no_env() -> Vec<(String, String)> {
    Vec::new()
}

/// The error lines of a load that must fail.
pub fn errors(result: Result<Config, ConfigErrors>) -> Vec<String> {
    match result {
        Ok(_) => panic!("expected the configuration to be refused"),
        Err(errors) => errors.errors().iter().map(ToString::to_string).collect(),
    }
}

/// Loads TOML text with the given environment, expecting success.
pub fn load(toml: &str, vars: &[(&str, &str)]) -> Config {
    match Config::from_toml_str(toml, env(vars)) {
        Ok(config) => config,
        Err(errors) => panic!("expected a valid configuration, got:\n{errors}"),
    }
}

/// A minimal valid Exchange Online section with an inline secret.
pub const ONLINE: &str = r#"
[exchange]
kind = "online"
[exchange.online]
tenant_id = "11111111-2222-3333-4444-555555555555"
client_id = "66666666-7777-8888-9999-000000000000"
client_secret = "XW.8Q~RecognisableSecretValue42"
"#;

/// The recognisable secret used by the leak tests.
pub const SECRET: &str = "XW.8Q~RecognisableSecretValue42";
