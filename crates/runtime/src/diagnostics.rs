//! The diagnostics log of engine decisions: one `DEBUG` event per planned op, held deletion,
//! conflict and notice, on target `exsync::diagnostics` (switched on by `logging.diagnostics`).
//!
//! Invariants: costs one `enabled!` check when the target is off; never logs item contents
//! (subjects, bodies, addresses of attendees), only ids, op kinds, field names and reasons.

use exsync_engine::{Op, Plan};
use exsync_model::FieldName;

/// The tracing target of the diagnostics log.
pub const DIAGNOSTICS_TARGET: &str = "exsync::diagnostics";

/// Logs every decision in `plan` for `mailbox`, when the diagnostics target is enabled.
pub(crate) fn log_decisions<T>(mailbox: &str, plan: &Plan<T>) {
    if !tracing::enabled!(target: "exsync::diagnostics", tracing::Level::DEBUG) {
        return;
    }
    let kind = plan.kind.as_str();
    for op in &plan.ops {
        log_op(mailbox, kind, op, "planned");
    }
    if let Some(held) = &plan.held {
        for op in &held.deletions {
            log_op(mailbox, kind, op, "held by the mass-deletion guard");
        }
    }
    for conflict in &plan.conflicts {
        tracing::debug!(
            target: "exsync::diagnostics",
            mailbox,
            kind,
            business_id = ids_part(conflict.ids.business.as_ref().map(|id| id.as_str())),
            exchange_id = ids_part(conflict.ids.exchange.as_ref().map(|id| id.as_str())),
            decision = "conflict",
            field = conflict.field.unwrap_or("(existence)"),
            winner = conflict.winner.as_str(),
            "engine decision"
        );
    }
    for notice in &plan.notices {
        tracing::debug!(
            target: "exsync::diagnostics",
            mailbox,
            kind,
            business_id = ids_part(notice.ids.business.as_ref().map(|id| id.as_str())),
            exchange_id = ids_part(notice.ids.exchange.as_ref().map(|id| id.as_str())),
            decision = "notice",
            side = notice.side.as_str(),
            what = ?notice.kind,
            reason = ?notice.reason,
            "engine decision"
        );
    }
}

fn log_op<T>(mailbox: &str, kind: &str, op: &Op<T>, status: &str) {
    let ids = op.ids();
    let (to_exchange, to_business) = written_fields(op);
    tracing::debug!(
        target: "exsync::diagnostics",
        mailbox,
        kind,
        business_id = ids_part(ids.business.as_ref().map(|id| id.as_str())),
        exchange_id = ids_part(ids.exchange.as_ref().map(|id| id.as_str())),
        decision = op_name(op),
        status,
        exchange_fields = to_exchange,
        business_fields = to_business,
        "engine decision"
    );
}

fn ids_part(id: Option<&str>) -> &str {
    id.unwrap_or("-")
}

/// The op's kind as the plan's JSON names it.
pub(crate) fn op_name<T>(op: &Op<T>) -> &'static str {
    match op {
        Op::CreateInExchange { .. } => "create_in_exchange",
        Op::CreateInBusiness { .. } => "create_in_business",
        Op::Update { .. } => "update",
        Op::DeleteInExchange { .. } => "delete_in_exchange",
        Op::DeleteInBusiness { .. } => "delete_in_business",
        Op::Link { .. } => "link",
        Op::SetBase { .. } => "set_base",
        Op::Unlink { .. } => "unlink",
        Op::ForgetBase { .. } => "forget_base",
    }
}

/// The fields the op writes to Exchange and to the business side, comma-separated ("-": none).
fn written_fields<T>(op: &Op<T>) -> (String, String) {
    let join = |fields: Option<&[FieldName]>| match fields {
        Some(fields) if !fields.is_empty() => fields.join(","),
        _ => "-".to_owned(),
    };
    match op {
        Op::CreateInExchange { write, .. } => (join(Some(&write.fields)), join(None)),
        Op::CreateInBusiness { write, .. } => (join(None), join(Some(&write.fields))),
        Op::Update {
            exchange, business, ..
        } => (
            join(exchange.as_ref().map(|w| w.fields.as_slice())),
            join(business.as_ref().map(|w| w.fields.as_slice())),
        ),
        _ => (join(None), join(None)),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use exsync_engine::{Held, LinkIds, Write};
    use exsync_model::{ItemKind, Task};
    use tracing::field::{Field, Visit};
    use tracing::span::{Attributes, Id, Record};
    use tracing::{Event, Metadata, Subscriber};

    use super::*;

    /// Records `decision`, `status` and `exchange_fields` of every diagnostics event.
    #[derive(Clone, Default)]
    struct Recorder(Arc<Mutex<Vec<String>>>);

    struct Fields(String);

    impl Visit for Fields {
        fn record_str(&mut self, field: &Field, value: &str) {
            if ["decision", "status", "exchange_fields", "business_id"].contains(&field.name()) {
                self.0.push_str(&format!("{}={value} ", field.name()));
            }
        }
        fn record_debug(&mut self, _: &Field, _: &dyn std::fmt::Debug) {}
    }

    impl Subscriber for Recorder {
        fn enabled(&self, metadata: &Metadata<'_>) -> bool {
            metadata.target() == DIAGNOSTICS_TARGET
        }
        fn new_span(&self, _: &Attributes<'_>) -> Id {
            Id::from_u64(1)
        }
        fn record(&self, _: &Id, _: &Record<'_>) {}
        fn record_follows_from(&self, _: &Id, _: &Id) {}
        fn event(&self, event: &Event<'_>) {
            let mut fields = Fields(String::new());
            event.record(&mut fields);
            self.0
                .lock()
                .expect("lock")
                .push(fields.0.trim_end().to_owned());
        }
        fn enter(&self, _: &Id) {}
        fn exit(&self, _: &Id) {}
    }

    #[test]
    fn every_planned_and_held_op_is_logged_with_its_decision() {
        let mut plan = Plan::empty(ItemKind::Task, "eva@x.example");
        plan.ops.push(Op::CreateInExchange {
            business_id: "7".into(),
            replaces: None,
            write: Write {
                item: Task::new("call"),
                fields: vec!["subject", "due"],
            },
        });
        plan.held = Some(Held {
            deletions: vec![Op::DeleteInExchange {
                ids: LinkIds::new("8", "X8"),
            }],
            in_exchange: 1,
            in_business: 0,
            linked: 1,
            max_percent: 30,
            message: "held".into(),
        });
        let recorder = Recorder::default();
        tracing::subscriber::with_default(recorder.clone(), || {
            log_decisions("eva@x.example", &plan);
        });
        let lines = recorder.0.lock().expect("lock").clone();
        assert_eq!(
            lines,
            [
                "business_id=7 decision=create_in_exchange status=planned \
                 exchange_fields=subject,due",
                "business_id=8 decision=delete_in_exchange status=held by the mass-deletion \
                 guard exchange_fields=-",
            ]
        );
    }
}
