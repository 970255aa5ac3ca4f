//! VTODO <-> [`Task`].
//!
//! Mapping: SUMMARY, DESCRIPTION (X-ALT-DESC for HTML), DTSTART, DUE, COMPLETED, STATUS with
//! PERCENT-COMPLETE (NEEDS-ACTION = not started, or in progress above 0 %; IN-PROCESS = in
//! progress; COMPLETED; CANCELLED = deferred, Exchange has no "cancelled"), PRIORITY, CATEGORIES,
//! the first VALARM -> reminder time. A date-only DTSTART/DUE is midnight UTC, as Microsoft To
//! Do stores due dates, and is written back as a date. `X-EXSYNC-TASK-STATUS` keeps the two
//! Exchange states iCalendar has no word for (waiting on others, deferred).
//! Invariant: writing a task and reading it back gives the same task (a reminder keeps its zone
//! when it is relative to DTSTART or DUE in the same zone; COMPLETED is UTC as RFC 5545 wants).

use chrono::{Duration, NaiveTime};
use exsync_model::{IcalTime, Task, TaskStatus, TimeZoneName, ZonedDateTime, utc_to_local};

use crate::component::{Component, all_errors};
use crate::event_in::{body, categories, importance, uid_of};
use crate::event_out::{
    ical_time, write_alarm, write_body, write_categories, write_priority, write_times,
};
use crate::line::LineWriter;
use crate::value::{Ctx, Trigger, first_trigger};

fn task_time(ctx: &Ctx<'_>, c: &Component, name: &str) -> Result<Option<ZonedDateTime>, String> {
    let Some(prop) = c.prop(name) else {
        return Ok(None);
    };
    match ctx.time(prop)? {
        IcalTime::Date(d) => Ok(Some(ZonedDateTime::new(
            d.and_time(NaiveTime::MIN),
            TimeZoneName::utc(),
        ))),
        other => ctx.zoned(name, other).map(Some),
    }
}

fn status(c: &Component) -> TaskStatus {
    let own = c
        .text("X-EXSYNC-TASK-STATUS")
        .map(|s| s.trim().to_ascii_uppercase());
    match own.as_deref() {
        Some("WAITING-ON-OTHERS") => return TaskStatus::WaitingOnOthers,
        Some("DEFERRED") => return TaskStatus::Deferred,
        _ => {}
    }
    let percent = c
        .text("PERCENT-COMPLETE")
        .and_then(|p| p.trim().parse::<u8>().ok())
        .unwrap_or(0);
    match c
        .text("STATUS")
        .map(|s| s.trim().to_ascii_uppercase())
        .as_deref()
    {
        Some("COMPLETED") => TaskStatus::Completed,
        Some("IN-PROCESS") => TaskStatus::InProgress,
        Some("CANCELLED") => TaskStatus::Deferred,
        Some("NEEDS-ACTION") if percent == 0 => TaskStatus::NotStarted,
        Some("NEEDS-ACTION") => TaskStatus::InProgress,
        _ if percent >= 100 || c.prop("COMPLETED").is_some() => TaskStatus::Completed,
        _ if percent > 0 => TaskStatus::InProgress,
        _ => TaskStatus::NotStarted,
    }
}

fn shifted(base: &ZonedDateTime, seconds: i64) -> Result<ZonedDateTime, String> {
    let instant = base.to_utc().map_err(|e| e.to_string())? + Duration::seconds(seconds);
    let tz = base.zone.resolve().map_err(|e| e.to_string())?;
    Ok(ZonedDateTime::new(
        utc_to_local(tz, instant),
        base.zone.clone(),
    ))
}

/// Reads one VTODO.
pub(crate) fn read_todo(c: &Component, ctx: &Ctx<'_>) -> Result<(String, Task), String> {
    if let Some(error) = all_errors(c).into_iter().next() {
        return Err(format!("the VTODO is malformed: {error}"));
    }
    if c.prop("RRULE").is_some() || c.prop("RECURRENCE-ID").is_some() {
        return Err(
            "RRULE: recurring tasks are not supported: import the task without its \
                    recurrence"
                .into(),
        );
    }
    let mut task = Task::new(c.text("SUMMARY").unwrap_or_default());
    task.body = body(c);
    task.start = task_time(ctx, c, "DTSTART")?;
    task.due = task_time(ctx, c, "DUE")?;
    task.completed = task_time(ctx, c, "COMPLETED")?;
    task.status = status(c);
    task.importance = importance(c);
    task.categories = categories(c);
    task.reminder = match first_trigger(c)? {
        None => None,
        Some(Trigger::Absolute(at)) => Some(ZonedDateTime::new(at, TimeZoneName::utc())),
        Some(Trigger::Relative { seconds, from_end }) => {
            let base = if from_end {
                task.due.as_ref()
            } else {
                task.start.as_ref().or(task.due.as_ref())
            };
            let base = base.ok_or(
                "the VALARM is relative to a DTSTART/DUE the task does not have: give the alarm \
                 an absolute TRIGGER;VALUE=DATE-TIME",
            )?;
            Some(shifted(base, seconds)?)
        }
    };
    Ok((uid_of(c), task))
}

