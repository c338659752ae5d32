//! The `io` library of the spec evaluator's Lua: what rpm's Lua has of
//! Lua 5.4's liolib.c (`luaL_openlibs` in rpm's `rpmluaNew`), answered from
//! the spec's own files and the `%(...)` sandbox instead of the machine.
//!
//! - `io.open` (liolib's `io_open`) and `rpm.open` read the spec's source
//!   files (`Host::read_file`); modes that write get `nil, "PATH:
//!   Permission denied", 13`, as a read-only file system would answer.
//!   `rpm.open` gives an object of rpm's class `rpm.fd` (rpmlua's `fd_*`:
//!   `read([n])`, `seek`, `close`, `flush`, `reopen`, `write` refused).
//! - `io.input`, `io.read`, `io.lines` (`g_iofile`, `io_read`, `io_lines`):
//!   the default input file. It starts as an empty standard input (what
//!   `rpmspec </dev/null` reads); `io.input(NAME)` opens a source file as
//!   the default input, `io.lines()` reads it without closing it.
//! - `io.popen(CMD)` (`io_popen`, which runs `/bin/sh -c CMD`): the command
//!   runs as `%(...)` does, in the same sandbox, with the same policy,
//!   limits and cache (`shell::Shell::run`); its output is then read like a
//!   file. Without a sandbox (and without `--trust-specs`) it raises an
//!   error, so the spec gets a problem instead of a guessed answer. `close`
//!   answers `true, "exit", 0` (the sandbox does not report the exit
//!   status). Write mode is refused with an error: no rpm spec uses it.
//! - `io.write`, `io.stdout`, `io.stderr`: rpm writes those to its own
//!   standard output, never into the expansion; here they are discarded.
//! - `io.type`, `io.close`, and files' `read`, `lines`, `seek`, `close`
//!   (liolib's `f_*` methods) as Lua's, over the text in memory.

use std::time::Instant;

use mlua::{Function, Lua, Table, Value as LV};

use super::lua::{exclude_time, EngineSlot};

/// The library, in Lua: run once per state with the host table (which has
/// `readfile` and, set by [`install`], `popen`); it sets `io` and `rpm.open`.
const IO: &str = r#"
local host = ...
-- A file is a userdata of the class `FILE*`, as Lua's are (`type` says
-- `userdata`, `rawget` refuses it); what it reads and where it stands is
-- kept here, by file (weak keys: a file no longer used goes).
local newud, tname = host.newud, host.tname
local st = setmetatable({}, {__mode = "k"})
local filemt = {__name = "FILE*"}
local methods = {}
filemt.__index = methods
filemt.__tostring = function(f)
  local s = st[f]
  if s and s._closed then return "file (closed)" end
  return string.format("file (%p)", f)
end
-- Lua's `tofile`: a file that is still open.
local function tofile(f, fname)
  if getmetatable(f) ~= filemt then
    error("bad argument #1 to '" .. fname .. "' (FILE* expected, got " .. tname(f) .. ")", 3)
  end
  if st[f]._closed then error("attempt to use a closed file", 3) end
  return f
end
-- Lua's `luaL_checkstring` for argument `i` of `fname` (`n` given), raised
-- for the code `level` calls up.
local function checkstr(v, i, n, fname, level)
  local t = type(v)
  if t ~= "string" and t ~= "number" then
    error("bad argument #" .. i .. " to '" .. fname .. "' (string expected, got "
      .. (i > n and "no value" or tname(v)) .. ")", level + 1)
  end
end
local function newfile(data, popen)
  local f = newud(filemt)
  st[f] = {_data = data, _pos = 1, _popen = popen}
  return f
