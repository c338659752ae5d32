//! A `dnf.conf`'s `[main]` as it reaches dnf's repos: the options libdnf's
//! `ConfigRepo` takes from `ConfigMain` (libdnf/conf/ConfigRepo.cpp's
//! `OptionChild`ren) and the main excludes and includes that dnf's
//! `Base._setup_excludes_includes` lays over every repo. Separate from the
//! `.repo` reader in [`super`]: it is read once per run (`--dnf-conf`) and
//! applied to every repo, whether from a file or `--repo ID=URL`.

use std::path::Path;

use super::ini::sections;
use super::{append_list, dnf_passes_over, passed_over, set_option, split_list};
use crate::error::{Error, Result};
use crate::rpmmd::http_settings::{Parallel, ParallelLine};
use crate::rpmmd::RepoSpec;

/// The `[main]` section of a `dnf.conf` (`--dnf-conf`), as dnf applies it
/// to the repos:
/// - the options libdnf's repos inherit from the main configuration
///   (`ConfigRepo`'s `OptionChild`ren: the network options the tools use,
///   `skip_if_unavailable`, `enabled`), unless a repo sets its own;
/// - `excludepkgs` and `includepkgs`, added to each repo's own lists (dnf
///   filters the whole sack with them: a repo keeps what matches main's
///   includes or its own), unless `disable_excludes` turns them off;
/// - `disable_excludes`: `all`, `main`, or repo ids whose own lists are off;
/// - `max_parallel_downloads` and `max_downloads_per_mirror`: how many
///   files are downloaded at once (`rpmmd::DownloadSlots`), given to
///   every repo that does not set its own; they win over the
///   `RPM_BUILDROOT_HTTP_PARALLEL` and `RPM_BUILDROOT_HTTP_PER_MIRROR`
///   variables, as `[main]`'s `timeout` wins over
///   `RPM_BUILDROOT_HTTP_TIMEOUT`.
///
/// Values are taken as written: dnf 4 substitutes no `$basearch` in its main
/// configuration. Other main options are ignored: dnf's own
/// (`install_weak_deps`, `best`, `reposdir`, ...: the tools model mock's
/// buildroot, not the host's dnf), and the repo options the tools ignore in
/// `.repo` files too (`ip_resolve`, `throttle`, `sslverifystatus`, ...).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MainDefaults {
    pub(super) origin: String,
    /// Inherited options, with their lines.
    pub(super) keys: Vec<(String, String, usize)>,
    pub(super) excludes: Vec<String>,
    pub(super) includes: Vec<String>,
    pub(super) disable_excludes: Vec<String>,
    /// The values passed over, as dnf does (one message each).
    pub(super) ignored: Vec<String>,
    /// A `proxy=` that is not a proxy URL, with its line: an error for the
    /// enabled repos that inherit it.
    pub(super) bad_proxy: Option<(usize, String)>,
    /// `max_parallel_downloads`, `max_downloads_per_mirror`.
    pub(super) parallel: Parallel,
    /// `varsdir=`: the directories of dnf's vars files (`varsdir.rs`),
    /// as written (dnf substitutes nothing in `[main]`); None when not set.
    pub(super) varsdir: Option<Vec<String>>,
}

/// The `[main]` options a repo inherits (libdnf's `OptionChild` options of
/// `ConfigRepo` that the tools use).
fn is_inherited(key: &str) -> bool {
    matches!(
        key,
        "enabled"
            | "skip_if_unavailable"
            | "username"
            | "password"
            | "proxy"
            | "proxy_username"
            | "proxy_password"
            | "sslverify"
            | "sslcacert"
            | "sslclientcert"
            | "sslclientkey"
            | "proxy_sslverify"
            | "proxy_sslcacert"
            | "proxy_sslclientcert"
            | "proxy_sslclientkey"
            | "timeout"
            | "minrate"
            | "retries"
            | "repo_gpgcheck"
    )
}

impl MainDefaults {
    /// Reads a `dnf.conf` file's `[main]` (its repo sections are read as a
    /// `.repo` file's, [`super::parse_repofile`]).
    /// Values an option cannot take are warned about and passed over.
    pub fn read(path: &Path) -> Result<MainDefaults> {
        let text = super::ini::read_file(path)?;
        let main = MainDefaults::parse(&text, &path.display().to_string())?;
        for msg in &main.ignored {
            crate::rpmmd::skip::warn_once(msg.clone());
        }
        Ok(main)
    }

