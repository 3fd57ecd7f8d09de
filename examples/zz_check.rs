fn main() {
    let p = std::env::args().nth(1).unwrap();
    let t = std::fs::read_to_string(&p).unwrap();
    let r = pfconf::check_str(&p, &t);
    println!("{}", r.diagnostics.len());
}
