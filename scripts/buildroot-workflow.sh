#!/usr/bin/env bash
# The ELN Buildroot Generator Workflow, composed from the rpm-buildroot tools.
#
#   scripts/buildroot-workflow.sh --config FILE [--work DIR] [--bin DIR] [--no-verify]
#   scripts/buildroot-workflow.sh --verify-only [--work DIR] [--bin DIR]   (step 10 again on
#       WORK/current, with the configuration and content-resolver configs that run was made
#       with; a --config is not used. The repositories, and the files that configuration names
#       (REPOFILE, DNF_CONF, EXCLUDE_FILE, PLACEHOLDERS, SPEC_MACROS), are read as they are now)
#   (--no-verify: every step but 10; the run is published without verify/)
#
# Needs bash 5.1 or later (Fedora, RHEL 9; RHEL 8's bash 4.4 is refused with one line).
#
# Relative --config, --work and --bin are taken from the current directory; relative paths in
# the config file from the repository root. WORK defaults to the repository root's work/, the
# tools (--bin) to where `make release` built them: target/release, or $CARGO_TARGET_DIR/release.
#
# Steps, numbered as the ELN Buildroot Generator Workflow's ten (docs/semantics.md, README.md;
# 1 and 9, tagging into ELN and ELN-Buildroot, are outside these tools):
#   2 compose lists            -> COMPOSE_DIR/<arch>.txt (+ sources-<arch>.txt or sources.txt), or
#                                 compose/ computed by compose-view from content-resolver's configs
#                                 (COMPOSE_CONFIGS + VIEW; the *.yaml and *.json read are copied
#                                 to configs/ first), or fetched by fetch-compose from
#                                 content-resolver's published lists (COMPOSE_URL + VIEW)
#   3 buildroot-generator      -> pass1/<arch>/      (per arch, in parallel)
#   4 identify-archful-srpms   -> archful/archful.txt, archful.json, warnings.txt, srpm-map.txt,
#                                 sources.txt (pass 1's sources, the step's input)
#                                 (SRPMs cached in WORK/srpm-cache; every step's repo
#                                 metadata in the tools' one cache, the user's: no step is
#                                 given --cache-dir, so a run downloads each repo file once)
#   5-7 create-srpm-repos      -> repos/<arch>/      (per-arch source repos, archful SRPMs regenerated)
#   7 buildroot-generator      -> pass2/<arch>/      (per-arch source repos first)
#   8 workload-diff            -> eln-buildroot-workload.yaml, buildroot.yaml, diff.txt,
#                                 changes.md + changes.json (against the previous run, named by
#                                 its id; its workload and skipped-repos.txt copied to previous/)
#   10 verify                  -> verify/<arch>/     (compose + the workload YAML alone must build
#                                 everything pass 2 built; with COMPOSE_CONFIGS, the workload is
#                                 added to a copy of the run's configs/, verify/configs/, the new
#                                 compose computed, verify/compose/, and every pass-2 binary it
#                                 lacks is listed in verify/<arch>/missing.txt; compose names no
#                                 repo has: verify/<arch>/compose-unknown.txt). Built in
#                                 verify.new/ and renamed to verify/ when complete: a failed or
#                                 interrupted verify leaves the previous verify/ as it was.
#
# Each run is built in place in WORK/runs/<id>/, so the .repo files it writes stay valid. When
# every step finished, WORK/current (a symlink, swapped atomically) points to it and the previous
# run stays as WORK/last; a failed or interrupted run is kept as WORK/failed, with
# failed/error.txt naming the step ('step: ...'), the error ('error: ...') and what the failing
# tools wrote on stderr (a line that several arches' tools wrote, once, prefixed with those
# arches). The next published run removes failed. Older runs are removed. A per-arch step that
# fails for one arch stops the other arches' tools at once (it does not wait for them): its line
# names the arches whose tool had failed by then (one whose job was still showing what it said
# too), in ARCHES order, and those stopped ('failed for: x86_64 (stopped: aarch64)'), whose
# output is removed (even one their tool had finished as the stop came).
# A download that fails for good (a URL whose every mirror failed every retry: the tools retry,
# and go to a repo's next mirror, as dnf does) fails its step: exit 2, the tool's one line naming
# the URL and the problem, then the step, then where the run is kept; current/ is untouched.
# Its scratch directory, TMPDIR/buildroot-workflow.XXXXXX (the config's stderr while it is read,
# the tools' stderr; made before the config is read, in the TMPDIR the workflow is started with),
# goes when it exits; one that a run killed outright (SIGKILL, a power cut) left, even while its
# config was read, is removed by the next run, of any WORK, once no process of the killed run
# holds its lock (a concurrent run's is never touched). Nothing else is left in TMPDIR. The tools'
# own temporary files (unpacked SRPMs, rpmbuild trees) go to the TMPDIR exported to them, a
# config's `export TMPDIR=/big/disk` too; one that is no writable directory is refused before the
# steps, an empty one is none (/tmp).
# One run at a time per WORK directory. Runs may share an SRPM cache: steps 5-7 wait for another
# run deleting SRPMs from it at most BUILDROOT_WORKFLOW_LOCK_WAIT seconds (120), then fail (exit 2).
# The tools' network settings (RPM_BUILDROOT_HTTP_*) are passed on; see a tool's --help.
# A repo with skip_if_unavailable=1 whose metadata cannot be had is left out and the run goes on,
# as dnf goes on without it (exit 0); each step that left it out says so on stderr ('ARCH: TOOL:
# warning: repo 'ID' skipped (skip_if_unavailable=1): URL: ...'), as the run's results lack that
# repo. The published run records it: skipped-repos.txt ('ARCH<TAB>STEP<TAB>REPO<TAB>WHAT' lines,
# sorted; ARCH '-' for steps 2 and 4, run once for every arch; STEP the run's directory the step
# wrote), verify/skipped-repos.txt for step 10, a 'Repositories left out' section at the end of
# changes.md and changes.json's skipped_repos (and the next run's, about the previous one:
# workload-diff --skipped-repos, --previous-skipped-repos), and the last lines on stderr. A run
# without any has no such file (docs/formats.md section 11a).
#
# Examples:
#   # The demo's configuration, offline (the fixture's content-resolver configs and repos;
#   # exit 1: step 10 finds libxml2-devel, which testdata/exclude-demo.txt keeps out on purpose):
#   scripts/buildroot-workflow.sh --config testdata/workflow-configs.conf --work /tmp/demo-work
#   # Step 10 again on that run, with the configuration it was made with:
#   scripts/buildroot-workflow.sh --verify-only --work /tmp/demo-work
#   # Fedora ELN, every arch (networked; content-resolver-input cloned at the repository root):
#   scripts/buildroot-workflow.sh --config configs/fedora-eln.conf
#
# Exit codes: 0 success, 1 verify found what compose + workload cannot build, or buildroot
# binaries the new compose lacks (the run is still published), 2 bad usage, a bad configuration
# or a failed step (stderr names the step and arch), 129, 130, 143 interrupted by SIGHUP, SIGINT
# (Ctrl-C, or kill -INT to its pid alone: no $(...) here can lose it, nor the config's, read
# with job control on when the workflow has no controlling terminal; but a script's background
# job, `&`, starts with SIGINT ignored, which bash cannot trap: stop one with SIGTERM), SIGTERM, 141 its stderr's
# reader went away (SIGPIPE): the tools it started are stopped first; a run is kept as
# WORK/failed, --verify-only leaves verify/ as it was (a signal in the moments after the run was
# published leaves it published: the last line says so). A reader of stdout (diff.txt, once the
# run is published) that stops early is no error.
# shellcheck disable=SC2329  # functions called through per_arch and traps
set -eEuo pipefail
# bash 5.1 or later: wait -n -p (per_arch), SRANDOM (the scratch directory's name).
if ((BASH_VERSINFO[0] * 100 + BASH_VERSINFO[1] < 501)); then
  echo "buildroot-workflow: bash $BASH_VERSION is too old: it needs bash 5.1 or later" >&2
  exit 2
fi
# Until the steps' traps (on_signal) are set, a signal ends the run at once, once the command the
# workflow waits for has ended: a flock or grep of its own is not left running (bash's
# default would: it dies of SIGTERM or SIGHUP at once), and a SIGINT is not taken for that
# command's own (see below). The config is read under traps of its own, then these again.
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
# The workflow's own stderr, kept as fd 7: its error and interrupt messages go there even when a
# signal or a failure comes while a step's stderr is redirected to a file (step 4's, compose-view's
# warnings), where the nightly log would not show them. The tools it starts do not get it.
exec 7>&2

usage="usage: scripts/buildroot-workflow.sh --config FILE [--work DIR] [--bin DIR] [--no-verify] | --verify-only [--work DIR] [--bin DIR] (--help)"
tmp=""         # scratch directory once the run starts: the tools' stderr, the error text
cur_step=""    # the step running, for failed/error.txt
die() {
  echo "buildroot-workflow: $*" >&7
  # failed/error.txt: the step, this message and what the failing tools said.
  if [ -n "$tmp" ]; then
    { echo "step: ${cur_step:-(before the steps)}"; echo "error: $*"; cat "$tmp/said" 2> /dev/null || true; } \
      > "$tmp/error"
  fi
  exit 2
}
step() { cur_step=$*; echo "== $*" >&2; }
# Any command that fails without its own message is a failed step, not verify's exit 1.
trap 'die "line $LINENO: unexpected failure of: $BASH_COMMAND"' ERR

config="" work="" bin="" verify_only=0 verify=1
need_value() { [ -n "${2:-}" ] || die "$1 needs a value; $usage"; } # option value
while [ $# -gt 0 ]; do
  case "$1" in
    --config) need_value "$@"; config=$2; shift 2 ;;
    --work) need_value "$@"; work=$2; shift 2 ;;
    --bin) need_value "$@"; bin=$2; shift 2 ;;
    --verify-only) verify_only=1; shift ;;
    --no-verify) verify=0; shift ;;
    -h|--help) awk 'NR > 1 && /^# shellcheck/ { exit } NR > 1' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1'; $usage" ;;
  esac
done
[ -n "$config" ] || [ "$verify_only" = 1 ] || die "--config FILE is required; $usage"
[ -z "$config" ] || [ -r "$config" ] || die "$config: cannot read the config file"
[ -z "$config" ] || [ ! -d "$config" ] || die "$config: a directory, not a config file (e.g. configs/fedora-eln.conf)"

