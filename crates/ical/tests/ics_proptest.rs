//! Property test of the writer: any appointment (single or series, with cancelled and changed
//! occurrences) and any task that the importer can produce comes back identical after
//! `write_calendar` -> `parse_calendar`.

mod common;

use chrono::{Duration, NaiveDate, NaiveTime};
use common::{check_rfc5545_form, zone};
use exsync_ical::{parse_calendar, write_calendar_at};
use exsync_model::expand::recurrence_dates;
use exsync_model::{
    ALL_WEEKDAYS, Appointment, Attendee, AttendeeResponse, AttendeeRole, Body, EmailAddress,
    Importance, OccurrenceOverride, Pattern, Range, Recurrence, Sensitivity, Series, ShowAs, Task,
    TaskStatus, WeekIndex, When, ZonedDateTime, normalize_categories, occurrence_time,
};
use proptest::prelude::*;

const ZONES: [&str; 5] = [
    "Europe/Berlin",
    "W. Europe Standard Time",
    "America/New_York",
    "Asia/Kolkata",
    "UTC",
];
const SHOW_AS: [ShowAs; 5] = [
    ShowAs::Free,
    ShowAs::Tentative,
    ShowAs::Busy,
    ShowAs::OutOfOffice,
    ShowAs::WorkingElsewhere,
];
const SENSITIVITY: [Sensitivity; 4] = [
    Sensitivity::Normal,
    Sensitivity::Personal,
    Sensitivity::Private,
    Sensitivity::Confidential,
];
const IMPORTANCE: [Importance; 3] = [Importance::Low, Importance::Normal, Importance::High];
const INDEX: [WeekIndex; 5] = [
    WeekIndex::First,
    WeekIndex::Second,
    WeekIndex::Third,
    WeekIndex::Fourth,
    WeekIndex::Last,
];

fn text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9äöüßÄ€ ,;:\\\\\n\"'<>&/-]{0,60}"
}

fn name() -> impl Strategy<Value = String> {
    "[A-Za-zäö,;:\"'][A-Za-zäö ,;:\"'.-]{0,20}[A-Za-z.]|"
}

fn categories() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec("[A-Za-z][A-Za-z ,;]{0,10}[A-Za-z]", 0..4).prop_map(|mut c| {
        normalize_categories(&mut c);
        c
    })
}

/// One weekday, weekdays, weekend days or all days: what relative patterns may count.
fn relative_days(choice: usize) -> exsync_model::WeekdaySet {
    match choice {
        0..7 => exsync_model::WeekdaySet::single(ALL_WEEKDAYS[choice]),
        7 => exsync_model::WeekdaySet::WORKDAYS,
        8 => [chrono::Weekday::Sat, chrono::Weekday::Sun]
            .into_iter()
            .collect(),
        _ => exsync_model::WeekdaySet::ALL,
    }
}

fn pattern() -> impl Strategy<Value = Pattern> {
    let days = (1u8..128).prop_map(|bits| {
        ALL_WEEKDAYS
            .into_iter()
            .enumerate()
            .filter(|(i, _)| bits & (1 << i) != 0)
            .map(|(_, d)| d)
            .collect()
    });
    prop_oneof![
        (1u32..5).prop_map(|interval| Pattern::Daily { interval }),
        (1u32..4, days.clone(), 0usize..7).prop_map(|(interval, days, f)| Pattern::Weekly {
            interval,
            days,
            first_day_of_week: ALL_WEEKDAYS[f]
        }),
        (1u32..4, 1u8..=31).prop_map(|(interval, day_of_month)| Pattern::AbsoluteMonthly {
            interval,
            day_of_month
        }),
        (1u32..4, 0usize..10, 0usize..5).prop_map(|(interval, d, i)| Pattern::RelativeMonthly {
            interval,
            days: relative_days(d),
            index: INDEX[i]
        }),
        (1u32..3, 1u8..=12, 1u8..=28).prop_map(|(interval, month, day_of_month)| {
            Pattern::AbsoluteYearly {
                interval,
                month,
                day_of_month,
            }
        }),
        (1u32..3, 1u8..=12, 0usize..7, 0usize..5).prop_map(|(interval, month, d, i)| {
            Pattern::RelativeYearly {
                interval,
                month,
                days: exsync_model::WeekdaySet::single(ALL_WEEKDAYS[d]),
                index: INDEX[i],
            }
        }),
    ]
}

