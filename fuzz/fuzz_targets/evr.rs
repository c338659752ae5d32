//! EVR/NEVRA parsing never panics; rpmvercmp is antisymmetric and reflexive.
#![no_main]
use buildroot_core::evr::{parse_srpm_filename, rpmvercmp, Evr, Nevra};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let _ = Evr::parse(s);
    let _ = Nevra::parse(s);
    let _ = parse_srpm_filename(s);
    let (a, b) = s.split_at(s.char_indices().nth(s.chars().count() / 2).map_or(s.len(), |(i, _)| i));
    assert_eq!(rpmvercmp(a, b), rpmvercmp(b, a).reverse(), "{a:?} vs {b:?}");
    assert_eq!(rpmvercmp(a, a), std::cmp::Ordering::Equal);
});
