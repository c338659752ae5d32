//! The spec evaluator never panics or loops on any text, for any arch.
#![no_main]
use buildroot_core::spec::{evaluate, grep_archful, SpecContext};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let _ = grep_archful(s);
    for arch in ["x86_64", "s390x"] {
        let _ = evaluate(s, &SpecContext::for_arch(arch));
    }
});
