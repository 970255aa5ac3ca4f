//! The questions of `exsync config init`: only what a first setup needs (which Exchange and
//! how to sign in, the business database, the sync window, the data types and their
//! directions, the body rule); everything else keeps its default.
//!
//! Invariants: each answer is checked by the configuration loader before the next question
//! (a refused answer is asked again, with the loader's reason); the default offered is the
//! loader's own default (except `exchange.kind`, where `online` is offered: a first setup is
//! for a real Exchange, the emulator needs none); secrets are asked without echo.

use std::path::Path;

use exsync_config::{Config, ConfigDocument, ConfigErrors, ExposeSecret as _, ShownValue};
use exsync_i18n::tr;

use super::prompt::Prompter;

/// What `exchange.kind` question offers (and a script gets without `--set exchange.kind=...`).
pub(super) const PROPOSED_KIND: &str = "online";

/// `exchange.server.auth`'s default in the loader (the key is not in the default
/// configuration, which uses the emulator).
const SERVER_AUTH_DEFAULT: &str = "ntlm";

/// The questions after Exchange and the database, with their labels.
const GENERAL: &[(&str, &str)] = &[
    ("sync.months_past", "config-ask-months-past"),
    ("sync.months_future", "config-ask-months-future"),
    ("sync.appointments", "config-ask-appointments"),
    ("sync.tasks", "config-ask-tasks"),
    ("sync.contacts", "config-ask-contacts"),
    ("sync.body", "config-ask-body"),
];

/// The loader's default value of `key`, as `config show` prints it.
fn default_of(key: &str) -> Option<String> {
    match Config::default().shown_value(key) {
        Some(ShownValue::Value(value)) => Some(value),
        _ => None,
    }
}

/// Checks a draft of the file for errors about `key` only (others may be answered later).
pub(super) fn about<'a>(
    key: &'a str,
    path: &'a Path,
) -> impl FnMut(&str) -> Result<(), ConfigErrors> + 'a {
    move |text| match Config::load_text(text, path, Vec::new()) {
        Ok(_) => Ok(()),
        Err(errors) => errors.only_about(key).map_or(Ok(()), Err),
    }
}

/// The file a script gets: the answer Enter would give to every question.
pub(super) fn defaults(path: &Path) -> anyhow::Result<ConfigDocument> {
    let mut doc = ConfigDocument::new();
    let mut set = |key: &str, value: &str| {
        doc.set_typed(key, value, about(key, path))
            .map(drop)
            .map_err(super::edit_error)
    };
    set("exchange.kind", PROPOSED_KIND)?;
    set(
        "database.url",
        &default_of("database.url").unwrap_or_default(),
    )?;
    for (key, _) in GENERAL {
        if let Some(value) = default_of(key) {
            set(key, &value)?;
        }
    }
    Ok(doc)
}

/// Asks every question and returns the file's content.
pub(super) fn interview(p: &mut dyn Prompter, path: &Path) -> anyhow::Result<ConfigDocument> {
    let mut session = Session {
        p,
        path,
        doc: ConfigDocument::new(),
    };
    session.p.say(&tr!("config-init-intro"));
    let kind = session
        .ask("exchange.kind", "config-ask-kind", Some(PROPOSED_KIND))?
        .unwrap_or_default();
    match kind.as_str() {
        "online" => session.online()?,
        "server" => session.server()?,
        _ => {}
    }
    session.database()?;
    for (key, label) in GENERAL {
        session.ask(key, label, default_of(key).as_deref())?;
    }
    Ok(session.doc)
}

struct Session<'a> {
    p: &'a mut dyn Prompter,
    path: &'a Path,
    doc: ConfigDocument,
}

/// Whether a question may be left empty.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Need {
    Required,
    Optional,
}

