//! Files as pfctl reads them: bytes. A pf.conf is ASCII where pf parses
//! it, but comments and quoted strings may hold anything, and a Latin-1
//! `é` in a comment is common in real files. pfconf works on `str`, so a
//! byte that is not part of valid UTF-8 is carried as one private-use
//! character (U+10FF80 + the byte's value - 0x80, plane 16, which text
//! files do not use) and written back as the same byte.
//!
//! Invariants: [`decode`] never fails and [`encode`] of its text gives the
//! bytes back exactly; such a character counts as one column, as the byte
//! does; outside comments and quoted strings the parser reports it as an
//! error at its line and column (pfctl refuses it there too).

use std::borrow::Cow;

/// The first character standing for a byte (0x80 maps here).
const FIRST: u32 = 0x10_FF80;

/// The character that carries byte `b` (0x80..=0xFF).
fn carrier(b: u8) -> char {
    char::from_u32(FIRST + u32::from(b - 0x80)).unwrap_or(char::REPLACEMENT_CHARACTER)
}

/// The byte a carrier character stands for, if `c` is one.
///
/// ```
/// let (text, raw) = pfconf::encoding::decode(b"# caf\xe9\n".to_vec());
/// assert!(raw);
/// let c = text.chars().nth(5).unwrap();
/// assert_eq!(pfconf::encoding::raw_byte(c), Some(0xE9));
/// ```
pub fn raw_byte(c: char) -> Option<u8> {
    let v = u32::from(c);
    (FIRST..FIRST + 0x80)
        .contains(&v)
        .then(|| (v - FIRST + 0x80) as u8)
}

/// The text of `bytes`: valid UTF-8 as it is, every other byte as its
/// carrier character; and whether there was such a byte.
///
/// ```
/// use pfconf::encoding::{decode, encode};
/// let bytes = b"pass # d\xe9j\xe0 vu\n".to_vec();
/// let (text, raw) = decode(bytes.clone());
/// assert!(raw);
/// assert_eq!(encode(&text, raw).as_ref(), bytes.as_slice());
/// ```
pub fn decode(bytes: Vec<u8>) -> (String, bool) {
    match String::from_utf8(bytes) {
        Ok(s) => (s, false),
        Err(e) => {
            let bytes = e.into_bytes();
            let mut out = String::with_capacity(bytes.len() + 16);
            for chunk in bytes.utf8_chunks() {
                out.push_str(chunk.valid());
                out.extend(chunk.invalid().iter().map(|&b| carrier(b)));
            }
            (out, true)
        }
    }
}

/// The bytes to write for `text`: with `raw` (the file was read with
/// bytes that are not UTF-8), carrier characters become their bytes
/// again; otherwise the text's UTF-8 as it is.
pub fn encode(text: &str, raw: bool) -> Cow<'_, [u8]> {
    if !raw || !text.chars().any(|c| raw_byte(c).is_some()) {
        return Cow::Borrowed(text.as_bytes());
    }
    let mut out = Vec::with_capacity(text.len());
    let mut buf = [0u8; 4];
    for c in text.chars() {
        match raw_byte(c) {
            Some(b) => out.push(b),
            None => out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes()),
        }
    }
    Cow::Owned(out)
}

/// How to name character `c` in a diagnostic: the byte it carries
/// (`byte 0xE9, not UTF-8`) or the character itself.
pub fn describe(c: char) -> String {
    match raw_byte(c) {
        Some(b) => format!("byte 0x{b:02X} (not UTF-8)"),
        None => format!("`{c}` (U+{:04X})", u32::from(c)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_byte_sequence_comes_back_exactly() {
        let samples: Vec<Vec<u8>> = vec![
            b"plain ascii\n".to_vec(),
            "valid utf-8 \u{e9}t\u{e9}\n".as_bytes().to_vec(),
            b"latin-1 \xe9t\xe9 \xff\x80\n".to_vec(),
            b"\xc3 truncated".to_vec(),
            (0u8..=255).collect(),
        ];
        for bytes in samples {
            let (text, raw) = decode(bytes.clone());
            assert_eq!(encode(&text, raw).as_ref(), bytes.as_slice());
        }
    }

    #[test]
    fn a_carrier_is_one_character_so_columns_count_bytes() {
        let (text, _) = decode(b"# \xe9x".to_vec());
        assert_eq!(text.chars().count(), 4);
        assert_eq!(text.chars().nth(3), Some('x'));
    }

    #[test]
    fn a_valid_file_is_written_as_it_was_read() {
        let t = "label \"\u{10FF80}\"";
        assert_eq!(encode(t, false).as_ref(), t.as_bytes());
    }
}