fn write_task_time(w: &mut LineWriter, name: &str, t: &ZonedDateTime) {
    if t.zone == TimeZoneName::utc() && t.local.time() == NaiveTime::MIN {
        write_times(w, name, &[IcalTime::Date(t.local.date())]);
    } else {
        write_times(w, name, &[ical_time(t)]);
    }
}

fn seconds_between(from: &ZonedDateTime, to: &ZonedDateTime) -> Option<i64> {
    Some((to.to_utc().ok()? - from.to_utc().ok()?).num_seconds())
}

/// A DURATION value for `seconds` (`-PT15M`, `P1DT2H`, `PT0S`).
fn duration(seconds: i64) -> String {
    let sign = if seconds < 0 { "-" } else { "" };
    let s = seconds.unsigned_abs();
    let (days, rest) = (s / 86_400, s % 86_400);
    let mut out = format!("{sign}P");
    if days > 0 {
        out.push_str(&format!("{days}D"));
    }
    if rest > 0 || days == 0 {
        out.push('T');
        let (h, m, sec) = (rest / 3600, rest % 3600 / 60, rest % 60);
        if h > 0 {
            out.push_str(&format!("{h}H"));
        }
        if m > 0 {
            out.push_str(&format!("{m}M"));
        }
        if sec > 0 || rest == 0 {
            out.push_str(&format!("{sec}S"));
        }
    }
    out
}

/// Writes one VTODO.
pub(crate) fn write_todo(w: &mut LineWriter, uid: &str, task: &Task, stamp: &str) {
    w.begin("VTODO");
    w.text("UID", &[], uid);
    w.prop("DTSTAMP", &[], stamp);
    w.text("SUMMARY", &[], &task.subject);
    write_body(w, &task.body);
    if let Some(start) = &task.start {
        write_task_time(w, "DTSTART", start);
    }
    if let Some(due) = &task.due {
        write_task_time(w, "DUE", due);
    }
    if let Some(done) = &task.completed {
        match done.to_utc() {
            Ok(at) => write_times(w, "COMPLETED", &[IcalTime::Utc(at.naive_utc())]),
            Err(_) => write_task_time(w, "COMPLETED", done),
        }
    }
    let (status, own) = match task.status {
        TaskStatus::NotStarted => ("NEEDS-ACTION", None),
        TaskStatus::InProgress => ("IN-PROCESS", None),
        TaskStatus::Completed => ("COMPLETED", None),
        TaskStatus::WaitingOnOthers => ("IN-PROCESS", Some("WAITING-ON-OTHERS")),
        TaskStatus::Deferred => ("NEEDS-ACTION", Some("DEFERRED")),
    };
    w.prop("STATUS", &[], status);
    if task.status == TaskStatus::Completed {
        w.prop("PERCENT-COMPLETE", &[], "100");
    }
    if let Some(own) = own {
        w.prop("X-EXSYNC-TASK-STATUS", &[], own);
    }
    write_priority(w, task.importance);
    write_categories(w, &task.categories);
    if let Some(reminder) = &task.reminder {
        let relative_to = |base: &Option<ZonedDateTime>| {
            base.as_ref()
                .filter(|b| b.zone == reminder.zone && reminder.zone != TimeZoneName::utc())
                .and_then(|b| seconds_between(b, reminder))
        };
        if let Some(seconds) = relative_to(&task.start) {
            write_alarm(w, &[], &duration(seconds));
        } else if let (None, Some(seconds)) = (&task.start, relative_to(&task.due)) {
            write_alarm(w, &[("RELATED", "END")], &duration(seconds));
        } else if let Ok(at) = reminder.to_utc() {
            let value = at.format("%Y%m%dT%H%M%SZ").to_string();
            write_alarm(w, &[("VALUE", "DATE-TIME")], &value);
        }
    }
    w.end("VTODO");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::parse_duration;

    #[test]
    fn durations_read_back() {
        for seconds in [0, -900, 900, -86_400, 90_061, -3_600 * 26] {
            let text = duration(seconds);
            assert_eq!(
                parse_duration(&text).map(|d| d.total_seconds()),
                Some(seconds),
                "{text}"
            );
        }
        assert_eq!(duration(-900), "-PT15M");
        assert_eq!(duration(0), "PT0S");
    }
}
