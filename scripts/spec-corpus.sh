#!/usr/bin/env bash
# The spec-evaluator corpus test (make spec-corpus; not part of make test): evaluates every spec
# of SPECS for x86_64 aarch64 ppc64le s390x with Fedora's macro set and ELN's distribution
# macros, asks rpmspec 4.18 the same question with the same macro files, and prints specs,
# decided %, identical-to-rpmspec %, the archful count and the problems by class.
#
#   scripts/spec-corpus.sh SPECS-DIR
#     MACROS=DIR     a macro set (files macros*, lua/); default: assembled from the mirrors
#                    under MIRRORS (/work/.mirror) as docs/archful.md says
#     SAMPLE=N       every N-th spec only, on both sides (default 1: all; rpmspec takes
#                    75-200 ms a run, 96k runs for the whole corpus)
#     OFFSET=K       with SAMPLE=N: the specs at K modulo N of the sorted list (default 0), so
#                    successive audits can take samples that do not overlap
#     JOBS=N         parallel rpmspec runs (default: nproc)
#     OUT=DIR        where results go (default: a temp dir, printed)
#     MACROS_ONLY=1  only assemble the macro set into OUT (macro-files.txt lists it)
#     OURS_ONLY=1    only our evaluation and its timing (what make bench prints)
#     HEADER=1       also compare what the SRPM's header would hold besides the BuildRequires:
#                    name, epoch, version, release, ExclusiveArch, ExcludeArch (rpmspec
#                    --srpm --qf; one more rpmspec run per spec and arch)
#     RPM_ROOT=DIR   ask the rpmspec of a root made by scripts/debian-rpm-root.sh (trixie: rpm
#                    4.20, sid: 6.x) instead of the host's: it runs in bubblewrap with DIR as /
#                    (read-only), and both sides take rpm's base macro file and platform files
#                    from DIR/usr/lib/rpm; the rpm 4.20 %autosetup shim is left out when that rpm
#                    is 4.20 or newer (it has its own)
set -euo pipefail
cd "$(dirname "$0")/.."
specs=${1:?usage: scripts/spec-corpus.sh SPECS-DIR}
specs=$(cd "$specs" && pwd)
mirrors=${MIRRORS:-/work/.mirror}
out=${OUT:-$(mktemp -d /tmp/spec-corpus.XXXXXX)}
mkdir -p "$out"
jobs=${JOBS:-$(nproc)}
arches="x86_64 aarch64 ppc64le s390x"
eln_defines=("rhel 11" "el11 1" "eln 150" "dist .eln150")
# rpm's own files (base macros, platform, rpmrc): the host's, or those of RPM_ROOT.
rpm_root=${RPM_ROOT:-}
[ -z "$rpm_root" ] || rpm_root=$(cd "$rpm_root" && pwd)
rpmlib=$rpm_root/usr/lib/rpm
[ -f "$rpmlib/macros" ] || { echo "spec-corpus: no $rpmlib/macros" >&2; exit 2; }
rpm_version=$(if [ -n "$rpm_root" ]; then
  bwrap --ro-bind "$rpm_root" / --dev /dev --proc /proc --tmpfs /tmp --unshare-all rpm --version
else rpm --version; fi | awk '{print $3}')
echo "spec-corpus: rpm $rpm_version${rpm_root:+ (root $rpm_root)}" >&2

