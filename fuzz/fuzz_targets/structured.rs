//! A ruleset, packets and maybe a node, described as values (see
//! `src/ruleset.rs`, `src/packet.rs`) so that most rulesets pass `check`
//! and most packets meet rules that match them. Each input runs eval
//! (a decision for every packet unless incomplete, the deciding rule among
//! the matches, `decide` agreeing with `evaluate`; also on the node), lint
//! (no panic, with and without the node), fmt (same meaning, idempotent,
//! also through the safety net) and diff (no drift from itself nor from
//! its formatting). `PFCONF_FUZZ_STATS=1` prints what the inputs reach.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pfconf_fuzz::structured::{run, Input, Stages};

fuzz_target!(|input: Input| {
    run(&input, Stages::ALL);
});
