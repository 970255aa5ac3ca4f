//! RRULE -> [`Recurrence`]: maps every rule Exchange can express, refuses the others naming the
//! rule part that cannot be kept.
//!
//! Invariant: a rule is either mapped to a recurrence with the same occurrences (up to the
//! documented day 29..31 difference, see [`crate::rrule`]) or refused; it is never changed
//! silently.

use chrono::{Datelike, NaiveDate, Timelike, Weekday};

use super::UnsupportedRecurrence;
use super::parts::{ByDay, Freq, Part, Parts};
use super::time::{IcalTime, all_day_date};
use crate::appointment::When;
use crate::expand::{Frame, days_in_month, matches_pattern, recurrence_dates};
use crate::recurrence::{Pattern, Range, Recurrence, WeekIndex, WeekdaySet};
use crate::zone::{TimeZoneName, local_to_utc, utc_to_local};

/// Which day(s) of a month a monthly or yearly rule picks.
enum MonthDay {
    Day(u8),
    Nth(WeekdaySet, WeekIndex),
}

struct Reader<'a> {
    rule: &'a str,
    parts: Parts,
}

impl Recurrence {
    /// The recurrence an RRULE value describes, for a series whose first occurrence is `start`;
    /// evaluated in the zone of `start` (all-day series: no zone).
    ///
    /// Refuses, naming the rule part, whatever Exchange cannot express (see [`crate::rrule`]),
    /// and a `start` that is not itself an occurrence of the rule (Exchange starts a series
    /// with its first occurrence; the error names the date to move DTSTART to).
    pub fn from_rrule(rule: &str, start: &When) -> Result<Recurrence, UnsupportedRecurrence> {
        let zone = match start {
            When::Timed { start, .. } => Some(start.zone.clone()),
            When::AllDay { .. } => None,
        };
        Self::from_rrule_in_zone(rule, start, zone)
    }

    /// As [`Recurrence::from_rrule`], evaluating the rule in `time_zone` (which becomes
    /// [`Recurrence::time_zone`]); `None` = the zone of `start`.
    pub fn from_rrule_in_zone(
        rule: &str,
        start: &When,
        time_zone: Option<TimeZoneName>,
    ) -> Result<Recurrence, UnsupportedRecurrence> {
        let trimmed = rule.trim();
        let rule = match trimmed.get(..6) {
            Some(prefix) if prefix.eq_ignore_ascii_case("RRULE:") => &trimmed[6..],
            _ => trimmed,
        };
        let reader = Reader {
            rule,
            parts: Parts::parse(rule)?,
        };
        let frame = Frame::new(start, time_zone.as_ref())
            .map_err(|e| reader.err("DTSTART", e.to_string()))?;
        reader.check_times(start, &frame)?;
        let pattern = reader.pattern(frame.start_date)?;
        let range = reader.range(start, &frame)?;
        let recurrence = Recurrence {
            pattern,
            range,
            time_zone,
        };
        reader.check_start(&recurrence, frame.start_date)?;
        Ok(recurrence)
    }
}

