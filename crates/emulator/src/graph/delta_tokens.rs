//! The state behind `calendarView/delta` links: what a `$skiptoken` (a page of a round) or a
//! `$deltatoken` (a finished round) stands for, grouped in chains of rounds (a chain starts with
//! a request without token) and numbered in generations (each delta link issued in a chain is
//! the next generation, as Graph's "generation=149;[highest=157][157][155][156]" in
//! microsoftgraph/microsoft-graph-docs#2350 shows).
//!
//! Invariants: once a chain has issued generation `h`, only its tokens of generations
//! `h - kept + 1 ..= h` (and the pages of the round being built) are answered, where `kept` is
//! [`DeltaBehaviour::kept_generations`]; a round's page tokens are dropped when its last page is
//! served; the behaviour knobs live here and survive `clear`.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use exsync_model::Appointment;
use serde_json::Value;

use super::delta_behaviour::DeltaBehaviour;
use crate::ids;

/// Where a round stands after a delta link: what the client knows.
#[derive(Debug, Clone)]
pub(super) struct Round {
    pub(super) mailbox_id: String,
    pub(super) window: (DateTime<Utc>, DateTime<Utc>),
    /// Mailbox change sequence the client is up to date with.
    pub(super) since: u64,
    /// True before the chain's first round is served (nothing is "removed" then).
    pub(super) initial: bool,
    /// Ids the client has been given and not yet told are removed.
    pub(super) known: BTreeSet<String>,
    /// Each reported series as last reported, without its cancellations: tells a write that
    /// only cancelled occurrences from any other.
    pub(super) series: HashMap<String, Arc<Appointment>>,
    /// `odata.maxpagesize` of the round's first request, used when a later request of the
    /// round does not repeat it.
    pub(super) page_size: Option<usize>,
    /// The chain of rounds this one belongs to.
    pub(super) chain: u64,
}

/// What a state token stands for.
#[derive(Debug, Clone)]
pub(super) enum Entry {
    /// `$skiptoken`: the round's answer from `offset` on (paged by `size`), then the round;
    /// `empty` more empty pages come first. The answer and the round are shared by all pages.
    Page {
        all: Arc<Vec<Value>>,
        offset: usize,
        then: Arc<Round>,
        size: usize,
        empty: u32,
    },
    /// `$deltatoken`: a finished round.
    Delta(Round),
}

#[derive(Debug)]
struct Issued {
    entry: Entry,
    chain: u64,
    generation: u64,
}

/// The delta state tokens issued so far (kept in the store; cleared by
/// `EmulatorHandle::expire_delta_tokens`), and the delta knobs.
#[derive(Debug, Default)]
pub struct DeltaStates {
    entries: HashMap<String, Issued>,
    /// Highest generation issued per chain.
    highest: HashMap<u64, u64>,
    next_chain: u64,
    /// How delta rounds answer (see [`DeltaBehaviour`]).
    pub behaviour: DeltaBehaviour,
}

impl DeltaStates {
    /// Forgets every state token: the next use of any of them answers 410.
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// A new chain of rounds.
    pub(super) fn new_chain(&mut self) -> u64 {
        self.next_chain += 1;
        self.highest.insert(self.next_chain, 0);
        self.next_chain
    }

    /// The entry behind `token`, if it is still answered.
    pub(super) fn get(&self, token: &str) -> Option<&Entry> {
        self.entries.get(token).map(|issued| &issued.entry)
    }

    /// The highest generation `chain` has issued.
    #[cfg(test)]
    fn highest(&self, chain: u64) -> u64 {
        self.highest.get(&chain).copied().unwrap_or(0)
    }

    /// Drops the page tokens of the round whose answer is `all`.
    pub(super) fn forget_pages_of(&mut self, all: &Arc<Vec<Value>>) {
        self.entries.retain(|_, issued| match &issued.entry {
            Entry::Page { all: pages, .. } => !Arc::ptr_eq(pages, all),
            Entry::Delta(_) => true,
        });
    }

    /// Issues a page token of the round being built in `chain`.
    pub(super) fn issue_page(&mut self, chain: u64, entry: Entry) -> String {
        let generation = self.highest.get(&chain).copied().unwrap_or(0) + 1;
        self.insert(chain, generation, entry)
    }

    /// Issues the delta token of a finished round: the chain's next generation; generations
    /// older than the kept ones stop being answered.
    pub(super) fn issue_delta(&mut self, round: Round) -> String {
        let chain = round.chain;
        let generation = self.highest.get(&chain).copied().unwrap_or(0) + 1;
        self.highest.insert(chain, generation);
        let token = self.insert(chain, generation, Entry::Delta(round));
        if let Some(kept) = self.behaviour.kept_generations {
            let oldest = generation.saturating_sub(kept.max(1)) + 1;
            self.entries
                .retain(|_, issued| issued.chain != chain || issued.generation >= oldest);
        }
        token
    }

    fn insert(&mut self, chain: u64, generation: u64, entry: Entry) -> String {
        let token = ids::base64url(ids::guid().replace('-', "").as_bytes());
        self.entries.insert(
            token.clone(),
            Issued {
                entry,
                chain,
                generation,
            },
        );
        token
    }

    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round(chain: u64) -> Round {
        Round {
            mailbox_id: "m".to_owned(),
            window: (Utc::now(), Utc::now()),
            since: 0,
            initial: false,
            known: BTreeSet::new(),
            series: HashMap::new(),
            page_size: None,
            chain,
        }
    }

    #[test]
    fn only_the_newest_three_generations_are_answered() {
        let mut states = DeltaStates::default();
        let chain = states.new_chain();
        let other = states.new_chain();
        let foreign = states.issue_delta(round(other));
        let tokens: Vec<String> = (0..4).map(|_| states.issue_delta(round(chain))).collect();
        assert!(states.get(&tokens[0]).is_none());
        assert!(tokens[1..].iter().all(|t| states.get(t).is_some()));
        assert!(
            states.get(&foreign).is_some(),
            "another chain keeps its links"
        );
        assert_eq!(states.highest(chain), 4);
    }

    #[test]
    fn cleared_tokens_are_gone_and_the_knobs_stay() {
        let mut states = DeltaStates {
            behaviour: DeltaBehaviour::tidy(),
            ..DeltaStates::default()
        };
        let chain = states.new_chain();
        let token = states.issue_delta(round(chain));
        assert!(states.get(&token).is_some());
        states.clear();
        assert_eq!(states.len(), 0);
        assert_eq!(states.behaviour, DeltaBehaviour::tidy());
    }
}