# No command substitution in this script, $(...) or `...`: bash loses a SIGINT sent to this
# process alone while it waits for a command substitution's child to exit (its handler takes
# the signal for the child's, and the child, not a job, never hands it back: the run went on),
# and one taken while bash parses one under the early traps ended the run with "interrupt trap:
# line 2: unexpected EOF while looking for matching `)'" and exit 2. What a command prints is
# read from a process substitution (read, mapfile: a trapped signal ends them at once), or from
# a file; a directory's path from cd in this shell ($PWD), then back to the top. A process
# substitution starts with `reading`. (A config's own $(...) is the config's: docs/workflow.md.)
# reading: first in a process substitution. Its shell runs on its own (no `|| ...` around it): a
# command failing in it must not run this script's die (the ERR trap) there; and this shell
# does not wait for it, so it holds none of the run's locks (fds 6, 8, 9) once this has exited.
reading() { trap - ERR; exec 6>&- 8>&- 9>&-; }
caller=$PWD
top_dir=${0%/*}
case "$0" in */*) [ -n "$top_dir" ] || top_dir=/ ;; *) top_dir=. ;; esac
# The caller's paths are taken from the caller's directory, before the cd to the top.
if [ -n "$config" ]; then
  config_dir=${config%/*} config_base=${config##*/}
  case "$config" in */*) [ -n "$config_dir" ] || config_dir=/ ;; *) config_dir=. ;; esac
  CDPATH='' cd -- "$config_dir" || die "$config: cannot enter its directory"
  config=$PWD/$config_base
  CDPATH='' cd -- "$caller"
fi
CDPATH='' cd -- "$top_dir/.." || die "$top_dir/..: cannot enter the repository root"
top=$PWD
CDPATH='' cd -- "$caller"
case "$work" in "") work="$top/work" ;; /*) ;; *) work="$PWD/$work" ;; esac
# The default: where `make release` put the tools (cargo's CARGO_TARGET_DIR, relative to the top).
case "${CARGO_TARGET_DIR:-target}" in /*) built=$CARGO_TARGET_DIR ;; *) built=$top/${CARGO_TARGET_DIR:-target} ;; esac
case "$bin" in "") bin="$built/release" ;; /*) ;; *) bin="$PWD/$bin" ;; esac
cd "$top"
if [ "$verify_only" = 1 ]; then
  # Nothing is created for a WORK without a finished run (a mistyped --work, say).
  [ -d "$work/current" ] || die "$work/current: no finished run to verify (run without --verify-only first)"
else
  [ ! -e "$work" ] || [ -d "$work" ] || die "$work: not a directory (--work DIR)"
  mkdir -p "$work" 2> /dev/null || die "$work: cannot create the work directory (--work DIR)"
fi
CDPATH='' cd -P -- "$work" || die "$work: cannot enter the work directory (--work DIR)"
work=$PWD
cd "$top"
# One run at a time: runs share WORK/srpm-cache and rotate current/last/failed (taken before
# anything of WORK is read: --verify-only reads current/'s configuration). The tools it starts
# inherit fd 9: if this script is killed outright (SIGKILL, the OOM killer), the lock lasts as
# long as a tool still writing into WORK; on SIGINT/SIGTERM/SIGHUP it stops them first.
{ exec 9> "$work/.lock"; } 2> /dev/null || die "$work: cannot write its lock file .lock (is the work directory writable?)"
flock -n 9 || die "$work: another buildroot-workflow run is using it"
# How long steps 5-7 wait for the SRPM cache's lock (see there).
lock_wait=${BUILDROOT_WORKFLOW_LOCK_WAIT:-120}
[[ "$lock_wait" =~ ^[0-9]+$ ]] || die "BUILDROOT_WORKFLOW_LOCK_WAIT=$lock_wait: not a number of seconds"
# --verify-only checks the published run with the configuration it was made with (its copy).
if [ "$verify_only" = 1 ] && [ -r "$work/current/workflow.conf" ]; then
  own="$work/current/workflow.conf"
  if [ -n "$config" ] && ! cmp -s "$config" "$own"; then
    echo "buildroot-workflow: note: --verify-only uses the run's own configuration ($own), not $config" >&2
  fi
  config=$own
fi
[ -n "$config" ] || die "$work/current: no finished run to verify (run without --verify-only first)"
for t in buildroot-generator identify-archful-srpms create-srpm-repos workload-diff compose-view fetch-compose; do
  [ -x "$bin/$t" ] || die "$bin/$t: not built (run 'make release' or pass --bin DIR)"
done
gen="$bin/buildroot-generator" archful_tool="$bin/identify-archful-srpms"
repos_tool="$bin/create-srpm-repos" diff_tool="$bin/workload-diff" view_tool="$bin/compose-view"
fetch_tool="$bin/fetch-compose"

ARCHES="" BINARY_REPOS="" SOURCE_REPOS="" REPOFILE="" DNF_CONF="" CORE=""
# RELEASE_PACKAGE starts unset: unset is the tools' default, set (even to "") is passed on as
# given ("" is none, as the tools read --release-package ''), as ${VAR-default} reads a shell
# variable. Not taken from the caller's environment either. (CORE="" stays the tools' default,
# as the example configs have always said: a config that says so must not lose its core.)
unset RELEASE_PACKAGE
unset_settings=" RELEASE_PACKAGE "
PREFER_RELEASE="" PLACEHOLDERS="" COMPOSE_DIR="" COMPOSE_CONFIGS="" COMPOSE_REPO_OVERRIDES="" COMPOSE_URL=""
EXCLUDE_FILE="" VIEW="view-eln"
SPEC_MACROS="" SPEC_DEFINES=() REPO_MACROS=1
WORKLOAD_NAME="" WORKLOAD_DESCRIPTION="" WORKLOAD_MAINTAINER="" WORKLOAD_LABELS=""
unset WORKLOAD_REPOSITORIES
# The scratch directory, TMPDIR/buildroot-workflow.XXXXXX (mode 0700), is made before the config
# is read, so that the config's stderr and CRLF-less copy live in it too, and is removed on exit
# (an EXIT trap from here on: bash runs it on SIGINT, SIGTERM, SIGHUP and SIGPIPE too); a run
# killed outright (SIGKILL, the OOM killer, a power cut) leaves it, and the next run removes it.
# What tells a live run's from a dead one's is a flock on its .lock, held on fd 6 for the whole
# run; the tools inherit fd 6, so a tool of a killed run still writing there keeps it too. .lock
# appears (a rename) only once the lock is held: a directory without it is one being made (or
# one a run was killed while making, left alone: that is three commands' time), or one of a
# file system that gives no flock, left alone too.
clear_stale_scratch() {
  local d
  for d in "${TMPDIR:-/tmp}"/buildroot-workflow.??????; do
    # Ours only: a directory (no symlink) and its .lock (a file, no symlink), both this user's;
    # removed while its lock is held here (flock -n: a live run's is busy, and left).
    [ -d "$d" ] && [ ! -L "$d" ] && [ -O "$d" ] || continue
    [ -f "$d/.lock" ] && [ ! -L "$d/.lock" ] && [ -O "$d/.lock" ] || continue
    flock -n "$d/.lock" rm -rf -- "$d" 2> /dev/null || true
  done
}
clear_stale_scratch
# As mktemp -d makes it (six letters or digits, mode 0700; a name taken is drawn again), by a
# mkdir this shell waits for as a command of its own.
make_scratch() {
  local c=ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 name i n
  for ((n = 0; n < 100; n++)); do
    name=""
    for ((i = 0; i < 6; i++)); do name+=${c:SRANDOM % 62:1}; done
    tmp=${TMPDIR:-/tmp}/buildroot-workflow.$name
    ! mkdir -m 0700 -- "$tmp" 2> /dev/null || return 0
    [ -e "$tmp" ] || break
  done
  tmp=""
  die "${TMPDIR:-/tmp}: cannot create the workflow's scratch directory there (TMPDIR: a writable directory?)"
}
# A signal while mkdir runs ends the run once it has: the directory it may have made goes too
# (rmdir: it is empty; a name another run took, and filled, is not touched).
trap '[ -z "$tmp" ] || rmdir -- "$tmp" 2> /dev/null || :' EXIT
make_scratch
# Kept where a config cannot change it (it may use `tmp` as a helper of its own): the traps
# remove this, and tmp is set from it again once the config has run.
readonly workflow_scratch=$tmp
trap 'rm -rf "$workflow_scratch"' EXIT
exec 6> "$tmp/.lock.new"
if flock -n 6 2> /dev/null; then mv "$tmp/.lock.new" "$tmp/.lock"; fi
# The config file is shell, NAME=VALUE lines, read (run) once: a line that fails (a stray word,
# an unclosed quote, an unset variable) is refused in one line, bash's first about it (the
# file, the line and the problem), not bash's message plus this script's own about its failure.
# What the config prints on stderr and succeeds (a note of its own) is passed on as it was.
# A config saved with Windows line endings (CRLF) is read as if it had Unix ones, as Python's
# configparser reads either: bash would take each CR for part of the line (`$'\r': command not
# found` on a blank line, `x86_64\r` for a value). The copy without them is what is run; the
# messages name the file as the user wrote it (same lines).
cfg_err=$workflow_scratch/config.err
cfg_run=$config
if grep -q $'\r$' "$config"; then
  cfg_run=$workflow_scratch/config.lf
  sed 's/\r$//' "$config" > "$cfg_run" || die "cannot create a temporary file"
fi
config_failed() { # STATUS [LINE FILE]: the line (of the config or a file it sources) that failed
  local said where="$config: "
  # A subshell of the config's ($(...), a pipeline's command) inherits this ERR trap (set -E):
  # there it only ends that subshell with the status, which its line then has, as bash would
  # give it; that line's failure, if it is one, is named by this shell. Run in the subshell,
  # it said the error, removed the scratch directory, and this shell, going on, failed on it
  # (three lines and exit 1 for `echo "$(false)"`; two errors for `ARCHES=$(cat missing)`).
  [ "$BASHPID" = "$$" ] || exit "$1"
  [ -z "${3:-}" ] || [ "$3" = "${BASH_SOURCE[0]}" ] || where="$3: line $2: "
  trap - EXIT
  exec 2>&8 8>&-
  # The scratch directory (the config's stderr, read below) is removed here, not by the EXIT
  # trap: this may be running as that trap, and an exit in it does not run it again. No
  # error.txt for die to write into it either.
  tmp=""
  # Interrupted (Ctrl-C while the config runs a command): no failed line to name.
  [ "$1" -le 128 ] || { rm -rf "$workflow_scratch"; exit "$1"; }
  # bash's own line (FILE: line N: ...), not a note the config printed before it.
  said=""
  IFS= read -r said < <(reading; grep -m 1 -E '^.+: line [0-9]+: ' "$cfg_err") || :
  # bash's error in its "interrupt trap" (the INT trap's text, which it parses as it runs it) is
  # a SIGINT: one that came while bash parsed a $(...) of the config's (it re-reads one as it
  # expands it) found the parser mid-substitution ("interrupt trap: line 2: unexpected EOF while
  # looking for matching `)'"), and config_failed 130 never ran. Interrupted, as it would have said.
  case "$said" in *": interrupt trap: line "[0-9]*) rm -rf "$workflow_scratch"; exit 130 ;; esac
  if [ -z "$said" ] && [ -z "${2:-}" ]; then
    # Left by the EXIT trap and bash said nothing: the config (or a file it sources) ran `exit`.
    said="${config}: the config file runs 'exit' (status $1), which would end the workflow;"
    said+=" 'return' stops reading it early"
  fi
  [ -n "$said" ] || { IFS= read -r said < <(reading; grep . "$cfg_err" | tail -n 1) || :; }
  said=${said//"$cfg_run"/"$config"} where=${where//"$cfg_run"/"$config"}
  # "$basearch" in double quotes is the shell's variable, unset: the tools replace it, single-quoted.
  case "$said" in *": basearch: unbound variable" | *": releasever: unbound variable")
    said+=" (in single quotes, '\$basearch' reaches the tools, which replace it)" ;;
  esac
  rm -rf "$workflow_scratch"
  die "${said:-${where}a command failed} (a config file holds NAME=VALUE lines)"
}
# The variables before the config runs: every setting has been given its default above.
names=() flags="" v=""
compgen -v > "$workflow_scratch/vars"
mapfile -t names < "$workflow_scratch/vars"
vars_before=" ${names[*]} "
lock_wait_before=${BUILDROOT_WORKFLOW_LOCK_WAIT+set:$BUILDROOT_WORKFLOW_LOCK_WAIT}
tmpdir_before=${TMPDIR+set:$TMPDIR}
exec 8>&2
trap 'config_failed "$?" "$LINENO" "${BASH_SOURCE[0]}"' ERR
trap 'config_failed "$?"' EXIT # set -u's 'unbound variable' exits the shell without the ERR trap
trap 'config_failed 129' HUP
trap 'config_failed 130' INT
trap 'config_failed 143' TERM
# Read with job control on (set -m), for a config's own $(...): without it, bash's wait for a
# command substitution's child takes a SIGINT sent to this process alone for the child's and,
# the child being no job, drops it once the child has exited (0), after its output was read;
# or it ended the run with "interrupt trap: line 2: unexpected EOF while looking for matching
# `)'" (exit 2), or, about once in a hundred, spun on the signal for ever. With job control on,
# that wait leaves the signal to the INT trap, run once the child has ended. (The config's
# commands run as groups of their own meanwhile.) Only without a controlling terminal (cron,
# systemd, CI, setsid), as on one those groups would not have it: bash gives a job the terminal
# through its fd 2, the config's stderr file here, so a command of the config's was a background
# group there (a Ctrl-C typed reached the workflow alone, which waited for the command's end; one
# reading the terminal, a password prompt, was stopped by SIGTTIN and the run ended, exit 149).
# On a terminal the config's commands stay in the workflow's group, which a Ctrl-C typed there
# reaches whole, as before; a SIGINT sent to the workflow's pid alone can be lost there.
if ! { : < /dev/tty; } 2> /dev/null; then set -m; fi
# shellcheck disable=SC1090
. "$cfg_run" 2> "$cfg_err"
set +m
# Again until the steps' traps (on_signal) are set, a signal ends the run at once (the EXIT trap
# removes the scratch directory). Not the default disposition: a non-interactive bash that gets
# SIGINT while it waits for a command that then exits 0 takes it for the command's own and goes
# on (bash's "wait and cooperative exit"), so a Ctrl-C here was lost and the run carried on.
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'rm -rf "$workflow_scratch"' EXIT
tmp=$workflow_scratch
trap 'die "line $LINENO: unexpected failure of: $BASH_COMMAND"' ERR
exec 8>&-
if [ "$cfg_run" = "$config" ]; then
  cat "$cfg_err" >&2
else
  # bash's warnings name the copy that was run: name the file as written.
  while IFS= read -r note || [ -n "$note" ]; do printf '%s\n' "${note//"$cfg_run"/"$config"}"; done < "$cfg_err" >&2
fi
rm -f "$cfg_err" "$workflow_scratch/config.lf"
# Keys that only fed workload keys content-resolver now rejects (docs/formats.md section 4).
[ -z "${WORKLOAD_REPOSITORIES+set}" ] \
  || die "$config: WORKLOAD_REPOSITORIES is no longer used (content-resolver rejects a workload with 'repositories'); remove it"
# A setting's name with a typo (EXCLUDE_FILES) is a variable of its own, and the run would go on
# without the setting: an upper-case name the config sets that is no setting, not exported (for
# the tools' environment) and not used in the config ($MIRROR in a URL: its own helper) is named
# in a warning, as dnf warns of an option it does not know. Lower-case names are helpers too.
# A variable the tools read from the environment (RPM_BUILDROOT_*, a proxy, DNF_VAR_*, TMPDIR)
# reaches them only when exported: said so. Each name once, on stderr; the run goes on.
warn_config() { echo "buildroot-workflow: warning: $config: $*" >&2; }
from_env=" HOME TMPDIR XDG_CACHE_HOME RESOLVER_TRACE http_proxy https_proxy HTTPS_PROXY all_proxy ALL_PROXY NO_PROXY no_proxy "
compgen -v > "$tmp/vars"
mapfile -t names < "$tmp/vars"
for v in "${names[@]}"; do
  [[ "$vars_before" != *" $v "* ]] || continue
  case "$v" in REPLY | MAPFILE | OPTARG | COPROC | COLUMNS | LINES | BASH_* | BUILDROOT_WORKFLOW_LOCK_WAIT) continue ;; esac
  declare -p -- "$v" > "$tmp/declared" 2> /dev/null || :
  flags="" && { read -r _ flags _ < "$tmp/declared" || :; }
  flags=${flags#-}
  [[ "$flags" != *x* ]] || continue
  [[ "$unset_settings" != *" $v "* ]] || continue
  if [[ "$v" =~ ^(RPM_BUILDROOT_[A-Z0-9_]+|DNF_VAR_[A-Za-z0-9_]+|DNF[0-9])$ ]] || [[ "$from_env" == *" $v "* ]]; then
    warn_config "$v is read from the environment by the tools, and the config does not export it" \
      "(export $v=... passes it on)"
  elif [[ "$v" =~ ^[A-Z][A-Z0-9_]*$ ]] && ! grep -qE "\\\$\\{?[#!]?$v([^A-Za-z0-9_]|\$)" "$config"; then
    warn_config "$v is not a setting of the workflow and is ignored" \
      "(a misspelt name? testdata/workflow.conf lists the settings)"
  fi
done
# Read before the config (the lock is taken first): set there, exported or not, it changes nothing.
[ "${BUILDROOT_WORKFLOW_LOCK_WAIT+set:$BUILDROOT_WORKFLOW_LOCK_WAIT}" = "$lock_wait_before" ] \
  || warn_config "BUILDROOT_WORKFLOW_LOCK_WAIT is read from the environment before the config, so" \
    "steps 5-7 wait $lock_wait s for the SRPM cache (BUILDROOT_WORKFLOW_LOCK_WAIT=N" \
    "scripts/buildroot-workflow.sh ... sets it)"
[ -n "$ARCHES" ] || die "$config: ARCHES is empty"
modes=0
for m in "$COMPOSE_DIR" "$COMPOSE_CONFIGS" "$COMPOSE_URL"; do [ -z "$m" ] || modes=$((modes + 1)); done
[ "$modes" -gt 0 ] || die "$config: set COMPOSE_DIR (lists), COMPOSE_CONFIGS (content-resolver configs) and VIEW, or COMPOSE_URL (content-resolver's output) and VIEW"
[ "$modes" -eq 1 ] || die "$config: more than one of COMPOSE_DIR, COMPOSE_CONFIGS and COMPOSE_URL is set; keep one"
# The view's id in the names of content-resolver's files under compose/content-resolver/: with
# COMPOSE_URL, fetch-compose's (VIEW=eln names view-eln, as the tools take --view); compose-view
# names them by VIEW itself, and a COMPOSE_DIR's NEVRA list is copied under VIEW's name (found
# by either name: a COMPOSE_DIR that fetch-compose wrote has the view- one).
cr_view=$VIEW
[ -z "$COMPOSE_URL" ] || cr_view="view-${VIEW#view-}"
[ -n "$BINARY_REPOS$REPOFILE$DNF_CONF" ] || die "$config: none of BINARY_REPOS, REPOFILE and DNF_CONF is set"
# at_top PATH: PATH as an error names it: a relative one with where it was looked for (the config's
# relative paths are taken from the repository root, not from the config's or the caller's
# directory, which is where a person looks first).
at_top() { case "$1" in /*) at=$1 ;; *) at="$1 (relative paths are taken from $top)" ;; esac; } # -> at
# REPOFILE and DNF_CONF may hold $basearch: one file per arch (configs/fedora-eln.conf).
for a in $ARCHES; do
  f=${REPOFILE//\$basearch/$a}
  [ -z "$REPOFILE" ] || [ -r "$f" ] || { at_top "$f"; die "$at: cannot read the REPOFILE of $config"; }
  f=${DNF_CONF//\$basearch/$a}
  [ -z "$DNF_CONF" ] || [ -r "$f" ] || { at_top "$f"; die "$at: cannot read the DNF_CONF of $config"; }
done
# Arches as the tools know them (crates/buildroot-core/src/arch.rs), each once.
seen=" "
for a in $ARCHES; do
  case " x86_64 i686 i586 i486 i386 athlon s390x s390 ppc64 ppc64le ppc64p7 aarch64 riscv64 armv7hl armv7hnl ia32e amd64 " in
    *" $a "*) ;;
    *) die "$config: ARCHES: '$a' is not an architecture the tools know (e.g. x86_64, aarch64, ppc64le, s390x)" ;;
  esac
  case "$seen" in *" $a "*) die "$config: ARCHES names $a twice" ;; esac
  seen="$seen$a "
done
# TMPDIR as the tools get it. The scratch directory stays in the TMPDIR the workflow was started
# with (it is made before the config is read, and holds only stderr texts); the tools' temporary
# files (step 4's unpacked SRPMs, steps 5-7's rpmbuild trees: an SRPM's size each) and sort's go
# to the one exported to them, a config's `export TMPDIR=/big/disk` too. One that is no writable
# directory failed only in step 4 or later, after the passes, or not at all on small inputs:
# refused now. An empty one is no TMPDIR to mktemp, sort or this script (/tmp), but a directory
# "" to the tools, which took it for the current one (the top): unset, so that all use /tmp.
if [ -n "${TMPDIR+set}" ] && [[ "${TMPDIR@a}" == *x* ]]; then
  if [ -z "$TMPDIR" ]; then
    unset TMPDIR
  elif ! { [ -d "$TMPDIR" ] && [ -w "$TMPDIR" ]; }; then
    from="the environment's"
    [ "${TMPDIR+set:$TMPDIR}" = "$tmpdir_before" ] || from="exported by $config"
    at_top "$TMPDIR"
    die "$at: not a writable directory (TMPDIR, $from: the tools' temporary files go there)"
  fi
fi
# Files the later steps read: found missing now, not after the expensive steps.
[ -z "$EXCLUDE_FILE" ] || { [ -f "$EXCLUDE_FILE" ] && [ -r "$EXCLUDE_FILE" ]; } \
  || { at_top "$EXCLUDE_FILE"; die "$at: cannot read the EXCLUDE_FILE of $config"; }
[ -z "$SPEC_MACROS" ] || [ -r "$SPEC_MACROS" ] \
  || { at_top "$SPEC_MACROS"; die "$at: cannot read the SPEC_MACROS (a macro file or a directory of macros.* files) of $config"; }
# As the tools take a --define: a name, whitespace, a value (which may be empty).
for d in "${SPEC_DEFINES[@]}"; do
  [[ "$d" =~ ^[[:space:]]*%?[^[:space:]]+[[:space:]] ]] \
    || die "$config: SPEC_DEFINES: '$d' is not 'NAME VALUE'"
done
[ -z "$PLACEHOLDERS" ] || { [ -f "$PLACEHOLDERS" ] && [ -r "$PLACEHOLDERS" ]; } \
  || { at_top "$PLACEHOLDERS"; die "$at: cannot read the PLACEHOLDERS file of $config"; }
# --verify-only: the content-resolver configs the run read (step 2's copy), not today's.
# --verify-only reads the compose the run read: its copy of ready-made lists (a run made before
# the copy reads them as they are now), checked here as the lists would be.
if [ "$verify_only" = 1 ] && [ -n "$COMPOSE_DIR" ] && [ -d "$work/current/compose" ]; then
  COMPOSE_DIR="$work/current/compose"
fi
if [ "$verify_only" = 1 ] && [ -n "$COMPOSE_CONFIGS" ]; then
  if [ -d "$work/current/configs" ]; then
    COMPOSE_CONFIGS="$work/current/configs"
  else
    echo "buildroot-workflow: note: $work/current has no copy of the configs it read (a run of an older" \
      "version); step 10 reads $COMPOSE_CONFIGS as it is now" >&2
  fi
fi
if [ -n "$COMPOSE_DIR" ]; then
  [ -d "$COMPOSE_DIR" ] || { at_top "$COMPOSE_DIR"; die "$at: COMPOSE_DIR is not a directory (the compose lists ARCH.txt)"; }
  for a in $ARCHES; do
    [ -r "$COMPOSE_DIR/$a.txt" ] || { at_top "$COMPOSE_DIR/$a.txt"; die "$at: missing compose list for $a"; }
    grep -Eq '^[[:space:]]*[^#[:space:]]' "$COMPOSE_DIR/$a.txt" \
      || die "$COMPOSE_DIR/$a.txt: the compose list for $a names no package"
  done
elif [ -n "$COMPOSE_CONFIGS" ]; then
  [ -d "$COMPOSE_CONFIGS" ] || { at_top "$COMPOSE_CONFIGS"; die "$at: COMPOSE_CONFIGS is not a directory (content-resolver's configs: git clone https://github.com/minimization/content-resolver-input)"; }
  # A view's id is its config file's name: a misspelt VIEW is the workflow config's mistake,
  # said here, not step 2's about the content-resolver configs.
  [ -f "$COMPOSE_CONFIGS/$VIEW.yaml" ] \
    || die "$config: VIEW='$VIEW': no such view in COMPOSE_CONFIGS (no $COMPOSE_CONFIGS/$VIEW.yaml)"
fi
export LC_ALL=C

# BINARY_REPOS and SOURCE_REPOS entries: an ID=URL whose id dnf would not take (as its
# --repofrompath refuses it) is refused by every tool, but the generator's steps get BINARY_REPOS
# with $basearch replaced, ids too, and steps 4-7 as written: an id holding $basearch failed the
# run at step 4, after pass 1 on every arch. Said here, as the tools split an entry (text before
# the first '=' that holds a '/' makes the entry a bare URL, its own id, not checked: a query
# string's '='; a ':' is an id's, as dnf takes it).
# (--verify-only: step 10 runs the generator alone, which such a run made before the tools
# refused these ids passed.)
[ "$verify_only" = 1 ] || for r in $BINARY_REPOS $SOURCE_REPOS; do
  id=${r%%=*}
  case "$r" in *=*) ;; *) continue ;; esac
  case "$id" in */*) continue ;; esac
  [[ "$id" != *[!A-Za-z0-9_.:-]* ]] \
    || die "$config: BINARY_REPOS/SOURCE_REPOS: '$r': '$id' is not a repo id dnf takes (letters, digits and -_.: only; an id's \$basearch is not replaced)"
