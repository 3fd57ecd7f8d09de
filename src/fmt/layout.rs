//! Line breaking: a statement's pieces joined on one line, or broken
//! with ` \\` continuations when they do not fit the width.

use super::{is_blank, INDENT};

/// Joins pieces with spaces; breaks before a piece when the line would
/// exceed `width`. A piece that alone is too long and holds a `{ }` list
/// is written one list item per line (pfctl allows newlines after items).
pub(super) fn layout(out: &mut String, pieces: &[String], pad: &str, width: usize, explode: bool) {
    let mut line = String::from(pad);
    let cont = format!("{pad}{INDENT}");
    for (i, p) in pieces.iter().enumerate() {
        if i > 0 {
            if line.len() + 1 + p.len() + 2 > width && !line.trim().is_empty() && p != "{" {
                out.push_str(&line);
                out.push_str(" \\\n");
                line = cont.clone();
            } else {
                line.push(' ');
            }
        }
        let indent = if i == 0 { pad } else { cont.as_str() };
        if explode && line.len() + p.len() > width {
            if let Some(exploded) = explode_list(p, indent) {
                line.push_str(&exploded);
                continue;
            }
        }
        line.push_str(p);
    }
    out.push_str(&line);
}

/// Rewrites the first top-level `{ a, b, c }` of `piece` with one item per
/// line, items indented one level deeper than `indent`.
fn explode_list(piece: &str, indent: &str) -> Option<String> {
    let b = piece.as_bytes();
    let mut depth = 0usize;
    let mut quote = false;
    let mut open = None;
    let mut items = Vec::new();
    let mut item_start = 0;
    let mut escaped = false;
    for (i, &c) in b.iter().enumerate() {
        match c {
            _ if escaped => escaped = false,
            b'\\' if quote && b.get(i + 1) == Some(&b'"') => escaped = true,
            b'"' => quote = !quote,
            _ if quote => {}
            b'{' => {
                depth += 1;
                if depth == 1 && open.is_none() {
                    open = Some(i);
                    item_start = i + 1;
                }
            }
            b'}' => {
                if depth == 1 && open.is_some() {
                    items.push(piece[item_start..i].trim_matches(is_blank).to_string());
                    let start = open?;
                    if items.len() < 2 {
                        return None;
                    }
                    let inner = format!("{indent}{INDENT}");
                    let mut s = String::new();
                    s.push_str(&piece[..start]);
                    s.push_str("{\n");
                    for it in &items {
                        s.push_str(&inner);
                        s.push_str(it);
                        s.push('\n');
                    }
                    s.push_str(indent);
                    s.push('}');
                    s.push_str(&piece[i + 1..]);
                    return Some(s);
                }
                depth = depth.saturating_sub(1);
            }
            b',' if depth == 1 && open.is_some() => {
                items.push(piece[item_start..i].trim_matches(is_blank).to_string());
                item_start = i + 1;
            }
            _ => {}
        }
    }
    None
}
