//! The catalogue is complete: every file parses without error, every message of one language
//! exists in the other, in a file of the same name, and uses the same variables there.

use std::collections::{BTreeMap, BTreeSet};

use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};
use fluent_syntax::parser;

/// message id -> (file, variables) for one language.
type Messages = BTreeMap<String, (String, BTreeSet<String>)>;

fn variables_of_inline(expr: &InlineExpression<&str>, out: &mut BTreeSet<String>) {
    match expr {
        InlineExpression::VariableReference { id } => {
            out.insert(id.name.to_owned());
        }
        InlineExpression::FunctionReference { arguments, .. } => {
            for arg in &arguments.positional {
                variables_of_inline(arg, out);
            }
            for arg in &arguments.named {
                variables_of_inline(&arg.value, out);
            }
        }
        InlineExpression::Placeable { expression } => variables_of_expression(expression, out),
        _ => {}
    }
}

fn variables_of_expression(expr: &Expression<&str>, out: &mut BTreeSet<String>) {
    match expr {
        Expression::Inline(inline) => variables_of_inline(inline, out),
        Expression::Select { selector, variants } => {
            variables_of_inline(selector, out);
            for variant in variants {
                variables_of_pattern(&variant.value, out);
            }
        }
    }
}

fn variables_of_pattern(pattern: &Pattern<&str>, out: &mut BTreeSet<String>) {
    for element in &pattern.elements {
        if let PatternElement::Placeable { expression } = element {
            variables_of_expression(expression, out);
        }
    }
}

fn messages(lang: &str) -> Messages {
    let mut out = Messages::new();
    for (file_lang, name, text) in exsync_i18n::files() {
        if *file_lang != lang {
            continue;
        }
        let resource = parser::parse(*text).unwrap_or_else(|(_, errors)| {
            panic!("locales/{lang}/{name} does not parse: {errors:?}")
        });
        for entry in &resource.body {
            if let Entry::Message(message) = entry {
                let mut vars = BTreeSet::new();
                if let Some(value) = &message.value {
                    variables_of_pattern(value, &mut vars);
                }
                let id = message.id.name.to_owned();
                let previous = out.insert(id.clone(), ((*name).to_owned(), vars));
                assert!(previous.is_none(), "{id} is defined twice in {lang}");
            }
        }
    }
    out
}

#[test]
fn every_message_exists_in_english_and_german_with_the_same_variables() {
    let en = messages("en");
    let de = messages("de");
    assert!(!en.is_empty(), "the catalogue is empty");
    let mut problems = Vec::new();
    for (id, (file, vars)) in &en {
        match de.get(id) {
            None => problems.push(format!("{id} ({file}) is missing in German")),
            Some((de_file, de_vars)) => {
                if de_file != file {
                    problems.push(format!("{id} is in en/{file} but de/{de_file}"));
                }
                if de_vars != vars {
                    problems.push(format!("{id}: English uses {vars:?}, German {de_vars:?}"));
                }
            }
        }
    }
    for id in de.keys().filter(|id| !en.contains_key(*id)) {
        problems.push(format!("{id} is missing in English"));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_file_in_locales_is_embedded() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
    let mut on_disk = Vec::new();
    for lang in ["en", "de"] {
        for entry in std::fs::read_dir(root.join(lang)).expect("locales readable") {
            let name = entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned();
            if name.ends_with(".ftl") {
                on_disk.push((lang.to_owned(), name));
            }
        }
    }
    on_disk.sort();
    let mut embedded: Vec<(String, String)> = exsync_i18n::files()
        .iter()
        .map(|(lang, name, _)| ((*lang).to_owned(), (*name).to_owned()))
        .collect();
    embedded.sort();
    assert_eq!(
        embedded, on_disk,
        "list every locales/*.ftl file in FILES (src/lib.rs)"
    );
}
