#!/usr/bin/env bash
# End-to-end test of the whole workflow on the shipped test data (run by `make test`):
# the ELN-Buildroot workload's packages and arch_packages are asserted exactly, the YAML is
# parsed back, step 10's verify must pass (with BINARY_REPOS, a REPOFILE-only and a DNF_CONF-only config)
# and must fail on what the workload YAML lacks, kept .repo files stay valid, current/ is
# swapped atomically and the previous run kept as last/, failed steps exit 2 and are kept as
# failed/ (with error.txt) until a later run is published, configuration mistakes are refused
# before any step, SIGTERM and Ctrl-C stop the per-arch tools and release the lock (and say so
# on stderr, in step 4 too; a reader of stderr gone is SIGPIPE's 141, one of stdout no error), the
# next run removes a SIGKILLed run's scratch directory (one killed while its config was read
# too: the config's stderr is in it) but not a live run's, a
# full disk in step 4 shows the tool's reason, a failed or
# interrupted --verify-only leaves the published verify/ as it was, relative --work and --bin
# are the caller's, a WORK path with a space works, the archful step records its JSON, warnings
# and the spec macros of the config, and `make demo` (the compose from content-resolver configs,
# twice) writes its change report, has step 10 report the package it leaves out on purpose, and
# --verify-only reads the configs the run read, not today's.
set -euo pipefail
# SIGINT ignored on entry (a background job of a shell without job control: `make test &` in a
# script, `nohup make test &`) is inherited by every workflow this script starts, and bash can
# neither trap nor reset a signal ignored on entry: the cases that send one a SIGINT failed (the
# signal lost, the run going on). So this starts again with SIGINT at its default (GNU env), or
# says why it cannot in one line.
sigint_ignored() { local m; m=$(awk '/^SigIgn:/ { print $2 }' /proc/$$/status 2> /dev/null) && [ -n "$m" ] && (( 16#$m & 2 )); }
if sigint_ignored; then
  [ -n "${E2E_SIGINT_RESET-}" ] || ! env --default-signal=INT true 2> /dev/null \
    || exec env --default-signal=INT E2E_SIGINT_RESET=1 "$0" "$@"
  echo "e2e: FAIL: started with SIGINT ignored, which the workflows it starts would inherit (run it in the foreground)" >&2
  exit 1
fi
cd "$(dirname "$0")/.."
# The tools to test: a directory of built binaries (default: the release build).
bin=$(cd "${1:-${CARGO_TARGET_DIR:-target}/release}" && pwd)
wf() { scripts/buildroot-workflow.sh --bin "$bin" "$@"; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The tools' cache (pools, a 127.0.0.1 server's metadata) is the test's, not the user's
# ~/.cache/rpm-buildroot; removed with the rest.
export XDG_CACHE_HOME="$work/xdg"
fail() { echo "e2e: FAIL: $*" >&2; exit 1; }
py=python3
/usr/bin/python3 -c 'import yaml' 2>/dev/null && py=/usr/bin/python3
conf() { # out-file KEY=VALUE...: testdata/workflow.conf with those keys replaced
  local out=$1 kv; shift
  cp testdata/workflow.conf "$out"
  for kv in "$@"; do
    grep -q "^${kv%%=*}=" "$out" || echo "${kv%%=*}=" >> "$out"
    KV="$kv" "$py" -c 'import os, re, sys
k, v = os.environ["KV"].split("=", 1); p = sys.argv[1]; s = open(p).read()
open(p, "w").write(re.sub("^" + k + "=.*$", lambda m: k + "=" + v, s, count=1, flags=re.M))' "$out"
  done
}
baseurls_exist() { # .repo files...: every file:// baseurl (%XX decoded) is an existing directory
  local f u
  for f in "$@"; do
    [ -s "$f" ] || fail "missing .repo file $f"
    while IFS= read -r u; do
      u=${u#baseurl=file://}
      u=${u//\$basearch/x86_64}
      printf -v u '%b' "${u//%/\\x}"
      [ -d "$u" ] || fail "$f: baseurl $u does not exist"
    done < <(grep '^baseurl=file://' "$f")
  done
}

wf --config testdata/workflow.conf --work "$work" > "$work/stdout" 2> "$work/stderr" \
  || { cat "$work/stderr" >&2; fail "the workflow failed"; }
cur="$work/current"
for f in eln-buildroot-workload.yaml buildroot.yaml diff.txt archful/archful.txt archful/archful.json \
         pass1/x86_64/buildroot-binary-package-names.txt pass2/aarch64/buildroot-binary-package-names.txt \
         repos/x86_64/repodata/repomd.xml repos/aarch64/repodata/repomd.xml; do
  [ -s "$cur/$f" ] || fail "missing or empty: $f"
done
[ "$(cat "$cur/archful/archful.txt")" = "libjpeg-turbo" ] || fail "archful list: $(cat "$cur/archful/archful.txt")"
[ -e "$cur/archful/warnings.txt" ] && [ ! -s "$cur/archful/warnings.txt" ] \
  || fail "archful/warnings.txt should exist and be empty: $(cat "$cur/archful/warnings.txt" 2>&1)"
grep -q "Results in $work/current/" "$work/stderr" || fail "the run did not say where its results are"
# Kept .repo files point at directories that exist after publishing.
baseurls_exist "$cur"/repos/*.repo "$cur"/verify/*/archful.repo

$py - "$cur" <<'PY'
import json, sys, yaml
cur = sys.argv[1]
w = yaml.safe_load(open(cur + "/eln-buildroot-workload.yaml"))
assert w["document"] == "feedback-pipeline-workload", w["document"]
assert w["version"] == 1
d = w["data"]
common = ("binutils bzip2 bzip2-devel cpio cpp curl-minimal diffutils docbook-style-xsl eln-rpm-config "
          "fedora-release-eln findutils gawk gcc glibc-devel grep gzip info libgcc libjpeg-turbo-devel libxml2 "
          "libxml2-devel make ncurses-devel ncurses-libs patch python-srpm-macros python3-devel python3-rpm-macros "
          "python3-setuptools redhat-rpm-config "
          "rpm rpm-build sed shadow-utils tar unzip util-linux which xz zlib-devel").split()
assert d["packages"] == common, ("packages", sorted(set(d["packages"]) ^ set(common)))
arch = {k: (v or []) for k, v in d["arch_packages"].items()}
assert arch == {"aarch64": [], "x86_64": ["nasm"]}, arch
# Exactly the keys content-resolver's workload loader accepts and reads (docs/formats.md section 4).
assert sorted(w) == ["data", "document", "version"], sorted(w)
assert sorted(d) == ["arch_packages", "description", "labels", "maintainer", "name", "packages"], sorted(d)
assert d["labels"] == ["eln-buildroot"], d["labels"]
b = yaml.safe_load(open(cur + "/buildroot.yaml"))
assert b["document"] == "feedback-pipeline-buildroot"
bd = b["data"]
assert sorted(bd) == ["base_buildroot", "maintainer", "source_packages", "view_id"], sorted(bd)
assert "rpm-build" in bd["base_buildroot"]["x86_64"]
assert bd["source_packages"]["x86_64"]["libjpeg-turbo"]["requires"] == ["binutils", "cpp", "gcc", "glibc-devel", "libgcc", "nasm"], bd["source_packages"]["x86_64"]["libjpeg-turbo"]
assert "nasm" not in bd["source_packages"]["aarch64"]["libjpeg-turbo"]["requires"]
import os
failed = {a: sorted({f.rsplit("-", 1)[0] for f in os.listdir(f"{cur}/pass2/{a}/errors")}) for a in ("aarch64", "x86_64")}
assert failed == {"aarch64": ["broken", "compat-32", "conflicted"], "x86_64": ["broken", "conflicted"]}, failed
a = json.load(open(cur + "/archful/archful.json"))
assert [r["name"] for r in a["archful"]] == ["libjpeg-turbo"] and a["grep_fallback"] == [], a
# Steps 4 and 5-7 read the specs with the binary repos' macro packages, per arch.
for arch in ("x86_64", "aarch64"):
    m = a["macros"][arch]
    assert m["from"] == "repos" and [p.rsplit("-", 2)[0] for p in m["packages"]] == [
        "eln-rpm-config", "python-srpm-macros", "redhat-rpm-config"], m
# Verify's allowed set is compose + the workload YAML's packages + arch_packages[ARCH].
compose = {l.strip() for l in open("testdata/compose/x86_64.txt") if l.strip()}
allowed = set(open(cur + "/verify/x86_64/allowed.txt").read().split())
assert allowed == compose | set(common) | {"nasm"}, sorted(allowed ^ (compose | set(common) | {"nasm"}))
print("e2e: workload, buildroot YAML and archful JSON as expected")
PY

# COMPOSE_URL: the same compose as content-resolver publishes it (sorted, no final newline), from a
# directory and from a 127.0.0.1 server, gives the same workload and buildroot documents.
cr="$work/content-resolver"; mkdir -p "$cr"
names() { grep -v '^#' "$1" | sed '/^$/d' | LC_ALL=C sort -u; }
for a in x86_64 aarch64; do
  printf '%s' "$(names "testdata/compose/$a.txt")" > "$cr/view-binary-package-name-list--view-eln--$a.txt"
  printf '%s' "$(names testdata/compose/sources.txt)" > "$cr/view-source-package-name-list--view-eln--$a.txt"
  # The NEVRA list (versions made up: only the names and placeholder marks are read).
  printf '%s' "$(names "testdata/compose/$a.txt" | sed "s/\$/-1-1.$a/")" > "$cr/view-binary-package-list--view-eln--$a.txt"
done
"$py" -u -m http.server --bind 127.0.0.1 --directory "$cr" 0 > "$work/http.log" 2>&1 &
http_pid=$!
trap 'kill "$http_pid" 2>/dev/null; rm -rf "$work"' EXIT
port=""
# Polled up to 60 s (a loaded CI starts python slowly); it is ready long before, as a rule.
for _ in $(seq 600); do
  port=$(sed -n 's/.*port \([0-9][0-9]*\).*/\1/p' "$work/http.log" 2> /dev/null | head -1) || true
  [ -n "$port" ] && break; sleep 0.1
done
[ -n "$port" ] || fail "the test HTTP server did not start: $(cat "$work/http.log")"
for url in "$cr" "http://127.0.0.1:$port/"; do
  conf "$work/url.conf" "COMPOSE_DIR=" "COMPOSE_URL=$url"
  rm -rf "$work/w-url"
  wf --config "$work/url.conf" --work "$work/w-url" --no-verify > /dev/null 2> "$work/url.err" \
    || { cat "$work/url.err" >&2; fail "COMPOSE_URL=$url: the workflow failed"; }
  grep -q "2 fetch-compose (view-eln from $url)" "$work/url.err" || fail "COMPOSE_URL=$url: no fetch step"
  for f in eln-buildroot-workload.yaml buildroot.yaml; do
    cmp -s "$cur/$f" "$work/w-url/current/$f" || fail "COMPOSE_URL=$url: $f differs from the COMPOSE_DIR run"
  done
  [ -s "$work/w-url/current/compose/sources-x86_64.txt" ] || fail "COMPOSE_URL=$url: the compose is not kept in the run"
done
grep -q "GET /view-source-package-name-list--view-eln--aarch64.txt" "$work/http.log" \
  || fail "the server was not asked for the source list: $(cat "$work/http.log")"
conf "$work/both.conf" "COMPOSE_URL=$cr"
rc=0; wf --config "$work/both.conf" --work "$work/w-url" > /dev/null 2> "$work/both.err" || rc=$?
[ "$rc" = 2 ] && grep -q "more than one of COMPOSE_DIR, COMPOSE_CONFIGS and COMPOSE_URL is set" "$work/both.err" \
  || { cat "$work/both.err" >&2; fail "COMPOSE_DIR with COMPOSE_URL exited $rc"; }
conf "$work/noview.conf" "COMPOSE_DIR=" "COMPOSE_URL=$cr" "VIEW=view-nothing"
rc=0; wf --config "$work/noview.conf" --work "$work/w-url" > /dev/null 2> "$work/noview.err" || rc=$?
[ "$rc" = 2 ] && grep -q "view-binary-package-name-list--view-nothing--x86_64.txt: content-resolver publishes no such list" "$work/noview.err" \
  || { cat "$work/noview.err" >&2; fail "an unpublished VIEW exited $rc"; }
# An empty published list is refused after step 2, as an empty COMPOSE_DIR list is before the
# run; it was found only at step 8, after every generator and archful step.
cp -r "$cr" "$work/cr-empty"; : > "$work/cr-empty/view-binary-package-name-list--view-eln--aarch64.txt"
conf "$work/empty.conf" "COMPOSE_DIR=" "COMPOSE_URL=$work/cr-empty"
rc=0; wf --config "$work/empty.conf" --work "$work/w-empty" > /dev/null 2> "$work/empty.err" || rc=$?
[ "$rc" = 2 ] && grep -qxF "buildroot-workflow: step 2: compose/aarch64.txt: the compose list for aarch64 names no package (view view-eln; is it built for aarch64?)" "$work/empty.err" \
  && ! grep -q "^== 3 " "$work/empty.err" \
  || { cat "$work/empty.err" >&2; fail "an empty published list: exit $rc, or steps 3- ran"; }
# A source the published list names but no repo has (content-resolver publishes no placeholder
# build requirements) is named after pass 1, with where placeholders come from. Its binary is
# named otherwise (placeholder-only-libs): content-resolver's NEVRA list marks it a placeholder's,
# so step 10 does not count it among the compose names no repo has (the name lists alone cannot
# tell it from a name the repos lost).
cp -r "$cr" "$work/cr-ph"
for a in x86_64 aarch64; do
  printf '\nplaceholder-only' >> "$work/cr-ph/view-source-package-name-list--view-eln--$a.txt"
  printf '\nplaceholder-only-libs' >> "$work/cr-ph/view-binary-package-name-list--view-eln--$a.txt"
  printf '\nplaceholder-only-libs-000-placeholder.placeholder' >> "$work/cr-ph/view-binary-package-list--view-eln--$a.txt"
done
# VIEW without its "view-", as fetch-compose takes it: the NEVRA list is still found at step 10.
conf "$work/ph.conf" "COMPOSE_DIR=" "COMPOSE_URL=$work/cr-ph" "VIEW=eln"
wf --config "$work/ph.conf" --work "$work/w-ph" > /dev/null 2> "$work/ph.err" \
  || { cat "$work/ph.err" >&2; fail "COMPOSE_URL with a placeholder source: the workflow failed"; }
grep -q "warning: x86_64: 1 compose source(s) in no source repo (NoSource, pass1/x86_64/errors/): placeholder-only" "$work/ph.err" \
  && grep -q "content-resolver publishes no placeholder build requirements" "$work/ph.err" \
  || { cat "$work/ph.err" >&2; fail "a NoSource compose source is not named after pass 1"; }
! grep -q "no repository holds a binary of" "$work/ph.err" \
  && [ -z "$(find "$work/w-ph/current/verify" -name compose-unknown.txt)" ] \
  || { cat "$work/ph.err" >&2; fail "step 10 counted a placeholder's binary among the compose names no repo has"; }
# The same compose as a COMPOSE_DIR (fetch-compose's layout: its NEVRA list named view-eln) with
# VIEW=eln: the list is found by either name, and copied under VIEW's.
conf "$work/ph-dir.conf" "COMPOSE_DIR=$work/w-ph/current/compose" "COMPOSE_URL=" "VIEW=eln"
wf --config "$work/ph-dir.conf" --work "$work/w-ph-dir" > /dev/null 2> "$work/ph-dir.err" \
  || { cat "$work/ph-dir.err" >&2; fail "COMPOSE_DIR of fetch-compose's layout: the workflow failed"; }
! grep -q "no repository holds a binary of" "$work/ph-dir.err" \
  && [ -z "$(find "$work/w-ph-dir/current/verify" -name compose-unknown.txt)" ] \
  && [ -s "$work/w-ph-dir/current/compose/content-resolver/view-binary-package-list--eln--x86_64.txt" ] \
  || { cat "$work/ph-dir.err" >&2; fail "a COMPOSE_DIR's NEVRA list named view-eln was not found with VIEW=eln"; }
# --verify-only of a run made before the workflow copied ready-made lists (no compose/ in it)
# reads COMPOSE_DIR as it is now: its NEVRA list is found there by either name too.
rm -rf "$work/w-ph-dir/current/compose"
wf --work "$work/w-ph-dir" --verify-only > /dev/null 2> "$work/ph-dir-v.err" \
  || { cat "$work/ph-dir-v.err" >&2; fail "--verify-only of a run without compose/: the workflow failed"; }
! grep -q "no repository holds a binary of" "$work/ph-dir-v.err" \
  && [ -z "$(find "$work/w-ph-dir/current/verify" -name compose-unknown.txt)" ] \
  || { cat "$work/ph-dir-v.err" >&2; fail "--verify-only read COMPOSE_DIR without its NEVRA list named view-eln (VIEW=eln)"; }
echo "e2e: COMPOSE_URL from a directory and over HTTP gives the same documents; NoSource sources named"

wf --config testdata/workflow.conf --work "$work" --verify-only 2> "$work/verify" \
  || { cat "$work/verify" >&2; fail "verify failed"; }
grep -q "verify x86_64: every source builds from compose + workload" "$work/verify" \
  || { cat "$work/verify" >&2; fail "verify did not report x86_64"; }
# --verify-only takes the run's own configuration: none given, or another one (noted).
wf --work "$work" --verify-only 2> "$work/verify2" || { cat "$work/verify2" >&2; fail "verify without --config failed"; }
grep -q "verify x86_64: every source builds from compose + workload" "$work/verify2" \
  || { cat "$work/verify2" >&2; fail "verify without --config did not report x86_64"; }
wf --config testdata/workflow-configs.conf --work "$work" --verify-only 2> "$work/verify3" \
  || { cat "$work/verify3" >&2; fail "verify with another --config failed"; }
grep -q "note: --verify-only uses the run's own configuration" "$work/verify3" \
  && ! [ -d "$cur/verify/configs" ] || { cat "$work/verify3" >&2; fail "verify took another run's --config"; }
# Ready-made compose lists (COMPOSE_DIR) are kept in the run as it read them: --verify-only reads
# the copy, not the lists as they are now (here: gone).
cmp -s "$cur/compose/x86_64.txt" testdata/compose/x86_64.txt \
  || fail "the run keeps no copy of COMPOSE_DIR's lists in compose/"
cp -r testdata/compose "$work/cd-compose"
# A stale compose list: a name no repo has is said under step 10 (one line for the arch) and kept
# in verify/ARCH/compose-unknown.txt; the run is not failed for it.
echo zz-not-in-any-repo >> "$work/cd-compose/x86_64.txt"
conf "$work/cd.conf" "COMPOSE_DIR=\"$work/cd-compose\""
wf --config "$work/cd.conf" --work "$work/w-cd" --no-verify > /dev/null 2> "$work/cd.err" \
  || { cat "$work/cd.err" >&2; fail "the COMPOSE_DIR run failed"; }
rm -rf "$work/cd-compose"
wf --work "$work/w-cd" --verify-only > /dev/null 2> "$work/cd.err" \
  || { cat "$work/cd.err" >&2; fail "--verify-only needed the COMPOSE_DIR lists the run had copied"; }
unknown="buildroot-generator: warning: --only-binaries $(readlink -f "$work/w-cd/current")/verify/x86_64/allowed.txt: 1 name no repository holds a binary of on x86_64 (a stale compose list, or a repository missing?), so it has nothing to allow: zz-not-in-any-repo"
grep -qxF "x86_64: $unknown" "$work/cd.err" && ! grep -q 'verify\.new' "$work/cd.err" \
  || { cat "$work/cd.err" >&2; fail "step 10 did not say the compose name no repo has, or named verify.new/"; }
[ "$(cat "$work/w-cd/current/verify/x86_64/compose-unknown.txt")" = "$unknown" ] \
  || fail "verify/x86_64/compose-unknown.txt: $(cat "$work/w-cd/current/verify/x86_64/compose-unknown.txt")"
[ ! -e "$work/w-cd/current/verify/aarch64/compose-unknown.txt" ] || fail "aarch64 has a compose-unknown.txt"

# A rerun replaces current/ and keeps the previous run as last/; current/ exists throughout.
first=$(readlink -f "$cur")
( while [ ! -e "$work/rerun-done" ]; do
    [ -e "$cur/diff.txt" ] || echo gone >> "$work/gaps"; sleep 0.01
  done ) &
reader=$!
wf --config testdata/workflow.conf --work "$work" > /dev/null 2>&1 || fail "rerun failed"
touch "$work/rerun-done"; wait "$reader"
[ ! -e "$work/gaps" ] || fail "current/ was missing $(wc -l < "$work/gaps") times during the rerun"
[ "$(readlink -f "$work/last")" = "$first" ] || fail "the previous run was not kept as last/"
[ "$(readlink -f "$cur")" != "$first" ] || fail "the rerun did not replace current/"
cmp -s "$work/last/eln-buildroot-workload.yaml" "$work/current/eln-buildroot-workload.yaml" || fail "rerun changed the workload"
# The report was computed against a copy kept in the run, and names the previous run by its id:
# it stays whole once that run is pruned.
cmp -s "$work/last/eln-buildroot-workload.yaml" "$cur/previous/eln-buildroot-workload.yaml" \
  || fail "the rerun did not keep the previous workload in previous/"
grep -qF "Compared with the workload of the previous run, \`${first##*/}\` (as it was then: \`previous/eln-buildroot-workload.yaml\`)." "$cur/changes.md" \
  || { cat "$cur/changes.md" >&2; fail "changes.md does not name the previous run by its id"; }
[ "$($py -c 'import json,sys; c=json.load(open(sys.argv[1])); print(c["previous_run"], c["previous"])' "$cur/changes.json")" \
  = "${first##*/} previous/eln-buildroot-workload.yaml" ] || fail "changes.json: previous_run/previous: $(head -3 "$cur/changes.json")"
# Nothing changed: changes.md says so, then a blank line before the first arch's heading.
[ "$(grep -A2 -x "No package entered or left the workload." "$cur/changes.md" | sed -n '2p;3s/:.*//p')" \
  = "$(printf '\n## aarch64')" ] || { cat "$cur/changes.md" >&2; fail "changes.md: no blank line before the heading"; }
baseurls_exist "$work"/last/repos/*.repo "$work"/last/verify/*/archful.repo "$cur"/repos/*.repo
[ "$(find "$work/runs" -mindepth 1 -maxdepth 1 | wc -l)" = 2 ] || fail "runs/ should hold current and last only: $(ls "$work/runs")"

# A config key that only fed a workload key content-resolver rejects is an error, not ignored.
conf "$work/old.conf" "WORKLOAD_REPOSITORIES=repository-fedora-eln"
rc=0; wf --config "$work/old.conf" --work "$work" > /dev/null 2> "$work/old.err" || rc=$?
[ "$rc" = 2 ] && grep -q "WORKLOAD_REPOSITORIES is no longer used" "$work/old.err" \
  || { cat "$work/old.err" >&2; fail "an old config with WORKLOAD_REPOSITORIES exited $rc"; }

# A misspelt setting (EXCLUDE_FILES) is named in a warning, not left to change the run in silence;
# the config's own helpers (lower-case, or used in it: $MIRROR) and what it exports for the tools
# are not. A variable the tools read from the environment, set without export, is said to need
# it; BUILDROOT_WORKFLOW_LOCK_WAIT, read before the config, to be set in the environment. (An
# unknown arch as well, so that nothing runs.)
conf "$work/typo.conf" "ARCHES='x86_64 arm64'" "EXCLUDE_FILES=testdata/exclude.txt"
printf '%s\n' "helper=1" "export RPM_BUILDROOT_HTTP_RETRIES=1" "MIRROR=testdata/repos" \
  'BINARY_REPOS="fixture=$MIRROR/\$basearch"' "RPM_BUILDROOT_HTTP_TIMEOUT=5" \
  "export BUILDROOT_WORKFLOW_LOCK_WAIT=5" >> "$work/typo.conf"
rc=0; env -u RPM_BUILDROOT_HTTP_TIMEOUT -u BUILDROOT_WORKFLOW_LOCK_WAIT \
  scripts/buildroot-workflow.sh --bin "$bin" --config "$work/typo.conf" --work "$work/w-typo" \
  > /dev/null 2> "$work/typo.err" || rc=$?
w="buildroot-workflow: warning: $work/typo.conf:"
printf '%s\n' "$w EXCLUDE_FILES is not a setting of the workflow and is ignored (a misspelt name? testdata/workflow.conf lists the settings)" \
  "$w RPM_BUILDROOT_HTTP_TIMEOUT is read from the environment by the tools, and the config does not export it (export RPM_BUILDROOT_HTTP_TIMEOUT=... passes it on)" \
  "$w BUILDROOT_WORKFLOW_LOCK_WAIT is read from the environment before the config, so steps 5-7 wait 120 s for the SRPM cache (BUILDROOT_WORKFLOW_LOCK_WAIT=N scripts/buildroot-workflow.sh ... sets it)" \
  > "$work/typo.want"
[ "$rc" = 2 ] && [ "$(wc -l < "$work/typo.err")" = 4 ] && head -n 3 "$work/typo.err" | cmp -s - "$work/typo.want" \
  || { cat "$work/typo.err" >&2; fail "a misspelt setting: exit $rc, not one warning line per name"; }

# A failed step exits 2 naming the step and arch, keeps the run as failed/, leaves current/.
keep=$(readlink -f "$cur")
conf "$work/bad-src.conf" "SOURCE_REPOS='fixture-source=$work/no-such-repo'"
rc=0; wf --config "$work/bad-src.conf" --work "$work" > /dev/null 2> "$work/bad-src.err" || rc=$?
[ "$rc" = 2 ] || { cat "$work/bad-src.err" >&2; fail "a bad SOURCE_REPOS exited $rc, not 2"; }
# Both arches fail alike; the first to fail stops the other if it still runs: the step names
# the arches that had failed by then, and the one stopped.
failed_re='(x86_64 aarch64|x86_64 \(stopped: aarch64\)|aarch64 \(stopped: x86_64\))'
grep -Eqx "buildroot-workflow: step 3 \(buildroot-generator pass 1\) failed for: $failed_re" "$work/bad-src.err" \
  || { cat "$work/bad-src.err" >&2; fail "the failure does not name the step and arches"; }
grep -q "kept in $work/failed/" "$work/bad-src.err" || fail "stderr does not say where the failed run is"
grep -qs no-such-repo "$work/failed/workflow.conf" || fail "failed/ not kept"
[ "$(readlink -f "$cur")" = "$keep" ] || fail "a failed run replaced current/"
# failed/error.txt: the step, the error and what the arches' tools said: the same line of the
# arches that failed once, naming them (on stderr too).
e="$work/failed/error.txt"
grep -qx "step: 3 buildroot-generator pass 1 (x86_64 aarch64)" "$e" \
  && grep -Eqx "error: step 3 \(buildroot-generator pass 1\) failed for: $failed_re" "$e" \
  && [ "$(grep -c "no-such-repo" "$e")" = 1 ] \
  && grep -Eqx "(x86_64|aarch64|x86_64 aarch64): buildroot-generator: .*no-such-repo.*" "$e" \
  || { cat "$e" >&2; fail "failed/error.txt does not say what failed"; }
[ "$(grep -c "no-such-repo" "$work/bad-src.err")" = 1 ] \
  || { cat "$work/bad-src.err" >&2; fail "the arches' same line is not said once"; }
first_failed=$(readlink -f "$work/failed")
# A second failure (step 4: a macro file the evaluator refuses) replaces the older failed/.
printf '%%e2e_bad %%{\n' > "$work/bad.macros"
conf "$work/bad-define.conf" "SPEC_MACROS=$work/bad.macros"
rc=0; wf --config "$work/bad-define.conf" --work "$work" > /dev/null 2> "$work/bad-define.err" || rc=$?
[ "$rc" = 2 ] || { cat "$work/bad-define.err" >&2; fail "a bad SPEC_MACROS exited $rc, not 2"; }
grep -q "step 4 (identify-archful-srpms) failed" "$work/bad-define.err" || fail "step 4 failure not named"
grep -q "unterminated body" "$work/bad-define.err" || fail "the tool's error about the macro file is not shown"
grep -qx "error: step 4 (identify-archful-srpms) failed" "$work/failed/error.txt" \
  && grep -q "^identify-archful-srpms: .*unterminated body" "$work/failed/error.txt" \
  || { cat "$work/failed/error.txt" >&2; fail "failed/error.txt does not hold step 4's error"; }
[ -d "$work/failed/pass1/x86_64" ] && [ "$(readlink -f "$work/failed")" != "$first_failed" ] \
  && [ ! -e "$first_failed" ] || fail "the second failure did not replace failed/"
[ "$(readlink -f "$cur")" = "$keep" ] || fail "a failed run replaced current/"

# RELEASE_PACKAGE: unset is the tools' default, "" is none, as a shell config reads
# ${VAR-default}; CORE empty or unset is the tools' default, as the example configs say. Pass 1's
# core on x86_64 (step 4 fails on the bad macro file: fast).
core_of() { # KEY=VALUE...: the core pass 1 installed, on one line; the run's stderr in core.err
  conf "$work/core.conf" "ARCHES=x86_64" "SPEC_MACROS=$work/bad.macros" "$@"
  rm -rf "$work/w-core"; local rc=0
  wf --config "$work/core.conf" --work "$work/w-core" > /dev/null 2> "$work/core.err" || rc=$?
  [ "$rc" = 2 ] && grep -q "step 4 (identify-archful-srpms) failed" "$work/core.err" \
    || { cat "$work/core.err" >&2; fail "$*: exit $rc, not step 4's failure"; }
  ! grep -q "is not a setting" "$work/core.err" || { cat "$work/core.err" >&2; fail "$*: called no setting"; }
  tr '\n' ' ' < "$work/w-core/failed/pass1/x86_64/CoreBuildRootBinaries"
}
core=$(core_of 'RELEASE_PACKAGE=""')
[[ " $core" == *" rpm-build "* && " $core" != *" fedora-release-eln "* ]] \
  || fail "RELEASE_PACKAGE=\"\" should be no release package in mock's build group: $core"
core=$(core_of 'CORE=""')
[[ " $core" == *" rpm-build "* && " $core" == *" fedora-release-eln "* ]] \
  || fail "CORE=\"\" should be the tools' default core: $core"
core=$(core_of 'CORE="make,gzip"' 'RELEASE_PACKAGE=""')
[ "$core" = "glibc gzip make " ] || fail "CORE=make,gzip without a release package: $core"
# CORE is not read from the caller's environment: the config's settings are the run's.
core=$(CORE=bash core_of)
[[ " $core" == *" rpm-build "* && " $core" == *" fedora-release-eln "* ]] \
  || fail "CORE in the environment changed the run: $core"
echo "e2e: CORE empty and RELEASE_PACKAGE unset are the tools' defaults, RELEASE_PACKAGE=\"\" is none"

# Mistakes in the configuration or the options are refused before any step runs: one line,
# exit 2, no run directory.
printf '# nothing but a comment\n\n' > "$work/empty-list.txt"
mkdir -p "$work/compose-empty"; cp testdata/compose/*.txt "$work/compose-empty/"
cp "$work/empty-list.txt" "$work/compose-empty/aarch64.txt"
check_refused() { # what expected-stderr-regex wf-args...: exit 2, one line matching, nothing created
  # (nor left in TMPDIR: the config's stderr and CRLF-less copy go with the scratch directory)
  local what=$1 want=$2 rc=0; shift 2
  rm -rf "$work/w-check"
  mkdir -p "$work/tmpdir-check"
  TMPDIR="$work/tmpdir-check" wf --work "$work/w-check" "$@" > /dev/null 2> "$work/check.err" || rc=$?
  [ "$rc" = 2 ] && [ "$(wc -l < "$work/check.err")" = 1 ] && grep -Eq -- "$want" "$work/check.err" \
    || { cat "$work/check.err" >&2; fail "$what: exit $rc, not 2 with one line matching '$want'"; }
  [ ! -e "$work/w-check/runs" ] || fail "$what: a run was started"
  [ -z "$(ls -A "$work/tmpdir-check")" ] || fail "$what: left in TMPDIR: $(ls -A "$work/tmpdir-check")"
}
for kv in "EXCLUDE_FILE=$work/no-such-exclude.txt" "SPEC_MACROS=$work/no-such.macros" \
          "PLACEHOLDERS=$work/no-such-placeholders.json"; do
  conf "$work/check.conf" "$kv"
  check_refused "${kv%%=*}" "^buildroot-workflow: ${kv#*=}: cannot read the ${kv%%=*}" --config "$work/check.conf"
done
conf "$work/check.conf" "SPEC_DEFINES=('novalue')"
check_refused "a SPEC_DEFINES entry without a value" "SPEC_DEFINES: 'novalue' is not 'NAME VALUE'" \
  --config "$work/check.conf"
conf "$work/check.conf" "ARCHES='x86_64 aarch64 x86_64'"
check_refused "a twice-named arch" "ARCHES names x86_64 twice" --config "$work/check.conf"
conf "$work/check.conf" "ARCHES='x86_64 arm64'"
check_refused "an unknown arch" "ARCHES: 'arm64' is not an architecture the tools know" --config "$work/check.conf"
conf "$work/check.conf" "COMPOSE_DIR=$work/compose-empty"
check_refused "an empty compose list" "compose-empty/aarch64.txt: the compose list for aarch64 names no package" \
  --config "$work/check.conf"
# The config file is shell: a line that is not NAME=VALUE is one line naming the file and line.
conf "$work/check.conf"; echo "garbage line" >> "$work/check.conf"
check_refused "a line that is not NAME=VALUE" \
  "^buildroot-workflow: .*/check.conf: line [0-9]+: garbage: command not found \(a config file holds NAME=VALUE lines\)$" \
  --config "$work/check.conf"
conf "$work/check.conf"; echo 'ARCHES="x86_64' >> "$work/check.conf"
check_refused "an unclosed quote" "^buildroot-workflow: .*/check.conf: line [0-9]+: unexpected EOF" --config "$work/check.conf"
conf "$work/check.conf"; printf '%s\n' "echo 'config: a note' >&2" "garbage line" >> "$work/check.conf"
check_refused "a stray word after a note of the config's" \
  "^buildroot-workflow: .*/check.conf: line [0-9]+: garbage: command not found \(a config" \
  --config "$work/check.conf"
conf "$work/check.conf"; echo 'X=$no_such_variable' >> "$work/check.conf"
check_refused "an unset variable" \
  "^buildroot-workflow: .*/check.conf: line [0-9]+: no_such_variable: unbound variable \(a config" \
  --config "$work/check.conf"
# A command substitution of the config's that fails is its line's failure, said once (its
# subshell ran the refusal too: two lines, and grep's about the scratch it had removed); one whose
# line does not fail (an argument of a command) is no failure, as in bash: the config goes on.
conf "$work/check.conf"; echo "ARCHES=\$(cat '$work/no-such-arches')" >> "$work/check.conf"
check_refused "a config's \$(...) that fails" \
  "^buildroot-workflow: cat: .*/no-such-arches: No such file or directory \(a config file holds NAME=VALUE lines\)$" \
  --config "$work/check.conf"
conf "$work/check.conf"; printf '%s\n' ': "$(false)"' "ARCHES='x86_64 arm64'" >> "$work/check.conf"
check_refused "a config's \$(...) that fails in an argument" \
  "^buildroot-workflow: .*/check.conf: ARCHES: 'arm64' is not an architecture the tools know" \
  --config "$work/check.conf"
# `exit` in the config is named as such, not as a failed command.
conf "$work/check.conf"; echo 'exit 3' >> "$work/check.conf"
check_refused "exit in the config" \
  "^buildroot-workflow: .*/check.conf: the config file runs 'exit' \(status 3\), which would end the workflow; 'return' stops" \
  --config "$work/check.conf"
# A config with Windows line endings reads as with Unix ones: values without the CR, and bash's
# messages name the file and line as written.
conf "$work/check.conf" "ARCHES='x86_64 arm64'"; sed -i 's/$/\r/' "$work/check.conf"
check_refused "a CRLF config's value" "ARCHES: 'arm64' is not an architecture the tools know" \
  --config "$work/check.conf"
conf "$work/check.conf"; echo "garbage line" >> "$work/check.conf"; sed -i 's/$/\r/' "$work/check.conf"
check_refused "a CRLF config's stray line" \
  "^buildroot-workflow: .*/check.conf: line [0-9]+: garbage: command not found \(a config file holds NAME=VALUE lines\)$" \
  --config "$work/check.conf"
# The config is run once (a command in it is not run twice), and what it says on stderr and
# succeeds is its own note, passed on, not a reason to refuse it.
conf "$work/check.conf" "ARCHES='x86_64 arm64'"
printf '%s\n' "echo run >> '$work/config-runs'" "echo 'config: using the mirror list' >&2" >> "$work/check.conf"
rm -f "$work/config-runs"; rc=0
wf --config "$work/check.conf" --work "$work/w-check" > /dev/null 2> "$work/check.err" || rc=$?
[ "$rc" = 2 ] && [ "$(wc -l < "$work/config-runs")" = 1 ] \
  && [ "$(head -1 "$work/check.err")" = "config: using the mirror list" ] \
  && grep -q "ARCHES: 'arm64' is not an architecture" "$work/check.err" \
  || { cat "$work/check.err" "$work/config-runs" >&2; fail "a config with a note on stderr: exit $rc, run $(wc -l < "$work/config-runs") times"; }
# What a CRLF config says on stderr and survives (a warning of bash's) names the file as written,
# not the copy without CRs that was run.
conf "$work/check.conf" "ARCHES='x86_64 arm64'"
printf '%s\n' 'cat > /dev/null <<EOF' 'x' >> "$work/check.conf"; sed -i 's/$/\r/' "$work/check.conf"
rc=0
wf --config "$work/check.conf" --work "$work/w-check" > /dev/null 2> "$work/check.err" || rc=$?
[ "$rc" = 2 ] && grep -q "^$work/check.conf: line [0-9]*: warning: here-document" "$work/check.err" \
  && ! grep -q "config\.lf" "$work/check.err" \
  || { cat "$work/check.err" >&2; fail "a CRLF config's warning: exit $rc, not naming the file as written"; }
# Interrupted while the config runs a command (SIGTERM: a background script ignores SIGINT):
# the signal's exit code, no config error made up.
conf "$work/check.conf"; echo 'sleep 5' >> "$work/check.conf"
rc=0; TMPDIR="$work/tmpdir-check" timeout --preserve-status -s TERM 1 scripts/buildroot-workflow.sh --bin "$bin" \
  --config "$work/check.conf" --work "$work/w-check" > /dev/null 2> "$work/check.err" || rc=$?
[ "$rc" = 143 ] && [ ! -s "$work/check.err" ] && [ -z "$(ls -A "$work/tmpdir-check")" ] \
  || { cat "$work/check.err" >&2; fail "SIGTERM while the config runs: exit $rc, not 143 and silent, TMPDIR: $(ls -A "$work/tmpdir-check")"; }
# CORE is comma-separated: a space-separated one was one name, matching nothing, and the run
# exited 0 with the release package alone as its core.
conf "$work/check.conf" 'CORE="bash coreutils"'
check_refused "a space-separated CORE" "CORE='bash coreutils': core names are comma-separated" --config "$work/check.conf"
# A repo id dnf does not take is refused before the steps: the generator's steps get BINARY_REPOS
# with $basearch replaced, steps 4-7 as written, which refused it after pass 1 on every arch.
conf "$work/check.conf" "BINARY_REPOS='fixture-\$basearch=testdata/repos/\$basearch'"
check_refused "a BINARY_REPOS id holding \$basearch" \
  "check.conf: BINARY_REPOS/SOURCE_REPOS: 'fixture-.basearch=testdata/repos/.basearch': 'fixture-.basearch' is not a repo id dnf takes" \
  --config "$work/check.conf"
conf "$work/check.conf" "SOURCE_REPOS='src@1=testdata/repos/source'"
check_refused "a SOURCE_REPOS id holding @" "'src@1' is not a repo id dnf takes" --config "$work/check.conf"
# A ':' is an id's (dnf takes it), not the mark of a bare URL: the id is checked.
conf "$work/check.conf" "SOURCE_REPOS='src:1@x=testdata/repos/source'"
check_refused "a SOURCE_REPOS id holding : and @" "'src:1@x' is not a repo id dnf takes" --config "$work/check.conf"
# A core name that matches no package is said (it was one of the tools' warnings the workflow
# drops): a typo took the name out of every buildroot unsaid.
conf "$work/check.conf" 'CORE="bash,coreutils,rpm-build,redhat-rpm-confg,gcc"'
rm -rf "$work/w-check"
wf --config "$work/check.conf" --work "$work/w-check" --no-verify > /dev/null 2> "$work/check.err" \
  || { cat "$work/check.err" >&2; fail "a CORE with a typo: the workflow failed"; }
grep -q "buildroot-generator: warning: core name 'redhat-rpm-confg' matches no package" "$work/check.err" \
  || { cat "$work/check.err" >&2; fail "a CORE name matching no package was not said"; }
check_refused "--config without a value" "^buildroot-workflow: --config needs a value; usage: " --config
check_refused "--work without a value" "^buildroot-workflow: --work needs a value; usage: " --config testdata/workflow.conf --work
touch "$work/a-file"
rc=0; wf --config testdata/workflow.conf --work "$work/a-file" > /dev/null 2> "$work/check.err" || rc=$?
[ "$rc" = 2 ] && [ "$(cat "$work/check.err")" = "buildroot-workflow: $work/a-file: not a directory (--work DIR)" ] \
  || { cat "$work/check.err" >&2; fail "a file as WORK: exit $rc"; }
rc=0; wf --config testdata/workflow.conf --work "$work/a-file/w" > /dev/null 2> "$work/check.err" || rc=$?
[ "$rc" = 2 ] && [ "$(cat "$work/check.err")" = "buildroot-workflow: $work/a-file/w: cannot create the work directory (--work DIR)" ] \
  || { cat "$work/check.err" >&2; fail "WORK under a file: exit $rc"; }
# A read-only WORK (root writes anyway: a read-only tmpfs, where mounting is allowed).
ro="$work/read-only" how=""
mkdir -p "$ro"
if [ "$(id -u)" != 0 ]; then
  chmod a-w "$ro" && how=chmod
elif mount -t tmpfs -o ro,size=16k tmpfs "$ro" 2> /dev/null; then
  how=mount
fi
if [ -n "$how" ]; then
  rc=0; wf --config testdata/workflow.conf --work "$ro" > /dev/null 2> "$work/check.err" || rc=$?
  rc2=0; wf --config testdata/workflow.conf --work "$ro/w" > /dev/null 2> "$work/check2.err" || rc2=$?
  if [ "$how" = chmod ]; then chmod u+w "$ro"; else umount "$ro"; fi
  [ "$rc" = 2 ] && [ "$(cat "$work/check.err")" = "buildroot-workflow: $ro: cannot write its lock file .lock (is the work directory writable?)" ] \
    || { cat "$work/check.err" >&2; fail "a read-only WORK: exit $rc"; }
  [ "$rc2" = 2 ] && [ "$(cat "$work/check2.err")" = "buildroot-workflow: $ro/w: cannot create the work directory (--work DIR)" ] \
    || { cat "$work/check2.err" >&2; fail "a WORK in a read-only directory: exit $rc2"; }
else
  echo "e2e: skipped the read-only WORK case (root, and mounting a tmpfs is not allowed)" >&2
fi
# --verify-only with a mistyped --work creates nothing.
rc=0; wf --verify-only --work "$work/no-such-work" > /dev/null 2> "$work/check.err" || rc=$?
[ "$rc" = 2 ] && [ ! -e "$work/no-such-work" ] && grep -q "no-such-work/current: no finished run to verify" "$work/check.err" \
  || { cat "$work/check.err" >&2; fail "--verify-only with a mistyped --work: exit $rc, or it was created"; }

# The next published run removes the stale failed/ (and its run).
stale=$(readlink -f "$work/failed")
wf --config testdata/workflow.conf --work "$work" > /dev/null 2> "$work/after-failed.err" \
  || { cat "$work/after-failed.err" >&2; fail "the run after the failures failed"; }
[ ! -e "$work/failed" ] && [ ! -L "$work/failed" ] && [ ! -e "$stale" ] \
  || fail "a published run left the stale failed/ ($(ls -l "$work"))"

# Relative --work and --bin are taken from the caller's directory, as --config is.
top=$PWD
ln -s "$bin" "$work/relbin"
(cd "$work" && "$top/scripts/buildroot-workflow.sh" --config "$top/testdata/workflow.conf" --work w-rel \
  --bin relbin --no-verify > /dev/null 2> "$work/rel.err") || { cat "$work/rel.err" >&2; fail "relative --work/--bin failed"; }
[ -s "$work/w-rel/current/eln-buildroot-workload.yaml" ] && [ ! -e "$top/w-rel" ] \
  || fail "a relative --work was not taken from the caller's directory"

# A WORK path with a space (and a '%'): the .repo files percent-encode it, the tools decode it.
sp="$work/with space%"
wf --config testdata/workflow.conf --work "$sp" > /dev/null 2> "$work/space.err" \
  || { cat "$work/space.err" >&2; fail "a WORK with a space failed"; }
grep -qx "baseurl=file://$work/with%20space%25/runs/[^/]*/repos/x86_64" "$sp/current/repos/x86_64.repo" \
  || { cat "$sp/current/repos/x86_64.repo" >&2; fail "the .repo's baseurl is not percent-encoded"; }
baseurls_exist "$sp"/current/repos/*.repo "$sp"/current/verify/*/archful.repo
cmp -s "$sp/current/eln-buildroot-workload.yaml" "$cur/eln-buildroot-workload.yaml" \
  || fail "a WORK with a space gave another workload"
# The Makefile passes a WORK with a space as one word (make clean removed its parts before).
out=$(make -n -s clean verify demo WORK="$work/a b" CARGO=true)
grep -qxF "rm -rf \"$work/a b\"" <<< "$out" && grep -qxF "scripts/demo.sh --work \"$work/a b\"" <<< "$out" \
  && grep -qxF "scripts/buildroot-workflow.sh --work \"$work/a b\" --verify-only" <<< "$out" \
  || fail "make does not quote WORK: $out"
echo "e2e: config checks, error.txt, stale failed/, relative --work/--bin, a WORK with a space"

# Interrupts. A buildroot-generator that records its pid and sleeps stands in for a long pass.
w="$work/w-sig"
wf --config testdata/workflow.conf --work "$w" > /dev/null 2> "$work/sig.err" \
  || { cat "$work/sig.err" >&2; fail "the run before the interrupts failed"; }
tools_but() { # dir tool: DIR holds links to every tool of $bin but TOOL (which the caller writes)
  mkdir -p "$1"
  for t in "$bin"/*; do
    [ -x "$t" ] && [ -f "$t" ] && [ "${t##*/}" != "$2" ] || continue
    ln -s "$t" "$1/${t##*/}"
  done
}
tools_but "$work/slowbin" buildroot-generator
tools_but "$work/failbin" buildroot-generator
printf '#!/bin/sh\necho $$ >> "%s"\nexec sleep 60\n' "$work/slow.pids" > "$work/slowbin/buildroot-generator"
printf '#!/bin/sh\necho "buildroot-generator: simulated failure" >&2\nexit 2\n' > "$work/failbin/buildroot-generator"
chmod +x "$work/slowbin/buildroot-generator" "$work/failbin/buildroot-generator"
snapshot() { (cd "$1" && find . -type f -exec md5sum {} + | sort); }
interrupt() { # signal wf-args...: starts the workflow (slow generator), signals it while both arches run
  # (slow_bin=DIR slow_n=N: the tools of DIR, signalled once N slow tools run)
  local sig=$1 n; shift
  rm -f "$work/slow.pids"
  set -m # (a job of its own: a script started in the background otherwise ignores SIGINT)
  scripts/buildroot-workflow.sh --bin "${slow_bin:-$work/slowbin}" "$@" > /dev/null 2> "$work/int.err" &
  wpid=$!
  set +m
  # Up to 120 s: steps 1-2 come first, slow on a loaded machine; the loop ends as both start.
  for n in $(seq 1200); do
    [ "$(cat "$work/slow.pids" 2> /dev/null | wc -l)" -lt "${slow_n:-2}" ] || break
    sleep 0.1
  done
  [ "$(wc -l < "$work/slow.pids")" = "${slow_n:-2}" ] || { cat "$work/int.err" >&2; fail "SIG$sig: the slow passes did not start"; }
  kill -"$sig" "$wpid"
  rc=0; wait "$wpid" || rc=$?
  for n in $(cat "$work/slow.pids"); do
    ! kill -0 "$n" 2> /dev/null || { kill "$n"; fail "SIG$sig: a per-arch tool ($n) outlived the workflow"; }
  done
  flock -n "$w/.lock" true || fail "SIG$sig: the lock is still held after the workflow ended"
}
interrupt TERM --config testdata/workflow.conf --work "$w"
[ "$rc" = 143 ] || { cat "$work/int.err" >&2; fail "SIGTERM: exit $rc, not 143"; }
[ "$(tail -1 "$work/int.err")" = "buildroot-workflow: interrupted (SIGTERM); its output is kept in $w/failed/ (error.txt: why; current/ is unchanged)" ] \
  || { cat "$work/int.err" >&2; fail "SIGTERM: the last line does not say so"; }
printf 'step: 3 buildroot-generator pass 1 (x86_64 aarch64)\nerror: interrupted (SIGTERM)\n' | cmp -s - "$w/failed/error.txt" \
  || { cat "$w/failed/error.txt" >&2; fail "SIGTERM: failed/error.txt"; }
wf --config testdata/workflow.conf --work "$w" > /dev/null 2> "$work/sig.err" \
  || { cat "$work/sig.err" >&2; fail "the run after SIGTERM failed"; }
# --verify-only: interrupted (Ctrl-C) or failed, the published verify/ stays as it was.
before=$(snapshot "$w/current/verify")
interrupt INT --work "$w" --verify-only
[ "$rc" = 130 ] && [ "$(tail -1 "$work/int.err")" = "buildroot-workflow: interrupted (SIGINT); $w/current/verify/ is unchanged" ] \
  || { cat "$work/int.err" >&2; fail "SIGINT during --verify-only: exit $rc"; }
[ "$(snapshot "$w/current/verify")" = "$before" ] && [ ! -e "$w/current/verify.new" ] \
  || fail "an interrupted --verify-only changed verify/"
# start_held CMD TMPDIR LABEL: starts a --verify-only (the slow generator, TMPDIR as given) with a
# CMD first on PATH that, the first time it runs, writes its pid to $work/CMD.held and waits (up
# to 120 s) for $work/CMD.go before it runs the real CMD; returns once it is held, the workflow's
# pid in $wpid (its own process group).
start_held() {
  local n
  mkdir -p "$work/$1shim" "$2"
  {
    echo '#!/bin/sh'
    echo "if [ ! -e '$work/$1.held' ]; then"
    echo "  echo \$\$ > '$work/$1.held'"
    echo "  i=0"
    echo "  while [ ! -e '$work/$1.go' ] && [ \$i -lt 1200 ]; do sleep 0.1; i=\$((i + 1)); done"
    echo "fi"
    echo "exec $(command -v "$1") \"\$@\""
  } > "$work/$1shim/$1"
  chmod +x "$work/$1shim/$1"
  set -m
  PATH="$work/$1shim:$PATH" TMPDIR="$2" scripts/buildroot-workflow.sh --bin "$work/slowbin" --work "$w" \
    --verify-only > /dev/null 2> "$work/int.err" &
  wpid=$!
  set +m
  for n in $(seq 1200); do [ ! -e "$work/$1.held" ] || break; sleep 0.1; done
  [ -e "$work/$1.held" ] || { kill -KILL "$wpid"; fail "$3: the workflow never ran its first $1"; }
}
# Ctrl-C after the config is read, before the steps' traps are set: a non-interactive bash that
# gets SIGINT while it waits for a command which then exits 0 takes it for that command's own
# and goes on, so the run carried on (with the slow generator, into a "--verify-only failed").
# A `cat` (the config's stderr, the first one the workflow runs) holds until the signal is sent.
rm -f "$work/slow.pids"
start_held cat "$work/tmp-int" "SIGINT before the steps"
kill -INT "$wpid"
: > "$work/cat.go"
rc=0; wait "$wpid" || rc=$?
# shellcheck disable=SC2046  # the pids, one a word
if [ -e "$work/slow.pids" ]; then kill $(cat "$work/slow.pids") 2> /dev/null || true; fi # (the run went on)
[ "$rc" = 130 ] && [ ! -e "$work/slow.pids" ] && ! grep -q '^== ' "$work/int.err" && [ -z "$(ls -A "$work/tmp-int")" ] \
  || { cat "$work/int.err" >&2; fail "SIGINT before the steps: exit $rc, or the run went on"; }
[ "$(snapshot "$w/current/verify")" = "$before" ] && [ ! -e "$w/current/verify.new" ] \
  || fail "a --verify-only interrupted before the steps changed verify/"
rc=0; wf --bin "$work/failbin" --work "$w" --verify-only > /dev/null 2> "$work/vfail.err" || rc=$?
[ "$rc" = 2 ] && grep -q "simulated failure" "$work/vfail.err" && grep -Eqx "buildroot-workflow: step 10 \(verify\) failed for: $failed_re" "$work/vfail.err" \
  && [ "$(tail -1 "$work/vfail.err")" = "buildroot-workflow: --verify-only failed; $w/current/verify/ is unchanged" ] \
  || { cat "$work/vfail.err" >&2; fail "a failed --verify-only: exit $rc"; }
[ "$(snapshot "$w/current/verify")" = "$before" ] && [ ! -e "$w/current/verify.new" ] \
  || fail "a failed --verify-only changed verify/"
grep -q "every source builds" "$w/current/verify/report.txt" || fail "verify/report.txt is gone"
# SIGTERM before any trap was set (the config not yet read): bash died of it at once, and the
# command it was waiting for (a $(...), flock, grep: short, but its own) ran on after it. A
# `flock` (the first, on WORK's lock) holds until the signal was delivered, that is, until it is
# no longer pending at the workflow (it caught it), or the workflow is dead (bash's default).
start_held flock "$work/tmp-term" "SIGTERM before the traps"
kill -TERM "$wpid"
state() { sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$1/status" 2> /dev/null || true; } # pid -> R, S, Z, ... ('' gone)
children() { # pid -> a line 'STATE COMM' for each of its children, read from /proc (no ps needed)
  local f line st ppid
  for f in /proc/[0-9]*/stat; do
    { read -r line < "$f"; } 2> /dev/null || continue
    read -r st ppid _ <<< "${line##*) }"
    [ "$ppid" = "$1" ] || continue
    line=${line#*(}
    echo "$st ${line%)*}"
  done
}
# until_in_wait PID: waits (up to 30 s) until PID's shell waits for a child (wait4: /proc's
# wchan do_wait; a kernel that shows none, 0, is not waited for).
until_in_wait() {
  local n wchan
  for n in $(seq 600); do
    wchan=$(cat "/proc/$1/wchan" 2> /dev/null || true)
    [ "$wchan" != do_wait ] && [ "$wchan" != 0 ] || break
    sleep 0.05
  done
}
# while_signal_pending PID: waits (up to 120 s) while PID lives with a signal pending (SigPnd,
# ShdPnd), i.e. until the signal just sent has been taken.
while_signal_pending() {
  local n st
  for n in $(seq 1200); do
    st=$(state "$1")
    { [ -n "$st" ] && [ "$st" != Z ]; } || break
    sed -n 's/^S[hi][dg]Pnd:[[:space:]]*//p' "/proc/$1/status" 2> /dev/null | grep -q '[1-9a-f]' || break
    sleep 0.1
  done
}
while_signal_pending "$wpid"
s=$(state "$wpid")
: > "$work/flock.go"
rc=0; wait "$wpid" || rc=$?
{ [ -n "$s" ] && [ "$s" != Z ]; } \
  || fail "SIGTERM before the traps: the workflow ended while its flock ($(cat "$work/flock.held")) still ran"
! kill -0 "$(cat "$work/flock.held")" 2> /dev/null || fail "SIGTERM before the traps: its flock outlived the workflow"
[ "$rc" = 143 ] && [ ! -s "$work/int.err" ] && [ -z "$(ls -A "$work/tmp-term")" ] \
  || { cat "$work/int.err" >&2; fail "SIGTERM before the traps: exit $rc, a message, or scratch left"; }
# Interrupted in step 4, whose tool's stderr the workflow keeps in a file: the last line is on
# the workflow's stderr all the same, not in that file.
tools_but "$work/slowbin4" identify-archful-srpms
cp "$work/slowbin/buildroot-generator" "$work/slowbin4/identify-archful-srpms"
slow_bin="$work/slowbin4" slow_n=1 interrupt TERM --config testdata/workflow.conf --work "$w"
[ "$rc" = 143 ] && [ "$(tail -1 "$work/int.err")" = "buildroot-workflow: interrupted (SIGTERM); its output is kept in $w/failed/ (error.txt: why; current/ is unchanged)" ] \
  || { cat "$work/int.err" >&2; fail "SIGTERM in step 4: exit $rc, or the last line is not on stderr"; }
grep -qx "step: 4 identify-archful-srpms" "$w/failed/error.txt" || fail "SIGTERM in step 4: failed/error.txt"
# A process that joins a job's process group after the job's SIGTERM was sent misses it: bash
# blocks SIGTERM around each fork, so one that lands then stays pending on the per-arch shell
# alone, and the child it is forking (the generator) runs on; the workflow ended it only with
# SIGKILL, 10 s later (and kill -0 still saw it, a zombie, as the workflow exited). Here each
# generator blocks SIGTERM, waits until its job's is pending, forks such a child, then lets the
# signal end it. The child records the SIGTERM that ends it: it must get one, and be gone when
# the workflow is.
tools_but "$work/forkbin" buildroot-generator
rm -f "$work/late.pids" "$work/late.term"
cat > "$work/forkbin/buildroot-generator" <<EOF
#!/usr/bin/env python3
import os, signal, time
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
with open("$work/slow.pids", "a") as f:
    f.write(f"{os.getpid()}\n")
for _ in range(12000):  # until its job's SIGTERM is pending (120 s at most)
    if signal.SIGTERM in signal.sigpending():
        break
    time.sleep(0.01)
if os.fork() == 0:
    def term(*_):
        with open("$work/late.term", "a") as f:
            f.write(f"{os.getpid()}\n")
        os._exit(143)
    signal.signal(signal.SIGTERM, term)
    with open("$work/late.pids", "a") as f:
        f.write(f"{os.getpid()}\n")
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
    time.sleep(120)
    os._exit(0)
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
time.sleep(120)
EOF
chmod +x "$work/forkbin/buildroot-generator"
slow_bin="$work/forkbin" interrupt INT --work "$w" --verify-only
[ "$rc" = 130 ] && [ "$(tail -1 "$work/int.err")" = "buildroot-workflow: interrupted (SIGINT); $w/current/verify/ is unchanged" ] \
  || { cat "$work/int.err" >&2; fail "SIGINT, a process started after its job's SIGTERM: exit $rc"; }
[ "$(wc -l < "$work/late.pids")" = 2 ] || fail "SIGINT: the generators did not start their late processes"
for n in $(cat "$work/late.pids"); do
  ! kill -0 "$n" 2> /dev/null || { kill -KILL "$n"; fail "SIGINT: a process started after its job's SIGTERM ($n) outlived the workflow"; }
done
[ "$(sort "$work/late.pids")" = "$(sort "$work/late.term" 2> /dev/null)" ] \
  || fail "SIGINT: a process started after its job's SIGTERM got none (it was killed outright, 10 s later)"
[ "$(snapshot "$w/current/verify")" = "$before" ] && [ ! -e "$w/current/verify.new" ] \
  || fail "a --verify-only interrupted while its jobs started processes changed verify/"
echo "e2e: SIGTERM and SIGINT stop the tools and release the lock; verify/ survives a failed --verify-only"

# One arch's failure stops the others at once. x86_64's generator fails (a damaged repo, say) once
# aarch64's runs (the event, not a sleep); aarch64's would run 120 s, and records the SIGTERM that
# ends it. The workflow waited for it before it said anything (120 s).
tools_but "$work/onefail" buildroot-generator
rm -f "$work/slowarch.pid" "$work/slowarch.term"
cat > "$work/onefail/buildroot-generator" <<EOF
#!/bin/sh
case " \$* " in
  *" --arch x86_64 "*)
    i=0; while [ ! -s "$work/slowarch.pid" ] && [ \$i -lt 1200 ]; do sleep 0.1; i=\$((i + 1)); done
    echo "buildroot-generator: $work/damaged/repodata/primary.xml.gz: damaged (simulated)" >&2
    exit 2 ;;
  *)
    trap 'echo \$\$ >> "$work/slowarch.term"; exit 143' TERM
    echo \$\$ > "$work/slowarch.pid"
    sleep 120 &
    wait
    exit 0 ;;
esac
EOF
chmod +x "$work/onefail/buildroot-generator"
before=$(snapshot "$w/current")
SECONDS=0
rc=0; wf --bin "$work/onefail" --config testdata/workflow.conf --work "$w" > /dev/null 2> "$work/onefail.err" || rc=$?
took=$SECONDS
slow=$(cat "$work/slowarch.pid" 2> /dev/null || true)
! kill -0 "$slow" 2> /dev/null || { kill -KILL "$slow"; fail "one arch failed: the other arch's tool ($slow) outlived the workflow"; }
printf '%s\n' "x86_64: buildroot-generator: $work/damaged/repodata/primary.xml.gz: damaged (simulated)" \
  "buildroot-workflow: step 3 (buildroot-generator pass 1) failed for: x86_64 (stopped: aarch64)" \
  "buildroot-workflow: run failed; its output is kept in $w/failed/ (error.txt: why; current/ is unchanged)" \
  | cmp -s - <(tail -3 "$work/onefail.err") && [ "$rc" = 2 ] && [ "$took" -lt 60 ] \
  || { cat "$work/onefail.err" >&2; fail "one arch failed: exit $rc after ${took} s (the other arch was waited for?)"; }
[ "$(cat "$work/slowarch.term" 2> /dev/null)" = "$slow" ] || fail "one arch failed: the other arch's tool got no SIGTERM"
flock -n "$w/.lock" true || fail "one arch failed: the lock is still held after the workflow ended"
[ ! -e "$w/failed/pass1/aarch64" ] && grep -qx "error: step 3 (buildroot-generator pass 1) failed for: x86_64 (stopped: aarch64)" "$w/failed/error.txt" \
  && grep -qx "x86_64: buildroot-generator: .*damaged (simulated)" "$w/failed/error.txt" \
  || fail "one arch failed: failed/ holds the stopped arch's pass, or error.txt lacks the failure: $(cat "$w/failed/error.txt")"
[ "$(snapshot "$w/current")" = "$before" ] || fail "one arch failed: current/ changed"
# Two arches that failed before either was seen are both named, in ARCHES order, whichever the
# workflow reaps first (and one line said by both, once): the workflow is stopped (SIGSTOP) while
# both fail alike, and continued once both jobs have ended.
cat > "$work/onefail/buildroot-generator" <<EOF
#!/bin/sh
echo \$\$ >> "$work/twofail.pids"
i=0; while [ ! -e "$work/twofail.go" ] && [ \$i -lt 1200 ]; do sleep 0.1; i=\$((i + 1)); done
echo "buildroot-generator: $work/damaged/repodata/repomd.xml: damaged (simulated)" >&2
exit 2
EOF
rm -f "$work/twofail.pids" "$work/twofail.go"
scripts/buildroot-workflow.sh --bin "$work/onefail" --config testdata/workflow.conf --work "$w" > /dev/null 2> "$work/twofail.err" &
wpid=$!
for n in $(seq 1200); do [ "$(cat "$work/twofail.pids" 2> /dev/null | wc -l)" -lt 2 ] || break; sleep 0.1; done
kill -STOP "$wpid"
: > "$work/twofail.go"
# Both jobs ended: every child of the workflow's shell a zombie (its jobs' shells, reaped once it runs).
for n in $(seq 1200); do kids=$(children "$wpid"); ! grep -q '^[^Z]' <<< "$kids" || { sleep 0.1; continue; }; break; done
kill -CONT "$wpid"
rc=0; wait "$wpid" || rc=$?
printf '%s\n' "x86_64 aarch64: buildroot-generator: $work/damaged/repodata/repomd.xml: damaged (simulated)" \
  "buildroot-workflow: step 3 (buildroot-generator pass 1) failed for: x86_64 aarch64" \
  | cmp -s - <(tail -3 "$work/twofail.err" | head -2) && [ "$rc" = 2 ] \
  || { cat "$work/twofail.err" >&2; fail "two arches failed: exit $rc, or not both named in ARCHES order"; }
echo "e2e: one arch's failure stops the others at once (${took} s), nothing of them kept; two failed are named in ARCHES order"
# Two arches whose tools have both failed when the stop comes are both named as failed, each time,
# with what both said, whichever job the workflow reaps first. A `sed` first on PATH holds each
# job's showing of its tool's stderr until both tools have exited (their pids zombies or gone),
# then aarch64's 1 s more: x86_64's job ends first, and the stop comes while aarch64's still
# shows what its tool said. That job was named stopped ('x86_64 (stopped: aarch64)'; by hand,
# two tools let go at once: 25 of 30 runs one way or the other) before each job wrote its tool's
# exit status to a file of its own, first.
cat > "$work/onefail/buildroot-generator" <<EOF
#!/bin/sh
case " \$* " in *" --arch aarch64 "*) a=aarch64 ;; *) a=x86_64 ;; esac
echo \$\$ >> "$work/together.pids"
echo "buildroot-generator: note: arch-\$a" >&2
echo "buildroot-generator: $work/damaged/repodata/repomd.xml: damaged (simulated)" >&2
[ "\$a" != aarch64 ] || [ ! -e "$work/together.kill" ] || kill -KILL \$\$
exit 2
EOF
mkdir -p "$work/sedshim2"
cat > "$work/sedshim2/sed" <<EOF
#!$(command -v python3)
import os, sys, time
args = sys.argv[1:]
f = args[-1] if args else ""
def gone(p):
    try:
        with open(f"/proc/{p}/stat") as s:
            return s.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True
if "/stderr." in f and os.path.isfile(f) and "note: arch-" in open(f).read():
    for _ in range(12000):
        pids = open("$work/together.pids").read().split() if os.path.exists("$work/together.pids") else []
        if len(pids) >= 2 and all(gone(p) for p in pids):
            break
        time.sleep(0.01)
    if "note: arch-aarch64" in open(f).read():
        time.sleep(1)
os.execv("$(command -v sed)", ["sed"] + args)
EOF
chmod +x "$work/sedshim2/sed"
# Round 4: aarch64's tool is killed outright by another (SIGKILL: the OOM killer, say), a
# failure: a 137 is never the stop's (its SIGKILL ends the job's shell too, which then
# records nothing), so that arch is named failed, not stopped.
rm -f "$work/together.kill"
for round in 1 2 3 4; do
  rm -f "$work/together.pids"
  [ "$round" != 4 ] || : > "$work/together.kill"
  rc=0; PATH="$work/sedshim2:$PATH" scripts/buildroot-workflow.sh --bin "$work/onefail" --config testdata/workflow.conf \
    --work "$w" > /dev/null 2> "$work/together.err" || rc=$?
  last="x86_64 aarch64: buildroot-generator: $work/damaged/repodata/repomd.xml: damaged (simulated)"
  [ "$round" != 4 ] || last="aarch64: buildroot-generator: ended by SIGKILL"
  printf '%s\n' "$last" "buildroot-workflow: step 3 (buildroot-generator pass 1) failed for: x86_64 aarch64" \
    | cmp -s - <(tail -3 "$work/together.err" | head -2) && [ "$rc" = 2 ] \
    && grep -qx "x86_64 aarch64: buildroot-generator: .*damaged (simulated)" "$w/failed/error.txt" \
    || { cat "$work/together.err" >&2; fail "two arches failed (round $round): exit $rc, or not both named as failed"; }
done
# A stopped arch leaves no output, even when its tool had put it in place as the stop came.
# aarch64's generator (the real one) has written pass1/aarch64 and waits for its SIGTERM,
# then ends by it (143, as a tool whose signal comes after its swap ends); x86_64's fails once
# aarch64's has written. And again with aarch64's tool done (exit 0), its job's shell still
# showing what it said when the stop came: a `sed` first on PATH holds that job's (the tool
# wrote a note it recognizes) until the SIGTERM. Both left pass1/aarch64 whole in the failed
# run, named stopped.
cat > "$work/onefail/buildroot-generator" <<EOF
#!/bin/sh
case " \$* " in
  *" --arch x86_64 "*)
    [ ! -e "$work/interrupted" ] || exec sleep 120
    i=0; while [ ! -e "$work/swapped" ] && [ \$i -lt 1200 ]; do sleep 0.1; i=\$((i + 1)); done
    echo "buildroot-generator: $work/damaged/repodata/primary.xml.gz: damaged (simulated)" >&2
    exit 2 ;;
esac
"$bin/buildroot-generator" "\$@" || exit \$?
if [ -e "$work/late-term" ]; then
  trap 'exit 143' TERM
  : > "$work/swapped"
  sleep 120
else
  echo "buildroot-generator: note: done, held" >&2
fi
EOF
mkdir -p "$work/sedshim"
cat > "$work/sedshim/sed" <<EOF
#!$(command -v python3)
import os, signal, sys, time
args = sys.argv[1:]
f = args[-1] if args else ""
if "/stderr." in f and os.path.isfile(f) and not os.path.exists("$work/swapped") and "done, held" in open(f).read():
    got = []
    was = signal.signal(signal.SIGTERM, lambda *_: got.append(1))
    open("$work/swapped", "w").close()
    for _ in range(12000):
        if got:
            break
        time.sleep(0.01)
    signal.signal(signal.SIGTERM, was)
os.execv("$(command -v sed)", ["sed"] + args)
EOF
chmod +x "$work/sedshim/sed"
for late in late-term drain; do
  rm -f "$work/swapped" "$work/late-term"
  [ "$late" = drain ] || : > "$work/late-term"
  rc=0; PATH="$work/sedshim:$PATH" scripts/buildroot-workflow.sh --bin "$work/onefail" --config testdata/workflow.conf \
    --work "$w" > /dev/null 2> "$work/late.err" || rc=$?
  [ "$rc" = 2 ] && [ -e "$work/swapped" ] \
    && grep -qx "buildroot-workflow: step 3 (buildroot-generator pass 1) failed for: x86_64 (stopped: aarch64)" "$work/late.err" \
    || { cat "$work/late.err" >&2; fail "a stopped arch whose tool was done ($late): exit $rc"; }
  [ ! -e "$w/failed/pass1/aarch64" ] || fail "a stopped arch whose tool was done ($late): failed/pass1/aarch64 was left"
done
# An interrupt's stop too: SIGINT once aarch64's tool has swapped its output in (x86_64's runs on).
rm -f "$work/swapped"
: > "$work/late-term"
: > "$work/interrupted"
set -m
scripts/buildroot-workflow.sh --bin "$work/onefail" --config testdata/workflow.conf --work "$w" \
  > /dev/null 2> "$work/late.err" &
wpid=$!
set +m
for n in $(seq 1200); do [ ! -e "$work/swapped" ] || break; sleep 0.1; done
kill -INT "$wpid"
rc=0; wait "$wpid" || rc=$?
[ "$rc" = 130 ] && [ -e "$work/swapped" ] && [ ! -e "$w/failed/pass1/aarch64" ] \
  || { cat "$work/late.err" >&2; fail "an interrupt as aarch64's tool was done: exit $rc, or failed/pass1/aarch64 was left"; }
rm -f "$work/late-term" "$work/interrupted"
[ "$(snapshot "$w/current")" = "$before" ] || fail "two arches failing at once: current/ changed"
echo "e2e: two arches failing at once are both named failed (3 rounds; a tool killed outright by another is failed too); a stopped arch's output goes, even a finished tool's (an interrupt's too)"
# The other arch's tool ignores SIGTERM: it gets SIGKILL 10 s on, and the workflow's stderr is its
# lines alone (bash reported the job the SIGKILL ended: "line N: PID Killed ( trap - ERR; ...").
cat > "$work/onefail/buildroot-generator" <<EOF
#!/bin/sh
case " \$* " in
  *" --arch x86_64 "*)
    i=0; while [ ! -s "$work/deaf.pid" ] && [ \$i -lt 1200 ]; do sleep 0.1; i=\$((i + 1)); done
    echo "buildroot-generator: $work/damaged/repodata/primary.xml.gz: damaged (simulated)" >&2
    exit 2 ;;
  *)
    trap '' TERM
    echo \$\$ > "$work/deaf.pid"
    sleep 60
    exit 0 ;;
