//! The option groups several tools share that are not repositories: each
//! a clap `Args` struct, defined once with one help text and flattened into
//! every tool that takes it (the tools' own options stay in their
//! binaries). Which tool takes which is said on each struct.

use std::path::PathBuf;

use super::{cache_dir, check_arch, quiet_repo_notes};
use crate::error::{Error, Result};

/// `-q`/`--quiet` of the tools that read repositories (buildroot-generator,
/// identify-archful-srpms, create-srpm-repos, compose-view), one
/// definition: the notes and warnings go, what the answer lacks or is
/// stays. fetch-compose and workload-diff read no repositories and keep
/// their own `-q`, which says which of their own lines it drops;
/// fetch-compose's also calls [`quiet_repo_notes`], as its downloads and
/// its cache home say notes through the same handler.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct QuietArgs {
    /// No warnings, notes or progress on stderr. Kept: errors, a repo skip_if_unavailable=1 left
    /// out (the answer lacks it), and answers given on stderr (buildroot-generator's --why,
    /// --compare's failures and --builds-only's failed builds).
    #[arg(short, long)]
    pub quiet: bool,
}

impl QuietArgs {
    /// With `-q`, drops the notes as [`quiet_repo_notes`] says; call it
    /// before anything reads the repository files (their warnings too).
    pub fn apply(&self) {
        if self.quiet {
            quiet_repo_notes();
        }
    }
}

/// `--arch ARCH` of the tools that compute for one target arch
/// (buildroot-generator, create-srpm-repos), one definition. The tools
/// that take several (identify-archful-srpms: repeatable with the four
/// ELN arches by default; fetch-compose: repeatable and required;
/// compose-view: repeatable, the view's arches by default) define theirs.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct TargetArchArgs {
    /// Target architecture (x86_64, aarch64, ppc64le, s390x, i686, ...).
    #[arg(long)]
    pub arch: String,
}

impl TargetArchArgs {
    /// The arch, refused unless rpm knows it ([`check_arch`]).
    pub fn checked(&self) -> crate::Result<&str> {
        check_arch(&self.arch)?;
        Ok(&self.arch)
    }
}

/// `--cache-dir`'s help, the same in every tool (one directory,
/// [`cache_dir`]'s). A constant rather than a doc comment: clap would drop
/// its last period.
const CACHE_DIR_HELP: &str = "Cache directory: HTTP downloads (repositories' metadata, \
content-resolver's lists) and the pools built from every set of repositories (pools/, read back \
while the repos are unchanged; safe to delete; the 24 most recently used are kept, and each \
arch's 6 most recent, RPM_BUILDROOT_POOL_CACHE=N keeps N, 0 none). Default, the same for every \
tool: $XDG_CACHE_HOME/rpm-buildroot (an absolute XDG_CACHE_HOME; else ~/.cache/rpm-buildroot; \
without a writable XDG_CACHE_HOME or HOME, a private $TMPDIR/rpm-buildroot-UID, or \
rpm-buildroot-UID-XXXXXX when another took that name).";

/// `--cache-dir`, every tool's: flattened as it is into compose-view and
/// fetch-compose, which take no repo files, and through
/// [`super::RepoFileArgs`] into the others.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct CacheDirArgs {
    // Its help is CACHE_DIR_HELP.
    #[allow(missing_docs)]
    #[arg(long, value_name = "DIR", help = CACHE_DIR_HELP)]
    pub cache_dir: Option<PathBuf>,
}

impl CacheDirArgs {
    /// The directory ([`cache_dir`]).
    pub fn dir(&self) -> Result<PathBuf> {
        cache_dir(self.cache_dir.as_deref())
    }
}

/// `--prefer-release`: which source package of a name a run takes, the same
/// in buildroot-generator (the source it builds), identify-archful-srpms
/// (the SRPM it caches and judges) and create-srpm-repos (the SRPM it
/// regenerates), so that the workflow's steps agree (`buildroot::preferred`).
#[derive(clap::Args, Clone, Debug, Default)]
pub struct PreferReleaseArgs {
    /// Prefer source packages whose release matches this regex (e.g. 'eln\d+'): of a name's
    /// sources (best priority, then newest), the first whose release matches, else the first.
    /// buildroot-generator, identify-archful-srpms and create-srpm-repos take the same source
    /// with the same REGEX.
    #[arg(long, value_name = "REGEX")]
    pub prefer_release: Option<String>,
}

