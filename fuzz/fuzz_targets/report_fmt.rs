//! Arbitrary bytes, decoded lossily, checked with the source AST kept,
//! then formatted from the report. Oracle: the same text as formatting
//! the bytes directly, or both refuse the file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pfconf::fmt::{format_safely, FormatError, FormatOptions};
use pfconf::{check_with, MemoryLoader, Options};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let none = MemoryLoader::default();
    let keep = Options {
        keep_source: true,
        ..Options::default()
    };
    let report = check_with("fuzz.conf", &text, &none, &keep);
    let fmt = FormatOptions::default();
    match (
        report.format(&none, &fmt),
        format_safely("fuzz.conf", &text, &fmt),
    ) {
        (Ok(a), Ok(b)) => assert_eq!(a.text, b.text),
        (Err(FormatError::Invalid(_)), Err(FormatError::Invalid(_))) => {}
        (a, b) => panic!("from the report {a:?}, from the text {b:?}"),
    }
});