done
# Repository and core options shared by every generator run.
repo_args=()
for r in $BINARY_REPOS; do repo_args+=(--repo "$r"); done
[ -z "$REPOFILE" ] || repo_args+=(--repofile "$REPOFILE")
[ -z "$DNF_CONF" ] || repo_args+=(--dnf-conf "$DNF_CONF")
# CORE is the tools' --core, comma-separated; the workflow's other lists are space-separated, and
# CORE="bash coreutils" was one name that matches nothing: the core became the release package
# alone, the run exited 0 with a workload of a third of its size.
[[ "$CORE" != *[[:space:]]* ]] \
  || die "$config: CORE='$CORE': core names are comma-separated (CORE=\"bash,coreutils,...\"), not space-separated"
core_args=()
[ -z "$CORE" ] || core_args+=(--core "$CORE")
[ -z "${RELEASE_PACKAGE+set}" ] || core_args+=(--release-package "$RELEASE_PACKAGE")
[ -z "$PREFER_RELEASE" ] || core_args+=(--prefer-release "$PREFER_RELEASE")
# Steps 4-7 take the source of a name as buildroot-generator does: the same REGEX.
prefer_args=()
[ -z "$PREFER_RELEASE" ] || prefer_args+=(--prefer-release "$PREFER_RELEASE")
[ -z "$PLACEHOLDERS" ] || core_args+=(--placeholders "$PLACEHOLDERS")
source_args=()
for r in $SOURCE_REPOS; do source_args+=(--source-repo "$r"); done
# compose-view's repo overrides (offline runs): ID=URL, a relative directory taken from the top.
view_args=()
for o in $COMPOSE_REPO_OVERRIDES; do
  id=${o%%=*} url=${o#*=}
  case "$url" in /*|*://*) ;; *) url="$top/$url" ;; esac
  view_args+=(--repo-override "$id=$url")
done
for a in $ARCHES; do view_args+=(--arch "$a"); done
# Spec evaluation (steps 4 and 5-7): the binary repos' macro packages (those of the core
# buildroot), then a macro file and 'NAME VALUE' definitions.
macro_args=()
for r in $BINARY_REPOS; do macro_args+=(--repo "$r"); done
[ -z "$CORE" ] || macro_args+=(--core "$CORE")
[ -z "${RELEASE_PACKAGE+set}" ] || macro_args+=(--release-package "$RELEASE_PACKAGE")
[ "$REPO_MACROS" = 1 ] || macro_args+=(--no-repo-macros)
[ -z "$SPEC_MACROS" ] || macro_args+=(--macros "$SPEC_MACROS")
for d in "${SPEC_DEFINES[@]}"; do macro_args+=(--define "$d"); done

# --- Jobs. Every tool runs as a job of its own (set -m while it starts: its own process group),
# so that an interrupt stops it and whatever it started; it holds fd 9 (the lock). Its stderr
# is collected and shown when it ends; when it fails, also kept for failed/error.txt.
interrupted=""
# stop_groups PID...: stops those jobs (each the leader of its process group) and waits until
# their process groups are gone; each job's exit status is left in group_status[PID]. The
# SIGTERM is sent again until each group is gone, not once: one sent while a process of the group
# has it blocked (bash does, around each fork) stays pending on that process alone, and the child
# it is forking misses it (a signal sent to a group reaches only who is in it by then). That child
# (a per-arch job's generator, started as its shell died) would run on, and be killed outright
# only 10 s later. A group whose processes ended but are not reaped yet (zombies, reparented to
# init) still counts: gone means nothing of it is left. 10 s on, what is left gets SIGKILL (and
# 5 s more to be gone). The leaders are waited for last, for their status: this shell reaps each
# as it ends (SIGCHLD), and one that waits for a tool that ignores SIGTERM must not hold up the
# SIGKILL. Its stderr is none: bash reports a job the SIGKILL ended ("line N: PID Killed",
# then the job's code) as it reaps it, which is here, and that is no message of the run's.
declare -A group_status=()
stop_groups() {
  local p groups=() left n rc
  for p in "$@"; do
    kill -TERM -- "-$p" 2> /dev/null && groups+=("$p")
  done
  for ((n = 0; n < 300 && ${#groups[@]} > 0; n++)); do
    sleep 0.05
    left=()
    for p in "${groups[@]}"; do
      if [ "$n" -lt 200 ]; then
        ! kill -TERM -- "-$p" 2> /dev/null || left+=("$p")
      elif [ "$n" = 200 ]; then
        ! kill -KILL -- "-$p" 2> /dev/null || left+=("$p")
      else
        ! kill -0 -- "-$p" 2> /dev/null || left+=("$p")
      fi
    done
    groups=("${left[@]}")
  done
  for p in "$@"; do
    rc=0; wait "$p" || rc=$?
    group_status[$p]=$rc
  done
} 2> /dev/null
# stop_jobs: stops every job still running (the exit trap's; signals are ignored by then).
stop_jobs() {
  local pids=() p own_rc
  mapfile -t pids < <(jobs -p)
  stop_groups "${pids[@]}"
  # A per-arch step's job stopped here leaves no output, as one stopped by per_arch.
  for p in "${pids[@]}"; do
    [ -z "${job_arch[$p]-}" ] || [ "${group_status[$p]}" -le 128 ] || stopped_job "$p" || :
  done
}
on_signal() { # NAME CODE: the exit trap does the rest (stops the jobs, keeps the run as failed/)
  local why=""
  set +m
  trap '' INT TERM HUP PIPE
  interrupted=$1
  # SIGPIPE: a write of the workflow's own to stderr or stdout found its reader gone
  # (`... 2>&1 | head`, a log pipe whose reader died); without this trap bash would die of it
  # halfway through its exit trap, leaving its scratch directory and a wrong error.txt.
  [ "$1" != PIPE ] || why=": the reader of its stderr or stdout went away"
  [ -z "$tmp" ] || printf 'step: %s\nerror: interrupted (SIG%s%s)\n' "${cur_step:-(before the steps)}" "$1" "$why" > "$tmp/error"
  exit "$2"
}
held=""
hold_signals() { # a swap of links or directories must not stop halfway: a signal now is held
  held=""
  trap 'held="INT 130"' INT
  trap 'held="TERM 143"' TERM
  trap 'held="HUP 129"' HUP
}
release_signals() { # the usual traps again; a signal held meanwhile is taken now
  trap 'on_signal INT 130' INT
  trap 'on_signal TERM 143' TERM
  trap 'on_signal HUP 129' HUP
  # shellcheck disable=SC2086
  [ -z "$held" ] || on_signal $held
}
# next_err: a new file name for a command's stderr, err, in the scratch directory (this shell's
# or a per-arch job's: its pid in the name).
n_err=0
next_err() { n_err=$((n_err + 1)); err=$tmp/stderr.$BASHPID.$n_err; }
run_tool() { # [--keep FILE] CMD...: runs CMD as a job and waits for it; returns its exit status
  # (a job reading the terminal would stop: callers give stdin). Its stderr is collected in the
  # scratch directory, not in WORK (a full disk there must not swallow the tool's reason), and
  # shown; with --keep FILE, written to FILE instead and shown only when CMD fails (a FILE that
  # cannot be written fails the call, with cp's message). When it fails, also kept for
  # failed/error.txt.
  local p rc=0 err keep=""
  if [ "$1" = --keep ]; then keep=$2; shift 2; fi
  next_err
  set -m
  "$@" 2> "$err" 7>&- &
  p=$!
  set +m
  wait "$p" || rc=$?
  if [ -n "$keep" ] && ! cp "$err" "$keep" 2> "$err.cp"; then
    cat "$err.cp" >> "$err"
    [ "$rc" != 0 ] || rc=2
  fi
  [ -n "$keep" ] && [ "$rc" = 0 ] || cat "$err" >&2
  [ "$rc" = 0 ] || cat "$err" >> "$tmp/said"
  rm -f "$err" "$err.cp"
  return "$rc"
}

# arch_lines ARCH...: what those arches' jobs said ($tmp/per-arch-ARCH), each line once, prefixed
# with the arches that said it ("x86_64 aarch64: ..."), in the order the arches first said them.
# A dead mirror or repo fails every arch with the same line: one line names it, not one per arch.
arch_lines() {
  local a files=()
  for a in "$@"; do files+=("$tmp/per-arch-$a"); done
  awk 'FNR == 1 { arch = FILENAME; sub(/.*\/per-arch-/, "", arch) }
       { if (!($0 in who)) { order[++n] = $0; who[$0] = arch }
         else if (!(($0, arch) in said)) who[$0] = who[$0] " " arch
         said[$0, arch] = 1 }
       END { for (i = 1; i <= n; i++) print who[order[i]] ": " order[i] }' "${files[@]}"
}

# The per-arch step running: its jobs (pid -> arch) and the directory each writes (OUT, @ARCH@
# for the arch), also for an interrupt's stop (stop_jobs).
declare -A job_arch=()
job_out=""
# stopped_job PID: true when that job, which a stop's signal ended (its status 129 or up), had
# not failed of its own first; its output then goes. Its tool's exit status (job_tool's status
# file) says which: none (no tool had ended yet), 0 (the job was not done), or the stop's
# SIGTERM's 143 is a stopped job; any other is the tool's own failure, left in own_rc. (A 137
# is not the stop's: its SIGKILL goes to the whole job, whose shell then writes no status; a
# tool killed outright by another, the OOM killer say, failed.) The output goes because a tool that swapped it in just as the stop came (it exited 0
# while its job's shell was still showing its stderr, or its SIGTERM came after the swap) left
# it whole in a run that failed, for an arch the report names as stopped. (A tool that got
# the SIGTERM before its swap never makes it: the tools remove what they were building.)
stopped_job() {
  local a=${job_arch[$1]} s=""
  own_rc=""
  { read -r s < "$tmp/per-arch-$a.status"; } 2> /dev/null || :
  case "$s" in
    "" | 0 | 143) rm -rf -- "${job_out//@ARCH@/$a}"; return 0 ;;
    *) own_rc=$s; return 1 ;;
  esac
}

# per_arch LABEL OUT CMD...: runs CMD once per arch in parallel (@ARCH@ replaced by the arch), each
# a job writing OUT; any failure is fatal, naming LABEL and the arches that failed. The first arch
# that fails stops the others at once (their process groups, as an interrupt does; the tools
# remove what they were writing): a damaged repo of one arch is reported when it is found, not
# once the slowest arch has finished. Arches whose tool had failed of its own by then (exit
# 1-128, or a signal but the stop's), even if its job was still showing what it said, are
# named too, in ARCHES order, whatever the order they ended in; those stopped are named as
# such, and their OUT removed (stopped_job). What the arches that ended of their own said is
# shown (and, for those that failed, kept in failed/error.txt), each line prefixed with the
# arches that said it (arch_lines); a stopped arch's partial output is not.
per_arch() {
  local label=$1; job_out=$2; shift 2
  local a p rc failed="" stopped="" ended=() pending=() own_rc
  local -A status=()
  job_arch=()
  # A job's shell ends on SIGTERM once the command it waits for has (the tools end promptly on
  # it, and a command that does not gets SIGKILL): it reaps that command itself. Dying at once,
  # it left the tool to init, whose reaping, slow in some containers (1 s), held up the stop.
  # Its tools run through job_tool, which writes their exit status to per-arch-ARCH.status.
  for a in $ARCHES; do
    rm -f "$tmp/per-arch-$a.status"
    set -m
    ( trap - ERR; trap 'exit 143' TERM; job_status=$tmp/per-arch-$a.status
      exec 2> "$tmp/per-arch-$a" 7>&-; "${@//@ARCH@/$a}" ) &
    job_arch[$!]=$a
    set +m
  done
  # Reaped in the order they end; a trapped signal ends the wait (on_signal stops the rest).
  while [ ${#job_arch[@]} -gt ${#status[@]} ]; do
    pending=()
    for p in "${!job_arch[@]}"; do [ -n "${status[$p]+set}" ] || pending+=("$p"); done
    p="" rc=0
    wait -n -p p "${pending[@]}" || rc=$?
    if [ -z "${p-}" ]; then
      # No job, and p unset: bash 5.2's wait -n says 127 when the last job it waits for ends
      # as it starts waiting (it looks for an ended one, then for a running one: none), seen
      # in a loaded e2e run (set -u ended the workflow there, exit 1). Every job is over
      # then: waited for by pid, each its own status (one that a signal ended, a tool's
      # SIGSEGV, is a failure; no stop was sent).
      for p in "${pending[@]}"; do
        rc=0
        wait "$p" || rc=$?
        status[$p]=$rc
      done
      break
    fi
    status[$p]=$rc
    [ "$rc" = 0 ] || break
  done
  if [ ${#job_arch[@]} -gt ${#status[@]} ]; then
    local running=()
    for p in "${!job_arch[@]}"; do [ -n "${status[$p]+set}" ] || running+=("$p"); done
    stop_groups "${running[@]}"
    for p in "${running[@]}"; do
      rc=${group_status[$p]:-143}
      # 129 and up: the stop's SIGTERM (or SIGKILL) ended the job; below, it ended of its own.
      if [ "$rc" -le 128 ]; then
        status[$p]=$rc
      elif stopped_job "$p"; then
        stopped="$stopped ${job_arch[$p]}"
      else
        status[$p]=$own_rc
      fi
    done
  fi
  for a in $ARCHES; do
    for p in "${!status[@]}"; do
      [ "${job_arch[$p]}" = "$a" ] || continue
      ended+=("$a")
      [ "${status[$p]}" = 0 ] || failed="$failed $a"
    done
  done
  job_arch=()
  [ ${#ended[@]} = 0 ] || arch_lines "${ended[@]}" >&2
  # shellcheck disable=SC2086  # failed: arch names, split on purpose
  [ -z "$failed" ] || arch_lines $failed >> "$tmp/said"
  for a in $ARCHES; do rm -f "$tmp/per-arch-$a" "$tmp/per-arch-$a.status"; done
  [ -z "$failed" ] || die "$label failed for:$failed${stopped:+ (stopped:$stopped)}"
}

skipped_where() { # skipped-repos.txt -> 'REPO (ARCH STEP, ...)' per repo, '; ' between repos
  # ('REPO (groups only: ...)' for a repo whose packages every step kept)
  awk -F '\t' '{ w = ($1 == "-") ? $2 : $1 " " $2
                 if ($4 ~ /^left out: /) whole[$3] = 1
                 if (!($3 in where)) { order[++n] = $3; where[$3] = w }
                 else if (index(", " where[$3] ", ", ", " w ", ") == 0) where[$3] = where[$3] ", " w }
               END { for (i = 1; i <= n; i++) printf "%s%s (%s%s)", (i > 1 ? "; " : ""), order[i],
                       (order[i] in whole) ? "" : "groups only: ", where[order[i]] }' "$1"
}
say_skipped() { # FILE WHO: the last lines of a run whose record FILE (in current/) lists repos
  [ -s "$work/current/$1" ] || return 0
  local where=""
  IFS= read -r where < <(reading; skipped_where "$work/current/$1") || :
  echo "buildroot-workflow: warning: $2 without repos that skip_if_unavailable=1 left out:" \
    "$where; $work/current/$1 says why" >&2
}
compose_input() { # arch -> input: the generator's input file for the compose's sources,
  # input_flags: its flags (arrays and variables, not echoed words: WORK may hold a space)
  input_flags=()
  if [ -r "$COMPOSE_DIR/sources-$1.txt" ]; then
    input="$COMPOSE_DIR/sources-$1.txt"
  elif [ -r "$COMPOSE_DIR/sources.txt" ]; then
    input="$COMPOSE_DIR/sources.txt"
  else
    input="$COMPOSE_DIR/$1.txt" input_flags=(--from-binaries)
  fi
}

file_url() { # VAR PATH: VAR = PATH's file:// URL, percent-encoded as dnf (librepo) decodes it (a
  # space, '%', dnf's '$' variables, non-ASCII bytes: every byte but [A-Za-z0-9/._~-]; LC_ALL=C: bytes)
  local s=$2 out="" c h i
  for ((i = 0; i < ${#s}; i++)); do
    c=${s:i:1}
    case "$c" in
      [A-Za-z0-9/._~-]) out+=$c ;;
      *) printf -v h '%%%02X' "'$c"; out+=$h ;;
    esac
  done
  printf -v "$1" 'file://%s' "$out"
}

archful_repofile() { # repo-dir -> a .repo file giving it priority 1
  local url
  file_url url "$1"
  printf '[archful-source]\nname=per-arch regenerated SRPMs\nbaseurl=%s\npriority=1\n' "$url"
}

# A compose computed from configs brings its placeholders (per arch) unless PLACEHOLDERS is set.
placeholder_args() { # arch -> ph_args: --placeholders FILE, or nothing
  local f="$COMPOSE_DIR/content-resolver/view-placeholder-srpm-details--$VIEW--$1.json"
  ph_args=()
  if [ -z "$PLACEHOLDERS" ] && [ -r "$f" ]; then ph_args=(--placeholders "$f"); fi
}

# The lines of a tool that went on without a repo (skip_if_unavailable=1): the repo left out
# whole, or its groups alone (comps downloaded but unreadable: its packages kept).
skip_re="warning: repo '[^']*'.* (skip_if_unavailable=1)"
# record_skips TOOL ARCH STEP FILE: TOOL's lines in FILE (its stderr) of repos it went on
# without, kept in $skips_file as 'ARCH<TAB>STEP<TAB>REPO<TAB>WHAT' lines for the run's
# skipped-repos.txt, or step 10's verify/skipped-repos.txt (ARCH '-': a step run once for
# every arch; STEP: the run's directory the step wrote, 'verify/compose' holding a '/': '|'
# delimits sed's s). Appended by the arches' jobs at once: each a line or two, one write.
skips_file=""
record_skips() {
  sed -n -e "s|^$1: warning: repo '\([^']*\)' skipped (skip_if_unavailable=1): |$2\t$3\t\1\tleft out: |p" \
    -e "s|^$1: warning: repo '\([^']*\)': its groups left out, its packages kept (skip_if_unavailable=1): |$2\t$3\t\1\tgroups left out, packages kept: |p" \
    "$4" >> "$skips_file"
}

# quiet_but_skips TOOL ARCH STEP CMD...: runs CMD (TOOL's run, without --quiet) with its stderr
# as --quiet would leave it (its errors), but for the lines of repos left out by
# skip_if_unavailable=1: a run that goes on without a repo says so on the workflow's stderr, as
# dnf says "Ignoring repositories" and goes on, since the results are then computed without
# that repo (the tools' other warnings and notes, one per failed source, stay out:
# pass1/ARCH/errors/ has those); and records them (record_skips ARCH STEP). A core name that
# matches no package is said too: a typo in CORE left the name out of every buildroot unsaid;
# and so are step 10's compose names no repo has (a stale compose list: what it names allows
# nothing, one line per arch).
quiet_but_skips() {
  local tool=$1 arch=$2 at=$3
  shift 3
  job_tool drain_quiet "$@"
}
drain_quiet() { # ERR-FILE: quiet_but_skips's part once TOOL has ended (tool, arch, at: its locals)
  # Step 10 keeps that last line in the run too (unknown_file: verify/ARCH/compose-unknown.txt),
  # for the reader of the run the next day; both name the files where they will be (verify/, not
  # the verify.new/ it is built in).
  local unknown_re="^$tool: warning: --only-binaries .*no repository holds a binary of"
  if [ -n "${unknown_file:-}" ] && grep -q "$unknown_re" "$1"; then
    grep "$unknown_re" "$1" > "$unknown_file"
  fi
  sed -e "/^$tool: $skip_re: /b" -e "/^$tool: warning: core name '[^']*' matches no package/b" \
    -e "/$unknown_re/{s|/verify\.new/|/verify/|g;b}" \
    -e "/^$tool: \(warning\|note\): /d" "$1" >&2
  record_skips "$tool" "$arch" "$at" "$1"
}
drain_all() { cat "$1" >&2; } # ERR-FILE: job_tool's drain that shows the whole of it

# job_tool DRAIN CMD...: how a per-arch job runs a tool: CMD, its stderr in a file that DRAIN (a
# function, given the file) then shows; returns CMD's exit status. In a subshell that the stop
# (per_arch's SIGTERM to the job's process group) does not end: as soon as CMD has ended, its
# exit status is written to the job's status file (job_status, which per_arch reads), then
# SIGTERM is ignored while DRAIN runs (its commands inherit that), so a tool that failed just as
# the stop came is named failed, not stopped, and what it said is shown whole whichever job the
# workflow reaped first. The job's shell, which waits for this subshell, takes the stop once it
# has ended (bash runs a trap once the command it waits for has). Until CMD ends a SIGTERM is
# only noted: CMD is not started after one; a CMD running gets it too (its own group's), with
# the default disposition (a trapped signal is reset in a child; an ignored one would not be).
job_tool() {
  local drain=$1 err
  shift
  next_err
  (
    stop=""
    trap 'stop=1' TERM
    [ -z "$stop" ] || exit 143
    rc=0
    # bash's own report of a command a signal ended ("line N: PID Killed ...") is not ours
    # to show: the tool's name and the signal are said instead, after what it said.
    { "$@" 2> "$err" || rc=$?; } 2> /dev/null
    trap '' TERM
    [ "$rc" -le 128 ] || { printf '%s: ended by SIG' "${1##*/}"; kill -l "$((rc - 128))"; } >> "$err"
    echo "$rc" > "$job_status"
    "$drain" "$err"
    rm -f "$err"
    exit "$rc"
  )
}

