//! A database URL, which may carry a password and is therefore held like a secret.
//!
//! Invariant: the URL's text is only reachable through [`DatabaseUrl::expose_secret`];
//! `Debug` and [`DatabaseUrl::redacted`] replace any password (in the user part or in a
//! `password` query parameter) by `********`.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};

/// The mask shown instead of a secret.
pub const MASK: &str = "********";

/// Which database engine a URL points to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatabaseBackend {
    /// An embedded SQLite file (`sqlite:`).
    Sqlite,
    /// A PostgreSQL server (`postgres://` or `postgresql://`).
    Postgres,
}

/// A database URL such as `sqlite://exsync.db` or `postgres://exsync:pw@db/exsync`.
#[derive(Clone)]
pub struct DatabaseUrl {
    url: SecretString,
    backend: DatabaseBackend,
}

impl DatabaseUrl {
    /// Checks the scheme. The error says what is allowed and never repeats the URL.
    pub fn parse(url: &str) -> Result<Self, String> {
        let url = url.trim();
        let backend = if url.starts_with("sqlite:") {
            DatabaseBackend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            DatabaseBackend::Postgres
        } else {
            return Err(
                "must be a sqlite: URL (e.g. sqlite://exsync.db) or a postgres:// \
                 URL (e.g. postgres://exsync@db.example.com/exsync)"
                    .to_owned(),
            );
        };
        let rest = url
            .split_once(':')
            .map_or("", |(_, rest)| rest.trim_start_matches('/'));
        if rest.is_empty() {
            return Err("names no database: add a file name or a host and database".to_owned());
        }
        Ok(DatabaseUrl {
            url: SecretString::from(url),
            backend,
        })
    }

    /// The engine.
    pub fn backend(&self) -> DatabaseBackend {
        self.backend
    }

    /// The full URL, password included: hand it to the database driver and nowhere else.
    pub fn expose_secret(&self) -> &str {
        self.url.expose_secret()
    }

    /// The URL with any password replaced by `********`, safe to log and show.
    pub fn redacted(&self) -> String {
        redact(self.url.expose_secret())
    }
}

impl Default for DatabaseUrl {
    /// The embedded default: `sqlite://exsync.db`.
    fn default() -> Self {
        DatabaseUrl {
            url: SecretString::from("sqlite://exsync.db"),
            backend: DatabaseBackend::Sqlite,
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("DatabaseUrl")
            .field(&self.redacted())
            .finish()
    }
}

/// Masks the password of `scheme://user:password@host/...` and of `password=` parameters.
fn redact(url: &str) -> String {
    let (head, query) = match url.split_once('?') {
        Some((head, query)) => (head, Some(query)),
        None => (url, None),
    };
    let mut out = match head.split_once("://") {
        Some((scheme, rest)) => {
            let authority_end = rest.find('/').unwrap_or(rest.len());
            let (authority, path) = rest.split_at(authority_end);
            let authority = match authority.rsplit_once('@') {
                Some((user_info, host)) => match user_info.split_once(':') {
                    Some((user, _password)) => format!("{user}:{MASK}@{host}"),
                    None => format!("{user_info}@{host}"),
                },
                None => authority.to_owned(),
            };
            format!("{scheme}://{authority}{path}")
        }
        None => head.to_owned(),
    };
    if let Some(query) = query {
        let params: Vec<String> = query
            .split('&')
            .map(|param| match param.split_once('=') {
                Some((name, _)) if name.to_ascii_lowercase().contains("password") => {
                    format!("{name}={MASK}")
                }
                _ => param.to_owned(),
            })
            .collect();
        out.push('?');
        out.push_str(&params.join("&"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_masked_everywhere() {
        let url = DatabaseUrl::parse(
            "postgres://exsync:Sup3rS3cret@db:5432/exsync?sslmode=require&password=Sup3rS3cret",
        )
        .expect("valid");
        assert_eq!(url.backend(), DatabaseBackend::Postgres);
        let shown = url.redacted();
        assert_eq!(
            shown,
            "postgres://exsync:********@db:5432/exsync?sslmode=require&password=********"
        );
        assert!(!format!("{url:?}").contains("Sup3rS3cret"));
        assert!(url.expose_secret().contains("Sup3rS3cret"));
    }

    #[test]
    fn urls_without_password_are_shown_unchanged() {
        for text in [
            "sqlite://exsync.db",
            "sqlite:///var/lib/exsync/exsync.db",
            "postgresql://exsync@db/exsync",
        ] {
            let url = DatabaseUrl::parse(text).expect("valid");
            assert_eq!(url.redacted(), text);
        }
    }

    #[test]
    fn other_schemes_are_refused_without_repeating_the_url() {
        let error = DatabaseUrl::parse("mysql://root:Sup3rS3cret@db/x").expect_err("refused");
        assert!(error.starts_with("must be a sqlite: URL"));
        assert!(!error.contains("Sup3rS3cret"));
        assert!(DatabaseUrl::parse("sqlite://").is_err());
    }
}
