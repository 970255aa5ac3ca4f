//! The languages exsync speaks and how one is chosen: `--lang`, the POSIX locale variables
//! (`LC_ALL`, `LC_MESSAGES`, `LANG`), or a browser's `Accept-Language`.
//!
//! Invariant: anything not recognisably German is English (`C`, `POSIX`, unset, unknown).

use unic_langid::LanguageIdentifier;

/// A language of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Lang {
    /// English (the default).
    English = 0,
    /// German.
    German = 1,
}

impl Lang {
    /// Every language, English first.
    pub const ALL: [Lang; 2] = [Lang::English, Lang::German];

    /// The code of the catalogue folder (`en`, `de`).
    pub fn code(self) -> &'static str {
        match self {
            Lang::English => "en",
            Lang::German => "de",
        }
    }

    pub(crate) fn langid(self) -> LanguageIdentifier {
        // Both codes are valid language tags; the default ("und") is never reached.
        LanguageIdentifier::from_bytes(self.code().as_bytes()).unwrap_or_default()
    }

    pub(crate) fn from_index(index: u8) -> Lang {
        if index == Lang::German as u8 {
            Lang::German
        } else {
            Lang::English
        }
    }

    /// The language a tag names: `de`, `de_DE.UTF-8`, `de-AT`, `en`, `en_US`; `None` for
    /// anything else (`C`, `POSIX`, `fr_FR`).
    pub fn parse(tag: &str) -> Option<Lang> {
        let primary: String = tag
            .trim()
            .chars()
            .take_while(|c| c.is_ascii_alphabetic())
            .collect::<String>()
            .to_ascii_lowercase();
        match primary.as_str() {
            "de" | "deu" | "ger" | "german" | "deutsch" => Some(Lang::German),
            "en" | "eng" | "english" => Some(Lang::English),
            _ => None,
        }
    }

    /// The language of the locale: the first of `LC_ALL`, `LC_MESSAGES`, `LANG` that is set
    /// and not empty decides (as POSIX programs choose their messages).
    pub fn from_env() -> Lang {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// As [`Lang::from_env`], reading variables through `var`.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Lang {
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|name| var(name))
            .find(|value| !value.trim().is_empty())
            .and_then(|value| Lang::parse(&value))
            .unwrap_or(Lang::English)
    }

    /// The language a browser prefers most among those the catalogue has
    /// (`Accept-Language: de-DE,de;q=0.9,en;q=0.8`); English when none is named.
    pub fn from_accept_language(header: &str) -> Lang {
        let mut best: Option<(f32, Lang)> = None;
        for part in header.split(',') {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or_default();
            let quality = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let Some(lang) = Lang::parse(tag) else {
                continue;
            };
            if quality > 0.0 && best.is_none_or(|(q, _)| quality > q) {
                best = Some((quality, lang));
            }
        }
        best.map_or(Lang::English, |(_, lang)| lang)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locale_tags_and_variables_choose_the_language() {
        assert_eq!(Lang::parse("de_DE.UTF-8"), Some(Lang::German));
        assert_eq!(Lang::parse("de-AT"), Some(Lang::German));
        assert_eq!(Lang::parse("en_US"), Some(Lang::English));
        assert_eq!(Lang::parse("C"), None);
        let vars = |all: &str, lang: &str| {
            let (all, lang) = (all.to_owned(), lang.to_owned());
            Lang::from_vars(move |name| match name {
                "LC_ALL" => Some(all.clone()),
                "LANG" => Some(lang.clone()),
                _ => None,
            })
        };
        assert_eq!(vars("", "de_DE.UTF-8"), Lang::German);
        assert_eq!(vars("C", "de_DE.UTF-8"), Lang::English, "LC_ALL wins");
        assert_eq!(vars("", ""), Lang::English);
    }

    #[test]
    fn accept_language_picks_the_preferred_known_language() {
        assert_eq!(
            Lang::from_accept_language("de-DE,de;q=0.9,en;q=0.8"),
            Lang::German
        );
        assert_eq!(
            Lang::from_accept_language("fr-FR, en;q=0.5, de;q=0.4"),
            Lang::English
        );
        assert_eq!(Lang::from_accept_language("fr"), Lang::English);
        assert_eq!(Lang::from_accept_language(""), Lang::English);
    }
}
