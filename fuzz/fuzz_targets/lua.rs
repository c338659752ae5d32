//! The spec evaluator's Lua (`spec/lua*.rs`) never panics, hangs past its
//! time limits or takes unbounded memory, whatever a `%{lua:}` chunk does.
//! The input is the chunk alone, put in a fixed spec that has sources and
//! patches, so that mutations stay in Lua (the `spec` target's mutations
//! seldom make Lua that runs); one arch only, as the glue does not differ
//! between arches.
#![no_main]
use buildroot_core::spec::{evaluate, SpecContext};
use libfuzzer_sys::fuzz_target;

const HEAD: &str = "Name: x\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\n\
Source0: x-%{version}.tar.gz\nPatch1: p.patch\n%{lua:";
const TAIL: &str = "\n}\nBuildRequires: a\n";

fuzz_target!(|data: &[u8]| {
    let Ok(chunk) = std::str::from_utf8(data) else { return };
    let spec = format!("{HEAD}{chunk}{TAIL}");
    let _ = evaluate(&spec, &SpecContext::for_arch("x86_64"));
});