impl Session<'_> {
    /// `label (key) [default]: `.
    fn question(&self, key: &str, label: &str, default: Option<&str>) -> String {
        match default {
            Some(default) => format!("{} ({key}) [{default}]: ", tr!(label)),
            None => format!("{} ({key}): ", tr!(label)),
        }
    }

    /// Asks for `key` until the loader accepts the answer; Enter takes `default`. Returns the
    /// value written.
    fn ask(
        &mut self,
        key: &str,
        label: &str,
        default: Option<&str>,
    ) -> anyhow::Result<Option<String>> {
        self.ask_with(key, label, default, Need::Required)
    }

    fn ask_with(
        &mut self,
        key: &str,
        label: &str,
        default: Option<&str>,
        need: Need,
    ) -> anyhow::Result<Option<String>> {
        let question = match (default, need) {
            (None, Need::Optional) => self.question(key, label, Some(&tr!("config-ask-none"))),
            _ => self.question(key, label, default),
        };
        loop {
            let answer = self.p.line(&question)?;
            let answer = answer.trim();
            let value = match (answer.is_empty(), default, need) {
                (false, _, _) => answer.to_owned(),
                (true, Some(default), _) => default.to_owned(),
                (true, None, Need::Optional) => return Ok(None),
                (true, None, Need::Required) => {
                    self.p.say(&tr!("config-ask-required"));
                    continue;
                }
            };
            match self.doc.set_typed(key, &value, about(key, self.path)) {
                Ok(_) => return Ok(Some(value)),
                Err(error) => self.p.say(&super::edit_error(error).to_string()),
            }
        }
    }

    /// Asks for a secret without echo until the loader accepts it. Returns whether one was
    /// given.
    fn ask_secret(&mut self, key: &str, label: &str, need: Need) -> anyhow::Result<bool> {
        let question = match need {
            Need::Required => self.question(key, label, None),
            Need::Optional => self.question(key, label, Some(&tr!("config-ask-none"))),
        };
        loop {
            let secret = self.p.hidden(&question)?;
            let secret = secret.expose_secret().trim();
            if secret.is_empty() {
                if need == Need::Optional {
                    return Ok(false);
                }
                self.p.say(&tr!("config-ask-required"));
                continue;
            }
            let mut draft = self.doc.clone();
            draft.set_text(key, secret).map_err(super::edit_error)?;
            match about(key, self.path)(&draft.to_string()) {
                Ok(()) => {
                    self.doc = draft;
                    return Ok(true);
                }
                Err(errors) => self.p.say(&errors.to_string()),
            }
        }
    }

    /// One of `words` (not a key of its own).
    fn choose(&mut self, label: &str, words: &[&str], default: &str) -> anyhow::Result<String> {
        let question = format!("{} ({}) [{default}]: ", tr!(label), words.join(", "));
        loop {
            let answer = self.p.line(&question)?;
            let answer = answer.trim();
            if answer.is_empty() {
                return Ok(default.to_owned());
            }
            if let Some(word) = words.iter().find(|w| w.eq_ignore_ascii_case(answer)) {
                return Ok((*word).to_owned());
            }
            self.p
                .say(&tr!("config-ask-one-of", words = words.join(", ")));
        }
    }

    /// Exchange Online: the app registration and its credential.
    fn online(&mut self) -> anyhow::Result<()> {
        self.ask("exchange.online.tenant_id", "config-ask-tenant", None)?;
        self.ask("exchange.online.client_id", "config-ask-client-id", None)?;
        let credential = self.choose(
            "config-ask-credential",
            &["secret", "certificate"],
            "secret",
        )?;
        if credential == "secret" {
            self.ask_secret(
                "exchange.online.client_secret",
                "config-ask-client-secret",
                Need::Required,
            )?;
        } else {
            self.ask(
                "exchange.online.certificate_file",
                "config-ask-certificate",
                None,
            )?;
            self.ask_secret(
                "exchange.online.certificate_password",
                "config-ask-certificate-password",
                Need::Optional,
            )?;
        }
        self.ask_with(
            "exchange.online.client_secret_expires_on",
            "config-ask-expires-on",
            None,
            Need::Optional,
        )?;
        Ok(())
    }

    /// Exchange Server: the EWS endpoint and the service account.
    fn server(&mut self) -> anyhow::Result<()> {
        self.ask("exchange.server.ews_url", "config-ask-ews-url", None)?;
        let auth = self
            .ask(
                "exchange.server.auth",
                "config-ask-ews-auth",
                Some(SERVER_AUTH_DEFAULT),
            )?
            .unwrap_or_default();
        if auth == "bearer" {
            self.ask_secret(
                "exchange.server.token",
                "config-ask-ews-token",
                Need::Required,
            )?;
        } else {
            self.ask("exchange.server.username", "config-ask-ews-username", None)?;
            self.ask_secret(
                "exchange.server.password",
                "config-ask-ews-password",
                Need::Required,
            )?;
        }
        Ok(())
    }

    /// The database URL, and for a PostgreSQL user without a password in the URL, the
    /// password without echo (put into the URL, percent-encoded).
    fn database(&mut self) -> anyhow::Result<()> {
        let default = default_of("database.url");
        let Some(url) = self.ask("database.url", "config-ask-database", default.as_deref())? else {
            return Ok(());
        };
        let Some((before, after)) = postgres_user_without_password(&url) else {
            return Ok(());
        };
        let question = self.question(
            "database.url",
            "config-ask-database-password",
            Some(&tr!("config-ask-none")),
        );
        let password = self.p.hidden(&question)?;
        let password = password.expose_secret();
        if !password.is_empty() {
            let with_password = format!("{before}:{}@{after}", percent_encode(password));
            self.doc
                .set_text("database.url", &with_password)
                .map_err(super::edit_error)?;
        }
        Ok(())
    }
}

