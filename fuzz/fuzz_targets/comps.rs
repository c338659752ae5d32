//! The comps reader never panics and its errors are one line; a comps
//! merged with itself keeps its groups, and each is found by its id.
#![no_main]
use buildroot_core::rpmmd::Comps;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let c = match Comps::parse(data, "fuzz") {
        Ok(c) => c,
        Err(e) => {
            let line = e.to_string();
            assert!(
                !line.contains('\n'),
                "an error of more than one line: {line:?}"
            );
            return;
        }
    };
    let mut twice = c.clone();
    twice.merge(c.clone());
    let ids = |c: &Comps| {
        let mut v: Vec<String> = c.groups.iter().map(|g| g.id.clone()).collect();
        v.sort();
        v.dedup();
        v
    };
    assert_eq!(ids(&c), ids(&twice));
    for g in &c.groups {
        assert!(twice.group_by_pattern(&g.id).is_some(), "{:?}", g.id);
        let _ = twice.group_by_pattern(&g.name);
        let _ = twice.group_by_pattern(&format!("*{}*", g.name));
    }
});
