//! `exsync run` end to end with real processes: an Exchange emulator process that outlives the
//! service, changes on either side arriving within seconds, users switched on and off live,
//! SIGHUP (new rules, a new client secret), a kill -9 in the middle of a pass, and two services
//! sharing the mailboxes on PostgreSQL.

mod cancelled;
mod harness;

use std::time::Duration;

use harness::{Exchange, Site, synced, wait_for};
use serde_json::json;

#[test]
fn changes_on_either_side_arrive_and_users_switched_on_and_off_take_effect_live() {
    let exchange = Exchange::start();
    let (ann, bob) = (exchange.mailbox(0), exchange.mailbox(1));
    let site = Site::sqlite();
    site.business(&["user", "add", "ann", "--mailbox", &ann]);
    site.business(&["user", "add", "bob", "--mailbox", &bob, "--disabled"]);
    site.add_appointment("ann", "a-1", "Ann planning", 20);
    site.add_appointment("bob", "b-1", "Bob planning", 21);
    let config = site.config(&exchange, 10);
    let (_service, admin) = site.run(&config);

    wait_for("ann's appointment in Exchange", || {
        exchange.subjects(&ann).contains(&"Ann planning".to_owned())
    });
    // Exchange -> business: a change made in Outlook.
    let id = exchange.event_id(&ann, "Ann planning").expect("exported");
    let (code, answer) = exchange.graph(
        "PATCH",
        &format!("/users/{ann}/events/{id}"),
        Some(&json!({"subject": "Ann planning (moved room)"})),
    );
    assert_eq!(code, 200, "{answer}");
    wait_for("the Outlook change in the business database", || {
        site.business_subjects("ann") == ["Ann planning (moved room)"]
    });
    // Business -> Exchange: a new appointment.
    site.add_appointment("ann", "a-2", "Ann review", 22);
    wait_for("the new business appointment in Exchange", || {
        exchange.subjects(&ann).contains(&"Ann review".to_owned())
    });

    // bob is switched off: nothing of his reaches Exchange. Switched on: it does, live.
    assert!(
        !exchange.subjects(&bob).contains(&"Bob planning".to_owned()),
        "a switched-off user is not synced"
    );
    site.business(&["user", "set", "bob", "--enabled", "true"]);
    wait_for("bob's appointment after switching him on", || {
        exchange.subjects(&bob).contains(&"Bob planning".to_owned())
    });
    wait_for("bob's pass on the status board", || synced(&admin, &bob));

    // ann is switched off: her next change stays in the business database; bob's later
    // change still arrives, so the service was running all along.
    site.business(&["user", "set", "ann", "--enabled", "false"]);
    std::thread::sleep(Duration::from_millis(1_500));
    site.add_appointment("ann", "a-3", "Ann while switched off", 23);
    site.add_appointment("bob", "b-2", "Bob later", 24);
    wait_for("bob's later appointment", || {
        exchange.subjects(&bob).contains(&"Bob later".to_owned())
    });
    std::thread::sleep(Duration::from_secs(2));
    assert!(
        !exchange
            .subjects(&ann)
            .contains(&"Ann while switched off".to_owned()),
        "ann is switched off"
    );
    // Switched on again: it resumes from its links, without duplicates.
    site.business(&["user", "set", "ann", "--enabled", "true"]);
    wait_for("ann's appointment after switching her on again", || {
        exchange
            .subjects(&ann)
            .contains(&"Ann while switched off".to_owned())
    });
    assert_eq!(
        exchange.subjects(&ann),
        [
            "Ann planning (moved room)",
            "Ann review",
            "Ann while switched off"
        ],
        "nothing duplicated"
    );
}

