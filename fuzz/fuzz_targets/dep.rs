//! Dependency parsing never panics, and what it prints parses back to the same tree.
#![no_main]
use buildroot_core::dep::Dep;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    if let Ok(d) = Dep::parse(s) {
        let text = d.to_string();
        let again = Dep::parse(&text).unwrap_or_else(|e| panic!("{s:?} printed as {text:?} does not parse: {e}"));
        assert_eq!(d, again, "{s:?} -> {text:?}");
    }
});
