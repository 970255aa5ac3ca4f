//! The rules a plan obeys: sync direction and conflict policy per item kind, ownership per field,
//! and the mass-deletion guard. The runtime builds one [`Rules`] from the configuration.
//!
//! Invariant: every field named in an ownership rule is one of the kind's
//! [`SyncItem::FIELDS`](exsync_model::SyncItem::FIELDS) (checked by
//! [`Rules::set_ownership`]), so a misspelt field in the configuration is an error instead of a
//! rule that silently never applies; and the guard's share is a percentage in `0..=100`.

use exsync_model::{Appointment, Contact, FieldName, ItemKind, SyncItem, Task};
use serde::Serialize;

/// Which way items of a kind travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Both ways (the default).
    #[default]
    Both,
    /// Business application -> Exchange only. Exchange-side edits are overwritten on the next
    /// pass and Exchange-side deletions are undone (re-created); both are reported.
    Export,
    /// Exchange -> business application only; the mirror image of [`Direction::Export`].
    Import,
    /// Not synced at all: plans for the kind are empty.
    Off,
}

impl Direction {
    /// True when business-side state may be written to Exchange.
    pub fn exports(self) -> bool {
        matches!(self, Direction::Both | Direction::Export)
    }

    /// True when Exchange-side state may be written to the business application.
    pub fn imports(self) -> bool {
        matches!(self, Direction::Both | Direction::Import)
    }

    /// This direction with exporting taken away (what a foreign meeting gets).
    pub fn without_export(self) -> Direction {
        match self {
            Direction::Both | Direction::Import => Direction::Import,
            Direction::Export | Direction::Off => Direction::Off,
        }
    }
}

/// Which way one field travels, on top of the kind's [`Direction`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Ownership {
    /// Both ways (the default).
    #[default]
    Both,
    /// Written to Exchange, never read back; the business value is authoritative, so an
    /// Exchange-side edit is overwritten (and reported) at the next pass.
    BusinessToExchange,
    /// Written to Exchange when the business value changes, never read back; an Exchange-side
    /// edit stays in Exchange (neither imported nor overwritten) until the business value
    /// changes again (the body under `sync.body = "export_only"`).
    BusinessChangesToExchange,
    /// Read from Exchange, never written there (e.g. organizer and attendees).
    ExchangeToBusiness,
    /// Never written to either side: each side keeps its own value (e.g. the body when
    /// Outlook's own text must be kept).
    Never,
}

/// Who wins when the same field was changed on both sides to different values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConflictPolicy {
    /// The business application wins (the default).
    #[default]
    BusinessWins,
    /// Exchange wins.
    ExchangeWins,
    /// The side whose item was modified later wins. The stamps are per item, not per field.
    /// When the stamps are equal or either is missing, the business application wins.
    /// In an edit-versus-delete conflict the edit wins (a deletion has no stamp, and an undone
    /// deletion can be repeated while a lost edit cannot be recovered).
    NewestWins,
}

/// Whether a field may be written to each side, after direction, ownership and the
/// foreign-meeting rule are combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Flow {
    /// The business value may be written to Exchange.
    pub to_exchange: bool,
    /// The Exchange value may be written to the business application.
    pub to_business: bool,
    /// The value travels only when its source side changed it against the base; the other
    /// side's own edits of the field are kept there ([`Ownership::BusinessChangesToExchange`]).
    pub changes_only: bool,
}

impl Flow {
    /// True when the field travels in at least one direction.
    pub fn any(self) -> bool {
        self.to_exchange || self.to_business
    }
}

/// Rules for one item kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindRules {
    /// Which way items travel.
    pub direction: Direction,
    /// Who wins a conflict.
    pub policy: ConflictPolicy,
    fields: &'static [FieldName],
    ownership: Vec<Ownership>,
}

impl KindRules {
    fn new(fields: &'static [FieldName]) -> Self {
        Self {
            direction: Direction::Both,
            policy: ConflictPolicy::BusinessWins,
            fields,
            ownership: vec![Ownership::Both; fields.len()],
        }
    }

