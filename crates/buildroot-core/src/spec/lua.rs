//! The embedded Lua 5.4 of `%{lua:...}`, mirroring rpm 4.18's rpmio/rpmlua.c
//! (`rpmluaNew`, `rpmluaRunScript`, `rpmluaCallStringFunction`, the `rpm`
//! module and the `macros` object) with only the safe half of its library.
//!
//! What a spec's Lua gets: the base library (no `dofile`/`loadfile`;
//! `load` takes text only, never bytecode), `string`, `table`, `math`,
//! `utf8`, `coroutine`; `os` with `clock`, `date`, `difftime`, `time`,
//! `getenv` only (and a `setlocale` that changes nothing); `io` reading the
//! spec's own source files (nothing else, no writing) and running
//! `io.popen` in the `%(...)` sandbox (`luaio`); `posix` with `getenv`,
//! `access`, `stat` and `uname` (`luaposix`); `require` of Lua modules from the configured lua directories only (no C
//! modules); `print` appending to the expansion; and rpm's API:
//! `rpm.expand`, `rpm.define`, `rpm.undefine`, `rpm.isdefined`, `rpm.load`
//! (source files), `rpm.vercmp`, `rpm.ver`, `rpm.b64encode`/`b64decode`,
//! `rpm.splitargs`/`unsplitargs`, `rpm.glob` (host paths, `luaglob`),
//! `rpm.open` (read-only, source files),
//! `rpm.interactive`/`execute`/`redirect2null` (refused), the `macros`
//! object (read, call, assign; `luamacros`) and `opt`/`arg` in parametric
//! macros. Errors of these Rust functions read as rpm's C ones (`luaerror`).
//!
//! Limits: a Lua run stops with an error after [`RUN_LIMIT`] of wall time
//! (checked every few thousand instructions; `%(...)` commands it runs do
//! not count, they have their own limit, up to [`EXCLUDED_LIMIT`] in all),
//! an evaluation's Lua work in all after [`TOTAL_LIMIT`], and a state may
//! use [`MEMORY_LIMIT`] bytes. No finalizer (`__gc`) ever runs, as the
//! hook could not stop one (`set_metatable`, and the glue's `newud`).
//! Other code Lua runs with the hook off is kept from running past the
//! deadline by the glue (an `xpcall` handler, `__close` handlers of a
//! coroutine the limit ended), and past it nothing catches an error (no
//! `pcall`, coroutine, or `load` calling a reader). The hook is a C one
//! (`luatime`). Not bounded: Lua's pattern matching, which runs in C.
//! The state is made on first use, so specs without Lua pay nothing.
//!
//! This file builds the state (the sandboxed standard library, `print`,
//! the time limit) and runs scripts in it; the `rpm` module is in
//! `luarpm`, the glue written in Lua and its C helpers in `luaglue`.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::{Duration, Instant};

use mlua::{ChunkMode, Function, Lua, LuaOptions, MultiValue, StdLib, Table, Value as LV};

use super::args::getopt;
use super::expand::{Engine, Frame};
use super::expr::{Value, Ver};
use super::luaglue;
use super::luatime::{expired, set_time_hook, TIME_LIMIT};

/// Wall time one top-level Lua run may take.
pub const RUN_LIMIT: Duration = Duration::from_secs(2);
/// Wall time all Lua of one evaluation may take.
pub const TOTAL_LIMIT: Duration = Duration::from_secs(6);
/// Time of `%(...)` commands run from Lua that is not counted as Lua time,
/// in all, per evaluation; beyond it their time counts. Wide, as it is
/// wall time: the corpus's one spec running commands in a Lua loop
/// (langpacks, 102 `python3` runs) took 1.2-2.6 s on 2 busy cores.
pub const EXCLUDED_LIMIT: Duration = Duration::from_secs(30);
/// Memory one evaluation's Lua may allocate.
pub const MEMORY_LIMIT: usize = 64 << 20;

