//! .repo file parser never panics.
#![no_main]
use buildroot_core::rpmmd::{parse_repofile_str, Vars};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let _ = parse_repofile_str(s, "fuzz", &Vars::new("x86_64", "eln"));
});
