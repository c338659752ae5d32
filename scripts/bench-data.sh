#!/usr/bin/env bash
# Writes the Fedora-scale benchmark dataset into DIR (default bench-data/, never committed).
#   scripts/bench-data.sh [DIR] [--synthetic]
# Preferred: real Debian bookworm metadata (Packages for amd64, arm64, ppc64el, s390x and the
# Sources index), fetched with a private apt configuration under DIR/apt (the system's apt
# configuration is not touched) and converted to rpm-md by bench-datagen --debian.
# Fallback (no network, or --synthetic): a seeded synthetic distribution of the same size.
# With dose-builddebcheck installed, Debian's own count of broken sources is kept per arch.
# With the Debian data, DIR/filelists holds the filelists scenario (scripts/bench-data-filelists.sh,
# which also runs alone on an existing DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench-data synthetic=0
for a in "$@"; do
  case "$a" in
    --synthetic) synthetic=1 ;;
    -*) echo "bench-data: unknown option '$a' (usage: scripts/bench-data.sh [DIR] [--synthetic])" >&2; exit 2 ;;
    *) out=$a ;;
  esac
done
# apt resolves relative Dir:: settings against its own root, not the working directory.
out=$(realpath -m "$out")
cargo build -q --release -p bench-datagen
gen=${CARGO_TARGET_DIR:-target}/release/bench-datagen
rm -rf "$out.tmp"; mkdir -p "$out.tmp"

fetch_debian() {
  local apt="$out.tmp/apt"
  mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/etc" "$out.tmp/debian"
  local key=/usr/share/keyrings/debian-archive-keyring.gpg
  cat > "$apt/etc/sources.list" <<SRC
deb [arch=amd64,arm64,s390x,ppc64el signed-by=$key] http://deb.debian.org/debian bookworm main
deb-src [signed-by=$key] http://deb.debian.org/debian bookworm main
SRC
  apt-get -qq -o Dir::State="$apt" -o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt/cache" \
    -o Dir::Etc::SourceList="$apt/etc/sources.list" -o Dir::Etc::SourceParts=/nonexistent \
    -o APT::Architectures="amd64,arm64,s390x,ppc64el" -o Debug::NoLocking=1 update >&2 || return 1
  local l="$apt/lists/deb.debian.org_debian_dists_bookworm_main"
  for a in amd64 arm64 ppc64el s390x; do
    /usr/lib/apt/apt-helper cat-file "$l"_binary-"$a"_Packages* > "$out.tmp/debian/Packages-$a" || return 1
  done
  /usr/lib/apt/apt-helper cat-file "$l"_source_Sources* > "$out.tmp/debian/Sources" || return 1
}

if [ "$synthetic" = 0 ] && command -v apt-get >/dev/null && fetch_debian; then
  "$gen" --debian "$out.tmp/debian" "$out.tmp"
  # The Debian indices stay (for dose-builddebcheck in make bench).
  rm -rf "$out.tmp/apt"
  echo debian > "$out.tmp/SOURCE"
  # The distribution-sized filelists scenario (DIR/filelists; it says when it is skipped).
  scripts/bench-data-filelists.sh "$out.tmp" || true
  # Debian's own answer on the same data: sources whose Build-Depends
  # (newest version of each source) cannot be satisfied, per arch.
  if command -v dose-builddebcheck >/dev/null; then
    for a in amd64 arm64 ppc64el s390x; do
      dose-builddebcheck -f --latest=1 --deb-native-arch="$a" "$out.tmp/debian/Packages-$a" "$out.tmp/debian/Sources" \
        2>/dev/null | sed -n 's/^ *- *package: *//p; s/^ *package: *//p' | sort -u > "$out.tmp/debian/builddebcheck-$a.txt" &
    done
    wait
    for a in amd64 arm64 ppc64el s390x; do echo "# done" >> "$out.tmp/debian/builddebcheck-$a.txt"; done
  fi
else
  echo "bench-data: using the synthetic generator" >&2
  rm -rf "$out.tmp"; mkdir -p "$out.tmp"
  "$gen" "$out.tmp"
  echo synthetic > "$out.tmp/SOURCE"
fi
rm -rf "$out"
mv "$out.tmp" "$out"
du -sh "$out"/repos/* >&2
