#!/usr/bin/env bash
# The ELN Buildroot Generator Workflow, composed from the rpm-buildroot tools.
#
#   scripts/buildroot-workflow.sh --config FILE [--work DIR] [--bin DIR] [--verify-only] [--no-verify]
#
# Steps (../shared/reference/workflow.md):
#   1 compose lists            -> COMPOSE_DIR/<arch>.txt (+ sources.txt)
#   2 buildroot-generator      -> pass1/<arch>/      (per arch, in parallel)
#   3 identify-archful-srpms   -> archful/archful.txt, archful/srpm-map.txt (SRPMs cached in WORK/srpm-cache)
#   4 create-srpm-repos        -> repos/<arch>/      (per-arch source repos, archful SRPMs regenerated)
#   5 buildroot-generator      -> pass2/<arch>/      (per-arch source repos first)
#   6 workload-diff            -> eln-buildroot-workload.yaml, buildroot.yaml, diff.txt
#   7 verify (step 10)         -> verify/<arch>/     (compose + workload alone must build everything)
#
# A run is built in WORK/.run-<pid>; when it succeeds it becomes WORK/current and the previous
# run is kept as WORK/last. Exit codes: 0 success, 1 verify found missing packages, 2 bad usage
# or a failed step.
set -euo pipefail

die() { echo "buildroot-workflow: $*" >&2; exit 2; }
step() { echo "== $*" >&2; }

config="" work="work" bin="" verify_only=0 verify=1
while [ $# -gt 0 ]; do
  case "$1" in
    --config) config="${2:?}"; shift 2 ;;
    --work) work="${2:?}"; shift 2 ;;
    --bin) bin="${2:?}"; shift 2 ;;
    --verify-only) verify_only=1; shift ;;
    --no-verify) verify=0; shift ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (try --help)" ;;
  esac
done
[ -n "$config" ] || die "--config FILE is required"
[ -r "$config" ] || die "$config: cannot read the config file"

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
if [ -z "$bin" ]; then bin="$top/target/release"; fi
for t in buildroot-generator identify-archful-srpms create-srpm-repos workload-diff; do
  [ -x "$bin/$t" ] || die "$bin/$t: not built (run 'make release' or pass --bin DIR)"
done
gen="$bin/buildroot-generator" archful_tool="$bin/identify-archful-srpms"
repos_tool="$bin/create-srpm-repos" diff_tool="$bin/workload-diff"

ARCHES="" BINARY_REPOS="" SOURCE_REPOS="" REPOFILE="" CORE="" RELEASE_PACKAGE=""
PREFER_RELEASE="" PLACEHOLDERS="" COMPOSE_DIR="" EXCLUDE_FILE="" VIEW="view-eln"
WORKLOAD_NAME="" WORKLOAD_DESCRIPTION="" WORKLOAD_MAINTAINER="" WORKLOAD_LABELS="" WORKLOAD_REPOSITORIES=""
# shellcheck disable=SC1090
. "$config"
[ -n "$ARCHES" ] || die "$config: ARCHES is empty"
[ -n "$COMPOSE_DIR" ] || die "$config: COMPOSE_DIR is empty"
for a in $ARCHES; do
  [ -r "$COMPOSE_DIR/$a.txt" ] || die "$COMPOSE_DIR/$a.txt: missing compose list for $a"
done

mkdir -p "$work"
work=$(cd "$work" && pwd)
export LC_ALL=C

# Repository and core options shared by every generator run.
common_args=()
for r in $BINARY_REPOS; do common_args+=(--repo "$r"); done
[ -n "$REPOFILE" ] && common_args+=(--repofile "$REPOFILE")
[ -n "$CORE" ] && common_args+=(--core "$CORE")
[ -n "$RELEASE_PACKAGE" ] && common_args+=(--release-package "$RELEASE_PACKAGE")
[ -n "$PREFER_RELEASE" ] && common_args+=(--prefer-release "$PREFER_RELEASE")
[ -n "$PLACEHOLDERS" ] && common_args+=(--placeholders "$PLACEHOLDERS")
source_args=()
for r in $SOURCE_REPOS; do source_args+=(--source-repo "$r"); done

