#!/usr/bin/python3
"""Ask dnf (python3-dnf) what it installs: the resolver's reference oracle.

Reads JSON on stdin, writes JSON on stdout. Input:

    {"sets": [
      {"arch": "x86_64",
       "repos": [{"id": "main", "path": "/abs/dir", "priority": 99,
                  "cost": 1000, "exclude": ["glob"], "includepkgs": []}],
       "transactions": [[{"install": "NAME"}, {"provides": "DEP"}], ...]}
    ]}

Output: {"sets": [{"results": [{"installed": ["n-[e:]v-r.a", ...],
"unmatched": [job index, ...], "error": null | "message"}, ...]}]}

Settings are the project's binding semantics: install_weak_deps=False,
best=False, no system repo, filelists loaded (dnf 4.14 always loads them),
no reposdir, a temporary cachedir. `install` jobs are `base.install(NAME)`;
`provides` jobs follow dnf-plugins-core's builddep `_install` (provides
selector, file selector fallback for paths, rich deps passed to the
solver even when nothing matches, rpmlib() skipped). All transactions of
one repo set run in one dnf.Base (the goal is reset between them).

Run with Debian's /usr/bin/python3 (the only interpreter with dnf).
"""

import json
import shutil
import sys
import tempfile

import dnf
import dnf.exceptions
import dnf.rpm
import dnf.selector


def make_base(arch, repos, cachedir):
    base = dnf.Base()
    conf = base.conf
    conf.cachedir = cachedir
    conf.reposdir = []
    conf.install_weak_deps = False
    conf.best = False
    conf.gpgcheck = False
    conf.substitutions["releasever"] = "0"
    conf.substitutions["arch"] = arch
    conf.substitutions["basearch"] = dnf.rpm.basearch(arch)
    for r in repos:
        repo = base.repos.add_new_repo(r["id"], conf, baseurl=["file://" + r["path"]])
        repo.priority = int(r.get("priority", 99))
        repo.cost = int(r.get("cost", 1000))
        repo.excludepkgs = list(r.get("exclude", []))
        repo.includepkgs = list(r.get("includepkgs", []))
        repo.gpgcheck = False
        repo.metadata_expire = -1
    base.fill_sack(load_system_repo=False, load_available_repos=True)
    return base


def builddep_install(base, dep):
    """dnf-plugins-core builddep `_install`; False when nothing matches."""
    if dep.startswith("rpmlib("):
        return True
    sltr = dnf.selector.Selector(base.sack)
    sltr.set(provides=dep)
    found = sltr.matches()
    if not found and dep.startswith("/"):
        sltr = dnf.selector.Selector(base.sack)
        sltr.set(file=dep)
        found = sltr.matches()
    if not found and not dep.startswith("("):
        return False
    base._goal.install(select=sltr, optional=False)
    return True


def run_transaction(base, jobs):
    base.reset(goal=True)
    unmatched = []
    for i, job in enumerate(jobs):
        if "install" in job:
            try:
                base.install(job["install"])
            except dnf.exceptions.MarkingError:
                unmatched.append(i)
        else:
            try:
                ok = builddep_install(base, job["provides"])
            except (ValueError, RuntimeError):
                ok = False
            if not ok:
                unmatched.append(i)
    try:
        base.resolve()
    except dnf.exceptions.DepsolveError as e:
        return {"installed": [], "unmatched": unmatched, "error": str(e)}
    installed = sorted(str(p) for p in base.transaction.install_set)
    return {"installed": installed, "unmatched": unmatched, "error": None}


def main():
    data = json.load(sys.stdin)
    out = []
    for s in data["sets"]:
        cachedir = tempfile.mkdtemp(prefix="dnf-oracle-")
        try:
            base = make_base(s.get("arch", "x86_64"), s["repos"], cachedir)
            results = [run_transaction(base, jobs) for jobs in s["transactions"]]
            base.close()
        finally:
            shutil.rmtree(cachedir, ignore_errors=True)
        out.append({"results": results})
    json.dump({"sets": out}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