esac
EOF
rm -f "$work/deaf.pid"
rc=0; wf --bin "$work/onefail" --config testdata/workflow.conf --work "$w" > /dev/null 2> "$work/deaf.err" || rc=$?
deaf=$(cat "$work/deaf.pid" 2> /dev/null || true)
! kill -0 "$deaf" 2> /dev/null || { kill -KILL "$deaf"; fail "a tool deaf to SIGTERM outlived the workflow"; }
printf '%s\n' "== 3 buildroot-generator pass 1 (x86_64 aarch64)" \
  "x86_64: buildroot-generator: $work/damaged/repodata/primary.xml.gz: damaged (simulated)" \
  "buildroot-workflow: step 3 (buildroot-generator pass 1) failed for: x86_64 (stopped: aarch64)" \
  "buildroot-workflow: run failed; its output is kept in $w/failed/ (error.txt: why; current/ is unchanged)" \
  | cmp -s - "$work/deaf.err" && [ "$rc" = 2 ] \
  || { cat "$work/deaf.err" >&2; fail "a tool deaf to SIGTERM: exit $rc, or stderr is not the run's lines alone"; }
flock -n "$w/.lock" true || fail "a tool deaf to SIGTERM: the lock is still held after the workflow ended"
echo "e2e: a tool deaf to SIGTERM is killed, and bash's report of it is not on stderr"
# bash 5.2's `wait -n -p VAR PID...` answers 127 with VAR unset when the last job it waits for
# ends as it starts waiting (a loaded run hit it in step 7: "p: unbound variable", exit 1).
# Made certain here: the config (shell, run in the workflow's shell) defines a `wait` that
# answers step 3's first `wait -n` so once every job has ended. The run goes on (both arches
# succeeded); with aarch64's generator ended by SIGSEGV, that arch failed (no stop was sent).
conf "$work/race.conf"
cat >> "$work/race.conf" <<EOF
wait() {
  if [ "\${1-} \${2-}" = "-n -p" ] && [ ! -e "$work/race.mark" ]; then
    : > "$work/race.mark"
    local q
    for q in "\${@:4}"; do while kill -0 "\$q" 2> /dev/null; do sleep 0.05; done; done
    unset "\$3"
    return 127
  fi
  builtin wait "\$@"
}
EOF
rm -f "$work/race.mark"
rc=0; wf --config "$work/race.conf" --work "$work/w-race" --no-verify > /dev/null 2> "$work/race.err" || rc=$?
[ "$rc" = 0 ] && [ -e "$work/race.mark" ] && [ -s "$work/w-race/current/pass1/aarch64/buildroot-binary-package-names.txt" ] \
  || { cat "$work/race.err" >&2; fail "wait -n answering 127 once both arches had ended: exit $rc"; }
