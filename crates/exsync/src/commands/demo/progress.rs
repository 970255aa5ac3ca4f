//! Text progress bars for the demo's initial sync, one per user: `[#####-----]  5/10`.
//!
//! On a terminal the block of bars is redrawn in place; otherwise (a pipe, a log file, a
//! test) a user's line is printed again only when its numbers changed, so the output reads
//! well without a terminal and never repeats itself.

use std::io::{IsTerminal, Write};

use exsync_i18n::{Lang, tr_in};
use exsync_model::ItemKind;

/// Width of a bar between its brackets.
const BAR_WIDTH: usize = 20;

/// How far one user's mailbox is: items synced per kind, of how many.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserProgress {
    /// The user's login.
    pub login: String,
    /// Appointments synced, of how many.
    pub appointments: (usize, usize),
    /// Tasks synced, of how many.
    pub tasks: (usize, usize),
    /// Contacts synced, of how many.
    pub contacts: (usize, usize),
}

impl UserProgress {
    /// Items synced and items in all.
    pub fn total(&self) -> (usize, usize) {
        let parts = [self.appointments, self.tasks, self.contacts];
        (
            parts.iter().map(|p| p.0).sum(),
            parts.iter().map(|p| p.1).sum(),
        )
    }

    /// Items of `kind` synced, of how many.
    pub fn of(&self, kind: ItemKind) -> (usize, usize) {
        match kind {
            ItemKind::Appointment => self.appointments,
            ItemKind::Task => self.tasks,
            ItemKind::Contact => self.contacts,
        }
    }

    /// True when every item is synced.
    pub fn is_done(&self) -> bool {
        let (done, all) = self.total();
        done >= all
    }

    /// The user's line in `lang`: login, bar, counts, and the counts per kind.
    pub fn line(&self, lang: Lang) -> String {
        let (done, all) = self.total();
        let part = |(done, all): (usize, usize)| format!("{done}/{all}");
        format!(
            "  {:<8} {} {:>3}/{:<3} {} {:<5} {} {:<5} {} {}",
            self.login,
            bar(done, all),
            done,
            all,
            tr_in!(lang, "demo-progress-appointments"),
            part(self.appointments),
            tr_in!(lang, "demo-progress-tasks"),
            part(self.tasks),
            tr_in!(lang, "demo-progress-contacts"),
            part(self.contacts)
        )
    }
}

/// `[#####---------------]`: the share `done` of `all` in `#`.
pub fn bar(done: usize, all: usize) -> String {
    let filled = (done.min(all) * BAR_WIDTH)
        .checked_div(all)
        .unwrap_or(BAR_WIDTH);
    format!("[{}{}]", "#".repeat(filled), "-".repeat(BAR_WIDTH - filled))
}

/// Prints progress updates to stdout.
#[derive(Debug)]
pub struct ProgressPrinter {
    in_place: bool,
    shown: Vec<String>,
}

impl ProgressPrinter {
    /// In place when stdout is a terminal, line by line otherwise.
    pub fn for_stdout() -> Self {
        ProgressPrinter {
            in_place: std::io::stdout().is_terminal(),
            shown: Vec::new(),
        }
    }

    /// Shows `users` in `lang`: the lines that changed since the last call (every line the
    /// first time).
    pub fn show(&mut self, lang: Lang, users: &[UserProgress]) {
        let lines: Vec<String> = users.iter().map(|user| user.line(lang)).collect();
        let mut out = std::io::stdout().lock();
        if self.in_place {
            if lines != self.shown {
                if !self.shown.is_empty() {
                    // Back to the first bar, then overwrite every line.
                    let _ = write!(out, "\x1b[{}A", self.shown.len());
                }
                for line in &lines {
                    let _ = writeln!(out, "\r{line}\x1b[K");
                }
            }
        } else {
            for (index, line) in lines.iter().enumerate() {
                if self.shown.get(index) != Some(line) {
                    let _ = writeln!(out, "{line}");
                }
            }
        }
        let _ = out.flush();
        self.shown = lines;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_show_the_share_done() {
        assert_eq!(bar(0, 10), format!("[{}]", "-".repeat(20)));
        assert_eq!(
            bar(5, 10),
            format!("[{}{}]", "#".repeat(10), "-".repeat(10))
        );
        assert_eq!(bar(10, 10), format!("[{}]", "#".repeat(20)));
        assert_eq!(bar(12, 10), bar(10, 10), "never more than full");
        assert_eq!(bar(0, 0), bar(1, 1), "nothing to do is done");
    }

    #[test]
    fn a_line_names_the_user_and_counts_each_kind() {
        let progress = UserProgress {
            login: "anna".into(),
            appointments: (3, 3),
            tasks: (1, 2),
            contacts: (0, 4),
        };
        assert_eq!(progress.total(), (4, 9));
        assert_eq!(progress.of(ItemKind::Task), (1, 2));
        assert!(!progress.is_done());
        let line = progress.line(Lang::English);
        assert!(line.starts_with("  anna "), "{line}");
        assert!(line.contains("  4/9 "), "{line}");
        assert!(line.contains("appointments 3/3"), "{line}");
        assert!(line.contains("tasks 1/2"), "{line}");
        assert!(line.ends_with("contacts 0/4"), "{line}");
        let line = progress.line(Lang::German);
        assert!(line.contains("Termine 3/3"), "{line}");
        assert!(line.contains("Aufgaben 1/2"), "{line}");
        assert!(line.ends_with("Kontakte 0/4"), "{line}");
    }
}
