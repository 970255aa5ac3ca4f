//! Reads the `appSettings` of a .NET `*.exe.config` file: `<add key=".." value=".."/>`, with
//! `<remove key=".."/>` and `<clear/>` applied as .NET applies them.
//!
//! Invariant: values are held as secrets from the moment they are read (any of them may be one,
//! e.g. `AzureClientSecret`), and no error repeats a value or the text of a line: errors give
//! the line and what is wrong with the structure only.

use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};
use secrecy::SecretString;

/// One `<add key=".." value=".."/>` in effect after the file is read.
pub(crate) struct AppSetting {
    /// The key, as written.
    pub(crate) key: String,
    /// The value (trimmed).
    pub(crate) value: SecretString,
    /// The line of the `<add>` element.
    pub(crate) line: usize,
}

/// Why the settings could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ReadError {
    /// Not well-formed XML, at this line.
    NotXml { line: usize, reason: String },
    /// No `<appSettings>` section under `<configuration>`.
    NoAppSettings,
}

/// The text of a file: UTF-8 (with or without byte order mark) or UTF-16 with a byte order
/// mark, as Windows tools write it. `None` when it is neither.
pub(crate) fn decode(bytes: &[u8]) -> Option<String> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return String::from_utf8(rest.to_vec()).ok();
    }
    let utf16 = |rest: &[u8], little: bool| {
        let units = rest.chunks_exact(2).map(|pair| {
            let bytes = [pair[0], pair[1]];
            if little {
                u16::from_le_bytes(bytes)
            } else {
                u16::from_be_bytes(bytes)
            }
        });
        char::decode_utf16(units)
            .collect::<Result<String, _>>()
            .ok()
    };
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(rest, true);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(rest, false);
    }
    String::from_utf8(bytes.to_vec()).ok()
}

