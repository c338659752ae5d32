#!/usr/bin/env bash
# make demo: the workflow from the fixture's content-resolver configs, twice, offline.
#
#   scripts/demo.sh [--work DIR] [--bin DIR]
#
# --work: where the runs go (default: the checkout's work/; current/ and last/ in it);
# --bin: the tools (default: target/release, or $CARGO_TARGET_DIR/release: make release).
#
# Run 1: testdata/workflow-configs.conf (compose-view computes the compose from
# testdata/content-resolver; steps 2-10). Run 2: the same with the configs plus
# testdata/demo-change/ (a new workload), so changes.md shows what entered and left the
# ELN-Buildroot workload, and why. Step 10 reports libxml2-devel missing from the new compose
# on purpose (testdata/exclude-demo.txt keeps it out of the workload): that is the expected
# verify exit 1 of both runs, and this script checks it and exits 0. Any other failure exits 2.
set -euo pipefail
work=work bin=${CARGO_TARGET_DIR:-target}/release
abs() { case "$1" in /*) printf '%s' "$1" ;; *) printf '%s' "$PWD/$1" ;; esac; }
while [ $# -gt 0 ]; do
  case "$1" in
    # Given ones are the caller's (as the workflow takes them); the defaults the repository's.
    --work) [ -n "${2:-}" ] || { echo "demo: --work needs a value" >&2; exit 2; }; work=$(abs "$2"); shift 2 ;;
    --bin) [ -n "${2:-}" ] || { echo "demo: --bin needs a value" >&2; exit 2; }; bin=$(abs "$2"); shift 2 ;;
    # The usage is this file's head comment, as the workflow script prints its own.
    -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    *) echo "demo: unknown argument '$1' (usage: scripts/demo.sh [--work DIR] [--bin DIR]; --help)" >&2; exit 2 ;;
  esac
done
cd "$(dirname "$0")/.."
wf() { # config: one workflow run; verify's exit 1 is expected (the intentionally missing package)
  local rc=0
  scripts/buildroot-workflow.sh --config "$1" --work "$work" --bin "$bin" || rc=$?
  case $rc in
    0) echo "demo: step 10 found nothing missing, but libxml2-devel should be (testdata/exclude-demo.txt)" >&2; exit 2 ;;
    1) ;;
    *) exit 2 ;;
  esac
  grep -qx libxml2-devel "$work/current/verify/x86_64/missing.txt" \
    || { echo "demo: step 10 did not report libxml2-devel missing" >&2; exit 2; }
}

echo "== demo run 1: the compose from testdata/content-resolver" >&2
wf testdata/workflow-configs.conf

echo "== demo run 2: the configs plus testdata/demo-change/ (a changed input)" >&2
mkdir -p "$work/demo"
rm -rf "$work/demo/configs"
cp -r testdata/content-resolver "$work/demo/configs"
cp testdata/demo-change/*.yaml "$work/demo/configs/"
sed "s|^COMPOSE_CONFIGS=.*|COMPOSE_CONFIGS=\"$work/demo/configs\"|" testdata/workflow-configs.conf \
  > "$work/demo/workflow.conf"
wf "$work/demo/workflow.conf"

{
  echo
  echo "== demo: done. $work/current/ holds run 2, $work/last/ run 1."
  echo "   changes.md (what entered and left the workload between the runs, and why):"
  sed 's/^/   /' "$work/current/changes.md"
  echo "   step 10 reports libxml2-devel, which testdata/exclude-demo.txt keeps out of the"
  echo "   workload on purpose (verify/ARCH/missing.txt, verify/ARCH/new-failures.txt):"
  sed 's/^/   /' "$work/current/verify/report.txt"
} >&2
