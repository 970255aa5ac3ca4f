//! The closed sets of words a setting may take (`both`, `export`, `newest_wins`, ...).
//!
//! Invariant: every enum here has exactly one spelling per variant, the one the configuration
//! file, the environment and `config show` use; [`std::str::FromStr`] accepts that spelling
//! only and [`std::fmt::Display`] prints it, so parsing what was printed gives the same value.

/// A word that is not one of a setting's allowed values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be one of {}", quoted_list(.allowed))]
pub struct UnknownChoice {
    /// The allowed spellings.
    pub allowed: &'static [&'static str],
}

/// Implemented by every enum defined with [`choice!`]: the list of values and their names.
pub(crate) trait Choice: Copy + PartialEq + 'static {
    /// Every value, in documentation order.
    fn all() -> &'static [Self];
    /// The spelling in the file and the environment.
    fn name(self) -> &'static str;
}

/// `"a", "b" or "c"`.
pub(crate) fn quoted_list(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|item| format!("\"{item}\"")).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

/// Defines a configuration enum with its spellings, `ALL`, `as_str`, `Display` and `FromStr`.
macro_rules! choice {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every value, in the order the documentation lists them.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The spellings of [`Self::ALL`], in the same order.
            pub const NAMES: &'static [&'static str] = &[$($text),+];

            /// The spelling used in the configuration file and the environment.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $text, )+
                }
            }
        }

        impl $crate::choice::Choice for $name {
            fn all() -> &'static [Self] {
                Self::ALL
            }
            fn name(self) -> &'static str {
                self.as_str()
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::choice::UnknownChoice;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|value| value.as_str() == s)
                    .ok_or($crate::choice::UnknownChoice { allowed: Self::NAMES })
            }
        }
    };
}

pub(crate) use choice;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_read_naturally() {
        assert_eq!(quoted_list(&["a"]), "\"a\"");
        assert_eq!(quoted_list(&["a", "b"]), "\"a\" or \"b\"");
        assert_eq!(quoted_list(&["a", "b", "c"]), "\"a\", \"b\" or \"c\"");
    }
}
