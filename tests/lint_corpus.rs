//! Every corpus file lints without a panic; prints how often each lint
//! fires on the real-world rulesets. Reads `PFCONF_CORPUS`.

use pfconf::lint::{registry, run, LintConfig};
use std::collections::BTreeMap;

mod common;

#[test]
#[cfg_attr(
    not(pfconf_corpus),
    ignore = "needs the corpus: set PFCONF_CORPUS (CI: ../shared/corpus)"
)]
fn lints_over_the_corpus() {
    let Some(root) = common::corpus() else {
        return;
    };
    let mut counts: BTreeMap<&str, (usize, usize)> =
        registry().iter().map(|l| (l.info.name, (0, 0))).collect();
    let mut linted = 0;
    let mut files = 0;
    for sub in ["pfctl", "realworld"] {
        let Ok(dir) = std::fs::read_dir(root.join(sub)) else {
            continue;
        };
        let mut paths: Vec<_> = dir.flatten().map(|e| e.path()).collect();
        paths.sort();
        for p in paths {
            if p.file_name().is_some_and(|n| n == "MANIFEST.tsv") {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&p) else {
                continue;
            };
            files += 1;
            let name = p.display().to_string();
            let result = std::panic::catch_unwind(|| {
                let report = pfconf::check_str(&name, &text);
                if report.is_ok() {
                    Some(run(&report, &LintConfig::default()))
                } else {
                    None
                }
            });
            let diags = match result {
                Ok(d) => d,
                Err(_) => panic!("lint panicked on {name}"),
            };
            if let (Some(d), "realworld") = (diags, sub) {
                linted += 1;
                let mut fired = std::collections::BTreeSet::new();
                for x in &d {
                    if let Some(c) = counts.get_mut(x.code) {
                        c.0 += 1;
                        fired.insert(x.code);
                    }
                }
                for f in fired {
                    if let Some(c) = counts.get_mut(f) {
                        c.1 += 1;
                    }
                }
            }
        }
    }
    println!(
        "linted {files} corpus files without a panic; real-world files that check clean: {linted}"
    );
    for (name, (findings, in_files)) in &counts {
        println!("    {name:<18} {findings:>4} findings in {in_files:>3} of {linted} files");
    }
    assert!(files > 0);
}
