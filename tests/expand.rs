//! `expand`: unit tests of each expansion rule, and conformance with
//! pfctl's regression suite.
//!
//! The corpus is read from the directory named by `PFCONF_CORPUS` (CI:
//! `../shared/corpus`); the corpus tests skip with a notice when it is
//! unset. Run `cargo test --test expand -- --nocapture` for the figures;
//! set `PFCONF_EXPAND_DIFF=1` to also print each mismatch.

use pfconf::expand::{expand, Interfaces};
use pfconf::{check_str, check_with, FsLoader, Options};
use std::collections::HashMap;
use std::path::Path;

/// `pfN.in` whose expansion equals `pfN.ok` byte for byte.
const CONFORMANCE_FLOOR: usize = 61;
/// 2022 `pfN.ok` that expand to themselves.
const SELFPF_FLOOR: usize = 94;

/// Expands `text` (no file access) with the regression interface table.
fn x(text: &str) -> String {
    let report = check_str("pf.conf", text);
    let errors: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.message.clone())
        .collect();
    assert!(errors.is_empty(), "check errors: {errors:?}");
    expand(&report.resolved, &Interfaces::regress()).to_string()
}

#[test]
fn list_products_in_pfctl_order() {
    let out = x("pass in proto { tcp, udp } from { 10.0.0.1, 10.0.0.2 } to any port { 22, 80 }\n");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 8);
    assert_eq!(
        lines[0],
        "pass in inet proto tcp from 10.0.0.1 to any port = 22 flags S/SA"
    );
    assert_eq!(
        lines[1],
        "pass in inet proto tcp from 10.0.0.1 to any port = 80 flags S/SA"
    );
    assert_eq!(
        lines[2],
        "pass in inet proto tcp from 10.0.0.2 to any port = 22 flags S/SA"
    );
    assert_eq!(
        lines[4],
        "pass in inet proto udp from 10.0.0.1 to any port = 22"
    );
}

#[test]
fn interfaces_multiply_first() {
    let out = x("block in on { em0, em1 } proto tcp to port { ssh, www }\n");
    assert_eq!(
        out,
        "block drop in on em0 proto tcp from any to any port = 22\n\
         block drop in on em0 proto tcp from any to any port = 80\n\
         block drop in on em1 proto tcp from any to any port = 22\n\
         block drop in on em1 proto tcp from any to any port = 80\n"
    );
}

#[test]
fn pass_defaults_flags_and_state() {
    assert_eq!(x("pass\n"), "pass all flags S/SA\n");
    assert_eq!(x("pass no state\n"), "pass all no state\n");
    assert_eq!(x("pass flags any\n"), "pass all flags any\n");
    assert_eq!(x("pass proto udp\n"), "pass proto udp all\n");
    assert_eq!(
        x("pass proto udp keep state (max 10)\n"),
        "pass proto udp all keep state (max 10, adaptive.start 6, adaptive.end 12)\n"
    );
    assert_eq!(
        x("pass proto icmp modulate state\n"),
        "pass proto icmp all\n"
    );
    assert_eq!(x("match\n"), "match all\n");
    assert_eq!(x("block\n"), "block drop all\n");
    assert_eq!(
        x("set block-policy return\nblock\n"),
        "set block-policy return\nblock return all\n"
    );
}

#[test]
fn address_family_inference() {
    assert_eq!(
        x("pass from 10.0.0.0/8 to any\n"),
        "pass inet from 10.0.0.0/8 to any flags S/SA\n"
    );
    // Mixed families: only matching combinations survive.
    assert_eq!(
        x("pass from { 10.0.0.1, ::1 } to { 10.0.0.2, ::2 }\n"),
        "pass inet from 10.0.0.1 to 10.0.0.2 flags S/SA\n\
         pass inet6 from ::1 to ::2 flags S/SA\n"
    );
    // An explicit family drops the other addresses.
    assert_eq!(
        x("pass inet6 from { 10.0.0.1, ::1 }\n"),
        "pass inet6 from ::1 to any flags S/SA\n"
    );
    // Addresses are masked.
    assert_eq!(
        x("pass from 1.2.3.4/25\n"),
        "pass inet from 1.2.3.0/25 to any flags S/SA\n"
    );
}