tools_but "$work/segvbin" buildroot-generator
cat > "$work/segvbin/buildroot-generator" <<EOF
#!/bin/sh
case " \$* " in *" --arch aarch64 "*"/pass1/"*) kill -SEGV \$\$ ;; esac
exec "$bin/buildroot-generator" "\$@"
EOF
chmod +x "$work/segvbin/buildroot-generator"
rm -f "$work/race.mark"
rc=0; wf --bin "$work/segvbin" --config "$work/race.conf" --work "$work/w-race" --no-verify > /dev/null 2> "$work/race.err" || rc=$?
[ "$rc" = 2 ] && [ -e "$work/race.mark" ] \
  && grep -qx "buildroot-workflow: step 3 (buildroot-generator pass 1) failed for: aarch64" "$work/race.err" \
  || { cat "$work/race.err" >&2; fail "wait -n answering 127 once an arch's tool had died of SIGSEGV: exit $rc"; }
echo "e2e: an arch that ended as wait -n started (bash 5.2 answers 127, no pid) is waited for by pid"

# A SIGINT sent to the workflow's pid alone (kill -INT, not a terminal's Ctrl-C) while it reads a
# command's output. bash loses one that comes while it waits for a command substitution's ($(...))
# child to exit (it takes it for the child's own, and a substitution is no job that hands it
# back), so the workflow runs none now (checked below; with set -E that child is a bash that
# exits just after its command: too short a window for a test to hold, seen in runs sent SIGINT at
# random moments). Here a `readlink` first on PATH (the workflow's first: step 8's, of current/)
# prints, closes its output, then holds; the SIGINT is sent once the workflow's shell waits
# (wait4), then the readlink let go. Step 10's generator is slow (60 s), so a run that went on
# shows: the run must end within 30 s, interrupted, its tools stopped, nothing left.
tools_but "$work/slowverify" buildroot-generator
cat > "$work/slowverify/buildroot-generator" <<EOF
#!/bin/sh
case " \$* " in *" --only-binaries "*) echo \$\$ >> "$work/slow.pids"; exec sleep 60 ;; esac
exec "$bin/buildroot-generator" "\$@"
EOF
mkdir -p "$work/readlinkshim" "$work/tmp-rl"
cat > "$work/readlinkshim/readlink" <<EOF
#!/bin/sh
if [ ! -e "$work/readlink.held" ]; then
  $(command -v readlink) "\$@"
  rc=\$?
  exec >&-
  echo \$\$ > "$work/readlink.held"
  i=0; while [ ! -e "$work/readlink.go" ] && [ \$i -lt 1200 ]; do sleep 0.1; i=\$((i + 1)); done
  exit \$rc