/// One evaluation's Lua state.
pub(super) struct LuaState {
    lua: Lua,
    /// rpm's print buffer stack: `print` appends to the last one.
    prints: Rc<RefCell<Vec<Vec<u8>>>>,
    deadline: Rc<Cell<Option<Instant>>>,
    spent: Duration,
    /// Time of `%(...)` commands run from Lua (they have their own limit).
    excluded: Duration,
    engine: EngineSlot,
}

/// Leaves `by` (spent in a `%(...)` command) out of the running Lua's time,
/// as long as the evaluation's [`EXCLUDED_LIMIT`] lasts: a loop of distinct
/// commands would otherwise never reach the time limit.
pub(super) fn exclude_time(eng: &mut Engine, by: Duration) {
    if let Some(st) = eng.lua.as_mut() {
        let by = by.min(EXCLUDED_LIMIT.saturating_sub(st.excluded));
        if let Some(d) = st.deadline.get() {
            st.deadline.set(Some(d + by));
            st.excluded += by;
        }
    }
}

/// The engine the state's `rpm` functions act on: set by [`with_engine`]
/// while Rust runs Lua on behalf of an engine, null otherwise. (rpm's Lua
/// reaches its global macro context the same way.)
#[derive(Clone, Default)]
pub(super) struct EngineSlot(Rc<Cell<*mut ()>>);

