//! The RPM header reader and payload reader never panic on any bytes.
#![no_main]
use buildroot_core::srpm::{extract_spec, read_header};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = std::env::temp_dir().join(format!("fuzz-srpm-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join("x.src.rpm");
    if std::fs::write(&path, data).is_ok() {
        let _ = read_header(&path);
        let _ = extract_spec(&path);
    }
});