end
-- liolib's `g_read` for one format: nil when it cannot read.
local function readone(f, fmt)
  local data, pos = st[f]._data, st[f]._pos
  if type(fmt) == "number" then
    if pos > #data and fmt >= 0 then return nil end
    local s = data:sub(pos, pos + fmt - 1); st[f]._pos = pos + #s; return s
  end
  fmt = tostring(fmt):gsub("^%*", "")
  local c = fmt:sub(1, 1)
  if c == "a" then st[f]._pos = #data + 1; return data:sub(pos) end
  if c == "n" then
    local s, e = data:find("^%s*[-+]?%d+%.?%d*[eE]?[-+]?%d*", pos)
    if not s then return nil end
    st[f]._pos = e + 1; return tonumber(data:sub(s, e))
  end
  if c ~= "l" and c ~= "L" then error("bad argument #1 to 'read' (invalid format)", 3) end
  if pos > #data then return nil end
  local e = data:find("\n", pos, true)
  local s
  if e then s = data:sub(pos, c == "L" and e or e - 1); st[f]._pos = e + 1
  else s = data:sub(pos); st[f]._pos = #data + 1 end
  return s
end
-- Reads stop at the first format that fails (liolib's `g_read`).
local function readall(f, ...)
  local n = select('#', ...)
  if n == 0 then return readone(f, "l") end
  local out = {}
  for i = 1, n do
    local fmt = select(i, ...)
    if type(fmt) ~= "number" then checkstr(fmt, i, n, "read", 2) end
    out[i] = readone(f, fmt)
    if out[i] == nil then return table.unpack(out, 1, i) end
  end
  return table.unpack(out, 1, n)
end
function methods.read(f, ...) return readall(tofile(f, "read"), ...) end
function methods.lines(f, ...)
  tofile(f, "lines")
  local fmts = table.pack(...)
  -- Lua's `io_readline`: a file closed since is its own error.
  return function()
    if st[f]._closed then error("file is already closed", 2) end
    return readall(f, table.unpack(fmts, 1, fmts.n))
  end
end
function methods.close(f)
  tofile(f, "close")
  st[f]._closed = true
  if st[f]._popen then return true, "exit", 0 end
  return true
end
function methods.seek(f, whence, off)
  tofile(f, "seek")
  whence, off = whence or "cur", off or 0
  local base = ({set = 0, cur = st[f]._pos - 1, ["end"] = #st[f]._data})[whence]
  if not base then error("bad argument #1 to 'seek' (invalid option '" .. tostring(whence) .. "')", 2) end
  if base + off < 0 then return nil, "Invalid argument", 22 end
  st[f]._pos = base + off + 1
  return base + off
end
-- liolib's `g_write`: strings or numbers only (`io.write({})` fails).
local function checkwrite(...)
  local n = select('#', ...)
  for i = 1, n do checkstr((select(i, ...)), i, n, "write", 3) end
end
function methods.write(f, ...)
  tofile(f, "write"); checkwrite(...)
  return nil, "Bad file descriptor", 9
end
function methods.flush(f) tofile(f, "flush"); return f end
function methods.setvbuf(f) tofile(f, "setvbuf"); return true end
-- Standard output and error: rpm's own streams, never the expansion.
local sinkmt = {__name = "FILE*", __tostring = function() return "file (stdout)" end}
sinkmt.__index = {
  write = function(f, ...) checkwrite(...) return f end, flush = function(f) return f end,
  close = function() return nil, "cannot close standard file" end,
  setvbuf = function() return true end,
}
local stdout, stderr = newud(sinkmt), newud(sinkmt)
local stdin = newfile("")
local input = stdin
local function checkmode(mode, fname)
  if not tostring(mode):match("^[rwa]%+?b*$") then
    error("bad argument #2 to '" .. fname .. "' (invalid mode)", 3)
  end
end
local function open(path, mode)
  mode = mode or "r"
  checkmode(mode, "open")
  path = tostring(path)
  if mode:find("[wa+]") then return nil, path .. ": Permission denied", 13 end
  local data = host.readfile(path)
  if data == nil then return nil, path .. ": No such file or directory", 2 end
  return newfile(data)
end
-- liolib's `opencheckfile`: open or raise.
local function opencheck(path)
  local f = open(path)
  if not f then error("cannot open file '" .. tostring(path) .. "' (No such file or directory)", 3) end
  return f
end
io = {
  stdin = stdin, stdout = stdout, stderr = stderr,
  open = function(...)
    local n, path, mode = select('#', ...), ...
    checkstr(path, 1, n, "open", 2)
    if mode ~= nil then checkstr(mode, 2, n, "open", 2) end
    return open(path, mode)
  end,
  input = function(x)
    if x ~= nil then
      if type(x) == "string" or type(x) == "number" then input = opencheck(x)
      else input = tofile(x, "input") end
    end
    return input
  end,
  read = function(...) return readall(tofile(input, "read"), ...) end,
  lines = function(path, ...)
    if path == nil then
      local f = tofile(input, "lines")
      return methods.lines(f, ...)
    end
    local f = opencheck(path)
    local fmts = table.pack(...)
    return function()
      if st[f]._closed then error("file is already closed", 2) end
      local v = readall(f, table.unpack(fmts, 1, fmts.n))
      if v == nil then st[f]._closed = true end
      return v
    end
  end,
  close = function(f)
    if f == nil then return nil, "cannot close standard file" end
    if getmetatable(f) == sinkmt then return f:close() end
    return methods.close(f)
  end,
  type = function(f)
    local mt = getmetatable(f)
    if mt == sinkmt then return "file" end
    if mt ~= filemt then return nil end
    return st[f]._closed and "closed file" or "file"
  end,
  write = function(...) checkwrite(...) return stdout end,
  output = function() return stdout end,
  popen = function(...)
    local n, cmd, mode = select('#', ...), ...
    checkstr(cmd, 1, n, "popen", 2)
    mode = mode or "r"
    if mode ~= "r" and mode ~= "w" then error("bad argument #2 to 'popen' (invalid mode)", 2) end
    if mode == "w" then error("io.popen: write mode is not permitted when evaluating specs", 2) end
    if type(cmd) ~= "string" and type(cmd) ~= "number" then
      error("bad argument #1 to 'popen' (string expected, got " .. type(cmd) .. ")", 2)
    end
    return newfile(host.popen(tostring(cmd)), true)
  end,
}
-- rpm.open's files are not Lua's: objects of rpm's class `rpm.fd` (rpmlua's
-- `fd_*`), whose methods are the class's own fields. `read([n])` reads n
-- bytes or the rest (never nil, no formats), `seek` and `close` answer
-- integers, `tostring` is the path, and errors are raised, not returned.
local fdmt = {__name = "rpm.fd"}
fdmt.__index = fdmt
-- Argument errors are numbered as Lua numbers a method's (`f:read('a')`
-- is `bad argument #1`), but for a bad object, which only a call through
-- the field (`f.read(5)`) can pass: that is argument 1 too.
local function tofd(f, fname)
  local s = st[f]
  if getmetatable(f) ~= fdmt or s == nil then
    error("bad argument #1 to '" .. fname .. "' (rpm.fd expected, got " .. tname(f) .. ")", 3)
  end
  return s
end
-- Lua's `luaL_optinteger`.
local function optint(v, i, fname, default)
  if v == nil then return default end
  local x = (type(v) == "number" or type(v) == "string") and tonumber(v) or nil
  if x == nil then
    error("bad argument #" .. i .. " to '" .. fname .. "' (number expected, got " .. tname(v) .. ")", 3)
  end
  local n = math.tointeger(x)
  if n == nil then
    error("bad argument #" .. i .. " to '" .. fname .. "' (number has no integer representation)", 3)
  end
  return n
end
-- A closed object has no file: rpm names it `(none)`.
local function descr(s) return s.closed and "(none)" or s.path end
fdmt.read = function(f, n)
  local s = tofd(f, "read")
  local left = optint(n, 1, "read", -1)
  if s.closed then error("error reading (none): Bad file descriptor", 2) end
  local out = left < 0 and s.data:sub(s.pos) or s.data:sub(s.pos, s.pos + left - 1)
  s.pos = s.pos + #out
  return out
end
fdmt.write = function(f, ...)
  local s = tofd(f, "write")
  local given, b, n = select('#', ...), ...
  checkstr(b, 1, given, "write", 2)
  optint(n, 2, "write", #tostring(b))
  -- Opened for reading only (the sandbox's files cannot be written).
  error("error writing " .. descr(s) .. ": Bad file descriptor", 2)
end
fdmt.flush = function(f) return tofd(f, "flush").closed and -1 or 0 end
fdmt.close = function(f)
  local s = tofd(f, "close")
  if s.closed then return -1 end
  s.closed = true
  return 0
end
fdmt.seek = function(f, whence, off)
  local s = tofd(f, "seek")
  whence = whence == nil and "cur" or whence
  checkstr(whence, 1, 1, "seek", 2)
  local base = ({set = 0, cur = s.pos - 1, ["end"] = #s.data})[tostring(whence)]
  if base == nil then
    error("bad argument #1 to 'seek' (invalid option '" .. tostring(whence) .. "')", 2)
  end
  off = optint(off, 2, "seek", 0)
  if s.closed then error("(none): seek failed: Invalid argument", 2) end
  if base + off < 0 then error(s.path .. ": seek failed: Invalid argument", 2) end
  s.pos = base + off + 1
  return base + off
end
-- rpm's `cvtfmode` and `Fdopen` on `mode` (a string: the Rust side checks
-- it), up to a NUL as in C: whether rpm makes a stream of it, and whether
-- it opens the file for writing. The first letter is `r`, `w` or `a` (`+`
-- before a `.` writes too); past it, up to a `.`, letters other than `+`,
-- `b`, `x` are gzip's level and strategy (`0`-`9`, `f`, `h`), and a name
-- after the `.` must be one of rpm's io types. Every type reads a source
-- as it is stored: right for fdio, ufdio and gzdio (which passes plain
-- data through); rpm's xz, bzip2 and zstd would decompress (or fail on
-- plain data), which no spec of the corpus asks for.
local iotypes = {fdio = 1, ufdio = 1, gzdio = 1, gzip = 1, bzdio = 1, bzip2 = 1,
  xzdio = 1, xz = 1, lzdio = 1, lzma = 1, zstdio = 1, zstd = 1}
local function fdmode(mode)
  local first, flags, dot, io = mode:match("^([^\0]?)([^.\0]*)(%.?)([^\0]*)")
  if first ~= "r" and first ~= "w" and first ~= "a" then return false, false end
  local writes = first ~= "r" or flags:find("+", 1, true) ~= nil
  local other = flags:gsub("[+bx]", "")
  if dot == "." and io ~= "" then return iotypes[io] ~= nil, writes end
  return other:find("[^0-9fh]") == nil, writes
end
fdmt.reopen = function(f, ...)
  local s = tofd(f, "reopen")
  local mode = ...
  checkstr(mode, 1, select('#', ...), "reopen", 2)
  if s.closed or not fdmode(tostring(mode)) then
    error(descr(s) .. " stream reopen failed (invalid mode?)", 2)
  end
  return f
end
fdmt.__tostring = function(f) return descr(tofd(f, "__tostring")) end
fdmt.__gc = function(f) local s = st[f] if s then s.closed = true end end
-- rpm.open (Rust, `install`: it checks the arguments, strings both, and
-- raises the error): an `rpm.fd` of the source `path`, or nil and `PATH:
-- WHY` as rpm's `Fopen` fails: the mode, the file (writing is refused as
-- io.open refuses it), then the stream. A mode of no access at all leaves
-- rpm reporting a stale errno; we say EINVAL, as for a stream it cannot make.
host.open = function(path, mode)
  path, mode = path:match("^[^\0]*"), mode or "r"
  local first = mode:sub(1, 1)
  local ok, writes = fdmode(mode)
  if first ~= "r" and first ~= "w" and first ~= "a" then return nil, path .. ": Invalid argument" end
  if writes then return nil, path .. ": Permission denied" end
  local data = host.readfile(path)
  if data == nil then return nil, path .. ": No such file or directory" end
  if not ok then return nil, path .. ": Invalid argument" end
  local u = newud(fdmt)
  st[u] = {data = data, pos = 1, path = path}
  return u
end
"#;

/// Adds `io` (and `rpm.open`) to `lua`; `host` is the glue's host table,
/// `engine` the engine `io.popen` runs its command for.
pub(super) fn install(lua: &Lua, host: &Table, engine: EngineSlot) -> mlua::Result<()> {
    host.set(
        "popen",
        lua.create_function(move |lua, cmd: mlua::String| {
            let eng = engine.get()?;
            let started = Instant::now();
            let res = eng.host.shell.run(&cmd.as_bytes());
            // As for `%(...)` from Lua: the command has its own time limit.
            exclude_time(eng, started.elapsed());
            match res {
                Ok(out) => lua.create_string(out),
                Err(e) => {
                    let shown: String = String::from_utf8_lossy(&cmd.as_bytes())
                        .chars()
                        .take(80)
                        .collect();
                    Err(mlua::Error::runtime(format!("io.popen({shown}): {e}")))
                }
            }
        })?,
    )?;
    super::luamod::compile(lua, "=rpm-io", IO.as_bytes())?.call::<()>(host.clone())?;
    // rpm's `rpm_open`: its arguments checked as C functions check them
    // (`luaL_checkstring`, `luaL_optlstring`), and it raises where
    // `io.open` answers nil, at the caller's line.
    let open: Function = host.get("open")?;
    let rpm: Table = lua.globals().get("rpm")?;
    rpm.set(
        "open",
        super::luaerror::function(
            lua,
            move |_, (path, mode): (mlua::String, Option<mlua::String>)| {
                let (f, e): (LV, Option<String>) = open.call((path.clone(), mode))?;
                match f {
                    LV::Nil => {
                        let e = e.unwrap_or_default();
                        let why = e.rsplit_once(": ").map_or(e.as_str(), |(_, w)| w);
                        let path = super::expand::c_string(path.as_bytes().to_vec());
                        Err(mlua::Error::runtime(format!(
                            "{} open failed: {why}",
                            String::from_utf8_lossy(&path)
                        )))
                    }
                    f => Ok(f),
                }
            },
        )?,
    )
}

#[cfg(test)]
mod tests {
    use super::super::{evaluate, evaluate_with, sandbox_unavailable, SourceFiles, SpecContext};

    const HEAD: &str = "Name: t\nVersion: 1\nRelease: 1\nSummary: t\nLicense: MIT\n";

    struct Files(&'static [(&'static str, &'static str)]);

    impl SourceFiles for Files {
        fn read(&self, name: &str) -> Option<Vec<u8>> {
            let hit = self.0.iter().find(|(n, _)| *n == name);
            hit.map(|(_, d)| d.as_bytes().to_vec())
        }
    }

    fn eval(body: &str, files: &Files) -> (Vec<String>, Vec<String>) {
        let text = format!("{HEAD}{body}\n%description\nt\n");
        let ev = evaluate_with(&text, &SpecContext::for_arch("x86_64"), files).unwrap();
        let brs = ev.build_requires.iter().map(|d| d.to_string()).collect();
        (brs, ev.problems)
    }

    /// What `pcall(function() CODE end)` answers after `setup`, in a spec
    /// whose Source0 is `data.txt` under `/srv/sources`: `ok_value` with
    /// every character but letters and digits made `_` (a BuildRequires).
    fn pcall_probe(files: &Files, setup: &str, code: &str) -> String {
        let body = format!(
            "%global _sourcedir /srv/sources\nSource0: data.txt\nBuildRequires: %{{lua: {setup} local ok, e = pcall(function() {code} end) local s = (tostring(ok) .. '_' .. tostring(e)):gsub('[^%w]', '_') print(s)}}"
        );
        let (brs, problems) = eval(&body, files);
        assert!(problems.is_empty(), "{problems:?}");
        brs.join(" ")
    }

    /// `rpm.open` gives rpm's `rpm.fd`, not a Lua file: each answer is
    /// rpmspec 6.1's for the same calls on a three-line file.
    #[test]
    fn rpm_open_gives_an_rpm_fd() {
        let files = Files(&[("data.txt", "line1\nline2\nline3\n")]);
        let probe = |code: &str| pcall_probe(&files, "local f = rpm.open(sources[1])", code);
        let cases = [
            ("local r = f:read() return r", "true_line1_line2_line3_"),
            (
                "local r = f:read(3) .. '|' .. f:read(2) .. '|' .. f:read() return r",
                "true_lin_e1__line2_line3_",
            ),
            ("local r = tostring(f) return r", "true__srv_sources_data_txt"),
            (
                "local r = getmetatable(f).__name .. type(f) .. tostring(io.type(f)) return r",
                "true_rpm_fduserdatanil",
            ),
            ("local r = f:close() .. f:close() return r", "true_0_1"),
            (
                "f:read(4) local r = math.type(f:seek()) .. f:seek() .. '|' .. f:seek('set', 1) .. f:read(3) .. '|' .. f:seek('end') return r",
                "true_integer4_1ine_18",
            ),
            (
                "local r = f:seek('cur', 100) .. '|' .. f:read() .. '|' return r",
                "true_100__",
            ),
            (
                "local r = f:read('a') return r",
                "false__string___lua____1__bad_argument__1_to__read___number_expected__got_string_",
            ),
            (
                "f:close() local r = f:read() return r",
                "false__string___lua____1__error_reading__none___Bad_file_descriptor",
            ),
            (
                "local r = f:seek('set', -5) return r",
                "false__string___lua____1___srv_sources_data_txt__seek_failed__Invalid_argument",
            ),
            ("local r = f:lines() return r", "false__string___lua____1__attempt_to_call_a_nil_value__method__lines__"),
        ];
        for (code, want) in cases {
            assert_eq!(probe(code), want, "{code}");
        }
    }

    /// `rpm.open`'s mode is rpm's (`Fopen`), not Lua's: an io type after a
    /// `.` and gzip's letters are taken, and a mode rpm cannot open fails
    /// at the caller's line (never at a line of the glue). Answers are
    /// rpmspec 6.1's, but for writing (EROFS in its sandbox) and a mode
    /// without a leading `r`, `w` or `a` (rpm then reports whatever errno
    /// was left: we say EINVAL).
    #[test]
    fn rpm_open_takes_rpms_modes() {
        let files = Files(&[("data.txt", "line1\n")]);
        let probe = |code: &str| pcall_probe(&files, "", code);
        let failed = |why: &str| {
            format!("false__string___lua____1___srv_sources_data_txt_open_failed__{why}")
        };
        let cases = [
            ("local r = rpm.open(sources[1], 'r.ufdio'):read() return r", "true_line1_".to_string()),
            ("local r = rpm.open(sources[1], 'rb.gzdio'):read() return r", "true_line1_".into()),
            ("local r = rpm.open(sources[1], 'r9h'):read() return r", "true_line1_".into()),
            ("local r = rpm.open(sources[1], 'r.'):read() return r", "true_line1_".into()),
            ("local r = rpm.open(sources[1], 'r+') return r", failed("Permission_denied")),
            ("local r = rpm.open(sources[1], 'a.ufdio') return r", failed("Permission_denied")),
            ("local r = rpm.open(sources[1], 'r.+') return r", failed("Invalid_argument")),
            ("local r = rpm.open(sources[1], 'rw') return r", failed("Invalid_argument")),
            ("local r = rpm.open(sources[1], 'bad') return r", failed("Invalid_argument")),
            ("local r = rpm.open(sources[1], '') return r", failed("Invalid_argument")),
            (
                "local r = rpm.open(sources[1]):reopen('r.fdio'):read() return r",
                "true_line1_".into(),
            ),
            (
                "local r = rpm.open(sources[1]):reopen('bad') return r",
                "false__string___lua____1___srv_sources_data_txt_stream_reopen_failed__invalid_mode__".into(),
            ),
            (
                "local r = io.open(rpm.ver('1')) return r",
                "false__string___lua____1__bad_argument__1_to__open___string_expected__got_rpm_ver_".into(),
            ),
        ];
        for (code, want) in cases {
            assert_eq!(probe(code), want, "{code}");
        }
    }

    /// filesystem.spec's `io.input(sources[N])`
    /// then `io.lines()`; rpmspec gives `bar-devel`, `foo-devel`.
    #[test]
    fn default_input_is_set_by_io_input() {
        let files = Files(&[("brs.txt", "foo-devel\nbar-devel\n")]);
        let (brs, problems) = eval(
            "%global _sourcedir /srv/sources\nSource0: brs.txt\nBuildRequires: %{lua: io.input(sources[1]); for v in io.lines() do print(v .. \" \") end}",
            &files,
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(brs, ["foo-devel", "bar-devel"]);
        // io.read reads the default input; io.lines() does not close it;
        // a read stops at the first format that fails.
        let (brs, problems) = eval(
            "Source0: brs.txt\nBuildRequires: %{lua: local f = io.input(sources[1]) print(io.read() .. ' ') for v in io.lines() do end print(io.type(f) .. '-' .. tostring(io.read('l', 'l')))}",
            &files,
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(brs, ["foo-devel", "file-nil"]);
        // Standard input is empty; a missing file raises Lua's error.
        let (brs, _) = eval("BuildRequires: x%{lua: print(io.read())}", &files);
        assert_eq!(brs, ["xnil"]);
        let (_, problems) = eval("%{lua: io.input('missing.txt')}", &files);
        assert!(
            problems[0].contains("cannot open file 'missing.txt' (No such file or directory)"),
            "{problems:?}"
        );
    }

    #[test]
    fn files_read_like_lua_files() {
        let files = Files(&[("n.txt", "12 7\nab\ncd")]);
        let (brs, problems) = eval(
            "BuildRequires: %{lua: local f = io.open('/s/n.txt') local a, b = f:read('n', 'n') local t = {a + b, tostring(f:read('L') == '\\n'), f:read(1), f:seek('cur'), (f:read('a'):gsub('\\n', '+')), tostring(f:read('a') == ''), tostring(f:read('l')), tostring(f:close()), io.type(f)} print(table.concat(t, '/'))}",
            &files,
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(brs.join(" "), "19/true/a/6/b+cd/true/nil/true/closed file");
        let (_, problems) = eval(
            "%{lua: local f = io.open('/s/n.txt') f:close() f:read()}",
            &files,
        );
        assert!(problems[0].contains("closed file"), "{problems:?}");
        // A lines iterator of a file closed since says what Lua's
        // `io_readline` says (rpmspec 6.1: `afalse\tfile is already closed`).
        let (brs, problems) = eval(
            "BuildRequires: %{lua: local f = io.open('/s/n.txt') local it = f:lines() local a = it() f:close() local ok, e = pcall(it) print(a:sub(1, 1) .. tostring(ok) .. e:gsub(' ', '_'))}",
            &files,
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(brs, ["1falsefile_is_already_closed"]);
    }

    /// `io.popen` in a `%build` line must not
    /// make the spec undecided; rpmspec gives `gcc`.
    #[test]
    fn popen_runs_in_the_sandbox() {
        let text = format!(
            "{HEAD}BuildRequires: gcc\n%description\nt\n%build\necho %{{lua: local f = io.popen(\"echo hi\"); print(f:read(\"*a\")); f:close()}}\n"
        );
        let ev = evaluate(&text, &SpecContext::for_arch("x86_64")).unwrap();
        if let Some(why) = sandbox_unavailable() {
            // Not run, and said so: never a guess.
            assert!(
                ev.problems[0].contains("io.popen(echo hi)"),
                "{why}: {:?}",
                ev.problems
            );
            assert!(ev.problems[0].contains("no sandbox"), "{:?}", ev.problems);
            return;
        }
        assert!(ev.problems.is_empty(), "{:?}", ev.problems);
        assert_eq!(ev.build_requires[0].to_string(), "gcc");
        let files = Files(&[]);
        let (brs, problems) = eval(
            "BuildRequires: %{lua: local f = io.popen('echo one; echo two; pwd') print(f:read('*l') .. '-' .. f:read('*l') .. '-' .. f:read('*a'):gsub('\\n', '')) local ok, how, st = f:close() print(' ' .. tostring(ok) .. how .. st)}",
            &files,
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(brs, ["one-two-/tmp", "trueexit0"]);
        let (brs, problems) = eval(
            "BuildRequires: %{lua: for l in io.popen('printf \"a\\\\nb\\\\n\"'):lines() do print(l .. ' ') end}",
            &files,
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(brs, ["a", "b"]);
        // Write mode is refused, a bad mode is Lua's error.
        let (_, problems) = eval("%{lua: io.popen('cat', 'w')}", &files);
        assert!(
            problems[0].contains("write mode is not permitted"),
            "{problems:?}"
        );
        let (_, problems) = eval("%{lua: io.popen('cat', 'rw')}", &files);
        assert!(problems[0].contains("invalid mode"), "{problems:?}");
    }
}
