//! VTIMEZONE components generated from the tz database (chrono-tz) for the years a calendar
//! uses: transitions are found by scanning offsets, and runs of yearly-alike transitions
//! (`last Sunday of March at 02:00`) are written as one observance with a yearly RRULE, the
//! latest run open-ended so that later years keep the rule.
//!
//! Invariant: for every instant in the years covered, the written VTIMEZONE gives the offset
//! chrono-tz gives (checked by a test that evaluates the output with [`crate::vtz`]).

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Offset, TimeZone, Weekday};
use chrono_tz::{OffsetComponents, OffsetName, Tz};
use exsync_model::TimeZoneName;
use exsync_model::expand::days_in_month;
use exsync_model::rrule::weekday_code;

use crate::line::LineWriter;

#[derive(Debug, Clone)]
struct Transition {
    /// UTC instant of the change.
    at: NaiveDateTime,
    from: i32,
    to: i32,
    dst: bool,
    name: Option<String>,
}

impl Transition {
    fn local(&self) -> NaiveDateTime {
        self.at + Duration::seconds(i64::from(self.from))
    }

    /// What a yearly rule would have to say: (month, weekday, nth or None, is last, time).
    fn shape(&self) -> (u32, Weekday, u32, bool, chrono::NaiveTime) {
        let local = self.local();
        let day = local.day();
        let last = day + 7 > days_in_month(local.year(), local.month());
        (
            local.month(),
            local.weekday(),
            (day - 1) / 7 + 1,
            last,
            local.time(),
        )
    }

    fn same_kind(&self, other: &Transition) -> bool {
        (self.dst, self.from, self.to, &self.name) == (other.dst, other.from, other.to, &other.name)
    }
}

fn offset_info(tz: Tz, at: NaiveDateTime) -> (i32, bool, Option<String>) {
    let offset = tz.offset_from_utc_datetime(&at);
    let dst = !offset.dst_offset().is_zero();
    (
        offset.fix().local_minus_utc(),
        dst,
        offset.abbreviation().map(str::to_owned),
    )
}

