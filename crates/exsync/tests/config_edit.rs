//! `exsync config init` from a script, `config set` / `config get`, and bnWin.net key names in
//! `exsync.toml`: the real binary, real files.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn exsync_with_input(dir: &Path, args: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_exsync"))
        .args(args)
        .current_dir(dir)
        .env_remove("EXSYNC_CONFIG")
        .env_remove("EXSYNC_SYNC_MONTHS_PAST")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "C")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("exsync runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("input written");
    child.wait_with_output().expect("exsync ends")
}

fn exsync(dir: &Path, args: &[&str]) -> Output {
    exsync_with_input(dir, args, "")
}

fn text(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

const SECRET: &str = "XW.8Q~script-Secret-0815";

/// A valid Exchange Online file written by `config init` from a script.
fn init_online(dir: &Path) -> Output {
    exsync_with_input(
        dir,
        &[
            "config",
            "init",
            "--set",
            "exchange.online.tenant_id=contoso.onmicrosoft.com",
            "--set",
            "exchange.online.client_id=8e47e025-e175-4a96-85be-59ee5e49e632",
            "--set",
            "sync.months_past=3",
            "--secret-stdin",
            "exchange.online.client_secret",
        ],
        &format!("{SECRET}\n"),
    )
}

#[test]
fn init_from_a_script_writes_a_private_file_and_keeps_secrets_off_the_screen() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = init_online(dir.path());
    let (out, err) = text(&output);
    assert!(output.status.success(), "{out}\n{err}");
    assert!(
        !out.contains(SECRET) && !err.contains(SECRET),
        "{out}\n{err}"
    );
    assert!(out.contains("client_secret = \"********\""), "{out}");
    assert!(
        out.contains("months_past = 3  # from exsync.toml:"),
        "{out}"
    );
    assert!(
        out.contains("run `exsync --config exsync.toml check`"),
        "{out}"
    );
    let path = dir.path().join("exsync.toml");
    let file = std::fs::read_to_string(&path).expect("written");
    assert!(file.starts_with("# exsync configuration, written by `exsync config init`."));
    assert!(
        file.contains(&format!("client_secret = \"{SECRET}\"")),
        "{file}"
    );
    assert!(file.contains("kind = \"online\""), "{file}");
    assert!(
        file.contains("body = \"export_only\""),
        "the defaults are written: {file}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&path)
            .expect("written")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // Again: refused without --force, the file untouched; replaced with it.
    let again = init_online(dir.path());
    assert!(!again.status.success());
    assert!(
        text(&again).1.contains("exsync.toml exists already"),
        "{}",
        text(&again).1
    );
    assert_eq!(std::fs::read_to_string(&path).expect("read"), file);
    let forced = exsync(
        dir.path(),
        &[
            "config",
            "init",
            "--force",
            "--set",
            "exchange.kind=emulator",
        ],
    );
    assert!(forced.status.success(), "{}", text(&forced).1);
    let file = std::fs::read_to_string(&path).expect("read");
    assert!(file.contains("kind = \"emulator\""), "{file}");
}

#[test]
fn init_from_a_script_refuses_an_incomplete_configuration_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = exsync(dir.path(), &["config", "init", "--non-interactive"]);
    let (_, err) = text(&output);
    assert!(!output.status.success());
    assert!(
        err.contains("exchange.online.tenant_id is required when exchange.kind = \"online\""),
        "{err}"
    );
    assert!(err.contains("--set KEY=VALUE"), "{err}");
    assert!(!dir.path().join("exsync.toml").exists());

    let output = exsync(
        dir.path(),
        &["config", "init", "--set", "sync.months_past=200"],
    );
    assert!(!output.status.success());
    assert!(
        text(&output)
            .1
            .contains("sync.months_past = 200: must be a whole number from 0 to 120"),
        "{}",
        text(&output).1
    );
    let output = exsync(dir.path(), &["config", "init", "--set", "AzureTenantId=x"]);
    assert!(
        text(&output)
            .1
            .contains("unknown key AzureTenantId: did you mean exchange.online.tenant_id?"),
        "{}",
        text(&output).1
    );
    assert!(!dir.path().join("exsync.toml").exists());
}