#[test]
fn interface_addresses_from_table() {
    assert_eq!(
        x("pass inet from lo0\n"),
        "pass inet from 127.0.0.1 to any flags S/SA\n"
    );
    let report = check_str("pf.conf", "pass from em0\n");
    let e = expand(&report.resolved, &Interfaces::regress());
    assert_eq!(e.to_string(), "pass from em0 to any flags S/SA\n");
    assert_eq!(e.notes.len(), 1);
    let ifs = Interfaces::parse("em0 192.0.2.1/24\n").unwrap_or_default();
    let e = expand(&report.resolved, &ifs);
    assert_eq!(
        e.to_string(),
        "pass inet from 192.0.2.1 to any flags S/SA\n"
    );
}

#[test]
fn label_macros() {
    assert_eq!(
        x("pass in proto tcp from { 1.2.3.4, 1.2.3.5 } to any label \"$nr:$proto:$srcaddr:$srcport:$dstaddr:$dstport\"\n"),
        "pass in inet proto tcp from 1.2.3.4 to any flags S/SA label \"0:tcp:1.2.3.4::any:\"\n\
         pass in inet proto tcp from 1.2.3.5 to any flags S/SA label \"1:tcp:1.2.3.5::any:\"\n"
    );
    assert_eq!(
        x("pass in on lo0 all label \"$if\"\npass in all label \"$if\"\n"),
        "pass in on lo0 all flags S/SA label \"lo0\"\npass in all flags S/SA label \"any\"\n"
    );
    assert_eq!(
        x("pass in proto udp to port > 29 label \"x$dstport\"\n"),
        "pass in proto udp from any to any port > 29 label \"x>29\"\n"
    );
}

#[test]
fn return_variants_and_icmp_types() {
    assert_eq!(
        x("block return-icmp in inet proto icmp all\n"),
        "block return-icmp(port-unr) in inet proto icmp all\n"
    );
    assert_eq!(
        x("pass in inet proto icmp all icmp-type 0 code 0\n"),
        "pass in inet proto icmp all icmp-type echorep code 0\n"
    );
}

#[test]
fn spans_and_json() {
    let report = check_str("pf.conf", "pass in proto tcp to port { 22, 80 }\n");
    let e = expand(&report.resolved, &Interfaces::regress());
    assert_eq!(e.rules.len(), 2);
    assert_eq!(e.rules[0].span, e.rules[1].span);
    let json = serde_json::to_value(&e).unwrap_or_default();
    assert_eq!(json["rules"][1]["to"]["port"]["a"], 80);
}

// ---------------------------------------------------------------------------
// Corpus
// ---------------------------------------------------------------------------

mod common;
use common::corpus;

/// MANIFEST.tsv: file name to note.
fn manifest(dir: &Path) -> HashMap<String, String> {
    let text = std::fs::read_to_string(dir.join("MANIFEST.tsv")).unwrap_or_default();
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            Some((
                cols.first()?.to_string(),
                cols.get(3).unwrap_or(&"").to_string(),
            ))
        })
        .collect()
}

/// Expands a file of the corpus; `Err` with the check errors.
fn expand_file(path: &Path) -> Result<String, String> {
    expand_file_as(path, false)
}

