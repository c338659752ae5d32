#!/usr/bin/python3
"""Ask dnf (python3-dnf) how it reads `.repo` files: the oracle of
crates/buildroot-core/tests/repofile_dnf.rs.

Reads JSON on stdin, a list of cases:

    [{"files": {"a.repo": "TEXT"}, "arch": "x86_64", "basearch": "x86_64",
      "releasever": "eln", "vars": {"stream": "10-stream"}, "conf": "[main]..."}]

Each case's files go into a fresh directory that is dnf's only `reposdir`;
`dnf.Base.read_all_repos()` reads them with those substitutions (no
network, no /etc/dnf/vars). With "conf", that text is dnf's dnf.conf
(`conf.read`), and the vars files of its `varsdir=` are read as dnf's CLI
reads them (`update_from_etc` after the environment's "vars", before the
arch and releasever of the command line, `--forcearch`/`--releasever`);
its repo sections are not wanted here. Writes JSON on stdout, one answer
per case: {"repos": {ID: {"name", "baseurl" (list), "metalink",
"mirrorlist", "enabled", "skip" (skip_if_unavailable), "priority", "cost",
"exclude" (excludepkgs), "include" (includepkgs)}}} or {"error": MESSAGE}
when dnf raises. What dnf logs (a value it passes over, a file it skips)
goes to stderr.

Run with Debian's /usr/bin/python3 (the only interpreter with dnf).
"""

import json
import os
import shutil
import sys
import tempfile

import dnf


def read(case):
    top = tempfile.mkdtemp()
    try:
        reposdir = os.path.join(top, "repos")
        os.mkdir(reposdir)
        for name, text in case["files"].items():
            with open(os.path.join(reposdir, name), "wb") as f:
                f.write(text.encode("utf-8"))
        base = dnf.Base()
        conf = base.conf
        subst = conf.substitutions
        for k, v in case.get("vars", {}).items():
            subst[k] = v
        try:
            if "conf" in case:
                path = os.path.join(top, "dnf.conf")
                with open(path, "wb") as f:
                    f.write(case["conf"].encode("utf-8"))
                conf.read(path)
                subst.update_from_etc("/", varsdir=conf.varsdir)
            conf.reposdir = [reposdir]
            conf.cachedir = os.path.join(top, "cache")
            subst["basearch"] = case.get("basearch", "x86_64")
            subst["arch"] = case.get("arch", "x86_64")
            subst["releasever"] = case.get("releasever", "eln")
            base.read_all_repos()
        except Exception as e:  # dnf stops the run: say so
            return {"error": str(e)}
        repos = {}
        for r in base.repos.values():
            repos[r.id] = {
                "name": r.name,
                "baseurl": list(r.baseurl),
                "metalink": r.metalink,
                "mirrorlist": r.mirrorlist,
                "enabled": bool(r.enabled),
                "skip": bool(r.skip_if_unavailable),
                "priority": r.priority,
                "cost": r.cost,
                "exclude": list(r.excludepkgs),
                "include": list(r.includepkgs),
            }
        return {"repos": repos}
    finally:
        shutil.rmtree(top, ignore_errors=True)


def main():
    cases = json.load(sys.stdin)
    json.dump([read(c) for c in cases], sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
