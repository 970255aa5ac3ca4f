//! Tests of the schedule's rules, on an explicit clock.

use super::*;
use exsync_model::ItemKind;

const POLL: Duration = Duration::from_secs(3);
const FULL: Duration = Duration::from_secs(300);

fn wall() -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000, 0).expect("valid")
}

fn roster(names: &[&str]) -> Vec<(String, String)> {
    names
        .iter()
        .map(|n| (n.to_string(), format!("{n}@example.com")))
        .collect()
}

/// A schedule with every mailbox owned and its first (full) pass done at `t0`.
fn settled(names: &[&str], t0: Instant) -> Schedule {
    let mut schedule = Schedule::new(Timing::new(POLL, FULL));
    schedule.set_roster(&roster(names), t0);
    for name in names {
        schedule.set_owned(&format!("{name}@example.com"), true, t0);
    }
    while let Some(job) = schedule.next_pass(t0) {
        assert!(
            matches!(job, Job::Pass { full: true, .. }),
            "first passes are full"
        );
        schedule.finished(&job, JobEnd::Passed, t0, wall());
    }
    schedule
}

#[test]
fn only_owned_mailboxes_are_scheduled_and_the_first_pass_is_full() {
    let t0 = Instant::now();
    let mut schedule = Schedule::new(Timing::new(POLL, FULL));
    schedule.set_roster(&roster(&["ann", "bob"]), t0);
    assert_eq!(schedule.next_pass(t0), None, "no lease, no pass");
    schedule.set_owned("bob@example.com", true, t0);
    let job = schedule.next_pass(t0).expect("bob is due");
    assert_eq!(
        job,
        Job::Pass {
            login: "bob".into(),
            mailbox: "bob@example.com".into(),
            kinds: KindSet::ALL,
            full: true
        }
    );
    assert_eq!(
        schedule.next_pass(t0),
        None,
        "one job per mailbox at a time"
    );
}

#[test]
fn a_burst_of_changes_becomes_one_pass_after_the_debounce() {
    let t0 = Instant::now();
    let mut schedule = settled(&["ann"], t0);
    let appointments = KindSet::of([ItemKind::Appointment]);
    for step in 0..5 {
        let at = t0 + Duration::from_millis(100 * step);
        schedule.notice(Some("ann"), appointments, 1, at, wall());
        assert_eq!(schedule.next_pass(at), None, "still in the burst");
    }
    let quiet = t0 + Duration::from_millis(400 + 300);
    let job = schedule.next_pass(quiet).expect("ready after the debounce");
    assert_eq!(
        job,
        Job::Pass {
            login: "ann".into(),
            mailbox: "ann@example.com".into(),
            kinds: appointments,
            full: false
        }
    );
    let shown = schedule
        .finished(&job, JobEnd::Passed, quiet, wall())
        .expect("known");
    assert_eq!(shown.count, 0, "nothing waits after the pass");
}

#[test]
fn a_steady_stream_of_changes_still_starts_a_pass_after_the_longest_debounce() {
    let t0 = Instant::now();
    let mut schedule = settled(&["ann"], t0);
    let mut at = t0;
    let mut started = None;
    for _ in 0..40 {
        at += Duration::from_millis(100);
        schedule.notice(Some("ann"), KindSet::of([ItemKind::Task]), 1, at, wall());
        if let Some(job) = schedule.next_pass(at) {
            started = Some((job, at));
            break;
        }
    }
    let (_, when) = started.expect("a pass started during the stream");
    assert!(when - t0 <= Duration::from_millis(2_100), "{:?}", when - t0);
}

#[test]
fn waiting_changes_go_before_routine_full_passes_but_nobody_starves() {
    let t0 = Instant::now();
    let mut schedule = settled(&["ann", "bob"], t0);
    // bob's full pass falls due; ann has a change waiting: ann first.
    let later = t0 + FULL + FULL / 10 + Duration::from_secs(1);
    schedule.notice(Some("ann"), KindSet::of([ItemKind::Contact]), 1, t0, wall());
    let first = schedule.next_pass(later).expect("due");
    assert_eq!(first.mailbox(), "ann@example.com");
    assert!(
        matches!(first, Job::Pass { full: true, .. }),
        "ann's full pass is due too"
    );
    // A full pass overdue by a whole interval ranks with waiting changes, by due time.
    let mut schedule = settled(&["ann", "bob", "cid"], t0);
    let t1 = t0 + 2 * FULL;
    for name in ["bob", "cid"] {
        schedule.notice(Some(name), KindSet::of([ItemKind::Task]), 1, t1, wall());
    }
    for _ in 0..2 {
        let job = schedule
            .next_pass(t1 + Duration::from_secs(3))
            .expect("due");
        schedule.finished(&job, JobEnd::Passed, t1 + Duration::from_secs(3), wall());
    }
    let t2 = t1 + FULL / 2;
    for name in ["bob", "cid"] {
        schedule.notice(Some(name), KindSet::of([ItemKind::Task]), 1, t2, wall());
    }
    let first = schedule
        .next_pass(t2 + Duration::from_secs(3))
        .expect("due");
    assert_eq!(
        first.mailbox(),
        "ann@example.com",
        "ann's full pass is overdue by more than an interval: it goes before newer changes"
    );
}

