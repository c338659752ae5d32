#!/usr/bin/env bash
# Writes testdata/rpm6/'s packages in rpm 6's v6 package format (_rpmformat 6), the format rpm 6
# can write and Fedora may move its packages to: hello6-1.0-1.eln150.src.rpm (hello6.spec and its
# source, rpmbuild -bs; tests/srpm_io.rs) and m6-macros-1-1.eln150.noarch.rpm (a macro package,
# rpmbuild -bb; tests/distmacros.rs). The tests read them as the tools do.
#   scripts/make-rpm6-fixture.sh ROOT    ROOT: a root holding rpm 6 (scripts/debian-rpm-root.sh sid ROOT)
set -euo pipefail
root=${1:?usage: scripts/make-rpm6-fixture.sh ROOT}
cd "$(dirname "$0")/.."
top=$(mktemp -d); trap 'rm -rf "$top"' EXIT
mkdir -p "$top/SPECS" "$top/SOURCES"
cp testdata/rpm6/hello6.spec testdata/rpm6/m6-macros.spec "$top/SPECS/"
cp testdata/rpm6/hello6.txt "$top/SOURCES/"
# A fixed build time and host, so that the files only change with rpm.
for how in "-bs hello6" "-bb m6-macros"; do
  set -- $how
  SOURCE_DATE_EPOCH=1700000000 bwrap --bind "$root" / --bind "$top" /top --dev /dev --proc /proc \
    --tmpfs /tmp rpmbuild "$1" --define "_topdir /top" --define "_rpmformat 6" \
    --define "_buildhost fixture" --define "use_source_date_epoch_as_buildtime 1" \
    --define "build_mtime_policy clamp_to_source_date_epoch" "/top/SPECS/$2.spec" \
    >"$top/log" 2>&1 || { cat "$top/log" >&2; exit 1; }
done
mv "$top/SRPMS/hello6-1.0-1.eln150.src.rpm" "$top/RPMS/noarch/m6-macros-1-1.eln150.noarch.rpm" testdata/rpm6/
echo "wrote testdata/rpm6/hello6-1.0-1.eln150.src.rpm testdata/rpm6/m6-macros-1-1.eln150.noarch.rpm"