impl Reader<'_> {
    fn err(&self, part: &str, reason: impl Into<String>) -> UnsupportedRecurrence {
        UnsupportedRecurrence::new(self.rule, part, reason)
    }

    fn refuse<T>(&self, part: &Option<Part<T>>, reason: &str) -> Result<(), UnsupportedRecurrence> {
        match part {
            Some(part) => Err(self.err(&part.text, reason)),
            None => Ok(()),
        }
    }

    fn interval(&self) -> u32 {
        self.parts.interval.as_ref().map_or(1, |p| p.value)
    }

    fn wkst(&self) -> Weekday {
        self.parts.wkst.as_ref().map_or(Weekday::Mon, |p| p.value)
    }

    fn plain_days(
        &self,
        by_day: &Part<Vec<ByDay>>,
        why: &str,
    ) -> Result<WeekdaySet, UnsupportedRecurrence> {
        if by_day.value.iter().any(|(ordinal, _)| ordinal.is_some()) {
            return Err(self.err(&by_day.text, why));
        }
        Ok(by_day.value.iter().map(|(_, day)| *day).collect())
    }

    fn pattern(&self, start: NaiveDate) -> Result<Pattern, UnsupportedRecurrence> {
        let p = &self.parts;
        let interval = self.interval();
        let Some(freq) = &p.freq else {
            return Err(self.err("FREQ", "is missing (RFC 5545 requires it)"));
        };
        match freq.value {
            Freq::Daily | Freq::Weekly => {
                let what = "is not possible in a daily or weekly series in Exchange";
                self.refuse(&p.by_month, what)?;
                self.refuse(&p.by_month_day, what)?;
                self.refuse(&p.by_set_pos, what)?;
            }
            Freq::Monthly => self.refuse(
                &p.by_month,
                "limits a monthly series to some months, which Exchange cannot express",
            )?,
            Freq::Yearly => {}
        }
        let ordinals = "has ordinals, which only monthly and yearly series may have";
        Ok(match freq.value {
            Freq::Daily => match &p.by_day {
                None => Pattern::Daily { interval },
                Some(by_day) => {
                    let days = self.plain_days(by_day, ordinals)?;
                    if let Some(part) = p.interval.as_ref().filter(|i| i.value > 1) {
                        return Err(self.err(
                            &part.text,
                            "with BYDAY (every n-th day, on some weekdays only) cannot be \
                             expressed in Exchange: use FREQ=WEEKLY",
                        ));
                    }
                    Pattern::Weekly {
                        interval: 1,
                        days,
                        first_day_of_week: self.wkst(),
                    }
                }
            },
            Freq::Weekly => Pattern::Weekly {
                interval,
                days: match &p.by_day {
                    Some(by_day) => self.plain_days(by_day, ordinals)?,
                    None => WeekdaySet::single(start.weekday()),
                },
                first_day_of_week: self.wkst(),
            },
            Freq::Monthly => match self.month_day(start)? {
                MonthDay::Day(day_of_month) => Pattern::AbsoluteMonthly {
                    interval,
                    day_of_month,
                },
                MonthDay::Nth(days, index) => Pattern::RelativeMonthly {
                    interval,
                    days,
                    index,
                },
            },
            Freq::Yearly => self.yearly(start, interval)?,
        })
    }

    fn yearly(&self, start: NaiveDate, interval: u32) -> Result<Pattern, UnsupportedRecurrence> {
        let p = &self.parts;
        let Some(by_month) = &p.by_month else {
            let what = "without BYMONTH repeats in every month of the year, which Exchange \
                        cannot express: add BYMONTH";
            self.refuse(&p.by_day, what)?;
            self.refuse(&p.by_month_day, what)?;
            self.refuse(&p.by_set_pos, what)?;
            return Ok(Pattern::AbsoluteYearly {
                interval,
                month: u8::try_from(start.month()).unwrap_or(1),
                day_of_month: u8::try_from(start.day()).unwrap_or(1),
            });
        };
        let [month] = by_month.value[..] else {
            return Err(self.err(
                &by_month.text,
                "names several months; Exchange repeats once a year: split the series",
            ));
        };
        Ok(match self.month_day(start)? {
            MonthDay::Day(day_of_month) => {
                let last_day = p.by_month_day.as_ref().is_some_and(|d| d.value == [-1]);
                // 2000 is a leap year: February may have 29 days.
                if !last_day && u32::from(day_of_month) > days_in_month(2000, u32::from(month)) {
                    let part = p.by_month_day.as_ref().map_or(&by_month.text, |d| &d.text);
                    return Err(self.err(
                        part,
                        format!("never occurs: month {month} has no day {day_of_month}"),
                    ));
                }
                Pattern::AbsoluteYearly {
                    interval,
                    month,
                    day_of_month,
                }
            }
            MonthDay::Nth(days, index) => Pattern::RelativeYearly {
                interval,
                month,
                days,
                index,
            },
        })
    }

    fn month_day(&self, start: NaiveDate) -> Result<MonthDay, UnsupportedRecurrence> {
        let p = &self.parts;
        match (&p.by_month_day, &p.by_day) {
            (Some(_), Some(by_day)) => Err(self.err(
                &by_day.text,
                "together with BYMONTHDAY cannot be expressed in Exchange (a series picks \
                 either a day of the month or a weekday)",
            )),
            (Some(by_month_day), None) => {
                self.refuse(
                    &p.by_set_pos,
                    "with BYMONTHDAY cannot be expressed in Exchange",
                )?;
                match by_month_day.value[..] {
                    [-1] => Ok(MonthDay::Day(31)),
                    [day] if day > 0 => Ok(MonthDay::Day(day.unsigned_abs())),
                    [_] => Err(self.err(
                        &by_month_day.text,
                        "counts from the end of the month; Exchange knows only the last day \
                         (BYMONTHDAY=-1)",
                    )),
                    _ => Err(self.err(
                        &by_month_day.text,
                        "names several days; Exchange repeats on one day a month: split the series",
                    )),
                }
            }
            (None, Some(by_day)) if by_day.value.iter().any(|(n, _)| n.is_some()) => {
                let [(Some(ordinal), day)] = by_day.value[..] else {
                    return Err(self.err(
                        &by_day.text,
                        "names several weekdays with ordinals (several occurrences a month); \
                         Exchange repeats once a month: split the series",
                    ));
                };
                self.refuse(
                    &p.by_set_pos,
                    "together with an ordinal in BYDAY cannot be expressed in Exchange",
                )?;
                let index = WeekIndex::from_ordinal(ordinal).ok_or_else(|| {
                    self.err(
                        &by_day.text,
                        "uses an ordinal Exchange does not know: it knows the first to fourth \
                         and the last weekday of a month (1..4, -1)",
                    )
                })?;
                Ok(MonthDay::Nth(WeekdaySet::single(day), index))
            }
            (None, Some(by_day)) => {
                let days = self.plain_days(by_day, "")?;
                let Some(set_pos) = &p.by_set_pos else {
                    return Err(self.err(
                        &by_day.text,
                        "without an ordinal or BYSETPOS repeats on every such weekday of the \
                         month, which Exchange cannot express: use e.g. BYDAY=2TU",
                    ));
                };
                let [position] = set_pos.value[..] else {
                    return Err(self.err(
                        &set_pos.text,
                        "names several positions; Exchange repeats once a month: split the series",
                    ));
                };
                let index = i8::try_from(position)
                    .ok()
                    .and_then(WeekIndex::from_ordinal)
                    .ok_or_else(|| {
                        self.err(
                            &set_pos.text,
                            "lies outside what Exchange knows (1 to 4, or -1 for the last)",
                        )
                    })?;
                let weekend: WeekdaySet = [Weekday::Sat, Weekday::Sun].into_iter().collect();
                if days.len() > 1
                    && ![WeekdaySet::WORKDAYS, weekend, WeekdaySet::ALL].contains(&days)
                {
                    return Err(self.err(
                        &by_day.text,
                        "names days Exchange cannot count here (EWS DayOfWeekType): use one \
                         weekday, MO,TU,WE,TH,FR (weekday), SA,SU (weekend day) or all seven (day)",
                    ));
                }
                Ok(MonthDay::Nth(days, index))
            }
            (None, None) => {
                self.refuse(
                    &p.by_set_pos,
                    "without BYDAY cannot be expressed in Exchange",
                )?;
                Ok(MonthDay::Day(u8::try_from(start.day()).unwrap_or(1)))
            }
        }
    }

    fn check_times(&self, start: &When, frame: &Frame) -> Result<(), UnsupportedRecurrence> {
        let p = &self.parts;
        let checks = [
            (&p.by_hour, frame.time.hour()),
            (&p.by_minute, frame.time.minute()),
            (&p.by_second, frame.time.second()),
        ];
        for (part, actual) in checks {
            let Some(part) = part else { continue };
            if start.is_all_day() {
                return Err(self.err(
                    &part.text,
                    "sets a time of day, which an all-day series has not",
                ));
            }
            if part.value != [actual] {
                return Err(self.err(
                    &part.text,
                    "repeats at other times than the series start; Exchange repeats once a \
                     day at most, at the start time",
                ));
            }
        }
        Ok(())
    }

    fn range(&self, start: &When, frame: &Frame) -> Result<Range, UnsupportedRecurrence> {
        match (&self.parts.count, &self.parts.until) {
            (Some(_), Some(until)) => Err(self.err(
                &until.text,
                "together with COUNT is not allowed (RFC 5545): keep one of them",
            )),
            (Some(count), None) => Ok(Range::Numbered { count: count.value }),
            (None, None) => Ok(Range::NoEnd),
            (None, Some(until)) => {
                let value = IcalTime::parse(&until.value, None)
                    .map_err(|e| self.err(&until.text, format!("is invalid: {e}")))?;
                let end = until_date(&value, start.is_all_day(), frame)
                    .map_err(|e| self.err(&until.text, e))?;
                if end < frame.start_date {
                    return Err(self.err(&until.text, "lies before the start of the series"));
                }
                Ok(Range::EndDate { end })
            }
        }
    }

    fn check_start(
        &self,
        recurrence: &Recurrence,
        start: NaiveDate,
    ) -> Result<(), UnsupportedRecurrence> {
        if matches_pattern(&recurrence.pattern, start, start) {
            return Ok(());
        }
        let unbounded = Recurrence {
            range: Range::NoEnd,
            ..recurrence.clone()
        };
        let first = recurrence_dates(start, &unbounded)
            .ok()
            .and_then(|mut dates| dates.next());
        let fix = first.map_or(String::new(), |d| format!(": move DTSTART to {d}"));
        Err(self.err(
            "DTSTART",
            format!(
                "{start} is not an occurrence of the rule; Exchange starts a series with its \
                 first occurrence{fix}"
            ),
        ))
    }
}