    /// The ownership of `field` ([`Ownership::Both`] for a name that is not a field).
    pub fn ownership(&self, field: &str) -> Ownership {
        self.position(field)
            .map_or(Ownership::Both, |i| self.ownership[i])
    }

    fn position(&self, field: &str) -> Option<usize> {
        self.fields.iter().position(|f| *f == field)
    }

    /// The flow of every field, in `FIELDS` order, under `direction` (the kind's own
    /// direction, or a narrower one for a foreign meeting).
    pub fn flows(&self, direction: Direction) -> Vec<Flow> {
        self.ownership
            .iter()
            .map(|own| Flow {
                to_exchange: direction.exports()
                    && matches!(
                        own,
                        Ownership::Both
                            | Ownership::BusinessToExchange
                            | Ownership::BusinessChangesToExchange
                    ),
                to_business: direction.imports()
                    && matches!(own, Ownership::Both | Ownership::ExchangeToBusiness),
                changes_only: *own == Ownership::BusinessChangesToExchange,
            })
            .collect()
    }
}

/// The mass-deletion guard: a plan that would delete more than `max_percent` % of a mailbox's
/// linked items of a kind is held, unless it deletes fewer than `min_deletions` items.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MassDeleteGuard {
    max_percent: u8,
    min_deletions: usize,
}

impl MassDeleteGuard {
    /// A guard that holds plans deleting more than `max_percent` % (0..=100) of the linked
    /// items, when they delete at least `min_deletions` items.
    pub fn new(max_percent: u8, min_deletions: usize) -> Result<Self, RulesError> {
        if max_percent > 100 {
            return Err(RulesError::PercentOutOfRange(max_percent));
        }
        Ok(Self {
            max_percent,
            min_deletions,
        })
    }

    /// The largest share, in percent, of linked items a plan may delete without being held.
    pub fn max_percent(self) -> u8 {
        self.max_percent
    }

    /// Plans deleting fewer items than this are never held.
    pub fn min_deletions(self) -> usize {
        self.min_deletions
    }

    /// True when deleting `deletions` of `linked` items must be held. Exact integer arithmetic:
    /// exactly `max_percent` % is still allowed.
    pub fn holds(self, deletions: usize, linked: usize) -> bool {
        deletions >= self.min_deletions.max(1)
            && (deletions as u128) * 100 > u128::from(self.max_percent) * (linked as u128)
    }
}

impl Default for MassDeleteGuard {
    /// 30 %, applied from 10 deletions on.
    fn default() -> Self {
        Self {
            max_percent: 30,
            min_deletions: 10,
        }
    }
}

/// A rule the configuration asked for that cannot be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RulesError {
    /// The field is not a field of the kind.
    #[error("{kind} has no field {field:?}; its fields are: {}", known.join(", "))]
    UnknownField {
        /// The kind the rule was for.
        kind: ItemKind,
        /// The name as configured.
        field: String,
        /// The names that exist.
        known: &'static [FieldName],
    },
    /// A percentage above 100.
    #[error("the mass-deletion share is {0} %, but must lie between 0 and 100")]
    PercentOutOfRange(u8),
}

/// Everything a plan obeys, for all kinds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rules {
    appointment: KindRules,
    task: KindRules,
    contact: KindRules,
    /// The mass-deletion guard (the same for every kind).
    pub guard: MassDeleteGuard,
}

impl Default for Rules {
    /// Both directions, business wins, every field both ways except an appointment's
    /// `organizer` and `attendees`, which are read from Exchange only: exsync never sends
    /// invitations. Default guard.
    fn default() -> Self {
        let mut appointment = KindRules::new(Appointment::FIELDS);
        for field in ["organizer", "attendees"] {
            if let Some(i) = appointment.position(field) {
                appointment.ownership[i] = Ownership::ExchangeToBusiness;
            }
        }
        Self {
            appointment,
            task: KindRules::new(Task::FIELDS),
            contact: KindRules::new(Contact::FIELDS),
            guard: MassDeleteGuard::default(),
        }
    }
}