/// Organizer name, attendees (name, role, response), whether the organizer attends.
type People = (String, Vec<(String, usize, usize)>, bool);
/// Pattern, range kind, count, days to the end date, cancelled and changed occurrences
/// (index, which fields change, shift in minutes).
type RawSeries = (Pattern, u8, u32, i64, Vec<usize>, Vec<(usize, u8, i64)>);

/// Raw choices; [`build`] turns them into a consistent appointment.
#[derive(Debug, Clone)]
struct Raw {
    subject: String,
    location: String,
    body: (bool, String),
    flags: (usize, usize, usize),
    categories: Vec<String>,
    reminder: Option<u32>,
    people: Option<People>,
    when: (usize, i64, u32, u32, i64, bool, usize),
    series: Option<RawSeries>,
}

fn raw() -> impl Strategy<Value = Raw> {
    let people = (
        name(),
        prop::collection::vec((name(), 0usize..3, 0usize..4), 0..3),
        any::<bool>(),
    );
    let series = (
        pattern(),
        0u8..3,
        1u32..30,
        0i64..900,
        prop::collection::vec(0usize..25, 0..3),
        prop::collection::vec((0usize..25, 1u8..=255, -600i64..600), 0..3),
    );
    (
        (
            text(),
            text(),
            (any::<bool>(), text()),
            (0usize..5, 0usize..4, 0usize..3),
            categories(),
        ),
        (prop::option::of(0u32..3000), prop::option::of(people)),
        (
            (
                0usize..5,
                0i64..1400,
                0u32..24,
                0u32..4,
                0i64..900,
                any::<bool>(),
                0usize..5,
            ),
            prop::option::of(series),
        ),
    )
        .prop_map(
            |((subject, location, body, flags, categories), (reminder, people), (when, series))| {
                Raw {
                    subject,
                    location,
                    body,
                    flags,
                    categories,
                    reminder,
                    people,
                    when,
                    series,
                }
            },
        )
}

fn next<T: Copy + PartialEq>(all: &[T], value: T) -> T {
    let i = all.iter().position(|v| *v == value).unwrap_or(0);
    all[(i + 1) % all.len()]
}