run_pass() { # pass-name arch [extra args...]
  local pass=$1 a=$2; shift 2
  local input input_flags ph_args
  compose_input "$a"
  placeholder_args "$a"
  quiet_but_skips buildroot-generator "$a" "$pass" "$gen" --arch "$a" "${repo_args[@]//\$basearch/$a}" "${core_args[@]}" \
    "${ph_args[@]}" "$@" "${input_flags[@]}" --view "$VIEW" --output-dir "$run/$pass/$a" < "$input" > /dev/null
}

compose_from_configs() { # dir from: step 2 with compose-view -> DIR/<arch>.txt, DIR/sources-<arch>.txt
  # (FROM: the configs the run's copy was made from; compose-view's messages name the copy)
  local out=$1 from=$2 a cr
  cr="$out/content-resolver"
  mkdir -p "$out"
  run_tool --keep "$out/warnings.txt" "$view_tool" --configs "$COMPOSE_CONFIGS" --view "$VIEW" "${view_args[@]}" \
    --output-dir "$cr" < /dev/null > /dev/null \
    || die "step 2 (compose-view) failed (the config's VIEW and ARCHES, or a file it names in ${COMPOSE_CONFIGS#"$run"/}/, the run's copy of one in $from: fix it there)"
  for a in $ARCHES; do
    cp "$cr/view-binary-package-name-list--$VIEW--$a.txt" "$out/$a.txt"
    cp "$cr/view-source-package-name-list--$VIEW--$a.txt" "$out/sources-$a.txt"
  done
  # A repo left out (or its groups) is said and recorded, as by the other steps.
  grep "^compose-view: $skip_re: " "$out/warnings.txt" >&2 || true
  record_skips compose-view - compose "$out/warnings.txt"
  [ ! -s "$out/warnings.txt" ] || echo "   (compose-view's warnings: ${out#"$run"/}/warnings.txt)" >&2
}

