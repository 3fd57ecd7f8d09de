//! Arbitrary bytes, decoded lossily, through the formatter. Oracles: the
//! output means what the input means and keeps its comments
//! (`fmt::verify`, which resolves both files in full), and formatting is
//! idempotent; the same for the safety net (`format_safely`), also as it
//! runs on large files (on two threads, the output digested in two
//! halves).
#![no_main]

use libfuzzer_sys::fuzz_target;
use pfconf::fmt::{
    format_safely, format_safely_on_two_threads, format_str, verify, FormatError, FormatOptions,
    Formatted,
};

type Safely = fn(&str, &str, &FormatOptions) -> Result<Formatted, FormatError>;

fn safely(text: &str, how: Safely) {
    let opts = FormatOptions::default();
    match how("fuzz.conf", text, &opts) {
        Ok(f) => {
            if let Err(e) = verify("fuzz.conf", text, &f.text) {
                panic!("format_safely changed the meaning: {e}\n--- input\n{text}\n--- output\n{}", f.text);
            }
            let again = how("fuzz.conf", &f.text, &opts)
                .unwrap_or_else(|e| panic!("safe output does not format: {e:?}\n--- output\n{}", f.text));
            assert_eq!(again.text, f.text, "format_safely is not idempotent\n--- input\n{text}");
        }
        Err(FormatError::Invalid(_)) => {}
        Err(e) => panic!("format_safely gave up: {e}\n--- input\n{text}"),
    }
}

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
    safely(&text, format_safely);
    safely(&text, format_safely_on_two_threads);
});