impl EngineSlot {
    /// The engine Lua is running for.
    pub(super) fn get<'a>(&self) -> mlua::Result<&'a mut Engine<'a>> {
        let p = self.0.get();
        if p.is_null() {
            return Err(mlua::Error::runtime(
                "rpm functions are not available outside a macro expansion",
            ));
        }
        // SAFETY: the pointer is set by `with_engine` from the `&mut Engine`
        // it was given, for the time its body runs Lua, and restored after:
        // the engine outlives every call made while it is set. Lua calls
        // back into Rust one at a time and each callback ends before the
        // Lua code that called it goes on, so this borrow and the ones
        // nested calls derive from it (a callback's expansion running Lua
        // again sets the slot to a reborrow of this one) are never used at
        // the same time; no callback keeps it past its return.
        Ok(unsafe { &mut *(p as *mut Engine<'a>) })
    }
}

impl LuaState {
    fn new(lua_dirs: &[std::path::PathBuf]) -> mlua::Result<LuaState> {
        let libs = StdLib::COROUTINE
            | StdLib::TABLE
            | StdLib::STRING
            | StdLib::UTF8
            | StdLib::MATH
            | StdLib::PACKAGE
            | StdLib::OS;
        let lua = Lua::new_with(libs, LuaOptions::new())?;
        lua.set_memory_limit(MEMORY_LIMIT)?;
        let g = lua.globals();
        for name in ["dofile", "loadfile"] {
            g.set(name, LV::Nil)?;
        }
        // The time limit's deadline, which `time_hook` reads (set below).
        let deadline: Rc<Cell<Option<Instant>>> = Rc::default();
        // `load` of text only: bytecode could break the interpreter's invariants.
        let load: Function = g.get("load")?;
        let d = deadline.clone();
        // The arguments are passed on as given: an `env` not given is none,
        // not nil (a chunk loaded with a nil `env` sees no globals).
        let safe_load = lua.create_function(move |lua, args: MultiValue| {
            let mut args: Vec<LV> = args.into_iter().collect();
            args.resize(args.len().max(3), LV::Nil);
            args[2] = LV::String(lua.create_string("t")?);
            let res = load.call::<MultiValue>(MultiValue::from_vec(args))?;
            // Lua calls a reader function protected and `load` answers its
            // error as `nil, error`: past the deadline, as for `pcall`, the
            // error goes on, or a loop around a looping reader never ends.
            if res.front().is_some_and(LV::is_nil) && expired(&d) {
                return Err(mlua::Error::runtime(TIME_LIMIT));
            }
            Ok(res)
        })?;
        g.set("load", safe_load)?;
        let string: Table = g.get("string")?;
        string.set("dump", LV::Nil)?;
        // os: the clock and the environment, nothing that acts.
        let os: Table = g.get("os")?;
        let keep = ["clock", "date", "difftime", "time", "getenv"];
        let names: Vec<String> = os
            .pairs::<String, LV>()
            .filter_map(|kv| kv.ok().map(|(k, _)| k))
            .collect();
        for k in names {
            if !keep.contains(&k.as_str()) {
                os.set(k, LV::Nil)?;
            }
        }
        // rpm's own `os.exit` refuses outside a scriptlet's child process.
        os.set(
            "exit",
            refusing(&lua, "exit not permitted in this context")?,
        )?;
        // The locale is the process's: answer as if it were set, change nothing.
        os.set(
            "setlocale",
            lua.create_function(|_, (l, _cat): (Option<String>, Option<String>)| {
                Ok(l.filter(|l| !l.is_empty())
                    .unwrap_or_else(|| "C".to_string()))
            })?,
        )?;
        // require: Lua files from the lua directories, no C modules.
        let package: Table = g.get("package")?;
        let path: Vec<String> = lua_dirs
            .iter()
            .map(|d| format!("{}/?.lua", d.display()))
            .collect();
        package.set("path", path.join(";"))?;
        package.set("cpath", "")?;
        package.set("loadlib", LV::Nil)?;
        let searchers: Table = package.get("searchers")?;
        searchers.set(4, LV::Nil)?;
        searchers.set(3, LV::Nil)?;

        let prints: Rc<RefCell<Vec<Vec<u8>>>> = Rc::default();
        let p2 = prints.clone();
        // rpm's print writes each value as luaL_tolstring does: Lua's own
        // tostring (a `__tostring` metamethod, `%.14g` floats).
        let tostring: Function = g.get("tostring")?;
        let print = lua.create_function(move |_, args: MultiValue| {
            let mut stack = p2.borrow_mut();
            let mut text = Vec::new();
            for (i, a) in args.iter().enumerate() {
                if i > 0 {
                    text.push(b'\t');
                }
                match a {
                    // rpm 6 appends each value as a C string: up to a NUL.
                    LV::String(s) => {
                        text.extend_from_slice(&super::expand::c_string(s.as_bytes().to_vec()))
                    }
                    LV::Integer(n) => text.extend_from_slice(n.to_string().as_bytes()),
                    LV::Number(n) => text.extend_from_slice(lua_number(*n).as_bytes()),
                    LV::Boolean(b) => text.extend_from_slice(b.to_string().as_bytes()),
                    LV::Nil => text.extend_from_slice(b"nil"),
                    other => {
                        let s: mlua::String = tostring.call(other.clone())?;
                        text.extend_from_slice(&super::expand::c_string(s.as_bytes().to_vec()));
                    }
                }
            }
            if let Some(top) = stack.last_mut() {
                top.extend_from_slice(&text);
            }
            Ok(())
        })?;
        g.set("print", print)?;

        let engine = EngineSlot::default();
        let rpm = super::luarpm::module(&lua, &engine)?;
        g.set("rpm", rpm)?;
        super::luaposix::install(&lua, engine.clone())?;

        // The time limit: a C hook of ours (`time_hook`) reads the deadline
        // from the registry; `host.expired` tells the glue it has passed.
        // The cell outlives the state: the state holds a reference.
        lua.set_app_data(deadline.clone());
        let cell = LV::LightUserData(mlua::LightUserData(Rc::as_ptr(&deadline) as *mut _));
        // SAFETY: `set_time_hook` keeps to the Lua C API's rules (see there).
        unsafe { lua.create_c_function(set_time_hook)? }.call::<()>(cell)?;
        let d2 = deadline.clone();
        let host = lua.create_table()?;
        // SAFETY: `new_instance` keeps to the Lua C API's rules (see there).
        host.set("newud", unsafe {
            lua.create_c_function(luaglue::new_instance)?
        })?;
        // SAFETY: `make_wrap` keeps to the Lua C API's rules (see there).
        host.set("cwrap", unsafe {
            lua.create_c_function(luaglue::make_wrap)?
        })?;
        host.set(
            "expired",
            lua.create_function(move |_, ()| Ok(expired(&d2)))?,
        )?;
        host.set(
            "parsever",
            lua.create_function(|_, s: String| {
                Ok(match Ver::parse(&s) {
                    Some(v) => (v.e, Some(v.v), v.r),
                    None => (None, None, None),
                })
            })?,
        )?;
        host.set(
            "evr",
            lua.create_function(|_, (e, v, r): (Option<String>, String, Option<String>)| {
                Ok(Ver { e, v, r }.evr())
            })?,
        )?;
        host.set(
            "vercmp3",
            lua.create_function(
                |_,
                 (e1, v1, r1, e2, v2, r2): (
                    Option<String>,
                    String,
                    Option<String>,
                    Option<String>,
                    String,
                    Option<String>,
                )| {
                    let a = Ver {
                        e: e1,
                        v: v1,
                        r: r1,
                    };
                    let b = Ver {
                        e: e2,
                        v: v2,
                        r: r2,
                    };
                    Ok(a.cmp(&b) as i32)
                },
            )?,
        )?;
        let slot = engine.clone();
        host.set(
            "readfile",
            lua.create_function(move |lua, s: String| match slot.get()?.host.read_file(&s) {
                Some(d) => Ok(LV::String(lua.create_string(d)?)),
                None => Ok(LV::Nil),
            })?,
        )?;
        // require: modules of the lua directories only, compiled once per
        // process (`luamod`), in place of Lua's file searcher.
        searchers.set(2, super::luamod::searcher(&lua, lua_dirs, engine.clone())?)?;
        lua.set_named_registry_value("rpm_host", host.clone())?;
        host.set("errtext", super::luaerror::errtext(&lua)?)?;
        super::luamod::compile(&lua, "=rpm-glue", luaglue::GLUE.as_bytes())?
            .call::<()>(host.clone())?;
        let tname: Function = host.get("tname")?;
        g.set("setmetatable", luaglue::set_metatable(&lua, tname)?)?;
        let newver: Function = host.get("newver")?;
        let rpm: Table = g.get("rpm")?;
        rpm.set(
            "ver",
            lua.create_function(move |_, args: MultiValue| {
                let n = args.len();
                if n != 1 && n != 3 {
                    // rpm's luaL_error: a C function's, so the caller's line.
                    return Err(mlua::Error::runtime(format!(
                        "invalid number of arguments: {n}"
                    )));
                }
                newver.call::<MultiValue>(args)
            })?,
        )?;
        super::luamacros::install(&lua, engine.clone())?;
        super::luaio::install(&lua, &host, engine.clone())?;

        Ok(LuaState {
            lua,
            prints,
            deadline,
            spent: Duration::ZERO,
            excluded: Duration::ZERO,
            engine,
        })
    }
}

/// A Lua function that fails with `message` whatever it is given, for
/// what rpm refuses in a spec's context.
pub(super) fn refusing(lua: &Lua, message: &'static str) -> mlua::Result<Function> {
    lua.create_function(move |_, _: MultiValue| -> mlua::Result<()> {
        Err(mlua::Error::runtime(message))
    })
}

/// How Lua's `tostring` writes a float: C's `%.14g`, and `.0` added when
/// that looks like an integer.
pub(super) fn lua_number(n: f64) -> String {
    let s = format_g14(n);
    if s.bytes().all(|c| c == b'-' || c.is_ascii_digit()) {
        s + ".0"
    } else {
        s
    }
}

/// C's `printf("%.14g", n)`.
fn format_g14(n: f64) -> String {
    const P: i32 = 14;
    if n.is_nan() {
        return if n.is_sign_negative() { "-nan" } else { "nan" }.into();
    }
    if n.is_infinite() {
        return if n < 0.0 { "-inf" } else { "inf" }.into();
    }
    // The exponent after rounding to P significant digits.
    let sci = format!("{:.*e}", (P - 1) as usize, n);
    let (mant, exp) = sci.split_once('e').expect("{:e} has an exponent");
    let exp: i32 = exp.parse().expect("an integer exponent");
    let trim = |t: &str| -> String {
        if t.contains('.') {
            t.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            t.to_string()
        }
    };
    if (-4..P).contains(&exp) {
        trim(&format!("{:.*}", (P - 1 - exp) as usize, n))
    } else {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{}e{sign}{:02}", trim(mant), exp.abs())
    }
}

/// `rpm.expand` of `text`: its expansion, or rpm's `error expanding macro`
/// (a Lua error a chunk may catch with `pcall` and go on, as rpm's; the
/// failure's own problems are held until the chunk ends).
pub(super) fn expand_or_raise(slot: &EngineSlot, text: &[u8]) -> mlua::Result<Vec<u8>> {
    let e = slot.get()?;
    let saved = e.problems.len();
    e.expand(text).map_err(|()| {
        let held: Vec<String> = e.problems.drain(saved..).collect();
        e.lua_held.extend(held);
        mlua::Error::runtime("error expanding macro")
    })
}

fn state<'a>(eng: &'a mut Engine) -> Result<&'a mut LuaState, String> {
    if eng.lua.is_none() {
        let st = LuaState::new(eng.host.lua_dirs).map_err(|e| format!("cannot start Lua: {e}"))?;
        for key in ["sources", "patches", "source_nums", "patch_nums"] {
            let t = st.lua.create_table().map_err(|e| e.to_string())?;
            st.lua.globals().set(key, t).map_err(|e| e.to_string())?;
        }
        eng.lua = Some(st);
        let (s, p) = (eng.lua_sources.clone(), eng.lua_patches.clone());
        for (n, x) in &s {
            add_source(eng, false, *n, x);
        }
        for (n, x) in &p {
            add_source(eng, true, *n, x);
        }
    }
    Ok(eng.lua.as_mut().expect("made above"))
}

