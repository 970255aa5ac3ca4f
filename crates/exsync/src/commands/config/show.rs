//! `exsync config show`: the effective configuration with secrets masked, or every error in it.

use std::path::Path;

use exsync_config::Config;

/// Prints the effective configuration (file, if any, plus environment plus defaults) and its
/// warnings.
pub(super) fn run(file: Option<&Path>) -> anyhow::Result<()> {
    let config = crate::commands::load_config(file)?;
    print_effective(&config);
    Ok(())
}

/// The configuration as TOML on standard output, secrets masked; warnings on standard error.
pub(super) fn print_effective(config: &Config) {
    print!("{}", config.render_effective());
    let today = chrono::Local::now().date_naive();
    for warning in config.warnings(today) {
        eprintln!("warning: {warning}");
    }
}

/// The effective configuration without the process environment (used by tests).
#[cfg(test)]
fn show(toml: &str) -> Result<String, String> {
    Config::from_toml_str(toml, Vec::<(String, String)>::new())
        .map(|c| c.render_effective())
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn show_masks_secrets_and_errors_name_the_key() {
        let shown = show(
            "[exchange]\nkind = \"online\"\n[exchange.online]\n\
             tenant_id = \"11111111-2222-3333-4444-555555555555\"\n\
             client_id = \"66666666-7777-8888-9999-000000000000\"\n\
             client_secret = \"Sup3r~Secret~Value\"\n",
        )
        .expect("valid configuration");
        assert!(!shown.contains("Sup3r~Secret~Value"), "{shown}");
        assert!(shown.contains("months_past = 6"), "{shown}");
        let err = show("[sync]\nmonths_past = -3\n").expect_err("invalid");
        assert!(err.contains("sync.months_past"), "{err}");
    }
}
