//! TEXT values: backslash escapes (RFC 5545 §3.3.11, RFC 6350 §3.4), lists and structured
//! values split at unescaped separators, and the quoted-printable/charset encodings of vCard 2.1.
//!
//! Invariant: `unescape(&escape(s)) == s` for every string without `\r` (line breaks are
//! written as `\n`), and splitting never breaks at an escaped separator.

/// Escapes `\`, `;`, `,` and line breaks for a TEXT value.
pub(crate) fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push_str("\\n");
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// Reverses [`escape`]; also accepts `\N` and the stray `\:` some producers write.
pub(crate) fn unescape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n' | 'N') => out.push('\n'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// Splits a raw value at every `separator` not preceded by a backslash; the parts stay escaped.
pub(crate) fn split_raw(value: &str, separator: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut escaped = false;
    for (i, c) in value.char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == separator {
            parts.push(&value[start..i]);
            start = i + c.len_utf8();
        }
    }
    parts.push(&value[start..]);
    parts
}

/// A comma-separated TEXT list (CATEGORIES), unescaped, blanks dropped.
pub(crate) fn text_list(value: &str) -> Vec<String> {
    split_raw(value, ',')
        .into_iter()
        .map(unescape)
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Decodes quoted-printable (`=XX` escapes; soft line breaks are already removed).
pub(crate) fn decode_quoted_printable(value: &str) -> Vec<u8> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'=', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    out
}

/// Windows-1252 code points for bytes 0x80..=0x9F (where it differs from ISO-8859-1).
const CP1252_HIGH: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž', '\u{8F}',
    '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}', 'ž', 'Ÿ',
];

/// Decodes `bytes` in `charset` (UTF-8, ISO-8859-1, Windows-1252, US-ASCII); unknown charsets
/// are read as UTF-8 where valid, else as Windows-1252.
pub(crate) fn decode_charset(bytes: &[u8], charset: &str) -> String {
    let charset = charset.trim().to_ascii_lowercase();
    let single_byte = |cp1252: bool| {
        bytes
            .iter()
            .map(|b| match b {
                0x80..=0x9F if cp1252 => CP1252_HIGH[usize::from(b - 0x80)],
                _ => char::from(*b),
            })
            .collect::<String>()
    };
    match charset.as_str() {
        "iso-8859-1" | "latin1" | "iso8859-1" | "l1" => single_byte(false),
        "windows-1252" | "cp1252" | "iso-8859-15" => single_byte(true),
        _ => match std::str::from_utf8(bytes) {
            Ok(text) => text.to_owned(),
            Err(_) => single_byte(true),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn escapes_and_splits() {
        assert_eq!(escape("a;b,c\\d\ne\r\nf"), "a\\;b\\,c\\\\d\\ne\\nf");
        assert_eq!(unescape("a\\;b\\,c\\\\d\\ne\\Nf\\:g"), "a;b,c\\d\ne\nf:g");
        assert_eq!(split_raw("a\\;b;c;;d", ';'), ["a\\;b", "c", "", "d"]);
        assert_eq!(
            text_list("Kunde, Service\\, intern,,"),
            ["Kunde", "Service, intern"]
        );
    }

    #[test]
    fn quoted_printable_in_several_charsets() {
        let bytes = decode_quoted_printable("M=FCnchen=0D=0AStra=DFe =3D 1");
        assert_eq!(
            decode_charset(&bytes, "Windows-1252"),
            "München\r\nStraße = 1"
        );
        assert_eq!(
            decode_charset(&bytes, "ISO-8859-1"),
            "München\r\nStraße = 1"
        );
        let utf8 = decode_quoted_printable("M=C3=BCnchen =E2=82=AC");
        assert_eq!(decode_charset(&utf8, "utf-8"), "München €");
        assert_eq!(decode_charset(&[0x80, 0x93, 0x94], "windows-1252"), "€“”");
    }

    proptest! {
        #[test]
        fn unescape_reverses_escape(s in "[^\r]*") {
            prop_assert_eq!(unescape(&escape(&s)), s);
        }
    }
}
