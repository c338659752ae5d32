//! repomd.xml reader never panics on any bytes.
#![no_main]
use buildroot_core::rpmmd::Repomd;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = Repomd::parse(data, "fuzz");
});
