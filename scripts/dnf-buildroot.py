#!/usr/bin/python3
"""The buildroot fixed point driven through dnf's Python API: the reference
buildroot-generator is tested against, and the dnf-based original the
benchmark compares with (what dep-tracker's buildroot-generator.py does,
with rpm-buildroot's binding semantics: core + BuildRequires in one
transaction, BuildRequires taken as `dnf builddep` takes them).

    dnf-buildroot.py --arch ARCH --repo ID=DIR... [--core a,b,...] [--limit N] [--builds-only] SOURCES-FILE

--builds-only resolves the listed sources' builds alone (no core sources, nothing queued);
"sources" is then those and the source names of every binary installed.

Prints JSON: {"binaries": [...], "sources": [...], "errors": {src: kind},
"resolved": N, "seconds": S}. Run with Debian's /usr/bin/python3.
"""

import argparse
import functools
import importlib.util
import json
import os
import shutil
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("dnf_oracle", os.path.join(HERE, "dnf-oracle.py"))
oracle = importlib.util.module_from_spec(spec)
spec.loader.exec_module(oracle)

import dnf.exceptions  # noqa: E402

DEFAULT_CORE = ("bash bzip2 coreutils cpio diffutils findutils gawk glibc-minimal-langpack grep gzip info "
                "make patch redhat-rpm-config rpm-build sed shadow-utils tar unzip util-linux which xz "
                "fedora-release-eln").split()


def transaction(base, core, brs):
    """Installs core names and BuildRequires in one goal; returns (set, no_install, error)."""
    base.reset(goal=True)
    no_install = []
    for name in core:
        try:
            base.install(name)
        except dnf.exceptions.MarkingError:
            pass
    for br in brs:
        try:
            ok = oracle.builddep_install(base, br)
        except (ValueError, RuntimeError):
            ok = False
        if not ok:
            no_install.append(br)
    try:
        base.resolve()
    except dnf.exceptions.DepsolveError as e:
        return [], no_install, str(e)
    return list(base.transaction.install_set), no_install, None


def best_source(base, name):
    q = base.sack.query().filter(name=name, arch=["src", "nosrc"]).run()
    if not q:
        return None
    # Highest repo priority (lowest number), then the newest EVR.
    def cmp(a, b):
        if a.repo.priority != b.repo.priority:
            return -1 if a.repo.priority < b.repo.priority else 1
        return b.evr_cmp(a)
    return sorted(q, key=functools.cmp_to_key(cmp))[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--arch", required=True)
    ap.add_argument("--repo", action="append", default=[])
    ap.add_argument("--core", default=None)
    ap.add_argument("--limit", type=int, default=0, help="stop after N sources (for timing)")
    ap.add_argument("--builds-only", action="store_true",
                    help="the listed sources' builds only, not the fixed point")
    ap.add_argument("input")
    a = ap.parse_args()
    core = a.core.split(",") if a.core is not None else DEFAULT_CORE
    core = [c for c in core if c]
    repos = []
    for r in a.repo:
        rid, path = r.split("=", 1)
        repos.append({"id": rid, "path": os.path.abspath(path)})
    cachedir = tempfile.mkdtemp(prefix="dnf-buildroot-")
    try:
        base = oracle.make_base(a.arch, repos, cachedir)
        start = time.time()
        binaries, sources, errors = set(), set(), {}
        core_set, _, err = transaction(base, core, [])
        if err:
            errors["(core)"] = "BadDeps"
        for p in core_set:
            binaries.add(p.name)
        queue = [l.strip() for l in open(a.input) if l.strip() and not l.startswith("#")]
        core_sources = sorted({p.source_name for p in core_set})
        seen = set()
        layer = []
        for s in queue + ([] if a.builds_only else core_sources):
            if s not in seen:
                seen.add(s)
                layer.append(s)
        resolved = 0
        while layer:
            nxt = []
            for s in layer:
                if a.limit and resolved >= a.limit:
                    nxt = []
                    break
                sources.add(s)
                src = best_source(base, s)
                if src is None:
                    errors[s] = "NoSource"
                    continue
                brs = []
                for r in src.requires:
                    t = str(r)
                    if not t.startswith("rpmlib(") and t not in brs:
                        brs.append(t)
                got, no_install, err = transaction(base, core, brs)
                resolved += 1
                if no_install:
                    errors[s] = "NoInstall"
                if err:
                    errors[s] = "BadDeps"
                for p in got:
                    binaries.add(p.name)
                    if p.source_name not in seen:
                        seen.add(p.source_name)
                        nxt.append(p.source_name)
            layer = sorted(nxt)
            if a.builds_only:
                sources.update(nxt)
                sources.update(p.source_name for p in core_set)
                break
        seconds = time.time() - start
        base.close()
    finally:
        shutil.rmtree(cachedir, ignore_errors=True)
    json.dump({"binaries": sorted(binaries), "sources": sorted(sources), "errors": errors,
               "resolved": resolved, "seconds": seconds}, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
