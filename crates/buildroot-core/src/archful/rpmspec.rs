//! Exact mode (`identify-archful-srpms --rpmspec`): rpm itself reads each
//! spec for each target arch, `rpmspec -q --srpm --target ARCH` with the
//! macros of [`RpmMacros`] (the same macro files the evaluator loads). The
//! query is what rpm's `--buildrequires` alias asks (`REQUIRENEVRS` of the
//! source header), plus ExclusiveArch/ExcludeArch; rpm's popt aliases are
//! not used because `RPM_CONFIGDIR` points at the macro packages' files.
//!
//! rpm runs the packagers' `%(...)` and Lua code without a sandbox, so each
//! run has a time limit. SRPMs are read in parallel (rayon, one `rpmspec`
//! per worker thread at a time). A spec rpm cannot read for an arch is
//! decided by dep-tracker's `%ifarch` grep, with rpm's message as reason.
//! Whether the spec has dynamic BuildRequires is rpm's answer too, told by
//! a section line of ours appended to the spec ([`super::section_probe`]);
//! when rpm refuses it, the spec is read again as it is. Where the spec's
//! text says our line may mislead (a spec that may end in the section
//! line, or have rpm 4.20's section parts), `rpmspec -P` of the spec as it
//! is says which lines rpm read.

use std::io::Read;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use super::cache::{excluded, ArchfulResult, CachedSrpm, Verdict};
use super::options::ArchTarget;
use super::rpmargs::RpmMacros;
use super::rpmbuild::unpack;
use super::section_probe;
use super::shell_sources;
use crate::dep::Dep;
use crate::error::{Error, Result};
use crate::spec;
use crate::srpm;

/// How long one `rpmspec` run may take.
const TIME_LIMIT: Duration = Duration::from_secs(120);

const QUERY: &str = "[R %{REQUIRENEVRS}\\n][A %{EXCLUSIVEARCH}\\n][X %{EXCLUDEARCH}\\n]";

/// What rpm says about a spec for one arch.
#[derive(Debug, Default, PartialEq, Eq)]
struct RpmAnswer {
    build_requires: Vec<String>,
    exclusive_arch: Vec<String>,
    exclude_arch: Vec<String>,
    /// rpm read a `%generate_buildrequires` section.
    dynamic_build_requires: bool,
}

fn missing_rpmspec(reason: String) -> Error {
    Error::MissingProgram {
        program: "rpmspec",
        reason,
        package: "rpm, e.g. 'dnf install rpm-build' or 'apt install rpm'",
    }
}

/// An error unless `rpmspec` can be run.
pub fn check_rpmspec() -> Result<()> {
    match std::process::Command::new("rpmspec")
        .arg("--version")
        .output()
    {
        Ok(o) if o.status.success() => Ok(()),
        Ok(o) => Err(missing_rpmspec(format!("rpmspec --version: {}", o.status))),
        Err(e) => Err(missing_rpmspec(crate::error::io_message(&e))),
    }
}