/// [`expand_file`]; `rules_only` for the rows whose `.ok` is `pfctl -sr`
/// output of the loaded anchors (PFLOADANCHORS), which lists rules only.
fn expand_file_as(path: &Path, rules_only: bool) -> Result<String, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let name = path.display().to_string();
    let report = check_with(&name, &text, &FsLoader::default(), &Options::default());
    let errors: Vec<String> = report
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.short(&report.sources))
        .collect();
    if !errors.is_empty() {
        return Err(errors.join("\n"));
    }
    let ex = expand(&report.resolved, &Interfaces::regress());
    Ok(if rules_only {
        ex.rules_text()
    } else {
        ex.to_string()
    })
}

fn numbered(files: &mut [String]) {
    files.sort_by_key(|f| {
        f.trim_start_matches("pf")
            .split('.')
            .next()
            .and_then(|n| n.parse::<u32>().ok())
            .unwrap_or(0)
    });
}

fn show(name: &str, got: &Result<String, String>, want: &str) {
    if std::env::var_os("PFCONF_EXPAND_DIFF").is_none() {
        return;
    }
    match got {
        Err(e) => println!("--- {name}: check errors\n{e}"),
        Ok(got) => {
            println!("--- {name}");
            let g: Vec<&str> = got.lines().collect();
            let w: Vec<&str> = want.lines().collect();
            for i in 0..g.len().max(w.len()) {
                let (a, b) = (g.get(i), w.get(i));
                if a != b {
                    println!("  got:  {}", a.unwrap_or(&"<none>"));
                    println!("  want: {}", b.unwrap_or(&"<none>"));
                }
            }
        }
    }
}

#[test]
#[cfg_attr(
    not(pfconf_corpus),
    ignore = "needs the corpus: set PFCONF_CORPUS (CI: ../shared/corpus)"
)]
fn conformance_with_pfctl_regress() {
    let Some(dir) = corpus().map(|d| d.join("pfctl")) else {
        return;
    };
    let m = manifest(&dir);
    let mut files: Vec<String> = m
        .keys()
        .filter(|f| {
            f.starts_with("pf") && !f.starts_with("pfail") && f.ends_with(".in") && {
                let ok = f.replace(".in", ".ok");
                let bad = |n: &str| {
                    m.get(n)
                        .is_none_or(|note| note.contains("mismatch?") || note.contains("MISSING"))
                };
                !bad(f) && !bad(&ok) && dir.join(f).exists() && dir.join(&ok).exists()
            }
        })
        .cloned()
        .collect();
    numbered(&mut files);
    let mut same = 0;
    let mut differ = Vec::new();
    for f in &files {
        let want = std::fs::read_to_string(dir.join(f.replace(".in", ".ok"))).unwrap_or_default();
        let rules_only = m.get(f).is_some_and(|n| n.contains("PFLOADANCHORS"));
        let got = expand_file_as(&dir.join(f), rules_only);
        if got.as_deref() == Ok(want.as_str()) {
            same += 1;
        } else {
            show(f, &got, &want);
            differ.push(f.clone());
        }
    }
    println!("expand conformance: {same}/{} identical", files.len());
    println!("mismatching: {}", differ.join(" "));
    assert!(
        same >= CONFORMANCE_FLOOR,
        "conformance fell below {CONFORMANCE_FLOOR}"
    );
}

#[test]
#[cfg_attr(
    not(pfconf_corpus),
    ignore = "needs the corpus: set PFCONF_CORPUS (CI: ../shared/corpus)"
)]
fn selfpf() {
    let Some(dir) = corpus().map(|d| d.join("pfctl")) else {
        return;
    };
    let m = manifest(&dir);
    let mut files: Vec<String> = m
        .iter()
        .filter(|(f, note)| {
            f.starts_with("pf")
                && !f.starts_with("pfail")
                && f.ends_with(".ok")
                && note.contains("src=regress-2022")
                && dir.join(f.as_str()).exists()
        })
        .map(|(f, _)| f.clone())
        .collect();
    numbered(&mut files);
    let mut same = 0;
    let mut differ = Vec::new();
    for f in &files {
        let want = std::fs::read_to_string(dir.join(f)).unwrap_or_default();
        let got = expand_file(&dir.join(f));
        if got.as_deref() == Ok(want.as_str()) {
            same += 1;
        } else {
            show(f, &got, &want);
            differ.push(f.clone());
        }
    }
    println!("selfpf: {same}/{}", files.len());
    println!("mismatching: {}", differ.join(" "));
    assert!(same >= SELFPF_FLOOR, "selfpf fell below {SELFPF_FLOOR}");
}

