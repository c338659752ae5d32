//! dnf's variables in `.repo` and `dnf.conf` values, in two passes as dnf
//! makes them:
//! - [`substitute`], the configuration reader's (libdnf 0.72+
//!   `ConfigParser::substitute_expression`, the same rules as dnf5) on
//!   every value: `$name` and `${name}`, `${name:-word}` (word when name is
//!   unset or empty), `${name:+word}` (word when it is set and not empty),
//!   words substituted in turn; `\` keeps the next character as it is. A
//!   variable dnf does not know is left as written, and so is an expression
//!   that is cut short: dnf substitutes nothing from there to the end.
//! - [`url_substitute`], librepo's (`lr_url_substitute`, given the same
//!   variables) on the URLs it downloads from, once more: `$name` and
//!   `${name}` only, so `\$basearch` in a baseurl still ends as the arch.
//!
//! Which variables exist, and their values, is [`Vars`]' to say: the run's
//! arch and release, then the files of `--dnf-conf`'s `varsdir=`
//! (`varsdir.rs`), then the environment's `DNF_VAR_*`. [`substitute`] was
//! compared with a transcription of libdnf 0.73's on 200,000 random texts
//! (`docs/formats.md` section 8, "Checked against dnf").

use std::collections::BTreeMap;

use super::MainDefaults;

/// How deep `${a:-${b:-...}}` words nest before dnf stops substituting.
const MAX_DEPTH: usize = 32;

/// The work one [`substitute`] may do, in characters read, per character
/// of its text (and 1024 more). A word is read to find its end
/// before its mode is known; with a mode dnf does not know (`${a:X...}`),
/// reading goes on inside it, so the innermost word of such expressions
/// nested 32 deep was read tens of thousands of times: seconds for 3 KB,
/// hours for 100 KB (found writing the `dnfvars` fuzz target). Text that
/// only nests `:-`/`:+` words, 32 deep, needs half of this at most. Past
/// it nothing more is substituted, as after an expression cut short.
const WORK_PER_CHAR: usize = 4 * (MAX_DEPTH + 2);

/// `text` with its variables replaced; `lookup` gives a variable's value
/// (None: unknown).
pub(super) fn substitute(text: &str, lookup: &dyn Fn(&str) -> Option<String>) -> String {
    let chars: Vec<char> = text.chars().collect();
    let budget = std::cell::Cell::new(WORK_PER_CHAR.saturating_mul(chars.len()) + 1024);
    expression(&chars, lookup, 0, &budget)
        .0
        .into_iter()
        .collect()
}

/// librepo's pass over a URL: `$name` or `${name}` of a known variable
/// replaced by its value (a name of ASCII letters and digits, with `_`
/// only between them); anything else kept as written.
pub(super) fn url_substitute(url: &str, lookup: &dyn Fn(&str) -> Option<String>) -> String {
    let c: Vec<char> = url.chars().collect();
    let mut out = String::with_capacity(url.len());
    let mut i = 0;
    while i < c.len() {
        if c[i] != '$' {
            out.push(c[i]);
            i += 1;
            continue;
        }
        let braces = c.get(i + 1) == Some(&'{');
        let start = i + 1 + usize::from(braces);
        let mut end = start;
        while end < c.len()
            && (c[end].is_ascii_alphanumeric()
                || (c[end] == '_' && c.get(end + 1).is_some_and(|n| n.is_ascii_alphanumeric())))
        {
            end += 1;
        }
        if end > start && (!braces || c.get(end) == Some(&'}')) {
            let name: String = c[start..end].iter().collect();
            if let Some(v) = lookup(&name) {
                out.push_str(&v);
                i = end + usize::from(braces);
                continue;
            }
        }
        out.extend(&c[i..end.min(c.len())]);
        i = end;
    }
    out
}