    /// [`MainDefaults::read`] of text; `origin` names it in errors. Every
    /// value is checked here, once: one an option cannot take is left out
    /// (and kept in `ignored`), as dnf passes it over.
    pub fn parse(text: &str, origin: &str) -> Result<MainDefaults> {
        let mut main = MainDefaults {
            origin: origin.to_string(),
            ..MainDefaults::default()
        };
        for (id, _, kv) in sections(text, origin)? {
            if id != "main" {
                continue;
            }
            for (k, v, line) in kv {
                // dnf's config reader takes `None` for an empty value.
                let list = if v == "None" { "" } else { v.as_str() };
                match k.as_str() {
                    "exclude" | "excludepkgs" => append_list(&mut main.excludes, list),
                    "includepkgs" => append_list(&mut main.includes, list),
                    // A plain list (the last line counts); `disableexcludes`
                    // is only the command line's spelling: libdnf's main
                    // configuration knows no such key and dnf 4.14 ignores it.
                    "disable_excludes" => main.disable_excludes = split_list(list).collect(),
                    // The tools took it as `disable_excludes` before: a file
                    // written for them then reads otherwise now, so say so.
                    "disableexcludes" | "disableexcludepkgs" => main.ignored.push(passed_over(
                        origin,
                        line,
                        "main",
                        &format!(
                            "{k} is no dnf.conf option (the command line's --{k} is \
                             disable_excludes= here), so main's and the repos' excludes stay on"
                        ),
                    )),
                    "max_parallel_downloads" | "max_downloads_per_mirror" => {
                        main.set_parallel(&k, &v, line)?
                    }
                    // A list, as libdnf's OptionStringList; the last line counts.
                    "varsdir" => main.varsdir = Some(split_list(&v).collect()),
                    k if is_inherited(k) => {
                        let mut probe = RepoSpec::new("main", "");
                        match set_option(&mut probe, k, &v) {
                            Some(Err(m)) if dnf_passes_over(k) => {
                                main.ignored.push(passed_over(origin, line, "main", &m))
                            }
                            // Only an error for the enabled repos that take it.
                            Some(Err(m)) => main.bad_proxy = Some((line, m)),
                            _ => main.keys.push((k.to_string(), v, line)),
                        }
                    }
                    _ => {}
                }
            }
        }
        Ok(main)
    }

    /// Takes `max_parallel_downloads=` or `max_downloads_per_mirror=` as
    /// libdnf reads them ([`Parallel::read`]): a value dnf passes over is
    /// passed over with a warning; a `max_parallel_downloads` above
    /// librepo's 20 is an error on its line, as dnf fails every repo then
    /// ("Bad value of LRO_MAXPARALLELDOWNLOADS").
    fn set_parallel(&mut self, key: &str, value: &str, line: usize) -> Result<()> {
        match self.parallel.read(key, value) {
            ParallelLine::Set => Ok(()),
            ParallelLine::PassedOver(msg) => {
                self.ignored
                    .push(passed_over(&self.origin, line, "main", &msg));
                Ok(())
            }
            ParallelLine::TooMany(msg) => {
                Err(Error::at_line(&self.origin, line, format!("[main]: {msg}")))
            }
        }
    }

    /// Gives `spec` the inherited options (before its own; `enabled` only
    /// to a repo of a section: a `--repo ID=URL` is always enabled). A
    /// section's own `max_parallel_downloads`/`max_downloads_per_mirror`
    /// then win over main's, one by one.
    pub(super) fn inherit(&self, spec: &mut RepoSpec, section: bool) -> Result<()> {
        spec.access.parallel = self.parallel;
        for (k, v, line) in &self.keys {
            if k == "enabled" && !section {
                continue;
            }
            if let Some(Err(m)) = set_option(spec, k, v) {
                return Err(Error::at_line(&self.origin, *line, format!("[main]: {m}")));
            }
        }
        Ok(())
    }

    /// Adds main's excludes and includes to `spec`'s own (after its own
    /// options), as `disable_excludes` allows.
    pub(super) fn filter(&self, spec: &mut RepoSpec) {
        let off = |what: &str| self.disable_excludes.iter().any(|d| d == what);
        if off("all") || off(&spec.id) {
            spec.exclude.clear();
            spec.includepkgs.clear();
        }
        if !off("all") && !off("main") {
            spec.exclude.extend(self.excludes.iter().cloned());
            spec.includepkgs.extend(self.includes.iter().cloned());
        }
    }

