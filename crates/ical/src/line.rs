//! Content lines (RFC 5545 §3.1, RFC 6350 §3.2): unfolding, splitting into name, parameters and
//! value, and writing them back folded at 75 octets.
//!
//! Invariants: reading never fails (a line without a colon is reported, not fatal); writing
//! produces CRLF-terminated lines of at most 75 octets, folded only between UTF-8 characters,
//! and quotes every parameter value that needs it (RFC 6868 caret-encoding for `"`, `^` and
//! line breaks), so [`parse_line`] reads back exactly what [`LineWriter`] wrote.

/// One parameter: upper-cased name and its values (unquoted, RFC 6868-decoded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Param {
    pub(crate) name: String,
    pub(crate) values: Vec<String>,
}

/// One unfolded content line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ContentLine {
    /// Upper-cased property name, without a vCard group prefix (`item1.EMAIL` -> `EMAIL`).
    pub(crate) name: String,
    pub(crate) params: Vec<Param>,
    /// The raw value: not unescaped, not decoded.
    pub(crate) value: String,
    /// 1-based number of the physical line the content line starts on.
    pub(crate) line: usize,
}

impl ContentLine {
    /// The first value of parameter `name`.
    pub(crate) fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|p| p.name == name)
            .and_then(|p| p.values.first())
            .map(String::as_str)
    }

    /// Every value of every `name` parameter, split at commas, lower-cased (for TYPE lists such
    /// as `TYPE=WORK,VOICE`, `TYPE="work,voice"` or repeated `TYPE=` parameters).
    pub(crate) fn param_list(&self, name: &str) -> Vec<String> {
        self.params
            .iter()
            .filter(|p| p.name == name)
            .flat_map(|p| p.values.iter())
            .flat_map(|v| v.split(','))
            .map(|v| v.trim().to_ascii_lowercase())
            .filter(|v| !v.is_empty())
            .collect()
    }

    /// True when parameter `name` has `value` (case-insensitive).
    pub(crate) fn has_param(&self, name: &str, value: &str) -> bool {
        self.param_list(name)
            .iter()
            .any(|v| v.eq_ignore_ascii_case(value))
    }
}

/// Decodes a physical line: UTF-8, or Windows-1252 as older Outlook versions write.
fn decode(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => crate::text::decode_charset(bytes, "windows-1252"),
    }
}

fn is_quoted_printable(head: &[u8]) -> bool {
    let colon = head.iter().position(|b| *b == b':').unwrap_or(head.len());
    head[..colon]
        .to_ascii_uppercase()
        .windows(16)
        .any(|w| w == b"QUOTED-PRINTABLE")
}

/// Splits `bytes` into unfolded logical lines with their starting line numbers. Continuation
/// lines start with a space or tab; a vCard 2.1 quoted-printable value ending in `=` continues
/// on the next line (soft line break). Folding may split UTF-8 sequences, so unfolding works on
/// bytes and decodes afterwards.
pub(crate) fn unfold(bytes: &[u8]) -> Vec<(usize, String)> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut lines: Vec<(usize, Vec<u8>)> = Vec::new();
    let mut soft_break = false;
    for (n, raw) in bytes.split(|b| *b == b'\n').enumerate() {
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        match lines.last_mut() {
            Some((_, last)) if soft_break => last.extend_from_slice(raw),
            Some((_, last)) if raw.first().is_some_and(|b| *b == b' ' || *b == b'\t') => {
                last.extend_from_slice(&raw[1..]);
            }
            _ => lines.push((n + 1, raw.to_vec())),
        }
        soft_break = false;
        if let Some((_, last)) = lines.last_mut()
            && last.ends_with(b"=")
            && is_quoted_printable(last)
        {
            last.pop();
            soft_break = true;
        }
    }
    lines
        .into_iter()
        .filter(|(_, l)| !l.iter().all(u8::is_ascii_whitespace))
        .map(|(n, l)| (n, decode(&l)))
        .collect()
}

