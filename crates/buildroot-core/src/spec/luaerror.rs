//! Errors of our Rust functions as rpm's Lua shows errors of its C ones
//! (`luaL_error`, `luaL_argerror` in lauxlib): a string, prefixed by the
//! position of the Lua line that called the function (`[string
//! "<lua>"]:3: error defining macro`), or by nothing when a C function
//! (`pcall`) called it.
//!
//! mlua raises a Rust function's error as a userdata holding the Rust
//! error and a traceback taken when it was raised. Its second entry is the
//! caller, so the position is read from there; `pcall`, `xpcall` and
//! `coroutine.resume` hand Lua code the string (the glue wraps them with
//! [`errtext`]), and an error that ends a chunk is reported as that string
//! too.

use std::sync::Arc;

use super::luatime::{time_limit_token, TIME_LIMIT};

use mlua::{Error, FromLuaMulti, Function, IntoLuaMulti, Lua, MaybeSend, MultiValue, Value as LV};

/// What the traceback's caller entry gives as `luaL_where(L, 1)`:
/// `SOURCE:LINE: ` for a Lua caller, nothing for a C one.
fn caller_position(traceback: &str) -> String {
    let Some(entry) = traceback.lines().nth(2) else {
        return String::new();
    };
    let head = entry.trim_start().split(" in ").next().unwrap_or("");
    let numbered = head
        .strip_suffix(':')
        .and_then(|h| h.rsplit_once(':'))
        .is_some_and(|(_, n)| !n.is_empty() && n.bytes().all(|c| c.is_ascii_digit()));
    if numbered && !head.starts_with("[C]") {
        format!("{head} ")
    } else {
        String::new()
    }
}

/// The function a traceback's first entry names, as `luaL_argerror` names
/// it: called from Lua, by the field it was called through (`[C]: in
/// function 'rpm.vercmp'` is `vercmp`); called from C (`pcall(rpm.vercmp,
/// ...)`), by its name among the loaded modules, the traceback's own
/// (`rpm.vercmp`, or `?` when it has none).
fn callee_name(traceback: &str) -> String {
    let entry = traceback.lines().nth(1).unwrap_or("");
    let quoted = entry.split('\'').nth(1).unwrap_or("?");
    if caller_position(traceback).is_empty() {
        return quoted.to_string();
    }
    quoted
        .rsplit(['.', ':'])
        .next()
        .unwrap_or(quoted)
        .to_string()
}

/// Lua's name of the type mlua converted to (`String` is `string`).
fn lua_type(rust: &str) -> &str {
    match rust {
        "String" | "string" | "BString" => "string",
        "i64" | "i32" | "u32" | "u64" | "usize" | "f64" | "integer" | "number" => "number",
        "Table" | "table" => "table",
        "Function" | "function" => "function",
        "bool" | "boolean" => "boolean",
        other => other,
    }
}

/// The message of `e` as Lua code sees it, the position of a Rust
/// function's caller given the raise's traceback.
fn message(e: &Error, traceback: Option<&str>) -> String {
    match e {
        // mlua appends a traceback to the error of a Lua function it
        // called; Lua code never sees one.
        Error::RuntimeError(s) | Error::MemoryError(s) => {
            let s = s.split("\nstack traceback:").next().unwrap_or("");
            // The time limit's token, as mlua's message handler wrote it
            // (`luaL_tolstring`: `userdata: 0x...`).
            if s == format!("userdata: {:p}", time_limit_token()) {
                TIME_LIMIT.to_string()
            } else {
                s.to_string()
            }
        }
        Error::SyntaxError { message, .. } => message.clone(),
        Error::CallbackError { traceback, cause } => match &**cause {
            // Raised deeper: its own traceback has its caller.
            Error::CallbackError { .. } | Error::WithContext { .. } => message(cause, None),
            // The time limit's error has no position, however raised (`load`
            // raises it again from Rust).
            c if message(c, None) == TIME_LIMIT => TIME_LIMIT.to_string(),
            c => caller_position(traceback) + &message(c, Some(traceback)),
        },
        Error::WithContext { cause, .. } => message(cause, traceback),
        Error::BadArgument { pos, cause, .. } => {
            let name = traceback.map_or("?".into(), callee_name);
            let what = match &**cause {
                Error::FromLuaConversionError { from, to, .. } => {
                    format!("{} expected, got {from}", lua_type(to))
                }
                c => message(c, None),
            };
            let pos = match *pos {
                STACK_TOP => "-1".to_string(),
                p => p.to_string(),
            };
            format!("bad argument #{pos} to '{name}' ({what})")
        }
        other => other.to_string().lines().next().unwrap_or("").to_string(),
    }
}

