//! Lua's `macros` object, mirroring rpm 6.1's `rpm.mc` class of
//! rpmio/rpmlua.cc (`mc_index`, `mc_newindex`, `mc_call`): a userdata, as
//! rpm's is, whose metatable is the class table itself: `type` answers
//! `userdata`, `pairs`, `#` and `rawget` fail naming `rpm.mc`, and
//! `getmetatable(macros)` is the class (`__name`, `__index`, `__newindex`),
//! so what Lua code sets there (`__call`, `__tostring`, another `__index`)
//! changes what `macros` does, as in rpm.
//!
//! Reading `macros.NAME` expands `%{NAME}` (nil when undefined); a
//! parametric macro reads as a function taking one string (`%{NAME ARG}`)
//! or a table of arguments (rpm's `rpmExpandThisMacro`); assigning defines
//! (a string or number) or pops (nil). These are Rust functions, as rpm's
//! are C functions, so an error they raise names the Lua line that called
//! them even under a tail call (`return macros.p('a', 'b')`), which a Lua
//! function of ours, replaced by the tail call, could not.

use std::rc::Rc;

use mlua::{AnyUserData, Function, Lua, MultiValue, Table, Value as LV};

use super::lua::{expand_or_raise, lua_number, EngineSlot};
use super::luaerror::arg_error;

/// A key or value as rpm's `luaL_checkstring` takes it: a string or a
/// number (written as Lua writes it), used as a C string (up to a NUL).
fn checkstring(v: &LV) -> Option<Vec<u8>> {
    match v {
        LV::String(s) => Some(super::expand::c_string(s.as_bytes().to_vec())),
        LV::Integer(n) => Some(n.to_string().into_bytes()),
        LV::Number(n) => Some(lua_number(*n).into_bytes()),
        _ => None,
    }
}

fn bad_argument(n: usize, func: &str, what: &str) -> mlua::Error {
    mlua::Error::runtime(format!("bad argument #{n} to '{func}' ({what})"))
}

/// `macros.NAME(ARG)` of the parametric macro `name` (rpm's `mc_call`).
fn call(lua: &Lua, slot: &EngineSlot, name: &str, args: MultiValue) -> mlua::Result<LV> {
    if args.len() > 1 {
        return Err(mlua::Error::runtime("too many arguments"));
    }
    match args.into_iter().next().unwrap_or(LV::Nil) {
        LV::Table(t) => {
            let mut words = Vec::new();
            for i in 1..=t.raw_len() {
                let v: LV = t.raw_get(i)?;
                // Named as Lua names the function (`p`, or `?` under pcall).
                let w = checkstring(&v).ok_or_else(|| arg_error(i, "cannot convert to string"))?;
                words.push(w);
            }
            let e = slot.get()?;
            let saved = e.problems.len();
            match e.call_with_args(name, words) {
                Ok(v) => Ok(LV::String(lua.create_string(v)?)),
                Err(()) => {
                    // Held until the chunk ends, as for `rpm.expand`.
                    let held: Vec<String> = e.problems.drain(saved..).collect();
                    e.lua_held.extend(held);
                    Err(mlua::Error::runtime("error expanding macro"))
                }
            }
        }
        v => match checkstring(&v) {
            Some(a) => {
                let mut text = format!("%{{{name} ").into_bytes();
                text.extend_from_slice(&a);
                text.push(b'}');
                Ok(LV::String(
                    lua.create_string(expand_or_raise(slot, &text)?)?,
                ))
            }
            None => Err(arg_error(1, "string or table expected")),
        },
    }
}

/// Makes the `macros` global of `lua`, acting on the engine of `slot`.
pub(super) fn install(lua: &Lua, slot: EngineSlot) -> mlua::Result<()> {
    let host: Table = lua.named_registry_value("rpm_host")?;
    let newud: Function = host.get("newud")?;
    // Lua's name of a value's type in an argument error (`luaL_typeerror`:
    // the metatable's `__name`, as `rpm.ver`).
    let tname: Function = host.get("tname")?;
    let type_name = move |v: &LV| -> mlua::Result<String> { tname.call(v.clone()) };
    let type_name = Rc::new(type_name);
    // rpm's class: `__name`, `__index`, `__newindex`, and the object's one
    // metatable, so Lua code changing it (`getmetatable(macros).__call = f`)
    // changes what the object does, as in rpm.
    let class = lua.create_table()?;
    class.set("__name", "rpm.mc")?;
    let macros: AnyUserData = newud.call(class.clone())?;
    lua.globals().set("macros", macros.clone())?;
    // rpm's `checkmc`: the class's functions take the `macros` object first
    // (`getmetatable(macros).__index({}, 'x')` is an argument error).
    let t = type_name.clone();
    let check = Rc::new(move |this: &LV, func: &str| -> mlua::Result<()> {
        if matches!(this, LV::UserData(ud) if *ud == macros) {
            return Ok(());
        }
        let got = t(this)?;
        Err(bad_argument(
            1,
            func,
            &format!("rpm.mc expected, got {got}"),
        ))
    });
    let (get, c, t) = (slot.clone(), check.clone(), type_name.clone());
    let index = lua.create_function(move |lua, (this, key): (LV, LV)| -> mlua::Result<LV> {
        c(&this, "__index")?;
        let Some(name) = checkstring(&key) else {
            let got = t(&key)?;
            return Err(bad_argument(
                2,
                "__index",
                &format!("string expected, got {got}"),
            ));
        };
        let name = String::from_utf8_lossy(&name).into_owned();
        let parametric = match get.get()?.table.get(&name) {
            None => return Ok(LV::Nil),
            Some(m) => m.is_parametric(),
        };
        if parametric {
            let slot = get.clone();
            let f =
                lua.create_function(move |lua, args: MultiValue| call(lua, &slot, &name, args))?;
            return Ok(LV::Function(f));
        }
        let text = format!("%{{{name}}}");
        Ok(LV::String(
            lua.create_string(expand_or_raise(&get, text.as_bytes())?)?,
        ))
    })?;
    let (set, c, t) = (slot, check, type_name);
    let newindex = lua.create_function(move |_, (this, key, v): (LV, LV, LV)| {
        c(&this, "__newindex")?;
        let Some(name) = checkstring(&key) else {
            let got = t(&key)?;
            return Err(bad_argument(
                2,
                "__newindex",
                &format!("string expected, got {got}"),
            ));
        };
        let name = String::from_utf8_lossy(&name).into_owned();
        let e = set.get()?;
        if v.is_nil() {
            e.table.pop(&name);
            return Ok(());
        }
        let Some(body) = checkstring(&v) else {
            let got = t(&v)?;
            return Err(bad_argument(
                3,
                "__newindex",
                &format!("string expected, got {got}"),
            ));
        };
        let mut def = name.clone().into_bytes();
        def.push(b' ');
        def.extend_from_slice(&body);
        let saved = e.problems.len();
        if e.define_from_lua(&def) {
            Ok(())
        } else {
            e.problems.truncate(saved);
            Err(mlua::Error::runtime(format!("error defining macro {name}")))
        }
    })?;
    class.set("__index", index)?;
    class.set("__newindex", newindex)?;
    Ok(())
}