copy_configs() { # from-dir to-dir: the content-resolver configs compose-view reads (its *.yaml, *.json)
  mkdir -p "$2"
  find "$1/" -maxdepth 1 \( -type f -o -type l \) \( -name '*.yaml' -o -name '*.json' \) \
    -exec cp -p -t "$2/" {} +
}

diff_inputs() { # run-dir: workload-diff's inputs (compose and pass 2 per arch, exclude, metadata)
  local a
  diff_args=()
  for a in $ARCHES; do
    diff_args+=(--compose "$a=$COMPOSE_DIR/$a.txt" --buildroot-dir "$a=$1/pass2/$a")
  done
  [ -z "$EXCLUDE_FILE" ] || diff_args+=(--exclude "$EXCLUDE_FILE")
  diff_args+=(--view "$VIEW")
  [ -z "$WORKLOAD_NAME" ] || diff_args+=(--name "$WORKLOAD_NAME")
  [ -z "$WORKLOAD_DESCRIPTION" ] || diff_args+=(--description "$WORKLOAD_DESCRIPTION")
  [ -z "$WORKLOAD_MAINTAINER" ] || diff_args+=(--maintainer "$WORKLOAD_MAINTAINER")
  for l in $WORKLOAD_LABELS; do diff_args+=(--label "$l"); done
}