# Runs "$@" once per arch in parallel (ARCH replaced by the arch); fails if any run fails.
per_arch() {
  local pids=() a
  for a in $ARCHES; do
    ( "${@//@ARCH@/$a}" ) &
    pids+=($!)
  done
  local rc=0 p
  for p in "${pids[@]}"; do wait "$p" || rc=1; done
  return $rc
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

generate() { # arch out-dir [extra args...] < sources
  local a=$1 out=$2; shift 2
  "$gen" --arch "$a" "${common_args[@]}" "$@" --view "$VIEW" --output-dir "$out" -q >/dev/null
}

run_pass() { # pass-name arch [extra args...]
  local pass=$1 a=$2; shift 2
  local input flags
  read -r input flags <<< "$(compose_input "$a")"
  # shellcheck disable=SC2086
  generate "$a" "$run/$pass/$a" "$@" $flags < "$input" || die "$pass: buildroot-generator failed for $a"
}

verify_run() { # dir-with-pass2 -> exit status of verify
  local base=$1 status=0 a
  step "7 verify: compose + workload alone"
  for a in $ARCHES; do
    local v="$base/verify/$a"; mkdir -p "$v"
    # Allowed binaries = compose ∪ workload = compose ∪ (buildroot − excluded).
    local excl=/dev/null; [ -n "$EXCLUDE_FILE" ] && excl="$EXCLUDE_FILE"
    sort -u "$excl" > "$v/excluded.txt"
    comm -23 <(sort -u "$base/pass2/$a/buildroot-binary-package-names.txt") "$v/excluded.txt" \
      | sort -u - "$COMPOSE_DIR/$a.txt" > "$v/allowed.txt"
    local include; include=$(paste -sd, "$v/allowed.txt")
    : > "$v/restricted.repo"
    local r id url
    for r in $BINARY_REPOS; do
      id=${r%%=*} url=${r#*=}
      case "$url" in /*|*://*) ;; *) url="$top/$url" ;; esac
      printf '[%s]\nbaseurl=%s\nincludepkgs=%s\n\n' "$id" "$url" "$include" >> "$v/restricted.repo"
    done
    # Everything the compose and the buildroot build, against the restricted binaries.
    # pass 2's sources include the compose's own (its input) and everything they pulled in.
    cp "$base/pass2/$a/buildroot-source-package-names.txt" "$v/sources.txt"
    archful_repofile "$base/repos/$a" > "$v/archful.repo"
    local vargs=(--arch "$a" --repofile "$v/restricted.repo" --repofile "$v/archful.repo"
                 "${source_args[@]}" --view "$VIEW" --output-dir "$v/out" -q)
    [ -n "$CORE" ] && vargs+=(--core "$CORE")
    [ -n "$RELEASE_PACKAGE" ] && vargs+=(--release-package "$RELEASE_PACKAGE")
    [ -n "$PREFER_RELEASE" ] && vargs+=(--prefer-release "$PREFER_RELEASE")
    "$gen" "${vargs[@]}" < "$v/sources.txt" > /dev/null || die "verify: buildroot-generator failed for $a"
    # Failures that pass 2 did not have are what the workload is missing.
    comm -13 <(ls "$base/pass2/$a/errors" 2>/dev/null | sort) <(ls "$v/out/errors" 2>/dev/null | sort) \
      > "$v/new-failures.txt"
    if [ -s "$v/new-failures.txt" ]; then
      status=1
      echo "verify $a: these sources cannot be built from compose + workload:" >&2
      while read -r f; do
        echo "  ${f%-*}: $(tr '\n' ' ' < "$v/out/errors/$f")" >&2
      done < "$v/new-failures.txt"
    else
      echo "verify $a: ok ($(wc -l < "$v/sources.txt") sources build from $(wc -l < "$v/allowed.txt") allowed binaries)" >&2
    fi
  done
  return $status
}

if [ "$verify_only" = 1 ]; then
  [ -d "$work/current/pass2" ] || die "$work/current: no finished run to verify (run without --verify-only first)"
  verify_run "$work/current"
  exit $?
fi

run="$work/.run-$$"
rm -rf "$run"; mkdir -p "$run"
trap 'rm -rf "$run"' EXIT
cp "$config" "$run/workflow.conf"

step "2 buildroot-generator pass 1 ($ARCHES)"
per_arch run_pass pass1 @ARCH@ "${source_args[@]}"

step "3 identify-archful-srpms"
mkdir -p "$run/archful"
cat "$run"/pass1/*/buildroot-source-package-names.txt | sort -u > "$run/archful/sources.txt"
arch_args=(); for a in $ARCHES; do arch_args+=(--arch "$a"); done
"$archful_tool" "${source_args[@]}" ${REPOFILE:+--repofile "$REPOFILE"} --cache "$work/srpm-cache" \
  "${arch_args[@]}" --map "$run/archful/srpm-map.txt" -q < "$run/archful/sources.txt" \
  > "$run/archful/archful.txt" || die "identify-archful-srpms failed"

step "4 create-srpm-repos"
mkdir -p "$run/repos"
per_arch sh -c '"$0" --arch "$1" --cache "$2" --archful "$3" --out "$4" -q < "$5"' \
  "$repos_tool" @ARCH@ "$work/srpm-cache" "$run/archful/archful.txt" "$run/repos/@ARCH@" \
  "$run/pass1/@ARCH@/buildroot-source-package-names.txt" || die "create-srpm-repos failed"

step "5 buildroot-generator pass 2 (per-arch source repos)"
# Like dep-tracker's dt-archful-source: the per-arch repo at priority 1 wins over the
# original source repos, which stay for sources pass 1 did not see on this arch.
for a in $ARCHES; do archful_repofile "$run/repos/$a" > "$run/repos/$a.repo"; done
per_arch run_pass pass2 @ARCH@ --repofile "$run/repos/@ARCH@.repo" "${source_args[@]}"

step "6 workload-diff"
diff_args=()
for a in $ARCHES; do
  diff_args+=(--compose "$a=$COMPOSE_DIR/$a.txt" --buildroot "$a=$run/pass2/$a/buildroot-binary-package-names.txt"
              --buildroot-dir "$a=$run/pass2/$a")
done
[ -n "$EXCLUDE_FILE" ] && diff_args+=(--exclude "$EXCLUDE_FILE")
meta=(--view "$VIEW")
[ -n "$WORKLOAD_NAME" ] && meta+=(--name "$WORKLOAD_NAME")
[ -n "$WORKLOAD_DESCRIPTION" ] && meta+=(--description "$WORKLOAD_DESCRIPTION")
[ -n "$WORKLOAD_MAINTAINER" ] && meta+=(--maintainer "$WORKLOAD_MAINTAINER")
for l in $WORKLOAD_LABELS; do meta+=(--label "$l"); done
for r in $WORKLOAD_REPOSITORIES; do meta+=(--repository "$r"); done
"$diff_tool" "${diff_args[@]}" "${meta[@]}" --format workload -o "$run/eln-buildroot-workload.yaml"
"$diff_tool" "${diff_args[@]}" "${meta[@]}" --format buildroot -o "$run/buildroot.yaml"
"$diff_tool" "${diff_args[@]}" "${meta[@]}" --format text -o "$run/diff.txt"

status=0
if [ "$verify" = 1 ]; then verify_run "$run" || status=$?; fi

# Publish: previous current -> last, this run -> current.
trap - EXIT
rm -rf "$work/last"
[ -d "$work/current" ] && mv "$work/current" "$work/last"
mv "$run" "$work/current"

cat >&2 <<EOF
== done. Results in $work/current:
   eln-buildroot-workload.yaml   the ELN-Buildroot workload (content-resolver format)
   buildroot.yaml                the buildroot document (content-resolver format)
   diff.txt                      what the buildroot adds to the compose, per arch
   pass1/ pass2/ archful/ repos/ verify/   every step's output
EOF
cat "$work/current/diff.txt"
exit $status
