//! Compiling Lua for `%{lua:}` and `require` once per process, and the
//! `require` searcher of the spec evaluator's Lua (the part of Lua's
//! `package.searchers` rpm's `rpmluaNew` leaves to Lua's own file searcher,
//! restricted here to the configured lua directories).
//!
//! Every evaluation has its own Lua state (`lua`), so a macro file's Lua
//! body or a module such as `fedora/common.lua` would be parsed again for
//! every spec. Compiled chunks are kept by their text in a process-wide
//! cache and loaded as bytecode we made ourselves (spec code itself can
//! still load text only).
//!
//! One known hot loop is run natively: Fedora's `fedora.common` module asks
//! `rpm.expand("%{?NAME<n>}")` for every `n` from 0 to 9999 in
//! `getsuffixed` (used by `%forgemeta`, `%gometa`, `%gopkg`, the fonts
//! macros, ...), ten thousand expansions per call, several calls per spec.
//! When a module holds that exact loop, it is rewritten to visit only the
//! `n` whose `NAME<n>` is defined when the loop reaches them
//! ([`next_suffix`]): an undefined `%{?NAME<n>}` expands to nothing and
//! changes nothing, so the result is the same, in the same order, with the
//! same macros consulted that can differ. Line numbers stay the same.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use mlua::{ChunkMode, Function, Lua, Value as LV};

use super::lua::EngineSlot;

use super::table::Table;

/// Chunks the cache keeps at most (spec-specific Lua is not worth more).
const CACHE_ENTRIES: usize = 8192;
/// Bytes of bytecode the cache keeps at most.
const CACHE_BYTES: usize = 64 << 20;

/// The highest suffix `getsuffixed` asks for.
const MAX_SUFFIX: i64 = 9999;

/// The loop of `fedora.common`'s `getsuffixed`, token by token (any run of
/// blanks in the file matches any run here).
const SUFFIX_LOOP: &str = r#"for suffix=0,9999 do
    local value = rpm.expand("%{?" .. rpmvar .. suffix .. "}")
    if (value ~= "") then
      suffixes[tostring(suffix)] = value
    end
  end"#;

/// What it becomes (on one line; the lines it took are kept as blank lines).
const SUFFIX_LOOP_FAST: &str = r#"local suffix = __rpm_next_suffix(rpmvar, -1) while suffix do local value = rpm.expand("%{?" .. rpmvar .. suffix .. "}") if (value ~= "") then suffixes[tostring(suffix)] = value end suffix = __rpm_next_suffix(rpmvar, suffix) end"#;

/// The prefix of a rewritten module: the chunk takes the native
/// [`next_suffix`] and returns the module's own main function.
const WRAP_HEAD: &str = "local __rpm_next_suffix = ...; return function(...) ";
const WRAP_TAIL: &str = "\nend";

#[derive(Default)]
struct Cache {
    chunks: HashMap<(String, Vec<u8>), Arc<Vec<u8>>>,
    bytes: usize,
}

fn cache() -> &'static Mutex<Cache> {
    static CACHE: OnceLock<Mutex<Cache>> = OnceLock::new();
    CACHE.get_or_init(Mutex::default)
}

/// Compiles `code` (text) named `name` in `lua`, through the process-wide
/// cache of bytecode.
pub(super) fn compile(lua: &Lua, name: &str, code: &[u8]) -> mlua::Result<Function> {
    let key = (name.to_string(), code.to_vec());
    let hit = cache()
        .lock()
        .ok()
        .and_then(|c| c.chunks.get(&key).cloned());
    if let Some(bc) = hit {
        return lua
            .load(&bc[..])
            .set_name(name)
            .set_mode(ChunkMode::Binary)
            .into_function();
    }
    let f = lua
        .load(code)
        .set_name(name)
        .set_mode(ChunkMode::Text)
        .into_function()?;
    let bc = f.dump(false);
    if let Ok(mut c) = cache().lock() {
        if c.chunks.len() < CACHE_ENTRIES && c.bytes + bc.len() <= CACHE_BYTES {
            c.bytes += bc.len();
            c.chunks.insert(key, Arc::new(bc));
        }
    }
    Ok(f)
}