/// Expansion speed on a generated 100,000-rule ruleset (run with
/// `cargo test --release --test expand -- --ignored --nocapture`).
#[test]
#[ignore]
fn bench_100k_rules() {
    let mut text = String::from("table <bad> persist\n");
    for i in 0..100_000u32 {
        let (a, b) = (i / 250 % 250, i % 250);
        text.push_str(&format!(
            "pass in quick on em{} proto tcp from 10.{a}.{b}.0/24 to <bad> port {} label \"r$nr\"\n",
            i % 4,
            1024 + i % 60000
        ));
    }
    let report = check_str("bench.conf", &text);
    let start = std::time::Instant::now();
    let e = expand(&report.resolved, &Interfaces::regress());
    let out = e.to_string();
    let secs = start.elapsed().as_secs_f64();
    let n = e.rules.len();
    println!(
        "expand: {n} rules in {secs:.3}s: {:.0} rules/s, {:.1} MB/s of input",
        n as f64 / secs,
        text.len() as f64 / secs / 1e6
    );
    assert_eq!(n, 100_000);
    assert!(out.len() > text.len() / 2);
}

#[test]
fn options_tables_and_anchors() {
    assert_eq!(
        x("set timeout { tcp.first 6, tcp.opening 7 }\nset hostid 1\nset skip on lo0\ntable <t> persist { 10.0.0.1, !10.1.0.0/16 }\n"),
        "set timeout tcp.first 6\nset timeout tcp.opening 7\nset hostid 0x00000001\n\
         set skip on { lo0 }\ntable <t> persist { 10.0.0.1 !10.1.0.0/16 }\n"
    );
    assert_eq!(
        x("anchor \"a\" in on lo0 {\n  pass in on lo0 label \"$nr\"\n  anchor {\n    block\n  }\n}\n"),
        "anchor \"a\" in on lo0 all {\n  pass in on lo0 all flags S/SA label \"0\"\n  \
         anchor all {\n    block drop all\n  }\n}\n"
    );
    // Macro definitions print first, in order, as pfctl -v shows them.
    assert_eq!(
        x("ext = \"lo0\"\npass on $ext\n"),
        "ext = \"lo0\"\npass on lo0 all flags S/SA\n"
    );
}

#[test]
fn translation_and_antispoof() {
    assert_eq!(
        x("match on lo0 from 192.168.1.1 to any binat-to 10.0.0.1\n"),
        "match out on lo0 inet from 192.168.1.1 to any nat-to 10.0.0.1 static-port\n\
         match in on lo0 inet from any to 10.0.0.1 rdr-to 192.168.1.1\n"
    );
    assert_eq!(
        x("match out on lo0 from any to 127.0.0.1 nat-to { 127.0.0.1, 127.0.0.2 }\n"),
        "table <__automatic_0> const { 127.0.0.1 127.0.0.2 }\n\
         match out on lo0 inet from any to 127.0.0.1 nat-to <__automatic_0> round-robin\n"
    );
    assert_eq!(
        x("match out on lo0 inet from any to any nat-to (lo0)\n"),
        "match out on lo0 inet all nat-to (lo0) round-robin\n"
    );
    assert_eq!(
        x("antispoof for lo0\n"),
        "block drop in on ! lo0 inet6 from ::1 to any\n\
         block drop in on ! lo0 inet from 127.0.0.0/8 to any\n"
    );
}

