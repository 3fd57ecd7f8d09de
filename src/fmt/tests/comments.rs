//! Comments in the layout: lists with a comment per item, trailing
//! comments aligned or moved above their statement.

use super::{fmt, fmt_at};

#[test]
fn a_table_with_a_comment_per_prefix_gets_one_prefix_per_line() {
    // As written in the wild: an escaped blank (`\ `, a blank to pfctl's
    // lexer) before each comment, the items without commas.
    let src = "table <martians> {\n  0.0.0.0/8       \\ # 'this' network [RFC1122]\n  \
               10.0.0.0/8      \\ # private space [RFC1918]\n  \
               100.64.0.0/10   \\ # CGN Shared [RFC6598]\n  \
               198.51.100.0/24 \\ # TEST-NET-2 [RFC5737]\n}\n";
    assert_eq!(
        fmt(src),
        "table <martians> {\n    \
         0.0.0.0/8       # 'this' network [RFC1122]\n    \
         10.0.0.0/8      # private space [RFC1918]\n    \
         100.64.0.0/10   # CGN Shared [RFC6598]\n    \
         198.51.100.0/24 # TEST-NET-2 [RFC5737]\n}\n"
    );
}

#[test]
fn comments_in_a_list_keep_their_places_and_the_commas_go() {
    // pfctl reads a newline after `{` and after an item (`optnl`), not
    // after a comma (a comma may start the next line): the items of a list
    // spread over lines have none.
    let src = "table <t> persist { # the first line\n\
               # before one\n 10.0.0.1 # one\n\n , 10.0.0.2\n , 10.0.0.3 # three\n # last\n } \
               # after\n";
    assert_eq!(
        fmt(src),
        "table <t> persist { # the first line\n    \
         # before one\n    \
         10.0.0.1 # one\n    \
         10.0.0.2\n    \
         10.0.0.3 # three\n    \
         # last\n\
         } # after\n"
    );
}

#[test]
fn a_rule_with_a_commented_list_goes_on_after_its_brace() {
    let src = "pass in on em0 proto tcp to port { 22 # ssh\n 80 # www\n 443 } keep state\n";
    assert_eq!(
        fmt(src),
        "pass in on em0 proto tcp to port {\n    \
         22 # ssh\n    \
         80 # www\n    \
         443\n\
         } keep state\n"
    );
    // In an anchor body, one level deeper.
    let src = "anchor {\n pass in on em0 proto tcp to port { 22 # ssh\n 80 }\n}\n";
    assert_eq!(
        fmt(src),
        "anchor {\n    \
         pass in on em0 proto tcp to port {\n        \
         22 # ssh\n        \
         80\n    \
         }\n}\n"
    );
}

#[test]
fn a_commented_list_in_an_anchor_header_is_kept_as_written() {
    // A line ending in `{` in an anchor's header would open its body.
    let src = "anchor \"a\" to { 10.0.0.1 # one\n  10.0.0.2 }\n";
    assert_eq!(fmt(src), src);
}

#[test]
fn trailing_comments_on_consecutive_lines_line_up() {
    let src = "ext_if = \"em0\" # outside\nint_if = \"em1\"\t\t# inside\n\
               lan_net = \"192.168.1.0/24\" # the lan\n\
               pass # a pass\n\n\
               block all # alone after a blank line\n\
               pass out # again\n\
               # a comment line ends the run\n\
               pass in # x\n\
               block # y\n\
               match\n\
               pass # z\n";
    assert_eq!(
        fmt(src),
        "ext_if = \"em0\"             # outside\n\
         int_if = \"em1\"             # inside\n\
         lan_net = \"192.168.1.0/24\" # the lan\n\
         pass                       # a pass\n\n\
         block all # alone after a blank line\n\
         pass out  # again\n\
         # a comment line ends the run\n\
         pass in # x\n\
         block   # y\n\
         match\n\
         pass # z\n"
    );
}

#[test]
fn a_column_past_the_width_starts_a_new_run() {
    let src = "a = \"1\" # a comment that is rather long, some forty columns\n\
               b = \"2\" # short\n\
               long_macro_name_here = \"a value that is fairly long\" # x\n\
               c = \"3\" # three\n";
    // The third line's column would push the first past 80: a new run
    // starts there.
    assert_eq!(
        fmt_at(src, 80),
        format!(
            "a = \"1\" # a comment that is rather long, some forty columns\n\
             b = \"2\" # short\n\
             long_macro_name_here = \"a value that is fairly long\" # x\n\
             c = \"3\"{}# three\n",
            " ".repeat(46)
        )
    );
    // With room, one column for all.
    let out = fmt_at(src, 120);
    assert!(out.lines().all(|l| l.find(" #") == Some(52)), "{out}");
}

#[test]
fn a_trailing_comment_that_does_not_fit_goes_above_its_statement() {
    let src = "block return in on ! lo0 proto tcp to port 6000:6010 # Do not permit remote connections to X11\n\
               anchor \"a\" {\n  pass out proto tcp to port { 22, 80, 443 } keep state # a comment that does not fit\n}\n";
    assert_eq!(
        fmt(src),
        "# Do not permit remote connections to X11\n\
         block return in on ! lo0 proto tcp to port 6000:6010\n\
         anchor \"a\" {\n    \
         # a comment that does not fit\n    \
         pass out proto tcp to port { 22, 80, 443 } keep state\n}\n"
    );
    // A comment that ends in a backslash joins the next line to itself:
    // it stays at the end of its line.
    let src = "pass in on em0 proto tcp from any to any port 22 # ends in \\\nblock all\n";
    assert_eq!(fmt_at(src, 60), src);
}

#[test]
fn the_comment_after_an_anchors_brace_goes_above_when_it_does_not_fit() {
    let src = "anchor \"y\" { # a very long comment after the brace, much too long to fit beside it\n  pass\n}\n";
    assert_eq!(
        fmt(src),
        "# a very long comment after the brace, much too long to fit beside it\n\
         anchor \"y\" {\n    pass\n}\n"
    );
}

#[test]
fn a_comment_glued_to_an_item_keeps_the_list_as_written() {
    // `1#x`: the splitter sees a comment where the item ends, but the item
    // written alone on its line does not parse the same.
    let src = "table <t> {\n    10.0.0.0/8 1#98.51.100.0/24\n}\n";
    assert_eq!(fmt(src), src);
}
