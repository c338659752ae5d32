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
//! when rpm refuses it, the spec is read again as it is.

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
    let mut out: Vec<ArchfulResult> = cached
        .par_iter()
        .map(|c| one_srpm(c, &runs))
        .collect::<Result<_>>()?;
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

fn one_srpm(c: &CachedSrpm, runs: &[(&ArchTarget, RpmMacros)]) -> Result<ArchfulResult> {
    let top = tempfile::tempdir().map_err(|e| Error::io(std::env::temp_dir(), e))?;
    let srpm::SpecFile {
        name: spec_name,
        text,
        data,
    } = srpm::extract_spec(&c.path)?;
    // %include needs the SRPM's other files; most specs need only themselves.
    let spec_path = if text.contains("%include") {
        unpack(&c.path, top.path())?
    } else {
        let p = top.path().join("SPECS").join(&spec_name);
        std::fs::create_dir_all(top.path().join("SPECS")).map_err(|e| Error::io(top.path(), e))?;
        std::fs::write(&p, &data).map_err(|e| Error::io(&p, e))?;
        p
    };
    Ok(rpm_reads(
        ArchfulResult::new(c),
        &spec_path,
        &text,
        top.path(),
        runs,
    ))
}

/// `res` decided by rpm's reading of the spec at `spec_path` (its text
/// `text`) for each run, or by the grep where rpm cannot read it.
fn rpm_reads(
    mut res: ArchfulResult,
    spec_path: &Path,
    text: &str,
    top: &Path,
    runs: &[(&ArchTarget, RpmMacros)],
) -> ArchfulResult {
    res.verdict = Verdict::Rpmspec;
    let mut probe = match std::fs::read(spec_path) {
        Ok(original) => Probe {
            spec_path,
            probed: section_probe::appended(&original),
            original,
            probing: false,
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

/// The spec file rpm reads, with or without our section appended
/// ([`section_probe`]).
struct Probe<'a> {
    spec_path: &'a Path,
    original: Vec<u8>,
    /// The spec with our section ([`section_probe::appended`]).
    probed: Option<section_probe::Probed>,
    /// Whether the file on disk has our section.
    probing: bool,
}

impl Probe<'_> {
    fn write(&mut self, probing: bool) -> Result<(), String> {
        if self.probing != probing {
            let bytes = match (&self.probed, probing) {
                (Some(probed), true) => &probed.text,
                _ => &self.original,
            };
            std::fs::write(self.spec_path, bytes).map_err(|e| {
                format!(
                    "{}: {}",
                    self.spec_path.display(),
                    crate::error::io_message(&e)
                )
            })?;
            self.probing = probing;
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
            self.write(false)?;
            return run_query(self.spec_path, top, t, macros)
                .map(|(a, _)| a)
                .map_err(|(e, _)| e);
        }
        self.write(true)?;
        let line = self.probed.as_ref().map_or(0, |p| p.line);
        match run_query(self.spec_path, top, t, macros) {
            Ok((mut a, stderr)) => {
                a.dynamic_build_requires = section_probe::build_system_section(&stderr);
                Ok(a)
            }
            Err((_, stderr)) if section_probe::second_section(&stderr, line) => {
                self.write(false)?;
                let (mut a, _) = run_query(self.spec_path, top, t, macros).map_err(|(e, _)| e)?;
                a.dynamic_build_requires = true;
                Ok(a)
            }
            Err((e, _)) => Err(e),
        }
    }
}

/// Runs `rpmspec` for one arch: the answer and rpm's standard error, or
/// rpm's last message and its standard error.
fn run_query(
    spec_path: &Path,
    top: &Path,
    t: &ArchTarget,
    macros: &RpmMacros,
) -> Result<(RpmAnswer, String), (String, String)> {
    let mut cmd = macros.command("rpmspec");
    cmd.args(["-q", "--srpm", "--target", &t.arch, "--qf", QUERY]);
    cmd.arg("--define")
        .arg(format!("_topdir {}", top.display()));
    macros.finish(&mut cmd);
    cmd.arg(spec_path);
    let what = format!("rpmspec --target {}", t.arch);
    let (ok, stdout, stderr) =
        run_limited(&mut cmd, TIME_LIMIT).map_err(|e| (format!("{what}: {e}"), String::new()))?;
    if !ok {
        let last = stderr
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty() && !section_probe::is_probe(l))
            .unwrap_or("failed")
            .trim()
            .to_string();
        return Err((format!("{what}: {last}"), stderr));
    }
    Ok((parse_answer(&stdout), stderr))
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
mod tests {
    use super::*;

    #[test]
    fn answers_are_parsed_like_the_evaluator_spells_them() {
        let a = parse_answer(
            "R zlib-devel\nR rpmlib(CompressedFileNames) <= 3.0.4-1\nR gcc >= 12\nA x86_64\nX s390x\nR gcc >= 12\n",
        );
        assert_eq!(a.build_requires, ["gcc >= 12", "zlib-devel"]);
        assert_eq!(a.exclusive_arch, ["x86_64"]);
        assert_eq!(a.exclude_arch, ["s390x"]);
    }

    /// `rpm_reads` of `text` (with `files` beside it in `_sourcedir`) for
    /// `arches`, with the real rpmspec; `None` when rpmspec is not
    /// installed.
    fn read_by_rpm(text: &str, files: &[(&str, &str)], arches: &[&str]) -> Option<ArchfulResult> {
        if check_rpmspec().is_err() {
            eprintln!("skipped: rpmspec is not installed");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let spec_path = dir.path().join("dyn.spec");
        std::fs::write(&spec_path, text).unwrap();
        std::fs::create_dir_all(dir.path().join("SOURCES")).unwrap();
        for (name, body) in files {
            std::fs::write(dir.path().join("SOURCES").join(name), body).unwrap();
        }
        let targets: Vec<ArchTarget> = arches
            .iter()
            .map(|arch| ArchTarget {
                arch: arch.to_string(),
                ctx: crate::spec::SpecContext::for_arch(arch),
                repo: None,
                user_files: Vec::new(),
                defines: Vec::new(),
            })
            .collect();
        let cached = CachedSrpm {
            name: "dyn".into(),
            file: "dyn-1-1.src.rpm".into(),
            path: dir.path().join("dyn-1-1.src.rpm"),
        };
        let runs: Vec<(&ArchTarget, RpmMacros)> = targets
            .iter()
            .map(|t| (t, RpmMacros::of(t).unwrap()))
            .collect();
        Some(rpm_reads(
            ArchfulResult::new(&cached),
            &spec_path,
            text,
            dir.path(),
            &runs,
        ))
    }

    /// Whether `rpm_reads` finds dynamic BuildRequires in `text` ([`read_by_rpm`]).
    fn dynamic_for(text: &str, files: &[(&str, &str)], arches: &[&str]) -> Option<bool> {
        let res = read_by_rpm(text, files, arches)?;
        assert_eq!(res.verdict, Verdict::Rpmspec, "{res:?}");
        assert_eq!(res.build_requires[arches[0]], ["gcc"]);
        Some(res.dynamic_build_requires)
    }

    /// rpm decides dynamic BuildRequires from the sections it read: one in
    /// a false `%if` or `%ifarch` does not count, nor does a `%changelog`
    /// line that names the section.
    #[test]
    fn dynamic_build_requires_are_the_sections_rpm_read() {
        let text = "Name: dyn\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\n\
            BuildRequires: gcc\n%description\nd\n\
            %if 0\n%generate_buildrequires\necho never\n%endif\n\
            %prep\necho prep\n\
            %ifarch aarch64\n%generate_buildrequires\necho foo\n%endif\n\
            %build\n%files\n\
            %changelog\n* Mon Jan 01 2024 A <a@b.c> - 1-1\n- Use %generate_buildrequires\n";
        let Some(on_x86_s390) = dynamic_for(text, &[], &["x86_64", "s390x"]) else {
            return;
        };
        assert!(!on_x86_s390);
        assert_eq!(dynamic_for(text, &[], &["x86_64", "aarch64"]), Some(true));
    }

    /// A section line counts however rpm came to read it: `%%` written,
    /// printed by Lua, a macro's body; a line that only looks like one
    /// (Lua printing `%%`, a `%global` whose body is the name, never used)
    /// does not. rpm 4.18 and 6.1 (rpmbuild -bs) give these answers.
    #[test]
    fn dynamic_build_requires_however_the_section_line_is_made() {
        let spec = |global: &str, line: &str| {
            format!(
                "Name: dyn\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\n\
                 BuildRequires: gcc\n{global}\n%description\nd\n%prep\necho prep\n\
                 {line}\necho foo\n%build\necho build\n%files\n"
            )
        };
        let cases = [
            ("", "%%generate_buildrequires", true),
            ("", "%{lua: print(\"%generate_buildrequires\")}", true),
            ("", "%{lua: print(\"x\\n%generate_buildrequires\")}", true),
            ("", "%{expand:%%generate_buildrequires}", true),
            ("%global gbr %%generate_buildrequires", "%gbr", true),
            ("%define gbr %%generate_buildrequires", "%{?gbr}", true),
            ("", "%{lua: print(\"%%generate_buildrequires\")}", false),
            ("%global gbr %generate_buildrequires", "", false),
        ];
        for (global, line, dynamic) in cases {
            let Some(got) = dynamic_for(&spec(global, line), &[], &["x86_64"]) else {
                return;
            };
            assert_eq!(got, dynamic, "{global:?} {line:?}");
        }
    }

    /// What rpm reads is the spec as it is: a spec asking whether
    /// `%generate_buildrequires` is a macro gets rpm's answer (it is not).
    #[test]
    fn the_probe_cannot_be_seen_by_the_spec() {
        let text = "Name: dyn\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\n\
            BuildRequires: gcc%{?generate_buildrequires:-seen}\
            %{lua: if rpm.isdefined('generate_buildrequires') then print('-lua') end}\n\
            %description\nd\n%prep\n%generate_buildrequires\necho foo\n%build\n%files";
        // dynamic_for checks the BuildRequires are `gcc` alone.
        assert_ne!(dynamic_for(text, &[], &["x86_64", "s390x"]), Some(false));
    }

    /// rpm fails a spec whose last line asks for another (a `\` before its
    /// newline): our section line must not let it pass, so it falls back
    /// to the grep, as before.
    #[test]
    fn a_spec_rpm_fails_at_its_end_is_not_probed() {
        let text = "Name: dyn\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\n\
            BuildRequires: gcc\n%description\nd\n%build\necho a \\\n";
        let Some(res) = read_by_rpm(text, &[], &["x86_64"]) else {
            return;
        };
        let Verdict::GrepFallback { reason } = &res.verdict else {
            panic!("{res:?}");
        };
        assert!(reason.contains("can't parse"), "{reason}");
        // Without the `\` rpm reads it.
        let read = read_by_rpm(&text.replace(" \\\n", "\n"), &[], &["x86_64"]).unwrap();
        assert_eq!(read.verdict, Verdict::Rpmspec);
    }

    /// A section in an `%include`d file counts where rpm reads it; a noarch spec
    /// is read for noarch, so a section under `%ifarch x86_64` is not one
    /// rpmbuild records, whatever the target.
    #[test]
    fn dynamic_build_requires_of_included_files_and_noarch_specs() {
        let head = "Name: dyn\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\n\
            BuildRequires: gcc\n";
        let include = format!(
            "{head}%description\nd\n%prep\n%include %{{_sourcedir}}/gen.inc\n%build\n%files\n"
        );
        let gen = [(
            "gen.inc",
            "%ifarch aarch64\n%generate_buildrequires\necho foo\n%endif\n",
        )];
        let Some(on_x86) = dynamic_for(&include, &gen, &["x86_64"]) else {
            return;
        };
        assert!(!on_x86);
        assert_eq!(dynamic_for(&include, &gen, &["aarch64"]), Some(true));
        let noarch = format!(
            "{head}BuildArch: noarch\n%description\nd\n%prep\n\
             %ifarch x86_64\n%generate_buildrequires\necho foo\n%endif\n%build\n%files\n"
        );
        assert_eq!(dynamic_for(&noarch, &[], &["x86_64"]), Some(false));
    }
}