#[test]
fn state_options_as_pfctl_sets_them() {
    // Connection limits track sources per rule and set src.track.
    assert_eq!(
        x("pass in proto tcp keep state (max-src-conn-rate 3/99)\n"),
        "pass in proto tcp all flags S/SA keep state (source-track rule, max-src-conn-rate 3/99, src.track 99)\n"
    );
    assert_eq!(
        x("pass in proto tcp keep state (source-track, max-src-states 3)\n"),
        "pass in proto tcp all flags S/SA keep state (source-track global, max-src-states 3)\n"
    );
    // `set state-policy if-bound` reaches stateful rules only.
    assert_eq!(
        x("set state-policy if-bound\npass\npass no state\n"),
        "set state-policy if-bound\npass all flags S/SA keep state (if-bound)\npass all no state\n"
    );
    assert_eq!(x("pass on any\n"), "pass on any all flags S/SA\n");
    assert_eq!(
        x("pass probability 50%\n"),
        "pass all flags S/SA probability 50%\n"
    );
}

#[test]
fn return_icmp_codes_keep_pfctl_quirks() {
    assert_eq!(
        x("block return-icmp(5, 1) in all\n"),
        "block return-icmp(srcfail, admin-unr) in all\n"
    );
    // A lone IPv4 code leaves the IPv6 code at the IPv4 default.
    assert_eq!(
        x("block return-icmp(5) in all\n"),
        "block return-icmp(srcfail, 3) in all\n"
    );
    assert_eq!(
        x("block return-icmp6 in inet6 all\n"),
        "block return-icmp6(port-unr) in inet6 all\n"
    );
}

/// parse.y 1.719 `loadrule`: inside an anchor, `load anchor NAME` loads
/// the anchor at `PATH/NAME`; pfctl lists its rules under the anchor rule
/// that calls it. An anchor no rule calls is printed after the main
/// ruleset (regress pf103).
#[test]
fn nested_loaded_anchors_take_their_parents_path() {
    let loader = pfconf::MemoryLoader::default()
        .with(
            "one.conf",
            "anchor \"two\"\nload anchor \"two\" from \"two.conf\"\n",
        )
        .with("two.conf", "pass from 10.0.0.1\n")
        .with("x.conf", "block in from 10.9.9.9\n");
    let main = "anchor \"one\"\nload anchor \"one\" from \"one.conf\"\nload anchor \"x\" from \"x.conf\"\npass out\n";
    let report = check_with("m.conf", main, &loader, &Options::default());
    assert!(report.is_ok(), "{:?}", report.diagnostics);
    let names: Vec<&str> = report
        .resolved
        .loaded_anchors
        .iter()
        .map(|l| l.name.as_str())
        .collect();
    assert_eq!(names, ["one", "x", "one/two"]);
    let got = expand(&report.resolved, &Interfaces::new()).to_string();
    assert_eq!(
        got,
        "anchor \"one\" all {\n  anchor \"two\" all {\n    pass inet from 10.0.0.1 to any flags S/SA\n  }\n}\npass out all flags S/SA\nblock drop in inet from 10.9.9.9 to any\n"
    );
    // The evaluator follows the same path.
    let p = pfconf::eval::parse_packet("in on em0 proto tcp from 10.0.0.1 to 10.0.0.2 port 22")
        .unwrap();
    let o = pfconf::eval::evaluate(&report.resolved, &p);
    let d = o.certain().expect("decided");
    assert_eq!(d.verdict, pfconf::eval::Verdict::Pass);
    assert_eq!(report.sources.location(d.rule.unwrap()), "two.conf:1:1");
}

/// Expands `text` with an interface table described as `--interfaces`
/// reads it.
fn x_with(text: &str, interfaces: &str) -> String {
    let report = check_str("pf.conf", text);
    assert!(report.is_ok(), "{:?}", report.diagnostics);
    let ifs = Interfaces::parse(interfaces).unwrap();
    expand(&report.resolved, &ifs).to_string()
}