fi
exec $(command -v readlink) "\$@"
EOF
chmod +x "$work/slowverify/buildroot-generator" "$work/readlinkshim/readlink"
rm -f "$work/slow.pids" "$work/readlink.held" "$work/readlink.go"
before=$(snapshot "$w/current")
set -m
PATH="$work/readlinkshim:$PATH" TMPDIR="$work/tmp-rl" scripts/buildroot-workflow.sh --bin "$work/slowverify" \
  --config testdata/workflow.conf --work "$w" > /dev/null 2> "$work/rl.err" &
wpid=$!
set +m
for n in $(seq 1200); do [ ! -e "$work/readlink.held" ] || break; sleep 0.1; done
[ -e "$work/readlink.held" ] || { kill -KILL "$wpid"; cat "$work/rl.err" >&2; fail "SIGINT in a read command's wait: the workflow never ran readlink"; }
# Sent once the workflow's shell waits for a child (wait4: /proc's wchan do_wait; a kernel that
# shows none, 0, is not waited for): for the readlink, when it reads the output as $(...) does.
until_in_wait "$wpid"
kill -INT "$wpid"
while_signal_pending "$wpid"
: > "$work/readlink.go"
for n in $(seq 300); do kill -0 "$wpid" 2> /dev/null || break; sleep 0.1; done
if kill -0 "$wpid" 2> /dev/null; then
  kill -TERM "$wpid"; wait "$wpid" || true
  fail "SIGINT in a read command's wait: lost, the run went on (still running 30 s later)"
