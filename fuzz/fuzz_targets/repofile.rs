//! .repo file and dnf.conf parsers never panic: the text is read as a
//! `.repo` file, and as a `dnf.conf` whose `[main]` gives its own repos
//! their defaults.
#![no_main]
use buildroot_core::rpmmd::{parse_repofile_str, MainDefaults, Vars};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let _ = parse_repofile_str(s, "fuzz", &Vars::new("x86_64", "eln"));
    if let Ok(main) = MainDefaults::parse(s, "fuzz") {
        let _ = parse_repofile_str(s, "fuzz", &Vars::new("x86_64", "eln").with_main(main));
    }
});