/// parse.y 1.719 `antispoof`: a `block drop in on ! IF from IF:network`
/// rule and, unless IF is flagged IFF_LOOPBACK (lo0, not the group `lo`),
/// `block drop in from IF`; both drop whatever `set block-policy` says
/// and carry the label; `(IF)` makes both rules dynamic.
#[test]
fn antispoof_makes_pfctls_two_rules_for_every_form() {
    let ifs = "lo0 127.0.0.1/8\nem0 192.0.2.1/24\n";
    assert_eq!(
        x_with(
            "set block-policy return\nantispoof for em0 inet label \"spoof\"\n",
            ifs
        ),
        "set block-policy return\n\
         block drop in on ! em0 inet from 192.0.2.0/24 to any label \"spoof\"\n\
         block drop in inet from 192.0.2.1 to any label \"spoof\"\n"
    );
    assert_eq!(
        x_with("antispoof for (em0) inet\n", ifs),
        "block drop in on ! em0 inet from (em0:network) to any\n\
         block drop in inet from (em0) to any\n"
    );
    assert_eq!(
        x_with("antispoof for lo0 inet\n", ifs),
        "block drop in on ! lo0 inet from 127.0.0.0/8 to any\n"
    );
    // The group `lo` is no loopback interface for pfctl: both rules, the
    // second from the members' addresses; a link-local one puts its rule
    // on the member.
    assert_eq!(
        x("antispoof for lo\n"),
        "block drop in on ! lo inet6 from ::1 to any\n\
         block drop in on ! lo inet from 127.0.0.0/8 to any\n\
         block drop in inet6 from ::1 to any\n\
         block drop in on lo0 inet6 from fe80::1 to any\n\
         block drop in inet from 127.0.0.1 to any\n"
    );
}

/// parse.y 1.719 DYNIF_MULTIADDR and apply_redirspec: a pool that is a
/// table or a dynamic address that may hold several addresses (no `:0`,
/// or a group even with `:0`) gets ` round-robin`.
#[test]
fn group_pools_are_round_robin_even_with_colon_zero() {
    assert_eq!(
        x("match out on egress nat-to (egress:0)\nmatch out on em0 nat-to (em0:0)\n"),
        "match out on egress all nat-to (egress:0) round-robin\n\
         match out on em0 all nat-to (em0:0)\n"
    );
}

/// `if:broadcast` holds IPv4 broadcast addresses only (pfctl_parser.c
/// 1.352 ifa_lookup): the rule is inet, and the address is the network's
/// broadcast when the interface's address is known.
#[test]
fn broadcast_is_ipv4_and_never_dropped() {
    assert_eq!(
        x_with(
            "pass in on em0 to em0:broadcast\n",
            "em0 192.0.2.1/24 2001:db8::1/64\n"
        ),
        "pass in on em0 inet from any to 192.0.2.255 flags S/SA\n"
    );
    assert_eq!(
        x("pass in on em0 to em0:broadcast\n"),
        "pass in on em0 inet from any to em0:broadcast flags S/SA\n"
    );
}

/// What pfctl -nv prints for `set` options (pfctl.c 1.397 and parse.y
/// 1.719): `set debug` as written, nothing for `ruleset-optimization`
/// and `state-defaults`, `set fingerprints "FILE"`, syncookies with
/// their watermarks (a missing end is half the start), `set reassemble`
/// with its trailing blank, `set skip on` always braced.
#[test]
fn set_options_print_as_pfctl_prints_them() {
    assert_eq!(
        x(
            "set debug Warn\nset ruleset-optimization basic\nset state-defaults pflow\n\
           set fingerprints \"/etc/pf.os\"\nset syncookies adaptive (start 30%, end 10%)\n\
           set syncookies adaptive (start 30%)\nset syncookies never\nset reassemble yes\n\
           set skip on lo0\nset hostid 1\n"
        ),
        "set debug Warn\nset fingerprints \"/etc/pf.os\"\n\
         set syncookies adaptive (start 30%, end 10%)\n\
         set syncookies adaptive (start 30%, end 15%)\nset syncookies never\n\
         set reassemble yes \nset skip on { lo0 }\nset hostid 0x00000001\n"
    );
}