/// `text` with [`SUFFIX_LOOP`] replaced, if it holds it.
fn rewrite(text: &[u8]) -> Option<Vec<u8>> {
    let head = b"for suffix=0,9999 do";
    let start = text.windows(head.len()).position(|w| w == head)?;
    let end = start + match_blanks(&text[start..], SUFFIX_LOOP.as_bytes())?;
    let lines = text[start..end].iter().filter(|&&c| c == b'\n').count();
    let mut out = WRAP_HEAD.as_bytes().to_vec();
    out.extend_from_slice(&text[..start]);
    out.extend_from_slice(SUFFIX_LOOP_FAST.as_bytes());
    out.extend(std::iter::repeat_n(b'\n', lines));
    out.extend_from_slice(&text[end..]);
    out.extend_from_slice(WRAP_TAIL.as_bytes());
    Some(out)
}

/// How many bytes of `text` match `pat`, a run of blanks matching any
/// non-empty run of blanks; `None` if it does not match.
fn match_blanks(text: &[u8], pat: &[u8]) -> Option<usize> {
    let (mut i, mut j) = (0, 0);
    while j < pat.len() {
        if pat[j].is_ascii_whitespace() {
            if !text.get(i)?.is_ascii_whitespace() {
                return None;
            }
            while text.get(i).is_some_and(u8::is_ascii_whitespace) {
                i += 1;
            }
            while pat.get(j).is_some_and(u8::is_ascii_whitespace) {
                j += 1;
            }
        } else {
            if text.get(i) != Some(&pat[j]) {
                return None;
            }
            i += 1;
            j += 1;
        }
    }
    Some(i)
}

/// The `require` searcher of a state (in place of Lua's file searcher,
/// `package.searchers[2]`): modules of `dirs` only, through [`module_loader`],
/// the rewritten ones given [`next_suffix`] over `engine`'s macro table.
pub(super) fn searcher(lua: &Lua, dirs: &[PathBuf], engine: EngineSlot) -> mlua::Result<Function> {
    let next_suffix = lua.create_function(move |_, (var, last): (String, i64)| {
        Ok(next_suffix(&engine.get()?.table, &var, last))
    })?;
    let dirs = dirs.to_vec();
    lua.create_function(move |lua, name: String| {
        let Some(path) = find_module(&dirs, &name) else {
            return Ok((
                LV::String(
                    lua.create_string(format!("\n\tno file for '{name}' in the lua directories"))?,
                ),
                LV::Nil,
            ));
        };
        let text = std::fs::read(&path).map_err(|e| {
            mlua::Error::runtime(format!(
                "error loading module '{name}' from file '{}': {e}",
                path.display()
            ))
        })?;
        let f = module_loader(lua, &path, &text, &next_suffix)?;
        Ok((
            LV::Function(f),
            LV::String(lua.create_string(path.display().to_string())?),
        ))
    })
}

/// The file module `name` comes from: `DIR/a/b.lua` for `a.b`, in the first
/// lua directory that has it (Lua's `package.searchpath` over `DIR/?.lua`).
pub(super) fn find_module(dirs: &[PathBuf], name: &str) -> Option<PathBuf> {
    let rel = name.replace('.', "/");
    dirs.iter()
        .map(|d| d.join(format!("{rel}.lua")))
        .find(|p| p.is_file())
}

/// A key of the Lua modules under `dirs` (their paths and contents):
/// targets with equal keys load the same modules. Computed once per
/// process for a list of directories.
pub(super) fn tree_key(dirs: &[PathBuf]) -> u64 {
    static KEYS: OnceLock<Mutex<HashMap<Vec<PathBuf>, u64>>> = OnceLock::new();
    let keys = KEYS.get_or_init(Mutex::default);
    if let Some(k) = keys.lock().ok().and_then(|m| m.get(dirs).copied()) {
        return k;
    }
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for (i, d) in dirs.iter().enumerate() {
        let mut files = Vec::new();
        walk(d, Path::new(""), &mut files);
        files.sort();
        for (rel, data) in files {
            (i, rel, data).hash(&mut h);
        }
    }
    let k = h.finish();
    if let Ok(mut m) = keys.lock() {
        m.insert(dirs.to_vec(), k);
    }
    k
}

