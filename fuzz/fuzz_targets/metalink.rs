//! The metalink and mirrorlist readers never panic and their errors are
//! one line; a mirrorlist gives non-empty one-line base URLs ending in `/`
//! (a line `/` is taken as it is: nonsense, but not the reader's to judge).
#![no_main]
use buildroot_core::rpmmd::{parse_metalink, parse_mirrorlist};
use libfuzzer_sys::fuzz_target;

fn one_line(e: buildroot_core::Error) {
    let line = e.to_string();
    assert!(
        !line.contains('\n'),
        "an error of more than one line: {line:?}"
    );
}

fuzz_target!(|data: &[u8]| {
    if let Err(e) = parse_metalink(data, "fuzz") {
        one_line(e);
    }
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    match parse_mirrorlist(s, "fuzz") {
        Ok(m) => {
            for u in &m.baseurls {
                assert!(u.ends_with('/') && !u.contains('\n'), "{u:?}");
            }
        }
        Err(e) => one_line(e),
    }
});
