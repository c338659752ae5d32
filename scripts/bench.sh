#!/usr/bin/env bash
# Prints the performance table of rpm-buildroot on the Fedora-scale dataset (make bench-data):
# metadata load per arch against the read floor (parsed, and read back from the pool cache that
# the first run writes), the fixed point per arch and for all 4 arches (pool cache cold and warm),
# peak RSS, error counts next to dose-builddebcheck's on the same Debian data, one resolve, the
# dnf-based original on a subset (extrapolated), then the same on real openEuler 20.03 metadata
# when $SHARED_DATA/openeuler-20.03-x86_64 exists. Then the distribution-sized filelists scenario
# (scripts/bench-filelists.sh: x86_64 with ≈600 MB of real file lists and BuildRequires on paths
# only filelists.xml lists). Ends with one line a script can compare:
#   bench: 4arch_wall_s=… fixed_point_s=… load_x_floor=… peak_mb=… vs_dnf=…× cached_x_floor=… 4arch_cached_s=… filelists_load_s=… filelists_x_floor=… outdir_s=…
# (load_x_floor and 4arch_wall_s parse the metadata, as before the cache; the cached_ fields read
# the pools back, as every run after the first does while the repos stay the same; the filelists_
# fields are the scenario's parsed load and its ratio to its read floor, n/a when it is skipped;
# outdir_s is x86_64 from the cached pool with --output-dir, as the workflow runs it).
#
#   scripts/bench.sh [DATA-DIR]
#   DNF_SOURCES=N     sources for the dnf baselines (default 200)
#   BENCH_REPEAT=N    runs per timing, best kept (default 2; the machine may be shared)
#   SHARED_DATA=DIR   real-RPM datasets (default ../shared/data from the repository root)
#   SPEC_CORPUS=DIR   a directory of spec files (spec evaluator line; SPEC_SAMPLE=N every N-th)
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-bench-data}
[ -d "$data/repos" ] || { echo "bench: $data/repos missing: run 'make bench-data' first" >&2; exit 2; }
shared=${SHARED_DATA:-../shared/data}
repeat=${BENCH_REPEAT:-2}
ndnf=${DNF_SOURCES:-200}
cargo build -q --release --workspace
gen=${CARGO_TARGET_DIR:-target}/release/buildroot-generator
arches="x86_64 aarch64 ppc64le s390x"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
. scripts/bench-lib.sh
# BadDeps, NoInstall and NoSource counts of a --json document.
errors() { py "import json,sys; e=json.load(open(sys.argv[1]))['errors'].values()
print(sum(1 for x in e if x.get('bad_deps')), sum(1 for x in e if x.get('no_install')), sum(1 for x in e if x.get('no_source')))" "$1"; }
have_dnf=0; /usr/bin/python3 -c 'import dnf' 2>/dev/null && have_dnf=1
# The dnf-based original on the first N sources: "seconds-per-source sources-resolved".
dnf_rate() {
  /usr/bin/python3 scripts/dnf-buildroot.py "$@" > "$tmp/dnf.json"
  py "import json,sys; d=json.load(open(sys.argv[1])); print(d['seconds']/max(d['resolved'],1), d['resolved'])" "$tmp/dnf.json"
}

declare -A debarch=([x86_64]=amd64 [aarch64]=arm64 [ppc64le]=ppc64el [s390x]=s390x)
dose=""; command -v dose-builddebcheck >/dev/null && [ -f "$data/debian/Sources" ] && dose=1

echo "## rpm-buildroot benchmark: $(cat "$data/SOURCE" 2>/dev/null || echo unknown) dataset, $(nproc) cores, $(date -u +%Y-%m-%d), load average $(cut -d' ' -f1-3 /proc/loadavg) at start"
echo
echo "| arch | packages | metadata MB (unpacked) | read floor s | load s (parse) | parse / floor | load s (cached pool) | cached / floor | fixed point s | sources | binaries | BadDeps | NoInstall | builddebcheck broken (same sources) | peak RSS MB | output md5 |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
fps=() ratios=() cratios=() peaks=()
cache="$tmp/cache"
# A load alone (a core name no repo has, no input) with the pool cache of $cache: "load_s pool_cached".
load_only() {
  "$gen" --timings -q --core bench-no-such-package --release-package "" --arch "$1" --cache-dir "$cache" \
    --repo "m=$data/repos/$1" --source-repo "s=$data/repos/source-$1" /dev/null 2>&1 >/dev/null |
    tr ' ' '\n' | sed -n 's/^load_s=//p; s/^pool_cached=//p' | tr '\n' ' '
  echo
}
for a in $arches; do
  files=$(ls "$data/repos/$a/repodata/"*-{primary,filelists}.xml.zst "$data/repos/source-$a/repodata/"*-primary.xml.zst)
  bytes=$(zstd -dc $files | wc -c)
  floor=999 load=999 cached=999 fp=999 rss=0
  for _ in $(seq "$repeat"); do
    # The floor: only decompress the same metadata files.
    start=$(date +%s.%N); zstd -dc $files > /dev/null; floor=$(min "$floor" "$(since "$start")")
    # A cold pool cache: this run parses the metadata and writes the pool.
    rm -rf "$cache"
    /usr/bin/time -v "$gen" --timings -q --json --arch "$a" --cache-dir "$cache" --repo "m=$data/repos/$a" \
       --source-repo "s=$data/repos/source-$a" "$data/compose/sources.txt" > "$tmp/$a.json" 2> "$tmp/$a.err"
    grep '^timings:' "$tmp/$a.err" > "$tmp/$a.t"
    fp=$(min "$fp" "$(field "$tmp/$a.t" fixed_point_s)")
    load=$(min "$load" "$(field "$tmp/$a.t" load_s)")
    r=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tmp/$a.err"); [ "$r" -gt "$rss" ] && rss=$r
    # Loads alone: from the pool the run wrote, then parsed again.
    read -r l hit < <(load_only "$a")
    [ "$hit" = 1 ] || { echo "bench: $a: the pool cache was not read back" >&2; exit 1; }
    cached=$(min "$cached" "$l")
    rm -rf "$cache"
    read -r l _ < <(load_only "$a")
    load=$(min "$load" "$l")
  done
  read -r bad noinst _ < <(errors "$tmp/$a.json")
  dd="-"
  if [ -n "$dose" ]; then
    # Debian's own check of the same Build-Depends (newest version of each
    # source, as we build), counted on the sources of our run. It takes
    # minutes per arch, so its answer is kept next to the indices.
    d="$data/debian/builddebcheck-${debarch[$a]}.txt"
    if [ ! -s "$d" ]; then
      dose-builddebcheck -f --latest=1 --deb-native-arch="${debarch[$a]}" "$data/debian/Packages-${debarch[$a]}" \
        "$data/debian/Sources" 2>/dev/null | sed -n 's/^ *- *package: *//p; s/^ *package: *//p' | sort -u > "$d.tmp" || true
      echo "# done" >> "$d.tmp"; mv "$d.tmp" "$d"
    fi
    dd=$(py "import json,sys; s=set(json.load(open(sys.argv[1]))['sources']); print(sum(1 for l in open(sys.argv[2]) if l.strip() in s))" \
      "$tmp/$a.json" "$d")
  fi
  md5=$(md5sum < "$tmp/$a.json" | cut -c1-12)
  # The same run from the pool the last load wrote: the same output.
  "$gen" -q --json --arch "$a" --cache-dir "$cache" --repo "m=$data/repos/$a" --source-repo "s=$data/repos/source-$a" \
    "$data/compose/sources.txt" > "$tmp/$a.cached.json"
  [ "$(md5sum < "$tmp/$a.cached.json" | cut -c1-12)" = "$md5" ] || md5="$md5 (cached pool: DIFFERENT)"
  ratio=$(py "print(f'{$load/$floor:.1f}')") cratio=$(py "print(f'{$cached/$floor:.1f}')")
  echo "| $a | $(field "$tmp/$a.t" packages) | $(py "print(round($bytes/1e6))") | $(fmt "$floor") | $(fmt "$load") | ${ratio}× | $(fmt "$cached") | ${cratio}× | $(fmt "$fp") | $(field "$tmp/$a.t" sources) | $(field "$tmp/$a.t" binaries) | $bad | $noinst | $dd | $((rss / 1024)) | $md5 |"
  fps+=("$fp") ratios+=("$ratio") cratios+=("$cratio") peaks+=("$((rss / 1024))")
  [ "$a" = x86_64 ] && { cp "$tmp/$a.t" "$tmp/x86.t"; }
done
[ -n "$dose" ] || echo "(builddebcheck: not run; install dose-builddebcheck and re-run make bench-data to keep the Debian indices)"

# All four arches at once, as the workflow runs them: with a cold pool cache (parsing and
# writing the pools), then reading the pools back.
all=999 allc=999
four() {
  local start; start=$(date +%s.%N)
  for a in $arches; do
    "$gen" -q --arch "$a" --cache-dir "$cache" --repo "m=$data/repos/$a" --source-repo "s=$data/repos/source-$a" \
      "$data/compose/sources.txt" > /dev/null &
  done
  wait
  since "$start"
}
for _ in $(seq "$repeat"); do
  rm -rf "$cache"
  all=$(min "$all" "$(four)")
  allc=$(min "$allc" "$(four)")
done
echo
echo "| what | figure |"
echo "|---|---|"
echo "| full fixed point, all 4 arches in parallel (wall, best of $repeat): parsing the metadata, reading the cached pools | $(fmt "$all") s, $(fmt "$allc") s |"

# The run as the workflow makes it: x86_64 with --output-dir (dep-tracker's layout: two lists
# per source, the relations and why documents), from the cached pool.
od=999
for _ in $(seq "$repeat"); do
  start=$(date +%s.%N)
  "$gen" -q --arch x86_64 --cache-dir "$cache" --output-dir "$tmp/outdir" --repo "m=$data/repos/x86_64" \
    --source-repo "s=$data/repos/source-x86_64" "$data/compose/sources.txt" > /dev/null
  od=$(min "$od" "$(since "$start")")
done
echo "| x86_64 with --output-dir, cached pool (wall, best of $repeat): $(find "$tmp/outdir" -type f | wc -l) files, $(du -sm "$tmp/outdir" | cut -f1) MB | $(fmt "$od") s |"

# One resolve: the resolver bench on a 70k-package synthetic pool.
res=$(cargo bench -q -p buildroot-core --bench resolve 2>/dev/null | grep 'core + 20 BRs' || true)
[ -n "$res" ] && echo "| one resolve, core + 20 BuildRequires, 70k-package synthetic pool (median ms, p90 ms) | $(echo "$res" | awk '{print $(NF-2)", "$(NF-1)}') |"

# The spec evaluator on a corpus of specs (all specs x 4 arches, Fedora's macro set as
# scripts/spec-corpus.sh assembles it; SPEC_CORPUS=DIR, SPEC_SAMPLE=N for every N-th spec).
if [ -n "${SPEC_CORPUS:-}" ] && [ -d "$SPEC_CORPUS" ]; then
  line=$(OURS_ONLY=1 SAMPLE="${SPEC_SAMPLE:-1}" OUT="$tmp/spec-corpus" scripts/spec-corpus.sh "$SPEC_CORPUS" 2>&1 |
    sed -n 's/^spec_corpus: //p' | tail -1)
  echo "| spec evaluator: ${line:-failed} |"
else
  echo "| spec evaluator, corpus x 4 arches | skipped: give SPEC_CORPUS=DIR (docs/archful.md) |"
fi

# The archful steps on a set of real SRPMs (SRPM_SET=DIR, made by scripts/srpm-set.sh from a spec
# corpus; docs/benchmark.md, "Archful steps").
if [ -n "${SRPM_SET:-}" ] && [ -d "$SRPM_SET" ]; then
  scripts/bench-srpm.sh "$SRPM_SET" "$(dirname "$gen")" > "$tmp/srpm.out" ||
    printf '| archful steps | FAILED (see stderr) |\n\nbench_srpm: failed\n' > "$tmp/srpm.out"
  echo; grep -v "^bench_srpm: " "$tmp/srpm.out"; echo
  grep '^bench_srpm: ' "$tmp/srpm.out"
else
  echo "| archful steps (identify-archful-srpms, create-srpm-repos) on real SRPMs | skipped: give SRPM_SET=DIR (scripts/srpm-set.sh) |"
fi

vs="n/a"
ours_s=$(field "$tmp/x86.t" fixed_point_s); ours_n=$(field "$tmp/x86.t" sources); ours_tx=$(field "$tmp/x86.t" transactions)
if [ "$have_dnf" = 1 ]; then
  read -r per n < <(dnf_rate --arch x86_64 --repo "m=$data/repos/x86_64" --repo "s=$data/repos/source-x86_64" --limit "$ndnf" "$data/compose/sources.txt")
  vs=$(py "print(round($per*$ours_n/$ours_s))")
  echo "| one source's transaction, same jobs and data: rpm-buildroot (CPU ms per source, $ours_n sources, $ours_tx transactions) vs dnf (ms per source) | $(py "print(f'{$ours_s*$(nproc)/$ours_n*1000:.2f}')") ms vs $(py "print(round($per*1000))") ms |"
  echo "| dnf-based original (scripts/dnf-buildroot.py), x86_64: $n sources | $(py "print(f'{$per*$n:.1f}')") s ($(py "print(round($per*1000))") ms/source) |"
  echo "| dnf-based original extrapolated to $ours_n sources | $(py "print(f'{$per*$ours_n/60:.1f}')") min |"
  echo "| rpm-buildroot fixed point, x86_64 | $(fmt "$ours_s") s |"
  echo "| speed-up | ${vs}× |"
else
  echo "| dnf-based original | skipped: /usr/bin/python3 cannot import dnf |"
fi

# Real RPM metadata: openEuler 20.03 LTS x86_64 (its README names the core).
oe="$shared/openeuler-20.03-x86_64"
if [ -d "$oe/bin/repodata" ]; then
  core="bash,bzip2,coreutils,cpio,diffutils,findutils,gawk,glibc,grep,gzip,info,make,patch,openEuler-rpm-config,rpm-build,sed,shadow,tar,unzip,util-linux,which,xz"
  zcat "$oe"/src/repodata/*-primary.xml.gz | sed -n 's|.*<name>\(.*\)</name>.*|\1|p' | sort -u > "$tmp/oe.sources"
  fp=999 load=999 cached=999 rss=0
  for _ in $(seq "$repeat"); do
    rm -rf "$cache"
    for run in parse cached; do
      /usr/bin/time -v "$gen" --timings -q --json --arch x86_64 --core "$core" --release-package openEuler-release \
        --cache-dir "$cache" --repo "bin=$oe/bin" --source-repo "src=$oe/src" "$tmp/oe.sources" > "$tmp/oe.json" 2> "$tmp/oe.err"
      grep '^timings:' "$tmp/oe.err" > "$tmp/oe.t"
      fp=$(min "$fp" "$(field "$tmp/oe.t" fixed_point_s)")
      if [ "$run" = parse ]; then load=$(min "$load" "$(field "$tmp/oe.t" load_s)"); else cached=$(min "$cached" "$(field "$tmp/oe.t" load_s)"); fi
      r=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tmp/oe.err"); [ "$r" -gt "$rss" ] && rss=$r
    done
  done
  read -r bad noinst nosrc < <(errors "$tmp/oe.json")
  same=$(py "import json,sys
d=json.load(open(sys.argv[1]))
want=[l.split()[1] for l in open(sys.argv[2]) if l.startswith('binary ')]
print('yes' if d['binaries']==want else 'NO')" "$tmp/oe.json" testdata/openeuler/expected.txt)
  echo
  echo "## Real RPM metadata: openEuler 20.03 LTS x86_64 (every source as input, openEuler's core)"
  echo
  echo "| packages | load s (parse) | load s (cached pool) | fixed point s | sources | binaries | BadDeps | NoInstall | peak RSS MB | binaries = dnf's (testdata/openeuler) |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
  echo "| $(field "$tmp/oe.t" packages) | $(fmt "$load") | $(fmt "$cached") | $(fmt "$fp") | $(field "$tmp/oe.t" sources) | $(field "$tmp/oe.t" binaries) | $bad | $noinst | $((rss / 1024)) | $same |"
  if [ "$have_dnf" = 1 ]; then
    read -r per n < <(dnf_rate --arch x86_64 --repo "bin=$oe/bin" --repo "src=$oe/src" --core "$core,openEuler-release" --limit "$ndnf" "$tmp/oe.sources")
    total=$(field "$tmp/oe.t" sources)
    echo
    echo "| what | figure |"
    echo "|---|---|"
    echo "| dnf-based original, $n sources | $(py "print(f'{$per*$n:.1f}')") s ($(py "print(round($per*1000))") ms/source) |"
    echo "| dnf-based original extrapolated to $total sources | $(py "print(f'{$per*$total:.0f}')") s |"
    echo "| speed-up | $(py "print(round($per*$total/$fp))")× |"
  fi
fi

# The distribution-sized filelists scenario (bench-data/filelists, made here when missing).
scripts/bench-filelists.sh "$data" "$tmp/x86_64.json" > "$tmp/filelists.out" ||
  printf '\n| filelists scenario | FAILED (see stderr) |\n\nfilelists: load_s=failed x_floor=failed\n' > "$tmp/filelists.out"
grep -v '^filelists: ' "$tmp/filelists.out"
fl_load=$(sed -n 's/^filelists: load_s=\([^ ]*\).*/\1/p' "$tmp/filelists.out")
fl_ratio=$(sed -n 's/^filelists: .*x_floor=\([^ ]*\).*/\1/p' "$tmp/filelists.out")

echo
join() { local IFS=,; echo "$*"; }
echo "bench: 4arch_wall_s=$(fmt "$all") fixed_point_s=$(py "print(f'{max([$(join "${fps[@]}")]):.2f}')") load_x_floor=$(py "print(max([$(join "${ratios[@]}")]))") peak_mb=$(py "print(max([$(join "${peaks[@]}")]))") vs_dnf=${vs}× cached_x_floor=$(py "print(max([$(join "${cratios[@]}")]))") 4arch_cached_s=$(fmt "$allc") filelists_load_s=${fl_load:-n/a} filelists_x_floor=${fl_ratio:-n/a} outdir_s=$(fmt "$od")"
