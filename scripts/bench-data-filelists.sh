#!/usr/bin/env bash
# The distribution-sized filelists scenario of the benchmark, for an existing Debian dataset
# (make bench-data runs it; it also runs alone on a dataset made before it existed):
#   scripts/bench-data-filelists.sh [DIR]     (default bench-data/)
# Writes DIR/filelists/ (docs/benchmark.md, bench/datagen/src/filelists.rs): x86_64/, the x86_64
# primary.xml with a filelists.xml of real file lists from Debian bookworm's Contents-amd64.gz and
# Contents-all.gz (≈600 MB unpacked, as Fedora's), and source/, a few sources whose BuildRequires
# name paths only filelists.xml lists. The Contents files are downloaded into DIR/debian/ (≈45 MB)
# and reused when present. Without them (no network) it prints one line saying the scenario is
# skipped and exits 1; nothing is left half-written.
#   BENCH_ZSTD_LEVEL=N   zstd level of the filelists (default 10, as the other bench repos)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-bench-data}
skip() { echo "bench-data: the filelists scenario is skipped: $*" >&2; exit 1; }
[ -d "$dir/repos/x86_64/repodata" ] || skip "$dir/repos/x86_64 missing (run make bench-data)"
[ "$(cat "$dir/SOURCE" 2>/dev/null)" = debian ] || skip "it needs the Debian dataset (this one is $(cat "$dir/SOURCE" 2>/dev/null || echo unknown))"
mkdir -p "$dir/debian"
for c in amd64 all; do
  f="$dir/debian/Contents-$c.gz"
  [ -s "$f" ] && continue
  curl -fsSL --retry 2 --connect-timeout 20 -o "$f.part" "http://deb.debian.org/debian/dists/bookworm/main/Contents-$c.gz" 2>/dev/null &&
    gzip -t "$f.part" 2>/dev/null || { rm -f "$f.part"; skip "cannot download Debian's Contents-$c.gz"; }
  mv "$f.part" "$f"
done
cargo build -q --release -p bench-datagen
rm -rf "$dir/filelists.tmp"
"${CARGO_TARGET_DIR:-target}/release/bench-datagen" --filelists "$dir/repos/x86_64" "$dir/filelists.tmp" \
  "$dir/debian/Contents-amd64.gz" "$dir/debian/Contents-all.gz" ||
  { rm -rf "$dir/filelists.tmp"; skip "bench-datagen --filelists failed"; }
rm -rf "$dir/filelists"
mv "$dir/filelists.tmp" "$dir/filelists"
