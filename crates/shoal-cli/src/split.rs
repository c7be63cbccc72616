//! Splits a typed line into arguments, with redis-cli's quoting rules.
//!
//! ```text
//! set k "a b\x41\n"    -> [set] [k] [a bA<LF>]
//! set k 'it\'s'        -> [set] [k] [it's]
//! set k "unterminated  -> error
//! set k "a"b           -> error: a closing quote must end the argument
//! ```
//!
//! Inside double quotes, `\xHH` gives any byte and `\n \r \t \b \a` their
//! control characters; any other escaped character stands for itself.
//! Inside single quotes only `\'` is special. Unquoted arguments end at a
//! space, tab, CR or LF.

/// Why a line could not be split.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SplitError {
    /// A quote was never closed.
    #[error("unterminated quotes")]
    Unterminated,
    /// A closing quote was followed by something other than a blank.
    #[error("closing quote must be followed by a space")]
    TrailingAfterQuote,
}

/// Blanks that separate arguments (C's `isspace`).
fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

fn hex_value(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Splits `line` into arguments. An empty or all-blank line gives none.
pub fn split_args(line: &[u8]) -> Result<Vec<Vec<u8>>, SplitError> {
    let mut args = Vec::new();
    let mut i = 0;
    let at = |i: usize| line.get(i).copied();
    loop {
        while at(i).is_some_and(is_blank) {
            i += 1;
        }
        if i >= line.len() {
            return Ok(args);
        }
        let mut current = Vec::new();
        let mut in_double = false;
        let mut in_single = false;
        loop {
            let c = at(i);
            if in_double {
                match c {
                    None => return Err(SplitError::Unterminated),
                    Some(b'\\') if at(i + 1) == Some(b'x') => {
                        let pair = at(i + 2)
                            .and_then(hex_value)
                            .zip(at(i + 3).and_then(hex_value));
                        if let Some((hi, lo)) = pair {
                            current.push(hi * 16 + lo);
                            i += 4;
                        } else {
                            // Not a hex escape: an escaped 'x'.
                            current.push(b'x');
                            i += 2;
                        }
                    }
                    Some(b'\\') if at(i + 1).is_some() => {
                        let escaped = at(i + 1).expect("checked by the guard");
                        current.push(match escaped {
                            b'n' => b'\n',
                            b'r' => b'\r',
                            b't' => b'\t',
                            b'b' => 0x08,
                            b'a' => 0x07,
                            other => other,
                        });
                        i += 2;
                    }
                    Some(b'"') => {
                        if at(i + 1).is_some_and(|b| !is_blank(b)) {
                            return Err(SplitError::TrailingAfterQuote);
                        }
                        i += 1;
                        break;
                    }
                    Some(b) => {
                        current.push(b);
                        i += 1;
                    }
                }
            } else if in_single {
                match c {
                    None => return Err(SplitError::Unterminated),
                    Some(b'\\') if at(i + 1) == Some(b'\'') => {
                        current.push(b'\'');
                        i += 2;
                    }
                    Some(b'\'') => {
                        if at(i + 1).is_some_and(|b| !is_blank(b)) {
                            return Err(SplitError::TrailingAfterQuote);
                        }
                        i += 1;
                        break;
                    }
                    Some(b) => {
                        current.push(b);
                        i += 1;
                    }
                }
            } else {
                match c {
                    None | Some(b' ' | b'\n' | b'\r' | b'\t') => {
                        i += 1;
                        break;
                    }
                    Some(b'"') => {
                        in_double = true;
                        i += 1;
                    }
                    Some(b'\'') => {
                        in_single = true;
                        i += 1;
                    }
                    Some(b) => {
                        current.push(b);
                        i += 1;
                    }
                }
            }
        }
        args.push(current);
    }
}

/// `--quoted-input`: one argument written as a quoted string (or a bare
/// word) turned into its bytes; `None` unless it is exactly one argument.
pub fn unquote(arg: &[u8]) -> Option<Vec<u8>> {
    match split_args(arg) {
        Ok(mut args) if args.len() == 1 => args.pop(),
        _ => None,
    }
}

/// True when argument `i` exists and is `word`, ignoring ASCII case (as
/// command names and keywords are compared).
pub fn arg_is(args: &[Vec<u8>], i: usize, word: &str) -> bool {
    args.get(i)
        .is_some_and(|a| a.eq_ignore_ascii_case(word.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(line: &str) -> Result<Vec<Vec<u8>>, SplitError> {
        split_args(line.as_bytes())
    }

    fn words(list: &[&[u8]]) -> Vec<Vec<u8>> {
        list.iter().map(|w| w.to_vec()).collect()
    }

    #[test]
    fn splits_on_blanks_and_skips_runs_of_them() {
        assert_eq!(
            split("  set   k\tv \r\n").unwrap(),
            words(&[b"set", b"k", b"v"])
        );
        assert_eq!(split("").unwrap(), Vec::<Vec<u8>>::new());
        assert_eq!(split("   ").unwrap(), Vec::<Vec<u8>>::new());
    }

    #[test]
    fn double_quotes_take_escapes() {
        assert_eq!(
            split(r#"set "a b" "\x41\x7a\n\r\t\b\a\"\\\q""#).unwrap(),
            words(&[b"set", b"a b", b"Az\n\r\t\x08\x07\"\\q"])
        );
        // A \x not followed by two hex digits is just an x.
        assert_eq!(split(r#""\xg1""#).unwrap(), words(&[b"xg1"]));
        assert_eq!(split(r#""""#).unwrap(), words(&[b""]));
    }

    #[test]
    fn single_quotes_only_escape_the_quote() {
        assert_eq!(split(r"'it\'s \n'").unwrap(), words(&[b"it's \\n"]));
    }

    #[test]
    fn quotes_open_mid_word_and_must_close_at_its_end() {
        assert_eq!(split(r#"ab"c d""#).unwrap(), words(&[b"abc d"]));
        assert_eq!(split(r#""a"b"#), Err(SplitError::TrailingAfterQuote));
        assert_eq!(split("'a'b"), Err(SplitError::TrailingAfterQuote));
        assert_eq!(split(r#"get "k"#), Err(SplitError::Unterminated));
        assert_eq!(split("get 'k"), Err(SplitError::Unterminated));
    }

    #[test]
    fn unquote_takes_exactly_one_argument() {
        assert_eq!(
            unquote(br#""null-\x00-separated""#),
            Some(b"null-\x00-separated".to_vec())
        );
        assert_eq!(unquote(b"plain"), Some(b"plain".to_vec()));
        assert_eq!(unquote(b"two words"), None);
        assert_eq!(unquote(b"\"open"), None);
    }
}