/// parse.y 1.719 `uid`/`gid`: names resolve to ids through the password
/// and group databases (OpenBSD's system accounts without a node); a name
/// no database knows stays a name, never `unknown` (which is pf's own
/// keyword, -1); ranges of ids keep their `:`.
#[test]
fn users_and_groups_print_their_ids_or_their_names() {
    let src = "pass in proto tcp to port 22 user alice\n\
               pass in proto tcp to port 23 group { wheel staff }\n\
               pass in proto tcp to port 24 user www\n\
               pass in proto tcp to port 25 user unknown\n\
               pass in proto tcp to port 26 user 1000:2000\n";
    let report = check_str("pf.conf", src);
    let ex = expand(&report.resolved, &Interfaces::new());
    assert_eq!(
        ex.rules_text(),
        "pass in proto tcp from any to any port = 22 user = alice flags S/SA\n\
         pass in proto tcp from any to any port = 23 group = 0 flags S/SA\n\
         pass in proto tcp from any to any port = 23 group = 20 flags S/SA\n\
         pass in proto tcp from any to any port = 24 user = 67 flags S/SA\n\
         pass in proto tcp from any to any port = 25 user = unknown flags S/SA\n\
         pass in proto tcp from any to any port = 26 user 1000:2000 flags S/SA\n"
    );
    assert!(
        ex.notes.iter().any(|n| n.starts_with("user alice:")),
        "{:?}",
        ex.notes
    );
    // A node's own databases.
    let node = pfconf::node::Node::from_files([
        ("hostname.em0", "inet 192.0.2.2 255.255.255.0\n"),
        (
            "master.passwd",
            "root:*:0:0::0:0:r:/root:/bin/ksh\nalice:*:1000:1000::0:0:a:/home/alice:/bin/ksh\n",
        ),
        ("group", "wheel:*:0:root\nstaff:*:20:alice\n"),
    ]);
    let acc = node.accounts.as_ref().expect("accounts read");
    let ex = pfconf::expand::expand_with_accounts(&report.resolved, &Interfaces::new(), acc);
    let text = ex.rules_text();
    assert!(text.contains("port = 22 user = 1000 "), "{text}");
    assert!(
        text.contains("port = 24 user = www "),
        "www is not this node's: {text}"
    );
    let unknown = pfconf::accounts::unknown_names(&report.resolved, acc);
    assert_eq!(unknown.len(), 1, "{unknown:?}");
    assert_eq!(unknown[0].code, "unknown-user");
    assert!(unknown[0].message.starts_with("unknown user www"));
}

/// An anchor called through a sub-anchor of a loaded file (`anchor
/// "block/default"` with `load anchor "block" from FILE`, FILE holding
/// `anchor "default" { ... }`): the sub-anchor's rules are listed under
/// the anchor rule that calls them.
#[test]
fn loaded_anchors_called_through_sub_anchors() {
    let loader = pfconf::MemoryLoader::default().with(
        "block.conf",
        "anchor \"default\" {\n  block in from 10.9.9.9\n}\n",
    );
    let main = "anchor \"block/default\"\nload anchor \"block\" from \"block.conf\"\n";
    let report = check_with("m.conf", main, &loader, &Options::default());
    assert!(report.is_ok(), "{:?}", report.diagnostics);
    assert_eq!(
        expand(&report.resolved, &Interfaces::new()).to_string(),
        "anchor \"block/default\" all {\n  block drop in inet from 10.9.9.9 to any\n}\n"
    );
}