/// mlua's errors hold their causes in an `Arc`, of an error type that is
/// not `Send`: the Lua state is never shared between threads.
#[allow(clippy::arc_with_non_send_sync)]
pub(super) fn arc(e: Error) -> Arc<Error> {
    Arc::new(e)
}

/// The argument "position" `-1` (the stack's top) some rpm functions
/// check a table's entries at: [`arg_error`] writes it as `#-1`.
pub(super) const STACK_TOP: usize = usize::MAX;

/// `luaL_argerror(L, pos, what)`: `bad argument #POS to 'NAME' (WHAT)`,
/// the function named as Lua names it (see [`message`]).
pub(super) fn arg_error(pos: usize, what: impl Into<String>) -> Error {
    Error::BadArgument {
        to: None,
        pos,
        name: None,
        cause: arc(Error::runtime(what.into())),
    }
}

/// `lua.create_function(f)`, but an argument the caller did not pass is
/// "no value" in its error, as Lua's `luaL_checkstring` says (`got no
/// value` for `rpm.expand()`, `got nil` for `rpm.expand(nil)`): mlua
/// converts a missing argument as a nil.
pub(super) fn function<A, R, F>(lua: &Lua, f: F) -> mlua::Result<Function>
where
    A: FromLuaMulti,
    R: IntoLuaMulti,
    F: Fn(&Lua, A) -> mlua::Result<R> + MaybeSend + 'static,
{
    lua.create_function(move |lua, args: MultiValue| {
        let given = args.len();
        // Lua names a value of a class by its `__name` (`got rpm.ver`);
        // mlua's conversion error says `userdata`. Looked up before the
        // arguments are consumed, only for values that may have one.
        let mut classed: Vec<(usize, String)> = Vec::new();
        for (i, v) in args.iter().enumerate() {
            let has_class = match v {
                LV::UserData(_) => true,
                LV::Table(t) => t.metatable().is_some(),
                _ => false,
            };
            if has_class {
                let host: mlua::Table = lua.named_registry_value("rpm_host")?;
                let tname: Function = host.get("tname")?;
                classed.push((i + 1, tname.call(v.clone())?));
            }
        }
        let a = A::from_lua_args(args, 1, None, lua).map_err(|e| match e {
            Error::BadArgument {
                to,
                pos,
                name,
                cause,
            } => {
                let class = classed.iter().find(|(p, _)| *p == pos).map(|c| &c.1);
                let cause = match (&*cause, class) {
                    (Error::FromLuaConversionError { to, .. }, Some(class)) => arc(Error::runtime(
                        format!("{} expected, got {class}", lua_type(to)),
                    )),
                    (Error::FromLuaConversionError { to, message, .. }, None) if pos > given => {
                        arc(Error::FromLuaConversionError {
                            from: "no value",
                            to: to.clone(),
                            message: message.clone(),
                        })
                    }
                    _ => cause,
                };
                Error::BadArgument {
                    to,
                    pos,
                    name,
                    cause,
                }
            }
            e => e,
        })?;
        f(lua, a)
    })
}

/// An error that ended a chunk, as rpm reports it after `lua script
/// failed: `, on one line (mlua appends a traceback to a Lua error's text).
pub(super) fn text(e: &Error) -> String {
    message(e, None).lines().next().unwrap_or("").to_string()
}

/// `errtext(e)`: a Rust function's error (mlua's error userdata) as the
/// string rpm's would be, the time limit's token as its message; any other
/// error value unchanged.
pub(super) fn errtext(lua: &Lua) -> mlua::Result<mlua::Function> {
    lua.create_function(|lua, v: LV| match v {
        LV::Error(e) => Ok(LV::String(lua.create_string(message(&e, None))?)),
        LV::LightUserData(p) if p.0 == time_limit_token() => {
            Ok(LV::String(lua.create_string(TIME_LIMIT)?))
        }
        v => Ok(v),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn position_of_the_caller() {
        let tb = "stack traceback:\n\t[C]: in function 'rpm.define'\n\t[string \"<lua>\"]:3: in main chunk";
        assert_eq!(caller_position(tb), "[string \"<lua>\"]:3: ");
        assert_eq!(callee_name(tb), "define");
        let tb = "stack traceback:\n\t[C]: in function 'rpm.define'\n\t[C]: in function 'pcall'";
        assert_eq!(caller_position(tb), "");
        assert_eq!(callee_name(tb), "rpm.define");
        assert_eq!(caller_position("stack traceback:"), "");
        assert_eq!(
            callee_name("stack traceback:\n\t[C]: in ?\n\t[C]: in ?"),
            "?"
        );
    }
}