/// Substitutes `text`; at `depth` > 0 (a `:-`/`:+` word) it stops at an
/// unmatched `}`. Returns the text and how many characters of the input
/// it read; a word without its `}` is given back unchanged, all of it read
/// (at `depth` > 0 only its length is given: the caller, seeing no `}`
/// after it, keeps its own text). The input is read, never copied whole:
/// a word is read from where it starts to its `}`, not to the end of the
/// text, so text of many words is read once.
/// `budget` is the work left ([`WORK_PER_CHAR`]); once it is spent, the
/// rest is left as written (a word is then taken as one without its `}`).
fn expression(
    text: &[char],
    lookup: &dyn Fn(&str) -> Option<String>,
    depth: usize,
    budget: &std::cell::Cell<usize>,
) -> (Vec<char>, usize) {
    if depth > MAX_DEPTH {
        return (Vec::new(), text.len());
    }
    // What is substituted so far; `text[i..]` is what is left to read.
    let mut out: Vec<char> = Vec::new();
    let mut i = 0;
    // Characters of the input read, as the caller counts them.
    let mut scanned = 0;
    while i < text.len() {
        if budget.get() == 0 {
            break;
        }
        budget.set(budget.get() - 1);
        if text[i] == '}' && depth > 0 {
            return (out, scanned);
        }
        if text[i] == '\\' {
            if i + 1 >= text.len() {
                break;
            }
            out.push(text[i + 1]);
            scanned += 2;
            i += 2;
            continue;
        }
        if text[i] != '$' {
            out.push(text[i]);
            scanned += 1;
            i += 1;
            continue;
        }
        let mut at = i + 1;
        if at >= text.len() {
            break;
        }
        let braces = text[at] == '{';
        if braces {
            at += 1;
            if at >= text.len() {
                break;
            }
        }
        let name_end = at
            + text[at..]
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric() || **c == '_')
                .count();
        let name: String = text[at..name_end].iter().collect();
        let val = lookup(&name);
        let (subst, end) = if !braces {
            (val, name_end)
        } else {
            match text.get(name_end) {
                None => break,
                Some('}') => (val, name_end + 1),
                Some(':') => {
                    let (Some(&mode), Some(word_at)) = (text.get(name_end + 1), Some(name_end + 2))
                    else {
                        break;
                    };
                    if word_at >= text.len() {
                        break;
                    }
                    let (word, read) = expression(&text[word_at..], lookup, depth + 1, budget);
                    let after_word = word_at + read;
                    if after_word >= text.len() {
                        break;
                    }
                    if text[after_word] != '}' {
                        // Not closed here: left as written, read past.
                        scanned += after_word - i;
                        out.extend_from_slice(&text[i..after_word]);
                        i = after_word;
                        continue;
                    }
                    let set = val.as_deref().is_some_and(|v| !v.is_empty());
                    let word: String = word.into_iter().collect();
                    let subst = match mode {
                        '-' if set => val,
                        '-' => Some(word),
                        '+' if set => Some(word),
                        '+' => Some(String::new()),
                        _ => {
                            // Not an expansion dnf knows: go on after the ':'.
                            out.extend_from_slice(&text[i..name_end + 1]);
                            i = name_end + 1;
                            continue;
                        }
                    };
                    (subst, after_word + 1)
                }
                Some(_) => {
                    // `${name` followed by something else: left as written.
                    out.extend_from_slice(&text[i..name_end]);
                    i = name_end;
                    continue;
                }
            }
        };
        scanned += end - i;
        match subst {
            None => out.extend_from_slice(&text[i..end]),
            Some(s) => out.extend(s.chars()),
        }
        i = end;
    }
    if depth > 0 {
        // A word without its closing '}': nothing of it is substituted.
        return (Vec::new(), text.len());
    }
    out.extend_from_slice(&text[i..]);
    (out, text.len())
}

