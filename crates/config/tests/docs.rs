//! The reference `docs/configuration.md` documents every key with its environment variable.

use exsync_config::keys;

const DOC: &str = include_str!("../../../docs/configuration.md");

#[test]
fn every_key_and_variable_is_documented() {
    for key in keys::KEYS {
        assert!(
            DOC.contains(&format!("`{}`", key.name)),
            "{} is not documented in docs/configuration.md",
            key.name
        );
        assert!(
            DOC.contains(&format!("`{}`", key.env_var())),
            "{} is not documented in docs/configuration.md",
            key.env_var()
        );
    }
    for var in keys::RESERVED_ENV_VARS {
        assert!(DOC.contains(var), "{var} is not documented");
    }
}