impl Rules {
    /// The rules for `kind`.
    pub fn kind(&self, kind: ItemKind) -> &KindRules {
        match kind {
            ItemKind::Appointment => &self.appointment,
            ItemKind::Task => &self.task,
            ItemKind::Contact => &self.contact,
        }
    }

    /// The rules for `kind`, to change direction or policy.
    pub fn kind_mut(&mut self, kind: ItemKind) -> &mut KindRules {
        match kind {
            ItemKind::Appointment => &mut self.appointment,
            ItemKind::Task => &mut self.task,
            ItemKind::Contact => &mut self.contact,
        }
    }

    /// Sets the direction of `kind`.
    pub fn set_direction(&mut self, kind: ItemKind, direction: Direction) -> &mut Self {
        self.kind_mut(kind).direction = direction;
        self
    }

    /// Sets the conflict policy of `kind`.
    pub fn set_policy(&mut self, kind: ItemKind, policy: ConflictPolicy) -> &mut Self {
        self.kind_mut(kind).policy = policy;
        self
    }

    /// Sets who owns `field` of `kind`; refuses names that are not fields of the kind.
    pub fn set_ownership(
        &mut self,
        kind: ItemKind,
        field: &str,
        ownership: Ownership,
    ) -> Result<&mut Self, RulesError> {
        let rules = self.kind_mut(kind);
        let i = rules
            .position(field)
            .ok_or_else(|| RulesError::UnknownField {
                kind,
                field: field.to_owned(),
                known: rules.fields,
            })?;
        rules.ownership[i] = ownership;
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn misspelt_fields_and_bad_percentages_are_refused() {
        let mut rules = Rules::default();
        let err = rules
            .set_ownership(ItemKind::Appointment, "boddy", Ownership::Never)
            .expect_err("no such field");
        assert!(
            err.to_string()
                .contains("appointment has no field \"boddy\"")
        );
        assert!(err.to_string().contains("subject, location, body"));
        assert_eq!(
            MassDeleteGuard::new(101, 0),
            Err(RulesError::PercentOutOfRange(101))
        );
        rules
            .set_ownership(ItemKind::Task, "body", Ownership::BusinessToExchange)
            .expect("task has a body");
        assert_eq!(
            rules.kind(ItemKind::Task).ownership("body"),
            Ownership::BusinessToExchange
        );
    }

    #[test]
    fn meeting_fields_are_read_only_by_default_and_flows_combine_direction() {
        let rules = Rules::default();
        let appt = rules.kind(ItemKind::Appointment);
        assert_eq!(appt.ownership("attendees"), Ownership::ExchangeToBusiness);
        assert_eq!(appt.ownership("organizer"), Ownership::ExchangeToBusiness);
        assert_eq!(appt.ownership("subject"), Ownership::Both);
        let i = Appointment::FIELDS
            .iter()
            .position(|f| *f == "attendees")
            .expect("field");
        let both = appt.flows(Direction::Both);
        assert_eq!(
            both[i],
            Flow {
                to_exchange: false,
                to_business: true,
                changes_only: false,
            }
        );
        assert!(!appt.flows(Direction::Export)[i].any());
        assert!(appt.flows(Direction::Off).iter().all(|f| !f.any()));
    }

    #[test]
    fn guard_threshold_is_exact() {
        let guard = MassDeleteGuard::new(30, 10).expect("valid");
        assert!(!guard.holds(300, 1000), "exactly 30 % is allowed");
        assert!(guard.holds(301, 1000));
        assert!(!guard.holds(9, 10), "below the minimum count");
        assert!(guard.holds(10, 10));
        let zero = MassDeleteGuard::new(0, 0).expect("valid");
        assert!(!zero.holds(0, 10), "no deletion is never held");
        assert!(zero.holds(1, 10));
    }
}