/// RFC 6868: `^n` is a line break, `^'` a double quote, `^^` a caret.
fn caret_decode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek()) {
            ('^', Some('n' | 'N')) => {
                out.push('\n');
                chars.next();
            }
            ('^', Some('\'')) => {
                out.push('"');
                chars.next();
            }
            ('^', Some('^')) => {
                out.push('^');
                chars.next();
            }
            _ => out.push(c),
        }
    }
    out
}

/// Splits one logical line; `Err` describes a line that has no value part.
pub(crate) fn parse_line(number: usize, text: &str) -> Result<ContentLine, String> {
    let end_of_name = text.find([';', ':']).ok_or_else(|| {
        format!("line {number}: {text:?} is not a content line (NAME:VALUE expected)")
    })?;
    let full_name = &text[..end_of_name];
    let name = full_name.rsplit('.').next().unwrap_or(full_name);
    let mut line = ContentLine {
        name: name.trim().to_ascii_uppercase(),
        params: Vec::new(),
        value: String::new(),
        line: number,
    };
    let mut rest = &text[end_of_name..];
    while let Some(after) = rest.strip_prefix(';') {
        let stop = after.find(['=', ';', ':']).unwrap_or(after.len());
        let pname = after[..stop].trim().to_ascii_uppercase();
        rest = &after[stop..];
        let mut values = Vec::new();
        if let Some(mut vals) = rest.strip_prefix('=') {
            loop {
                if let Some(quoted) = vals.strip_prefix('"') {
                    let close = quoted.find('"').unwrap_or(quoted.len());
                    values.push(caret_decode(&quoted[..close]));
                    vals = quoted.get(close + 1..).unwrap_or("");
                } else {
                    let stop = vals.find([',', ';', ':']).unwrap_or(vals.len());
                    values.push(caret_decode(&vals[..stop]));
                    vals = &vals[stop..];
                }
                match vals.strip_prefix(',') {
                    Some(next) => vals = next,
                    None => break,
                }
            }
            rest = vals;
        } else if !pname.is_empty() {
            // vCard 2.1 writes bare types (`TEL;WORK;VOICE:`) and bare encodings.
            let (name, value) = match pname.as_str() {
                "QUOTED-PRINTABLE" | "BASE64" | "8BIT" | "7BIT" => ("ENCODING", pname.clone()),
                _ => ("TYPE", pname.clone()),
            };
            line.params.push(Param {
                name: name.to_owned(),
                values: vec![value],
            });
            continue;
        }
        line.params.push(Param {
            name: pname,
            values,
        });
    }
    match rest.strip_prefix(':') {
        Some(value) => {
            line.value = value.to_owned();
            Ok(line)
        }
        None => Err(format!(
            "line {number}: {:?} has no value (a colon is missing)",
            line.name
        )),
    }
}

fn param_value(value: &str, out: &mut String) {
    let encoded = value
        .replace('^', "^^")
        .replace('"', "^'")
        .replace("\r\n", "^n")
        .replace('\n', "^n");
    if encoded.contains([':', ';', ',']) || encoded.starts_with(' ') || encoded.ends_with(' ') {
        out.push('"');
        out.push_str(&encoded);
        out.push('"');
    } else {
        out.push_str(&encoded);
    }
}

/// Builds a file of content lines, folded at 75 octets, CRLF-terminated.
#[derive(Debug, Default)]
pub(crate) struct LineWriter {
    out: String,
}

impl LineWriter {
    /// Writes `NAME;P1=V1;P2=V2:value`; `value` must already be escaped for its type. A `TYPE`
    /// parameter value is a comma-separated list of types.
    pub(crate) fn prop(&mut self, name: &str, params: &[(&str, &str)], value: &str) {
        let mut line = String::from(name);
        for (pname, pvalue) in params {
            line.push(';');
            line.push_str(pname);
            line.push('=');
            if *pname == "TYPE" {
                // A list of types (`TYPE=WORK,VOICE`), each value on its own.
                for (i, value) in pvalue.split(',').enumerate() {
                    if i > 0 {
                        line.push(',');
                    }
                    param_value(value, &mut line);
                }
            } else {
                param_value(pvalue, &mut line);
            }
        }
        line.push(':');
        line.push_str(value);
        self.fold(&line);
    }