/// Runs `body` with the engine reachable from Lua (`rpm.expand` and
/// friends), as rpm's Lua reaches its global macro context; nested runs
/// (Lua -> macro -> Lua) each install their own and restore the outer one.
fn with_engine<R>(
    eng: &mut Engine,
    body: impl FnOnce(&Lua) -> mlua::Result<R>,
) -> Result<R, String> {
    let (lua, deadline, slot, outermost) = {
        let st = state(eng)?;
        let outermost = st.deadline.get().is_none();
        if outermost {
            let left = TOTAL_LIMIT.saturating_sub(st.spent);
            if left.is_zero() {
                return Err("Lua time budget of this spec used up".into());
            }
            st.deadline.set(Some(Instant::now() + left.min(RUN_LIMIT)));
        }
        (
            st.lua.clone(),
            st.deadline.clone(),
            st.engine.clone(),
            outermost,
        )
    };
    let excluded_before = eng.lua.as_ref().map_or(Duration::ZERO, |st| st.excluded);
    let started = Instant::now();
    let prev = slot.0.replace(std::ptr::from_mut(eng).cast());
    let res = body(&lua);
    slot.0.set(prev);
    if outermost {
        deadline.set(None);
        if let Some(st) = eng.lua.as_mut() {
            let excluded = st.excluded.saturating_sub(excluded_before);
            st.spent += started.elapsed().saturating_sub(excluded);
        }
    }
    res.map_err(|e| super::luaerror::text(&e))
}