#[test]
fn probes_run_every_poll_interval_and_their_findings_become_passes() {
    let t0 = Instant::now();
    let mut schedule = settled(&["ann"], t0);
    assert_eq!(schedule.next_probe(t0), None, "just synced");
    let at = t0 + POLL;
    let probe = schedule.next_probe(at).expect("a probe after one interval");
    assert!(matches!(probe, Job::Probe { .. }));
    assert_eq!(schedule.next_probe(at), None, "one job per mailbox");
    schedule.finished(
        &probe,
        JobEnd::Probed(KindSet::of([ItemKind::Task])),
        at,
        wall(),
    );
    let pass = schedule
        .next_pass(at)
        .expect("the finding is synced at once");
    assert_eq!(
        pass,
        Job::Pass {
            login: "ann".into(),
            mailbox: "ann@example.com".into(),
            kinds: KindSet::of([ItemKind::Task]),
            full: false
        }
    );
}

#[test]
fn a_failed_mailbox_backs_off_and_keeps_its_changes() {
    let t0 = Instant::now();
    let mut schedule = settled(&["ann"], t0);
    schedule.notice(
        Some("ann"),
        KindSet::of([ItemKind::Appointment]),
        1,
        t0,
        wall(),
    );
    let at = t0 + Duration::from_secs(1);
    let job = schedule.next_pass(at).expect("ready");
    schedule.finished(&job, JobEnd::Failed, at, wall());
    assert_eq!(schedule.next_pass(at + POLL), None, "backing off");
    assert!(
        schedule.has_waiting("ann@example.com"),
        "the change still waits"
    );
    let retry = schedule
        .next_pass(at + 2 * POLL)
        .expect("after the back-off");
    assert_eq!(retry, job);
}

#[test]
fn users_leaving_the_roster_are_dropped_and_a_regained_lease_starts_with_a_full_pass() {
    let t0 = Instant::now();
    let mut schedule = settled(&["ann", "bob"], t0);
    let left = schedule.set_roster(&roster(&["ann"]), t0);
    assert_eq!(left, ["bob@example.com"]);
    assert_eq!(schedule.keys().collect::<Vec<_>>(), ["ann@example.com"]);
    schedule.set_owned("ann@example.com", false, t0);
    schedule.set_owned("ann@example.com", true, t0 + POLL);
    let job = schedule
        .next_pass(t0 + POLL)
        .expect("full pass on regaining");
    assert!(matches!(job, Job::Pass { full: true, .. }));
}

#[test]
fn company_contacts_wake_every_mailbox_and_the_wakeup_follows_the_earliest_due_time() {
    let t0 = Instant::now();
    let mut schedule = settled(&["ann", "bob"], t0);
    assert!(schedule.next_wakeup(t0, true, true) <= t0 + POLL);
    let touched = schedule.notice(None, KindSet::of([ItemKind::Contact]), 1, t0, wall());
    assert_eq!(touched.len(), 2);
    assert_eq!(
        schedule.next_wakeup(t0, true, true),
        t0 + Duration::from_millis(300)
    );
}

#[test]
fn due_jobs_without_a_free_slot_do_not_wake_the_loop() {
    let t0 = Instant::now();
    let mut schedule = settled(&["ann", "bob"], t0);
    let later = t0 + FULL * 2;
    schedule.notice(Some("ann"), KindSet::of([ItemKind::Task]), 1, t0, wall());
    assert_eq!(
        schedule.next_wakeup(later, true, true),
        later,
        "work is due now"
    );
    assert_eq!(
        schedule.next_wakeup(later, false, true),
        later + POLL,
        "no pass slot: full passes and waiting changes cannot start, and nobody may be probed \
         while its full pass is due"
    );
    let mut idle = settled(&["ann"], t0);
    let probe_due = t0 + POLL + Duration::from_secs(1);
    assert_eq!(
        idle.next_wakeup(probe_due, true, false),
        probe_due + POLL,
        "no probe slot: the due probe waits for a running one to end"
    );
    assert_eq!(idle.next_wakeup(probe_due, true, true), probe_due);
    assert!(idle.next_probe(probe_due).is_some());
}

