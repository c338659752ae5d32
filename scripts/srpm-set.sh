#!/usr/bin/env bash
# A Fedora-sized set of real SRPMs for the archful steps' benchmark (make bench SRPM_SET=DIR;
# not part of make test): every SAMPLE-th spec of a spec corpus (docs/archful.md) built by
# `rpmbuild -bs --nodeps` for an x86_64 host with the corpus's macro set (Fedora's, as
# scripts/spec-corpus.sh assembles it, with ELN's defines), each Source/Patch a small placeholder
# file of the right name; then repodata by createrepo_c, and a binary repo with one noarch
# package holding that macro set, for the tools' --repo (docs/benchmark.md, "Archful steps").
#
#   scripts/srpm-set.sh SPECS-DIR OUT-DIR
#     SAMPLE=N  every N-th spec of the sorted list (default 5)
#     JOBS=N    rpmbuild runs at once (default 2)
#
# OUT-DIR/source: the SRPMs and their repodata; OUT-DIR/bin: the macro package's repo;
# OUT-DIR/skipped.txt: the specs rpm refused, with rpm's first error line; OUT-DIR/names.txt:
# the source names. Specs run in bubblewrap (read-only system, no network), as spec-corpus.sh
# runs rpmspec. A finished set (OUT-DIR/done) is left alone.
set -euo pipefail
cd "$(dirname "$0")/.."
specs=$(cd "${1:?usage: scripts/srpm-set.sh SPECS-DIR OUT-DIR}" && pwd)
out=${2:?usage: scripts/srpm-set.sh SPECS-DIR OUT-DIR}
mkdir -p "$out"; out=$(cd "$out" && pwd)
[ ! -e "$out/done" ] || { echo "srpm-set: $out is complete ($(cat "$out/done"))" >&2; exit 0; }
sample=${SAMPLE:-5} jobs=${JOBS:-2}
for t in rpmbuild rpmspec createrepo_c bwrap; do
  command -v $t > /dev/null || { echo "srpm-set: $t is not installed" >&2; exit 2; }
done

# The macro set spec-corpus.sh uses, and RPM_CONFIGDIR: the host's /usr/lib/rpm plus its lua/.
OUT="$out/corpus" MACROS_ONLY=1 scripts/spec-corpus.sh "$specs"
macros=$out/corpus/macros cfg=$out/rpmconfig
rm -rf "$cfg"; mkdir -p "$cfg"
for f in /usr/lib/rpm/*; do ln -s "/usr/lib/rpm/${f##*/}" "$cfg/"; done
rm -f "$cfg/lua"; ln -s "$macros/lua" "$cfg/lua"
# ELN's distribution macros (fedora-release-eln's macros.dist), after the others.
printf '%%rhel 11\n%%el11 1\n%%eln 150\n%%dist .eln150\n' > "$macros/macros.dist"
SRPM_MACROS=$(paste -sd: "$out/corpus/macro-files.txt"):$macros/macros.dist:/usr/lib/rpm/platform/x86_64-linux/macros
export specs out cfg macros SRPM_MACROS

build_one() {
  local spec=$1 work=$out/work/$1
  rm -rf "$work"; mkdir -p "$work/src" "$work/top"
  local box=(bwrap --ro-bind / / --ro-bind /usr/bin/bash /usr/bin/sh --dev /dev --proc /proc --tmpfs /tmp
    --ro-bind "$out" "$out" --ro-bind "$specs" "$specs" --bind "$work" "$work" --bind "$out/source" "$out/source" --unshare-all --die-with-parent
    --setenv RPM_CONFIGDIR "$cfg" --setenv HOME /tmp --)
  local rpmargs=(--macros "$SRPM_MACROS" --define "_sourcedir $work/src" --define "_topdir $work/top"
    --define "_srcrpmdir $out/source")
  # The sources and patches the spec names (base names), each a small file.
  local f
  while IFS= read -r f; do
    case $f in */* | '' | . | ..) ;; *) printf 'placeholder for %s\n' "$f" > "$work/src/$f" ;; esac
  done < <("${box[@]}" timeout 60 rpmspec -q --srpm "${rpmargs[@]}" --qf '[%{SOURCE}\n][%{PATCH}\n]' \
    "$specs/$spec" 2> /dev/null || true)
  if "${box[@]}" timeout 120 rpmbuild -bs --nodeps "${rpmargs[@]}" "$specs/$spec" > "$work/log" 2>&1; then
    rm -rf "$work"
  else
    printf '%s\t%s\n' "$spec" "$(grep -m1 -i 'error' "$work/log" || tail -1 "$work/log")" > "$work.skipped"
    rm -rf "$work"
  fi
}
export -f build_one

mkdir -p "$out/source" "$out/work"
ls "$specs" | grep '\.spec$' | awk -v n="$sample" 'NR % n == 0' > "$out/asked.txt"
start=$(date +%s)
xargs -P "$jobs" -n 1 bash -c 'build_one "$0"' < "$out/asked.txt"
cat "$out"/work/*.skipped 2> /dev/null | sort > "$out/skipped.txt" || true
rm -rf "$out/work"
createrepo_c -q --workers "$jobs" "$out/source"
rpm -qp --qf '%{NAME}\n' "$out"/source/*.rpm 2> /dev/null | sort -u > "$out/names.txt"

# The binary repo: one noarch package with the macro set as /usr/lib/rpm holds it (rpm's own
# macros and platform files are the host's rpm 4.18's), so the tools find Fedora's macros and
# Lua modules the way they find redhat-rpm-config's (--core srpm-set-macros).
bin=$out/bin pkg=$out/macro-pkg
rm -rf "$bin" "$pkg"; mkdir -p "$bin" "$pkg/root/usr/lib/rpm/macros.d" "$pkg/root/usr/lib/rpm/redhat"
cp /usr/lib/rpm/macros "$pkg/root/usr/lib/rpm/"
for a in x86_64 aarch64 ppc64le s390x; do
  install -D -m 0644 "/usr/lib/rpm/platform/$a-linux/macros" "$pkg/root/usr/lib/rpm/platform/$a-linux/macros"
done
cp "$macros"/macros.d/macros.* "$macros/macros.dist" "$pkg/root/usr/lib/rpm/macros.d/"
cp "$macros/redhat-macros" "$pkg/root/usr/lib/rpm/redhat/macros"
cp -r "$macros/lua" "$pkg/root/usr/lib/rpm/lua"
cat > "$pkg/srpm-set-macros.spec" << EOF
Name: srpm-set-macros
Version: 1
Release: 1
Summary: The spec corpus's macro set (scripts/srpm-set.sh)
License: MIT
BuildArch: noarch
%description
Fedora's macro set as scripts/spec-corpus.sh assembles it, with ELN's defines.
%install
cp -a $pkg/root/. %{buildroot}/
%files
/usr/lib/rpm/*
EOF
rpmbuild -bb --quiet --define "_topdir $pkg/top" --define "_rpmdir $bin" --define '__os_install_post %{nil}' \
  --define 'debug_package %{nil}' "$pkg/srpm-set-macros.spec"
createrepo_c -q "$bin"
rm -rf "$pkg"

n=$(ls "$out/source" | grep -c '\.rpm$') skipped=$(wc -l < "$out/skipped.txt")
summary="$(wc -l < "$out/asked.txt") specs asked, $n SRPMs, $skipped skipped, $(du -sm "$out/source" | cut -f1) MB, $(( $(date +%s) - start )) s"
echo "$summary" > "$out/done"
echo "srpm-set: $summary" >&2
