//! Arbitrary bytes, decoded lossily, through the formatter. Oracles: the
//! output means what the input means and keeps its comments
//! (`fmt::verify`), and formatting is idempotent.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pfconf::fmt::{format_str, verify, FormatOptions};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let opts = FormatOptions::default();
    let Ok(out) = format_str("fuzz.conf", &text, &opts) else {
        return;
    };
    if let Err(e) = verify("fuzz.conf", &text, &out) {
        panic!("format changed the meaning: {e}\n--- input\n{text}\n--- output\n{out}");
    }
    match format_str("fuzz.conf", &out, &opts) {
        Ok(again) => assert_eq!(
            again, out,
            "format is not idempotent\n--- input\n{text}\n--- first\n{out}\n--- second\n{again}"
        ),
        Err(e) => {
            panic!("formatted output does not parse: {e:?}\n--- input\n{text}\n--- output\n{out}")
        }
    }
});
