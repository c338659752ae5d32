#!/usr/bin/env bash
# Records the answers of the rpmspec of each ROOT (made by scripts/debian-rpm-root.sh) for
# every snippet spec of crates/buildroot-core/tests/spec_support into
# crates/buildroot-core/tests/spec_recorded/rpm-VERSION.txt, then runs the test that checks
# the evaluator against them (spec_recorded.rs, part of make test). Run it after adding a
# snippet; commit the files it writes.
#
#   scripts/record-spec-snippets.sh /tmp/rpm-roots/trixie /tmp/rpm-roots/sid
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || { echo "usage: scripts/record-spec-snippets.sh ROOT..." >&2; exit 2; }
for root; do
  root=$(cd "$root" && pwd)
  SPEC_SNIPPETS_RECORD="$PWD/scripts/rpmspec-in-root.sh $root" \
    cargo test -q -p buildroot-core --test spec_recorded snippets_agree_with_recorded_rpm || true
done
cargo test -q -p buildroot-core --test spec_recorded
