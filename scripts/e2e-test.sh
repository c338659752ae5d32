#!/usr/bin/env bash
# End-to-end test of the whole workflow on the shipped test data (run by `make test`):
# the ELN-Buildroot workload's packages and arch_packages are asserted exactly, the YAML is
# parsed back, step 10's verify must pass (with BINARY_REPOS, a REPOFILE-only and a DNF_CONF-only config)
# and must fail on what the workload YAML lacks, kept .repo files stay valid, current/ is
# swapped atomically and the previous run kept as last/, failed steps exit 2 and are kept as
# failed/, the archful step records its JSON, warnings and the spec macros of the config, and
# `make demo` (the compose from content-resolver configs, twice) writes its change report and
# has step 10 report the package it leaves out on purpose.
set -euo pipefail
cd "$(dirname "$0")/.."
# The tools to test: a directory of built binaries (default: the release build).
bin=$(cd "${1:-target/release}" && pwd)
wf() { scripts/buildroot-workflow.sh --bin "$bin" "$@"; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
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
baseurls_exist() { # .repo files...: every file:// baseurl is an existing directory
  local f u
  for f in "$@"; do
    [ -s "$f" ] || fail "missing .repo file $f"
    while IFS= read -r u; do
      u=${u#baseurl=file://}
      u=${u//\$basearch/x86_64}
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
done
"$py" -u -m http.server --bind 127.0.0.1 --directory "$cr" 0 > "$work/http.log" 2>&1 &
http_pid=$!
trap 'kill "$http_pid" 2>/dev/null; rm -rf "$work"' EXIT
port=""
for _ in $(seq 50); do
  port=$(sed -n 's/.*port \([0-9][0-9]*\).*/\1/p' "$work/http.log" 2> /dev/null | head -1) || true
  [ -n "$port" ] && break; sleep 0.1
done
[ -n "$port" ] || fail "the test HTTP server did not start: $(cat "$work/http.log")"
for url in "$cr" "http://127.0.0.1:$port/"; do
  conf "$work/url.conf" "COMPOSE_DIR=" "COMPOSE_URL=$url"
  rm -rf "$work/w-url"
  XDG_CACHE_HOME="$work/xdg" wf --config "$work/url.conf" --work "$work/w-url" --no-verify > /dev/null 2> "$work/url.err" \
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
# A source the published list names but no repo has (content-resolver publishes no placeholder
# build requirements) is named after pass 1, with where placeholders come from.
cp -r "$cr" "$work/cr-ph"
for a in x86_64 aarch64; do
  printf '\nplaceholder-only' >> "$work/cr-ph/view-source-package-name-list--view-eln--$a.txt"
done
conf "$work/ph.conf" "COMPOSE_DIR=" "COMPOSE_URL=$work/cr-ph"
XDG_CACHE_HOME="$work/xdg" wf --config "$work/ph.conf" --work "$work/w-ph" --no-verify > /dev/null 2> "$work/ph.err" \
  || { cat "$work/ph.err" >&2; fail "COMPOSE_URL with a placeholder source: the workflow failed"; }
grep -q "warning: x86_64: 1 compose source(s) in no source repo (NoSource, pass1/x86_64/errors/): placeholder-only" "$work/ph.err" \
  && grep -q "content-resolver publishes no placeholder build requirements" "$work/ph.err" \
  || { cat "$work/ph.err" >&2; fail "a NoSource compose source is not named after pass 1"; }
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

# A failed step exits 2 naming the step and arch, keeps the run as failed/, leaves current/.
keep=$(readlink -f "$cur")
conf "$work/bad-src.conf" "SOURCE_REPOS='fixture-source=$work/no-such-repo'"
rc=0; wf --config "$work/bad-src.conf" --work "$work" > /dev/null 2> "$work/bad-src.err" || rc=$?
[ "$rc" = 2 ] || { cat "$work/bad-src.err" >&2; fail "a bad SOURCE_REPOS exited $rc, not 2"; }
grep -q "step 3 (buildroot-generator pass 1) failed for: x86_64 aarch64" "$work/bad-src.err" \
  || { cat "$work/bad-src.err" >&2; fail "the failure does not name the step and arches"; }
grep -q "kept in $work/failed/" "$work/bad-src.err" || fail "stderr does not say where the failed run is"
grep -qs no-such-repo "$work/failed/workflow.conf" || fail "failed/ not kept"
[ "$(readlink -f "$cur")" = "$keep" ] || fail "a failed run replaced current/"
first_failed=$(readlink -f "$work/failed")
# A second failure (step 4: a macro file that does not exist) replaces the older failed/.
conf "$work/bad-macros.conf" "SPEC_MACROS=$work/no-such.macros"
rc=0; wf --config "$work/bad-macros.conf" --work "$work" > /dev/null 2> "$work/bad-macros.err" || rc=$?
[ "$rc" = 2 ] || { cat "$work/bad-macros.err" >&2; fail "a missing SPEC_MACROS file exited $rc, not 2"; }
grep -q "step 4 (identify-archful-srpms) failed" "$work/bad-macros.err" || fail "step 4 failure not named"
grep -q "no-such.macros" "$work/bad-macros.err" || fail "the tool's error about the macro file is not shown"
[ -d "$work/failed/pass1/x86_64" ] && [ "$(readlink -f "$work/failed")" != "$first_failed" ] \
  && [ ! -e "$first_failed" ] || fail "the second failure did not replace failed/"
[ "$(readlink -f "$cur")" = "$keep" ] || fail "a failed run replaced current/"

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
echo "e2e: ok"
