//! Lua's `macros` object, mirroring rpm 6.1's `rpm.mc` class of
//! rpmio/rpmlua.cc (`mc_index`, `mc_newindex`, `mc_call`): a userdata, as
//! rpm's is, so what Lua code can see of it is rpm's (`type` answers
//! `userdata`, `pairs`, `#` and `rawget` fail naming `rpm.mc`,
//! `getmetatable` gives a class table with `__index`/`__newindex`, which
//! the object consults on each use: assigning them changes `macros`).
//!
//! Reading `macros.NAME` expands `%{NAME}` (nil when undefined); a
//! parametric macro reads as a function taking one string (`%{NAME ARG}`)
//! or a table of arguments (rpm's `rpmExpandThisMacro`); assigning defines
//! (a string or number) or pops (nil). These are Rust functions, as rpm's
//! are C functions, so an error they raise names the Lua line that called
//! them even under a tail call (`return macros.p('a', 'b')`), which a Lua
//! function of ours, replaced by the tail call, could not.

use std::rc::Rc;

use mlua::{Lua, MetaMethod, MultiValue, UserDataFields, UserDataRegistry, Value as LV};

use super::lua::{expand_or_raise, lua_number, EngineSlot};
use super::luaerror::{arg_error, passed_on};

/// The type behind `macros` (it holds nothing: the macros are the engine's).
struct MacroContext;

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

/// rpm's `checkmc`: the class's functions take the `macros` object first
/// (`getmetatable(macros).__index({}, 'x')` is an argument error).
fn check_self(this: &LV, func: &str) -> mlua::Result<()> {
    match this {
        LV::UserData(ud) if ud.is::<MacroContext>() => Ok(()),
        v => Err(bad_argument(
            1,
            func,
            &format!("rpm.mc expected, got {}", v.type_name()),
        )),
    }
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
    let (get, set) = (slot.clone(), slot);
    let index_body = Rc::new(move |lua: &Lua, this: LV, key: LV| -> mlua::Result<LV> {
        check_self(&this, "__index")?;
        let Some(name) = checkstring(&key) else {
            let got = key.type_name();
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
    });
    let newindex_body = Rc::new(move |this: LV, key: LV, v: LV| -> mlua::Result<()> {
        check_self(&this, "__newindex")?;
        let Some(name) = checkstring(&key) else {
            let got = key.type_name();
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
            let got = v.type_name();
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
    });
    let b = index_body.clone();
    let index = lua.create_function(move |lua, (this, key): (LV, LV)| b(lua, this, key))?;
    let b = newindex_body.clone();
    let newindex = lua.create_function(move |_, (this, key, v): (LV, LV, LV)| b(this, key, v))?;
    // mlua hides a userdata's metatable (`__metatable` is false); rpm's
    // `getmetatable(macros)` is its class table, so answer with one alike.
    let class = lua.create_table()?;
    class.set("__name", "rpm.mc")?;
    class.set("__index", index.clone())?;
    class.set("__newindex", newindex.clone())?;
    // The object's own metatable looks the class's entries up on each use,
    // so that Lua code changing the class (`getmetatable(macros).__index =
    // f`) changes the object, as it does rpm's one metatable. Our own
    // functions, while in place, are run directly: a Lua call in between
    // would hide the caller's line from their errors.
    let (c, i) = (class.clone(), index);
    let dispatch_index = move |lua: &Lua, (this, key): (LV, LV)| -> mlua::Result<LV> {
        match c.raw_get::<LV>("__index")? {
            LV::Function(f) if f == i => index_body(lua, this, key),
            LV::Function(f) => {
                let r = f.call::<MultiValue>((this, key)).map_err(passed_on)?;
                Ok(r.into_iter().next().unwrap_or(LV::Nil))
            }
            LV::Table(t) => t.get(key).map_err(passed_on),
            _ => Err(mlua::Error::runtime("attempt to index a rpm.mc value")),
        }
    };
    let (c, n) = (class.clone(), newindex);
    let dispatch_newindex = move |_: &Lua, (this, key, v): (LV, LV, LV)| -> mlua::Result<()> {
        match c.raw_get::<LV>("__newindex")? {
            LV::Function(f) if f == n => newindex_body(this, key, v),
            LV::Function(f) => f.call((this, key, v)).map_err(passed_on),
            LV::Table(t) => t.set(key, v).map_err(passed_on),
            _ => Err(mlua::Error::runtime("attempt to index a rpm.mc value")),
        }
    };
    let di = lua.create_function(dispatch_index)?;
    let dn = lua.create_function(dispatch_newindex)?;
    lua.register_userdata_type::<MacroContext>(move |reg: &mut UserDataRegistry<MacroContext>| {
        reg.add_meta_field(MetaMethod::Type, "rpm.mc");
        reg.add_meta_field(MetaMethod::Index, di);
        reg.add_meta_field(MetaMethod::NewIndex, dn);
    })?;
    let macros = lua.create_any_userdata(MacroContext)?;
    lua.globals().set("macros", macros.clone())?;
    // `getmetatable()` without a value is Lua's argument error, raised for
    // the caller (level 2), not for a line of this wrapper.
    let wrap = "local raw, select, error = getmetatable, select, error\n\
        local ud, class = ...\n\
        getmetatable = function(...)\n\
          if select('#', ...) == 0 then\n\
            error(\"bad argument #1 to 'getmetatable' (value expected)\", 2)\n\
          end\n\
          if rawequal((...), ud) then return class end\n\
          return raw(...)\n\
        end";
    super::luamod::compile(lua, "=rpm-mc", wrap.as_bytes())?.call::<()>((macros, class))
}