make_repo() { # arch: steps 5-7 for one arch
  quiet_but_skips create-srpm-repos "$1" repos "$repos_tool" --arch "$1" --cache "$work/srpm-cache" \
    --archful "$run/archful/archful.txt" \
    ${REPOFILE:+--repofile "${REPOFILE//\$basearch/$1}"} ${DNF_CONF:+--dnf-conf "${DNF_CONF//\$basearch/$1}"} \
    "${macro_args[@]}" "${prefer_args[@]}" --out "$run/repos/$1" \
    < "$run/pass1/$1/buildroot-source-package-names.txt"
}

verify_arch() { # run-dir verify-dir arch: step 10's restricted run for one arch -> VERIFY-DIR/ARCH/out
  local base=$1 a=$3 v="$2/$3"
  mkdir -p "$v"
  # Allowed binaries = compose ∪ the workload's packages ∪ its arch_packages[ARCH].
  job_tool drain_all "$diff_tool" --format allowed --compose "$a=$COMPOSE_DIR/$a.txt" \
    --workload "$base/eln-buildroot-workload.yaml" -o "$v/allowed.txt"
  # Everything the compose and the buildroot build (pass 2's sources), with only those binaries.
  cp "$base/pass2/$a/buildroot-source-package-names.txt" "$v/sources.txt"
  archful_repofile "$base/repos/$a" > "$v/archful.repo"
  local ph_args cr_args=() cr="$COMPOSE_DIR/content-resolver/view-binary-package-list--$cr_view--$a.txt"
  # A COMPOSE_DIR read as it is now (--verify-only of a run made before the lists were copied
  # into it) may have fetch-compose's name for it, as step 2 finds it when it copies the lists.
  [ -r "$cr" ] || cr="$COMPOSE_DIR/content-resolver/view-binary-package-list--view-${VIEW#view-}--$a.txt"
  placeholder_args "$a"
  # The compose's NEVRA list, when content-resolver's files are there: the same names as the
  # compose's (so the same allowed set), with its placeholders' packages marked, which the
  # generator's warning about compose names no repo has passes over.
  [ ! -r "$cr" ] || cr_args=(--only-binaries "$cr")
  unknown_file="$v/compose-unknown.txt" \
    quiet_but_skips buildroot-generator "$a" verify "$gen" --arch "$a" "${repo_args[@]//\$basearch/$a}" \
    --repofile "$v/archful.repo" "${source_args[@]}" "${core_args[@]}" "${ph_args[@]}" \
    --only-binaries "$v/allowed.txt" "${cr_args[@]}" --view "$VIEW" --output-dir "$v/out" < "$v/sources.txt" > /dev/null
}

