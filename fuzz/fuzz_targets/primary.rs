//! primary.xml and filelists.xml readers never panic on any bytes.
#![no_main]
use buildroot_core::rpmmd::{read_filelists, read_primary};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(mut pkgs) = read_primary(data, "fuzz") {
        let _ = read_filelists(data, "fuzz", &mut pkgs, None);
    }
});
