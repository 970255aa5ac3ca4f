//! `exsync config import --bnwin`: bnWin.net's service configuration files (fixtures written
//! from the bnWin.net manual's key list) turned into `exsync.toml`, with the report.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn exsync(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_exsync"))
        .args(args)
        .current_dir(dir)
        .env_remove("EXSYNC_CONFIG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "C")
        .output()
        .expect("exsync runs")
}

fn text(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/bnwin")
        .join(name)
}

const APPOINTMENTS: &str = "bnNetExchangeSync.exe.config";
const ADDRESSES: &str = "Adress2Exchange-Dienst.exe.config";
/// The secret in both fixtures.
const SECRET: &str = "XW.8Q~q6rDOhRG2Kml9xfQ7vZ2b.Lp~aT0pS3cret";

#[test]
fn the_appointment_service_file_becomes_an_exchange_online_configuration() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = fixture(APPOINTMENTS).display().to_string();
    let output = exsync(dir.path(), &["config", "import", "--bnwin", &file]);
    let (out, err) = text(&output);
    assert!(output.status.success(), "{out}\n{err}");
    assert!(
        !out.contains(SECRET) && !err.contains(SECRET),
        "{out}\n{err}"
    );

    // What was mapped, changed on purpose, has no equivalent, is left to do.
    for line in [
        "Mapped:",
        "  - SyncMonateVergangenheit (bnNetExchangeSync.exe.config) -> sync.months_past = 6",
        "  - SyncMonateZukunft (bnNetExchangeSync.exe.config) -> sync.months_future = 17",
        "  - ZeitZwischenSyncdurchlaeufen(Sekunden) (bnNetExchangeSync.exe.config) -> service.full_pass_interval = 300",
        "  - AzureTenantId (bnNetExchangeSync.exe.config) -> exchange.online.tenant_id = 8e87c822-a1dd-4e03-ae26-7fd46c75f31e",
        "  - AzureClientSecret (bnNetExchangeSync.exe.config) -> exchange.online.client_secret = ********",
        "  - service bnNetExchangeSync (bnNetExchangeSync.exe.config) -> sync.appointments = \"both\"",
        "  - service bnNETExchangeAdresssync not imported (no Adress2Exchange-Dienst.exe.config) -> sync.contacts = \"off\"",
        "Changed on purpose:",
        "  - AzureEwsEndpoint (bnNetExchangeSync.exe.config) = https://outlook.office365.com/EWS/Exchange.asmx: EWS is replaced by Microsoft Graph -> exchange.kind = \"online\"",
        "  - AzureEwsScopestring (bnNetExchangeSync.exe.config) = https://outlook.office365.com/.default: not taken over; exsync requests Microsoft Graph's scope https://graph.microsoft.com/.default",
        "No equivalent in exsync:",
        "  - AppPath (bnNetExchangeSync.exe.config): the bnWin.net program folder",
        "  - AlleTermineVorloeschen (bnNetExchangeSync.exe.config) was off: nothing to do. exsync has no such setting; the one-off command is `exsync reset --kind appointments`.",
        "Still to do:",
        "  - point database.url at the business database",
        "  - note when the client secret expires",
    ] {
        assert!(out.contains(line), "{line:?} missing in\n{out}");
    }
    // The file was read back and shown as the loader understands it.
    assert!(
        out.contains("kind = \"online\"  # from exsync.toml:"),
        "{out}"
    );
    assert!(
        out.contains("scope = \"https://graph.microsoft.com/.default\"\n"),
        "{out}"
    );
    assert!(out.contains("exsync --config exsync.toml check"), "{out}");

    let path = dir.path().join("exsync.toml");
    let toml = std::fs::read_to_string(&path).expect("written");
    for line in [
        "# from bnWin.net SyncMonateVergangenheit (bnNetExchangeSync.exe.config)\nmonths_past = 6\n",
        "full_pass_interval = 300\n",
        "appointments = \"both\"\n",
        "tasks = \"off\"\n",
        "contacts = \"off\"\n",
        "kind = \"online\"\n",
        "tenant_id = \"8e87c822-a1dd-4e03-ae26-7fd46c75f31e\"\n",
        "client_id = \"8e47e025-e175-4a96-85be-59ee5e49e632\"\n",
        &format!("client_secret = \"{SECRET}\"\n"),
    ] {
        assert!(toml.contains(line), "{line:?} missing in\n{toml}");
    }
    assert!(
        !toml.contains("outlook.office365.com"),
        "no EWS value kept: {toml}"
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

    // Not over an existing file without --force.
    let again = exsync(dir.path(), &["config", "import", "--bnwin", &file]);
    assert!(!again.status.success());
    assert!(text(&again).1.contains("exsync.toml exists already"));
}