verify_failed=0
vnew=""   # step 10's directory while it is built
verify_run() { # run-dir: step 10, arches in parallel; sets verify_failed=1 when something is missing
  local base a check_args=() rc=0 v f text
  CDPATH='' cd -P -- "$1"
  base=$PWD
  cd "$top"
  # Built in verify.new/, renamed to verify/ when complete: a failure leaves the old verify/.
  v="$base/verify.new"
  rm -rf "$v"
  vnew=$v
  mkdir "$v"
  step "10 verify: compose + workload alone"
  skips_file=$tmp/skips-verify
  : > "$skips_file"
  per_arch "step 10 (verify)" "$v/@ARCH@" verify_arch "$base" "$v" @ARCH@
  for a in $ARCHES; do
    check_args+=(--buildroot-dir "$a=$base/pass2/$a" --verify-dir "$a=$v/$a/out")
  done
  if [ -n "$COMPOSE_CONFIGS" ]; then
    # The new compose: the run's configs with the ELN-Buildroot workload, the view with its labels.
    step "10 verify: the new compose (compose-view with the workload)"
    copy_configs "$COMPOSE_CONFIGS" "$v/configs"
    diff_inputs "$base"
    run_tool "$diff_tool" "${diff_args[@]}" --format workload \
      -o "$v/configs/eln-buildroot-workload.yaml" < /dev/null || die "step 10 (the workload for the new compose) failed"
    local labels=() l
    for l in ${WORKLOAD_LABELS:-eln-buildroot}; do labels+=(--extra-label "$l"); done
    run_tool --keep "$v/compose-warnings.txt" "$view_tool" --configs "$v/configs" --view "$VIEW" \
      "${view_args[@]}" "${labels[@]}" --output-dir "$v/compose" < /dev/null > /dev/null \
      || die "step 10 (compose-view, the new compose) failed"
    # A WORKLOAD_LABELS label no workload has makes the new compose the old one: said here.
    grep -F -e '--extra-label' "$v/compose-warnings.txt" >&2 || true
    grep "^compose-view: $skip_re: " "$v/compose-warnings.txt" >&2 || true
    record_skips compose-view - verify/compose "$v/compose-warnings.txt"
    for a in $ARCHES; do
      check_args+=(--new-compose "$a=$v/compose/view-binary-package-name-list--$VIEW--$a.txt")
    done
  fi
  run_tool "$diff_tool" --format verify "${check_args[@]}" --verify-out "$v" -o "$v/report.txt" < /dev/null || rc=$?
  case $rc in
    0) ;;
    # Exit 1 is its answer, not a failure: what it said is no error of a later step's.
    1) verify_failed=1; rm -f "$tmp/said" ;;
    *) die "step 10 (workload-diff --format verify) failed" ;;
  esac
  # The repos step 10 went on without, sorted (none: no file).
  [ ! -s "$skips_file" ] || LC_ALL=C sort -u "$skips_file" > "$v/skipped-repos.txt"
  skips_file=$tmp/skips
  # The texts name files by where they will be.
  for f in "$v/report.txt" "$v/compose-warnings.txt" "$v"/*/compose-unknown.txt; do
    [ -e "$f" ] || continue
    text=""
    IFS= read -r -d '' text < "$f" || :
    printf '%s' "${text//"$v/"/"$base/verify/"}" > "$f"
  done
  rm -rf "$base/verify.old"
  # The swap is not interrupted: a signal between the two renames would leave no verify/.
  hold_signals
  [ ! -e "$base/verify" ] || mv -T "$base/verify" "$base/verify.old"
  mv -T "$v" "$base/verify"
  vnew=""
  rm -rf "$base/verify.old"
  release_signals
  cat "$base/verify/report.txt" >&2
}

# --- run directories: WORK/runs/<id>; current, last, failed are relative symlinks into runs/.
relink() { # name run-id: points WORK/name at runs/run-id atomically (rename over the old link)
  ln -sfn "runs/$2" "$work/.$1.new"
  mv -fT "$work/.$1.new" "$work/$1"
}
target_of() { # VAR NAME: VAR = the run WORK/NAME points to ('' when none)
  local t=""
  [ ! -L "$work/$2" ] || { IFS= read -r t < <(reading; readlink -- "$work/$2") || :; }
  printf -v "$1" %s "${t##*/}"
}
prune_runs() { # removes runs no link points to (the lock keeps other runs out)
  local keep d c l f
  target_of c current
  target_of l last
  target_of f failed
  keep=" $c $l $f "
  for d in "$work/runs"/*; do
    [ -e "$d" ] || continue
    case "$keep" in *" ${d##*/} "*) ;; *) rm -rf "$d" ;; esac
  done
}

run="" id="" published=0
on_exit() { # stops what still runs; a failed run becomes failed/ (with error.txt), the last line says so
  local rc=$? what="run failed" why="error.txt: why"
  set +eE +m
  trap - ERR
  trap '' INT TERM HUP PIPE
  # To the workflow's stderr, not a file a step's stderr was redirected to when this came.
  exec 2>&7
  stop_jobs
  [ -z "$interrupted" ] || what="interrupted (SIG$interrupted)"
  if [ "$verify_only" = 1 ] && [ -n "$vnew" ]; then
    rm -rf "$vnew"
    [ -n "$interrupted" ] || what="--verify-only failed"
    echo "buildroot-workflow: $what; $work/current/verify/ is unchanged" >&2
  elif [ "$verify_only" = 0 ] && [ "$published" = 0 ] && [ -n "$run" ] && [ -d "$run" ]; then
    [ -s "$tmp/error" ] || printf 'step: %s\nerror: exit status %s\n' "${cur_step:-(before the steps)}" "$rc" > "$tmp/error"
    # A full disk can refuse error.txt, or even the link: the last line says what is there.
    if ! { cp "$tmp/error" "$run/.error.txt.new" && mv -f "$run/.error.txt.new" "$run/error.txt"; }; then
      rm -f "$run/.error.txt.new"
      why="no error.txt, it could not be written: the lines above say why"
    fi
    if relink failed "$id"; then
      prune_runs
      echo "buildroot-workflow: $what; its output is kept in $work/failed/ ($why; current/ is unchanged)" >&2
    else
      echo "buildroot-workflow: $what; its output is kept in $run ($why; current/ is unchanged)" >&2
    fi
  elif [ -n "$interrupted" ] && [ "$verify_only" = 0 ] && [ "$published" = 1 ]; then
    # Past the links' swap the run is whole: what the signal stopped was the pruning of old runs
    # or the printing of diff.txt. A wrapper reading 130 as "nothing published" is told.
    echo "buildroot-workflow: $what after the run was published: $work/current/ is this run" \
      "(runs/$id)" >&2
  elif [ -n "$interrupted" ]; then
    echo "buildroot-workflow: $what" >&2
  fi
  [ -z "$tmp" ] || rm -rf "$tmp"
  exit "$rc"
}
trap on_exit EXIT
trap 'on_signal INT 130' INT
trap 'on_signal TERM 143' TERM
trap 'on_signal HUP 129' HUP
trap 'on_signal PIPE 141' PIPE

if [ "$verify_only" = 1 ]; then
  [ -d "$work/current/pass2" ] || die "$work/current: no finished run to verify (run without --verify-only first)"
  # A computed or fetched compose is part of the run it was made for.
  # So are ready-made lists, copied into it (a run made before the copy reads them as they are).
  [ ! -d "$work/current/compose" ] || COMPOSE_DIR="$work/current/compose"
  verify_run "$work/current"
  say_skipped verify/skipped-repos.txt "step 10 (verify) ran"
  exit $verify_failed
fi

mkdir -p "$work/runs"
# An older layout kept current/ and last/ as directories: move them into runs/ once.
for l in current last; do
  if [ -d "$work/$l" ] && [ ! -L "$work/$l" ]; then
    mv "$work/$l" "$work/runs/old-$l-$$" && relink "$l" "old-$l-$$"
  fi
done

TZ=UTC0 printf -v id '%(%Y%m%dT%H%M%SZ)T-%s' -1 "$$"
run="$work/runs/$id"
mkdir "$run"
cp "$config" "$run/workflow.conf"
skips_file=$tmp/skips
: > "$skips_file"

if [ -n "$COMPOSE_CONFIGS" ]; then
  step "2 compose-view ($VIEW from $COMPOSE_CONFIGS)"
  # The configs as this run reads them, kept: step 10 and --verify-only use this copy.
  copy_configs "$COMPOSE_CONFIGS" "$run/configs"
  configs_from=$COMPOSE_CONFIGS COMPOSE_CONFIGS="$run/configs"
  compose_from_configs "$run/compose" "$configs_from"
  COMPOSE_DIR="$run/compose"
elif [ -n "$COMPOSE_URL" ]; then
  step "2 fetch-compose ($VIEW from $COMPOSE_URL)"
  fetch_args=(); for a in $ARCHES; do fetch_args+=(--arch "$a"); done
  run_tool "$fetch_tool" --url "$COMPOSE_URL" --view "$VIEW" "${fetch_args[@]}" --out "$run/compose" -q \
    < /dev/null || die "step 2 (fetch-compose) failed"
  COMPOSE_DIR="$run/compose"
else
  # Ready-made lists, kept as this run reads them: step 10 and --verify-only use this copy.
  for a in $ARCHES; do
    for f in "$a.txt" "sources-$a.txt" "content-resolver/view-placeholder-srpm-details--$VIEW--$a.json"; do
      [ ! -r "$COMPOSE_DIR/$f" ] || install -D -m 0644 "$COMPOSE_DIR/$f" "$run/compose/$f"
    done
    # The NEVRA list named by VIEW as given, or as fetch-compose names it (VIEW=eln: view-eln),
    # kept under VIEW's name, which step 10 reads.
    for n in "$VIEW" "view-${VIEW#view-}"; do
      f="content-resolver/view-binary-package-list--$n--$a.txt"
      if [ -r "$COMPOSE_DIR/$f" ]; then
        install -D -m 0644 "$COMPOSE_DIR/$f" "$run/compose/content-resolver/view-binary-package-list--$VIEW--$a.txt"
        break
      fi
    done
  done
  [ ! -r "$COMPOSE_DIR/sources.txt" ] || install -D -m 0644 "$COMPOSE_DIR/sources.txt" "$run/compose/sources.txt"
  COMPOSE_DIR="$run/compose"
fi

# content-resolver's lists (fetched, or computed from the configs) checked as COMPOSE_DIR's are
# before the run: an empty one was found only at step 8, after the whole generator pass 1, the
# archful steps and pass 2 had run.
for a in $ARCHES; do
  grep -Eq '^[[:space:]]*[^#[:space:]]' "$COMPOSE_DIR/$a.txt" 2> /dev/null \
    || die "step 2: compose/$a.txt: the compose list for $a names no package (view $VIEW; is it built for $a?)"
done