/// Decides archfulness of every cached SRPM with `rpmspec` for `targets`.
pub fn identify_rpmspec(
    cached: &[CachedSrpm],
    targets: &[ArchTarget],
) -> Result<Vec<ArchfulResult>> {
    check_rpmspec()?;
    let runs: Vec<(&ArchTarget, RpmMacros)> = targets
        .iter()
        .map(|t| Ok((t, RpmMacros::of(t)?)))
        .collect::<Result<_>>()?;
    let parts = runs.first().is_some_and(|(_, m)| knows_parts(m));
    let mut out: Vec<ArchfulResult> = cached
        .par_iter()
        .map(|c| one_srpm(c, &runs, parts))
        .collect::<Result<_>>()?;
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// Whether the rpmspec `macros` runs reads section parts (`%build -a`,
/// `%generate_buildrequires -p`: rpm 4.20 and later; rpm 4.18 reads such a
/// line as the section itself), as `rpmspec --version` tells
/// (`RPM version 4.20.1`).
fn knows_parts(macros: &RpmMacros) -> bool {
    let out = macros
        .command("rpmspec")
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    let version = out.split_whitespace().last().unwrap_or_default();
    let mut n = version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    (n.next().unwrap_or(0), n.next().unwrap_or(0)) >= (4, 20)
}

fn one_srpm(
    c: &CachedSrpm,
    runs: &[(&ArchTarget, RpmMacros)],
    parts: bool,
) -> Result<ArchfulResult> {
    let top = tempfile::tempdir().map_err(|e| Error::io(std::env::temp_dir(), e))?;
    let srpm::SpecFile {
        name: spec_name,
        text,
        data,
    } = srpm::extract_spec(&c.path)?;
    // A spec that may open one of the SRPM's other files while rpm reads
    // it gets them all, as `rpmbuild --rebuild` unpacks them; most specs
    // need only themselves (unpacking every tarball costs a write of the
    // whole SRPM).
    let spec_path = if may_read_sources(&text) {
        unpack(&c.path, top.path())?
    } else {
        let p = top.path().join("SPECS").join(&spec_name);
        std::fs::create_dir_all(top.path().join("SPECS")).map_err(|e| Error::io(top.path(), e))?;
        std::fs::write(&p, &data).map_err(|e| Error::io(&p, e))?;
        p
    };
    let mut res = rpm_reads(
        ArchfulResult::new(c),
        &spec_path,
        &text,
        top.path(),
        runs,
        parts,
    );
    if matches!(res.verdict, Verdict::GrepFallback { .. }) {
        // Where rpm could not read the spec, the record holds what the
        // evaluator's own fallback record holds (its BuildRequires per
        // arch, the arches it cannot be built on, dynamic BuildRequires),
        // so `archful.json` reads the same whichever way specs were read;
        // rpm's partial reads (the arches before the failing one) were
        // mixed in before. Where the evaluator cannot read it either, as
        // its own record then: no lists and no `not_buildable_on` (rpm's
        // word there covered only the arches it read before it failed, as
        // if the others were buildable), the grep's word on sections.
        let sources = spec::SrpmSources::new(&c.path, &spec_name);
        let ctxs: Vec<&spec::SpecContext> = runs.iter().map(|(t, _)| &t.ctx).collect();
        match spec::archful_targets(&text, &ctxs, &sources) {
            Ok(rep) => {
                res.build_requires = rep.build_requires;
                res.not_buildable_on = rep.not_buildable_on;
                res.dynamic_build_requires = rep.dynamic_build_requires;
            }
            Err(_) => {
                res.build_requires = Default::default();
                res.not_buildable_on = Vec::new();
            }
        }
    }
    Ok(res)
}

/// Whether rpm's reading of `text` may open one of the SRPM's other files
/// by a way other than the shell ([`may_read_sources`] adds that): its
/// text names one (`%include`, a macro file `%{load:}`ed, an
/// `%{exists:}` test, an `Icon:` tag, Lua's `io`, `dofile`, `loadfile`,
/// `rpm.open`/`rpm.load`, `posix.stat` and `posix.access`, a program Lua
/// runs (`io.popen`, `os.execute`, `rpm.execute`, `rpm.spawn`,
/// `posix.fork`), a listing of `%{_sourcedir}` (`posix.dir`,
/// `posix.files`, `rpm.glob`) or a `require` from it (`package.path`,
/// `package.cpath`), where the text runs Lua while it is read: rpmspec
/// 4.18 and 6.1 answer each from the sources). Only `%include` was looked
/// for once: a spec that `%{load:}`ed a source or read one with Lua failed
/// in rpm (no such file) and fell back to the grep, where the evaluator
/// read it.
///
/// rpm runs a spec's Lua while reading it only in `%{lua:}` (rpm's
/// `doLua`); a `-p <lua>` scriptlet's body is compiled, not run, until the
/// package is installed (rpmspec 4.18 reads a spec whose `%post -p <lua>`
/// asserts `io.open(%{SOURCE1})` with no source there, and fails the same
/// code in `%{lua:}`). So the Lua functions count only in a text that
/// may call the builtin: one naming `lua` as a word ([`names_lua`]) or
/// holding `lua:` or `%lua`: of the 24,377 Fedora specs of the
/// `fedora-rpm-specs` snapshot, 52 named them in none such (in scriptlets
/// and macros for them) and cost an unpack each (rpm read each the same
/// without its sources, rpm 4.18 and 6.1 checked). Not seen here: a name
/// put together from pieces (`l%{?nil}ua`, `%{lower:LUA}`), and what rpm
/// runs from the distribution's macro files (rpm's `%__apply_patch` asks
/// `posix.access` of each patch for `%autosetup`, forge's `%forgemeta`
/// `date -r` of its archive): those write only `%prep`'s script and a
/// snapshot's release, which the query does not ask.
fn names_an_opener(text: &str) -> bool {
    const OPENERS: [&str; 5] = ["%include", "%{load", "%load", "%{exists", "%exists"];
    const LUA_OPENERS: [&str; 19] = [
        "rpm.load",
        "io.open",
        "io.lines",
        "io.input",
        "dofile",
        "loadfile",
        "rpm.open",
        "posix.stat",
        "posix.access",
        // A program run, as `%(...)` runs one.
        "io.popen",
        "os.execute",
        "rpm.execute",
        "rpm.spawn",
        "posix.fork",
        // A listing of `%{_sourcedir}`.
        "posix.dir",
        "posix.files",
        "rpm.glob",
        // `require` of a module there.
        "package.path",
        "package.cpath",
    ];
    let runs_lua = text.contains("lua:") || text.contains("%lua") || names_lua(text);
    OPENERS.iter().any(|w| text.contains(w))
        || (runs_lua && LUA_OPENERS.iter().any(|w| text.contains(w)))
        || text.lines().any(|l| {
            let t = l.trim_start();
            t.get(..4).is_some_and(|h| h.eq_ignore_ascii_case("icon"))
                && t[4..].trim_start().starts_with(':')
        })
}

/// Whether rpm's reading of `text` may open one of the SRPM's other files,
/// so that rpm is given the SRPM unpacked: a way of its own to open one
/// ([`names_an_opener`]), or a `%(...)` that may read a source, named in
/// it or reached through macros, and not only printed
/// ([`shell_sources`]).
fn may_read_sources(text: &str) -> bool {
    names_an_opener(text) || shell_sources::shell_may_read_source(text)
}

/// Whether `text` names `lua` as a word (no letter, digit or `_` either
/// side) other than a scriptlet's `-p <lua>`: the builtin may run there.
/// rpm 4.18's `expandMacro` takes what follows a blank after a builtin's
/// name as its argument, as it takes what follows a colon, so `%{lua
/// code}` runs Lua (`%{?lua code}` is refused, "argument expected"); and
/// it runs the builtin under a name a macro makes, `%global l lua` then
/// `%{expand:%%{%{l}:code}}` (rpmspec 4.18 checked both).
/// `%{lua_version}`, `luac` or `evaluation` name other things.
fn names_lua(text: &str) -> bool {
    let b = text.as_bytes();
    let word = |c: Option<&u8>| c.is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_');
    text.match_indices("lua").any(|(at, _)| {
        let (before, after) = (at.checked_sub(1).and_then(|i| b.get(i)), b.get(at + 3));
        let scriptlet = before == Some(&b'<') && after == Some(&b'>');
        !word(before) && !word(after) && !scriptlet
    })
}

/// `res` decided by rpm's reading of the spec at `spec_path` (its text
/// `text`) for each run, or by the grep where rpm cannot read it; `parts`:
/// the rpm reads section parts ([`knows_parts`]).
fn rpm_reads(
    mut res: ArchfulResult,
    spec_path: &Path,
    text: &str,
    top: &Path,
    runs: &[(&ArchTarget, RpmMacros)],
    parts: bool,
) -> ArchfulResult {
    res.verdict = Verdict::Rpmspec;
    let mut probe = match std::fs::read(spec_path) {
        Ok(original) => Probe {
            spec_path,
            probed: section_probe::appended(&original),
            knows_parts: parts,
            parts: parts && section_probe::may_have_parts(&original),
            ends: section_probe::may_end_in_section(&original, &|name| {
                std::fs::read(top.join("SOURCES").join(name)).ok()
            }),
            original,
            holds: Variant::Original,
        },
        Err(e) => {
            let reason = format!("{}: {}", spec_path.display(), crate::error::io_message(&e));
            return grep_fallback(res, text, reason);
        }
    };
    for (t, macros) in runs {
        match probe.query(top, t, macros, res.dynamic_build_requires) {
            Ok(a) => {
                if excluded(&t.arch, &a.exclusive_arch, &a.exclude_arch) {
                    res.not_buildable_on.push(t.arch.clone());
                }
                res.dynamic_build_requires |= a.dynamic_build_requires;
                res.build_requires.insert(t.arch.clone(), a.build_requires);
            }
            Err(reason) => return grep_fallback(res, text, reason),
        }
    }
    res.decide();
    res
}

/// `res` decided by dep-tracker's grep of `text`, rpm having failed with
/// `reason`.
fn grep_fallback(mut res: ArchfulResult, text: &str, reason: String) -> ArchfulResult {
    res.verdict = Verdict::GrepFallback { reason };
    res.archful = spec::grep_archful(text);
    // As the grep reads the spec: any section line counts.
    res.dynamic_build_requires = text
        .lines()
        .any(|l| l.trim_start().starts_with("%generate_buildrequires"));
    res
}

/// Which text of the spec the file rpm reads holds.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Variant {
    Original,
    /// With our section ([`section_probe::appended`]).
    Probed,
    /// With our comment after its end ([`section_probe::marked`]).
    Marked,
    /// Without its last line, with our comment after it
    /// ([`section_probe::without_last`]).
    WithoutLast,
    /// With its last line written twice ([`section_probe::doubled`]).
    Doubled,
}