    /// The error of a bad `proxy=` of main, for an enabled repo that
    /// inherits it.
    pub(super) fn check_proxy(&self) -> Result<()> {
        match &self.bad_proxy {
            Some((line, m)) => Err(Error::at_line(&self.origin, *line, format!("[main]: {m}"))),
            None => Ok(()),
        }
    }

    /// What main gives a `--repo ID=URL` (no section of its own): the
    /// inherited options, checked as a section's are, and the filters.
    pub(in crate::rpmmd) fn apply_to_cli_repo(&self, spec: &mut RepoSpec) -> Result<()> {
        self.check_proxy()?;
        self.inherit(spec, false)?;
        if let Err(m) = spec.access.check() {
            return Err(self.error("proxy_username", m));
        }
        if let Err(e) = spec.access.check_tls_files() {
            return Err(self.error(e.key, format!("{}={}", e.key, e.msg)));
        }
        self.filter(spec);
        Ok(())
    }

    /// The directories of `varsdir=`, when it is set (none: dnf's default,
    /// `/etc/dnf/vars`, is not read here).
    pub fn varsdir(&self) -> &[String] {
        self.varsdir.as_deref().unwrap_or_default()
    }

    /// The line of `[main]` that sets `key`, if it does.
    pub(super) fn line_of(&self, key: &str) -> Option<usize> {
        self.keys.iter().rev().find(|(k, ..)| k == key).map(|x| x.2)
    }