# 1. The macro set, in the order rpm's macro path gives it on Fedora: rpm's own macros,
#    macros.d/macros.* (sorted), redhat/macros; the platform file of the arch comes last on
#    both sides (the evaluator loads it from --platform-dir).
macros=${MACROS:-$out/macros}
if [ -z "${MACROS:-}" ]; then
  rm -rf "$macros"; mkdir -p "$macros/macros.d" "$macros/lua/fedora/srpm"
  show() { git -C "$mirrors/$1/repo" show "HEAD:$2" > "$3" 2>/dev/null || echo "spec-corpus: $1:$2 missing" >&2; }
  rrc=pepone+redhat-rpm-config
  for f in $(git -C "$mirrors/$rrc/repo" ls-tree --name-only HEAD | grep '^macros\.'); do
    show $rrc "$f" "$macros/macros.d/$f"
  done
  show $rrc macros "$macros/redhat-macros"
  show $rrc common.lua "$macros/lua/fedora/common.lua"
  py=sailfishos-mirror+python-rpm-macros
  for f in macros.python-srpm macros.python macros.python3 macros.pybytecompile; do show $py $f "$macros/macros.d/$f"; done
  show $py python.lua "$macros/lua/fedora/srpm/python.lua"
  # pyproject-srpm-macros: what koji's SRPM buildroot has of pyproject-rpm-macros (incl. the
  # rpm 4.20 `BuildSystem: pyproject` macros).
  show sailfishos-mirror+pyproject-rpm-macros macros.aaa-pyproject-srpm "$macros/macros.d/macros.aaa-pyproject-srpm"
  show eclipseo+forge-srpm-macros rpm/macros.d/macros.forge "$macros/macros.d/macros.forge"
  show eclipseo+forge-srpm-macros rpm/lua/fedora/srpm/forge.lua "$macros/lua/fedora/srpm/forge.lua"
  show sailfishos-mirror+go-rpm-macros rpm/macros.d/macros.go-srpm "$macros/macros.d/macros.go-srpm"
  show sailfishos-mirror+go-rpm-macros rpm/lua/srpm/go.lua "$macros/lua/fedora/srpm/go.lua"
  show codacy-stress-test+fonts-rpm-macros rpm/macros.d/macros.fonts-srpm "$macros/macros.d/macros.fonts-srpm"
  show codacy-stress-test+fonts-rpm-macros rpm/lua/srpm/fonts.lua "$macros/lua/fedora/srpm/fonts.lua"
  show fedora-riscv+ghc-srpm-macros macros.ghc-srpm "$macros/macros.d/macros.ghc-srpm"
  show fedora-riscv+fpc-srpm-macros macros.fpc-srpm "$macros/macros.d/macros.fpc-srpm"
  show fedora-riscv+gnat-srpm-macros macros.gnat-srpm "$macros/macros.d/macros.gnat-srpm"
  show openela-main+ocaml-srpm-macros SOURCES/macros.ocaml-srpm "$macros/macros.d/macros.ocaml-srpm"
  show tekkamanninja+openblas-srpm-macros macros.openblas-srpm "$macros/macros.d/macros.openblas-srpm"
  show milkice-fedora-patches+kernel-srpm-macros macros.kernel-srpm "$macros/macros.d/macros.kernel-srpm"
  # Fedora rawhide's rpm is 4.20: its %autopatch and %autosetup (with -q and -C, which 4.18's
  # lack) from rpm's own tree, after rpm 4.18's base file (rpmspec 4.18's %setup still rejects -C).
  # An rpm of 4.20 or newer (RPM_ROOT) has them in its base file.
  rpm=rpm-software-management+rpm
  if [ "$(printf '%s\n' 4.20 "$rpm_version" | sort -V | head -1)" = 4.20 ]; then :
  elif git -C "$mirrors/$rpm/repo" rev-parse -q --verify rpm-4.20.0-release >/dev/null 2>&1; then
    git -C "$mirrors/$rpm/repo" show rpm-4.20.0-release:macros.in |
      sed -n '/^%autopatch(/,/^$/p; /^%autosetup(/,/^$/p' > "$macros/macros.d/macros.rpm-4.20-autosetup"
  fi
  find "$macros" -empty -type f -delete
fi
files=("$rpmlib/macros")
while IFS= read -r f; do files+=("$f"); done < <(ls "$macros"/macros.d/macros.* 2>/dev/null | sort)
[ -f "$macros/redhat-macros" ] && files+=("$macros/redhat-macros")
printf '%s\n' "${files[@]}" > "$out/macro-files.txt"
# MACROS_ONLY=1: the macro set alone (scripts/srpm-set.sh builds its SRPMs with it).
[ -z "${MACROS_ONLY:-}" ] || exit 0

# 2. Our evaluation of every (sampled) spec.
ls "$specs" | grep '\.spec$' | awk -v n="${SAMPLE:-1}" -v k="${OFFSET:-0}" 'NR % n == k % n' > "$out/asked.txt"
cargo build -q --release -p buildroot-core --example spec_corpus
ours=("${CARGO_TARGET_DIR:-target}/release/examples/spec_corpus" --specs "$specs" --platform-dir "$rpmlib/platform" --lua-dir "$macros/lua" --only "$out/asked.txt")
[ -z "${HEADER:-}" ] || ours+=(--header)
for f in "${files[@]}"; do ours+=(--macros "$f"); done
for d in "${eln_defines[@]}"; do ours+=(--define "$d"); done
"${ours[@]}" > "$out/ours.jsonl" 2> "$out/ours.time"
grep -v ': slow: ' "$out/ours.time" || true
# OURS_ONLY=1: our evaluation and its timing only (make bench), no rpmspec.
[ -n "${OURS_ONLY:-}" ] && exit 0

