#!/usr/bin/env bash
# Writes the Fedora-scale synthetic benchmark dataset into bench-data/ (never committed):
# 4 arches x ~67k binaries, 25k sources per arch (4% archful), a 5000-binary compose.
#   scripts/bench-data.sh [DIR]        BENCH_SOURCES=N to change the size
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-bench-data}
cargo build -q --release -p bench-datagen
rm -rf "$out.tmp"
./target/release/bench-datagen "$out.tmp"
rm -rf "$out"
mv "$out.tmp" "$out"
du -sh "$out"/repos/* >&2