/// The spec file rpm reads, as it is or with lines of ours
/// ([`section_probe`]).
struct Probe<'a> {
    spec_path: &'a Path,
    original: Vec<u8>,
    /// The spec with our section ([`section_probe::appended`]).
    probed: Option<section_probe::Probed>,
    /// What the file on disk holds.
    holds: Variant,
    /// The rpm reads section parts (rpm 4.20 and later).
    knows_parts: bool,
    /// rpm reads section parts, and the spec may have some
    /// ([`section_probe::may_have_parts`]).
    parts: bool,
    /// The spec may end in the section line
    /// ([`section_probe::may_end_in_section`]).
    ends: bool,
}

impl Probe<'_> {
    fn write(&mut self, v: Variant) -> Result<(), String> {
        if self.holds != v {
            let made;
            let bytes = match (v, &self.probed) {
                (Variant::Probed, Some(probed)) => &probed.text,
                (Variant::Marked, _) => {
                    made = section_probe::marked(&self.original);
                    &made
                }
                (Variant::WithoutLast, _) => {
                    made = section_probe::without_last(&self.original);
                    &made
                }
                (Variant::Doubled, _) => {
                    made = section_probe::doubled(&self.original).map_or_else(Vec::new, |d| d.text);
                    &made
                }
                _ => &self.original,
            };
            std::fs::write(self.spec_path, bytes).map_err(|e| {
                format!(
                    "{}: {}",
                    self.spec_path.display(),
                    crate::error::io_message(&e)
                )
            })?;
            self.holds = v;
        }
        Ok(())
    }

    /// rpm's answer for one arch. Until a section is `found` (on any arch:
    /// the SRPM's answer is whether some arch has one), the spec is read
    /// with our section appended; when rpm refuses ours as a second one, it
    /// is read again as it is, for its BuildRequires. A spec our section
    /// cannot follow (rpm fails it at its end) is read as it is.
    fn query(
        &mut self,
        top: &Path,
        t: &ArchTarget,
        macros: &RpmMacros,
        found: bool,
    ) -> Result<RpmAnswer, String> {
        if found || self.probed.is_none() {
            self.write(Variant::Original)?;
            return run_query(self.spec_path, top, t, macros)
                .map(|(a, _)| a)
                .map_err(|(e, _)| e);
        }
        self.write(Variant::Probed)?;
        let line = self.probed.as_ref().map_or(0, |p| p.line);
        let (probed, stderr) = match run_query(self.spec_path, top, t, macros) {
            Ok((a, stderr)) => (Some(a), stderr),
            Err((_, stderr)) if section_probe::second_section(&stderr, line) => (None, stderr),
            Err((e, _)) => return Err(e),
        };
        let build_system = section_probe::build_system_section(&stderr);
        let Some(mut a) = probed else {
            // rpm read a section before ours, unless the spec's last line
            // is the section line: ours followed it and made that one.
            self.write(Variant::Original)?;
            let (mut a, _) = run_query(self.spec_path, top, t, macros).map_err(|(e, _)| e)?;
            a.dynamic_build_requires = true;
            if self.ends {
                self.write(Variant::Marked)?;
                let parsed = run_parse(self.spec_path, top, t, macros).unwrap_or_default();
                if self.last_is_section(&parsed, top, t, macros)? {
                    a.dynamic_build_requires =
                        build_system || (self.parts && section_probe::has_part(&parsed));
                }
            }
            return Ok(a);
        };
        a.dynamic_build_requires = build_system;
        if !build_system && self.parts {
            // Ours took the parts a spec without a section of its own has.
            self.write(Variant::Original)?;
            let parsed = run_parse(self.spec_path, top, t, macros)?;
            a.dynamic_build_requires = section_probe::has_part(&parsed);
        }
        Ok(a)
    }
}