/// The inclusive end date (series' zone) an UNTIL value gives: the date of the last occurrence
/// that starts at or before UNTIL.
fn until_date(until: &IcalTime, all_day: bool, frame: &Frame) -> Result<NaiveDate, String> {
    let on_or_before = |date: NaiveDate, included: bool| {
        if included {
            Ok(date)
        } else {
            date.pred_opt()
                .ok_or_else(|| "lies before any date".to_owned())
        }
    };
    match until {
        IcalTime::Date(date) => Ok(*date),
        IcalTime::Floating(t) if all_day => Ok(t.date()),
        IcalTime::Floating(t) => on_or_before(t.date(), t.time() >= frame.time),
        IcalTime::Utc(t) if all_day => Ok(all_day_date(utc_to_local(frame.tz, t.and_utc()))),
        IcalTime::Utc(t) => {
            let local = utc_to_local(frame.tz, t.and_utc());
            let occurrence = local_to_utc(frame.tz, local.date().and_time(frame.time));
            on_or_before(local.date(), occurrence <= t.and_utc())
        }
        IcalTime::Zoned(z) => {
            let local = z.to_utc().map_err(|e| e.to_string())?;
            let local = utc_to_local(frame.tz, local);
            if all_day {
                return Ok(z.local.date());
            }
            on_or_before(local.date(), local.time() >= frame.time)
        }
    }
}
