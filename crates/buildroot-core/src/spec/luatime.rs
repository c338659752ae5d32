//! The Lua time limit's machinery: a C count hook that raises an error past
//! the running Lua's deadline, and the error value it raises.
//!
//! rpm has no limit (`rpmlua.cc` runs a chunk with a plain `lua_pcall`); ours
//! is a count hook set with `lua_sethook`, as Lua's own `debug.sethook`
//! does, on the main thread, which coroutines inherit (`lua_newthread`
//! copies the hook). It is C, not mlua's hooks: mlua's error path for a
//! hook cuts the Lua stack inside the hook, running pending `__close`
//! handlers there with hooks off. Raising from a count hook is allowed
//! (`luaD_hook` runs it as a C call); what Lua then runs with hooks off is
//! the glue's concern (`lua.rs`, `luaglue.rs`). Nothing here holds a value
//! that needs dropping when `lua_error` jumps out, and every path that
//! catches is Lua's (`lua_pcall`, `lua_resume`, the parser), so the jump
//! crosses only C and `extern "C-unwind"` frames without destructors.

use std::cell::Cell;
use std::time::Instant;

/// Whether the running Lua is past its deadline.
pub(super) fn expired(deadline: &Cell<Option<Instant>>) -> bool {
    deadline.get().is_some_and(|d| Instant::now() > d)
}

/// Registry key of the deadline cell `time_hook` reads.
const DEADLINE_KEY: &std::ffi::CStr = c"rpm_deadline";

/// What the time limit's error says.
pub(super) const TIME_LIMIT: &str = "Lua time limit exceeded (a loop that does not end?)";

/// The time limit's error value: a light userdata no Lua code can give a
/// `__tostring` (light userdata share one metatable, which only the debug
/// library could set), so nothing of a spec's runs when Lua or mlua turns
/// it into text with the hook off. A string would not do: a spec may set
/// `getmetatable("").__tostring`. `luaerror` reads it back as [`TIME_LIMIT`].
pub(super) fn time_limit_token() -> *mut std::ffi::c_void {
    static TOKEN: u8 = 0;
    std::ptr::from_ref(&TOKEN).cast_mut().cast()
}

/// `set_time_hook(cell)`: keeps `cell` (a light userdata pointing to the
/// state's deadline) in the registry and sets [`time_hook`] on the calling
/// thread every 4096 instructions; coroutines made later inherit it.
///
/// Not mlua's hooks: when a hook's Rust callback fails, mlua cuts the Lua
/// stack inside the hook (`lua_settop`), which runs the pending `__close`
/// handlers of the interrupted function there, with the hook off: a loop in
/// one hung the tool.
pub(super) unsafe extern "C-unwind" fn set_time_hook(
    l: *mut mlua::ffi::lua_State,
) -> std::os::raw::c_int {
    use mlua::ffi;
    ffi::lua_pushvalue(l, 1);
    ffi::lua_setfield(l, ffi::LUA_REGISTRYINDEX, DEADLINE_KEY.as_ptr());
    ffi::lua_sethook(l, Some(time_hook), ffi::LUA_MASKCOUNT, 4096);
    0
}

/// The count hook: past the deadline, raises [`time_limit_token`]. It
/// holds nothing that needs dropping when `lua_error` jumps out of it.
unsafe extern "C-unwind" fn time_hook(
    l: *mut mlua::ffi::lua_State,
    _ar: *mut mlua::ffi::lua_Debug,
) {
    use mlua::ffi;
    ffi::lua_getfield(l, ffi::LUA_REGISTRYINDEX, DEADLINE_KEY.as_ptr());
    let cell = ffi::lua_touserdata(l, -1) as *const Cell<Option<Instant>>;
    ffi::lua_pop(l, 1);
    // SAFETY: the cell is the state's deadline, which the state keeps
    // alive (`set_app_data`) as long as it can run code.
    if !cell.is_null() && expired(&*cell) {
        ffi::lua_pushlightuserdata(l, time_limit_token());
        ffi::lua_error(l);
    }
}