#[test]
fn a_service_killed_in_the_middle_of_a_pass_loses_and_duplicates_nothing_after_a_restart() {
    let exchange = Exchange::start();
    let ann = exchange.mailbox(0);
    let site = Site::sqlite();
    site.business(&["user", "add", "ann", "--mailbox", &ann]);
    site.add_appointments("ann", "bulk", 300);
    exchange.set_latency(25);
    let config = site.config(&exchange, 5);
    let (mut service, _admin) = site.run(&config);
    wait_for("the first appointments in Exchange", || {
        !exchange.subjects(&ann).is_empty()
    });
    let (_, _) = service.signal_and_wait("-KILL");
    let written = exchange.subjects(&ann).len();
    assert!(
        written < 300,
        "killed in the middle ({written} of 300 written)"
    );
    exchange.set_latency(0);

    let (_restarted, admin) = site.run(&config);
    wait_for("every appointment in Exchange after the restart", || {
        exchange.subjects(&ann).len() >= 300 && synced(&admin, &ann)
    });
    let subjects = exchange.subjects(&ann);
    let mut unique = subjects.clone();
    unique.dedup();
    assert_eq!(unique.len(), 300, "all there");
    assert_eq!(subjects.len(), 300, "none twice");
    assert_eq!(
        site.business_subjects("ann").len(),
        300,
        "nothing imported back twice"
    );
}

#[test]
fn sighup_rereads_the_configuration_and_the_new_rules_apply_from_the_next_pass() {
    let exchange = Exchange::start();
    let ann = exchange.mailbox(0);
    let site = Site::sqlite();
    site.business(&["user", "add", "ann", "--mailbox", &ann]);
    site.add_appointment("ann", "a-1", "Ann planning", 20);
    site.add_task("ann", "t-1", "Call the supplier");
    let config = site.config_with(&exchange, 10, "tasks = \"off\"\n");
    let (service, admin) = site.run(&config);
    wait_for("the first pass", || synced(&admin, &ann));
    assert_eq!(
        exchange.subjects(&ann),
        ["Ann planning"],
        "the appointment is synced"
    );
    assert!(
        exchange.task_titles(&ann).is_empty(),
        "tasks are switched off"
    );

    // A broken file is refused and the running configuration stays.
    std::fs::write(&config, "[sync]\ntasks = \"sideways\"\n").expect("write");
    hang_up(&service);
    site.config_with(&exchange, 10, "tasks = \"both\"\n");
    hang_up(&service);
    site.add_task("ann", "t-2", "Order paper");
    wait_for("both tasks in To Do after the reload", || {
        exchange.task_titles(&ann) == ["Call the supplier", "Order paper"]
    });
}

#[test]
fn sighup_with_a_new_client_secret_signs_in_with_it_without_a_restart() {
    let exchange = Exchange::start();
    let ann = exchange.mailbox(0);
    let site = Site::sqlite();
    site.business(&["user", "add", "ann", "--mailbox", &ann]);
    site.add_appointment("ann", "a-1", "Ann planning", 20);
    // The secret in the file has been replaced in Entra ID: sign-in fails.
    let config = site.config_signing_in_with(&exchange, 10, "", "the-old-secret");
    let (service, admin) = site.run(&config);
    wait_for("the refused sign-in on the status board", || {
        harness::last_error(&admin, &ann).is_some_and(|e| e.contains("AADSTS7000215"))
    });
    assert!(exchange.subjects(&ann).is_empty(), "nothing synced yet");

    // The administrator writes the new secret into the file and sends SIGHUP.
    site.config(&exchange, 10);
    hang_up(&service);
    wait_for(
        "the appointment in Exchange, signed in with the new secret",
        || exchange.subjects(&ann) == ["Ann planning"],
    );
    wait_for("a successful pass on the status board", || {
        synced(&admin, &ann)
    });
}