impl PreferReleaseArgs {
    /// The regex, or the one-line usage error of one that does not compile.
    pub fn regex(&self) -> Result<Option<regex::Regex>> {
        let Some(r) = &self.prefer_release else {
            return Ok(None);
        };
        regex::Regex::new(r).map(Some).map_err(|e| {
            // regex errors are multi-line drawings; keep the last line, the message.
            let msg = e.to_string();
            let last = msg.lines().last().unwrap_or("").trim().to_string();
            Error::Usage(format!(
                "--prefer-release '{r}' is not a valid regex: {last}"
            ))
        })
    }
}

/// The default of `--release-package`.
pub const DEFAULT_RELEASE_PACKAGE: &str = "fedora-release-eln";

/// `--core` and `--release-package`: the core buildroot (mock's build
/// group and the release package, what `mock --init` installs before a
/// build's BuildRequires), one definition for the three tools that make
/// it: buildroot-generator installs it for every build (its `--core-file`
/// is a third way to name it, its own), identify-archful-srpms and
/// create-srpm-repos read the spec macros from the macro packages it
/// installs ([`crate::archful::MacroArgs`]). Parsed through `CoreFlags`:
/// `release_package` is None unless given on the command line, so that a
/// warning can tell the default from a name given
/// (`generator::core_names`).
#[derive(Clone, Debug, Default)]
pub struct CoreArgs {
    /// `--core` (None: mock's build group).
    pub core: Option<Vec<String>>,
    /// `--release-package` as given (None: [`DEFAULT_RELEASE_PACKAGE`]).
    pub release_package: Option<String>,
}

/// [`CoreArgs`]' flags as clap defines and shows them: clap shows the
/// release package's default as it shows any (`[default: ...]`), and only
/// the value's source tells it from the same name typed.
#[derive(clap::Args)]
struct CoreFlags {
    /// Core buildroot names, comma-separated (default: mock's build group; '' for none:
    /// --release-package alone). buildroot-generator installs it before each build's
    /// BuildRequires; specs are read with the macro files of the packages it installs and of
    /// --macro-package, not with those of BuildRequires.
    #[arg(long, value_delimiter = ',')]
    core: Option<Vec<String>>,
    /// Release package added to the core buildroot ("" for none).
    #[arg(long, default_value = DEFAULT_RELEASE_PACKAGE)]
    release_package: String,
}

impl clap::Args for CoreArgs {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        CoreFlags::augment_args(cmd)
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        CoreFlags::augment_args_for_update(cmd)
    }
}

impl clap::FromArgMatches for CoreArgs {
    fn from_arg_matches(m: &clap::ArgMatches) -> std::result::Result<Self, clap::Error> {
        let flags = CoreFlags::from_arg_matches(m)?;
        let given =
            m.value_source("release_package") == Some(clap::parser::ValueSource::CommandLine);
        Ok(CoreArgs {
            core: flags.core,
            release_package: given.then_some(flags.release_package),
        })
    }

    /// Only what the command line gave replaces `self`'s values.
    fn update_from_arg_matches(
        &mut self,
        m: &clap::ArgMatches,
    ) -> std::result::Result<(), clap::Error> {
        let given = Self::from_arg_matches(m)?;
        if m.value_source("core") == Some(clap::parser::ValueSource::CommandLine) {
            self.core = given.core;
        }
        if given.release_package.is_some() {
            self.release_package = given.release_package;
        }
        Ok(())
    }
}

impl CoreArgs {
    /// The release package added to the core ("": none), the default
    /// ([`DEFAULT_RELEASE_PACKAGE`]) when not given.
    pub fn release_package(&self) -> &str {
        self.release_package
            .as_deref()
            .unwrap_or(DEFAULT_RELEASE_PACKAGE)
    }

