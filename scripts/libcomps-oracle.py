#!/usr/bin/python3
"""Ask libcomps (python3-libcomps, what dnf 4 reads comps with) how it reads
and merges comps documents: the oracle of
crates/buildroot-core/tests/comps_libcomps.rs.

Reads JSON on stdin, a list of cases, each a list of comps XML texts (one
per repo, in repo order). For each case the documents are parsed and
joined with libcomps' union (`a + b`), as dnf's `Base.read_comps` joins
its repos' comps. Writes JSON on stdout, one answer per case: the groups,
sorted by id: [{"id", "name" (untranslated), "display_order" (or null),
"packages": [[name, type, requires, basearchonly], ...]}], where type is
mandatory, default, optional, conditional or unknown, and basearchonly a
boolean.

Run with Debian's /usr/bin/python3 (python3-libcomps).
"""

import json
import sys

import libcomps

TYPES = {
    libcomps.PACKAGE_TYPE_MANDATORY: "mandatory",
    libcomps.PACKAGE_TYPE_DEFAULT: "default",
    libcomps.PACKAGE_TYPE_OPTIONAL: "optional",
    libcomps.PACKAGE_TYPE_CONDITIONAL: "conditional",
    libcomps.PACKAGE_TYPE_UNKNOWN: "unknown",
}


def union(texts):
    joined = None
    for text in texts:
        comps = libcomps.Comps()
        comps.fromxml_str(text)
        joined = comps if joined is None else joined + comps
    return joined


def groups(comps):
    out = []
    for g in comps.groups:
        out.append({
            "id": g.id,
            "name": g.name or "",
            "display_order": g.display_order,
            "packages": [[p.name, TYPES[p.type], p.requires or None, bool(p.basearchonly)]
                         for p in g.packages],
        })
    return sorted(out, key=lambda g: g["id"])


def main():
    cases = json.load(sys.stdin)
    json.dump([groups(union(texts)) for texts in cases], sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