/// For `postgres://user@host/db`: (`postgres://user`, `host/db`); `None` when the URL is not
/// PostgreSQL, names no user or already has a password.
fn postgres_user_without_password(url: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = url.split_once("://")?;
    if scheme != "postgres" && scheme != "postgresql" {
        return None;
    }
    let authority = rest.split('/').next().unwrap_or(rest);
    let at = authority.rfind('@')?;
    let user = &authority[..at];
    if user.is_empty() || user.contains(':') {
        return None;
    }
    let split = scheme.len() + 3 + at;
    Some((&url[..split], &url[split + 1..]))
}

/// Every byte but the URL-safe ones as `%XX`.
fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;

    use exsync_config::SecretString;

    use super::*;

    /// Answers from a list; records what was said.
    struct Script {
        answers: VecDeque<&'static str>,
        said: Vec<String>,
        asked: Vec<String>,
    }

    impl Script {
        fn new(answers: &[&'static str]) -> Self {
            Script {
                answers: answers.iter().copied().collect(),
                said: Vec::new(),
                asked: Vec::new(),
            }
        }

        fn next(&mut self, question: &str) -> anyhow::Result<String> {
            self.asked.push(question.to_owned());
            self.answers
                .pop_front()
                .map(str::to_owned)
                .ok_or_else(|| anyhow::anyhow!("no answer for {question}"))
        }
    }

    impl Prompter for Script {
        fn line(&mut self, question: &str) -> anyhow::Result<String> {
            self.next(question)
        }
        fn hidden(&mut self, question: &str) -> anyhow::Result<SecretString> {
            self.next(&format!("(hidden) {question}"))
                .map(SecretString::from)
        }
        fn say(&mut self, text: &str) {
            self.said.push(text.to_owned());
        }
    }

    #[test]
    fn online_with_a_secret_and_a_refused_answer() {
        let mut script = Script::new(&[
            "",
            "contoso.onmicrosoft.com",
            "8E47E025-E175-4A96-85BE-59EE5E49E632",
            "",
            "",
            "XW.8Q~secret",
            "2027-05-31",
            "postgres://exsync@db.example.com/erp",
            "p@ss:word",
            "200",
            "12",
            "",
            "",
            "off",
            "",
            "never",
        ]);
        let doc = interview(&mut script, Path::new("exsync.toml")).expect("answered");
        let text = doc.to_string();
        assert!(text.contains("kind = \"online\""), "{text}");
        assert!(text.contains("client_secret = \"XW.8Q~secret\""), "{text}");
        assert!(
            text.contains("client_secret_expires_on = 2027-05-31"),
            "{text}"
        );
        assert!(
            text.contains("url = \"postgres://exsync:p%40ss%3Aword@db.example.com/erp\""),
            "{text}"
        );
        assert!(text.contains("months_past = 12"), "{text}");
        assert!(text.contains("tasks = \"off\""), "{text}");
        assert!(text.contains("body = \"never\""), "{text}");
        assert!(
            script.said.iter().any(|s| s.contains("sync.months_past")),
            "200 months refused: {:?}",
            script.said
        );
        assert!(
            script.said.contains(&tr!("config-ask-required")),
            "the empty secret was asked again: {:?}",
            script.said
        );
        assert!(
            script
                .asked
                .iter()
                .any(|q| q.starts_with("(hidden)") && q.contains("exchange.online.client_secret")),
            "{:?}",
            script.asked
        );
        Config::load_text(&text, Path::new("exsync.toml"), Vec::new()).expect("loads");
    }

    #[test]
    fn scripts_get_the_default_answers() {
        let text = defaults(Path::new("exsync.toml"))
            .expect("defaults")
            .to_string();
        assert_eq!(
            text,
            "[database]\nurl = \"sqlite://exsync.db\"\n\n[sync]\nmonths_past = 6\nmonths_future = 17\n\
             appointments = \"both\"\ntasks = \"both\"\ncontacts = \"export\"\nbody = \"export_only\"\n\n\
             [exchange]\nkind = \"online\"\n"
        );
    }

    #[test]
    fn postgres_urls_get_the_password_in_the_right_place() {
        assert_eq!(
            postgres_user_without_password("postgres://ex@db:5432/erp"),
            Some(("postgres://ex", "db:5432/erp"))
        );
        assert_eq!(
            postgres_user_without_password("postgres://ex:pw@db/erp"),
            None
        );
        assert_eq!(postgres_user_without_password("postgres://db/erp"), None);
        assert_eq!(postgres_user_without_password("sqlite://x.db"), None);
        assert_eq!(percent_encode("a b/ü"), "a%20b%2F%C3%BC");
    }
}
