#!/usr/bin/env bash
# A byte-scale variant of an SRPM set (scripts/srpm-set.sh): the set's SRPMs, hard-linked, plus
# N SRPMs whose Source0 is random bytes of Fedora-like sizes, so that what is proportional to
# bytes (copying into the SRPM cache, sha256) shows as it would with real tarballs.
#
#   scripts/srpm-bytes.sh SRPM-SET OUT [MB...]
#
# One SRPM `bytes-NNN-1-1.src.rpm` per MB figure given (default: 60 of 4 MB, 40 of 12 MB, 15 of
# 30 MB, 4 of 90 MB: 1.5 GB), built by `rpmbuild -bs` from a three-line spec, its payload
# uncompressed (random bytes do not compress; Fedora's zstd payload of real tarballs hardly
# does either). OUT gets the set's layout: source/ (with createrepo_c's repodata), bin/ (the
# set's, linked), names.txt; scripts/bench-srpm.sh takes it as a set.
set -euo pipefail
set_dir=$(cd "${1:?usage: scripts/srpm-bytes.sh SRPM-SET OUT [MB...]}" && pwd)
out=${2:?usage: scripts/srpm-bytes.sh SRPM-SET OUT [MB...]}
shift 2
sizes=("$@")
if [ ${#sizes[@]} -eq 0 ]; then
  for _ in $(seq 60); do sizes+=(4); done
  for _ in $(seq 40); do sizes+=(12); done
  for _ in $(seq 15); do sizes+=(30); done
  for _ in $(seq 4); do sizes+=(90); done
fi
[ ! -e "$out" ] || { echo "srpm-bytes: $out exists" >&2; exit 2; }
mkdir -p "$out/source" "$out/bin"
out=$(cd "$out" && pwd)
cp -al "$set_dir/bin/." "$out/bin/"
ln "$set_dir/source/"*.rpm "$out/source/"
cp "$set_dir/names.txt" "$out/names.txt"
work=$(mktemp -d /tmp/srpm-bytes.XXXXXX)
trap 'rm -rf "$work"' EXIT
i=0
for mb in "${sizes[@]}"; do
  i=$((i + 1))
  name=$(printf 'bytes-%03d' "$i")
  mkdir -p "$work/$name"
  head -c "$((mb * 1024 * 1024))" /dev/urandom > "$work/$name/$name-1.tar.gz"
  printf 'Name: %s\nVersion: 1\nRelease: 1\nSummary: %s MB of random bytes\nLicense: MIT\nSource0: %%{name}-%%{version}.tar.gz\nBuildRequires: gcc\n%%description\nRandom bytes.\n' \
    "$name" "$mb" > "$work/$name/$name.spec"
  rpmbuild -bs --nodeps --define "_sourcedir $work/$name" --define "_srcrpmdir $out/source" \
    --define '_source_payload w0.ufdio' --define '_buildhost srpm-bytes' \
    --define 'source_date_epoch_from_changelog 0' "$work/$name/$name.spec" > /dev/null
  rm -rf "${work:?}/$name"
  echo "$name" >> "$out/names.txt"
done
createrepo_c -q --no-database "$out/source"
echo "srpm-bytes: $out: $(ls "$out/source" | grep -c 'src.rpm$') SRPMs, $(du -sm "$out/source" | cut -f1) MB" >&2
