//! exsync's message catalogue: every text an administrator reads (check results, reports,
//! status, the demo, the admin endpoint) in English and German, from Project Fluent files in
//! `locales/<lang>/*.ftl` embedded in the binary (listed in `FILES`; a test proves the list
//! complete, so a file cannot be forgotten).
//!
//! The language is chosen once per process ([`set_lang`], from `--lang` or the locale
//! variables, see [`Lang::from_env`]) or per call ([`tr_in!`], e.g. from a browser's
//! `Accept-Language`). Texts are looked up with [`tr!`].
//!
//! Invariants: a message missing in German falls back to English, one missing everywhere
//! yields its id (a test proves every id exists in both languages with the same variables);
//! no Unicode isolation marks are inserted, so texts stay plain for terminals and logs.

use std::collections::HashMap;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU8, Ordering};

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

mod lang;

pub use lang::Lang;

/// Every catalogue file: (language, file name, text). A test checks that every file in
/// `locales/` is listed here.
const FILES: &[(&str, &str, &str)] = &[
    ("en", "admin.ftl", include_str!("../locales/en/admin.ftl")),
    ("en", "check.ftl", include_str!("../locales/en/check.ftl")),
    ("en", "common.ftl", include_str!("../locales/en/common.ftl")),
    ("en", "config.ftl", include_str!("../locales/en/config.ftl")),
    (
        "en",
        "defects.ftl",
        include_str!("../locales/en/defects.ftl"),
    ),
    ("en", "demo.ftl", include_str!("../locales/en/demo.ftl")),
    (
        "en",
        "pairing.ftl",
        include_str!("../locales/en/pairing.ftl"),
    ),
    ("en", "report.ftl", include_str!("../locales/en/report.ftl")),
    ("en", "status.ftl", include_str!("../locales/en/status.ftl")),
    ("en", "sync.ftl", include_str!("../locales/en/sync.ftl")),
    ("de", "admin.ftl", include_str!("../locales/de/admin.ftl")),
    ("de", "check.ftl", include_str!("../locales/de/check.ftl")),
    ("de", "common.ftl", include_str!("../locales/de/common.ftl")),
    ("de", "config.ftl", include_str!("../locales/de/config.ftl")),
    (
        "de",
        "defects.ftl",
        include_str!("../locales/de/defects.ftl"),
    ),
    ("de", "demo.ftl", include_str!("../locales/de/demo.ftl")),
    (
        "de",
        "pairing.ftl",
        include_str!("../locales/de/pairing.ftl"),
    ),
    ("de", "report.ftl", include_str!("../locales/de/report.ftl")),
    ("de", "status.ftl", include_str!("../locales/de/status.ftl")),
    ("de", "sync.ftl", include_str!("../locales/de/sync.ftl")),
];

/// A value for a message variable: text or a number (numbers select plural forms).
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    /// Text, inserted as is.
    Text(String),
    /// A number.
    Number(f64),
}

impl From<&str> for Arg {
    fn from(value: &str) -> Self {
        Arg::Text(value.to_owned())
    }
}

impl From<String> for Arg {
    fn from(value: String) -> Self {
        Arg::Text(value)
    }
}

impl From<&String> for Arg {
    fn from(value: &String) -> Self {
        Arg::Text(value.clone())
    }
}

macro_rules! number_arg {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg {
            fn from(value: $t) -> Self {
                Arg::Number(value as f64)
            }
        }
    )*};
}
number_arg!(u8, u16, u32, u64, usize, i32, i64, f64);

static LANG: AtomicU8 = AtomicU8::new(0);

/// Sets the process's language (from `--lang` or the locale, once at start).
pub fn set_lang(lang: Lang) {
    LANG.store(lang as u8, Ordering::Relaxed);
}

/// The process's language (English until [`set_lang`] is called).
pub fn lang() -> Lang {
    Lang::from_index(LANG.load(Ordering::Relaxed))
}

type Bundle = FluentBundle<FluentResource>;

fn bundles() -> &'static HashMap<Lang, Bundle> {
    static BUNDLES: OnceLock<HashMap<Lang, Bundle>> = OnceLock::new();
    BUNDLES.get_or_init(|| {
        Lang::ALL
            .iter()
            .map(|&lang| {
                let mut bundle = FluentBundle::new_concurrent(vec![lang.langid()]);
                bundle.set_use_isolating(false);
                for (file_lang, _name, text) in FILES {
                    if *file_lang != lang.code() {
                        continue;
                    }
                    // A file with a syntax error still yields its good messages; the
                    // catalogue test fails on any error, so none ships.
                    let resource = FluentResource::try_new((*text).to_owned())
                        .unwrap_or_else(|(partial, _errors)| partial);
                    bundle.add_resource_overriding(resource);
                }
                (lang, bundle)
            })
            .collect()
    })
}

/// The message `id` in `lang` with `args`; English when `lang` lacks it, `id` when both do.
pub fn message(lang: Lang, id: &str, args: &[(&str, Arg)]) -> String {
    let mut fluent_args = FluentArgs::new();
    for (name, value) in args {
        let value = match value {
            Arg::Text(text) => FluentValue::from(text.clone()),
            Arg::Number(n) => FluentValue::from(*n),
        };
        fluent_args.set(name.to_string(), value);
    }
    let bundles = bundles();
    for candidate in [lang, Lang::English] {
        let Some(bundle) = bundles.get(&candidate) else {
            continue;
        };
        let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
            continue;
        };
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors);
        return text.into_owned();
    }
    id.to_owned()
}

/// True when the catalogue of `lang` has message `id`.
pub fn has_message(lang: Lang, id: &str) -> bool {
    bundles()
        .get(&lang)
        .is_some_and(|bundle| bundle.has_message(id))
}

/// The embedded catalogue files: `(language code, file name, text)`.
pub fn files() -> &'static [(&'static str, &'static str, &'static str)] {
    FILES
}

/// A message in the process's language: `tr!("check-passed")`,
/// `tr!("sync-linked", count = 3, mailbox = "eva@x.example")`.
#[macro_export]
macro_rules! tr {
    ($id:expr) => {
        $crate::message($crate::lang(), $id, &[])
    };
    ($id:expr, $($name:ident = $value:expr),+ $(,)?) => {
        $crate::message(
            $crate::lang(),
            $id,
            &[$((stringify!($name), $crate::Arg::from($value))),+],
        )
    };
}

/// A message in a given language (e.g. per request of the admin endpoint):
/// `tr_in!(lang, "status-title")`.
#[macro_export]
macro_rules! tr_in {
    ($lang:expr, $id:expr) => {
        $crate::message($lang, $id, &[])
    };
    ($lang:expr, $id:expr, $($name:ident = $value:expr),+ $(,)?) => {
        $crate::message(
            $lang,
            $id,
            &[$((stringify!($name), $crate::Arg::from($value))),+],
        )
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_come_in_the_chosen_language_with_their_variables() {
        let en = tr_in!(Lang::English, "lang-name");
        let de = tr_in!(Lang::German, "lang-name");
        assert_eq!(en, "English");
        assert_eq!(de, "Deutsch");
        assert_eq!(
            message(Lang::German, "no-such-message", &[]),
            "no-such-message"
        );
    }
}