/// What dnf's main configuration gives every repo: the values for
/// `$basearch`, `$arch` and `$releasever`, the variables of the
/// environment's `DNF_VAR_name` (and `DNF0`..`DNF9`), and a `dnf.conf`'s
/// `[main]` defaults, when one is given.
#[derive(Clone, Debug, Default)]
pub struct Vars {
    /// `$basearch`: the base arch of `arch` (`x86_64` for `x86_64`, `i386` for `i686`).
    pub basearch: String,
    /// `$arch`.
    pub arch: String,
    /// `$releasever`.
    pub releasever: String,
    /// Variables set in the environment, as dnf reads them there (the
    /// three above win: the run's `--arch` and `--releasever` decide).
    pub env: BTreeMap<String, String>,
    /// Variables of the vars files of `--dnf-conf`'s `varsdir=`
    /// ([`super::read_varsdirs`]): they win over `env`, as dnf 4 reads its
    /// vars files after the environment (dnf5 lets the environment win);
    /// the three above win over them, as dnf's `--forcearch` and
    /// `--releasever` do.
    pub files: BTreeMap<String, String>,
    /// A `dnf.conf`'s `[main]`: every repo's defaults.
    pub main: Option<std::sync::Arc<MainDefaults>>,
}

impl Vars {
    /// `$arch` set to `arch`, `$basearch` to dnf's base arch of it, and the
    /// environment's variables.
    pub fn new(arch: &str, releasever: &str) -> Vars {
        Vars {
            basearch: crate::arch::basearch(arch).to_string(),
            arch: arch.to_string(),
            releasever: releasever.to_string(),
            env: env_vars(std::env::vars_os()),
            files: BTreeMap::new(),
            main: None,
        }
    }

    /// These values, with `main`'s defaults for every repo.
    pub fn with_main(mut self, main: MainDefaults) -> Vars {
        self.main = Some(std::sync::Arc::new(main));
        self
    }

    /// `s` with its variables replaced as dnf's configuration reader
    /// replaces them (`dnfvars.rs`: `$basearch`, `${releasever}`,
    /// `${name:-word}`, ...; an unknown one is left as written).
    pub fn substitute(&self, s: &str) -> String {
        if !s.contains(['$', '\\']) {
            return s.to_string();
        }
        substitute(s, &|k| self.value(k))
    }

    /// A URL of a repo ([`Vars::substitute`]d already) as librepo
    /// downloads from it: its `$name`s replaced once more.
    pub fn url_substitute(&self, url: &str) -> String {
        if !url.contains('$') {
            return url.to_string();
        }
        url_substitute(url, &|k| self.value(k))
    }

    /// The variables that the URLs as written (`raw`) refer to, that no
    /// one set and that `urls` (them substituted) still hold, once each:
    /// what a failed download's error names (`unset_vars.rs`).
    pub(super) fn unset_in(&self, raw: &[&str], urls: &[&str]) -> Vec<String> {
        let known = |n: &str| self.value(n).is_some();
        let mut names: Vec<String> = Vec::new();
        for r in raw.iter().filter(|r| r.contains('$')) {
            for n in super::unset_vars::unset_names(r, urls, &known) {
                if !names.contains(&n) {
                    names.push(n);
                }
            }
        }
        names
    }

    /// The variables with their values, as dnf hands them to librepo
    /// (`LRO_VARSUB`) for the URLs of a repo's metalink or mirrorlist.
    pub fn url_vars(&self) -> BTreeMap<String, String> {
        let mut vars = self.env.clone();
        vars.extend(self.files.clone());
        for name in [
            "basearch",
            "arch",
            "releasever",
            "releasever_major",
            "releasever_minor",
        ] {
            match self.value(name) {
                Some(v) => vars.insert(name.to_string(), v),
                None => vars.remove(name),
            };
        }
        vars
    }

    /// A variable's value: the run's arch and release (and
    /// `$releasever_major`/`_minor`, split at its first dot; no minor
    /// without one, as dnf5) before the vars files', before the
    /// environment's.
    fn value(&self, name: &str) -> Option<String> {
        let release = self.releasever.as_str();
        match name {
            "basearch" => Some(self.basearch.clone()),
            "arch" => Some(self.arch.clone()),
            "releasever" => Some(release.to_string()),
            "releasever_major" if !release.is_empty() => {
                Some(release.split('.').next().unwrap_or("").to_string())
            }
            "releasever_minor" if release.contains('.') => {
                release.split_once('.').map(|(_, minor)| minor.to_string())
            }
            _ => self.files.get(name).or_else(|| self.env.get(name)).cloned(),
        }
    }
}