/// rpm's `doLua`: runs `%{lua:script}`, appending what it prints (and
/// returns) to `out`; errors fail the expansion.
pub(super) fn run_macro(eng: &mut Engine, script: &[u8], frame: Option<&Frame>, out: &mut Vec<u8>) {
    let mut code = b"local opt, arg = ...;".to_vec();
    code.extend_from_slice(script);
    let name = frame.map_or("<lua>".to_string(), |f| f.name.to_string());
    let (opt_words, optstr): (Vec<Vec<u8>>, Option<String>) = match frame {
        Some(f) => (f.args.clone(), f.opts.as_deref().map(str::to_string)),
        None => (Vec::new(), None),
    };
    let prints = match state(eng) {
        Ok(st) => st.prints.clone(),
        Err(e) => return eng.fail(e),
    };
    prints.borrow_mut().push(Vec::new());
    let held_mark = eng.lua_held.len();
    let res = with_engine(eng, |lua| {
        let chunk = super::luamod::compile(lua, &name, &code)
            .map_err(|e| mlua::Error::runtime(format!("invalid syntax in lua script: {e}")))?;
        let opt = lua.create_table()?;
        let arg = lua.create_table()?;
        let mut rest: &[Vec<u8>] = opt_words.get(1..).unwrap_or(&[]);
        let parsed;
        if let Some(o) = &optstr {
            parsed = getopt(o.as_bytes(), rest).map_err(|c| {
                mlua::Error::runtime(format!("Unknown option {} in {name}({o})", c as char))
            })?;
            for (c, v) in &parsed.opts {
                let key = (*c as char).to_string();
                opt.set(key, lua.create_string(v.as_deref().unwrap_or(b""))?)?;
            }
            rest = &parsed.args;
        } else if !opt_words.is_empty() {
            // rpm passes the whole argv (name included) when there are no options.
            rest = &opt_words;
        }
        for (i, a) in rest.iter().enumerate() {
            arg.set(i + 1, lua.create_string(a)?)?;
        }
        let ret: MultiValue = chunk.call((opt, arg))?;
        if !ret.is_empty() {
            let print: Function = lua.globals().get("print")?;
            print.call::<()>(ret)?;
        }
        Ok(())
    });
    let printed = prints.borrow_mut().pop().unwrap_or_default();
    let held = eng.lua_held.split_off(held_mark.min(eng.lua_held.len()));
    match res {
        Ok(()) => out.extend_from_slice(&printed),
        Err(e) => {
            // What failed inside first, as rpm logs it before the chunk's error.
            for p in held {
                if eng.problems.len() < 20 && !eng.problems.contains(&p) {
                    eng.problems.push(p);
                }
            }
            eng.fail(format!("lua script failed: {e}"))
        }
    }
}