fn transitions(tz: Tz, first_year: i32, last_year: i32) -> Vec<Transition> {
    let (Some(start), Some(end)) = (
        NaiveDate::from_ymd_opt(first_year, 1, 1),
        NaiveDate::from_ymd_opt(last_year + 1, 1, 1),
    ) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    let mut t = start.and_time(chrono::NaiveTime::MIN);
    let end = end.and_time(chrono::NaiveTime::MIN);
    let mut before = offset_info(tz, t);
    while t < end {
        let next = t + Duration::hours(12);
        let after = offset_info(tz, next);
        if after != before {
            // Bisect to the second of the change.
            let (mut lo, mut hi) = (t, next);
            while hi - lo > Duration::seconds(1) {
                let mid = lo + (hi - lo) / 2;
                if offset_info(tz, mid) == before {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            let (to, dst, name) = offset_info(tz, hi);
            found.push(Transition {
                at: hi,
                from: before.0,
                to,
                dst,
                name,
            });
            before = offset_info(tz, hi);
        }
        t = next;
    }
    found
}

fn offset_text(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let s = seconds.unsigned_abs();
    let (h, m, sec) = (s / 3600, s % 3600 / 60, s % 60);
    if sec == 0 {
        format!("{sign}{h:02}{m:02}")
    } else {
        format!("{sign}{h:02}{m:02}{sec:02}")
    }
}

fn observance(w: &mut LineWriter, first: &Transition, rule: Option<String>) {
    let kind = if first.dst { "DAYLIGHT" } else { "STANDARD" };
    w.begin(kind);
    w.prop(
        "DTSTART",
        &[],
        &first.local().format("%Y%m%dT%H%M%S").to_string(),
    );
    w.prop("TZOFFSETFROM", &[], &offset_text(first.from));
    w.prop("TZOFFSETTO", &[], &offset_text(first.to));
    if let Some(rule) = rule {
        w.prop("RRULE", &[], &rule);
    }
    if let Some(name) = &first.name {
        w.text("TZNAME", &[], name);
    }
    w.end(kind);
}

/// Writes a VTIMEZONE with TZID `zone` covering `first_year..=last_year`.
pub(crate) fn write_vtimezone(
    w: &mut LineWriter,
    zone: &TimeZoneName,
    first_year: i32,
    last_year: i32,
) {
    w.begin("VTIMEZONE");
    w.text("TZID", &[], zone.as_str());
    let tz = zone.resolve().unwrap_or(Tz::UTC);
    // Two years at least, so that a yearly rule shows as a run and is written as an RRULE.
    let last_year = last_year.max(first_year + 1);
    let all = transitions(tz, first_year, last_year);
    let Some(first) = all.first() else {
        let (offset, dst, name) = NaiveDate::from_ymd_opt(first_year, 1, 1)
            .map(|d| offset_info(tz, d.and_time(chrono::NaiveTime::MIN)))
            .unwrap_or((0, false, None));
        let fixed = Transition {
            at: NaiveDate::from_ymd_opt(1970, 1, 1)
                .map_or(NaiveDateTime::MIN, |d| d.and_time(chrono::NaiveTime::MIN)),
            from: offset,
            to: offset,
            dst,
            name,
        };
        observance(w, &fixed, None);
        w.end("VTIMEZONE");
        return;
    };
    // The offset before the first transition, as its own observance.
    let year_start = NaiveDate::from_ymd_opt(first_year, 1, 1).map_or(first.at, |d| {
        d.and_time(chrono::NaiveTime::MIN) - Duration::seconds(i64::from(first.from))
    });
    let initial = Transition {
        at: year_start.min(first.at - Duration::hours(1)),
        from: first.from,
        to: first.from,
        dst: !first.dst,
        name: offset_info(tz, first.at - Duration::seconds(1)).2,
    };
    observance(w, &initial, None);
    let mut done = vec![false; all.len()];
    for i in 0..all.len() {
        if done[i] {
            continue;
        }
        // Collect later transitions of the same kind, one a year, with a common yearly shape.
        let (month, weekday, nth, last, time) = all[i].shape();
        let (mut by_nth, mut by_last) = (true, last);
        let mut run = vec![i];
        for (j, t) in all.iter().enumerate().skip(i + 1) {
            if done[j] || !t.same_kind(&all[i]) {
                continue;
            }
            let (m, wd, n, l, tm) = t.shape();
            let expected_year = all[run[run.len() - 1]].local().year() + 1;
            let fits = (m, wd, tm) == (month, weekday, time) && t.local().year() == expected_year;
            if !fits || !((by_nth && n == nth) || (by_last && l)) {
                break;
            }
            by_nth &= n == nth;
            by_last &= l;
            run.push(j);
        }
        for j in &run {
            done[*j] = true;
        }
        let Some(&last_index) = run.last() else {
            continue;
        };
        let rule = (run.len() > 1).then(|| {
            let ordinal = if by_last { -1 } else { i64::from(nth) };
            let mut rule = format!(
                "FREQ=YEARLY;BYMONTH={month};BYDAY={ordinal}{}",
                weekday_code(weekday)
            );
            let open_ended = all[last_index].local().year() >= last_year
                && !all.iter().skip(last_index + 1).any(|t| t.dst == all[i].dst);
            if !open_ended {
                rule.push_str(&format!(
                    ";UNTIL={}",
                    all[last_index].at.format("%Y%m%dT%H%M%SZ")
                ));
            }
            rule
        });
        observance(w, &all[i], rule);
    }
    w.end("VTIMEZONE");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::component::read_components;
    use crate::vtz::VtzRules;

    fn check(zone: &str, first: i32, last: i32) -> String {
        let zone = TimeZoneName::new(zone).expect("known");
        let mut w = LineWriter::default();
        write_vtimezone(&mut w, &zone, first, last);
        let text = w.finish();
        let component = read_components(text.as_bytes()).remove(0);
        let rules = VtzRules::parse(&component).expect("readable");
        let tz = zone.resolve().expect("known");
        let mut t = NaiveDate::from_ymd_opt(first, 1, 1)
            .expect("date")
            .and_time(chrono::NaiveTime::MIN);
        let end = NaiveDate::from_ymd_opt(last + 3, 1, 1)
            .expect("date")
            .and_time(chrono::NaiveTime::MIN);
        while t < end {
            assert_eq!(
                rules.offset_at(t),
                offset_info(tz, t).0,
                "{zone} at {t}\n{text}"
            );
            t += Duration::minutes(6 * 60 + 17);
        }
        text
    }

    #[test]
    fn generated_vtimezones_agree_with_the_tz_database() {
        let berlin = check("Europe/Berlin", 2025, 2027);
        assert!(
            berlin.contains("RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"),
            "{berlin}"
        );
        assert!(
            berlin.contains("TZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100"),
            "{berlin}"
        );
        let windows = check("W. Europe Standard Time", 2026, 2026);
        assert!(windows.contains("TZID:W. Europe Standard Time"));
        let ny = check("America/New_York", 2005, 2008);
        assert!(
            ny.contains("UNTIL="),
            "the 2007 rule change ends a run: {ny}"
        );
        check("Asia/Kolkata", 2026, 2026);
        check("Australia/Lord_Howe", 2025, 2027);
        check("America/Sao_Paulo", 2017, 2021);
        check("UTC", 2026, 2026);
    }
}