/// The files under `dir/rel` with their contents (unreadable ones empty).
fn walk(dir: &Path, rel: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
    let Ok(rd) = std::fs::read_dir(dir.join(rel)) else {
        return;
    };
    for e in rd.flatten() {
        let r = rel.join(e.file_name());
        let p = dir.join(&r);
        if p.is_dir() {
            walk(dir, &r, out);
        } else {
            out.push((r, std::fs::read(&p).unwrap_or_default()));
        }
    }
}

/// The loader `require` calls for the module in `path` (its text `text`):
/// the compiled chunk, given `next` (a function like [`next_suffix`]) when
/// the module was rewritten.
pub(super) fn module_loader(
    lua: &Lua,
    path: &Path,
    text: &[u8],
    next: &Function,
) -> mlua::Result<Function> {
    let name = format!("@{}", path.display());
    match rewrite(text) {
        Some(code) => compile(lua, &name, &code)?.call::<Function>(next.clone()),
        None => compile(lua, &name, text),
    }
}

/// The smallest `n` above `last` (and at most 9999) whose macro
/// `<var><n>` is visible in `table`; for a `var` that is not a plain macro
/// name, simply `last + 1` (the loop then asks every `n`, as written).
/// Every name of that form the table knows of is consulted, so a shared
/// evaluation notes the ones that differ between targets as the full loop
/// would.
pub(super) fn next_suffix(table: &Table, var: &str, last: i64) -> Option<i64> {
    if last >= MAX_SUFFIX {
        return None;
    }
    let plain = var
        .bytes()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == b'_')
        && var.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_');
    if !plain {
        return Some(last.max(-1) + 1);
    }
    let mut best: Option<i64> = None;
    let mut names: Vec<Box<str>> = Vec::new();
    table.names_with_prefix(var, &mut names);
    for name in &names {
        let rest = &name[var.len()..];
        let canonical = !rest.is_empty()
            && rest.len() <= 4
            && rest.bytes().all(|c| c.is_ascii_digit())
            && (rest == "0" || !rest.starts_with('0'));
        if !canonical {
            continue;
        }
        let n: i64 = rest.parse().unwrap_or(i64::MAX);
        if n > last && n <= MAX_SUFFIX && table.get(name).is_some() && best.is_none_or(|b| n < b) {
            best = Some(n);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_suffix_loop_is_rewritten_keeping_lines() {
        let text = "local function getsuffixed(rpmvar)\n  local suffixes = {}\n  zalias({rpmvar})\n  for suffix=0,9999 do\n    local value = rpm.expand(\"%{?\" .. rpmvar .. suffix .. \"}\")\n    if (value ~= \"\") then\n      suffixes[tostring(suffix)] = value\n    end\n  end\n  return suffixes\nend\n";
        let out = String::from_utf8(rewrite(text.as_bytes()).unwrap()).unwrap();
        assert!(out.starts_with(WRAP_HEAD));
        assert!(out.contains("__rpm_next_suffix(rpmvar, -1)"));
        let line_of = |s: &str, what: &str| s[..s.find(what).unwrap()].matches('\n').count();
        assert_eq!(
            line_of(&out, "return suffixes"),
            line_of(text, "return suffixes")
        );
        // Other loops are left alone.
        assert!(rewrite(b"for suffix=0,9999 do print(suffix) end").is_none());
    }

    #[test]
    fn blanks_match_any_run_of_blanks() {
        assert_eq!(match_blanks(b"a  b\n\tc!", b"a b c"), Some(7));
        assert_eq!(match_blanks(b"ab c", b"a b c"), None);
    }
}
