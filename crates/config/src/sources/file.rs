//! Reads `exsync.toml` into raw entries, each with the line it was written on.
//!
//! Invariant: every table and key in the file is either a known section, a known key, or
//! reported as unknown; syntax errors are reported with line and column and the parser's
//! expectation only, never with the text of the offending line (it may hold a secret).

use std::path::Path;

use toml::de::{DeTable, DeValue};

use super::{Entry, Raw};
use crate::error::{ConfigError, Origin};
use crate::keys;

/// Reads and parses the file. `None` when it cannot be read or is not valid TOML (the errors
/// say why); later checks are then skipped, as they would only repeat the damage.
pub(crate) fn read(path: &Path, errors: &mut Vec<ConfigError>) -> Option<Vec<Entry>> {
    match std::fs::read_to_string(path) {
        Ok(text) => parse(&text, path, errors),
        Err(error) => {
            errors.push(ConfigError::File {
                path: path.to_owned(),
                reason: error.to_string(),
            });
            None
        }
    }
}

/// Parses TOML text; `path` is only used to say where things are.
pub(crate) fn parse(text: &str, path: &Path, errors: &mut Vec<ConfigError>) -> Option<Vec<Entry>> {
    let (document, syntax_errors) = DeTable::parse_recoverable(text);
    if !syntax_errors.is_empty() {
        for error in syntax_errors {
            let offset = error.span().map_or(0, |span| span.start);
            let (line, column) = position(text, offset);
            errors.push(ConfigError::Syntax {
                path: path.to_owned(),
                line,
                column,
                message: error.message().to_owned(),
            });
        }
        return None;
    }
    let mut walker = Walker {
        text,
        path,
        entries: Vec::new(),
        errors: Vec::new(),
    };
    walker.table(document.get_ref(), "");
    // The parser keeps tables sorted by key; report in the order of the file.
    let line = |origin: &Origin| match origin {
        Origin::File { line, .. } => *line,
        _ => 0,
    };
    walker.entries.sort_by_key(|entry| line(&entry.origin));
    walker.errors.sort_by_key(|error| match error {
        ConfigError::UnknownKey { origin, .. } | ConfigError::Invalid { origin, .. } => {
            line(origin)
        }
        _ => 0,
    });
    errors.extend(walker.errors);
    Some(walker.entries)
}

struct Walker<'a> {
    text: &'a str,
    path: &'a Path,
    entries: Vec<Entry>,
    errors: Vec<ConfigError>,
}

impl Walker<'_> {
    fn table(&mut self, table: &DeTable<'_>, prefix: &str) {
        for (key, value) in table.iter() {
            let name = if prefix.is_empty() {
                key.get_ref().to_string()
            } else {
                format!("{prefix}.{}", key.get_ref())
            };
            let origin = Origin::File {
                path: self.path.to_owned(),
                line: position(self.text, key.span().start).0,
            };
            self.value(value.get_ref(), name, origin);
        }
    }

    fn value(&mut self, value: &DeValue<'_>, name: String, origin: Origin) {
        if let Some(section) = keys::SECTIONS.iter().find(|s| **s == name) {
            match value {
                DeValue::Table(table) => self.table(table, &name),
                _ => self.errors.push(ConfigError::Invalid {
                    origin,
                    key: section,
                    value: None,
                    expected: format!("must be a section ([{section}]), not a single value"),
                }),
            }
            return;
        }
        match keys::lookup(&name) {
            Some(key) => self.entries.push(Entry {
                key,
                raw: raw(value),
                origin,
            }),
            None => self.errors.push(ConfigError::UnknownKey {
                origin,
                suggestion: keys::suggest(&name),
                key: name,
            }),
        }
    }
}

fn raw(value: &DeValue<'_>) -> Raw {
    match value {
        DeValue::String(text) => Raw::Text(text.to_string()),
        DeValue::Integer(int) => i64::from_str_radix(int.as_str(), int.radix())
            .map_or(Raw::Other("a number too large"), Raw::Int),
        DeValue::Float(float) => float
            .as_str()
            .parse()
            .map_or(Raw::Other("a decimal number"), Raw::Float),
        DeValue::Boolean(flag) => Raw::Bool(*flag),
        DeValue::Datetime(datetime) => Raw::Datetime(*datetime),
        DeValue::Array(_) => Raw::Other("a list"),
        DeValue::Table(_) => Raw::Other("a table"),
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn position(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &str) -> (Vec<Entry>, Vec<ConfigError>) {
        let mut errors = Vec::new();
        let entries = parse(text, Path::new("t.toml"), &mut errors).expect("valid TOML");
        (entries, errors)
    }

    #[test]
    fn keys_carry_their_line() {
        let (entries, errors) = parse_ok("[sync]\n\nmonths_past = 3\n");
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].key.name, "sync.months_past");
        assert_eq!(
            entries[0].origin,
            Origin::File {
                path: "t.toml".into(),
                line: 3
            }
        );
    }

    #[test]
    fn dotted_keys_and_nested_sections_are_understood() {
        let (entries, errors) =
            parse_ok("sync.months_past = 1\n[exchange.online]\ntenant_id = \"t\"\n");
        assert!(errors.is_empty(), "{errors:?}");
        let names: Vec<_> = entries.iter().map(|e| e.key.name).collect();
        assert_eq!(names, ["sync.months_past", "exchange.online.tenant_id"]);
    }

    #[test]
    fn unknown_sections_and_keys_are_reported_with_a_hint() {
        let mut errors = Vec::new();
        let text = "[synk]\nmonths_past = 1\n[sync]\nmonth_past = 2\n";
        parse(text, Path::new("t.toml"), &mut errors).expect("valid TOML");
        let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            [
                "t.toml:1: unknown key synk: did you mean sync?",
                "t.toml:4: unknown key sync.month_past: did you mean sync.months_past?",
            ]
        );
    }

    #[test]
    fn a_section_given_as_a_value_is_refused() {
        let (_, errors) = parse_ok("sync = 3\n");
        assert_eq!(
            errors[0].to_string(),
            "t.toml:1: sync: must be a section ([sync]), not a single value"
        );
    }

    #[test]
    fn syntax_errors_have_a_position_but_not_the_line_text() {
        let mut errors = Vec::new();
        let text = "[exchange.online]\nclient_secret = \"XW.8Q~topsecret\nother = 1\n";
        assert!(parse(text, Path::new("t.toml"), &mut errors).is_none());
        assert!(!errors.is_empty());
        for error in &errors {
            let message = error.to_string();
            assert!(message.starts_with("t.toml:2:"), "{message}");
            assert!(!message.contains("topsecret"), "{message}");
        }
    }

    #[test]
    fn positions_count_lines_and_characters() {
        assert_eq!(position("ab\ncä\nd", 0), (1, 1));
        assert_eq!(position("ab\ncä\nd", 3), (2, 1));
        assert_eq!(position("ab\ncä\nd", 6), (2, 3));
    }
}