impl Probe<'_> {
    /// Whether the last line rpm handed out of the spec is the section's
    /// own line (which then makes no section), `parsed` being what
    /// `rpmspec -P` printed of it [`Variant::Marked`]: that line shows last
    /// ([`section_probe::ends_in_section`]), or with rpm 4.18, which leaves
    /// the line that ends `%prep` out, the spec's last line shows nothing
    /// (`-P` prints the same without it); and rpm refuses the last line
    /// written again as a second section, which a conditional's line
    /// (emptied, never shown, but a line after the section) is not.
    fn last_is_section(
        &mut self,
        parsed: &str,
        top: &Path,
        t: &ArchTarget,
        macros: &RpmMacros,
    ) -> Result<bool, String> {
        let shows_last = if section_probe::ends_in_section(parsed, self.parts) {
            true
        } else if !self.knows_parts && section_probe::ends_in_prep(parsed) {
            self.write(Variant::WithoutLast)?;
            run_parse(self.spec_path, top, t, macros).is_ok_and(|p| p == parsed)
        } else {
            false
        };
        if !shows_last {
            return Ok(false);
        }
        // A last `%include` (rpm reads on into the file): `-P` decides.
        let Some(doubled) = section_probe::doubled(&self.original) else {
            return Ok(true);
        };
        self.write(Variant::Doubled)?;
        Ok(match run_query(self.spec_path, top, t, macros) {
            Ok(_) => false,
            Err((_, stderr)) => section_probe::second_section_in(&stderr, doubled.lines),
        })
    }
}