    /// Checks that `--core` names something when it is given with commas
    /// ([`super::check_core_list`]).
    pub fn check(&self) -> Result<()> {
        super::check_core_list(self.core.as_deref())
    }
}

/// The list of source names a tool reads (its one positional argument:
/// buildroot-generator, identify-archful-srpms, create-srpm-repos), a file
/// or stdin; each tool reads it its own way ([`crate::pkglist`]).
#[derive(clap::Args, Clone, Debug)]
pub struct SourceListArgs {
    /// A file of source names, one per line ("-" or nothing: stdin); NEVRAs, SRPM file names and
    /// name-version-release lines (buildroot-generator's *-nvrs lists) are taken as their names.
    #[arg(default_value = "-")]
    pub input: String,
}

impl SourceListArgs {
    /// The list as the tools' messages name it: the file, or `<stdin>`.
    pub fn shown(&self) -> &str {
        match self.input.as_str() {
            "-" => "<stdin>",
            f => f,
        }
    }
}

/// The options that add to the spec macros of the binary repos' buildroot,
/// one definition for the three tools that evaluate specs:
/// identify-archful-srpms and create-srpm-repos (through
/// [`crate::archful::MacroArgs`]) and buildroot-generator (for its `--spec`
/// files, which refuses them without one: that tool's help says so). The
/// texts speak of "the specs" so that they read right in all three; rpm's
/// own `--define` and dnf builddep's `-D` are what `--define` mirrors.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct SpecMacroArgs {
    /// Also install NAME into the buildroot whose macro packages define the spec macros
    /// (repeatable), e.g. python3-rpm-macros.
    #[arg(long = "macro-package", value_name = "NAME")]
    pub macro_packages: Vec<String>,
    /// Read the specs without the binary repos' macro packages: only the built-in ELN macros,
    /// --macros and --define (repos without package files, say).
    #[arg(long)]
    pub no_repo_macros: bool,
    /// An rpm macro file, or a directory whose files 'macros' and 'macros.*' are loaded
    /// (repeatable; loaded after the macro packages, so they win, and before --define).
    #[arg(long, value_name = "FILE|DIR")]
    pub macros: Vec<PathBuf>,
    /// Define a spec macro: 'NAME VALUE' (repeatable; wins over every macro file), as
    /// `rpmbuild --define` and `dnf builddep -D` take it.
    #[arg(long = "define", value_name = "'NAME VALUE'")]
    pub defines: Vec<String>,
}

impl SpecMacroArgs {
    /// The first of these options given, as it was given (`--define
    /// 'NAME VALUE'`, `--macro-package NAME`, `--macros FILE`,
    /// `--no-repo-macros`), for a tool that refuses them where no spec is
    /// read (buildroot-generator without `--spec`).
    pub fn first_given(&self) -> Option<String> {
        let first =
            |option: &str, values: &[String]| values.first().map(|v| format!("{option} {v}"));
        let define = self.defines.first().map(|d| format!("--define '{d}'"));
        define
            .or_else(|| first("--macro-package", &self.macro_packages))
            .or_else(|| {
                self.macros
                    .first()
                    .map(|m| format!("--macros {}", m.display()))
            })
            .or_else(|| self.no_repo_macros.then(|| "--no-repo-macros".to_string()))
    }
}

/// The SRPM cache the archful tools share: identify-archful-srpms fills it,
/// create-srpm-repos regenerates from it (one clap struct, flattened into
/// both, so the flag is spelled and documented once).
#[derive(clap::Args, Clone, Debug, Default)]
pub struct SrpmCacheArgs {
    /// The SRPM cache: identify-archful-srpms keeps one SRPM per listed name in it (others
    /// are removed once unused: identify-archful-srpms --keep-unlisted) and the extracted
    /// macro packages; create-srpm-repos regenerates the archful SRPMs from it. (The
    /// repositories' metadata goes to --cache-dir, the cache buildroot-generator uses.)
    #[arg(long = "cache", visible_alias = "srpm-cache", value_name = "DIR")]
    pub srpm_cache: PathBuf,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{CommandFactory, Parser};

