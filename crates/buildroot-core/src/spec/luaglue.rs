//! The part of a spec's Lua state written in Lua, and the few C functions
//! it needs: rpm 4.18's rpmio/rpmlua.c keeps its `rpm.ver` objects and
//! error strings in C, where we keep them in a Lua chunk ([`GLUE`]) run
//! once per state, with `host.newud` (rpm's `newinstance`), lcorolib's
//! `coroutine.wrap` as a C function (`host.cwrap`) and a `setmetatable`
//! that never arms a `__gc` finalizer. Separate from [`super::lua`], which
//! builds the state and runs scripts, because this is the code that must
//! keep to Lua's own C API rules and Lua's time-limit holes.

use mlua::{Function, Lua, MultiValue, Value as LV};

use super::luaerror::arg_error;

/// Lua glue written in Lua: `pcall`/`xpcall`/`coroutine.resume` handing
/// errors over as strings and `rpm.ver` objects (the `io` library is
/// `luaio`'s, `macros` is `luamacros`').
pub(super) const GLUE: &str = r#"
local host = ...
-- rpm registers its module (and posix) as loaded: `require "rpm"` finds it.
package.loaded.rpm = rpm
if posix then package.loaded.posix = posix end
do
  -- Errors of our Rust functions reach Lua code as the strings rpm's C
  -- functions raise (`luaerror`).
  local rawpcall, rawxpcall, text, expired = pcall, xpcall, host.errtext, host.expired
  local rawmt, select, type, error = getmetatable, select, type, error
  local function caught(ok, ...)
    if ok then return ok, ... end
    -- Past the deadline nothing catches an error: in a loop around a
    -- pcall, the hook's error would be caught inside each time, for ever.
    if expired() then error((...), 0) end
    return false, text((...))
  end
  -- Lua's own argument checks, raised for the caller (level 2) as theirs:
  -- called from these wrappers, they would name a line of this glue.
  local function got(i, ...)
    if select('#', ...) < i then return "no value" end
    local v = select(i, ...)
    local mt = rawmt(v)
    if type(mt) == "table" and type(rawget(mt, "__name")) == "string" then
      return mt.__name
    end
    return type(v)
  end
  pcall = function(...)
    if select('#', ...) == 0 then
      error("bad argument #1 to 'pcall' (value expected)", 2)
    end
    return caught(rawpcall(...))
  end
  xpcall = function(...)
    local f, h = ...
    if type(h) ~= "function" then
      error("bad argument #2 to 'xpcall' (function expected, got " .. got(2, ...) .. ")", 2)
    end
    -- Lua calls the handler for the time limit's error with the hook off
    -- (the hook raised it): past the deadline the error goes on as it is,
    -- so a handler that loops cannot outlive the limit.
    return caught(rawxpcall(f, function(e)
      if expired() then return e end
      return h(text(e))
    end, select(3, ...)))
  end
  -- A coroutine's error, as `coroutine.resume` (and `close`) hand it over.
  -- A coroutine the time limit's error ended keeps the hook off for good
  -- (Lua restores it only where a call was protected), so closing it would
  -- run its `__close` handlers unstoppable: it is never closed, and
  -- `close` answers with that error.
  local co = coroutine
  if co then
    local rawresume, rawclose, rawcreate, status = co.resume, co.close, co.create, co.status
    local timedout = setmetatable({}, {__mode = "k"})
    local function thread(name, ...)
      if type((...)) ~= "thread" then
        error("bad argument #1 to '" .. name .. "' (thread expected, got " .. got(1, ...) .. ")", 3)
      end
    end
    local function resumed(c, ok, ...)
      if not ok and status(c) == "dead" and expired() then timedout[c] = text((...)) end
      return caught(ok, ...)
    end
    co.resume = function(...)
      thread("resume", ...)
      return resumed((...), rawresume(...))
    end
    co.close = function(...)
      thread("close", ...)
      local c = ...
      if timedout[c] ~= nil then return caught(false, timedout[c]) end
      return caught(rawclose(...))
    end
    -- `coroutine.wrap` and the functions it makes are C functions
    -- (`host.cwrap`), as lcorolib's: only a C function finds its caller's
    -- position for an error (a Lua one may have been tail-called in its
    -- caller's place) and is named as Lua names it. What they do in Lua is
    -- `step`: an error in the coroutine closes it, through the above.
    local cwrap = host.cwrap
    local function step(c, ok, ...)
      if ok then return true, ... end
      local e = ...
      if status(c) == "dead" and timedout[c] == nil then
        if expired() then
          timedout[c] = text(e)
        else
          local closed, e2 = rawclose(c)
          if not closed then e = e2 end
        end
      end
      return false, e
    end
    co.wrap = cwrap(function(f)
      local c = rawcreate(f)
      return function(...) return step(c, rawresume(c, ...)) end
    end)
  end
end
-- rpm.ver objects: userdata of the class `rpm.ver` (rpm's `createclass`),
-- whose metatable is the class table itself, as rpm's are: `type` says
-- `userdata`, `rawget`, `pairs` and `setmetatable` refuse them, `#v`, `v()`
-- and `v .. x` are Lua's own errors (naming the variable), and whatever
-- Lua code sets on `getmetatable(v)` applies to every object. An object's
-- version is kept in a table of weak keys (a userdata of ours holds no
-- bytes), which also tells the class's objects from any other value.
local getmt, type, rawget, rawset, error, select = getmetatable, type, rawget, rawset, error, select
-- An object is made as if its class had no `__gc`, which Lua looks at only
-- then, so no object of ours is ever finalized: a finalizer runs with the
-- instruction hook off (Lua's GCTM), so a loop in one that a spec set on
-- the class could not be stopped by the time limit. (Ours do nothing.)
local made = host.newud
local function newud(class)
  local gc = rawget(class, "__gc")
  rawset(class, "__gc", nil)
  local u = made(class)
  rawset(class, "__gc", gc)
  return u
end
host.newud = newud
local fields = setmetatable({}, {__mode = "k"})
local vermt = {__name = "rpm.ver"}
-- Lua's `luaL_typeerror` names a value by its metatable's `__name`.
local function tname(x)
  local mt = getmt(x)
  if type(mt) == "table" and type(rawget(mt, "__name")) == "string" then return mt.__name end
  return type(x)
end
host.tname = tname
-- rpm's `checkver` (luaL_checkudata), for the code `level` calls up.
local function checkver(x, i, n, name, level)
  if fields[x] == nil then
    local got = i > n and "no value" or tname(x)
    error("bad argument #" .. i .. " to '" .. name .. "' (rpm.ver expected, got " .. got .. ")", level + 1)
  end
  return fields[x]
end
-- rpm's lua_tostring: a string or a number as text, taken as a C string
-- (up to a NUL); anything else is none.
local function cstr(x)
  local t = type(x)
  if t == "number" then x = tostring(x) elseif t ~= "string" then return nil end
  return (x:match("^[^\0]*"))
end
local slots = {e = 1, v = 2, r = 3}
vermt.__index = function(...)
  local n, v, k = select('#', ...), ...
  local f = checkver(v, 1, n, "__index", 2)
  local key = cstr(k)
  if key == nil then
    local got = n < 2 and "no value" or tname(k)
    error("bad argument #2 to '__index' (string expected, got " .. got .. ")", 2)
  end
  local i = slots[key]
  if i == nil then error("invalid attribute: " .. key, 2) end
  return f[i]
end
vermt.__tostring = function(...)
  local f = checkver((...), 1, select('#', ...), "__tostring", 2)
  return host.evr(f[1], f[2], f[3])
end
-- rpm's comparisons take two objects of the class
-- (`bad argument #2 to '__lt' (rpm.ver expected, got number)`).
local function vcmp(name, ...)
  local n, a, b = select('#', ...), ...
  local x, y = checkver(a, 1, n, name, 3), checkver(b, 2, n, name, 3)
  return host.vercmp3(x[1], x[2], x[3], y[1], y[2], y[3])
end
vermt.__eq = function(...) return vcmp("__eq", ...) == 0 end
vermt.__lt = function(...) return vcmp("__lt", ...) < 0 end
vermt.__le = function(...) return vcmp("__le", ...) <= 0 end
-- rpm frees the version here; ours is the weak table's to drop.
vermt.__gc = function(...) checkver((...), 1, select('#', ...), "__gc", 2) end
-- rpm.ver (Rust: it checks the number of arguments) makes the object here;
-- no version (`rpm.ver(nil)`, `rpm.ver('')`, an empty V) is no value at all.
host.newver = function(...)
  local n = select('#', ...)
  local e, v, r
  if n == 1 then
    local s = cstr((...))
    if s == nil or s == "" then return end
    e, v, r = host.parsever(s)
  else
    local a, b, c = ...
    e, v, r = cstr(a), cstr(b), cstr(c)
    if v == nil or v == "" then return end
  end
  local u = newud(vermt)
  fields[u] = {e, v, r}
  return u
end
"#;

/// Lua's `setmetatable` (lbaselib's `luaB_setmetatable`: the same checks
/// and messages; `tname` names a value of a class), but the table is given
/// its metatable as if that had no `__gc`, so it is never finalized: Lua
/// runs a finalizer with the instruction hook off, so the time limit could
/// not end a loop in one (the tool hung, at the latest when the state
/// closed). No spec of the corpus sets a `__gc`.
pub(super) fn set_metatable(lua: &Lua, tname: Function) -> mlua::Result<Function> {
    lua.create_function(move |_, args: MultiValue| {
        let given = args.len();
        let mut args = args.into_iter();
        let (t, mt) = (
            args.next().unwrap_or(LV::Nil),
            args.next().unwrap_or(LV::Nil),
        );
        let got = |v: &LV, pos: usize| -> mlua::Result<String> {
            if pos > given {
                return Ok("no value".into());
            }
            tname.call(v.clone())
        };
        let LV::Table(t) = t else {
            return Err(arg_error(1, format!("table expected, got {}", got(&t, 1)?)));
        };
        let mt = match mt {
            // No second argument is none, not nil: an error.
            LV::Nil if given >= 2 => None,
            LV::Table(m) => Some(m),
            v => {
                let what = format!("nil or table expected, got {}", got(&v, 2)?);
                return Err(arg_error(2, what));
            }
        };
        if let Some(old) = t.metatable() {
            if !old.raw_get::<LV>("__metatable")?.is_nil() {
                return Err(mlua::Error::runtime("cannot change a protected metatable"));
            }
        }
        let gc: LV = match &mt {
            Some(m) => m.raw_get("__gc")?,
            None => LV::Nil,
        };
        if let (Some(m), false) = (&mt, gc.is_nil()) {
            m.raw_set("__gc", LV::Nil)?;
        }
        let done = t.set_metatable(mt.clone());
        if let (Some(m), false) = (&mt, gc.is_nil()) {
            m.raw_set("__gc", gc)?;
        }
        done?;
        Ok(LV::Table(t))
    })
}

/// `host.newud(class)`: a new userdata (of no bytes) whose metatable is
/// the table `class`, as rpm's `newinstance` makes its objects. mlua's own
/// userdata cannot stand in: their metatable is mlua's, hidden from
/// `getmetatable`, where rpm's is the class table Lua code may change.
pub(super) unsafe extern "C-unwind" fn new_instance(
    l: *mut mlua::ffi::lua_State,
) -> std::os::raw::c_int {
    use mlua::ffi;
    // Index 1 is looked at before anything is pushed; only a table is ever
    // made a metatable (the glue always passes one).
    let class = ffi::lua_type(l, 1) == ffi::LUA_TTABLE;
    ffi::lua_newuserdatauv(l, 0, 0);
    if class {
        ffi::lua_pushvalue(l, 1);
        ffi::lua_setmetatable(l, -2);
    }
    1
}

/// `host.cwrap(make)`: the C function `coroutine.wrap` (lcorolib's
/// `luaB_cowrap`): it checks its argument as Lua's does, then gives a C
/// closure ([`wrapped`]) over what the glue's `make` makes of it.
pub(super) unsafe extern "C-unwind" fn make_wrap(
    l: *mut mlua::ffi::lua_State,
) -> std::os::raw::c_int {
    use mlua::ffi;
    ffi::lua_settop(l, 1);
    ffi::lua_pushcclosure(l, wrap, 1);
    1
}

/// `coroutine.wrap(f)`: see [`make_wrap`].
unsafe extern "C-unwind" fn wrap(l: *mut mlua::ffi::lua_State) -> std::os::raw::c_int {
    use mlua::ffi;
    ffi::luaL_checktype(l, 1, ffi::LUA_TFUNCTION);
    ffi::lua_settop(l, 1);
    ffi::lua_pushvalue(l, ffi::lua_upvalueindex(1));
    ffi::lua_insert(l, 1);
    ffi::lua_call(l, 1, 1);
    ffi::lua_pushcclosure(l, wrapped, 1);
    1
}

/// lcorolib's `auxwrap` around the glue's `step` for one coroutine: its results, or its error raised
/// again, a string one with the position of the code that called this
/// function in front (`luaL_where(L, 1)`). Nothing here needs dropping
/// when `lua_call` or `lua_error` jumps out.
unsafe extern "C-unwind" fn wrapped(l: *mut mlua::ffi::lua_State) -> std::os::raw::c_int {
    use mlua::ffi;
    let n = ffi::lua_gettop(l);
    if ffi::lua_checkstack(l, 2) == 0 {
        ffi::lua_pushstring(l, c"stack overflow".as_ptr());
        ffi::lua_error(l);
    }
    ffi::lua_pushvalue(l, ffi::lua_upvalueindex(1));
    ffi::lua_insert(l, 1);
    ffi::lua_call(l, n, ffi::LUA_MULTRET);
    if ffi::lua_toboolean(l, 1) != 0 {
        ffi::lua_remove(l, 1);
        return ffi::lua_gettop(l);
    }
    ffi::lua_settop(l, 2);
    if ffi::lua_type(l, 2) == ffi::LUA_TSTRING {
        ffi::luaL_where(l, 1);
        ffi::lua_insert(l, 2);
        ffi::lua_concat(l, 2);
    }
    ffi::lua_error(l)
}