fi
rc=0; wait "$wpid" || rc=$?
# shellcheck disable=SC2046  # the pids, one a word
if [ -e "$work/slow.pids" ]; then ! kill -0 $(cat "$work/slow.pids") 2> /dev/null || fail "SIGINT in a read command's wait: step 10's tool outlived the workflow"; fi
[ "$rc" = 130 ] && [ "$(tail -1 "$work/rl.err")" = "buildroot-workflow: interrupted (SIGINT); its output is kept in $w/failed/ (error.txt: why; current/ is unchanged)" ] \
  && [ -z "$(ls -A "$work/tmp-rl")" ] && [ "$(snapshot "$w/current")" = "$before" ] \
  || { cat "$work/rl.err" >&2; fail "SIGINT in a read command's wait: exit $rc, or the run went on, or TMPDIR: $(ls -A "$work/tmp-rl")"; }
flock -n "$w/.lock" true || fail "SIGINT in a read command's wait: the lock is still held"
# The workflow runs no command substitution at all (each could lose it so), nor parses one.
! grep -nE '^[^#]*(\$\([^(]|`)' scripts/buildroot-workflow.sh \
  || fail "scripts/buildroot-workflow.sh runs a command substitution (\$(...) or backquotes): read a process substitution instead"
echo "e2e: a SIGINT to the workflow's pid while it reads a command's output stops the run"
# A config's own $(...): bash loses a SIGINT sent to the pid alone that comes while it waits for
# the substitution's child to exit, once it has read its output (in 60 runs sent 0-250 ms into a
# config of 400 `v=$(echo $i)`: 4 went on to step 3, 2 ended in "interrupt trap: line 2:
# unexpected EOF while looking for matching `)'", exit 2; once in about 100 the shell spun on the
# signal at full CPU, for ever, holding the WORK lock). The config is read with job control on
# (set -m), where bash's wait leaves a SIGINT to its trap: 60 of 60 such runs exit 130. Made
# certain here: the config's $(...) prints, closes its output and holds 3 s; the SIGINT is sent
# once the workflow's shell waits (wait4: wchan do_wait). The run must end interrupted, before
# any step (the generator fails at once: a run that went on fails step 3), nothing left.
conf "$work/cs.conf"
cat >> "$work/cs.conf" <<EOF
cs_v=\$(echo hi; exec >&-; : > "$work/cs.held"; sleep 3)
EOF
rm -f "$work/cs.held"
mkdir -p "$work/tmp-cs"
# Without a controlling terminal (a session of its own, as under cron or systemd), where the
# config is read with job control on, even when `make test` runs on a terminal; SIGINT not
# ignored, as a background job (&) of this script would start with it.
TMPDIR="$work/tmp-cs" "$py" -c 'import os, signal, sys
os.setsid(); signal.signal(signal.SIGINT, signal.SIG_DFL); os.execvp(sys.argv[1], sys.argv[1:])' \
  scripts/buildroot-workflow.sh --bin "$work/failbin" --config "$work/cs.conf" --work "$w" \
  > /dev/null 2> "$work/cs.err" &