step "3 buildroot-generator pass 1 ($ARCHES)"
per_arch "step 3 (buildroot-generator pass 1)" "$run/pass1/@ARCH@" run_pass pass1 @ARCH@ "${source_args[@]}"
# Compose sources no source repo has (NoSource) build nothing: name them, as they are easy to miss.
nosource=0
for a in $ARCHES; do
  missing=()
  mapfile -t missing < <(reading; cd "$run/pass1/$a/errors" 2> /dev/null && for f in *-NoSource; do
    [ -e "$f" ] && echo "${f%-NoSource}"; done | LC_ALL=C sort)
  [ ${#missing[@]} -gt 0 ] || continue
  nosource=1
  printf -v list '%s ' "${missing[@]:0:8}"
  [ ${#missing[@]} -le 8 ] || list+="..."
  echo "   warning: $a: ${#missing[@]} compose source(s) in no source repo (NoSource, pass1/$a/errors/):" \
    "$list" >&2
done
if [ "$nosource" = 1 ] && [ -n "$COMPOSE_URL" ] && [ -z "$PLACEHOLDERS" ]; then
  echo "   (content-resolver publishes no placeholder build requirements: a placeholder's" \
    "source is NoSource unless PLACEHOLDERS names them, or COMPOSE_CONFIGS computes the compose)" >&2
fi

step "4 identify-archful-srpms"
mkdir -p "$run/archful"
cat "$run"/pass1/*/buildroot-source-package-names.txt | sort -u > "$run/archful/sources.txt"
arch_args=(); for a in $ARCHES; do arch_args+=(--arch "$a"); done
# Warnings (SRPMs not found, specs decided by the %ifarch grep fallback) go to warnings.txt;
# notes (which macro packages were used, per arch) are shown here. A per-arch REPOFILE or
# DNF_CONF is passed with its $basearch: each arch's macros come from that arch's file, and the
# sources from x86_64's (they are the same on every arch).
# (Its stderr is kept in the scratch directory, not in the run: on a full disk the reason the
# step failed is still shown.) sed, not grep -v: a warnings.txt that cannot be written is an error.
run_tool --keep "$tmp/archful-stderr" "$archful_tool" "${source_args[@]}" ${REPOFILE:+--repofile "$REPOFILE"} \
  ${DNF_CONF:+--dnf-conf "$DNF_CONF"} --cache "$work/srpm-cache" \
  "${arch_args[@]}" "${macro_args[@]}" "${prefer_args[@]}" --map "$run/archful/srpm-map.txt" \
  --json-file "$run/archful/archful.json" < "$run/archful/sources.txt" \
  > "$run/archful/archful.txt" || die "step 4 (identify-archful-srpms) failed"
sed '/^identify-archful-srpms: note: /d' "$tmp/archful-stderr" > "$run/archful/warnings.txt"
# The tool's note on one --arch (ARCHES of one arch: nothing can differ between arches) is worded
# for the workflow's user, who set ARCHES and gave no --arch (shown whatever its words, reworded
# where they are the ones a test pins).
sed -n -e '/^identify-archful-srpms: note: one --arch (/{
  s/^identify-archful-srpms: note: one --arch (\([^)]*\)): /   ARCHES names one arch (\1): /
  s/; give two or more --arch to find them (the SRPM cache is refreshed all the same)$/; name two or more arches in ARCHES (the config) to find them/
  p
  d
}' -e 's/^identify-archful-srpms: note: /   /p' "$tmp/archful-stderr" >&2
# A repo left out (skip_if_unavailable=1) is said here too, and recorded (quiet_but_skips).
grep "^identify-archful-srpms: $skip_re: " "$tmp/archful-stderr" >&2 || true
record_skips identify-archful-srpms - archful "$tmp/archful-stderr"
# Pass 1 built, per name, the source buildroot-generator chose; step 4 cached, and steps 5-7
# regenerate, the one identify-archful-srpms chose, by the same rule and PREFER_RELEASE. A check
# that they agree: where they differ, pass 2 prefers the original SRPM (its header's
# BuildRequires as rpmbuild -bs wrote them on one arch) over the per-arch one, and step 4 judged
# another spec: named in a warning, as that source's pass 2 is not what the steps promise.
sort -u "$run"/pass1/*/buildroot-source-package-nvrs.txt \
  | awk 'FNR == NR { i = index($0, "="); f = substr($0, i + 1); sub(/\.(no)?src\.rpm$/, "", f)
                     cached[substr($0, 1, i - 1)] = f; next }
         { n = $0; sub(/-[^-]*-[^-]*$/, "", n)
           if ((n in cached) && cached[n] != $0)
             print "buildroot-workflow: warning: " n ": pass 1 built " $0 ", steps 4-7 took " cached[n] \
               " (the two tools chose differently; the metadata changed between the steps?):" \
               " pass 2 builds it from the original SRPM, not one regenerated for the arch" }' \
    "$run/archful/srpm-map.txt" - > "$tmp/prefer-mismatch"
if [ -s "$tmp/prefer-mismatch" ]; then
  cat "$tmp/prefer-mismatch" >> "$run/archful/warnings.txt"
  sed 's/^buildroot-workflow: /   /' "$tmp/prefer-mismatch" >&2
fi
[ ! -s "$run/archful/warnings.txt" ] || echo "   (warnings: archful/warnings.txt)" >&2

step "5-7 create-srpm-repos"
# Steps 5-7 read the SRPMs step 4 cached. Each tool holds a shared lock on the cache while it
# runs, so that a run by hand sharing the cache with another list deletes none of them
# (formats.md 2b); this one covers the moments between the tools, up to the end of steps 5-7.
# Waited for as the tools wait, 120 s at most (BUILDROOT_WORKFLOW_LOCK_WAIT seconds): only a run
# deleting SRPMs holds it the other way, for a moment; longer is a stopped or stuck process, and a
# blocking flock would hang the workflow (and put off its SIGTERM) for as long. Without flock(1),
# or a filesystem that gives none, the steps go on unprotected, as the tools do.
if { exec 8< "$work/srpm-cache"; } 2> /dev/null; then
  # A job waited for, not a command: a signal meanwhile ends the wait at once (bash runs a
  # trap only once the command it waits for has ended: lock_wait seconds).
  set -m
  flock -s -w "$lock_wait" -E 75 8 2> /dev/null < /dev/null 7>&- &
  lock_pid=$!
  set +m
  lock_rc=0; wait "$lock_pid" || lock_rc=$?
  [ "$lock_rc" != 75 ] \
    || die "$work/srpm-cache: another run has held this SRPM cache's lock (to delete SRPMs) for $lock_wait s; try again once it is done"
fi
mkdir -p "$run/repos"
per_arch "steps 5-7 (create-srpm-repos)" "$run/repos/@ARCH@" make_repo @ARCH@
exec 8<&-

step "7 buildroot-generator pass 2 (per-arch source repos)"
# Like dep-tracker's dt-archful-source: the per-arch repo at priority 1 wins over the
# original source repos, which stay for sources pass 1 did not see on this arch.
for a in $ARCHES; do archful_repofile "$run/repos/$a" > "$run/repos/$a.repo"; done
per_arch "step 7 (buildroot-generator pass 2)" "$run/pass2/@ARCH@" \
  run_pass pass2 @ARCH@ --repofile "$run/repos/@ARCH@.repo" "${source_args[@]}"

step "8 workload-diff"
diff_inputs "$run"
# The repos steps 2-7 went on without (skip_if_unavailable=1): recorded in the run, sorted (none:
# no file), and said by the change report (changes.md's section, changes.json's
# skipped_repos), whose packages leaving or entering may be theirs; the previous run's too
# (previous_skipped_repos): a repo back brings its packages back.
[ ! -s "$skips_file" ] || LC_ALL=C sort -u "$skips_file" > "$run/skipped-repos.txt"
# The change report compares with the latest published run (it becomes last/ when this one is
# published); a first run has every package entering. What it is compared against is kept in
# this run, previous/ (that run's workload, and its skipped-repos.txt when it has one), and the
# report names the run by its id: later runs prune that run's directory, and the record stays
# whole. (The previous pass 2 directories are read for who needed a package that left; the
# report carries the answer.)
prev_args=()
[ ! -s "$run/skipped-repos.txt" ] || prev_args+=(--skipped-repos "$run/skipped-repos.txt")
if [ -r "$work/current/eln-buildroot-workload.yaml" ]; then
  prev=""
  IFS= read -r prev < <(reading; readlink -f -- "$work/current") || :
  mkdir -p "$run/previous"
  cp "$prev/eln-buildroot-workload.yaml" "$run/previous/eln-buildroot-workload.yaml"
  prev_args+=(--previous "$run/previous/eln-buildroot-workload.yaml" --previous-run "${prev##*/}")
  for a in $ARCHES; do
    [ ! -d "$prev/pass2/$a" ] || prev_args+=(--previous-dir "$a=$prev/pass2/$a")
  done
  if [ -s "$prev/skipped-repos.txt" ]; then
    cp "$prev/skipped-repos.txt" "$run/previous/skipped-repos.txt"
    prev_args+=(--previous-skipped-repos "$run/previous/skipped-repos.txt")
  fi
fi
for f in workload:eln-buildroot-workload.yaml buildroot:buildroot.yaml text:diff.txt \
         changes:changes.md changes-json:changes.json; do
  extra=()
  case "${f%%:*}" in changes*) extra=("${prev_args[@]}") ;; esac
  run_tool "$diff_tool" "${diff_args[@]}" "${extra[@]}" --format "${f%%:*}" -o "$run/${f#*:}" \
    < /dev/null || die "step 8 (workload-diff --format ${f%%:*}) failed"
done

if [ "$verify" = 1 ]; then verify_run "$run"; fi

# Publish: current -> this run (one rename), last -> the previous current; a failed/ from before
# is history now (it goes with prune_runs).
target_of prev current
# A signal between the links would leave them half-swapped: it waits until they are.
hold_signals
published=1
relink current "$id"
[ -z "$prev" ] || relink last "$prev"
rm -f "$work/failed"
release_signals
prune_runs

# The run is published: a reader of stdout that stopped early (| head) is no error, as for the
# tools (cat dies of SIGPIPE, 141); a stdout that cannot be written is said, naming the run.
out_rc=0
cat "$work/current/diff.txt" || out_rc=$?
[ "$out_rc" = 0 ] || [ "$out_rc" = 141 ] \
  || die "standard output: cannot write diff.txt to it (the run is published all the same: $work/current/)"
steps_out="pass1/ pass2/ archful/ repos/"
[ "$verify" = 0 ] || steps_out+=" verify/"
cat >&2 <<EOF
== done. Results in $work/current/ (-> runs/$id):
   eln-buildroot-workload.yaml   the ELN-Buildroot workload (content-resolver format)
   buildroot.yaml                the buildroot document (content-resolver format)
   diff.txt                      what the buildroot adds to the compose, per arch
   changes.md, changes.json      what entered and left the workload since the previous run, and why
   $steps_out   every step's output
EOF
# A run computed without a repo (skip_if_unavailable=1) says so last, where a nightly log's
# reader looks: the run is published (exit 0, as dnf goes on without it), its record says which.
say_skipped skipped-repos.txt "this run was computed"
say_skipped verify/skipped-repos.txt "step 10 (verify) ran"
exit $verify_failed
