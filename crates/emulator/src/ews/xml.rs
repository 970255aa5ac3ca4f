//! A small XML tree for reading SOAP requests and a writer for SOAP responses.
//!
//! Reading matches local names only (prefixes are ignored, as the brief of issue 3 asks);
//! writing always uses explicit `m:`/`t:` prefixes. Invariant: every text and attribute value
//! written goes through [`escape`], so no client value can break the document.

use quick_xml::events::Event;
use quick_xml::{Reader, XmlVersion};

/// An element: local name, attributes (local names), text and children in document order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Element {
    /// Local name (prefix stripped).
    pub name: String,
    /// Attributes by local name.
    pub attrs: Vec<(String, String)>,
    /// Concatenated text content directly inside this element.
    pub text: String,
    /// Child elements.
    pub children: Vec<Element>,
}

/// Why a document could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the request is not well-formed XML: {0}")]
pub struct NotXml(pub String);

fn local(name: &str) -> String {
    match name.rsplit_once(':') {
        Some((_, l)) => l.to_owned(),
        None => name.to_owned(),
    }
}

fn start(e: &quick_xml::events::BytesStart<'_>) -> Result<Element, NotXml> {
    let mut attrs = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|e| NotXml(e.to_string()))?;
        let key = local(a.key.as_ref());
        if a.key.as_ref().starts_with("xmlns") {
            continue;
        }
        let value = a
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| NotXml(e.to_string()))?
            .into_owned();
        attrs.push((key, value));
    }
    Ok(Element {
        name: local(e.name().as_ref()),
        attrs,
        ..Element::default()
    })
}

/// Parses a document into its root element.
pub fn parse(text: &str) -> Result<Element, NotXml> {
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let mut root = None;
    loop {
        let event = reader.read_event().map_err(|e| NotXml(e.to_string()))?;
        match event {
            Event::Start(e) => stack.push(start(&e)?),
            Event::Empty(e) => {
                let el = start(&e)?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::End(_) => {
                let el = stack.pop().ok_or_else(|| NotXml("unbalanced".into()))?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::Text(t) => {
                if let Some(el) = stack.last_mut() {
                    el.text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                if let Some(el) = stack.last_mut() {
                    let entity = format!("&{};", r.as_ref() as &str);
                    let unescaped =
                        quick_xml::escape::unescape(&entity).map_err(|e| NotXml(e.to_string()))?;
                    el.text.push_str(&unescaped);
                }
            }
            Event::CData(c) => {
                if let Some(el) = stack.last_mut() {
                    el.text.push_str(c.as_ref());
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !stack.is_empty() {
        return Err(NotXml("unexpected end of document".into()));
    }
    root.ok_or_else(|| NotXml("no root element".into()))
}

impl Element {
    /// The first child with this local name.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// All children with this local name.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The value of an attribute.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The trimmed text of a child.
    pub fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.trim())
    }

    /// Follows a path of local names.
    pub fn path(&self, names: &[&str]) -> Option<&Element> {
        names.iter().try_fold(self, |el, n| el.child(n))
    }
}

/// Escapes text or an attribute value.
pub fn escape(text: &str) -> String {
    quick_xml::escape::escape(text).into_owned()
}

/// Builds an XML string; callers give qualified names (`m:Foo`, `t:Bar`).
#[derive(Debug, Default)]
pub struct Writer {
    out: String,
}

impl Writer {
    /// An empty writer.
    pub fn new() -> Self {
        Self::default()
    }

    /// Opens an element with attributes.
    pub fn open(&mut self, name: &str, attrs: &[(&str, &str)]) -> &mut Self {
        self.out.push('<');
        self.out.push_str(name);
        for (k, v) in attrs {
            self.out.push_str(&format!(" {k}=\"{}\"", escape(v)));
        }
        self.out.push('>');
        self
    }

    /// Closes an element.
    pub fn close(&mut self, name: &str) -> &mut Self {
        self.out.push_str(&format!("</{name}>"));
        self
    }

    /// An empty element with attributes.
    pub fn empty(&mut self, name: &str, attrs: &[(&str, &str)]) -> &mut Self {
        self.out.push('<');
        self.out.push_str(name);
        for (k, v) in attrs {
            self.out.push_str(&format!(" {k}=\"{}\"", escape(v)));
        }
        self.out.push_str("/>");
        self
    }

    /// An element holding text.
    pub fn text(&mut self, name: &str, text: &str) -> &mut Self {
        self.text_with(name, &[], text)
    }

    /// An element with attributes holding text.
    pub fn text_with(&mut self, name: &str, attrs: &[(&str, &str)], text: &str) -> &mut Self {
        self.open(name, attrs);
        self.out.push_str(&escape(text));
        self.close(name)
    }

    /// Appends already-written XML.
    pub fn raw(&mut self, xml: &str) -> &mut Self {
        self.out.push_str(xml);
        self
    }

    /// The document so far.
    pub fn finish(self) -> String {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_local_names_and_unescapes() {
        let doc = r#"<s:Envelope xmlns:s="x"><s:Body><m:A t:k="v &amp; w">a &lt; b<![CDATA[!]]></m:A><B/></s:Body></s:Envelope>"#;
        let root = parse(doc).expect("parses");
        assert_eq!(root.name, "Envelope");
        let a = root.path(&["Body", "A"]).expect("A");
        assert_eq!(a.attr("k"), Some("v & w"));
        assert_eq!(a.text, "a < b!");
        assert!(root.path(&["Body", "B"]).is_some());
        assert!(parse("<a><b></a>").is_err());
        assert!(parse("").is_err());
    }

    #[test]
    fn writer_escapes() {
        let mut w = Writer::new();
        w.text_with("t:S", &[("k", "\"<")], "a&b");
        assert_eq!(w.finish(), "<t:S k=\"&quot;&lt;\">a&amp;b</t:S>");
    }
}