/// `lua:name(args)` in an expression (rpm's `rpmluaCallStringFunction`).
pub(super) fn call_function(
    eng: &mut Engine,
    name: &str,
    args: &[Value],
) -> Result<Vec<u8>, String> {
    let code = format!("return ({name})(...)");
    let res = with_engine(eng, |lua| {
        let f = lua.load(&code).set_mode(ChunkMode::Text).into_function()?;
        let mut vals = Vec::new();
        for a in args {
            vals.push(match a {
                Value::Int(i) => LV::Integer((*i).into()),
                Value::Str(s) => LV::String(lua.create_string(s)?),
                Value::Ver(_) => {
                    return Err(mlua::Error::runtime("unsupported function argument type"))
                }
            });
        }
        let v: LV = f.call(MultiValue::from_iter(vals))?;
        Ok(match v {
            LV::Nil => Vec::new(),
            LV::Boolean(b) => {
                if b {
                    b"1".to_vec()
                } else {
                    Vec::new()
                }
            }
            LV::String(s) => s.as_bytes().to_vec(),
            LV::Integer(n) => n.to_string().into_bytes(),
            LV::Number(n) => lua_number(n).into_bytes(),
            other => other.to_string()?.into_bytes(),
        })
    });
    res.map_err(|e| format!("{name}: {e}"))
}

/// Adds a `Source`/`Patch` to Lua's `sources`/`patches` and
/// `source_nums`/`patch_nums` (rpm's `addLuaSource`).
pub(super) fn add_source(eng: &mut Engine, patch: bool, num: u32, path: &str) {
    let Some(st) = eng.lua.as_ref() else { return };
    let g = st.lua.globals();
    let (paths, nums) = if patch {
        ("patches", "patch_nums")
    } else {
        ("sources", "source_nums")
    };
    for (key, v) in [(paths, LV::Nil), (nums, LV::Integer(num.into()))] {
        let t: Table = match g.get::<Option<Table>>(key) {
            Ok(Some(t)) => t,
            _ => match st.lua.create_table() {
                Ok(t) => {
                    let _ = g.set(key, t.clone());
                    t
                }
                Err(_) => return,
            },
        };
        let _ = match v {
            LV::Nil => t.push(path),
            v => t.push(v),
        };
    }
}
