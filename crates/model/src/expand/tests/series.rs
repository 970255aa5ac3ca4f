//! Windows, moved and cancelled occurrences, ranges, zones and bounds.

use super::*;

#[test]
fn end_date_is_inclusive_in_the_series_zone() {
    let start = timed(
        at(2026, 5, 4, 23, 30),
        at(2026, 5, 5, 0, 30),
        "Europe/Berlin",
    );
    let daily = series(
        Pattern::Daily { interval: 1 },
        Range::EndDate {
            end: date(2026, 5, 6),
        },
    );
    // 6 May 23:30 Berlin is 21:30 UTC on 6 May: included; nothing after.
    assert_eq!(
        days_of(&start, &daily, utc(2026, 5, 1, 0), utc(2026, 6, 1, 0)),
        [date(2026, 5, 4), date(2026, 5, 5), date(2026, 5, 6)]
    );
    assert_eq!(series_end(&start, &daily), Ok(Some(date(2026, 5, 7))));
}

#[test]
fn moved_and_cancelled_occurrences() {
    let start = timed(at(2026, 6, 1, 9, 0), at(2026, 6, 1, 10, 0), "Europe/Berlin");
    let mut weekly = series(
        Pattern::Weekly {
            interval: 1,
            days: WeekdaySet::single(Weekday::Mon),
            first_day_of_week: Weekday::Mon,
        },
        Range::Numbered { count: 10 },
    );
    let moved_to = timed(
        at(2026, 6, 10, 14, 0),
        at(2026, 6, 10, 15, 30),
        "Europe/Berlin",
    );
    weekly.modified = BTreeMap::from([
        (
            at(2026, 6, 29, 9, 0),
            OccurrenceOverride {
                when: Some(moved_to.clone()),
                subject: Some("moved".into()),
                ..OccurrenceOverride::default()
            },
        ),
        (
            at(2026, 6, 15, 9, 0),
            OccurrenceOverride {
                location: Some("Room 2".into()),
                ..OccurrenceOverride::default()
            },
        ),
    ]);
    weekly.cancelled = BTreeSet::from([at(2026, 6, 8, 9, 0)]);
    let found = occurrences(&start, &weekly, utc(2026, 6, 1, 0), utc(2026, 6, 20, 0)).expect("ok");
    let keys: Vec<_> = found.iter().map(|o| o.original_start).collect();
    // 1 June, (8 June cancelled), 29 June moved to 10 June, 15 June changed in place.
    assert_eq!(
        keys,
        [
            at(2026, 6, 1, 9, 0),
            at(2026, 6, 29, 9, 0),
            at(2026, 6, 15, 9, 0)
        ]
    );
    assert_eq!(found[1].when, moved_to);
    assert_eq!(
        found[2].changes.as_ref().and_then(|c| c.location.clone()),
        Some("Room 2".into())
    );
    assert_eq!(found[0].changes, None);
    // The moved occurrence is gone from its original week.
    assert!(days_of(&start, &weekly, utc(2026, 6, 28, 0), utc(2026, 7, 1, 0)).is_empty());
    // A moved key that is no occurrence of the series is ignored.
    weekly.modified.insert(
        at(2026, 6, 2, 9, 0),
        OccurrenceOverride {
            when: Some(moved_to),
            ..OccurrenceOverride::default()
        },
    );
    assert_eq!(
        occurrences(&start, &weekly, utc(2026, 6, 1, 0), utc(2026, 6, 20, 0))
            .expect("ok")
            .len(),
        3
    );
    // Ten Mondays from 1 June: the last is 3 August.
    assert_eq!(series_end(&start, &weekly), Ok(Some(date(2026, 8, 3))));
}

#[test]
fn recurrence_zone_other_than_the_start_zone_keeps_its_wall_clock() {
    // The series is written in UTC but evaluated in Berlin, where it is 09:00.
    let start = timed(at(2026, 1, 5, 8, 0), at(2026, 1, 5, 9, 0), "UTC");
    let mut daily = series(Pattern::Daily { interval: 1 }, Range::NoEnd);
    daily.recurrence.time_zone = Some(zone("Europe/Berlin"));
    let found = occurrences(&start, &daily, utc(2026, 7, 1, 0), utc(2026, 7, 2, 0)).expect("ok");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].original_start, at(2026, 7, 1, 9, 0));
    assert_eq!(
        found[0].when,
        timed(at(2026, 7, 1, 7, 0), at(2026, 7, 1, 8, 0), "UTC")
    );
}

#[test]
fn all_day_occurrences_overlap_by_whole_days() {
    let start = When::AllDay {
        start: date(2026, 3, 2),
        end: date(2026, 3, 4),
    };
    let weekly = series(
        Pattern::Weekly {
            interval: 1,
            days: WeekdaySet::single(Weekday::Mon),
            first_day_of_week: Weekday::Mon,
        },
        Range::NoEnd,
    );
    // A window starting on Tuesday still overlaps the two-day occurrence of that Monday.
    assert_eq!(
        days_of(&start, &weekly, utc(2026, 3, 10, 0), utc(2026, 3, 16, 0)),
        [date(2026, 3, 9)]
    );
    assert_eq!(
        days_of(&start, &weekly, utc(2026, 3, 11, 0), utc(2026, 3, 16, 0)),
        Vec::<NaiveDate>::new()
    );
}