fn hang_up(service: &harness::Process) {
    let status = std::process::Command::new("kill")
        .args(["-HUP", &service.pid().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    std::thread::sleep(Duration::from_millis(300));
}

#[test]
fn sigterm_during_a_pass_stops_the_service_within_ten_seconds() {
    let exchange = Exchange::start();
    let ann = exchange.mailbox(0);
    let site = Site::sqlite();
    site.business(&["user", "add", "ann", "--mailbox", &ann]);
    site.add_appointments("ann", "slow", 200);
    exchange.set_latency(200);
    let config = site.config(&exchange, 5);
    let (mut service, _admin) = site.run(&config);
    wait_for("the pass to be under way", || {
        !exchange.subjects(&ann).is_empty()
    });
    let (clean, took) = service.signal_and_wait("-TERM");
    assert!(clean, "exit code 0");
    assert!(took < Duration::from_secs(10), "took {took:?}");
}

#[test]
fn two_services_on_postgresql_share_the_mailboxes_and_take_over_from_a_killed_one() {
    let Ok(server) = std::env::var("EXSYNC_TEST_POSTGRES_URL") else {
        eprintln!("skipping PostgreSQL: EXSYNC_TEST_POSTGRES_URL not set");
        return;
    };
    let exchange = Exchange::start();
    let schema = format!("exsync_service_{}", std::process::id());
    let site = Site::postgres(&server, &schema);
    let users = ["ann", "bob", "cid"];
    let mailboxes: Vec<String> = (0..users.len()).map(|n| exchange.mailbox(n)).collect();
    for (login, mailbox) in users.iter().zip(&mailboxes) {
        site.business(&["user", "add", login, "--mailbox", mailbox]);
        site.add_appointment(login, &format!("{login}-1"), &format!("{login} first"), 30);
    }
    let config = site.config(&exchange, 5);
    let (mut first, _) = site.run(&config);
    let (_second, _) = site.run(&config);
    let holders = || lease_holders(&server, &schema);
    wait_for("the two services splitting the three mailboxes", || {
        let holders = holders();
        holders.len() == 3 && {
            let mut counts: Vec<usize> = distinct(&holders)
                .iter()
                .map(|h| holders.iter().filter(|(_, x)| x == h).count())
                .collect();
            counts.sort();
            counts == [1, 2]
        }
    });
    for (login, mailbox) in users.iter().zip(&mailboxes) {
        wait_for("every first appointment in Exchange", || {
            exchange.subjects(mailbox) == [format!("{login} first")]
        });
    }
    let first_pid = first.pid().to_string();
    let first_holder = holders()
        .into_iter()
        .map(|(_, holder)| holder)
        .find(|h| h.contains(&format!("-{first_pid}-")))
        .expect("the first service holds mailboxes");
    let orphaned: Vec<String> = holders()
        .into_iter()
        .filter(|(_, h)| *h == first_holder)
        .map(|(resource, _)| resource.trim_start_matches("mailbox:").to_owned())
        .collect();
    first.signal_and_wait("-KILL");
    wait_for("the survivor taking over every mailbox", || {
        let holders = holders();
        holders.len() == 3 && distinct(&holders).len() == 1 && holders[0].1 != first_holder
    });
    let login = users[mailboxes
        .iter()
        .position(|m| m.eq_ignore_ascii_case(&orphaned[0]))
        .expect("a known mailbox")];
    site.add_appointment(login, &format!("{login}-2"), &format!("{login} second"), 31);
    wait_for("a change in a taken-over mailbox", || {
        exchange
            .subjects(&orphaned[0])
            .contains(&format!("{login} second"))
    });
    for mailbox in &mailboxes {
        let subjects = exchange.subjects(mailbox);
        let mut unique = subjects.clone();
        unique.dedup();
        assert_eq!(unique, subjects, "nothing twice in {mailbox}");
    }
    let _ = std::process::Command::new("psql")
        .args([
            server.as_str(),
            "-qc",
            &format!("DROP SCHEMA {schema} CASCADE"),
        ])
        .status();
}

/// `(resource, holder)` of every live mailbox lease, by resource.
fn lease_holders(server: &str, schema: &str) -> Vec<(String, String)> {
    let output = std::process::Command::new("psql")
        .args([
            server,
            "-qAtc",
            &format!(
                "SELECT resource || '|' || holder FROM {schema}.exsync_leases \
                 WHERE resource LIKE 'mailbox:%' AND expires_at > now() ORDER BY resource"
            ),
        ])
        .output()
        .expect("psql runs");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|l| l.split_once('|'))
        .map(|(r, h)| (r.to_owned(), h.to_owned()))
        .collect()
}

fn distinct(holders: &[(String, String)]) -> Vec<String> {
    let mut names: Vec<String> = holders.iter().map(|(_, h)| h.clone()).collect();
    names.sort();
    names.dedup();
    names
}
