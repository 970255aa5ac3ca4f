//! A cancelled occurrence in Outlook reaches the business database through the probes and
//! incremental passes, with the next full pass an hour away: Graph's delta feed reports no
//! entry for it, the series master's change key (the series signal) does.

use crate::harness::{Exchange, Site, synced, wait_for};

#[test]
fn an_occurrence_cancelled_in_outlook_reaches_the_business_without_a_full_pass() {
    let exchange = Exchange::start();
    let ann = exchange.mailbox(0);
    let site = Site::sqlite();
    site.business(&["user", "add", "ann", "--mailbox", &ann]);
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//exsync tests//EN\r\nBEGIN:VEVENT\r\n\
               UID:review-1\r\nDTSTAMP:20261201T000000Z\r\nSUMMARY:Weekly review\r\n\
               DTSTART;TZID=Europe/Berlin:20270104T100000\r\nDTEND;TZID=Europe/Berlin:20270104T110000\r\n\
               RRULE:FREQ=WEEKLY;COUNT=6\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let file = site.dir.path().join("review.ics");
    std::fs::write(&file, ics).expect("write");
    site.business(&["import-ics", "--user", "ann", &file.display().to_string()]);
    let config = site.config(&exchange, 10);
    let text = std::fs::read_to_string(&config).expect("read config");
    let long = text.replace("full_pass_interval = 60", "full_pass_interval = 3600");
    assert_ne!(text, long, "the full pass interval is set");
    std::fs::write(&config, long).expect("write config");
    let (_service, admin) = site.run(&config);

    wait_for("the series in Exchange", || {
        exchange.event_id(&ann, "Weekly review").is_some()
    });
    wait_for("ann's first pass", || synced(&admin, &ann));
    let master = exchange.event_id(&ann, "Weekly review").expect("exported");
    let (code, instances) = exchange.graph(
        "GET",
        &format!(
            "/users/{ann}/events/{master}/instances?startDateTime=2027-01-01T00:00:00Z&endDateTime=2027-03-01T00:00:00Z"
        ),
        None,
    );
    assert_eq!(code, 200, "{instances}");
    let second = instances["value"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|i| {
            i["start"]["dateTime"]
                .as_str()
                .is_some_and(|s| s.starts_with("2027-01-11"))
        })
        .and_then(|i| i["id"].as_str())
        .expect("the 11 January occurrence")
        .to_owned();
    let exported = || site.business(&["export-ics", "--user", "ann"]);
    assert!(!exported().contains("EXDATE"), "nothing cancelled yet");

    let (code, answer) = exchange.graph("DELETE", &format!("/users/{ann}/events/{second}"), None);
    assert_eq!(code, 204, "{answer}");
    wait_for("the cancelled occurrence in the business database", || {
        exported()
            .lines()
            .any(|l| l.starts_with("EXDATE") && l.contains("20270111"))
    });
    let ics = exported();
    let exdates: Vec<&str> = ics.lines().filter(|l| l.starts_with("EXDATE")).collect();
    assert_eq!(exdates.len(), 1, "exactly the one occurrence: {ics}");
    assert_eq!(
        ics.lines().filter(|l| l.starts_with("SUMMARY:")).count(),
        1,
        "still one series: {ics}"
    );
}
