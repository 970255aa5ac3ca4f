//! Asking on the terminal: a visible answer read from standard input, a secret read from the
//! terminal without echo.
//!
//! Invariant: echo is switched off before the question for a secret is printed and switched
//! back on when the answer was read (also when reading fails), so no character of a secret is
//! ever shown.

use std::io::{BufRead as _, Write as _};

use exsync_config::SecretString;
use exsync_i18n::tr;

/// Asks questions and says things; the terminal, or a script in tests.
pub(super) trait Prompter {
    /// Prints `question` and reads a visible answer (without the line end).
    fn line(&mut self, question: &str) -> anyhow::Result<String>;
    /// Prints `question` and reads an answer without echo.
    fn hidden(&mut self, question: &str) -> anyhow::Result<SecretString>;
    /// Prints a line (a hint or why an answer was refused).
    fn say(&mut self, text: &str);
}

/// The terminal: questions on standard error, answers from standard input, secrets from the
/// terminal device.
pub(super) struct Terminal;

impl Prompter for Terminal {
    fn line(&mut self, question: &str) -> anyhow::Result<String> {
        let mut stderr = std::io::stderr();
        write!(stderr, "{question}")?;
        stderr.flush()?;
        let mut answer = String::new();
        if std::io::stdin().lock().read_line(&mut answer)? == 0 {
            anyhow::bail!(tr!("config-input-ended"));
        }
        Ok(answer.trim_end_matches(['\r', '\n']).to_owned())
    }

    fn hidden(&mut self, question: &str) -> anyhow::Result<SecretString> {
        read_hidden(question)
    }

    fn say(&mut self, text: &str) {
        eprintln!("{text}");
    }
}

/// Reads a line from standard input that is not a terminal (`--secret-stdin`, `config set KEY`
/// in a pipe).
pub(super) fn read_stdin_line() -> anyhow::Result<SecretString> {
    let mut line = String::new();
    if std::io::stdin().lock().read_line(&mut line)? == 0 {
        anyhow::bail!(tr!("config-input-ended"));
    }
    Ok(SecretString::from(line.trim_end_matches(['\r', '\n'])))
}

/// Unix: echo off on the controlling terminal, question, answer, echo back as it was.
#[cfg(unix)]
fn read_hidden(question: &str) -> anyhow::Result<SecretString> {
    use rustix::termios::{LocalModes, OptionalActions, tcgetattr, tcsetattr};

    let tty = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")?;
    let original = tcgetattr(&tty)?;
    let mut quiet = original.clone();
    quiet.local_modes.remove(LocalModes::ECHO);
    quiet.local_modes.insert(LocalModes::ECHONL);
    tcsetattr(&tty, OptionalActions::Now, &quiet)?;
    let result = (|| -> anyhow::Result<String> {
        let mut out = &tty;
        write!(out, "{question}")?;
        out.flush()?;
        let mut answer = String::new();
        if std::io::BufReader::new(&tty).read_line(&mut answer)? == 0 {
            anyhow::bail!(tr!("config-input-ended"));
        }
        Ok(answer)
    })();
    tcsetattr(&tty, OptionalActions::Now, &original)?;
    let answer = result?;
    Ok(SecretString::from(answer.trim_end_matches(['\r', '\n'])))
}

/// Windows: the console without echo.
#[cfg(windows)]
fn read_hidden(question: &str) -> anyhow::Result<SecretString> {
    Ok(SecretString::from(rpassword::prompt_password(question)?))
}

#[cfg(not(any(unix, windows)))]
fn read_hidden(_question: &str) -> anyhow::Result<SecretString> {
    anyhow::bail!(tr!("config-no-hidden-input"))
}