#[test]
fn probes_back_off_while_passes_find_nothing_to_do_and_recover_on_a_quiet_probe() {
    let t0 = Instant::now();
    let mut schedule = settled(&["ann"], t0);
    let mut at = t0 + POLL;
    let mut probe = schedule.next_probe(at).expect("a probe is due");
    let mut waits = Vec::new();
    for _ in 0..4 {
        schedule.finished(
            &probe,
            JobEnd::Probed(KindSet::of([ItemKind::Task])),
            at,
            wall(),
        );
        let pass = schedule.next_pass(at).expect("the finding is passed");
        schedule.finished(&pass, JobEnd::PassedIdle, at, wall());
        let mut next = at;
        probe = loop {
            if let Some(probe) = schedule.next_probe(next) {
                break probe;
            }
            next += Duration::from_millis(500);
        };
        waits.push(next - at);
        at = next;
    }
    assert_eq!(waits[0], POLL, "one idle pass costs nothing");
    assert_eq!(
        waits[1],
        2 * POLL,
        "repeated idle passes back off: {waits:?}"
    );
    assert_eq!(waits[3], 8 * POLL, "{waits:?}");
    // The probe due now is quiet: the back-off ends.
    schedule.finished(&probe, JobEnd::Probed(KindSet::default()), at, wall());
    assert!(schedule.next_probe(at + POLL).is_some());
}

#[test]
fn a_mailbox_leaving_while_its_job_runs_stays_until_the_job_ends() {
    let t0 = Instant::now();
    let mut schedule = settled(&["ann"], t0);
    schedule.notice(Some("ann"), KindSet::of([ItemKind::Task]), 1, t0, wall());
    let at = t0 + Duration::from_secs(1);
    let job = schedule.next_pass(at).expect("ready");
    assert!(
        schedule.set_roster(&[], at).is_empty(),
        "not given back while running"
    );
    assert_eq!(schedule.keys().count(), 0, "no longer wanted");
    // Back on the roster before the job ended: still one job at a time.
    schedule.set_roster(&roster(&["ann"]), at);
    assert_eq!(
        schedule.next_pass(at + FULL * 2),
        None,
        "its job still runs"
    );
    schedule.set_roster(&[], at);
    schedule.finished(&job, JobEnd::Passed, at, wall());
    assert!(
        schedule.take_left("ann@example.com"),
        "given back once the job ended"
    );
    assert!(!schedule.take_left("ann@example.com"));
}

#[test]
fn probes_due_soon_join_a_due_one_so_that_they_share_a_request() {
    let t0 = Instant::now();
    let names: Vec<String> = (0..12).map(|i| format!("user{i:02}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut schedule = Schedule::new(Timing::new(POLL, FULL));
    schedule.set_roster(&roster(&names), t0);
    for name in &names {
        schedule.set_owned(&format!("{name}@example.com"), true, t0);
    }
    // The first passes end 100 ms apart, so their probes fall due 100 ms apart.
    let mut ended = t0;
    while let Some(job) = schedule.next_pass(t0) {
        schedule.finished(&job, JobEnd::Passed, ended, wall());
        ended += Duration::from_millis(100);
    }
    let horizon = |at: Instant| at + POLL / 2;
    assert!(
        schedule
            .next_probes(
                t0 + Duration::from_secs(1),
                horizon(t0 + Duration::from_secs(1)),
                10
            )
            .is_empty(),
        "nothing is due yet, so nothing starts early"
    );
    let at = t0 + POLL;
    let alone = schedule.clone().next_probes(at, at, 10);
    assert_eq!(alone.len(), 1, "without a horizon only the due one");
    let batch = schedule.next_probes(at, horizon(at), 10);
    assert_eq!(
        batch.len(),
        10,
        "filled up with those due within the horizon"
    );
    assert_eq!(batch[0], alone[0], "the most overdue first");
    let rest = schedule.next_probes(at, horizon(at), 10);
    assert!(rest.is_empty(), "the other two are not due yet: {rest:?}");
    let later = at + Duration::from_millis(1_100);
    assert_eq!(schedule.next_probes(later, horizon(later), 10).len(), 2);
}