fn build(raw: Raw) -> Appointment {
    let (zone_index, day, hour, quarter, minutes, all_day, end_zone) = raw.when;
    let mut base = NaiveDate::from_ymd_opt(2025, 6, 1).expect("date") + Duration::days(day);
    let probe = raw.series.as_ref().map(|(pattern, ..)| Recurrence {
        pattern: pattern.clone(),
        range: Range::NoEnd,
        time_zone: None,
    });
    if let Some(first) = probe
        .as_ref()
        .and_then(|r| recurrence_dates(base, r).ok()?.next())
    {
        base = first;
    }
    let start_zone = zone(ZONES[zone_index]);
    let when = if all_day {
        When::AllDay {
            start: base,
            end: base + Duration::days(1 + minutes % 3),
        }
    } else {
        let start = ZonedDateTime::new(
            base.and_time(NaiveTime::from_hms_opt(hour, quarter * 15, 0).expect("t")),
            start_zone.clone(),
        );
        let end = if end_zone == zone_index || end_zone == 4 {
            ZonedDateTime::new(start.local + Duration::minutes(minutes), start_zone.clone())
        } else {
            let instant = start.to_utc().expect("zone") + Duration::minutes(minutes);
            let other = zone(ZONES[end_zone]);
            ZonedDateTime::new(
                exsync_model::utc_to_local(other.resolve().expect("zone"), instant),
                other,
            )
        };
        When::Timed { start, end }
    };
    let body = if raw.body.0 {
        Body::html(raw.body.1)
    } else {
        Body::text(raw.body.1)
    };
    let mut a = Appointment {
        subject: raw.subject,
        location: raw.location,
        body,
        show_as: SHOW_AS[raw.flags.0],
        sensitivity: SENSITIVITY[raw.flags.1],
        importance: IMPORTANCE[raw.flags.2],
        categories: raw.categories,
        reminder_minutes: raw.reminder,
        ..Appointment::all_day("", base, base)
    };
    a.when = when;
    if let Some((organizer, attendees, organizer_attends)) = raw.people {
        let organizer = EmailAddress::new("orga@example.com", organizer);
        if organizer_attends {
            a.attendees.push(Attendee {
                email: organizer.clone(),
                role: AttendeeRole::Required,
                response: AttendeeResponse::Organizer,
            });
        }
        for (i, (name, role, response)) in attendees.into_iter().enumerate() {
            let role = [
                AttendeeRole::Required,
                AttendeeRole::Optional,
                AttendeeRole::Resource,
            ][role];
            let response = [
                AttendeeResponse::None,
                AttendeeResponse::Accepted,
                AttendeeResponse::Tentative,
                AttendeeResponse::Declined,
            ][response];
            a.attendees.push(Attendee {
                email: EmailAddress::new(format!("p{i}@example.org"), name),
                role,
                response,
            });
        }
        a.organizer = Some(organizer);
    }
    if let (Some((pattern, range_kind, count, end_after, cancel, modify)), Some(_)) =
        (raw.series, probe)
    {
        let range = match range_kind {
            0 => Range::NoEnd,
            1 => Range::Numbered { count },
            _ => Range::EndDate {
                end: base + Duration::days(end_after),
            },
        };
        let time_zone = match &a.when {
            When::Timed { start, .. } => Some(start.zone.clone()),
            When::AllDay { .. } => None,
        };
        let mut series = Series::new(Recurrence {
            pattern,
            range,
            time_zone,
        });
        let dates: Vec<NaiveDate> = recurrence_dates(base, &series.recurrence)
            .expect("valid")
            .take(25)
            .collect();
        let key = |i: usize| -> Option<chrono::NaiveDateTime> {
            let date = dates.get(i)?;
            Some(match &a.when {
                When::Timed { start, .. } => date.and_time(start.local.time()),
                When::AllDay { .. } => date.and_time(NaiveTime::MIN),
            })
        };
        for i in cancel {
            series.cancelled.extend(key(i));
        }
        for (i, mask, shift) in modify {
            let Some(k) = key(i).filter(|k| !series.cancelled.contains(k)) else {
                continue;
            };
            let natural = occurrence_time(&a.when, &series.recurrence, k).expect("time");
            let moved = match natural {
                When::AllDay { start, end } => When::AllDay {
                    start: start + Duration::days(1 + shift.rem_euclid(3)),
                    end: end + Duration::days(1 + shift.rem_euclid(3)),
                },
                When::Timed { start, end } => {
                    let by = Duration::days(1) + Duration::minutes(shift);
                    When::Timed {
                        start: ZonedDateTime::new(start.local + by, start.zone),
                        end: ZonedDateTime::new(end.local + by, end.zone),
                    }
                }
            };
            let bit = |b: u8| mask & (1 << b) != 0;
            let changes = OccurrenceOverride {
                when: bit(0).then_some(moved),
                subject: bit(1).then(|| format!("{} (geändert)", a.subject)),
                location: bit(2).then(|| format!("{}-B", a.location)),
                body: bit(3).then(|| Body::text(format!("{} x", a.body.content))),
                show_as: bit(4).then(|| next(&SHOW_AS, a.show_as)),
                sensitivity: bit(5).then(|| next(&SENSITIVITY, a.sensitivity)),
                importance: bit(6).then(|| next(&IMPORTANCE, a.importance)),
                categories: None,
                reminder_minutes: bit(7).then_some(match a.reminder_minutes {
                    Some(0) => Some(5),
                    Some(_) => None,
                    None => Some(10),
                }),
            };
            let changes = OccurrenceOverride {
                categories: (mask == 255).then(|| {
                    let mut c = a.categories.clone();
                    c.push("Geändert-9".into());
                    c
                }),
                ..changes
            };
            series.modified.insert(k, changes);
        }
        a.series = Some(series);
    }
    a
}

