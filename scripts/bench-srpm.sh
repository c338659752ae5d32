#!/usr/bin/env bash
# The archful steps (4: identify-archful-srpms, 5-7: create-srpm-repos) on a set of real SRPMs
# made by scripts/srpm-set.sh (make bench SRPM_SET=DIR runs this; it also runs alone):
#
#   scripts/bench-srpm.sh SRPM-SET [BIN-DIR]
#     REPEAT=N   runs of each figure, the best kept (default 2)
#     HTTP=1     also a cold identify-archful-srpms with the SRPMs served over HTTP
#                (python3 -m http.server on 127.0.0.1)
#
# Prints a table and `bench_srpm: identify_s=... identify_warm_s=... create_repos_s=...
# peak_mb=... createrepo_c_s=... written_mb=... identify_read_mb=... identify_warm_read_mb=...
# create_repos_read_mb=...`. Figures: wall seconds (best of REPEAT), CPU = user + sys, peak RSS,
# what the run wrote (getrusage's block outputs), what it read (read(2) bytes, `rchar`: hashing
# and copying SRPMs are most of it with real tarballs). identify: all four
# arches in one run, with an empty SRPM cache (cold: every SRPM checked and hard-linked, or
# copied, from the file:// repo) and again on the cache it filled (warm). create_repos: the four arches one after the
# other, each into a new directory, from the warm cache. createrepo_c: on a hard-linked copy of
# each arch's SRPMs (its repodata alone), the reference for the repodata step.
set -euo pipefail
cd "$(dirname "$0")/.."
set_dir=$(cd "${1:?usage: scripts/bench-srpm.sh SRPM-SET [BIN-DIR]}" && pwd)
bin=${2:-${CARGO_TARGET_DIR:-target}/release}
repeat=${REPEAT:-2}
arches="x86_64 aarch64 ppc64le s390x"
[ -s "$set_dir/names.txt" ] || { echo "bench-srpm: $set_dir is no SRPM set (scripts/srpm-set.sh)" >&2; exit 2; }
tmp=$(mktemp -d /tmp/bench-srpm.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
repos=(--source-repo "src=$set_dir/source" --repo "bin=$set_dir/bin" --core srpm-set-macros
  --release-package srpm-set-macros)
arch_args=(); for a in $arches; do arch_args+=(--arch "$a"); done

# `/usr/bin/time -v` of a command: "wall cpu peak_kb written_kb read_kb" on fd 3. read: the
# bytes the command read through read(2) (`rchar` of /proc/PID/io, page cache hits included),
# from the shell that waited for it: what hashing and copying SRPMs cost grows with it.
timed() {
  bash -c '"$@"; s=$?; grep "^rchar" /proc/$$/io > "$0"; exit $s' "$tmp/rchar" \
    /usr/bin/time -v -o "$tmp/time" "$@" || { echo "bench-srpm: failed: $*" >&2; cat "$tmp/time" >&2; exit 1; }
  awk -F': ' -v r="$(cut -d' ' -f2 "$tmp/rchar")" '/Elapsed \(wall/ {n=split($2,t,":"); w=(n==3)?t[1]*3600+t[2]*60+t[3]:t[1]*60+t[2]}
    /User time/ {u=$2} /System time/ {s=$2} /Maximum resident/ {m=$2} /File system outputs/ {o=$2}
    END {printf "%.2f %.2f %d %d %d\n", w, u+s, m, o/2, r/1024}' "$tmp/time" >&3
}
min() { python3 -c "import sys; print(min(float(a) for a in sys.argv[1:]))" "$@"; }
identify() {
  timed "$bin/identify-archful-srpms" -q "${repos[@]}" "${arch_args[@]}" --cache "$1" \
    --map "$tmp/map.txt" --json-file "$tmp/archful.json" "$set_dir/names.txt" > "$tmp/archful.txt"
}
create() {
  local a
  for a in $arches; do
    rm -rf "$tmp/out/$a"
    timed "$bin/create-srpm-repos" -q --arch "$a" --cache "$tmp/cache" --archful "$tmp/archful.txt" \
      --repo "bin=$set_dir/bin" --core srpm-set-macros --release-package srpm-set-macros \
      --out "$tmp/out/$a" "$set_dir/names.txt"
  done
}
sum() { awk -v c="$1" '{s+=$c} END {printf "%.2f", s}'; }
maxc() { awk -v c="$1" '$c>m {m=$c} END {print m+0}'; }

declare -a cold warm crt crc
for _ in $(seq "$repeat"); do
  # The last round's repos go first: removing their links to the cache's SRPMs moves those
  # files' ctime, after which a run hashes them again (docs/formats.md, 2b); each round then
  # measures what the first does.
  rm -rf "$tmp/cache" "$tmp/out"
  cold+=("$(identify "$tmp/cache" 3>&1)")
  warm+=("$(identify "$tmp/cache" 3>&1)")
  crt+=("$(create 3>&1 | tr '\n' ' ')")
  own=$(find "$tmp/out" -name '*.rpm' -links 1 | wc -l) all_rpms=$(find "$tmp/out" -name '*.rpm' | wc -l)
  for a in $arches; do
    rm -rf "$tmp/cr/$a"; mkdir -p "$tmp/cr/$a"
    ln "$tmp/out/$a/"*.rpm "$tmp/cr/$a/"
  done
  crc+=("$(for a in $arches; do timed createrepo_c -q "$tmp/cr/$a"; done 3>&1 | tr '\n' ' ')")
done
best() { # best wall of runs given as "wall cpu peak written read" lines (several per run: summed)
  local b=999 line w
  for line in "$@"; do
    w=$(echo "$line" | xargs -n5 | sum 1); b=$(min "$b" "$w")
  done
  echo "$b"
}
field_all() { printf '%s\n' "$@" | xargs -n5; }
read_mb() { echo $(( $(field_all "$@" | sum 5 | cut -d. -f1) / 1024 / repeat )); }
n=$(wc -l < "$set_dir/names.txt")
n_archful=$(wc -l < "$tmp/archful.txt")
size=$(du -sm "$set_dir/source" | cut -f1)
echo "| archful steps, $n SRPMs ($size MB), $n_archful archful, 4 arches | wall s (best of $repeat) | CPU s | peak RSS MB | written MB | read MB |"
echo "|---|---|---|---|---|---|"
row() {
  local what=$1; shift
  echo "| $what | $(best "$@") | $(field_all "$@" | sum 2 | awk -v r="$repeat" '{printf "%.2f", $1/r}') | $(( $(field_all "$@" | maxc 3) / 1024 )) | $(( $(field_all "$@" | sum 4 | cut -d. -f1) / 1024 / repeat )) | $(read_mb "$@") |"
}
row "identify-archful-srpms, cold cache (file://)" "${cold[@]}"
row "identify-archful-srpms, warm cache" "${warm[@]}"
row "create-srpm-repos, 4 arches one after the other" "${crt[@]}"
row "createrepo_c, the same 4 directories" "${crc[@]}"
echo "| SRPMs in the 4 repos: hard links to the cache / files of their own (regenerated) | $((all_rpms - own)) / $own |"
# createrepo_c's primary.xml has the same lines, in its own order (docs/formats.md, 2a).
for a in $arches; do
  cmp -s <(zcat "$tmp/out/$a/repodata/"*-primary.xml.gz | sed '$s/$/\n/' | grep -v '^$' | sort) \
    <(zcat "$tmp/cr/$a/repodata/"*-primary.xml.gz | sed '$s/$/\n/' | grep -v '^$' | sort) ||
    echo "| $a: primary.xml has other lines than createrepo_c's | DIFFERENT |"
done
http_s=n/a
if [ -n "${HTTP:-}" ]; then
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  (cd "$set_dir/source" && exec python3 -m http.server -b 127.0.0.1 "$port" > /dev/null 2>&1) &
  srv=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/repodata/repomd.xml" > /dev/null && break; sleep 0.1; done
  repos[1]="src=http://127.0.0.1:$port/"
  rm -rf "$tmp/hcache"
  h=$(identify "$tmp/hcache" 3>&1)
  kill "$srv"
  http_s=$(echo "$h" | cut -d' ' -f1)
  echo "| identify-archful-srpms, cold cache, SRPMs over HTTP (python3 -m http.server) | $http_s | $(echo "$h" | cut -d' ' -f2) | $(( $(echo "$h" | cut -d' ' -f3) / 1024 )) | $(( $(echo "$h" | cut -d' ' -f4) / 1024 )) | $(( $(echo "$h" | cut -d' ' -f5) / 1024 )) |"
fi
peak=$(( $(field_all "${cold[@]}" "${warm[@]}" "${crt[@]}" | maxc 3) / 1024 ))
echo
echo "bench_srpm: identify_s=$(best "${cold[@]}") identify_warm_s=$(best "${warm[@]}") identify_http_s=$http_s create_repos_s=$(best "${crt[@]}") peak_mb=$peak createrepo_c_s=$(best "${crc[@]}") written_mb=$(( $(field_all "${cold[@]}" "${crt[@]}" | sum 4 | cut -d. -f1) / 1024 / repeat )) identify_read_mb=$(read_mb "${cold[@]}") identify_warm_read_mb=$(read_mb "${warm[@]}") create_repos_read_mb=$(read_mb "${crt[@]}")"
