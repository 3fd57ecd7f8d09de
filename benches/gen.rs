//! Generated rulesets for benchmarks.

/// A ruleset of `n` rules with macros, tables, lists and anchors.
#[allow(dead_code)]
pub fn generate(n: usize) -> String {
    let mut s = String::new();
    s.push_str("ext_if = \"em0\"\nint_if = \"em1\"\nlan = \"{ 10.0.0.0/8 172.16.0.0/12 }\"\n");
    s.push_str("table <bad> const { 192.0.2.0/24, 198.51.100.0/24 }\nset skip on lo\nblock all\n");
    for i in 0..n {
        match i % 5 {
            0 => s.push_str(&format!(
                "pass in on $ext_if proto tcp from any to 10.{}.{}.{} port {{ 22 80 443 }}\n",
                (i >> 16) & 255,
                (i >> 8) & 255,
                i & 255
            )),
            1 => s.push_str(&format!(
                "block in quick on $ext_if from <bad> to any label \"r{i}\"\n"
            )),
            2 => s.push_str(&format!(
                "pass out on $ext_if inet proto udp from $lan to any port {} keep state\n",
                1024 + (i % 60000)
            )),
            3 => s.push_str(&format!(
                "match out on $ext_if from $lan to any nat-to ($ext_if) tag t{}\n",
                i % 100
            )),
            _ => s.push_str(&format!(
                "anchor \"a{i}\" in on $int_if {{\n  pass proto icmp icmp-type echoreq\n}}\n"
            )),
        }
    }
    s
}
