//! Tells the tests whether a corpus was given: with `PFCONF_CORPUS` unset,
//! the corpus tests are listed as ignored, with the reason, instead of
//! passing without having run.

fn main() {
    println!("cargo:rerun-if-env-changed=PFCONF_CORPUS");
    println!("cargo::rustc-check-cfg=cfg(pfconf_corpus)");
    if std::env::var_os("PFCONF_CORPUS").is_some_and(|v| !v.is_empty()) {
        println!("cargo:rustc-cfg=pfconf_corpus");
    }
}