wpid=$!
for n in $(seq 1200); do [ ! -e "$work/cs.held" ] || break; sleep 0.05; done
until_in_wait "$wpid"
kill -INT "$wpid"
for n in $(seq 300); do kill -0 "$wpid" 2> /dev/null || break; sleep 0.1; done
if kill -0 "$wpid" 2> /dev/null; then
  kill -KILL "$wpid"; wait "$wpid" || true
  fail "SIGINT in a config's \$(...): still running 30 s later"
fi
rc=0; wait "$wpid" || rc=$?
[ "$rc" = 130 ] && ! grep -q '^== ' "$work/cs.err" && [ -z "$(ls -A "$work/tmp-cs")" ] \
  || { cat "$work/cs.err" >&2; fail "SIGINT in a config's \$(...): exit $rc, or the run went on, or TMPDIR: $(ls -A "$work/tmp-cs")"; }
flock -n "$w/.lock" true || fail "SIGINT in a config's \$(...): the lock is still held"
echo "e2e: a SIGINT to the workflow's pid while a config's \$(...) ends stops the run"
# A config's own command run on the terminal the workflow was started from, in the foreground
# (a person at a terminal): a Ctrl-C typed there ends that command and the run at once, and a
# command that reads the terminal (a password prompt; here `head /dev/tty`) reads what is typed.
# With job control on while the config was read (set -m), its commands were process groups of
# their own that bash could not give the terminal to (bash's terminal is its fd 2, the config's
# stderr file then): the Ctrl-C reached the workflow alone, which waited for the command's end
# (sleep 60: 60 s), and the reading command was stopped (SIGTTIN), the run ending at once,
# silently, with exit 149. onterm.py runs the workflow as a session of its own on a
# pseudo-terminal and types KEYS once MARKER exists.
cat > "$work/onterm.py" <<'EOF'
import os, pty, select, signal, sys, time
marker, keys, out = sys.argv[1], sys.argv[2].encode(), sys.argv[3]
master, slave = pty.openpty()
pid = os.fork()
if pid == 0:
    os.close(master)
    os.setsid()
    tty = os.open(os.ttyname(slave), os.O_RDWR)  # the session's controlling terminal
    for fd in (0, 1, 2):
        os.dup2(tty, fd)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    os.execvp(sys.argv[4], sys.argv[4:])
