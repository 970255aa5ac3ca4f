//! The summary of the benchmark: one table row per propagation direction.
//!
//! Invariant: percentiles are nearest-rank over the changes that arrived; changes whose write
//! failed are counted apart and never as delays.

use crate::propagation::Change;

/// One row of the summary table.
pub fn summary_row(name: &str, changes: &[Change]) -> String {
    let failed = changes.iter().filter(|c| c.failed).count();
    let mut delays: Vec<f64> = changes
        .iter()
        .filter_map(|c| Some((c.arrived? - c.sent).as_secs_f64()))
        .collect();
    delays.sort_by(f64::total_cmp);
    let missing = changes.len() - failed - delays.len();
    let writes: Vec<f64> = changes
        .iter()
        .filter_map(|c| Some(c.write_time?.as_secs_f64() * 1000.0))
        .collect();
    let mean_write = writes.iter().sum::<f64>() / writes.len().max(1) as f64;
    let at = |q: f64| {
        if delays.is_empty() {
            return f64::NAN;
        }
        let rank = ((q * delays.len() as f64).ceil() as usize).clamp(1, delays.len());
        delays[rank - 1]
    };
    format!(
        "| {name} | {} | {mean_write:.1} | {:.2} | {:.2} | {:.2} | {:.2} | {missing} | {failed} |",
        changes.len(),
        at(0.50),
        at(0.95),
        at(0.99),
        delays.last().copied().unwrap_or(f64::NAN)
    )
}

/// The changes that never arrived, as `seq (mailbox index, item)`, at most `limit`.
pub fn missing(changes: &[Change], limit: usize) -> Vec<String> {
    changes
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.failed && c.arrived.is_none())
        .take(limit)
        .map(|(seq, c)| format!("#{seq} (mailbox {}, item {})", c.user, c.item))
        .collect()
}
