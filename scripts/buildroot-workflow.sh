#!/usr/bin/env bash
# The ELN Buildroot Generator Workflow, composed from the rpm-buildroot tools.
#
#   scripts/buildroot-workflow.sh --config FILE [--work DIR] [--bin DIR] [--verify-only] [--no-verify]
#
# Steps (../shared/reference/workflow.md):
#   1 compose lists            -> COMPOSE_DIR/<arch>.txt (+ sources.txt)
#   2 buildroot-generator      -> pass1/<arch>/      (per arch, in parallel)
#   3 identify-archful-srpms   -> archful/archful.txt, archful.json, warnings.txt, srpm-map.txt
#                                 (SRPMs cached in WORK/srpm-cache)
#   4 create-srpm-repos        -> repos/<arch>/      (per-arch source repos, archful SRPMs regenerated)
#   5 buildroot-generator      -> pass2/<arch>/      (per-arch source repos first)
#   6 workload-diff            -> eln-buildroot-workload.yaml, buildroot.yaml, diff.txt
#   7 verify (step 10)         -> verify/<arch>/     (compose + the workload YAML alone must build
#                                 everything pass 2 built)
#
# Each run is built in place in WORK/runs/<id>/, so the .repo files it writes stay valid. When
# every step finished, WORK/current (a symlink, swapped atomically) points to it and the previous
# run stays as WORK/last; a failed run is kept as WORK/failed. Older runs are removed.
# Needs python3 (with PyYAML for verify). One run at a time per WORK directory.
#
# Exit codes: 0 success, 1 verify found packages missing from compose + workload (the run is
# still published), 2 bad usage or a failed step (stderr names the step and arch).
# shellcheck disable=SC2329  # functions called through per_arch and traps
set -eEuo pipefail

die() { echo "buildroot-workflow: $*" >&2; exit 2; }
step() { echo "== $*" >&2; }
# Any command that fails without its own message is a failed step, not verify's exit 1.
trap 'die "line $LINENO: unexpected failure of: $BASH_COMMAND"' ERR

config="" work="work" bin="" verify_only=0 verify=1
while [ $# -gt 0 ]; do
  case "$1" in
    --config) config="${2:?}"; shift 2 ;;
    --work) work="${2:?}"; shift 2 ;;
    --bin) bin="${2:?}"; shift 2 ;;
    --verify-only) verify_only=1; shift ;;
    --no-verify) verify=0; shift ;;
    -h|--help) sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (try --help)" ;;
  esac
done
[ -n "$config" ] || die "--config FILE is required"
[ -r "$config" ] || die "$config: cannot read the config file"

top=$(cd "$(dirname "$0")/.." && pwd)
config=$(cd "$(dirname "$config")" && pwd)/$(basename "$config")
cd "$top"
mkdir -p "$work"
work=$(cd "$work" && pwd -P)
if [ -z "$bin" ]; then bin="$top/target/release"; fi
for t in buildroot-generator identify-archful-srpms create-srpm-repos workload-diff; do
  [ -x "$bin/$t" ] || die "$bin/$t: not built (run 'make release' or pass --bin DIR)"
done
gen="$bin/buildroot-generator" archful_tool="$bin/identify-archful-srpms"
repos_tool="$bin/create-srpm-repos" diff_tool="$bin/workload-diff"

ARCHES="" BINARY_REPOS="" SOURCE_REPOS="" REPOFILE="" CORE="" RELEASE_PACKAGE=""
PREFER_RELEASE="" PLACEHOLDERS="" COMPOSE_DIR="" EXCLUDE_FILE="" VIEW="view-eln"
SPEC_MACROS="" SPEC_DEFINES=() REPO_MACROS=1
WORKLOAD_NAME="" WORKLOAD_DESCRIPTION="" WORKLOAD_MAINTAINER="" WORKLOAD_LABELS="" WORKLOAD_REPOSITORIES=""
# shellcheck disable=SC1090
. "$config"
[ -n "$ARCHES" ] || die "$config: ARCHES is empty"
[ -n "$COMPOSE_DIR" ] || die "$config: COMPOSE_DIR is empty"
[ -n "$BINARY_REPOS$REPOFILE" ] || die "$config: neither BINARY_REPOS nor REPOFILE is set"
[ -z "$REPOFILE" ] || [ -r "$REPOFILE" ] || die "$REPOFILE: cannot read the REPOFILE of $config"
for a in $ARCHES; do
  [ -r "$COMPOSE_DIR/$a.txt" ] || die "$COMPOSE_DIR/$a.txt: missing compose list for $a"