#[test]
fn set_and_get_round_trip_keeping_comments_and_refusing_bad_values() {
    let dir = tempfile::tempdir().expect("temp dir");
    assert!(init_online(dir.path()).status.success());
    let path = dir.path().join("exsync.toml");
    let mut file = std::fs::read_to_string(&path).expect("read");
    file = file.replace(
        "months_past = 3",
        "months_past = 3  # agreed with accounting",
    );
    std::fs::write(&path, &file).expect("write");

    let set = exsync(dir.path(), &["config", "set", "sync.months_past", "12"]);
    assert!(set.status.success(), "{}", text(&set).1);
    assert_eq!(
        text(&set).0,
        "sync.months_past = 12 written to exsync.toml\n"
    );
    let after = std::fs::read_to_string(&path).expect("read");
    assert_eq!(
        after,
        file.replace("months_past = 3 ", "months_past = 12 "),
        "only the value changed"
    );
    let get = exsync(dir.path(), &["config", "get", "sync.months_past"]);
    assert_eq!(text(&get).0, "12\n");

    // A bad value is refused with the loader's message; the file stays byte for byte.
    for (key, value, message) in [
        (
            "sync.months_past",
            "-3",
            "sync.months_past = -3: must be a whole number from 0 to 120",
        ),
        ("sync.tasks", "sideways", "sync.tasks: must be one of"),
        ("exchange.online.client_id", "not-a-guid", "must be a GUID"),
        (
            "service.full_pass_interval",
            "5",
            "must be a whole number from 10 to 86400",
        ),
    ] {
        let output = exsync(dir.path(), &["config", "set", key, value]);
        let (_, err) = text(&output);
        assert!(!output.status.success(), "{key} = {value} accepted");
        assert!(err.contains(message), "{err}");
        assert!(err.contains(&format!("{key} was not changed")), "{err}");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), after);
    }

    // Secrets: set from standard input, shown masked by set and get, never printed.
    let set = exsync_with_input(
        dir.path(),
        &["config", "set", "exchange.online.client_secret"],
        "XW.8Q~new-Secret-4242\n",
    );
    assert!(set.status.success(), "{}", text(&set).1);
    let (out, err) = text(&set);
    assert!(!out.contains("new-Secret") && !err.contains("new-Secret"));
    assert_eq!(
        out,
        "exchange.online.client_secret = ******** written to exsync.toml\n"
    );
    let get = exsync(
        dir.path(),
        &["config", "get", "exchange.online.client_secret"],
    );
    assert_eq!(text(&get).0, "********\n");
    assert!(
        std::fs::read_to_string(&path)
            .expect("read")
            .contains("client_secret = \"XW.8Q~new-Secret-4242\"")
    );

    assert_eq!(err, "", "a private file draws no warning");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        let set = exsync_with_input(
            dir.path(),
            &["config", "set", "exchange.online.client_secret"],
            "XW.8Q~new-Secret-4242\n",
        );
        assert!(set.status.success(), "{}", text(&set).1);
        assert!(
            text(&set)
                .1
                .contains("exsync.toml holds a secret and other users may read it: chmod 600"),
            "{}",
            text(&set).1
        );
        let mode = std::fs::metadata(&path).expect("file").permissions().mode();
        assert_eq!(mode & 0o777, 0o644, "set keeps the mode the admin chose");
    }

    // Given as a file instead, the inline secret goes.
    let secret_file = dir.path().join("client-secret");
    std::fs::write(&secret_file, "from-a-file\n").expect("write");
    let set = exsync(
        dir.path(),
        &[
            "config",
            "set",
            "exchange.online.client_secret_file",
            &secret_file.display().to_string(),
        ],
    );
    assert!(set.status.success(), "{}", text(&set).1);
    assert!(
        text(&set)
            .0
            .contains("exchange.online.client_secret was removed from the file"),
        "{}",
        text(&set).0
    );
    assert!(
        !std::fs::read_to_string(&path)
            .expect("read")
            .contains("new-Secret")
    );

    // Defaults and keys of an Exchange kind not in use say so on standard error.
    let get = exsync(dir.path(), &["config", "get", "sync.conflict"]);
    assert_eq!(text(&get).0, "newest_wins\n");
    assert!(
        text(&get).1.contains("built-in default"),
        "{}",
        text(&get).1
    );
    let get = exsync(dir.path(), &["config", "get", "exchange.server.ews_url"]);
    assert_eq!(text(&get).0, "");
    assert!(
        text(&get)
            .1
            .contains("not used while exchange.kind = \"online\"")
    );
}

#[test]
fn set_and_get_need_an_existing_file_and_a_known_key() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = exsync(dir.path(), &["config", "set", "sync.months_past", "3"]);
    assert!(!output.status.success());
    assert!(
        text(&output)
            .1
            .contains("exsync.toml does not exist: create it with `exsync config init`")
    );
    assert!(!dir.path().join("exsync.toml").exists());
    std::fs::write(dir.path().join("exsync.toml"), "[sync]\n").expect("write");
    let output = exsync(dir.path(), &["config", "get", "SyncMonateZukunft"]);
    assert!(!output.status.success());
    assert!(
        text(&output)
            .1
            .contains("unknown key SyncMonateZukunft: did you mean sync.months_future?"),
        "{}",
        text(&output).1
    );
}

#[test]
fn bnwin_keys_in_the_file_are_named_with_their_exsync_key() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("exsync.toml"),
        "[sync]\nSyncMonateVergangenheit = 6\n[exchange.online]\nAzureClientSecret = \"XW.8Q~pasted\"\n",
    )
    .expect("write");
    let output = exsync(dir.path(), &["--config", "exsync.toml", "config", "show"]);
    let (_, err) = text(&output);
    assert!(!output.status.success());
    assert!(
        err.contains("exsync.toml:2: unknown key sync.SyncMonateVergangenheit: did you mean sync.months_past?"),
        "{err}"
    );
    assert!(
        err.contains("unknown key exchange.online.AzureClientSecret: did you mean exchange.online.client_secret?"),
        "{err}"
    );
    assert!(!err.contains("pasted"), "{err}");
}

#[test]
fn messages_are_german_with_lang_de() {
    let dir = tempfile::tempdir().expect("temp dir");
    assert!(init_online(dir.path()).status.success());
    let output = exsync(
        dir.path(),
        &["--lang", "de", "config", "set", "sync.tasks", "sideways"],
    );
    assert!(!output.status.success());
    assert!(
        text(&output)
            .1
            .contains("sync.tasks wurde nicht geändert: exsync.toml bleibt, wie es war."),
        "{}",
        text(&output).1
    );
    let output = exsync(
        dir.path(),
        &["--lang", "de", "config", "set", "sync.tasks", "off"],
    );
    assert_eq!(
        text(&output).0,
        "sync.tasks = off in exsync.toml geschrieben\n"
    );
    let output = exsync(dir.path(), &["--lang", "de", "config", "init"]);
    assert!(
        text(&output)
            .1
            .contains("exsync.toml gibt es bereits: Behalten Sie die Datei, oder ersetzen Sie sie mit --force."),
        "{}",
        text(&output).1
    );
}