/// pfctl numbers the rules of each ruleset from 0 in load order (`@nr`
/// of `pfctl -vv`): the main ruleset's through every statement, an
/// anchor's own from 0, the two halves of a `binat-to` one after the
/// other. `expand_each` hands the main ruleset's rules on statement by
/// statement; the numbers are those of the whole list.
#[test]
fn rule_numbers_run_through_the_ruleset_when_handed_on_one_statement_at_a_time() {
    let text = "pass in proto tcp to port { 22 443 }\n\
                anchor \"a\" {\n  pass out proto udp to port { 53 123 }\n}\n\
                match on em0 inet from 192.168.1.1 to any binat-to 10.0.0.1\n\
                block in quick on em1\n";
    let report = check_str("pf.conf", text);
    assert!(report.is_ok(), "{:?}", report.diagnostics);
    let mut handed = Vec::new();
    let rest = pfconf::expand::expand_each(
        &report.resolved,
        &Interfaces::regress(),
        pfconf::accounts::Accounts::openbsd(),
        &mut |r| handed.push(r),
    );
    assert!(rest.rules.is_empty());
    let main: Vec<(usize, String)> = handed.iter().map(|r| (r.nr, r.head())).collect();
    let numbers: Vec<usize> = main.iter().map(|(n, _)| *n).collect();
    assert_eq!(numbers, [0, 1, 2, 3, 4, 5], "{main:#?}");
    assert!(main[2].1.starts_with("anchor \"a\""), "{main:#?}");
    assert!(main[3].1.starts_with("match out on em0"), "{main:#?}");
    assert!(main[4].1.starts_with("match in on em0"), "{main:#?}");
    let children: Vec<usize> = handed[2].children.iter().flatten().map(|r| r.nr).collect();
    assert_eq!(children, [0, 1]);
    // The same rules as the whole expansion.
    assert_eq!(
        handed,
        expand(&report.resolved, &Interfaces::regress()).rules
    );
}

/// `pfconf expand` writes each statement's rules as they are expanded
/// (JSON Lines and the JSON document's rules likewise): its output is the
/// library's whole expansion, byte for byte, on every pfctl regression
/// file it accepts (loaded anchors no rule calls included), and the JSON
/// document lists the same rules in the same order, each once.
#[test]
#[cfg_attr(
    not(pfconf_corpus),
    ignore = "needs the corpus: set PFCONF_CORPUS (CI: ../shared/corpus)"
)]
fn the_cli_prints_the_whole_expansion_while_streaming() {
    let Some(dir) = corpus().map(|d| d.join("pfctl")) else {
        return;
    };
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "in"))
        .collect();
    files.sort();
    let mut compared = 0;
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let loader = FsLoader::default();
        let report = check_with(
            &path.display().to_string(),
            &text,
            &loader,
            &Options::default(),
        );
        if !report.is_ok() {
            continue;
        }
        let want = expand(&report.resolved, &Interfaces::new()).to_string();
        let out = assert_cmd::Command::cargo_bin("pfconf")
            .unwrap()
            .arg("expand")
            .arg(path)
            .output()
            .unwrap();
        if !out.status.success() {
            continue;
        }
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            want,
            "{}",
            path.display()
        );
        let out = assert_cmd::Command::cargo_bin("pfconf")
            .unwrap()
            .args(["expand", "--format", "json"])
            .arg(path)
            .output()
            .unwrap();
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let whole = expand(&report.resolved, &Interfaces::new());
        let texts: Vec<String> = whole.all_rules().iter().map(|r| r.head()).collect();
        let got: Vec<&str> = doc["rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["text"].as_str().unwrap())
            .collect();
        assert_eq!(got, texts, "{}", path.display());
        let header: Vec<&str> = whole.header.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(
            doc["header"],
            serde_json::json!(header),
            "{}",
            path.display()
        );
        compared += 1;
    }
    println!("expand: the CLI's streamed text equals the whole expansion on {compared} files");
    assert!(compared >= 50, "only {compared} files compared");
}
