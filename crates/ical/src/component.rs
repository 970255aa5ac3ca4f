//! Components (`BEGIN:VEVENT` ... `END:VEVENT`) as a tree of content lines.
//!
//! Invariant: every content line ends up in exactly one component, or in the `errors` of the
//! component it appeared in (malformed lines, unbalanced END, missing END) so that the importer
//! can reject that one item with a reason instead of failing the whole file.

use crate::line::{ContentLine, parse_line, unfold};

/// One component with its properties and sub-components.
#[derive(Debug, Clone, Default)]
pub(crate) struct Component {
    /// Upper-cased name (`VEVENT`).
    pub(crate) name: String,
    pub(crate) props: Vec<ContentLine>,
    pub(crate) children: Vec<Component>,
    /// Structural problems found inside this component.
    pub(crate) errors: Vec<String>,
}

impl Component {
    /// The first property called `name`.
    pub(crate) fn prop(&self, name: &str) -> Option<&ContentLine> {
        self.props.iter().find(|p| p.name == name)
    }

    /// Every property called `name`.
    pub(crate) fn props<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a ContentLine> + 'a {
        self.props.iter().filter(move |p| p.name == name)
    }

    /// Sub-components called `name`.
    pub(crate) fn children<'a>(
        &'a self,
        name: &'a str,
    ) -> impl Iterator<Item = &'a Component> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The unescaped TEXT value of the first `name` property, if any.
    pub(crate) fn text(&self, name: &str) -> Option<String> {
        self.prop(name).map(|p| crate::text::unescape(&p.value))
    }
}

/// Reads `bytes` into its top-level components; lines outside any component are ignored.
pub(crate) fn read_components(bytes: &[u8]) -> Vec<Component> {
    let mut top: Vec<Component> = Vec::new();
    let mut stack: Vec<Component> = Vec::new();
    for (number, text) in unfold(bytes) {
        let line = match parse_line(number, &text) {
            Ok(line) => line,
            Err(e) => {
                if let Some(open) = stack.last_mut() {
                    open.errors.push(e);
                }
                continue;
            }
        };
        match line.name.as_str() {
            "BEGIN" => stack.push(Component {
                name: line.value.trim().to_ascii_uppercase(),
                ..Component::default()
            }),
            "END" => {
                let name = line.value.trim().to_ascii_uppercase();
                if !stack.iter().any(|c| c.name == name) {
                    if let Some(open) = stack.last_mut() {
                        open.errors
                            .push(format!("line {number}: END:{name} without BEGIN:{name}"));
                    }
                    continue;
                }
                while let Some(mut done) = stack.pop() {
                    let matched = done.name == name;
                    if !matched {
                        done.errors
                            .push(format!("line {number}: END:{} is missing", done.name));
                    }
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(done),
                        None => top.push(done),
                    }
                    if matched {
                        break;
                    }
                }
            }
            _ => {
                if let Some(open) = stack.last_mut() {
                    open.props.push(line);
                }
            }
        }
    }
    while let Some(mut open) = stack.pop() {
        open.errors.push(format!(
            "END:{} is missing at the end of the file",
            open.name
        ));
        match stack.last_mut() {
            Some(parent) => parent.children.push(open),
            None => top.push(open),
        }
    }
    top
}

/// All errors of `component` and its sub-components.
pub(crate) fn all_errors(component: &Component) -> Vec<String> {
    let mut errors = component.errors.clone();
    for child in &component.children {
        errors.extend(all_errors(child));
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_a_tree_and_records_structural_errors() {
        let text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:1\r\nbroken\r\n\
                    BEGIN:VALARM\r\nTRIGGER:-PT5M\r\nEND:VALARM\r\nEND:VEVENT\r\n\
                    BEGIN:VEVENT\r\nUID:2\r\nEND:VCALENDAR\r\n";
        let top = read_components(text.as_bytes());
        assert_eq!(top.len(), 1);
        let cal = &top[0];
        assert_eq!(cal.text("VERSION").as_deref(), Some("2.0"));
        let events: Vec<_> = cal.children("VEVENT").collect();
        assert_eq!(events.len(), 2);
        assert_eq!(events[0].children("VALARM").count(), 1);
        assert_eq!(events[0].errors.len(), 1, "{:?}", events[0].errors);
        assert!(events[1].errors[0].contains("END:VEVENT is missing"));
        assert!(cal.errors.is_empty());
    }
}
