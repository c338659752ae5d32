//! The `posix` module of the spec evaluator's Lua: the part of rpm's own
//! `posix` (rpmio/lposix.c, registered by `rpmluaNew`) that answers
//! questions, none of the part that acts (`exec`, `fork`, `setenv`,
//! `mkdir`, ... are absent, so calling them is Lua's "attempt to call a
//! nil value").
//!
//! - `getenv(name)` (lposix's `Pgetenv`): the process's environment.
//! - `access(path[, mode])` (`Paccess`): `0` when `path` is a source file or
//!   an absolute path of the host that exists (as `%{exists:}`), else nil.

use mlua::Lua;

use super::lua::EngineSlot;

/// Sets the global `posix` of `lua`; `engine` is the engine its functions
/// answer for.
pub(super) fn install(lua: &Lua, engine: EngineSlot) -> mlua::Result<()> {
    let posix = lua.create_table()?;
    posix.set(
        "getenv",
        lua.create_function(|_, k: String| Ok(std::env::var(k).ok()))?,
    )?;
    let slot = engine.clone();
    posix.set(
        "access",
        lua.create_function(move |_, (s, _mode): (String, Option<String>)| {
            Ok(slot.get()?.host.file_exists(&s).then_some(0))
        })?,
    )?;
    lua.globals().set("posix", posix)
}