os.close(slave)
sent, status, start = None, None, time.time()
with open(out, "wb") as o:
    while status is None:
        if select.select([master], [], [], 0.05)[0]:
            try:
                o.write(os.read(master, 65536))
            except OSError:
                pass
        if sent is None and os.path.exists(marker):
            time.sleep(0.3)
            os.write(master, keys)
            sent = time.time()
        done, st = os.waitpid(pid, os.WNOHANG)
        if done:
            status = os.waitstatus_to_exitcode(st)
        elif time.time() - start > 90:
            os.killpg(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            status = "killed"
print(status, int(time.time() - sent) if sent else "none")
EOF
conf "$work/tty.conf"
cat >> "$work/tty.conf" <<EOF
: > "$work/tty.ready"
sh -c 'echo \$\$ > "$work/tty.pid"; exec sleep 60'
EOF
rm -f "$work/tty.ready" "$work/tty.pid"
got=$("$py" "$work/onterm.py" "$work/tty.ready" $'\003' "$work/tty.out" \
  scripts/buildroot-workflow.sh --bin "$work/failbin" --config "$work/tty.conf" --work "$w")
left=""
if [ -s "$work/tty.pid" ] && kill -0 "$(cat "$work/tty.pid")" 2> /dev/null; then
  left=" (its command still runs)"; kill "$(cat "$work/tty.pid")"
fi
[ "${got% *}" = 130 ] && [ "${got#* }" -lt 20 ] && [ -z "$left" ] \
  || { cat "$work/tty.out" >&2; fail "Ctrl-C on the terminal as the config runs a command: exit and seconds $got$left"; }
conf "$work/tty.conf"
cat >> "$work/tty.conf" <<EOF
: > "$work/tty.ready"
head -n 1 /dev/tty > "$work/tty.typed"
EOF
rm -f "$work/tty.ready" "$work/tty.typed"
got=$("$py" "$work/onterm.py" "$work/tty.ready" $'typed\n' "$work/tty.out" \
  scripts/buildroot-workflow.sh --bin "$work/failbin" --config "$work/tty.conf" --work "$w")
[ "${got% *}" = 2 ] && [ "$(cat "$work/tty.typed" 2> /dev/null)" = typed ] \
  && grep -q "step 3 (buildroot-generator pass 1) failed" "$work/tty.out" \
  || { cat "$work/tty.out" >&2; fail "a config's command reading the terminal: exit $got, read '$(cat "$work/tty.typed" 2> /dev/null)'"; }
flock -n "$w/.lock" true || fail "a config's command on the terminal: the lock is still held"
echo "e2e: a config's command on the workflow's terminal gets a Ctrl-C typed there, and reads what is typed"

# TMPDIR exported by the config is the tools' (a big disk for step 4's unpacked SRPMs and steps
# 5-7's rpmbuild trees); the workflow's scratch stays in the TMPDIR it was started with, and is
# gone after the run. One that is no writable directory is refused before any step (the run went
# on, and would fail only in step 4 or later, where a spec or rpmbuild needed it).
conf "$work/check.conf"; echo "export TMPDIR=$work/no-such-tmpdir" >> "$work/check.conf"
check_refused "a TMPDIR the config exports that does not exist" \
  "^buildroot-workflow: $work/no-such-tmpdir: not a writable directory \(TMPDIR, exported by $work/check.conf: the tools' temporary files go there\)$" \
  --config "$work/check.conf"
tools_but "$work/tmpbin" identify-archful-srpms
printf '#!/bin/sh\necho "${TMPDIR-unset}" > "%s"\nexec "%s" "$@"\n' "$work/tools-tmpdir" "$bin/identify-archful-srpms" \
  > "$work/tmpbin/identify-archful-srpms"
chmod +x "$work/tmpbin/identify-archful-srpms"
mkdir -p "$work/big-tmp" "$work/start-tmp"
conf "$work/check.conf"; echo "export TMPDIR=$work/big-tmp" >> "$work/check.conf"
TMPDIR="$work/start-tmp" wf --bin "$work/tmpbin" --config "$work/check.conf" --work "$work/w-tmpdir" --no-verify \
  > /dev/null 2> "$work/check.err" || { cat "$work/check.err" >&2; fail "a TMPDIR the config exports: the run failed"; }
[ "$(cat "$work/tools-tmpdir")" = "$work/big-tmp" ] && [ -z "$(ls -A "$work/start-tmp")" ] \
  || fail "a TMPDIR the config exports: the tools got '$(cat "$work/tools-tmpdir")', the start TMPDIR holds: $(ls -A "$work/start-tmp")"
# An empty exported TMPDIR is none (/tmp), as for mktemp and sort: not "" (the current directory).
conf "$work/check.conf"; echo "export TMPDIR=" >> "$work/check.conf"
wf --bin "$work/tmpbin" --config "$work/check.conf" --work "$work/w-tmpdir" --no-verify > /dev/null 2> "$work/check.err" \
  || { cat "$work/check.err" >&2; fail "an empty TMPDIR the config exports: the run failed"; }
[ "$(cat "$work/tools-tmpdir")" = unset ] || fail "an empty TMPDIR the config exports reached the tools: '$(cat "$work/tools-tmpdir")'"
echo "e2e: a config's exported TMPDIR is the tools' (checked before the steps), the scratch stays in the start TMPDIR"

# A run killed outright (SIGKILL: no trap runs) leaves its scratch directory in TMPDIR. The next
# run removes it once no process of the killed run holds its lock, and never the scratch of a
# concurrent live run (or of a killed run whose tools still run).
kt="$work/tmpdir-kill"
mkdir -p "$kt"
start_slow() { # WORK: a run with the slow generator in the background ($wpid), once both passes run
  local n
  rm -f "$work/slow.pids"
  set -m
  TMPDIR="$kt" scripts/buildroot-workflow.sh --bin "$work/slowbin" --config testdata/workflow.conf \
    --work "$1" > /dev/null 2> "$work/kill.err" &
  wpid=$!
  set +m
  for n in $(seq 1200); do
    [ "$(cat "$work/slow.pids" 2> /dev/null | wc -l)" -lt 2 ] || break
    sleep 0.1
  done
  [ "$(wc -l < "$work/slow.pids")" = 2 ] || { cat "$work/kill.err" >&2; fail "SIGKILL: the slow passes did not start"; }
}
next_run() { # a run after the kill (step 10 alone, its tools failing at once: exit 2)
  local rc=0
  TMPDIR="$kt" wf --bin "$work/failbin" --work "$w" --verify-only > /dev/null 2> "$work/next.err" || rc=$?
  [ "$rc" = 2 ] || { cat "$work/next.err" >&2; fail "SIGKILL: the next run exited $rc, not 2"; }
}
start_slow "$work/w-killed"
kill -KILL "$wpid"
wait "$wpid" 2> /dev/null || true
killed_tools=$(cat "$work/slow.pids")
killed=$(ls "$kt")
[ "$(wc -w <<< "$killed")" = 1 ] && [ -f "$kt/$killed/.lock" ] || fail "SIGKILL: scratch left in TMPDIR: '$killed'"
start_slow "$work/w-live"
live=$(ls "$kt" | grep -vxF "$killed")
[ "$(wc -w <<< "$live")" = 1 ] || fail "SIGKILL: the live run's scratch: '$live'"
# The killed run's tools still run (and write into its scratch): it stays.
next_run
[ "$(ls "$kt")" = "$(printf '%s\n' "$killed" "$live" | LC_ALL=C sort)" ] \
  || fail "SIGKILL: a run removed the scratch of one whose tools still run: $(ls "$kt")"
# shellcheck disable=SC2086  # the killed run's tools, one pid a word
kill -KILL $killed_tools
for n in $(seq 600); do ! flock -n "$kt/$killed/.lock" true || break; sleep 0.1; done
next_run
[ "$(ls "$kt")" = "$live" ] || fail "SIGKILL: TMPDIR after the next run: $(ls "$kt") (killed: $killed, live: $live)"
kill -TERM "$wpid"
rc=0; wait "$wpid" || rc=$?
[ "$rc" = 143 ] && [ -z "$(ls -A "$kt")" ] || { cat "$work/kill.err" >&2; fail "SIGKILL: the live run exited $rc, TMPDIR: $(ls -A "$kt")"; }
# Killed while its config is read (a command of the config running): the config's stderr is in
# the run's scratch directory, which the next run removes with it (a temp file of its own in
# TMPDIR stayed for good).
conf "$work/kill.conf"; printf '%s\n' "sh -c 'echo \$\$ > \"$work/cfg.pid\"; exec sleep 60'" >> "$work/kill.conf"
rm -f "$work/cfg.pid"
TMPDIR="$kt" scripts/buildroot-workflow.sh --bin "$bin" --config "$work/kill.conf" --work "$work/w-cfgkill" \
  > /dev/null 2> "$work/kill.err" &
wpid=$!
for n in $(seq 600); do [ ! -s "$work/cfg.pid" ] || break; sleep 0.1; done
[ -s "$work/cfg.pid" ] || { cat "$work/kill.err" >&2; fail "SIGKILL while the config is read: it did not run"; }
kill -KILL "$wpid"
wait "$wpid" 2> /dev/null || true
kill -KILL "$(cat "$work/cfg.pid")"
killed=$(ls -A "$kt")
[ "$(wc -w <<< "$killed")" = 1 ] && [ -f "$kt/$killed/config.err" ] \
  || fail "SIGKILL while the config is read: TMPDIR holds '$killed', not one scratch directory with config.err"
for n in $(seq 600); do ! flock -n "$kt/$killed/.lock" true || break; sleep 0.1; done
next_run
[ -z "$(ls -A "$kt")" ] || fail "SIGKILL while the config is read: TMPDIR after the next run: $(ls -A "$kt")"
echo "e2e: a SIGKILLed run's scratch (config's stderr too) is removed by the next run, a live run's is kept"

# A reader of the workflow's stdout that is gone by the end (| head) is no error: the run is
# published, exit 0. One of its stderr gone mid-run stops it as a signal does (SIGPIPE, 141):
# error.txt says so, and nothing is left in TMPDIR (bash dying of it left its scratch directory).
{ wf --config testdata/workflow.conf --work "$w" --no-verify 2> "$work/pipe.err" | true; rc=${PIPESTATUS[0]}; } || true
[ "$rc" = 0 ] && grep -q "^== done" "$work/pipe.err" || { cat "$work/pipe.err" >&2; fail "stdout's reader gone: exit $rc"; }
mkdir -p "$work/tmpdir"
{ TMPDIR="$work/tmpdir" wf --config testdata/workflow.conf --work "$w" 2>&1 | true; rc=${PIPESTATUS[0]}; } || true
[ "$rc" = 141 ] && grep -qx "error: interrupted (SIGPIPE: the reader of its stderr or stdout went away)" "$w/failed/error.txt" \
  && [ -z "$(ls -A "$work/tmpdir")" ] \
  || fail "stderr's reader gone: exit $rc, error.txt '$(cat "$w/failed/error.txt")', TMPDIR: $(ls -A "$work/tmpdir")"

# A full disk under WORK in step 4 (a small tmpfs, where mounting is allowed): the tool's
# message is shown though the run's directory cannot take it, and the last line does not
# promise an error.txt that could not be written.
small="$work/small"
mkdir -p "$small"
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=8m tmpfs "$small" 2> /dev/null; then
  tools_but "$work/fullbin" identify-archful-srpms
  printf '#!/bin/sh
cat /dev/zero > "%s/filler" 2> /dev/null
echo "identify-archful-srpms: %s: No space left on device" >&2
exit 2
' \
    "$small" "$small/w/srpm-cache/.srpm-uses" > "$work/fullbin/identify-archful-srpms"
  chmod +x "$work/fullbin/identify-archful-srpms"
  rc=0; wf --bin "$work/fullbin" --config testdata/workflow.conf --work "$small/w" > /dev/null 2> "$work/full.err" || rc=$?
  umount "$small"
  [ "$rc" = 2 ] && grep -qxF "identify-archful-srpms: $small/w/srpm-cache/.srpm-uses: No space left on device" "$work/full.err" \
    && grep -qx "buildroot-workflow: step 4 (identify-archful-srpms) failed" "$work/full.err" \
    && [ "$(tail -1 "$work/full.err")" = "buildroot-workflow: run failed; its output is kept in $small/w/failed/ (no error.txt, it could not be written: the lines above say why; current/ is unchanged)" ] \
    || { cat "$work/full.err" >&2; fail "a full disk in step 4: exit $rc, or the reason is not shown"; }
  echo "e2e: a full disk in step 4 shows the tool's reason"
else
  echo "e2e: skipped the full-disk case (not root, or mounting a tmpfs is not allowed)" >&2
fi

# Between step 4 and steps 5-7 the SRPM cache stays held (shared): a run by hand sharing it with
# another list would otherwise delete SRPMs before create-srpm-repos links them.
tools_but "$work/lockbin" create-srpm-repos
printf '#!/bin/sh\n! flock -xn "%s" true || { echo "create-srpm-repos: the SRPM cache is not held" >&2; exit 2; }\nexec "%s" "$@"\n' \
  "$w/srpm-cache" "$bin/create-srpm-repos" > "$work/lockbin/create-srpm-repos"
chmod +x "$work/lockbin/create-srpm-repos"
wf --bin "$work/lockbin" --config testdata/workflow.conf --work "$w" > /dev/null 2> "$work/lock.err" \
  || { cat "$work/lock.err" >&2; fail "the SRPM cache was not held between steps 4 and 5-7"; }
echo "e2e: the SRPM cache stays held between step 4 and steps 5-7"

# A run deleting SRPMs that never lets go of the cache (stopped, stuck) does not hang the
# workflow: steps 5-7 wait BUILDROOT_WORKFLOW_LOCK_WAIT seconds for the cache, then stop with
# exit 2 and a line naming it. The holder starts once step 4's tool is done, and is locking
# before the wrapper returns (closing the workflow's fds: it must not hold its run lock).
tools_but "$work/holdbin" identify-archful-srpms
cat > "$work/holdbin/identify-archful-srpms" <<EOF
#!/bin/sh
"$bin/identify-archful-srpms" "\$@" || exit
flock -o -x "$w/srpm-cache" sleep 20 < /dev/null > /dev/null 2>&1 8>&- 9>&- &
echo \$! > "$work/holder.pid"
for n in \$(seq 2400); do flock -sn "$w/srpm-cache" true || exit 0; sleep 0.05; done
exit 1
EOF
chmod +x "$work/holdbin/identify-archful-srpms"
rc=0; start=$(date +%s)
BUILDROOT_WORKFLOW_LOCK_WAIT=1 wf --bin "$work/holdbin" --config testdata/workflow.conf --work "$w" \
  > /dev/null 2> "$work/hold.err" || rc=$?
took=$(($(date +%s) - start))
kill "$(cat "$work/holder.pid")" 2> /dev/null || true
[ "$rc" = 2 ] && grep -qxF "buildroot-workflow: $w/srpm-cache: another run has held this SRPM cache's lock (to delete SRPMs) for 1 s; try again once it is done" "$work/hold.err" \
  || { cat "$work/hold.err" >&2; fail "a cache held exclusively: exit $rc after $took s"; }
grep -q "^step: 5-7 create-srpm-repos" "$w/failed/error.txt" || fail "a cache held exclusively: failed/error.txt"
echo "e2e: a cache another run keeps locked stops steps 5-7 after the wait (${took} s), no hang"
# Interrupted while steps 5-7 wait for the cache (kill -INT to its pid): it stops at once, not once
# the wait is over (bash runs a trap after the command it waits for: flock -w, up to 120 s).
sed -i 's/ sleep 20 / sleep 120 /' "$work/holdbin/identify-archful-srpms"
set -m
BUILDROOT_WORKFLOW_LOCK_WAIT=100 scripts/buildroot-workflow.sh --bin "$work/holdbin" --config testdata/workflow.conf \
  --work "$w" > /dev/null 2> "$work/hold.err" &
wpid=$!
set +m
for n in $(seq 1200); do kids=$(children "$wpid"); ! grep -qx '. flock' <<< "$kids" || break; sleep 0.1; done
SECONDS=0
kill -INT "$wpid"
for n in $(seq 300); do kill -0 "$wpid" 2> /dev/null || break; sleep 0.1; done
took=$SECONDS
kill "$(cat "$work/holder.pid")" 2> /dev/null || true
if kill -0 "$wpid" 2> /dev/null; then kill -TERM "$wpid"; wait "$wpid" || true; fail "SIGINT while steps 5-7 wait for the cache: still running ${took} s later"; fi
rc=0; wait "$wpid" || rc=$?
[ "$rc" = 130 ] && [ "$(tail -1 "$work/hold.err")" = "buildroot-workflow: interrupted (SIGINT); its output is kept in $w/failed/ (error.txt: why; current/ is unchanged)" ] \
  || { cat "$work/hold.err" >&2; fail "SIGINT while steps 5-7 wait for the cache: exit $rc"; }
flock -n "$w/.lock" true \
  || fail "SIGINT while steps 5-7 wait for the cache: its flock or the lock outlived the workflow"
echo "e2e: a SIGINT while steps 5-7 wait for the cache stops the run at once (${took} s)"

# The same workload from a REPOFILE-only config (binary and -source sections); verify passes.
cat > "$work/fixture.repo" <<EOF
[fixture]
name=fixture binaries
baseurl=file://$PWD/testdata/repos/\$basearch
[fixture-source]
name=fixture sources
baseurl=file://$PWD/testdata/repos/source
EOF
conf "$work/repofile.conf" "BINARY_REPOS=''" "SOURCE_REPOS=''" "REPOFILE=$work/fixture.repo"
wf --config "$work/repofile.conf" --work "$work/w-repofile" > /dev/null 2> "$work/repofile.err" \
  || { cat "$work/repofile.err" >&2; fail "verify failed with a REPOFILE-only config"; }
grep -q "verify aarch64: every source builds" "$work/repofile.err" || fail "REPOFILE verify did not report aarch64"
cmp -s "$work/w-repofile/current/eln-buildroot-workload.yaml" "$cur/eln-buildroot-workload.yaml" \
  || fail "the REPOFILE config gave another workload"
# The same from a DNF_CONF-only config: mock's dnf.conf shape ([main] and the repos).
{ printf '[main]\nkeepcache=1\ninstall_weak_deps=0\nretries=3\nexcludepkgs=no-such-package*\n\n'
  cat "$work/fixture.repo"; } > "$work/dnf.conf"
conf "$work/dnfconf.conf" "BINARY_REPOS=''" "SOURCE_REPOS=''" "DNF_CONF=$work/dnf.conf"
wf --config "$work/dnfconf.conf" --work "$work/w-dnfconf" > /dev/null 2> "$work/dnfconf.err" \
  || { cat "$work/dnfconf.err" >&2; fail "verify failed with a DNF_CONF-only config"; }
cmp -s "$work/w-dnfconf/current/eln-buildroot-workload.yaml" "$cur/eln-buildroot-workload.yaml" \
  || fail "the DNF_CONF config gave another workload"
# Verify reads the workload YAML: without nasm in its arch_packages, libjpeg-turbo (which
# BuildRequires nasm on x86_64) fails there; aarch64 does not need nasm.
rc=0; sed -i '/^      - nasm$/d' "$work/w-repofile/current/eln-buildroot-workload.yaml"
wf --config "$work/repofile.conf" --work "$work/w-repofile" --verify-only 2> "$work/no-nasm.err" || rc=$?
[ "$rc" = 1 ] || { cat "$work/no-nasm.err" >&2; fail "verify exited $rc without nasm in the workload, not 1"; }
grep -qx "  libjpeg-turbo: package nasm-.* is filtered out by exclude filtering" "$work/no-nasm.err" || { cat "$work/no-nasm.err" >&2; fail "verify did not name nasm"; }
grep -q "verify aarch64: every source builds" "$work/no-nasm.err" || fail "aarch64 does not need nasm"

# Verify notices what compose + workload lack: libjpeg-turbo-devel (hello's BuildRequires)
# excluded from the workload, perl taken out of the compose and excluded. broken already fails
# in pass 2 (does-not-exist-devel); its new missing perl must still be reported.
mkdir -p "$work/compose"
for f in testdata/compose/*.txt; do grep -vx perl "$f" > "$work/compose/${f##*/}" || true; done
printf 'libjpeg-turbo-devel\nperl\n' > "$work/exclude.txt"
conf "$work/lacking.conf" "COMPOSE_DIR=$work/compose" "EXCLUDE_FILE=$work/exclude.txt"
rc=0; wf --config "$work/lacking.conf" --work "$work/w-lacking" > /dev/null 2> "$work/lacking.err" || rc=$?
[ "$rc" = 1 ] || { cat "$work/lacking.err" >&2; fail "verify exited $rc although perl and libjpeg-turbo-devel are missing, not 1"; }
grep -q "cannot be built from compose + workload" "$work/lacking.err" || fail "verify did not say what is missing"
! grep -qx -e "  - perl" -e "  - libjpeg-turbo-devel" "$work/w-lacking/current/eln-buildroot-workload.yaml" \
  || fail "the excluded names are in the workload"