fn task() -> impl Strategy<Value = Task> {
    let time = (0usize..5, 0i64..900, 0u32..24, 0u32..4);
    (
        text(),
        text(),
        prop::option::of(time.clone()),
        prop::option::of(time),
        any::<bool>(),
        0usize..5,
        0usize..3,
        categories(),
        prop::option::of(-3000i64..3000),
    )
        .prop_map(
            |(subject, body, start, due, done, status, importance, categories, reminder)| {
                let zoned = |(z, day, h, q): (usize, i64, u32, u32)| {
                    let date =
                        NaiveDate::from_ymd_opt(2026, 1, 1).expect("date") + Duration::days(day);
                    ZonedDateTime::new(
                        date.and_time(NaiveTime::from_hms_opt(h, q * 15, 0).expect("t")),
                        zone(ZONES[z]),
                    )
                };
                let mut t = Task::new(subject);
                t.body = Body::text(body);
                t.start = start.map(zoned);
                t.due = due.map(zoned);
                t.completed = done.then(|| zoned((4, 10, 16, 2)));
                t.status = [
                    TaskStatus::NotStarted,
                    TaskStatus::InProgress,
                    TaskStatus::Completed,
                    TaskStatus::WaitingOnOthers,
                    TaskStatus::Deferred,
                ][status];
                t.importance = IMPORTANCE[importance];
                t.categories = categories;
                t.reminder = reminder.map(|minutes| {
                    let base = t
                        .start
                        .clone()
                        .or_else(|| t.due.clone())
                        .unwrap_or_else(|| zoned((4, 5, 9, 0)));
                    let instant = base.to_utc().expect("zone") + Duration::minutes(minutes);
                    let zone = if t.start.as_ref().is_none_or(|s| s.zone == base.zone) {
                        base.zone
                    } else {
                        zone("UTC")
                    };
                    ZonedDateTime::new(
                        exsync_model::utc_to_local(zone.resolve().expect("zone"), instant),
                        zone,
                    )
                });
                t
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn written_appointments_and_tasks_read_back_identically(
        raws in prop::collection::vec(raw(), 1..4),
        tasks in prop::collection::vec(task(), 0..3),
        uid in "[a-zA-Z0-9@.;,:-]{1,20}",
    ) {
        let appointments: Vec<Appointment> = raws.into_iter().map(build).collect();
        let uids: Vec<String> = (0..appointments.len()).map(|i| format!("{uid}-{i}")).collect();
        let events: Vec<_> = uids.iter().map(String::as_str).zip(appointments.iter()).collect();
        let task_uids: Vec<String> = (0..tasks.len()).map(|i| format!("task-{i}")).collect();
        let task_refs: Vec<_> = task_uids.iter().map(String::as_str).zip(tasks.iter()).collect();
        let stamp = chrono::DateTime::parse_from_rfc3339("2026-03-01T12:00:00Z").expect("time").to_utc();
        let text = write_calendar_at(&events, &task_refs, stamp);
        check_rfc5545_form(&text);
        let parsed = parse_calendar(&text).expect("iCalendar");
        prop_assert!(parsed.rejected.is_empty(), "{:?}\n{}", parsed.rejected, text);
        let back: Vec<(&str, &Appointment)> = parsed.events.iter().map(|e| (e.uid.as_str(), &e.appointment)).collect();
        prop_assert_eq!(back, events, "{}", text);
        let back_tasks: Vec<(&str, &Task)> = parsed.tasks.iter().map(|t| (t.uid.as_str(), &t.task)).collect();
        prop_assert_eq!(back_tasks, task_refs);
    }
}
