//! bnWin.net setting names copied into `exsync.toml` are refused with the exsync key that
//! replaces each ("did you mean"), wherever in the file they are written.

mod common;

use common::{errors, no_env};
use exsync_config::Config;

#[test]
fn bnwin_keys_in_the_file_point_to_their_exsync_key() {
    let toml = "SyncMonateVergangenheit = 6\n\
        \"ZeitZwischenSyncdurchlaeufen(Sekunden)\" = 300\n\
        AlleTermineVorloeschen = 0\n\
        [exchange.online]\n\
        AzureTenantId = \"8e87c822-a1dd-4e03-ae26-7fd46c75f31e\"\n\
        AzureClientSecret = \"XW.8Q~q6rDOhRG2Kml9xfTopSecret\"\n\
        azureewsendpoint = \"https://outlook.office365.com/EWS/Exchange.asmx\"\n";
    let lines = errors(Config::from_toml_str(toml, no_env()));
    assert_eq!(
        lines,
        [
            "exsync.toml:1: unknown key SyncMonateVergangenheit: did you mean sync.months_past?",
            "exsync.toml:2: unknown key ZeitZwischenSyncdurchlaeufen(Sekunden): did you mean service.full_pass_interval?",
            "exsync.toml:3: unknown key AlleTermineVorloeschen: did you mean the command `exsync reset --kind appointments` (a one-off action, not a setting)?",
            "exsync.toml:5: unknown key exchange.online.AzureTenantId: did you mean exchange.online.tenant_id?",
            "exsync.toml:6: unknown key exchange.online.AzureClientSecret: did you mean exchange.online.client_secret?",
            "exsync.toml:7: unknown key exchange.online.azureewsendpoint: did you mean exchange.online.graph_url?",
        ]
    );
    for line in &lines {
        assert!(!line.contains("TopSecret"), "{line}");
    }
}