/// `rpmspec -P` for one arch: the lines rpm handed to its parser, or rpm's
/// last message.
fn run_parse(
    spec_path: &Path,
    top: &Path,
    t: &ArchTarget,
    macros: &RpmMacros,
) -> Result<String, String> {
    run_rpmspec(&["-P"], spec_path, top, t, macros)
        .map(|(out, _)| out)
        .map_err(|(e, _)| e)
}

/// Runs `rpmspec` for one arch: the answer and rpm's standard error, or
/// rpm's last message and its standard error.
fn run_query(
    spec_path: &Path,
    top: &Path,
    t: &ArchTarget,
    macros: &RpmMacros,
) -> Result<(RpmAnswer, String), (String, String)> {
    run_rpmspec(&["-q", "--srpm", "--qf", QUERY], spec_path, top, t, macros)
        .map(|(out, err)| (parse_answer(&out), err))
}

/// Runs `rpmspec MODE --target ARCH` on `spec_path`: its standard output
/// and standard error, or rpm's last message and its standard error.
fn run_rpmspec(
    mode: &[&str],
    spec_path: &Path,
    top: &Path,
    t: &ArchTarget,
    macros: &RpmMacros,
) -> Result<(String, String), (String, String)> {
    let mut cmd = macros.command("rpmspec");
    cmd.args(mode).args(["--target", &t.arch]);
    cmd.arg("--define")
        .arg(format!("_topdir {}", top.display()));
    macros.finish(&mut cmd);
    cmd.arg(spec_path);
    let what = format!("rpmspec --target {}", t.arch);
    let (ok, stdout, stderr) =
        run_limited(&mut cmd, TIME_LIMIT).map_err(|e| (format!("{what}: {e}"), String::new()))?;
    if !ok {
        // rpm's own reason (`error: s390x is not supported`, `error: line
        // 8: ...`) comes first; its last line only says the query failed,
        // naming the spec's temp copy, gone by the time it is read.
        let said: Vec<&str> = stderr
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !section_probe::is_probe(l))
            .collect();
        let why = said
            .iter()
            .find(|l| l.starts_with("error: ") && !l.starts_with("error: query of specfile "))
            .or(said.last())
            .copied()
            .unwrap_or("failed");
        return Err((format!("{what}: {why}"), stderr));
    }
    Ok((stdout, stderr))
}

