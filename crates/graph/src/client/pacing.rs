//! Pacing under Graph's per-mailbox request budget (Outlook resources: 10,000 requests per app
//! and mailbox in any 10 minutes; each request inside a `$batch` counts).
//!
//! Invariant: the client never starts requests that would take a mailbox over its budget in
//! the sliding window; it waits until enough earlier requests have left the window instead of
//! provoking a 429 (whose `Retry-After` would stall the mailbox longer).

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// Requests Graph allows per app and mailbox in [`BUDGET_WINDOW`].
pub const MAILBOX_BUDGET: u32 = 10_000;

/// The sliding window of the budget.
pub const BUDGET_WINDOW: Duration = Duration::from_secs(600);

/// The requests one mailbox made in the current window.
#[derive(Debug)]
pub(crate) struct Pacer {
    budget: u32,
    window: Duration,
    sent: VecDeque<(Instant, u32)>,
    in_window: u32,
}

impl Pacer {
    pub(crate) fn new(budget: u32, window: Duration) -> Self {
        Pacer {
            budget,
            window,
            sent: VecDeque::new(),
            in_window: 0,
        }
    }

    /// Records `count` requests at `now` if they fit; otherwise how long to wait first.
    pub(crate) fn reserve(&mut self, count: u32, now: Instant) -> Result<(), Duration> {
        while let Some(&(at, n)) = self.sent.front() {
            if now.duration_since(at) >= self.window {
                self.sent.pop_front();
                self.in_window -= n;
            } else {
                break;
            }
        }
        let count = count.min(self.budget);
        if self.in_window + count <= self.budget {
            self.sent.push_back((now, count));
            self.in_window += count;
            return Ok(());
        }
        // Wait until enough of the oldest requests have left the window.
        let mut freed = 0;
        for &(at, n) in &self.sent {
            freed += n;
            if self.in_window - freed + count <= self.budget {
                return Err((at + self.window).saturating_duration_since(now));
            }
        }
        Err(self.window)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_within_the_budget_pass_and_the_next_one_waits_for_the_oldest() {
        let start = Instant::now();
        let mut pacer = Pacer::new(10, Duration::from_secs(60));
        assert_eq!(pacer.reserve(6, start), Ok(()));
        assert_eq!(pacer.reserve(4, start + Duration::from_secs(10)), Ok(()));
        assert_eq!(
            pacer.reserve(1, start + Duration::from_secs(20)),
            Err(Duration::from_secs(40)),
            "the first 6 leave the window at 60 s"
        );
        assert_eq!(pacer.reserve(5, start + Duration::from_secs(60)), Ok(()));
        assert_eq!(
            pacer.reserve(2, start + Duration::from_secs(61)),
            Err(Duration::from_secs(9)),
            "the 4 from 10 s leave at 70 s"
        );
    }

    #[test]
    fn a_batch_larger_than_the_budget_is_clamped_not_stuck() {
        let mut pacer = Pacer::new(5, Duration::from_secs(60));
        assert_eq!(pacer.reserve(20, Instant::now()), Ok(()));
    }
}