/// The settings in effect, in the order of the file (a key added twice counts once, at its
/// last value and place, as .NET reads it).
pub(crate) fn read(text: &str) -> Result<Vec<AppSetting>, ReadError> {
    let mut reader = Reader::from_str(text);
    let mut path: Vec<String> = Vec::new();
    let mut settings: Vec<AppSetting> = Vec::new();
    let mut found = false;
    loop {
        let position = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let line = line_of(text, position);
        let event = reader.read_event().map_err(|error| ReadError::NotXml {
            line: line_of(
                text,
                usize::try_from(reader.error_position()).unwrap_or(position),
            ),
            reason: describe(&error),
        })?;
        match event {
            Event::Start(element) => {
                let name = local_name(&element);
                if is_app_settings(&path, &name) {
                    found = true;
                } else if in_app_settings(&path) {
                    apply(&mut settings, &name, &element, line)?;
                }
                path.push(name);
            }
            Event::Empty(element) => {
                let name = local_name(&element);
                if is_app_settings(&path, &name) {
                    found = true;
                } else if in_app_settings(&path) {
                    apply(&mut settings, &name, &element, line)?;
                }
            }
            Event::End(_) => {
                path.pop();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if found {
        Ok(settings)
    } else {
        Err(ReadError::NoAppSettings)
    }
}

fn is_app_settings(path: &[String], name: &str) -> bool {
    name == "appSettings" && path.len() == 1 && path[0] == "configuration"
}

fn in_app_settings(path: &[String]) -> bool {
    path.len() == 2 && path[0] == "configuration" && path[1] == "appSettings"
}

fn local_name(element: &BytesStart<'_>) -> String {
    let name = element.local_name();
    let name: &str = name.as_ref();
    name.to_owned()
}

/// `<add>`, `<remove>` or `<clear>` inside `<appSettings>`; other elements are ignored.
fn apply(
    settings: &mut Vec<AppSetting>,
    name: &str,
    element: &BytesStart<'_>,
    line: usize,
) -> Result<(), ReadError> {
    let attribute = |wanted: &str| -> Result<Option<String>, ReadError> {
        for attribute in element.attributes() {
            let attribute = attribute.map_err(|_| ReadError::NotXml {
                line,
                reason: "an attribute is malformed".to_owned(),
            })?;
            if attribute.key.local_name().as_ref() == wanted {
                let value = attribute
                    .normalized_value(XmlVersion::Implicit1_0)
                    .map_err(|_| ReadError::NotXml {
                        line,
                        reason: format!("the {wanted} attribute holds an unknown entity (&...;)"),
                    })?;
                return Ok(Some(value.into_owned()));
            }
        }
        Ok(None)
    };
    match name {
        "add" => {
            let Some(key) = attribute("key")? else {
                return Err(ReadError::NotXml {
                    line,
                    reason: "<add> without a key attribute".to_owned(),
                });
            };
            let value = attribute("value")?.unwrap_or_default();
            settings.retain(|setting| setting.key != key);
            settings.push(AppSetting {
                key,
                value: SecretString::from(value.trim()),
                line,
            });
        }
        "remove" => {
            if let Some(key) = attribute("key")? {
                settings.retain(|setting| setting.key != key);
            }
        }
        "clear" => settings.clear(),
        _ => {}
    }
    Ok(())
}

/// The parser's complaint about the structure, without any of the document's text.
fn describe(error: &quick_xml::Error) -> String {
    match error {
        quick_xml::Error::Syntax(syntax) => syntax.to_string(),
        quick_xml::Error::IllFormed(_) => "elements are not closed in order".to_owned(),
        _ => "not well-formed XML".to_owned(),
    }
}

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

    use super::*;

    fn pairs(text: &str) -> Vec<(String, String, usize)> {
        read(text)
            .expect("readable")
            .into_iter()
            .map(|s| (s.key, s.value.expose_secret().to_owned(), s.line))
            .collect()
    }

    #[test]
    fn add_remove_and_clear_work_as_in_dotnet() {
        let text = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<configuration>\n\
            <startup><supportedRuntime version=\"v4.0\"/></startup>\n<appSettings>\n\
            <add key=\"A\" value=\"1\"/>\n<add key=\"B\" value=\" 2 \"/>\n\
            <!-- <add key=\"C\" value=\"3\"/> -->\n<add key=\"A\" value=\"x &amp; y\"/>\n\
            <remove key=\"B\"/>\n</appSettings>\n</configuration>\n";
        assert_eq!(pairs(text), [("A".into(), "x & y".into(), 8)]);
        let cleared = "<configuration><appSettings><add key=\"A\" value=\"1\"/><clear/>\
            <add key=\"B\" value=\"2\"/></appSettings></configuration>";
        assert_eq!(pairs(cleared), [("B".into(), "2".into(), 1)]);
    }

    #[test]
    fn structure_errors_name_the_line_not_the_text() {
        let text = "<configuration>\n<appSettings>\n<add key=\"AzureClientSecret\" value=\"XW.8Q~top&secret;\"/>\n</appSettings>\n</configuration>";
        let Err(ReadError::NotXml { line, reason }) = read(text) else {
            panic!("not refused")
        };
        assert_eq!(line, 3);
        assert!(!reason.contains("secret"), "{reason}");
        assert!(matches!(
            read("<configuration>\n<appSettings>\n</configuration>"),
            Err(ReadError::NotXml { .. })
        ));
        assert_eq!(
            read("<configuration><connectionStrings/></configuration>").err(),
            Some(ReadError::NoAppSettings)
        );
    }

    #[test]
    fn windows_encodings_are_understood() {
        let text = "<configuration><appSettings><add key=\"Ä\" value=\"ö\"/></appSettings></configuration>";
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(text.as_bytes());
        assert_eq!(decode(&bom).as_deref(), Some(text));
        let mut utf16 = vec![0xFF, 0xFE];
        for unit in text.encode_utf16() {
            utf16.extend_from_slice(&unit.to_le_bytes());
        }
        assert_eq!(decode(&utf16).as_deref(), Some(text));
        assert_eq!(decode(&[0xC3, 0x28]), None);
    }
}
