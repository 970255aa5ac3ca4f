//! From the configuration to what the engine obeys: directions per kind, the body rule, the
//! conflict policy, the mass-deletion guard, and the sync window for a given day.
//!
//! Invariant: the window is computed from the clock passed in, never read here; it starts at
//! midnight UTC so it moves once a day, not on every pass.

use chrono::{DateTime, Months, NaiveTime, Utc};
use exsync_config::{
    BodyRule, Config, ConflictPolicy as ConfigPolicy, Direction as ConfigDirection,
};
use exsync_engine::{
    ConflictPolicy, Direction, MassDeleteGuard, Ownership, Rules, RulesError, SyncWindow,
};
use exsync_model::ItemKind;

/// The engine's rules for `config`.
pub fn rules_from_config(config: &Config) -> Result<Rules, RulesError> {
    let sync = &config.sync;
    let mut rules = Rules::default();
    let policy = match sync.conflict {
        ConfigPolicy::BusinessWins => ConflictPolicy::BusinessWins,
        ConfigPolicy::ExchangeWins => ConflictPolicy::ExchangeWins,
        ConfigPolicy::NewestWins => ConflictPolicy::NewestWins,
    };
    for kind in [ItemKind::Appointment, ItemKind::Task, ItemKind::Contact] {
        rules.set_direction(kind, direction(sync.direction(kind)));
        rules.set_policy(kind, policy);
    }
    let body = match sync.body {
        BodyRule::Both => Ownership::Both,
        // Business changes go to Exchange; an Outlook edit of the body stays in Outlook.
        BodyRule::ExportOnly => Ownership::BusinessChangesToExchange,
        BodyRule::Never => Ownership::Never,
    };
    for kind in [ItemKind::Appointment, ItemKind::Task] {
        rules.set_ownership(kind, "body", body)?;
    }
    rules.guard = MassDeleteGuard::new(
        sync.mass_delete_guard.max_percent(),
        sync.mass_delete_guard.min_items as usize,
    )?;
    Ok(rules)
}

fn direction(direction: ConfigDirection) -> Direction {
    match direction {
        ConfigDirection::Both => Direction::Both,
        ConfigDirection::Export => Direction::Export,
        ConfigDirection::Import => Direction::Import,
        ConfigDirection::Off => Direction::Off,
    }
}

/// The sync window on the day of `now`: from midnight UTC `months_past` months back to
/// midnight `months_future` months ahead.
pub fn window_for(now: DateTime<Utc>, months_past: u32, months_future: u32) -> SyncWindow {
    let today = now.date_naive();
    let from = today
        .checked_sub_months(Months::new(months_past))
        .unwrap_or(today)
        .and_time(NaiveTime::MIN)
        .and_utc();
    let to = today
        .checked_add_months(Months::new(months_future))
        .unwrap_or(today)
        .succ_opt()
        .unwrap_or(today)
        .and_time(NaiveTime::MIN)
        .and_utc();
    match SyncWindow::new(from, to) {
        Ok(window) => window,
        // `to` lies at least a day after today's midnight and `from` at most at it.
        Err(_) => unreachable!("the sync window always holds today"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_spans_whole_days_and_moves_daily() {
        let morning = "2026-12-04T08:00:00Z"
            .parse::<DateTime<Utc>>()
            .expect("a timestamp");
        let evening = "2026-12-04T22:00:00Z"
            .parse::<DateTime<Utc>>()
            .expect("a timestamp");
        let window = window_for(morning, 6, 17);
        assert_eq!(window, window_for(evening, 6, 17));
        assert_eq!(window.from().to_rfc3339(), "2026-06-04T00:00:00+00:00");
        assert_eq!(window.to().to_rfc3339(), "2028-05-05T00:00:00+00:00");
    }

    #[test]
    fn the_default_configuration_exports_bodies_and_contacts_only() {
        let rules = rules_from_config(&Config::default()).expect("default rules");
        assert_eq!(rules.kind(ItemKind::Contact).direction, Direction::Export);
        assert_eq!(
            rules.kind(ItemKind::Appointment).ownership("body"),
            Ownership::BusinessChangesToExchange
        );
        assert_eq!(
            rules.kind(ItemKind::Task).policy,
            ConflictPolicy::NewestWins
        );
    }
}