/// The variables dnf takes from its environment: `DNF_VAR_name` sets
/// `$name` (a name of letters, digits and '_'), `DNF0`..`DNF9` set
/// `$DNF0`..`$DNF9`.
fn env_vars(
    env: impl Iterator<Item = (std::ffi::OsString, std::ffi::OsString)>,
) -> BTreeMap<String, String> {
    // (Variables that are not UTF-8 are none of dnf's: passed over.)
    env.filter_map(|(k, v)| {
        let (k, v) = (k.into_string().ok()?, v.into_string().ok()?);
        let name = match k.strip_prefix("DNF_VAR_") {
            Some(n) => n,
            None if k.len() == 4 && k.starts_with("DNF") && k.as_bytes()[3].is_ascii_digit() => &k,
            None => return None,
        };
        let ok = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        ok.then(|| (name.to_string(), v))
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_from_the_environment_as_dnf_reads_them() {
        let env = [
            ("DNF_VAR_stream", "10-stream"),
            ("DNF_VAR_", "x"),
            ("DNF_VAR_a-b", "x"),
            ("DNF3", "three"),
            ("DNF10", "x"),
            ("PATH", "/bin"),
        ]
        .map(|(k, v)| (k.into(), v.into()));
        let mut env: Vec<(std::ffi::OsString, std::ffi::OsString)> = env.into_iter().collect();
        // Not UTF-8: passed over, no panic.
        use std::os::unix::ffi::OsStringExt;
        env.push((
            "LEGACY".into(),
            std::ffi::OsString::from_vec(b"caf\xe9".to_vec()),
        ));
        env.push((
            "DNF_VAR_x".into(),
            std::ffi::OsString::from_vec(b"\xff".to_vec()),
        ));
        let env = env_vars(env.into_iter());
        assert_eq!(
            env.iter().collect::<Vec<_>>(),
            [
                (&"DNF3".to_string(), &"three".to_string()),
                (&"stream".to_string(), &"10-stream".to_string())
            ]
        );
        let mut vars = Vars::new("i686", "10.2");
        vars.env = env;
        vars.env.insert("basearch".into(), "not-this".into());
        vars.env
            .insert("releasever_major".into(), "not-this".into());
        assert_eq!(
            vars.substitute("/$stream/$basearch/$arch/${releasever_major}/$DNF3/$other"),
            "/10-stream/i386/i686/10/three/$other"
        );
        // No minor without a dot (dnf5): left as written.
        let vars = Vars::new("x86_64", "eln");
        assert_eq!(
            vars.substitute("$releasever_major/$releasever_minor/${releasever_minor:+x}"),
            "eln/$releasever_minor/"
        );
    }

    #[test]
    fn vars_files_win_over_the_environment_and_the_run_over_both() {
        let mut vars = Vars::new("i686", "10.2");
        let set = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        vars.env = set(&[("stream", "env"), ("infra", "env-infra")]);
        vars.files = set(&[
            ("stream", "10-stream"),
            ("basearch", "file"),
            ("arch", "file"),
            ("releasever", "file"),
            ("releasever_major", "file"),
            ("contentdir", "pub/centos"),
        ]);
        assert_eq!(
            vars.substitute(
                "$stream/$infra/$contentdir/$basearch/$arch/$releasever/$releasever_major"
            ),
            "10-stream/env-infra/pub/centos/i386/i686/10.2/10"
        );
        // librepo is handed them too, with the same precedence.
        let url = vars.url_vars();
        assert_eq!(
            (
                url["stream"].as_str(),
                url["contentdir"].as_str(),
                url["basearch"].as_str()
            ),
            ("10-stream", "pub/centos", "i386")
        );
        assert_eq!(vars.url_substitute("/$contentdir/"), "/pub/centos/");
    }

    fn subst(text: &str) -> String {
        let vars = |k: &str| match k {
            "basearch" => Some("x86_64".to_string()),
            "releasever" => Some("10.1".to_string()),
            "releasever_major" => Some("10".to_string()),
            "releasever_minor" => Some("1".to_string()),
            "empty" => Some(String::new()),
            _ => None,
        };
        substitute(text, &vars)
    }

    #[test]
    fn plain_and_braced_names() {
        assert_eq!(subst("/$releasever/${basearch}/os"), "/10.1/x86_64/os");
        // A name runs as far as letters, digits and '_' go.
        assert_eq!(subst("$basearchive $basearch-x"), "$basearchive x86_64-x");
        assert_eq!(
            subst("$unknown ${unknown} $ $/"),
            "$unknown ${unknown} $ $/"
        );
        assert_eq!(
            subst("epel-$releasever_major.$releasever_minor"),
            "epel-10.1"
        );
    }

    #[test]
    fn default_and_alternate_words() {
        assert_eq!(
            subst("epel-$releasever_major${releasever_minor:+.$releasever_minor}"),
            "epel-10.1"
        );
        assert_eq!(
            subst("${empty:-fallback} ${unknown:-a${basearch}b}"),
            "fallback ax86_64b"
        );
        assert_eq!(
            subst("${basearch:-other} [${empty:+x}] [${basearch:+x}]"),
            "x86_64 [] [x]"
        );
        // Nested words.
        assert_eq!(subst("${unknown:-${empty:-${basearch}}}"), "x86_64");
    }

    #[test]
    fn any_text_of_its_characters_substitutes_without_panic() {
        // Seeded xorshift over the characters the rules turn on.
        let alphabet: Vec<char> = "${}:-+\\ab_9.é".chars().collect();
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..20_000 {
            let mut text = String::new();
            for _ in 0..(x % 24) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                text.push(alphabet[(x % alphabet.len() as u64) as usize]);
            }
            // Short names are set (to a value with a '$', never read again).
            let vars = |k: &str| (!k.is_empty() && k.len() <= 2).then(|| "[$a]".to_string());
            let out = substitute(&text, &vars);
            if !text.contains(['$', '\\']) {
                assert_eq!(out, text);
            }
            assert!(!out.contains("[[$a]]"), "{text:?} -> {out:?}");
        }
    }

    #[test]
    fn librepos_pass_over_urls() {
        let vars = |k: &str| match k {
            "basearch" => Some("x86_64".to_string()),
            "a_b" => Some("AB".to_string()),
            _ => None,
        };
        let u = |t: &str| url_substitute(t, &vars);
        assert_eq!(u("/$basearch/${basearch}/os"), "/x86_64/x86_64/os");
        // Names as librepo reads them: '_' only between letters and digits.
        assert_eq!(u("$a_b $a_b_ ${a_b}"), "AB AB_ AB");
        assert_eq!(
            u("$basearchive ${basearch ${basearch:-x} $ ${"),
            "$basearchive ${basearch ${basearch:-x} $ ${"
        );
        // What the first pass left of an escape is substituted here.
        assert_eq!(u(&subst(r"/\$basearch/")), "/x86_64/");
    }

    #[test]
    fn escapes_and_expressions_cut_short() {
        assert_eq!(subst(r"\$basearch $basearch\"), "$basearch x86_64\\");
        // Not closed: dnf substitutes nothing from there on.
        assert_eq!(
            subst("$basearch ${unknown:-x $basearch"),
            "x86_64 ${unknown:-x $basearch"
        );
        assert_eq!(subst("$basearch ${basearch"), "x86_64 ${basearch");
        // Another character after the name, another mode: left as written.
        assert_eq!(subst("${basearch-x} $basearch"), "${basearch-x} x86_64");
        assert_eq!(subst("${basearch:=x} $basearch"), "${basearch:=x} x86_64");
        // A value is not substituted again.
        let vars = |k: &str| (k == "a").then(|| "$a".to_string());
        assert_eq!(substitute("$a$a", &vars), "$a$a");
    }
}