#[test]
fn wall_clock_length_is_kept_on_dst_nights() {
    let start = timed(
        at(2026, 3, 28, 1, 0),
        at(2026, 3, 28, 4, 0),
        "Europe/Berlin",
    );
    let daily = series(Pattern::Daily { interval: 1 }, Range::Numbered { count: 2 });
    let found = occurrences(&start, &daily, utc(2026, 3, 28, 0), utc(2026, 3, 30, 0)).expect("ok");
    assert_eq!(
        found[1].when,
        timed(
            at(2026, 3, 29, 1, 0),
            at(2026, 3, 29, 4, 0),
            "Europe/Berlin"
        )
    );
}

#[test]
fn walks_are_bounded_and_far_windows_are_cheap() {
    let start = timed(at(2000, 1, 1, 9, 0), at(2000, 1, 1, 10, 0), "UTC");
    let forever = series(Pattern::Daily { interval: 1 }, Range::NoEnd);
    let far = days_of(&start, &forever, utc(2900, 1, 1, 0), utc(2900, 1, 3, 0));
    assert_eq!(far, [date(2900, 1, 1), date(2900, 1, 2)]);
    assert_eq!(series_end(&start, &forever), Ok(None));
    let huge = series(
        Pattern::Daily { interval: 1 },
        Range::Numbered { count: u32::MAX },
    );
    assert_eq!(series_end(&start, &huge), Ok(None));
    assert_eq!(
        days_of(&start, &huge, utc(2001, 1, 1, 0), utc(2001, 1, 2, 0)),
        [date(2001, 1, 1)]
    );
    let mut dates = recurrence_dates(date(2000, 1, 1), &huge.recurrence).expect("valid");
    assert_eq!(dates.by_ref().count(), MAX_PERIODS as usize);
    assert!(dates.truncated());
}

#[test]
fn invalid_recurrences_are_errors_not_loops() {
    let start = timed(at(2026, 1, 1, 9, 0), at(2026, 1, 1, 10, 0), "UTC");
    let zero = series(Pattern::Daily { interval: 0 }, Range::NoEnd);
    assert!(matches!(
        occurrences(&start, &zero, utc(2026, 1, 1, 0), utc(2026, 2, 1, 0)),
        Err(ExpandError::InvalidRecurrence(_))
    ));
    let no_days = series(
        Pattern::Weekly {
            interval: 1,
            days: WeekdaySet::EMPTY,
            first_day_of_week: Weekday::Mon,
        },
        Range::NoEnd,
    );
    assert!(series_end(&start, &no_days).is_err());
    let unknown = When::Timed {
        start: ZonedDateTime::new(
            at(2026, 1, 1, 9, 0),
            serde_json::from_str("\"Mars/Base\"").expect("json"),
        ),
        end: ZonedDateTime::new(at(2026, 1, 1, 10, 0), TimeZoneName::utc()),
    };
    assert!(matches!(
        occurrences(
            &unknown,
            &series(Pattern::Daily { interval: 1 }, Range::NoEnd),
            utc(2026, 1, 1, 0),
            utc(2026, 2, 1, 0)
        ),
        Err(ExpandError::Zone(_))
    ));
}

#[test]
fn is_occurrence_checks_date_time_and_range() {
    let start = timed(at(2026, 1, 5, 9, 0), at(2026, 1, 5, 10, 0), "Europe/Berlin");
    let recurrence = Recurrence {
        pattern: Pattern::Weekly {
            interval: 1,
            days: WeekdaySet::single(Weekday::Mon),
            first_day_of_week: Weekday::Mon,
        },
        range: Range::Numbered { count: 3 },
        time_zone: None,
    };
    assert_eq!(
        is_occurrence(&start, &recurrence, at(2026, 1, 19, 9, 0)),
        Ok(true)
    );
    assert_eq!(
        is_occurrence(&start, &recurrence, at(2026, 1, 26, 9, 0)),
        Ok(false)
    );
    assert_eq!(
        is_occurrence(&start, &recurrence, at(2026, 1, 12, 10, 0)),
        Ok(false)
    );
    assert_eq!(
        is_occurrence(&start, &recurrence, at(2026, 1, 13, 9, 0)),
        Ok(false)
    );
    assert_eq!(
        occurrence_time(&start, &recurrence, at(2026, 1, 12, 9, 0)),
        Ok(timed(
            at(2026, 1, 12, 9, 0),
            at(2026, 1, 12, 10, 0),
            "Europe/Berlin"
        ))
    );
}
