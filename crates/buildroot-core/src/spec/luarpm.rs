//! rpm's `rpm` Lua module as a spec's Lua sees it (rpmio/rpmlua.c
//! `rpmlib`: 4.18's `rpm_expand`, `rpm_define`, `rpm_undefine`,
//! `rpm_isdefined`, `rpm_load`, `rpm_vercmp`, `rpm_b64encode`/`decode`,
//! `rpm_splitargs`/`unsplitargs`, `rpm_interactive`, `rpm_execute`,
//! `rpm_redirect2null` and the hook functions, and 4.19's `rpm_glob`):
//! what reads or changes macros acts on the engine in the [`EngineSlot`],
//! what would act on the host is refused with rpm's own checks of its
//! arguments first. (`rpm.ver` comes from the glue, `rpm.open` from
//! `luaio`.) Separate from [`super::lua`], which builds the sandboxed state
//! around it.

use mlua::{Lua, MultiValue, Table, Value as LV};

use super::args::{split_quoted, unsplit_quoted};
use super::expr::Ver;
use super::lua::{expand_or_raise, refusing, EngineSlot};
use super::luaerror::{arg_error, function, STACK_TOP};

/// The `rpm` table, its functions acting on the engine of `engine`.
pub(super) fn module(lua: &Lua, engine: &EngineSlot) -> mlua::Result<Table> {
    let rpm = lua.create_table()?;
    let slot = engine.clone();
    rpm.set(
        "expand",
        function(lua, move |lua, s: mlua::String| {
            // rpm takes the argument as a C string: up to a NUL.
            let v = expand_or_raise(&slot, &super::expand::c_string(s.as_bytes().to_vec()))?;
            lua.create_string(v)
        })?,
    )?;
    let slot = engine.clone();
    rpm.set(
        "define",
        function(lua, move |_, s: mlua::String| {
            let e = slot.get()?;
            let saved = e.problems.len();
            if e.define_from_lua(&super::expand::c_string(s.as_bytes().to_vec())) {
                Ok(())
            } else {
                e.problems.truncate(saved);
                Err(mlua::Error::runtime("error defining macro"))
            }
        })?,
    )?;
    let slot = engine.clone();
    rpm.set(
        "undefine",
        function(lua, move |_, s: mlua::String| {
            // rpm's `rpmUndefineMacro` checks the name as `%undefine`
            // does: an illegal name or a built-in (`expand`) fails.
            let e = slot.get()?;
            let saved = e.problems.len();
            let name = super::expand::c_string(s.as_bytes().to_vec());
            if e.undefine_from_lua(&String::from_utf8_lossy(&name)) {
                Ok(())
            } else {
                e.problems.truncate(saved);
                Err(mlua::Error::runtime("error undefining macro"))
            }
        })?,
    )?;
    let slot = engine.clone();
    rpm.set(
        "isdefined",
        function(lua, move |_, s: String| {
            let m = slot.get()?.table.get(&s);
            Ok((m.is_some(), m.is_some_and(|m| m.is_parametric())))
        })?,
    )?;
    let slot = engine.clone();
    rpm.set(
        "load",
        function(lua, move |_, s: String| {
            let e = slot.get()?;
            Ok(match e.host.read_file(&s) {
                // rpm's `rpmLoadMacroFile`: 1 when a definition failed;
                // pushed as a Lua float.
                Some(d) => f64::from(u8::from(!e.load_macro_text(&d))),
                // rpm opens a directory and reads no line of it.
                None if super::Host::is_builder_dir(&s) => 0.0,
                None => -1.0,
            })
        })?,
    )?;
    rpm.set(
        "vercmp",
        function(lua, |_, (a, b): (String, String)| {
            let (va, vb) = (Ver::parse(&a), Ver::parse(&b));
            match (va, vb) {
                (Some(x), Some(y)) => Ok(x.cmp(&y) as i32),
                // rpm's `luaL_argerror(L, N, "invalid version ")`.
                (None, _) => Err(arg_error(1, "invalid version ")),
                _ => Err(arg_error(2, "invalid version ")),
            }
        })?,
    )?;
    rpm.set(
        "b64encode",
        // rpm's rpmBase64Encode: lines of `linelen` characters (64 by
        // default, rounded down to a multiple of 4; none for 0), each
        // ended by a newline.
        function(lua, |lua, (s, linelen): (mlua::String, LV)| {
            // `luaL_optinteger`: an integral number, or a string Lua
            // reads as one (`'0x8'`, `'8.0'`: Lua's own conversion).
            let linelen = match linelen {
                LV::Nil => None,
                v => match lua.coerce_integer(v.clone())? {
                    Some(i) => Some(i),
                    None if lua.coerce_number(v.clone())?.is_some() => {
                        return Err(arg_error(2, "number has no integer representation"))
                    }
                    None => {
                        let got = v.type_name();
                        return Err(arg_error(2, format!("number expected, got {got}")));
                    }
                },
            };
            let data = s.as_bytes();
            let quads = match linelen {
                Some(l) if l >= 0 => (l / 4).min(1 << 20) as usize,
                _ => 16,
            };
            let mut out = Vec::new();
            if quads == 0 {
                out = super::base64::encode(&data);
            } else {
                for chunk in data.chunks(quads * 3) {
                    out.extend(super::base64::encode(chunk));
                    out.push(b'\n');
                }
            }
            lua.create_string(out)
        })?,
    )?;
    rpm.set(
        "b64decode",
        function(lua, |lua, s: mlua::String| {
            match super::base64::decode(&s.as_bytes()) {
                Some(d) => Ok(LV::String(lua.create_string(d)?)),
                None => Ok(LV::Nil),
            }
        })?,
    )?;
    rpm.set(
        "splitargs",
        function(lua, |lua, s: mlua::String| {
            let t = lua.create_table()?;
            for (i, w) in split_quoted(&s.as_bytes(), b" \t").into_iter().enumerate() {
                t.set(i + 1, lua.create_string(w)?)?;
            }
            Ok(t)
        })?,
    )?;
    rpm.set(
        "unsplitargs",
        function(lua, |lua, t: Table| {
            // rpm's: entries 1, 2, ... up to the first nil, each taken
            // by `luaL_checkstring(L, -1)` (a C string; anything but a
            // string or number is an error about argument -1).
            let mut words: Vec<Vec<u8>> = Vec::new();
            for i in 1.. {
                match t.raw_get::<LV>(i)? {
                    LV::Nil => break,
                    v @ (LV::String(_) | LV::Integer(_) | LV::Number(_)) => {
                        let s: mlua::String = lua.unpack(v)?;
                        words.push(super::expand::c_string(s.as_bytes().to_vec()));
                    }
                    v => {
                        let got = v.type_name();
                        return Err(arg_error(STACK_TOP, format!("string expected, got {got}")));
                    }
                }
            }
            lua.create_string(unsplit_quoted(&words, b" "))
        })?,
    )?;
    rpm.set("glob", super::luaglob::function(lua)?)?;
    // rpm's own check first: rpmbuild on a builder has no terminal.
    rpm.set("interactive", refusing(lua, "not a tty")?)?;
    rpm.set(
        "execute",
        // rpm's `rpm_execute` checks every argument is a string before
        // it runs anything; the sandbox refuses what would run.
        function(
            lua,
            |_, (_file, rest): (mlua::String, MultiValue)| -> mlua::Result<()> {
                for (i, v) in rest.iter().enumerate() {
                    if !matches!(v, LV::String(_) | LV::Integer(_) | LV::Number(_)) {
                        let got = v.type_name();
                        return Err(arg_error(i + 2, format!("string expected, got {got}")));
                    }
                }
                Err(mlua::Error::runtime(
                    "rpm.execute is not permitted when evaluating specs",
                ))
            },
        )?,
    )?;
    // Gone from rpm 6, which says so.
    rpm.set(
        "redirect2null",
        refusing(
            lua,
            "rpm.redirect2null() is no longer available, use rpm.spawn() or \
                 rpm.execute() instead",
        )?,
    )?;
    // rpm's hooks: no hook runs while a spec is parsed, but the
    // arguments are checked as rpm checks them.
    for name in ["register", "unregister", "call"] {
        rpm.set(
            name,
            lua.create_function(move |_, args: MultiValue| -> mlua::Result<()> {
                let arg = |i: usize| args.get(i).cloned().unwrap_or(LV::Nil);
                if !matches!(arg(0), LV::String(_) | LV::Integer(_) | LV::Number(_)) {
                    return Err(arg_error(1, "hook name expected"));
                }
                match name {
                    "register" if !matches!(arg(1), LV::Function(_)) => {
                        Err(arg_error(2, "function expected"))
                    }
                    "unregister" if !matches!(arg(1), LV::UserData(_) | LV::LightUserData(_)) => {
                        Err(arg_error(2, "hook information expected"))
                    }
                    _ => Ok(()),
                }
            })?,
        )?;
    }
    Ok(rpm)
}
