//! A `hostname.if` line as netstart(8) turns it into ifconfig(8) words.
//!
//! netstart reads a line, splits it on blanks (`set -A _c -- $1`, with
//! globbing off), rewrites the packed forms (`inet ADDR MASK BCAST`,
//! `inet6 ADDR PREFIXLEN`, `dhcp`...) and finally runs the joined words
//! through the shell's `eval`. So quotes are undone by the shell after the
//! words were split and joined with single blanks: `pass "two  words"` is
//! the password `two words`, and `pass "x"` is the same password as
//! `pass x`. A word starting with `#` begins a comment for `eval`.
//!
//! Here the line is tokenised once, the way those two steps together read
//! it: runs of blanks separate words outside quotes and fold to one blank
//! inside them; double and single quotes and backslashes are then removed
//! as `sh` does.

/// Most words read from one line (longer lines are cut there).
const MAX_WORDS: usize = 256;

/// The words `eval` sees for one line, quotes removed. An unterminated
/// quote takes the rest of the line (the shell would fail on it; netstart
/// then skips the command, which is reported by the caller as an
/// unreadable line when the words make no sense).
pub(crate) fn shell_words(line: &str) -> Vec<String> {
    // Step 1: netstart's split and join: blanks fold to one space.
    let joined = line
        .split([' ', '\t'])
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    // Step 2: the shell's own reading of the joined text.
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = joined.chars().peekable();
    while let Some(c) = chars.next() {
        if out.len() >= MAX_WORDS {
            break;
        }
        match c {
            ' ' => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            '#' if !in_word => break,
            '"' => {
                in_word = true;
                while let Some(d) = chars.next() {
                    match d {
                        '"' => break,
                        '\\' => match chars.peek() {
                            Some(&e @ ('"' | '\\' | '$' | '`')) => {
                                cur.push(e);
                                chars.next();
                            }
                            _ => cur.push('\\'),
                        },
                        _ => cur.push(d),
                    }
                }
            }
            '\'' => {
                in_word = true;
                for d in chars.by_ref() {
                    if d == '\'' {
                        break;
                    }
                    cur.push(d);
                }
            }
            '\\' => {
                in_word = true;
                if let Some(d) = chars.next() {
                    cur.push(d);
                }
            }
            _ => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word && out.len() < MAX_WORDS {
        out.push(cur);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::shell_words;

    #[test]
    fn quotes_are_removed_after_blanks_fold() {
        assert_eq!(shell_words("pass \"two  words\""), ["pass", "two words"]);
        assert_eq!(shell_words("pass \"x\""), shell_words("pass x"));
        assert_eq!(shell_words("pass 'it''s'"), ["pass", "its"]);
        assert_eq!(
            shell_words("description \"Bob's uplink\" up"),
            ["description", "Bob's uplink", "up"]
        );
    }

    #[test]
    fn a_word_starting_with_a_hash_is_a_comment() {
        assert_eq!(
            shell_words("inet 10.0.0.1 255.0.0.0 # lan"),
            ["inet", "10.0.0.1", "255.0.0.0"]
        );
        assert_eq!(shell_words("pass a#b"), ["pass", "a#b"]);
        assert!(shell_words("# all comment").is_empty());
    }

    #[test]
    fn backslashes_escape_as_in_sh() {
        assert_eq!(shell_words(r#"pass a\ b"#), ["pass", "a b"]);
        assert_eq!(shell_words(r#"pass "a\"b""#), ["pass", "a\"b"]);
        assert_eq!(shell_words(r#"pass "a\b""#), ["pass", "a\\b"]);
    }

    #[test]
    fn tabs_separate_words() {
        assert_eq!(shell_words("vhid\t1\tpass\tx"), ["vhid", "1", "pass", "x"]);
    }
}
