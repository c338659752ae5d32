#!/usr/bin/env bash
# Builds a root directory holding Debian SUITE's rpm (rpmspec, rpm) and everything it needs, for
# running a newer rpm than the host's without installing it (make spec-corpus RPM_ROOT=DIR;
# docs/archful.md). The packages are fetched from a Debian mirror and unpacked with dpkg-deb -x;
# nothing is installed into the system and no maintainer script runs.
#
#   scripts/debian-rpm-root.sh SUITE DIR        e.g. trixie (rpm 4.20), sid (rpm 6.x)
#     MIRROR=URL      Debian mirror (default http://deb.debian.org/debian)
#     ARCH=A          Debian architecture (default amd64)
#     PACKAGES=FILE   the suite's Packages index (.xz or plain); default: fetched from MIRROR
#                     (or /tmp/SUITE-Packages.xz when it exists)
#     EXTRA="P ..."   more packages to take with their dependencies (default: the shell and the
#                     tools specs call in %(...): bash coreutils sed grep mawk findutils
#                     diffutils perl python3 pkgconf tar gzip bzip2 xz-utils)
#     CACHE=DIR       where the .deb files are kept (default DIR.debs)
#
# The package set: rpm and EXTRA, closed over Depends and Pre-Depends (the first alternative of
# each; a virtual name is taken from a provider already in the set, else its first provider).
# /bin, /sbin, /lib and /lib64 are made links into /usr as on a merged-/usr system, and /bin/sh
# is bash (rpm runs %(...) with /bin/sh, which is bash on Fedora). Check with:
#   bwrap --ro-bind DIR / --dev /dev --proc /proc --tmpfs /tmp rpmspec --version
set -euo pipefail
suite=${1:?usage: scripts/debian-rpm-root.sh SUITE DIR}
root=${2:?usage: scripts/debian-rpm-root.sh SUITE DIR}
mirror=${MIRROR:-http://deb.debian.org/debian}
arch=${ARCH:-amd64}
extra=${EXTRA:-bash coreutils sed grep mawk findutils diffutils perl python3 pkgconf tar gzip bzip2 xz-utils}
cache=${CACHE:-${root%/}.debs}
mkdir -p "$cache"

index=${PACKAGES:-}
if [ -z "$index" ]; then
  if [ -f "/tmp/$suite-Packages.xz" ]; then
    index=/tmp/$suite-Packages.xz
  else
    index=$cache/Packages.xz
    curl -fsS -o "$index" "$mirror/dists/$suite/main/binary-$arch/Packages.xz"
  fi
fi

# The closure, as lines "FILENAME SHA256 PACKAGE".
list=$(python3 - "$index" rpm $extra <<'EOF'
import lzma, re, sys

path, wanted = sys.argv[1], sys.argv[2:]
data = (lzma.open if path.endswith(".xz") else open)(path, "rt", encoding="utf-8").read()
pkgs, provides = {}, {}
for stanza in data.split("\n\n"):
    fields, key = {}, None
    for line in stanza.splitlines():
        if line[:1] in (" ", "\t") and key:
            fields[key] += " " + line.strip()
        elif ":" in line:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    name = fields.get("Package")
    if not name or name in pkgs:  # the first stanza of a name wins
        continue
    pkgs[name] = fields
    for p in fields.get("Provides", "").split(","):
        p = re.sub(r"\(.*?\)", "", p).strip()
        if p:
            provides.setdefault(p, []).append(name)

def resolve(name):
    name = name.split(":")[0]  # foo:any, foo:amd64
    if name in pkgs:
        return name
    # a virtual name: a provider already taken or asked for (mawk for awk), else the first
    cands = provides.get(name, [])
    return next((c for c in cands if c in seen or c in wanted), cands[0] if cands else None)

seen, todo = [], list(wanted)
while todo:
    want = todo.pop(0)
    name = resolve(want)
    if name is None:
        sys.exit(f"debian-rpm-root: no package or provider for '{want}'")
    if name in seen:
        continue
    seen.append(name)
    f = pkgs[name]
    for field in ("Pre-Depends", "Depends"):
        for dep in filter(None, (d.strip() for d in f.get(field, "").split(","))):
            alts = [re.sub(r"\s*[(\[<].*$", "", a.strip()) for a in dep.split("|")]
            # the first alternative that exists (Debian's own resolvers prefer it too)
            pick = next((a for a in alts if resolve(a)), alts[0])
            todo.append(pick)
for name in seen:
    f = pkgs[name]
    print(f["Filename"], f.get("SHA256", "-"), name, f.get("Version", "?"))
EOF
)

rm -rf "$root"; mkdir -p "$root"
n=0
while read -r file sha name version; do
  deb=$cache/$(basename "$file")
  if [ ! -s "$deb" ] || { [ "$sha" != - ] && ! echo "$sha  $deb" | sha256sum -c --quiet - >/dev/null 2>&1; }; then
    curl -fsS -o "$deb.part" "$mirror/$file"
    mv "$deb.part" "$deb"
    [ "$sha" = - ] || echo "$sha  $deb" | sha256sum -c --quiet -
  fi
  dpkg-deb -x "$deb" "$root"
  n=$((n + 1))
  [ "$name" = rpm ] && echo "debian-rpm-root: $suite rpm $version" >&2
done <<< "$list"
printf '%s\n' "$list" | awk '{print $3, $4}' > "$root/.debian-rpm-root-packages"

# Merged /usr: what a package shipped under /bin etc. moves into /usr/bin, and the old name
# becomes a link.
for d in bin sbin lib lib64; do
  if [ -d "$root/$d" ] && [ ! -L "$root/$d" ]; then
    mkdir -p "$root/usr/$d"
    cp -a "$root/$d/." "$root/usr/$d/"
    rm -rf "${root:?}/$d"
  fi
  [ -e "$root/$d" ] || [ -L "$root/$d" ] || ln -s "usr/$d" "$root/$d"
done
ln -sf bash "$root/usr/bin/sh"
# Alternatives that a maintainer script would have set up.
[ -e "$root/usr/bin/awk" ] || ln -s mawk "$root/usr/bin/awk"
[ -e "$root/usr/bin/pkg-config" ] || ln -s pkgconf "$root/usr/bin/pkg-config"
mkdir -p "$root/etc" "$root/tmp" "$root/dev" "$root/proc" "$root/var/tmp"
echo "debian-rpm-root: $n packages unpacked into $root" >&2
