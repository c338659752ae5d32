#!/usr/bin/python3
"""Ask dnf (python3-dnf) what it installs: the resolver's reference oracle.

Reads JSON on stdin, writes JSON on stdout. Input:

    {"sets": [
      {"arch": "x86_64", "weak": false, "base_weak": false,
       "repos": [{"id": "main", "path": "/abs/dir", "priority": 99,
                  "cost": 1000, "exclude": ["glob"], "includepkgs": []}],
       "transactions": [[{"install": "NAME"}, {"provides": "DEP"},
                         {"group": "NAME", "basearch_only": false}], ...,
                        {"installed_by": [JOB, ...], "jobs": [JOB, ...]}]}
    ]}

Output: {"sets": [{"results": [{"installed": ["n-[e:]v-r.a", ...],
"unmatched": [job index, ...], "error": null | "message"}, ...]}]}

Settings are the project's binding semantics: install_weak_deps=False
(True for a set with "weak": true; "base_weak" for its `installed_by`
transactions, default "weak"), best=False, no system repo, filelists loaded (dnf 4.14 always loads them),
no reposdir, a temporary cachedir. `install` jobs are `base.install(NAME)`;
`provides` jobs follow dnf-plugins-core's builddep `_install` (provides
selector, file selector fallback for paths, rich deps passed to the
solver even when nothing matches, rpmlib() skipped). `group` jobs are one
package of a comps group as dnf's `_finalize_comps_trans` installs it (the
packages of that name and their obsoleters; nothing else is tried). All
transactions of one repo set run in one dnf.Base (the goal is reset between
them), except those with `installed_by`: their `installed_by` jobs are
resolved and really installed (`justdb`, `noscripts`) into a fresh
installroot, as content-resolver installs an environment, and the `jobs`
are resolved by a second dnf.Base on that root; "installed" lists what that
second transaction adds. The repos then need their .rpm files.

Run with Debian's /usr/bin/python3 (the only interpreter with dnf).
"""

import json
import os
import shutil
import sys
import tempfile

import dnf
import dnf.exceptions
import dnf.rpm
import dnf.selector


def make_base(arch, repos, cachedir, installroot=None, weak=False):
    base = dnf.Base()
    conf = base.conf
    if installroot:
        conf.installroot = installroot
        conf.tsflags.append("justdb")
        conf.tsflags.append("noscripts")
    conf.cachedir = cachedir
    conf.reposdir = []
    conf.install_weak_deps = bool(weak)
    # DNF_ORACLE_DEBUG=1: dnf writes each solved goal as a libsolv testcase
    # under ./debugdata (replay with `testsolv -v -v`).
    conf.debug_solver = bool(os.environ.get("DNF_ORACLE_DEBUG"))
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
    base.fill_sack(load_system_repo=bool(installroot), load_available_repos=True)
    return base


def group_install(base, name, basearch_only):
    """One comps group package as dnf's `_finalize_comps_trans` takes it;
    False when no package has that name."""
    args = {"name": name}
    if basearch_only:
        args["arch"] = base.conf.substitutions["basearch"]
    q = base.sack.query().filterm(**args).apply()
    q.filterm(arch__neq=["src", "nosrc"])
    if not q:
        return False
    q = q.union(base.sack.query().filterm(obsoletes=q))
    sltr = dnf.selector.Selector(base.sack)
    sltr.set(pkg=q)
    base._goal.install(select=sltr, optional=False)
    return True


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
        elif "group" in job:
            if not group_install(base, job["group"], job.get("basearch_only", False)):
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


def run_on_installed(arch, repos, tx, cachedir, weak=False, base_weak=False):
    """`installed_by` really installed into a fresh root, then `jobs` on it."""
    root = tempfile.mkdtemp(prefix="dnf-oracle-root-")
    try:
        first = make_base(arch, repos, cachedir, installroot=root, weak=base_weak)
        res = run_transaction(first, tx["installed_by"])
        if res["error"] is None:
            try:
                first.download_packages(first.transaction.install_set)
                first.do_transaction()
            except dnf.exceptions.Error as e:
                res["error"] = "installing the base: %s" % e
        first.close()
        if res["error"] is not None:
            return {"installed": [], "unmatched": [], "error": "base: " + res["error"]}
        second = make_base(arch, repos, cachedir, installroot=root, weak=weak)
        res = run_transaction(second, tx["jobs"])
        second.close()
        return res
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main():
    data = json.load(sys.stdin)
    out = []
    for s in data["sets"]:
        cachedir = tempfile.mkdtemp(prefix="dnf-oracle-")
        arch = s.get("arch", "x86_64")
        weak = bool(s.get("weak", False))
        base_weak = bool(s.get("base_weak", weak))
        try:
            base = None
            results = []
            for tx in s["transactions"]:
                if isinstance(tx, dict):
                    results.append(run_on_installed(arch, s["repos"], tx, cachedir, weak, base_weak))
                    continue
                if base is None:
                    base = make_base(arch, s["repos"], cachedir, weak=weak)
                results.append(run_transaction(base, tx))
            if base is not None:
                base.close()
        finally:
            shutil.rmtree(cachedir, ignore_errors=True)
        out.append({"results": results})
    json.dump({"sets": out}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
