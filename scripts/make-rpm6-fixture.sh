#!/usr/bin/env bash
# Writes testdata/rpm6/hello6-1.0-1.eln150.src.rpm: testdata/rpm6/hello6.spec and its source
# packed by rpm 6's rpmbuild in the v6 package format (_rpmformat 6), the format rpm 6 can
# write and Fedora may move its SRPMs to. tests/srpm_io.rs reads it as the tools do.
#   scripts/make-rpm6-fixture.sh ROOT    ROOT: a root holding rpm 6 (scripts/debian-rpm-root.sh sid ROOT)
set -euo pipefail
root=${1:?usage: scripts/make-rpm6-fixture.sh ROOT}
cd "$(dirname "$0")/.."
top=$(mktemp -d); trap 'rm -rf "$top"' EXIT
mkdir -p "$top/SPECS" "$top/SOURCES"
cp testdata/rpm6/hello6.spec "$top/SPECS/"
cp testdata/rpm6/hello6.txt "$top/SOURCES/"
# A fixed build time and host, so that the file only changes with rpm.
SOURCE_DATE_EPOCH=1700000000 bwrap --bind "$root" / --bind "$top" /top --dev /dev --proc /proc \
  --tmpfs /tmp rpmbuild -bs --define "_topdir /top" --define "_rpmformat 6" \
  --define "_buildhost fixture" --define "use_source_date_epoch_as_buildtime 1" \
  /top/SPECS/hello6.spec >/dev/null
mv "$top/SRPMS/hello6-1.0-1.eln150.src.rpm" testdata/rpm6/
echo "wrote testdata/rpm6/hello6-1.0-1.eln150.src.rpm"
