//! `config show`: the effective configuration is valid TOML, reads back to the same settings,
//! marks where non-default values came from, and documents every key.

mod common;

use common::{ONLINE, load};
use exsync_config::{Config, keys};

const SETTINGS: &str = r#"
[service]
full_pass_interval = 120
start_mode = "changes_only"
instance_name = "node-1"
[database]
url = "postgres://exsync@db/erp"
schema = "exsync"
[sync]
months_past = 2
tasks = "off"
mass_delete_guard = 1
task_list = "Aufgaben"
[exchange]
mailbox_addressing = "user_name"
[logging]
file = "/var/log/exsync.log"
[admin]
listen = "off"
"#;

#[test]
fn the_output_reads_back_to_the_same_configuration() {
    let config = load(SETTINGS, &[("EXSYNC_SYNC_BODY", "never")]);
    let shown = config.render_effective();
    let again = load(&shown, &[]);
    assert_eq!(again.service, config.service);
    assert_eq!(again.sync, config.sync);
    assert_eq!(again.logging, config.logging);
    assert_eq!(again.admin, config.admin);
    assert_eq!(
        again.database.url.expose_secret(),
        config.database.url.expose_secret()
    );
    assert_eq!(again.database.schema, config.database.schema);
    assert_eq!(
        again.render_effective().lines().count(),
        shown.lines().count()
    );
}

#[test]
fn non_default_values_say_where_they_came_from() {
    let config = load(SETTINGS, &[("EXSYNC_SYNC_BODY", "never")]);
    let shown = config.render_effective();
    assert!(
        shown.contains("months_past = 2  # from exsync.toml:10\n"),
        "{shown}"
    );
    assert!(
        shown.contains("body = \"never\"  # from EXSYNC_SYNC_BODY\n"),
        "{shown}"
    );
    assert!(shown.contains("months_future = 17\n"), "{shown}");
    assert!(
        shown.contains("mass_delete_guard = 1.0  # from exsync.toml:12\n"),
        "{shown}"
    );
    assert!(
        shown.contains("listen = \"off\"  # from exsync.toml:19\n"),
        "{shown}"
    );
    assert!(shown.contains("# [exchange.online] is not used while exchange.kind = \"emulator\"."));
}

#[test]
fn every_key_of_the_active_sections_is_shown_or_marked_not_set() {
    let shown = load(ONLINE, &[]).render_effective();
    toml::from_str::<toml::Table>(&shown).unwrap_or_else(|e| panic!("{e}\n{shown}"));
    for key in keys::KEYS {
        if key.section() == "exchange.server" || key.kind == keys::KeyKind::SecretFile {
            continue;
        }
        let value = format!("\n{} = ", key.leaf());
        let unset = format!("\n# {} = (not set: ", key.leaf());
        assert!(
            shown.contains(&value) || shown.contains(&unset),
            "{} missing from:\n{shown}",
            key.name
        );
    }
    assert!(!shown.contains("unknown key"));
}

#[test]
fn default_output_is_valid_toml() {
    let shown = Config::default().render_effective();
    let table = toml::from_str::<toml::Table>(&shown).unwrap_or_else(|e| panic!("{e}\n{shown}"));
    assert!(table.contains_key("sync"));
    assert!(
        !shown.contains("  # from "),
        "defaults carry no origin:\n{shown}"
    );
}

#[test]
fn changes_only_says_what_it_relies_on() {
    let shown = load(SETTINGS, &[]).render_effective();
    assert!(
        shown.contains("start_mode = \"changes_only\"")
            && shown.contains("change journal")
            && shown.contains("updated_at")
            && shown.contains("lastModifiedDateTime"),
        "{shown}"
    );
    let default = load("", &[]).render_effective();
    assert!(!default.contains("change journal"), "{default}");
}