# 3. rpmspec (--macros must come before --target, or rpm 4.18 ignores it), with the same files (platform last), defines and Lua modules (RPM_CONFIGDIR: a copy
#    of /usr/lib/rpm with lua/ added), run inside bubblewrap: no network, read-only system.
#    With RPM_ROOT the sandbox's /usr, /etc, /var and merged-/usr links are the root's (on an
#    empty root, so the host's paths of SPECS, OUT and MACROS can be bound too), and rpm's own
#    files are named by their paths inside it.
cfg=$out/rpmconfig
rm -rf "$cfg"; mkdir -p "$cfg"
for f in "$rpmlib"/*; do ln -s "/usr/lib/rpm/${f##*/}" "$cfg/"; done
rm -f "$cfg/lua"; ln -s "$macros/lua" "$cfg/lua"
mkdir -p "$out/rpmspec"
export specs out cfg macros rpm_root HEADER
files[0]=/usr/lib/rpm/macros
export RPMSPEC_MACROS=$(IFS=:; echo "${files[*]}")
export RPMSPEC_DEFINES=$(printf '%s\n' "${eln_defines[@]}")
run_one() {
  local spec=$1 arch=$2 args=()
  while IFS= read -r d; do args+=(--define "$d"); done <<< "$RPMSPEC_DEFINES"
  # /bin/sh is bash, as on Fedora (rpm runs %(...) with /bin/sh; Debian's is dash).
  local sys=(--ro-bind / / --ro-bind /usr/bin/bash /usr/bin/sh)
  if [ -n "$rpm_root" ]; then
    # (debian-rpm-root.sh made the root's /bin/sh bash)
    sys=()
    local e
    for e in "$rpm_root"/*; do
      case ${e##*/} in dev|proc|tmp|sys|run) continue ;; esac
      if [ -L "$e" ]; then sys+=(--symlink "$(readlink "$e")" "/${e##*/}")
      elif [ -d "$e" ]; then sys+=(--ro-bind "$e" "/${e##*/}"); fi
    done
  fi
  bwrap "${sys[@]}" --dev /dev --proc /proc --tmpfs /tmp --tmpfs /var/tmp --ro-bind "$out" "$out" \
    --ro-bind "$specs" "$specs" --ro-bind "$macros" "$macros" --remount-ro / --unshare-all --die-with-parent \
    --setenv RPM_CONFIGDIR "$cfg" --setenv HOME /tmp -- \
    timeout 60 rpmspec -q --buildrequires \
      --macros "$RPMSPEC_MACROS:/usr/lib/rpm/platform/$arch-linux/macros" --target "$arch" "${args[@]}" \
      "$specs/$spec" > "$out/rpmspec/$spec.$arch.out" 2> "$out/rpmspec/$spec.$arch.err"
  echo $? > "$out/rpmspec/$spec.$arch.rc"
  # HEADER=1: the header fields, in the form of spec_corpus --header.
  [ -z "${HEADER:-}" ] || bwrap "${sys[@]}" --dev /dev --proc /proc --tmpfs /tmp --tmpfs /var/tmp \
    --ro-bind "$out" "$out" --ro-bind "$specs" "$specs" --ro-bind "$macros" "$macros" --remount-ro / \
    --unshare-all --die-with-parent --setenv RPM_CONFIGDIR "$cfg" --setenv HOME /tmp -- \
    timeout 60 rpmspec -q --srpm \
      --qf '%{NAME}|%{EPOCH}|%{VERSION}|%{RELEASE}|[%{EXCLUSIVEARCH} ]|[%{EXCLUDEARCH} ]\n' \
      --macros "$RPMSPEC_MACROS:/usr/lib/rpm/platform/$arch-linux/macros" --target "$arch" "${args[@]}" \
      "$specs/$spec" > "$out/rpmspec/$spec.$arch.hdr" 2>/dev/null || rm -f "$out/rpmspec/$spec.$arch.hdr"
}
export -f run_one
start=$(date +%s)
for a in $arches; do sed "s/\$/ $a/" "$out/asked.txt"; done | xargs -P "$jobs" -n 2 bash -c 'run_one "$0" "$1"'
echo "rpmspec: $(wc -l < "$out/asked.txt") specs x 4 arches in $(( $(date +%s) - start )) s" >&2

# 4. The comparison.
python3 scripts/spec-corpus-report.py "$out" $arches
echo "results: $out (differing specs: $out/differences.txt)"