done
export LC_ALL=C

# python3 reads the tools' JSON and the workload YAML; the first one with PyYAML wins.
py=""
for p in ${PYTHON:-} python3 /usr/bin/python3; do
  # The interpreter itself, not a wrapper such as pyenv's shim: it runs a few times per arch.
  if py=$("$p" -c 'import sys, yaml; print(sys.executable)' 2>/dev/null) && [ -n "$py" ]; then break; fi
  py=""
done
if [ -z "$py" ]; then
  [ "$verify" = 1 ] && die "verify needs python3 with PyYAML (dnf install python3-pyyaml, apt install python3-yaml) or --no-verify"
  py=python3
  "$py" -c 'import json' 2>/dev/null || die "python3 is needed (to read identify-archful-srpms --json)"
fi

# Small helpers: `helper CMD ARGS...`; errors are one line naming the file, exit 2.
read -r -d '' helper_py <<'PY' || true
import configparser, fnmatch, json, sys

def fail(msg):
    sys.exit("buildroot-workflow: " + msg)

def names_of(path):
    try:
        with open(path) as f:
            return [l.strip() for l in f if l.strip() and not l.lstrip().startswith("#")]
    except OSError as e:
        fail(f"{path}: {e.strerror}")

cmd, args = sys.argv[1], sys.argv[2:]
if cmd == "archful":  # JSON -> archful names on stdout; "fallback"/"missing" lines on stderr
    path, = args
    try:
        doc = json.load(open(path))
        names = sorted(r["name"] for r in doc["archful"])
        fallback, missing = doc["grep_fallback"], doc["missing"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        fail(f"{path}: not identify-archful-srpms --json output ({e})")
    print("\n".join(names), end="\n" if names else "")
    if fallback:
        print(f"step 3: {len(fallback)} spec(s) not evaluated, decided by the %ifarch grep fallback: "
              + " ".join(fallback), file=sys.stderr)
    if missing:
        print(f"step 3: {len(missing)} source name(s) without an SRPM: " + " ".join(missing), file=sys.stderr)
elif cmd == "allowed":  # workload.yaml arch compose.txt -> compose ∪ packages ∪ arch_packages[arch]
    import yaml
    path, arch, compose = args
    try:
        doc = yaml.safe_load(open(path))
    except (OSError, yaml.YAMLError) as e:
        fail(f"{path}: cannot read the workload ({e})")
    if not isinstance(doc, dict) or doc.get("document") != "feedback-pipeline-workload":
        fail(f"{path}: not a feedback-pipeline-workload document")
    data = doc.get("data") or {}
    per_arch = data.get("arch_packages") or {}
    if not isinstance(data.get("packages") or [], list) or not isinstance(per_arch, dict):
        fail(f"{path}: data.packages must be a list and data.arch_packages a map")
    allowed = set(map(str, data.get("packages") or [])) | set(map(str, per_arch.get(arch) or []))
    allowed |= set(names_of(compose))
    print("\n".join(sorted(allowed)))
elif cmd == "restrict":  # repofile allowed.txt -> the repofile, binaries limited to allowed.txt
    path, allowed = args
    cp = configparser.RawConfigParser(strict=False, interpolation=None, delimiters=("=",),
                                      comment_prefixes=("#", ";"), inline_comment_prefixes=None)
    try:
        with open(path) as f:
            cp.read_file(f)
    except (OSError, configparser.Error) as e:
        fail(f"{path}: cannot read the .repo file ({e})")
    for sec in cp.sections():
        if sec == "main":
            continue
        kv = dict(cp.items(sec))
        # Source sections stay as they are; in the others, sources (*.src) stay and binaries
        # are limited to the allowed names that the section's own includepkgs (if any) admits.
        if not sec.endswith("-source"):
            own = kv.get("includepkgs", "").replace(",", " ").split()
            names = [n for n in names_of(allowed) if not own or any(fnmatch.fnmatchcase(n, g) for g in own)]
            kv["includepkgs"] = ",".join(names + ["*.src"])
        print(f"[{sec}]")
        for k, v in kv.items():
            print(f"{k}={' '.join(v.split())}")
        print()
else:
    fail(f"internal: unknown helper command {cmd}")
PY
helper() { "$py" -c "$helper_py" "$@"; }

# Repository and core options shared by every generator run.
repo_args=()
for r in $BINARY_REPOS; do repo_args+=(--repo "$r"); done
[ -z "$REPOFILE" ] || repo_args+=(--repofile "$REPOFILE")
core_args=()
[ -z "$CORE" ] || core_args+=(--core "$CORE")
[ -z "$RELEASE_PACKAGE" ] || core_args+=(--release-package "$RELEASE_PACKAGE")
[ -z "$PREFER_RELEASE" ] || core_args+=(--prefer-release "$PREFER_RELEASE")
[ -z "$PLACEHOLDERS" ] || core_args+=(--placeholders "$PLACEHOLDERS")
source_args=()
for r in $SOURCE_REPOS; do source_args+=(--source-repo "$r"); done
# Spec evaluation (steps 3 and 4): the binary repos' macro packages (those of the core
# buildroot), then a macro file and 'NAME VALUE' definitions.
macro_args=()
for r in $BINARY_REPOS; do macro_args+=(--repo "$r"); done
[ -z "$CORE" ] || macro_args+=(--core "$CORE")
[ -z "$RELEASE_PACKAGE" ] || macro_args+=(--release-package "$RELEASE_PACKAGE")
[ "$REPO_MACROS" = 1 ] || macro_args+=(--no-repo-macros)
[ -z "$SPEC_MACROS" ] || macro_args+=(--macros "$SPEC_MACROS")
for d in "${SPEC_DEFINES[@]}"; do macro_args+=(--define "$d"); done

# per_arch LABEL CMD...: runs CMD once per arch in parallel (@ARCH@ replaced by the arch); any
# failure is fatal, naming LABEL and the arches that failed.
per_arch() {
  local label=$1; shift
  local pids=() a failed=""
  for a in $ARCHES; do
    ( trap - ERR; "${@//@ARCH@/$a}" ) &
    pids+=($!)
  done
  local i=0
  for a in $ARCHES; do
    wait "${pids[$i]}" || failed="$failed $a"
    i=$((i + 1))
  done
  [ -z "$failed" ] || die "$label failed for:$failed"
}

compose_input() { # arch -> the generator's input file and flags for the compose's sources
  if [ -r "$COMPOSE_DIR/sources.txt" ]; then
    echo "$COMPOSE_DIR/sources.txt"
  else
    echo "$COMPOSE_DIR/$1.txt --from-binaries"
  fi
}

archful_repofile() { # repo-dir -> a .repo file giving it priority 1
  printf '[archful-source]\nname=per-arch regenerated SRPMs\nbaseurl=file://%s\npriority=1\n' "$1"
}

run_pass() { # pass-name arch [extra args...]
  local pass=$1 a=$2; shift 2
  local input flags
  read -r input flags <<< "$(compose_input "$a")"
  # shellcheck disable=SC2086
  "$gen" --arch "$a" "${repo_args[@]}" "${core_args[@]}" "$@" $flags --view "$VIEW" \
    --output-dir "$run/$pass/$a" -q < "$input" > /dev/null
}

make_repo() { # arch: step 4 for one arch
  "$repos_tool" --arch "$1" --cache "$work/srpm-cache" --archful "$run/archful/archful.txt" \
    ${REPOFILE:+--repofile "$REPOFILE"} "${macro_args[@]}" --out "$run/repos/$1" -q \
    < "$run/pass1/$1/buildroot-source-package-names.txt"
}

# The problem lines of verify's error file for a source that pass 2's error file lacks
# (without BadDeps' banner lines).
new_problems() { # verify-error-file pass2-errors-dir source
  local old=() f
  for f in "$2/$3"-*; do
    if [ -e "$f" ] && [ "$(basename "${f%-*}")" = "$3" ]; then old+=("$f"); fi
  done
  comm -13 <(cat /dev/null "${old[@]}" | sort -u) <(sort -u "$1") | grep -v -e '^=*$' -e "^ERROR: $3\$" -e '^conflicting requests$' || true
}

verify_arch() { # run-dir arch: step 10 for one arch -> verify/ARCH/new-failures.txt
  local base=$1 a=$2 f src problems r id url include
  local v="$base/verify/$a"
  rm -rf "$v"; mkdir -p "$v"
  # Allowed binaries = compose ∪ the workload's packages ∪ its arch_packages[ARCH].
  helper allowed "$base/eln-buildroot-workload.yaml" "$a" "$COMPOSE_DIR/$a.txt" > "$v/allowed.txt"
  : > "$v/restricted.repo"
  include=$(paste -sd, "$v/allowed.txt")
  for r in $BINARY_REPOS; do
    id=${r%%=*} url=${r#*=}
    case "$url" in /*|*://*) ;; *) url="$top/$url" ;; esac
    printf '[%s]\nbaseurl=%s\nincludepkgs=%s\n\n' "$id" "$url" "$include" >> "$v/restricted.repo"
  done
  [ -z "$REPOFILE" ] || helper restrict "$REPOFILE" "$v/allowed.txt" >> "$v/restricted.repo"
  # Everything the compose and the buildroot build, against the restricted binaries.
  # pass 2's sources include the compose's own (its input) and everything they pulled in.
  cp "$base/pass2/$a/buildroot-source-package-names.txt" "$v/sources.txt"
  archful_repofile "$base/repos/$a" > "$v/archful.repo"
  "$gen" --arch "$a" --repofile "$v/restricted.repo" --repofile "$v/archful.repo" \
    "${source_args[@]}" "${core_args[@]}" --view "$VIEW" --output-dir "$v/out" -q \
    < "$v/sources.txt" > /dev/null
  # What the workload is missing: problems pass 2 did not have, also for sources that
  # already failed there (a new missing dependency of a broken source still counts).
  : > "$v/new-failures.txt"
  for f in "$v/out/errors"/*; do
    [ -e "$f" ] || continue
    src=$(basename "${f%-*}")
    problems=$(new_problems "$f" "$base/pass2/$a/errors" "$src")
    # NoInstall lines already start with "SRC: "; give the others that prefix too.
    [ -z "$problems" ] || printf '%s\n' "$problems" \
      | awk -v p="$src: " 'index($0, p) == 1 { print; next } { print p $0 }' >> "$v/new-failures.txt"
  done
}

verify_failed=0
verify_run() { # run-dir: step 10, arches in parallel; sets verify_failed=1 when something is missing
  local base a v
  base=$(cd "$1" && pwd -P)
  step "7 verify: compose + workload alone"
  per_arch "step 7 (verify)" verify_arch "$base" @ARCH@
  for a in $ARCHES; do
    v="$base/verify/$a"
    if [ -s "$v/new-failures.txt" ]; then
      verify_failed=1
      echo "verify $a: these sources cannot be built from compose + workload (verify/$a/new-failures.txt):" >&2
      sed 's/^/  /' "$v/new-failures.txt" >&2
    else
      echo "verify $a: ok ($(wc -l < "$v/sources.txt") sources build from $(wc -l < "$v/allowed.txt") allowed binaries)" >&2
    fi
  done
}

# One run at a time: runs share WORK/srpm-cache and rotate current/last/failed.
exec 9> "$work/.lock"
flock -n 9 || die "$work: another buildroot-workflow run is using it"

if [ "$verify_only" = 1 ]; then
  [ -d "$work/current/pass2" ] || die "$work/current: no finished run to verify (run without --verify-only first)"
  verify_run "$work/current"
  exit $verify_failed
fi

# --- run directories: WORK/runs/<id>; current, last, failed are relative symlinks into runs/.
mkdir -p "$work/runs"
relink() { # name run-id: points WORK/name at runs/run-id atomically (rename over the old link)
  ln -sfn "runs/$2" "$work/.$1.new"
  mv -fT "$work/.$1.new" "$work/$1"
}
target_of() { [ -L "$work/$1" ] && basename "$(readlink "$work/$1")" || true; }
prune_runs() { # removes runs no link points to (the lock keeps other runs out)
  local keep d
  keep=" $(target_of current) $(target_of last) $(target_of failed) "
  for d in "$work/runs"/*; do
    [ -e "$d" ] || continue
    case "$keep" in *" ${d##*/} "*) ;; *) rm -rf "$d" ;; esac
  done
}
# An older layout kept current/ and last/ as directories: move them into runs/ once.
for l in current last; do
  if [ -d "$work/$l" ] && [ ! -L "$work/$l" ]; then
    mv "$work/$l" "$work/runs/old-$l-$$" && relink "$l" "old-$l-$$"
  fi
done

id="$(date -u +%Y%m%dT%H%M%SZ)-$$"
run="$work/runs/$id"
published=0
on_exit() {
  local rc=$?
  if [ "$published" = 0 ] && [ -d "$run" ]; then
    relink failed "$id"
    prune_runs
    echo "buildroot-workflow: run failed; its output is kept in $work/failed/ (current/ is unchanged)" >&2
  fi
  exit "$rc"
}
trap on_exit EXIT
mkdir "$run"
cp "$config" "$run/workflow.conf"

step "2 buildroot-generator pass 1 ($ARCHES)"
per_arch "step 2 (buildroot-generator pass 1)" run_pass pass1 @ARCH@ "${source_args[@]}"

step "3 identify-archful-srpms"
mkdir -p "$run/archful"
cat "$run"/pass1/*/buildroot-source-package-names.txt | sort -u > "$run/archful/sources.txt"
arch_args=(); for a in $ARCHES; do arch_args+=(--arch "$a"); done
# Warnings (SRPMs not found, specs decided by the %ifarch grep fallback) go to warnings.txt;
# notes (which macro packages were used, per arch) are shown here.
"$archful_tool" "${source_args[@]}" ${REPOFILE:+--repofile "$REPOFILE"} --cache "$work/srpm-cache" \
  "${arch_args[@]}" "${macro_args[@]}" --map "$run/archful/srpm-map.txt" --json \
  < "$run/archful/sources.txt" > "$run/archful/archful.json" 2> "$run/archful/stderr.txt" \
  || { cat "$run/archful/stderr.txt" >&2; die "step 3 (identify-archful-srpms) failed"; }
grep -v '^identify-archful-srpms: note: ' "$run/archful/stderr.txt" > "$run/archful/warnings.txt" || true
sed -n 's/^identify-archful-srpms: note: /   /p' "$run/archful/stderr.txt" >&2
rm -f "$run/archful/stderr.txt"
helper archful "$run/archful/archful.json" > "$run/archful/archful.txt" \
  || die "step 3 (identify-archful-srpms): cannot read its JSON"
[ ! -s "$run/archful/warnings.txt" ] || echo "   (warnings: archful/warnings.txt)" >&2

step "4 create-srpm-repos"
mkdir -p "$run/repos"
per_arch "step 4 (create-srpm-repos)" make_repo @ARCH@

step "5 buildroot-generator pass 2 (per-arch source repos)"
# Like dep-tracker's dt-archful-source: the per-arch repo at priority 1 wins over the
# original source repos, which stay for sources pass 1 did not see on this arch.
for a in $ARCHES; do archful_repofile "$run/repos/$a" > "$run/repos/$a.repo"; done
per_arch "step 5 (buildroot-generator pass 2)" \
  run_pass pass2 @ARCH@ --repofile "$run/repos/@ARCH@.repo" "${source_args[@]}"

step "6 workload-diff"
diff_args=()
for a in $ARCHES; do
  diff_args+=(--compose "$a=$COMPOSE_DIR/$a.txt" --buildroot "$a=$run/pass2/$a/buildroot-binary-package-names.txt"
              --buildroot-dir "$a=$run/pass2/$a")
done
[ -z "$EXCLUDE_FILE" ] || diff_args+=(--exclude "$EXCLUDE_FILE")
meta=(--view "$VIEW")
[ -z "$WORKLOAD_NAME" ] || meta+=(--name "$WORKLOAD_NAME")
[ -z "$WORKLOAD_DESCRIPTION" ] || meta+=(--description "$WORKLOAD_DESCRIPTION")
[ -z "$WORKLOAD_MAINTAINER" ] || meta+=(--maintainer "$WORKLOAD_MAINTAINER")
for l in $WORKLOAD_LABELS; do meta+=(--label "$l"); done
for r in $WORKLOAD_REPOSITORIES; do meta+=(--repository "$r"); done
for f in workload:eln-buildroot-workload.yaml buildroot:buildroot.yaml text:diff.txt; do
  "$diff_tool" "${diff_args[@]}" "${meta[@]}" --format "${f%%:*}" -o "$run/${f#*:}" \
    || die "step 6 (workload-diff --format ${f%%:*}) failed"
done

if [ "$verify" = 1 ]; then verify_run "$run"; fi

# Publish: current -> this run (one rename), last -> the previous current.
prev=$(target_of current)
relink current "$id"
published=1
[ -z "$prev" ] || relink last "$prev"
prune_runs

cat "$work/current/diff.txt"
cat >&2 <<EOF
== done. Results in $work/current/ (-> runs/$id):
   eln-buildroot-workload.yaml   the ELN-Buildroot workload (content-resolver format)
   buildroot.yaml                the buildroot document (content-resolver format)
   diff.txt                      what the buildroot adds to the compose, per arch
   pass1/ pass2/ archful/ repos/ verify/   every step's output
EOF
exit $verify_failed
