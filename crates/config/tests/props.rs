//! Properties: the environment and the file accept and refuse exactly the same values, with
//! the same explanation; error lists print one line per error.

mod common;

use common::{env, no_env};
use exsync_config::{Config, ConfigErrors, keys};
use proptest::prelude::*;

/// What a load said about one key: its effective value text, or the error without its origin.
fn outcome(result: Result<Config, ConfigErrors>, key: &str) -> Result<String, Vec<String>> {
    match result {
        Ok(config) => {
            let shown = config.render_effective();
            let leaf = key.rsplit_once('.').map_or(key, |(_, leaf)| leaf);
            let line = shown
                .lines()
                .find(|line| line.starts_with(&format!("{leaf} = ")))
                .unwrap_or_default();
            Ok(line.split("  # from").next().unwrap_or_default().to_owned())
        }
        Err(errors) => Err(errors
            .errors()
            .iter()
            .map(|e| {
                let text = e.to_string();
                text.split_once(": ")
                    .map_or(text.clone(), |(_, rest)| rest.to_owned())
            })
            .collect()),
    }
}

fn file_and_env(key: &str, toml_value: &str, env_value: &str) -> (String, String) {
    let (section, leaf) = key.rsplit_once('.').expect("dotted key");
    let file = outcome(
        Config::from_toml_str(&format!("[{section}]\n{leaf} = {toml_value}\n"), no_env()),
        key,
    );
    let var = keys::env_var_for(key);
    let from_env = outcome(Config::from_toml_str("", env(&[(&var, env_value)])), key);
    (format!("{file:?}"), format!("{from_env:?}"))
}

proptest! {
    #[test]
    fn numbers_agree(n in -300i64..300) {
        for key in ["sync.months_past", "service.full_pass_interval", "sync.mass_delete_guard_min_items"] {
            let (file, from_env) = file_and_env(key, &n.to_string(), &n.to_string());
            prop_assert_eq!(file, from_env);
        }
    }

    #[test]
    fn choices_agree(word in "[a-z_]{1,14}") {
        for key in ["sync.body", "sync.contacts", "exchange.kind", "logging.level"] {
            let (file, from_env) = file_and_env(key, &format!("\"{word}\""), &word);
            prop_assert_eq!(file, from_env);
        }
    }

    #[test]
    fn one_line_per_error(words in proptest::collection::vec("[a-z]{1,8}", 1..6)) {
        let vars: Vec<(String, String)> = words
            .iter()
            .map(|w| (format!("EXSYNC_SYNC_{}", w.to_uppercase()), "1".to_owned()))
            .collect();
        if let Err(errors) = Config::from_toml_str("", vars) {
            prop_assert_eq!(errors.to_string().lines().count(), errors.len());
        }
    }
}