    /// An error about `key`, on the line that sets it.
    pub(super) fn error(&self, key: &str, msg: String) -> Error {
        Error::at_line(
            &self.origin,
            self.line_of(key).unwrap_or(1),
            format!("[main]: {msg}"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse_repofile_str;
    use super::*;
    use crate::rpmmd::Vars;

    /// A mock-style dnf.conf: `[main]` and a repo of its own.
    const DNF_CONF: &str = "[main]\nkeepcache=1\nretries=20\ninstall_weak_deps=0\nbest=1\n\
        reposdir=/dev/null\nproxy=http://proxy.example:3128\nskip_if_unavailable=True\n\
        excludepkgs=*-debuginfo\n\n[local]\nbaseurl=https://kojipkgs.example/repos/$basearch/\n\
        retries=3\nexclude=foo\n";

    #[test]
    fn a_dnf_conf_main_gives_every_repo_its_defaults() {
        let main = MainDefaults::parse(DNF_CONF, "dnf.conf").unwrap();
        let vars = Vars::new("aarch64", "eln").with_main(main);
        // Its own section: main's defaults, then its own options.
        let r = parse_repofile_str(DNF_CONF, "dnf.conf", &vars).unwrap();
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].baseurl, "https://kojipkgs.example/repos/aarch64/");
        assert_eq!(r[0].access.pace.retries, Some(3));
        assert_eq!(
            r[0].access.proxy.as_deref(),
            Some("http://proxy.example:3128")
        );
        assert!(r[0].skip_if_unavailable);
        assert_eq!(r[0].exclude, ["foo", "*-debuginfo"]);
        // Another file's repo, and a --repo: the same defaults.
        let r = parse_repofile_str("[b]\nbaseurl=/b\nproxy=\n", "b.repo", &vars).unwrap();
        assert_eq!(r[0].access.pace.retries, Some(20));
        assert_eq!(r[0].access.proxy, None, "a repo's empty proxy= wins");
        let cli = RepoSpec::parse_cli("c=/c", &vars).unwrap();
        assert_eq!(cli.access.pace.retries, Some(20));
        assert_eq!(cli.exclude, ["*-debuginfo"]);
        // Without --dnf-conf, [main] sets nothing.
        let r = parse_repofile_str(DNF_CONF, "dnf.conf", &Vars::new("aarch64", "")).unwrap();
        assert_eq!(r[0].access.pace.retries, Some(3));
        assert_eq!(r[0].access.proxy, None);
        assert_eq!(r[0].exclude, ["foo"]);
    }

    /// Main's lists as dnf 4.14's `conf.read` leaves them (probed): the
    /// excludes' two spellings fill one list, a line that is empty, `None`
    /// or starts with an empty item empties it first; `disable_excludes`
    /// is a plain list and `disableexcludes` no key of dnf.conf's.
    #[test]
    fn a_dnf_conf_main_lists_append_and_empty_as_libdnf() {
        let main = |lines: &str| MainDefaults::parse(&format!("[main]\n{lines}\n"), "d").unwrap();
        let cases: &[(&str, &[&str])] = &[
            ("exclude=b\nexcludepkgs=a", &["b", "a"]),
            ("exclude=b\nexcludepkgs=", &[]),
            ("exclude=b\nexcludepkgs=None", &[]),
            ("exclude=b\nexcludepkgs=,a", &["a"]),
            ("exclude=b\nexcludepkgs= ,a", &["a"]),
            ("exclude=b\nexcludepkgs=a,,c", &["b", "a", "c"]),
            ("exclude=b c\nexcludepkgs=\n  a", &["a"]),
            // Leading spaces are skipped before the first item is cut.
            ("exclude=b\nexcludepkgs=\" a\"", &["b", "a"]),
            ("exclude=b\nexcludepkgs=\"  \"", &["b"]),
        ];
        for (lines, want) in cases {
            assert_eq!(main(lines).excludes, *want, "{lines}");
        }
        assert_eq!(main("includepkgs=None").includes, [""; 0]);
        let off = |lines: &str| main(lines).disable_excludes;
        assert_eq!(off("disable_excludes=main\ndisableexcludes=,a"), ["main"]);
        assert_eq!(off("disableexcludes=main\ndisable_excludes=a"), ["a"]);
        assert_eq!(off("disableexcludes=main"), [""; 0]);
        // Ignored, but not in silence: the tools read it once.
        assert_eq!(
            main("disableexcludes=main\ndisableexcludepkgs=all").ignored,
            [
                "d:2: [main]: disableexcludes is no dnf.conf option (the command line's \
                 --disableexcludes is disable_excludes= here), so main's and the repos' excludes \
                 stay on; ignored, as dnf ignores it",
                "d:3: [main]: disableexcludepkgs is no dnf.conf option (the command line's \
                 --disableexcludepkgs is disable_excludes= here), so main's and the repos' \
                 excludes stay on; ignored, as dnf ignores it"
            ]
        );
        assert_eq!(off("disable_excludes=None"), [""; 0]);
        assert_eq!(off("disable_excludes=main a"), ["main", "a"]);
    }

    #[test]
    fn a_dnf_conf_main_filters_and_enables_as_dnf() {
        let parse = |main: &str, repos: &str| {
            let main = MainDefaults::parse(main, "dnf.conf").unwrap();
            let vars = Vars::new("x86_64", "eln").with_main(main);
            parse_repofile_str(repos, "t.repo", &vars).unwrap()
        };
        let repos = "[a]\nbaseurl=/a\nincludepkgs=zlib*\nexclude=zlib-devel\n\
                     [b]\nbaseurl=/b\n[c]\nbaseurl=/c\nenabled=1\n";
        // A repo keeps what matches main's includes or its own.
        let r = parse(
            "[main]\nincludepkgs=bash\nexcludepkgs=foo\nenabled=0\n",
            repos,
        );
        assert_eq!(r[0].includepkgs, ["zlib*", "bash"]);
        assert_eq!(r[0].exclude, ["zlib-devel", "foo"]);
        assert_eq!(r[1].includepkgs, ["bash"]);
        // [main]'s enabled=0 disables the repos that do not enable themselves.
        assert_eq!(
            r.iter().map(|r| r.enabled).collect::<Vec<_>>(),
            [false, false, true]
        );
        // disable_excludes: main's lists, a repo's own, or all.
        let r = parse("[main]\nexcludepkgs=foo\ndisable_excludes=main\n", repos);
        assert_eq!(
            (r[0].exclude.as_slice(), r[1].exclude.len()),
            (&["zlib-devel".to_string()][..], 0)
        );
        let r = parse("[main]\nexcludepkgs=foo\ndisable_excludes=a\n", repos);
        assert_eq!(
            (r[0].exclude.as_slice(), r[0].includepkgs.len()),
            (&["foo".to_string()][..], 0)
        );
        let r = parse("[main]\nexcludepkgs=foo\ndisable_excludes=all\n", repos);
        assert!(r
            .iter()
            .all(|r| r.exclude.is_empty() && r.includepkgs.is_empty()));
        // Values are taken as written (dnf 4 substitutes no variables in [main]);
        // `None` is empty, as dnf reads it.
        let r = parse(
            "[main]\nproxy=http://proxy-$basearch.example:3128\nexcludepkgs=foo-$basearch\n",
            "[a]\nbaseurl=/$basearch\n[b]\nbaseurl=/b\nproxy=None\n",
        );
        assert_eq!(
            r[0].access.proxy.as_deref(),
            Some("http://proxy-$basearch.example:3128")
        );
        assert_eq!(r[0].exclude, ["foo-$basearch"]);
        assert_eq!(r[0].baseurl, "/x86_64");
        assert_eq!(r[1].access.proxy, None);
    }

    /// dnf 4.14's reading of `max_parallel_downloads` (and alike of
    /// `max_downloads_per_mirror`): `3.5` is 3, `5k` 5; 0, `abc` and an
    /// empty value are passed over with an error message (the default 3
    /// stays); 25 and -1 (4294967295) pass libdnf but fail every repo in
    /// librepo ("Bad value of LRO_MAXPARALLELDOWNLOADS").
    #[test]
    fn a_dnf_conf_main_sets_the_parallel_downloads_as_dnf_reads_them() {
        let read = |v: &str| {
            let text =
                format!("[main]\nmax_parallel_downloads={v}\nmax_downloads_per_mirror={v}\n");
            MainDefaults::parse(&text, "dnf.conf").map_err(|e| e.to_string())
        };
        let set = |v: &str| {
            let main = read(v).unwrap();
            let mut spec = RepoSpec::new("r", "http://mirror.example/");
            main.apply_to_cli_repo(&mut spec).unwrap();
            let p = spec.access.parallel;
            (p.downloads, p.per_mirror, main.ignored.len())
        };
        assert_eq!(set("1"), (Some(1), Some(1), 0));
        assert_eq!(set(" 5 "), (Some(5), Some(5), 0));
        assert_eq!(set("3.5"), (Some(3), Some(3), 0));
        assert_eq!(set("5k"), (Some(5), Some(5), 0));
        assert_eq!(set("20"), (Some(20), Some(20), 0));
        for passed_over in ["0", "abc", "", "None", "99999999999"] {
            assert_eq!(set(passed_over), (None, None, 2), "{passed_over}");
        }
        let main = read("0").unwrap();
        assert_eq!(
            main.ignored[0],
            "dnf.conf:2: [main]: max_parallel_downloads=0 is not a whole number above 0; \
             ignored, as dnf ignores it"
        );
        for bad in ["21", "-1"] {
            assert_eq!(
                read(bad).unwrap_err(),
                format!(
                    "dnf.conf:2: [main]: max_parallel_downloads={bad}: librepo downloads 1 to 20 \
                     packages at once (dnf stops with \"Bad value of LRO_MAXPARALLELDOWNLOADS\")"
                )
            );
        }
        // librepo sets no upper bound per mirror; more than 20 is 20.
        let main = MainDefaults::parse("[main]\nmax_downloads_per_mirror=-1\n", "c").unwrap();
        assert_eq!(main.parallel.per_mirror, Some(20));
    }

    #[test]
    fn a_dnf_conf_main_that_cannot_be_read_is_one_line() {
        // proxy_username without proxy_password is checked per repo: a
        // repo may give the password (libdnf checks the inherited values).
        let main = MainDefaults::parse("[main]\n\nproxy_username=u\n", "dnf.conf").unwrap();
        let vars = Vars::new("x86_64", "").with_main(main);
        let r = parse_repofile_str("[b]\nbaseurl=/b\nproxy_password=p\n", "b.repo", &vars);
        assert_eq!(r.unwrap()[0].access.proxy_username, "u");
        assert_eq!(
            RepoSpec::parse_cli("c=/c", &vars).unwrap_err().to_string(),
            "dnf.conf:3: [main]: proxy_username is set but not proxy_password"
        );
        let missing = "[main]\nsslcacert=/nonexistent/ca.pem\n";
        let vars =
            Vars::new("x86_64", "").with_main(MainDefaults::parse(missing, "dnf.conf").unwrap());
        let e = RepoSpec::parse_cli("c=/c", &vars).unwrap_err().to_string();
        assert!(e.starts_with("dnf.conf:2: [main]: sslcacert="), "{e}");
    }
}
