#!/usr/bin/env bash
# The rpmspec of an rpm root made by scripts/debian-rpm-root.sh (rpm 4.20 of trixie, 6.x of
# sid), run in bubblewrap with the root's directories as / (read-only, no network); the
# directory of the last argument (the spec) is bound in too.
#
#   scripts/rpmspec-in-root.sh ROOT RPMSPEC-ARGS...
#   scripts/rpmspec-in-root.sh /tmp/rpm-roots/trixie -q --buildrequires --target s390x x.spec
set -euo pipefail
root=${1:?usage: scripts/rpmspec-in-root.sh ROOT RPMSPEC-ARGS...}
shift
[ -x "$root/usr/bin/rpmspec" ] || { echo "rpmspec-in-root: no $root/usr/bin/rpmspec" >&2; exit 2; }
sys=()
for e in "$root"/*; do
  case ${e##*/} in dev|proc|tmp|sys|run) continue ;; esac
  if [ -L "$e" ]; then sys+=(--symlink "$(readlink "$e")" "/${e##*/}")
  elif [ -d "$e" ]; then sys+=(--ro-bind "$e" "/${e##*/}"); fi
done
sys+=(--dev /dev --proc /proc --tmpfs /tmp --tmpfs /var/tmp)
last=${*: -1}
if [ -f "$last" ]; then
  d=$(cd "$(dirname "$last")" && pwd)
  sys+=(--ro-bind "$d" "$d")
fi
exec bwrap "${sys[@]}" --unshare-all --die-with-parent --setenv HOME /tmp -- rpmspec "$@"