    /// Writes a TEXT property, escaping `value`.
    pub(crate) fn text(&mut self, name: &str, params: &[(&str, &str)], value: &str) {
        self.prop(name, params, &crate::text::escape(value));
    }

    /// `BEGIN:name`.
    pub(crate) fn begin(&mut self, name: &str) {
        self.prop("BEGIN", &[], name);
    }

    /// `END:name`.
    pub(crate) fn end(&mut self, name: &str) {
        self.prop("END", &[], name);
    }

    fn fold(&mut self, line: &str) {
        let mut used = 0;
        for c in line.chars() {
            let width = c.len_utf8();
            if used + width > 75 {
                self.out.push_str("\r\n ");
                used = 1;
            }
            self.out.push(c);
            used += width;
        }
        self.out.push_str("\r\n");
    }

    /// The text written so far.
    pub(crate) fn finish(self) -> String {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_split_into_name_params_and_value() {
        let line = parse_line(
            3,
            r#"DTSTART;TZID="W. Europe Standard Time";VALUE=DATE-TIME:20260302T090000"#,
        )
        .expect("valid");
        assert_eq!(line.name, "DTSTART");
        assert_eq!(line.param("TZID"), Some("W. Europe Standard Time"));
        assert_eq!(line.param("VALUE"), Some("DATE-TIME"));
        assert_eq!(line.value, "20260302T090000");
        let tel = parse_line(1, r#"item1.TEL;TYPE="work,voice";type=pref:+49 1"#).expect("ok");
        assert_eq!(tel.name, "TEL");
        assert_eq!(tel.param_list("TYPE"), ["work", "voice", "pref"]);
        let old = parse_line(1, "TEL;WORK;VOICE;QUOTED-PRINTABLE:1").expect("ok");
        assert_eq!(old.param_list("TYPE"), ["work", "voice"]);
        assert_eq!(old.param("ENCODING"), Some("QUOTED-PRINTABLE"));
        let cn = parse_line(1, "ATTENDEE;CN=\"Huber, Eva ^'E^'\":mailto:e@x.de").expect("ok");
        assert_eq!(cn.param("CN"), Some("Huber, Eva \"E\""));
        assert_eq!(cn.value, "mailto:e@x.de");
        assert!(parse_line(9, "garbage").is_err());
    }

    #[test]
    fn unfolding_joins_continuations_and_qp_soft_breaks() {
        let text = "SUMMARY:ab\r\n c\r\n\td\r\nNOTE;ENCODING=QUOTED-PRINTABLE:x=\r\ny=0D=0A=\r\nz\r\n\r\nEND:X";
        let lines: Vec<_> = unfold(text.as_bytes())
            .into_iter()
            .map(|(_, l)| l)
            .collect();
        assert_eq!(
            lines,
            [
                "SUMMARY:abcd",
                "NOTE;ENCODING=QUOTED-PRINTABLE:xy=0D=0Az",
                "END:X"
            ]
        );
        // A fold inside a UTF-8 sequence, and a Windows-1252 line.
        let mut bytes = b"SUMMARY:\xC3\r\n \xA4\r\nLOCATION:M\xFCnchen\r\n".to_vec();
        bytes.extend_from_slice(b"X:1");
        let lines: Vec<_> = unfold(&bytes).into_iter().map(|(_, l)| l).collect();
        assert_eq!(lines, ["SUMMARY:ä", "LOCATION:München", "X:1"]);
    }

    #[test]
    fn writing_folds_at_75_octets_between_characters() {
        let mut w = LineWriter::default();
        let long = "ä€x".repeat(40);
        w.text("DESCRIPTION", &[("ALTREP", "cid:a;b")], &long);
        let out = w.finish();
        for physical in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(physical.len() <= 75, "{} octets", physical.len());
        }
        let logical = unfold(out.as_bytes());
        assert_eq!(logical.len(), 1);
        let line = parse_line(1, &logical[0].1).expect("valid");
        assert_eq!(line.param("ALTREP"), Some("cid:a;b"));
        assert_eq!(line.value, long);
    }
}
