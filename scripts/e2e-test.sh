#!/usr/bin/env bash
# End-to-end test of the whole workflow on the shipped test data (run by `make test`):
# the ELN-Buildroot workload's packages and arch_packages are asserted exactly, the YAML is
# parsed back, step 10's verify must pass, and a rerun keeps the previous run as last/.
set -euo pipefail
cd "$(dirname "$0")/.."
# The tools to test: a directory of built binaries (default: the release build).
bin=$(cd "${1:-target/release}" && pwd)
wf() { scripts/buildroot-workflow.sh --bin "$bin" "$@"; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "e2e: FAIL: $*" >&2; exit 1; }

wf --config testdata/workflow.conf --work "$work" > "$work/stdout" 2> "$work/stderr" \
  || { cat "$work/stderr" >&2; fail "the workflow failed"; }
cur="$work/current"
for f in eln-buildroot-workload.yaml buildroot.yaml diff.txt archful/archful.txt \
         pass1/x86_64/buildroot-binary-package-names.txt pass2/aarch64/buildroot-binary-package-names.txt \
         repos/x86_64/repodata/repomd.xml repos/aarch64/repodata/repomd.xml; do
  [ -s "$cur/$f" ] || fail "missing or empty: $f"
done
[ "$(cat "$cur/archful/archful.txt")" = "libjpeg-turbo" ] || fail "archful list: $(cat "$cur/archful/archful.txt")"

py=python3
/usr/bin/python3 -c 'import yaml' 2>/dev/null && py=/usr/bin/python3
$py - "$cur" <<'PY'
import sys, yaml
cur = sys.argv[1]
w = yaml.safe_load(open(cur + "/eln-buildroot-workload.yaml"))
assert w["document"] == "feedback-pipeline-workload", w["document"]
assert w["version"] == 1
d = w["data"]
common = ("binutils bzip2 bzip2-devel cpio cpp curl-minimal diffutils docbook-style-xsl fedora-release-eln "
          "findutils gawk gcc glibc-devel grep gzip info libgcc libjpeg-turbo-devel libxml2 libxml2-devel make "
          "ncurses-devel ncurses-libs patch python3-devel python3-rpm-macros python3-setuptools redhat-rpm-config "
          "rpm rpm-build sed shadow-utils tar unzip util-linux which xz zlib-devel").split()
assert d["packages"] == common, ("packages", sorted(set(d["packages"]) ^ set(common)))
arch = {k: (v or []) for k, v in d["arch_packages"].items()}
assert arch == {"aarch64": [], "x86_64": ["nasm"]}, arch
assert d["experimental"]["buildroot"] is True
assert d["labels"] == ["eln-buildroot"], d["labels"]
b = yaml.safe_load(open(cur + "/buildroot.yaml"))
assert b["document"] == "feedback-pipeline-buildroot"
bd = b["data"]
assert "rpm-build" in bd["base_buildroot"]["x86_64"]
assert bd["source_packages"]["x86_64"]["libjpeg-turbo"]["requires"] == ["binutils", "cpp", "gcc", "glibc-devel", "libgcc", "nasm"], bd["source_packages"]["x86_64"]["libjpeg-turbo"]
assert "nasm" not in bd["source_packages"]["aarch64"]["libjpeg-turbo"]["requires"]
assert sorted(bd["failed_buildroot"]["aarch64"]) == ["broken", "compat-32", "conflicted"], bd["failed_buildroot"]
assert sorted(bd["failed_buildroot"]["x86_64"]) == ["broken", "conflicted"], bd["failed_buildroot"]
print("e2e: workload and buildroot YAML as expected")
PY

wf --config testdata/workflow.conf --work "$work" --verify-only 2> "$work/verify" \
  || { cat "$work/verify" >&2; fail "verify failed"; }
grep -q "verify x86_64: ok" "$work/verify" || fail "verify did not report x86_64"

# A rerun replaces current/ and keeps the previous run as last/.
first=$(stat -c %i "$cur")
wf --config testdata/workflow.conf --work "$work" > /dev/null 2>&1 || fail "rerun failed"
[ "$(stat -c %i "$work/last")" = "$first" ] || fail "the previous run was not kept as last/"
cmp -s "$work/last/eln-buildroot-workload.yaml" "$work/current/eln-buildroot-workload.yaml" || fail "rerun changed the workload"

# Verify must notice a workload that lacks something: exclude gcc from it.
sed "s|^EXCLUDE_FILE=.*|EXCLUDE_FILE=$work/exclude-gcc.txt|" testdata/workflow.conf > "$work/conf"
echo gcc > "$work/exclude-gcc.txt"
if wf --config "$work/conf" --work "$work/w2" > /dev/null 2> "$work/verify2"; then
  fail "verify passed although gcc is missing from compose + workload"
fi
grep -q "cannot be built from compose + workload" "$work/verify2" || fail "verify did not say what is missing"
echo "e2e: ok"