    /// The one-arch tools' `--arch`, the four tools' `-q` and the two
    /// repo-file-less tools' `--cache-dir`: one group each, checked alike.
    #[test]
    fn shared_groups_parse_and_check() {
        #[derive(Parser)]
        struct One {
            #[command(flatten)]
            target: TargetArchArgs,
            #[command(flatten)]
            quiet: QuietArgs,
            #[command(flatten)]
            cache: CacheDirArgs,
        }
        let t = One::parse_from(["t", "--arch", "s390x", "-q", "--cache-dir", "/c"]);
        assert_eq!(t.target.checked().unwrap(), "s390x");
        assert!(t.quiet.quiet);
        assert_eq!(t.cache.dir().unwrap(), PathBuf::from("/c"));
        assert!(One::try_parse_from(["t"]).is_err(), "--arch is required");
        let t = One::parse_from(["t", "--arch", "x86-64"]);
        let e = t.target.checked().unwrap_err().to_string();
        assert!(
            e.starts_with("--arch x86-64: unknown architecture (known: "),
            "{e}"
        );
        assert!(!t.quiet.quiet);
    }

    /// `--core` and `--release-package`, one group for the three tools:
    /// the release package is None unless typed (a default name typed is
    /// told from the default, which buildroot-generator's warning needs),
    /// and `--core ','` is refused in the tools' words.
    #[test]
    fn core_args_tell_a_typed_release_package_from_the_default() {
        #[derive(Parser)]
        struct Tool {
            #[command(flatten)]
            core: CoreArgs,
        }
        let t = Tool::parse_from(["t"]).core;
        assert_eq!((&t.core, t.release_package.as_deref()), (&None, None));
        assert_eq!(t.release_package(), DEFAULT_RELEASE_PACKAGE);
        let t = Tool::parse_from(["t", "--release-package", DEFAULT_RELEASE_PACKAGE]).core;
        assert_eq!(t.release_package.as_deref(), Some(DEFAULT_RELEASE_PACKAGE));
        let t = Tool::parse_from(["t", "--core", "bash,gcc", "--release-package", ""]).core;
        assert_eq!(
            t.core.as_deref(),
            Some(&["bash".to_string(), "gcc".into()][..])
        );
        assert_eq!(t.release_package(), "");
        assert!(t.check().is_ok());
        let e = Tool::parse_from(["t", "--core", ","])
            .core
            .check()
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "--core ',': lists no names (--core '' asks for no core on purpose)"
        );
        // An update takes only what the command line gives.
        let mut t = Tool::parse_from(["t", "--core", "bash", "--release-package", "r"]);
        t.try_update_from(["t", "--release-package", "s"]).unwrap();
        assert_eq!(t.core.core.as_deref(), Some(&["bash".to_string()][..]));
        assert_eq!(t.core.release_package(), "s");
        // ... and takes it: `--core` is looked up by its arg id, which
        // must stay the flag's.
        t.try_update_from(["t", "--core", "gcc,make"]).unwrap();
        assert_eq!(
            t.core.core.as_deref(),
            Some(&["gcc".to_string(), "make".into()][..])
        );
        assert_eq!(t.core.release_package(), "s");
        // The default is shown as clap shows any default.
        let help = Tool::command().render_help().to_string();
        assert!(help.contains("[default: fedora-release-eln]"), "{help}");
    }

    /// The input list: stdin unless a file is named, and named in messages
    /// as `<stdin>` or the file.
    #[test]
    fn the_source_list_is_stdin_unless_a_file_is_named() {
        #[derive(Parser)]
        struct Tool {
            #[command(flatten)]
            list: SourceListArgs,
        }
        let t = Tool::parse_from(["t"]).list;
        assert_eq!((t.input.as_str(), t.shown()), ("-", "<stdin>"));
        let t = Tool::parse_from(["t", "sources.txt"]).list;
        assert_eq!(
            (t.input.as_str(), t.shown()),
            ("sources.txt", "sources.txt")
        );
        assert!(Tool::try_parse_from(["t", "a", "b"]).is_err());
    }
}
