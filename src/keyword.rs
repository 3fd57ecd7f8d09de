//! Closed sets of words as enums: `Display` gives the word pf.conf (or
//! pfconf's output) uses, `FromStr` reads it back, and a word outside the
//! set is an [`UnknownKeyword`].
//!
//! One macro, `keywords!`, writes the three for an enum from a table of
//! its variants and their words, so that the text and the parser cannot
//! drift apart. Enums whose JSON form is the same word get their
//! `Serialize` from the table too (`keywords!(serialize ...)`); the older
//! AST enums keep their derived `Serialize`, whose form is fixed by the
//! published schemas.
//!
//! ```
//! use pfconf::ast::{Direction, StateKind};
//!
//! assert_eq!("in".parse::<Direction>(), Ok(Direction::In));
//! assert_eq!(StateKind::Modulate.to_string(), "modulate state");
//! let e = "sideways".parse::<Direction>().unwrap_err();
//! assert_eq!(e.to_string(), "unknown direction `sideways`: expected in or out");
//! assert_eq!(e.word, "sideways");
//! ```

use std::fmt;

/// A word that is none of the values of a keyword type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownKeyword {
    /// What was being read (`direction`, `state kind`...).
    pub what: &'static str,
    /// The word read.
    pub word: String,
    /// The words accepted, canonical forms only.
    pub expected: &'static [&'static str],
}

impl fmt::Display for UnknownKeyword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown {} `{}`: expected ", self.what, self.word)?;
        f.write_str(&one_of(self.expected))
    }
}

impl std::error::Error for UnknownKeyword {}

/// `a`, `a or b`, `a, b or c`.
pub(crate) fn one_of(words: &[&str]) -> String {
    match words {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// `as_str`, `ALL`, `Display` and `FromStr` for a fieldless enum, from
/// its variants and their words (`Variant => "word" | "alias"`: aliases
/// are read, never written). With `serialize` first, `Serialize` writes
/// the word too.
macro_rules! keywords {
    (serialize $ty:ident, $what:literal { $($rest:tt)* }) => {
        $crate::keyword::keywords!($ty, $what { $($rest)* });

        impl ::serde::Serialize for $ty {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
    };
    ($ty:ident, $what:literal {
        $($variant:ident => $word:literal $(| $alias:literal)*),+ $(,)?
    }) => {
        impl $ty {
            /// Every value, in declaration order.
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            /// The word for this value (what `Display` writes).
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($ty::$variant => $word),+
                }
            }
        }

        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.pad(self.as_str())
            }
        }

        impl ::std::str::FromStr for $ty {
            type Err = $crate::keyword::UnknownKeyword;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($word $(| $alias)* => Ok($ty::$variant),)+
                    _ => Err($crate::keyword::UnknownKeyword {
                        what: $what,
                        word: s.to_string(),
                        expected: &[$($word),+],
                    }),
                }
            }
        }
    };
}

pub(crate) use keywords;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_read_as_a_sentence() {
        assert_eq!(one_of(&["in"]), "in");
        assert_eq!(one_of(&["in", "out"]), "in or out");
        assert_eq!(one_of(&["a", "b", "c"]), "a, b or c");
    }
}