for a in x86_64 aarch64; do
  nf="$work/w-lacking/current/verify/$a/new-failures.txt"
  grep -qx "hello: .*libjpeg-turbo-devel.*" "$nf" || { cat "$nf" >&2; fail "verify $a did not name libjpeg-turbo-devel"; }
  grep -qx "broken: .*perl.*" "$nf" || { cat "$nf" >&2; fail "verify $a missed broken's new missing perl"; }
  ! grep -q "does-not-exist-devel" "$nf" || fail "verify $a reported a problem pass 2 already had"
done

# Spec macros reach steps 4 and 5-7; a spec that cannot be evaluated is recorded (needs rpmbuild
# and createrepo_c to build the extra source repo).
if command -v rpmbuild > /dev/null && command -v createrepo_c > /dev/null; then
  mkdir -p "$work/specs" "$work/extra"
  cat > "$work/specs/e2e-archtest.spec" <<'EOF'
Name:           e2e-archtest
Version:        1
Release:        1
Summary:        archful only when the workflow defines e2e_archful
License:        MIT
BuildRequires:  gcc
%if 0%{?e2e_archful}
%ifarch x86_64
BuildRequires:  nasm
%endif
%endif
%description
e2e fixture.
%files
EOF
  cat > "$work/specs/e2e-luatest.spec" <<'EOF'
Name:           e2e-luatest
Version:        1
Release:        1
Summary:        BuildRequires that only a shell command computes
License:        MIT
BuildRequires:  %(echo make)
%description
e2e fixture.
%files
EOF
  for s in "$work"/specs/*.spec; do
    rpmbuild -bs --nodeps --define "_topdir $work/rpmbuild" --define "_srcrpmdir $work/extra" "$s" > /dev/null 2>&1 \
      || fail "rpmbuild -bs $s failed"
  done
  createrepo_c -q "$work/extra" > /dev/null || fail "createrepo_c failed"
  mkdir -p "$work/compose2"
  cp testdata/compose/*.txt "$work/compose2/"
  printf 'e2e-archtest\ne2e-luatest\n' >> "$work/compose2/sources.txt"
  conf "$work/macros.conf" "SOURCE_REPOS='fixture-source=testdata/repos/source extra=$work/extra'" \
    "COMPOSE_DIR=$work/compose2" "SPEC_DEFINES=('e2e_archful 1')"
  # No sandbox for %(...) in this run: the spec falls back to the grep, with a warning.
  RPM_BUILDROOT_SANDBOX=off wf --config "$work/macros.conf" --work "$work/w-macros" > /dev/null 2> "$work/macros.err" \
    || { cat "$work/macros.err" >&2; fail "the run with SPEC_DEFINES failed"; }
  m="$work/w-macros/current"
  [ "$(cat "$m/archful/archful.txt")" = "$(printf 'e2e-archtest\nlibjpeg-turbo')" ] \
    || fail "SPEC_DEFINES did not reach identify-archful-srpms: $(cat "$m/archful/archful.txt")"
  grep -qx nasm "$m/pass2/x86_64/output/e2e-archtest-deps-binary" \
    || fail "SPEC_DEFINES did not reach create-srpm-repos (no nasm for e2e-archtest on x86_64)"
  ! grep -qx nasm "$m/pass2/aarch64/output/e2e-archtest-deps-binary" || fail "nasm on aarch64"
  grep -q "e2e-luatest: spec not evaluated" "$m/archful/warnings.txt" || fail "fallback not in warnings.txt"
  $py -c 'import json, sys; d = json.load(open(sys.argv[1])); assert d["grep_fallback"] == ["e2e-luatest"], d' \
    "$m/archful/archful.json" || fail "fallback not in archful.json"
  grep -q "(warnings: archful/warnings.txt)" "$work/macros.err" \
    || { cat "$work/macros.err" >&2; fail "the run did not point at the archful warnings"; }
  # PREFER_RELEASE reaches every step that chooses a source (the audit's libjpeg-turbo case): the
  # older eln source is archful (nasm on x86_64 only; its SRPM built for x86_64 asks for nasm), the
  # newer fc one is not. Pass 1 builds the eln one, step 4 caches and judges it, steps 5-7
  # regenerate it per arch, and pass 2 on aarch64 builds the aarch64 SRPM (no nasm there): no
  # NoInstall, and the workflow's check that steps 1-4 agree stays silent.
  mkdir -p "$work/extra-prefer"
  for v in 1:1.eln1 2:1.fc99; do
    br=""
    [ "${v#*:}" != 1.eln1 ] || br=$'%ifarch x86_64\nBuildRequires: nasm\n%endif\n'
    printf 'Name: e2e-prefer\nVersion: %s\nRelease: %s\nSummary: two releases\nLicense: MIT\n%s%%description\ne2e.\n%%files\n' \
      "${v%%:*}" "${v#*:}" "$br" > "$work/specs/e2e-prefer.spec"
    rpmbuild -bs --nodeps --target x86_64 --define "_topdir $work/rpmbuild" --define "_srcrpmdir $work/extra-prefer" \
      "$work/specs/e2e-prefer.spec" > /dev/null 2>&1 || fail "rpmbuild -bs e2e-prefer $v failed"
  done
  rpm -qp --requires "$work/extra-prefer/e2e-prefer-1-1.eln1.src.rpm" 2> /dev/null | grep -q '^nasm' \
    || fail "the eln e2e-prefer SRPM was not built with x86_64's BuildRequires"
  createrepo_c -q "$work/extra-prefer" > /dev/null || fail "createrepo_c failed"
  mkdir -p "$work/compose3"
  cp testdata/compose/*.txt "$work/compose3/"
  echo e2e-prefer >> "$work/compose3/sources.txt"
  conf "$work/prefer.conf" "SOURCE_REPOS='fixture-source=testdata/repos/source extra=$work/extra-prefer'" \
    "COMPOSE_DIR=$work/compose3" "PREFER_RELEASE=eln"
  wf --config "$work/prefer.conf" --work "$work/w-prefer" --no-verify > /dev/null 2> "$work/prefer.err" \
    || { cat "$work/prefer.err" >&2; fail "the run with PREFER_RELEASE failed"; }
  p="$work/w-prefer/current"
  ! grep -qF "e2e-prefer: pass 1 built" "$work/prefer.err" "$p/archful/warnings.txt" \
    || { cat "$work/prefer.err" >&2; fail "PREFER_RELEASE: pass 1 and step 4 took other SRPMs"; }
  grep -qx "e2e-prefer=e2e-prefer-1-1.eln1.src.rpm" "$p/archful/srpm-map.txt" \
    || fail "PREFER_RELEASE: step 4 cached $(grep '^e2e-prefer=' "$p/archful/srpm-map.txt")"
  grep -qx e2e-prefer "$p/archful/archful.txt" || fail "PREFER_RELEASE: step 4 did not judge the eln spec archful"
  for a in x86_64 aarch64; do
    [ -e "$p/repos/$a/e2e-prefer-1-1.eln1.src.rpm" ] && ! ls "$p/repos/$a" | grep -q '^e2e-prefer-2-' \
      || fail "PREFER_RELEASE: the $a source repo: $(ls "$p/repos/$a" | grep '^e2e-prefer' | tr '\n' ' ')"
    grep -qx e2e-prefer-1-1.eln1 "$p/pass2/$a/buildroot-source-package-nvrs.txt" \
      || fail "PREFER_RELEASE: pass 2 on $a did not build e2e-prefer-1-1.eln1"
    [ ! -e "$p/pass2/$a/errors/e2e-prefer-NoInstall" ] \
      || fail "PREFER_RELEASE: e2e-prefer NoInstall on $a: $(cat "$p/pass2/$a/errors/e2e-prefer-NoInstall")"
  done
  ! rpm -qp --requires "$p/repos/aarch64/e2e-prefer-1-1.eln1.src.rpm" 2> /dev/null | grep -q '^nasm' \
    || fail "PREFER_RELEASE: the aarch64 SRPM of e2e-prefer was not regenerated (it asks for nasm)"
  grep -qx nasm "$p/pass2/x86_64/output/e2e-prefer-deps-binary" || fail "PREFER_RELEASE: no nasm for e2e-prefer on x86_64"
else
  echo "e2e: skipped the spec macro and fallback case (needs rpmbuild and createrepo_c)" >&2
fi
# make demo: the compose computed from the fixture's content-resolver configs, twice (the
# second time with a new workload). Step 10 reports libxml2-devel (kept out of the workload by
# testdata/exclude-demo.txt); run 2's changes.md says what entered and left, and why.
scripts/demo.sh --bin "$bin" --work "$work/demo" > /dev/null 2> "$work/demo.err" \
  || { cat "$work/demo.err" >&2; fail "make demo failed"; }
d="$work/demo/current"
for a in x86_64 aarch64; do
  [ -s "$d/compose/$a.txt" ] && [ -s "$d/compose/sources-$a.txt" ] || fail "no compose lists for $a"
  grep -qx zsh "$d/compose/$a.txt" || fail "the computed compose lacks zsh (from the core group of both repos)"
  [ "$(cat "$d/verify/$a/missing.txt")" = libxml2-devel ] || fail "$a missing.txt: $(cat "$d/verify/$a/missing.txt")"
  grep -qx "python3: package libxml2-devel-.* is filtered out by exclude filtering" "$d/verify/$a/new-failures.txt" \
    || fail "$a new-failures.txt: $(cat "$d/verify/$a/new-failures.txt")"
  grep -qx newlib "$d/compose/$a.txt" || fail "the placeholder newlib is not in the $a compose"
  [ -s "$d/pass2/$a/output/newlib-deps-binary" ] || fail "the placeholder source newlib was not resolved on $a"
done
grep -q "No previous workload" "$work/demo/last/changes.md" || fail "run 1's changes.md is not a first run's"
grep -qF -- "- \`docbook-style-xsl\`: docbook-style-xsl ← BuildRequires '/usr/share/xml/docbook/catalog.xml' of docs-tool (input) (needed by docs-tool)" "$d/changes.md" \
  || { cat "$d/changes.md" >&2; fail "changes.md does not explain docbook-style-xsl"; }
grep -qF -- "- \`patch\`: the compose ships it now" "$d/changes.md" || fail "changes.md does not say why patch left"
$py - "$d" <<'PY'
import json, sys, yaml
d = sys.argv[1]
c = json.load(open(d + "/changes.json"))
x = c["arches"]["x86_64"]
assert [e["name"] for e in x["entered"]] == ["docbook-style-xsl"], x
assert x["entered"][0]["why"][-1] == "BuildRequires '/usr/share/xml/docbook/catalog.xml' of docs-tool (input)", x
assert x["left"] == [{"name": "patch", "because": "in-compose"}], x["left"]
w = yaml.safe_load(open(d + "/verify/configs/eln-buildroot-workload.yaml"))
assert "experimental" not in w["data"] and "repositories" not in w["data"], w["data"].keys()
assert w["data"]["labels"] == ["fixture-buildroot"], w["data"]["labels"]
PY
"$bin/compose-view" --check --configs "$d/verify/configs" -q || fail "step 10's configs copy does not load"
# The run keeps the configs it read (the top-level *.yaml and *.json, nothing else) ...
cp -r testdata/content-resolver "$work/cr-extra"
mkdir "$work/cr-extra/sub"; touch "$work/cr-extra/README.md" "$work/cr-extra/sub/other.yaml"
conf "$work/cr-extra.conf" "COMPOSE_DIR=" "COMPOSE_CONFIGS=$work/cr-extra" "VIEW=view-fixture" \
  "REPOFILE=testdata/fixture.repo" "BINARY_REPOS=''" "SOURCE_REPOS=''" \
  "COMPOSE_REPO_OVERRIDES='fixture=testdata/repos/\$basearch extras=testdata/repos/extras/\$basearch'"
# A misspelt VIEW is the workflow config's mistake, refused before the run (step 2 blamed the
# content-resolver configs for it).
sed 's/^VIEW=.*/VIEW=view-fixtures/' "$work/cr-extra.conf" > "$work/cr-view.conf"
check_refused "a VIEW the configs lack" "^buildroot-workflow: .*cr-view.conf: VIEW='view-fixtures': no such view in COMPOSE_CONFIGS \(no $work/cr-extra/view-fixtures.yaml\)$" --config "$work/cr-view.conf"
wf --config "$work/cr-extra.conf" --work "$work/w-cr" --no-verify > /dev/null 2> "$work/cr-extra.err" \
  || { cat "$work/cr-extra.err" >&2; fail "the run from a copy of the configs failed"; }
rm -r "$work/cr-extra/sub" "$work/cr-extra/README.md"
diff -r "$work/w-cr/current/configs" "$work/cr-extra" > /dev/null \
  || fail "the run's configs/ is not the *.yaml and *.json it read: $(ls -R "$work/w-cr/current/configs")"
# A config compose-view refuses is named by compose-view in the run's copy; the workflow says which
# original to fix.
echo "  bad: [unclosed" >> "$work/cr-extra/base-fixture.yaml"
rc=0; wf --config "$work/cr-extra.conf" --work "$work/w-cr" --no-verify > /dev/null 2> "$work/cr-bad.err" || rc=$?
[ "$rc" = 2 ] && grep -qx "compose-view: $work/w-cr/runs/[^/]*/configs/base-fixture.yaml: not valid YAML: .*" "$work/cr-bad.err" \
  && grep -qxF "buildroot-workflow: step 2 (compose-view) failed (the config's VIEW and ARCHES, or a file it names in configs/, the run's copy of one in $work/cr-extra: fix it there)" "$work/cr-bad.err" \
  || { cat "$work/cr-bad.err" >&2; fail "a bad config file: exit $rc, or the original is not named"; }
# ... and --verify-only (make verify) computes the new compose from that copy, not from the
# configs as they are now (here: gone).
rm -rf "$work/demo/demo/configs"
rc=0; wf --work "$work/demo" --verify-only > /dev/null 2> "$work/demo-verify.err" || rc=$?
[ "$rc" = 1 ] && [ "$(cat "$d/verify/x86_64/missing.txt")" = libxml2-devel ] \
  && [ -s "$d/verify/configs/eln-buildroot-workload.yaml" ] \
  || { cat "$work/demo-verify.err" >&2; fail "--verify-only did not use the run's configs: exit $rc"; }
# The compose's placeholder packages (newlib-x86) are known from content-resolver's NEVRA list:
# not reported as compose names no repository has.
for f in "$d"/verify/*/compose-unknown.txt; do
  [ ! -e "$f" ] || fail "the demo's compose has names no repository holds: $(cat "$f")"
done
echo "e2e: ok"
