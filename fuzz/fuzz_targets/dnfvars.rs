//! dnf's variable substitution never panics or loops, on any text and with
//! variable values that look like expressions themselves; text without a
//! `$` only loses the backslashes that escape a character.
#![no_main]
use buildroot_core::rpmmd::Vars;
use libfuzzer_sys::fuzz_target;

static VARS: std::sync::OnceLock<Vars> = std::sync::OnceLock::new();

/// What the configuration reader makes of text without a `$`: `\c` is `c`;
/// a backslash at the end stays.
fn unescaped(s: &str) -> String {
    let mut out = String::new();
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        match (c, it.peek()) {
            ('\\', Some(_)) => out.push(it.next().expect("peeked")),
            _ => out.push(c),
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let vars = VARS.get_or_init(|| {
        let mut v = Vars::new("x86_64", "10.1");
        v.env = [
            ("stream", "10-stream"),
            ("empty", ""),
            ("dollar", "$basearch"),
            ("brace", "${stream:-x}}"),
            ("slash", "\\"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        v
    });
    let once = vars.substitute(s);
    let _ = vars.url_substitute(&once);
    let _ = vars.url_substitute(s);
    if !s.contains('$') {
        assert_eq!(once, unescaped(s), "{s:?}");
    }
});
