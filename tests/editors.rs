//! The editor set-ups in `editors/` are well formed and start `pfconf
//! lsp` for pf.conf files: the VS Code extension's JSON parses and names
//! its files, Helix's TOML parses, the Emacs and Neovim files balance
//! their brackets; each names the same files (`pf.conf`, `pf.conf.*`,
//! `*.pf`).

use std::path::Path;

fn read(rel: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("editors")
            .join(rel),
    )
    .unwrap_or_else(|e| panic!("editors/{rel}: {e}"))
}

/// Brackets balance outside strings and comments (`comment` starts one
/// to the end of the line).
fn balanced(text: &str, comment: &str, quotes: &[char]) -> bool {
    let mut stack = Vec::new();
    for line in text.lines() {
        let mut in_str: Option<char> = None;
        let mut escaped = false;
        for (i, c) in line.char_indices() {
            if let Some(q) = in_str {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    in_str = None;
                }
                continue;
            }
            if line[i..].starts_with(comment) {
                break;
            }
            match c {
                '(' | '[' | '{' => stack.push(c),
                ')' | ']' | '}' => {
                    let open = match c {
                        ')' => '(',
                        ']' => '[',
                        _ => '{',
                    };
                    if stack.pop() != Some(open) {
                        return false;
                    }
                }
                _ if quotes.contains(&c) => in_str = Some(c),
                _ => {}
            }
        }
    }
    stack.is_empty()
}

#[test]
fn the_vscode_extension_is_valid_and_starts_the_server_for_pf_files() {
    let pkg: serde_json::Value =
        serde_json::from_str(&read("vscode/package.json")).expect("package.json is JSON");
    let lang = &pkg["contributes"]["languages"][0];
    assert_eq!(lang["id"], "pf");
    assert_eq!(lang["filenames"][0], "pf.conf");
    assert!(lang["filenamePatterns"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p == "pf.conf.*"));
    assert!(lang["extensions"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p == ".pf"));
    assert!(pkg["dependencies"]["vscode-languageclient"].is_string());
    // The files it names exist, and parse.
    let main = pkg["main"].as_str().unwrap().trim_start_matches("./");
    let config = lang["configuration"]
        .as_str()
        .unwrap()
        .trim_start_matches("./");
    let js = read(&format!("vscode/{main}"));
    assert!(
        js.contains("args: ['lsp']") && js.contains("language: 'pf'"),
        "{js}"
    );
    assert!(balanced(&js, "//", &['\'', '"', '`']));
    let conf: serde_json::Value = serde_json::from_str(&read(&format!("vscode/{config}")))
        .expect("language configuration is JSON");
    assert_eq!(conf["comments"]["lineComment"], "#");
}

#[test]
fn the_helix_languages_toml_parses_and_names_the_server() {
    let t: toml::Table = read("helix/languages.toml")
        .parse()
        .expect("languages.toml is TOML");
    let server = &t["language-server"]["pfconf"];
    assert_eq!(server["command"].as_str(), Some("pfconf"));
    assert_eq!(server["args"].as_array().unwrap()[0].as_str(), Some("lsp"));
    let lang = &t["language"].as_array().unwrap()[0];
    assert_eq!(lang["name"].as_str(), Some("pf"));
    assert_eq!(
        lang["language-servers"].as_array().unwrap()[0].as_str(),
        Some("pfconf")
    );
    assert_eq!(lang["comment-token"].as_str(), Some("#"));
}

#[test]
fn the_emacs_and_neovim_set_ups_balance_and_start_pfconf_lsp() {
    let el = read("emacs/pfconf.el");
    assert!(balanced(&el, ";", &['"']), "unbalanced pfconf.el");
    assert!(el.contains("(\"pfconf\" \"lsp\")") && el.contains("eglot-server-programs"));
    for pattern in ["pf\\\\.conf\\\\'", "pf\\\\.conf\\\\.", "\\\\.pf\\\\'"] {
        assert!(el.contains(pattern), "{pattern} in pfconf.el");
    }
    let lua = read("neovim/pfconf.lua");
    assert!(balanced(&lua, "--", &['\'', '"']), "unbalanced pfconf.lua");
    assert!(lua.contains("cmd = { 'pfconf', 'lsp' }"));
    assert!(
        lua.contains("['pf.conf'] = 'pf'")
            && lua.contains("pf%.conf%..*")
            && lua.contains("pf = 'pf'")
    );
}