/// Reads the `R dep` / `A arch` / `X arch` lines of the query.
fn parse_answer(out: &str) -> RpmAnswer {
    let mut a = RpmAnswer::default();
    for line in out.lines() {
        let Some((kind, value)) = line.split_once(' ') else {
            continue;
        };
        let value = value.trim().to_string();
        match kind {
            "R" if !value.starts_with("rpmlib(") => {
                // The evaluator's spelling of the same dependency.
                let dep = Dep::parse(&value).map(|d| d.to_string()).unwrap_or(value);
                a.build_requires.push(dep);
            }
            "A" => a.exclusive_arch.push(value),
            "X" => a.exclude_arch.push(value),
            _ => {}
        }
    }
    a.build_requires.sort();
    a.build_requires.dedup();
    a
}

/// Runs `cmd`, killing it after `limit`: (success, stdout, stderr).
fn run_limited(
    cmd: &mut std::process::Command,
    limit: Duration,
) -> std::result::Result<(bool, String, String), String> {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run it: {e}"))?;
    let readers = [
        child.stdout.take().map(reader),
        child.stderr.take().map(reader),
    ];
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break s,
            Ok(None) if start.elapsed() > limit => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("killed after {} s", limit.as_secs()));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(e.to_string()),
        }
    };
    let [out, err] = readers.map(|r| r.and_then(|h| h.join().ok()).unwrap_or_default());
    Ok((status.success(), out, err))
}

/// Reads a pipe to its end on its own thread (so neither pipe fills up).
fn reader(mut r: impl Read + Send + 'static) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = r.read_to_end(&mut v);
        String::from_utf8_lossy(&v).into_owned()
    })
}

#[cfg(test)]
#[path = "rpmspec_tests.rs"]
mod tests;