#[test]
fn both_service_files_give_appointments_and_the_address_book() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = exsync(
        dir.path(),
        &[
            "--config",
            "imported.toml",
            "config",
            "import",
            "--bnwin",
            &fixture(ADDRESSES).display().to_string(),
            "--bnwin",
            &fixture(APPOINTMENTS).display().to_string(),
        ],
    );
    let (out, err) = text(&output);
    assert!(output.status.success(), "{out}\n{err}");
    assert!(
        out.contains("  - service bnNETExchangeAdresssync (Adress2Exchange-Dienst.exe.config) -> sync.contacts = \"export\""),
        "{out}"
    );
    assert!(out.contains("exsync --config imported.toml check"), "{out}");
    let toml = std::fs::read_to_string(dir.path().join("imported.toml")).expect("written");
    assert!(toml.contains("contacts = \"export\"\n"), "{toml}");
    assert!(toml.contains("appointments = \"both\"\n"), "{toml}");
}

#[test]
fn files_that_cannot_be_imported_are_refused_with_the_reason() {
    let dir = tempfile::tempdir().expect("temp dir");
    let original = std::fs::read_to_string(fixture(ADDRESSES)).expect("fixture");

    // Two different app registrations: exsync signs in once for every data type.
    let other_app = dir.path().join(ADDRESSES);
    std::fs::write(&other_app, original.replace("pS3cret", "pOther")).expect("write");
    let output = exsync(
        dir.path(),
        &[
            "config",
            "import",
            "--bnwin",
            &fixture(APPOINTMENTS).display().to_string(),
            "--bnwin",
            &other_app.display().to_string(),
        ],
    );
    let (out, err) = text(&output);
    assert!(!output.status.success());
    assert!(err.contains("AzureClientSecret differs between"), "{err}");
    assert!(!out.contains("pOther") && !err.contains("pOther") && !err.contains(SECRET));

    // A window that is not a number names the file, the line and the key.
    let bad = dir.path().join(APPOINTMENTS);
    let appointments = std::fs::read_to_string(fixture(APPOINTMENTS)).expect("fixture");
    std::fs::write(
        &bad,
        appointments.replace("value=\"17\"", "value=\"17 Monate\""),
    )
    .expect("write");
    let output = exsync(
        dir.path(),
        &["config", "import", "--bnwin", &bad.display().to_string()],
    );
    assert!(!output.status.success());
    assert!(
        text(&output).1.contains(&format!(
            "{}:9: SyncMonateZukunft must be a whole number",
            bad.display()
        )),
        "{}",
        text(&output).1
    );

    // A value the loader refuses: nothing is written, the report says where it came from.
    std::fs::write(&bad, appointments.replace("value=\"17\"", "value=\"200\"")).expect("write");
    let output = exsync(
        dir.path(),
        &["config", "import", "--bnwin", &bad.display().to_string()],
    );
    let (out, err) = text(&output);
    assert!(!output.status.success());
    assert!(
        err.contains(
            "SyncMonateZukunft (bnNetExchangeSync.exe.config) -> sync.months_future = 200"
        ),
        "{err}"
    );
    assert!(
        err.contains("sync.months_future = 200: must be a whole number from 0 to 120"),
        "{err}"
    );
    assert!(!out.contains(SECRET) && !err.contains(SECRET));
    assert!(!dir.path().join("exsync.toml").exists());

    // Not a bnWin.net service configuration.
    std::fs::write(&bad, "<configuration><connectionStrings/></configuration>").expect("write");
    let output = exsync(
        dir.path(),
        &["config", "import", "--bnwin", &bad.display().to_string()],
    );
    assert!(
        text(&output).1.contains("has no <appSettings> section"),
        "{}",
        text(&output).1
    );
}

#[test]
fn reset_switched_on_is_explained_in_german() {
    let dir = tempfile::tempdir().expect("temp dir");
    let appointments = std::fs::read_to_string(fixture(APPOINTMENTS)).expect("fixture");
    let file = dir.path().join(APPOINTMENTS);
    std::fs::write(
        &file,
        appointments.replace(
            "\"AlleTermineVorloeschen\" value=\"0\"",
            "\"AlleTermineVorloeschen\" value=\"1\"",
        ),
    )
    .expect("write");
    let output = exsync(
        dir.path(),
        &[
            "--lang",
            "de",
            "config",
            "import",
            "--bnwin",
            &file.display().to_string(),
        ],
    );
    let (out, err) = text(&output);
    assert!(output.status.success(), "{err}");
    for line in [
        "Übernommen:",
        "Bewusst geändert:",
        "Ohne Entsprechung in exsync:",
        "AlleTermineVorloeschen (bnNetExchangeSync.exe.config) war EIN",
        "`exsync reset --kind appointments --delete-exchange-items`",
        "Noch zu tun:",
    ] {
        assert!(out.contains(line), "{line:?} missing in\n{out}");
    }
}
