#!/usr/bin/env bash
# The distribution-sized filelists scenario of the benchmark (scripts/bench.sh runs it after the
# per-arch table; it also runs alone, with the release build (target/release, or $CARGO_TARGET_DIR/release) made: make release):
#   scripts/bench-filelists.sh [DATA-DIR] [X86_64-JSON]
# The x86_64 run of the bench (compose sources, parsed metadata: an empty cache directory and
# RPM_BUILDROOT_POOL_CACHE=0) with DATA-DIR/filelists (scripts/bench-data-filelists.sh, run here
# when it is missing): the binary repo's filelists.xml carries Debian's real file lists (≈600 MB
# unpacked) and a second source repo adds sources whose BuildRequires name paths only filelists.xml
# lists, so the load must read it. Prints a table (load against the read floor: `zstd -dc` of the
# files this load reads) and, last, a line bench.sh reads:
#   filelists: load_s=… x_floor=…      (n/a when the scenario is skipped)
# The output check: the x86_64 run's binaries (X86_64-JSON, the same run without the scenario; run
# here when not given) are all there, each path's owner is, and no scenario source has an error.
#   BENCH_REPEAT=N    runs per timing, best kept (default 2)
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-bench-data}
main_json=${2:-}
repeat=${BENCH_REPEAT:-2}
gen=${CARGO_TARGET_DIR:-target}/release/buildroot-generator
fl=$data/filelists
[ -x "$gen" ] || { echo "bench-filelists: $gen missing: run 'make release' first" >&2; exit 2; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
. scripts/bench-lib.sh
title="Distribution-sized filelists (x86_64, Debian Contents"
skipped() {
  echo; echo "## $title)"; echo
  echo "| filelists scenario | skipped: $* |"
  echo; echo "filelists: load_s=n/a x_floor=n/a"
  exit 0
}
if [ ! -s "$fl/stats.txt" ]; then
  scripts/bench-data-filelists.sh "$data" >&2 || skipped "no $fl (scripts/bench-data-filelists.sh could not make it)"
fi
files=$(ls "$fl"/x86_64/repodata/*-{primary,filelists}.xml.zst "$data"/repos/source-x86_64/repodata/*-primary.xml.zst \
  "$fl"/source/repodata/*-primary.xml.zst)
bytes=$(zstd -dc $files | wc -c)
cat "$data/compose/sources.txt" "$fl/sources.txt" > "$tmp/sources.txt"
if [ -z "$main_json" ]; then
  main_json=$tmp/main.json
  RPM_BUILDROOT_POOL_CACHE=0 "$gen" -q --json --arch x86_64 --cache-dir "$tmp/cache" --repo "m=$data/repos/x86_64" \
    --source-repo "s=$data/repos/source-x86_64" "$data/compose/sources.txt" > "$main_json"
fi
floor=999 load=999 fp=999 rss=0
for _ in $(seq "$repeat"); do
  start=$(date +%s.%N); zstd -dc $files > /dev/null; floor=$(min "$floor" "$(since "$start")")
  rm -rf "$tmp/cache"
  RPM_BUILDROOT_POOL_CACHE=0 /usr/bin/time -v "$gen" --timings -q --json --arch x86_64 --cache-dir "$tmp/cache" \
    --repo "m=$fl/x86_64" --source-repo "s=$data/repos/source-x86_64" --source-repo "f=$fl/source" \
    "$tmp/sources.txt" > "$tmp/fl.json" 2> "$tmp/fl.err"
  grep '^timings:' "$tmp/fl.err" > "$tmp/fl.t"
  [ "$(field "$tmp/fl.t" pool_cached)" = 0 ] || { echo "bench-filelists: the pool was read from a cache, not parsed" >&2; exit 1; }
  load=$(min "$load" "$(field "$tmp/fl.t" load_s)")
  fp=$(min "$fp" "$(field "$tmp/fl.t" fixed_point_s)")
  r=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tmp/fl.err"); [ "$r" -gt "$rss" ] && rss=$r
done
IFS=$'\t' read -r added check < <(py "import json,sys
d=json.load(open(sys.argv[1])); m=json.load(open(sys.argv[2]))
b=set(d['binaries']); bad=[]
lost=[x for x in m['binaries'] if x not in b]
if lost: bad.append(f'{len(lost)} binaries of the x86_64 run missing')
for line in open(sys.argv[3]):
    path, *owners = line.split()
    if not any(o in b for o in owners): bad.append(f'no owner of {path}')
for s in (l.strip() for l in open(sys.argv[4])):
    if s not in d['sources'] or s in d['errors']: bad.append(f'{s} failed')
print(len(b - set(m['binaries'])), 'NO: ' + '; '.join(bad) if bad else 'yes', sep='\t')" \
  "$tmp/fl.json" "$main_json" "$fl/paths.txt" "$fl/sources.txt")
owners=$(awk '{o=$2; for (i=3;i<=NF;i++) o=o"/"$i; printf "%s%s (%s)", (NR>1?", ":""), $1, o}' "$fl/paths.txt")
ratio=$(py "print(f'{$load/$floor:.1f}')")
echo
echo "## $title; $(field "$fl/stats.txt" files) files, $(py "print(round($(field "$fl/stats.txt" open_size)/1e6))") MB unpacked)"
echo
echo "The x86_64 run with the filelists of $fl/x86_64 and the sources of $fl/source ($(paste -sd' ' "$fl/sources.txt")), whose BuildRequires name $owners; parsed (no pool cache), best of $repeat."
echo
echo "| packages | metadata MB (unpacked) | read floor s | load s (parse) | load / floor | fixed point s | sources | binaries | binaries the file deps add | peak RSS MB | output check |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
echo "| $(field "$tmp/fl.t" packages) | $(py "print(round($bytes/1e6))") | $(fmt "$floor") | $(fmt "$load") | ${ratio}× | $(fmt "$fp") | $(field "$tmp/fl.t" sources) | $(field "$tmp/fl.t" binaries) | $added | $((rss / 1024)) | $check |"
echo
echo "filelists: load_s=$(fmt "$load") x_floor=$ratio"
