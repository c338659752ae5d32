#!/usr/bin/python3
"""A content-resolver view computed by dnf itself: compose-view's oracle.

    dnf-compose-view.py --configs DIR --view VIEW [--arch ARCH]...
                        [--repo-override REPO_ID=URL]...

Reads content-resolver's configs with PyYAML (the documents a view needs:
repositories v2, environments, workloads, views and view add-ons, unwanted
lists) and drives dnf's Python API the way content-resolver's analyzer does:

* per arch, each environment of the view's repository is installed into its
  own installroot: `base.install` of every package, `group_install` of every
  comps group (mandatory and default), `base.install` of every
  arch_packages entry, resolve, download, and a `justdb`/`noscripts`
  transaction that writes the installroot's rpmdb;
* each workload sharing a label with an environment is resolved by a new
  dnf.Base on that installroot (system repo loaded; an environment that
  lists nothing means an empty root): packages, groups, placeholder
  requirements, arch_packages; missing names are warnings, errors under
  `strict` (a missing group is an error); nothing is written;
* the view is, over the workloads whose labels (shared with their
  environment) meet the view's, the installed packages of the environment,
  the transaction's install set and the placeholders; an add-on view drops
  its base view's packages; unwanted lists sharing a label mark packages.

Weak dependencies and docs follow each document's `options`, as
content-resolver sets them. Output on stdout, JSON:

    {"view": V, "arches": {"x86_64": {
        "binary_ids": ["n-[e:]v-r.a", ...], "source_nvrs": [...],
        "unwanted": ["name", ...],
        "workloads": [{"id", "environment", "succeeded", "errors", "warnings"}],
        "environments": [{"id", "succeeded", "missing"}]}}}

Run with Debian's /usr/bin/python3 (the only interpreter with dnf), as root
(rpm writes the installroots' rpmdb). Group package order inside dnf comes
from a Python set: run with PYTHONHASHSEED fixed for repeatable answers.
"""

import argparse
import json
import os
import shutil
import sys
import tempfile

import dnf
import dnf.exceptions
import yaml

ALLOWED = ["aarch64", "ppc64le", "s390x", "x86_64"]


def fail(msg):
    sys.exit("dnf-compose-view: " + msg)


def strs(v):
    return [str(x) for x in (v or [])]


def arch_lists(d, key):
    out = {a: [] for a in ALLOWED}
    for arch, pkgs in (d.get(key) or {}).items():
        if arch in ALLOWED and pkgs:
            out[arch] += strs(pkgs)
    return out


def load_configs(directory):
    c = {"repos": {}, "envs": {}, "workloads": {}, "views": {}, "unwanteds": {}}
    for fn in sorted(os.listdir(directory)):
        if not fn.endswith(".yaml"):
            continue
        did = fn.split(".yaml")[0]
        with open(os.path.join(directory, fn)) as f:
            doc = yaml.safe_load(f)
        kind = doc["document"].replace("content-resolver-", "").replace("feedback-pipeline-", "")
        d = doc["data"]
        opts = d.get("options") or []
        options = {o for o in ("include-docs", "include-weak-deps", "strict") if o in opts}
        if kind == "repository":
            src = d["source"]
            repos = []
            for rid, r in src["repos"].items():
                repos.append({"id": rid, "baseurl": r["baseurl"], "priority": r.get("priority", 100),
                              "exclude": r.get("exclude"), "limit_arches": r.get("limit_arches")})
            c["repos"][did] = {"releasever": str(src["releasever"]),
                               "arches": [a for a in strs(src["architectures"]) if a in ALLOWED],
                               "repos": repos}
        elif kind == "environment":
            c["envs"][did] = {"id": did, "repositories": strs(d["repositories"]),
                              "packages": strs(d["packages"]), "labels": strs(d["labels"]),
                              "arch_packages": arch_lists(d, "arch_packages"),
                              "options": options - {"strict"}, "groups": list(d.get("groups") or [])}
        elif kind == "workload":
            rpms, srpms = {}, {}
            for s in d.get("package_placeholders") or []:
                if not s.get("srpm_name"):
                    continue
                lim = s.get("limit_arches") or []
                for r in s.get("rpms") or []:
                    if not r.get("rpm_name"):
                        continue
                    rl = r.get("limit_arches") or []
                    if lim and rl:
                        rl = [a for a in rl if a in lim]
                    elif lim:
                        rl = lim
                    rpms[r["rpm_name"]] = {"requires": r.get("dependencies") or [],
                                           "limit_arches": rl, "srpm": s["srpm_name"]}
            c["workloads"][did] = {"id": did, "labels": strs(d["labels"]),
                                   "packages": strs(d.get("packages")),
                                   "arch_packages": arch_lists(d, "arch_packages"),
                                   "options": options, "groups": list(d.get("groups") or []),
                                   "placeholders": rpms}
        elif kind in ("view", "compose-view", "view-addon"):
            c["views"][did] = {"id": did, "labels": strs(d["labels"]), "repository": str(d["repository"]),
                               "base": str(d["base_view_id"]) if kind == "view-addon" else None,
                               "arches": strs(d.get("architectures")) if kind != "view-addon" else []}
        elif kind == "unwanted":
            c["unwanteds"][did] = {"labels": strs(d["labels"]),
                                   "packages": strs(d.get("unwanted_packages")),
                                   "arch_packages": arch_lists(d, "unwanted_arch_packages"),
                                   "sources": strs(d.get("unwanted_source_packages"))}
    return c


def make_base(repo, arch, overrides, options, root, cachedir, system):
    base = dnf.Base()
    conf = base.conf
    conf.debuglevel = 0
    conf.errorlevel = 0
    conf.logfilelevel = 0
    conf.reposdir = []
    conf.cachedir = cachedir
    conf.installroot = root
    conf.arch = arch
    conf.ignorearch = True
    conf.gpgcheck = False
    conf.substitutions["releasever"] = repo["releasever"]
    conf.substitutions["arch"] = arch
    conf.substitutions["basearch"] = arch
    conf.tsflags.append("justdb")
    conf.tsflags.append("noscripts")
    if "include-weak-deps" not in options:
        conf.install_weak_deps = False
    if "include-docs" not in options:
        conf.tsflags.append("nodocs")
    for r in repo["repos"]:
        if r["limit_arches"] and arch not in r["limit_arches"]:
            continue
        url = overrides.get(r["id"], r["baseurl"])
        urls = url if isinstance(url, list) else [url]
        urls = [u if "://" in u else "file://" + os.path.abspath(u) for u in urls]
        dr = dnf.repo.Repo(name=r["id"], parent_conf=conf)
        subst = {"basearch": arch, "releasever": repo["releasever"]}
        for k, v in subst.items():  # dnf's local package paths are not substituted
            urls = [u.replace("${%s}" % k, v).replace("$" + k, v) for u in urls]
        dr.baseurl = urls
        dr.priority = r["priority"]
        dr.exclude = r["exclude"]
        dr.gpgcheck = False
        base.repos.add(dr)
    base.fill_sack(load_system_repo=system)
    return base


def pkg_id(p):
    return "%s-%s.%s" % (p.name, p.evr, p.arch)


def groups_into(base, groups, missing):
    if groups:
        base.read_comps(arch_filter=True)
    for g in groups:
        group = base.comps.group_by_pattern(g)
        if not group:
            missing.append(g)
            continue
        base.group_install(group.id, ["mandatory", "default"])


def env_is_empty(env, arch):
    return not (env["packages"] or env["arch_packages"][arch] or env["groups"])


def analyze_env(env, repo, arch, overrides, root, cachedir):
    res = {"id": env["id"], "succeeded": True, "missing": [], "pkgs": {}}
    base = make_base(repo, arch, overrides, env["options"], root, cachedir, False)
    try:
        for p in env["packages"]:
            try:
                base.install(p)
            except dnf.exceptions.MarkingError:
                res["missing"].append(p)
        groups_into(base, env["groups"], res["missing"])
        for p in env["arch_packages"][arch]:
            try:
                base.install(p)
            except dnf.exceptions.MarkingError:
                res["missing"].append(p)
        try:
            base.resolve()
            base.download_packages(base.transaction.install_set)
            base.do_transaction()
        except dnf.exceptions.Error as e:
            res["succeeded"] = False
            res["error"] = str(e)
            return res
        for p in base.transaction.install_set:
            res["pkgs"][pkg_id(p)] = p.sourcerpm
    finally:
        base.close()
    return res


def analyze_workload(wl, env, repo, arch, overrides, root, cachedir):
    res = {"id": wl["id"], "environment": env["id"], "succeeded": False, "errors": [], "warnings": [],
           "pkgs": {}, "placeholders": []}
    strict = "strict" in wl["options"]
    system = not env_is_empty(env, arch)
    base = make_base(repo, arch, overrides, wl["options"], root, cachedir, system)
    try:
        for p in wl["packages"]:
            try:
                base.install(p)
            except dnf.exceptions.MarkingError:
                if p == "glibc32":
                    continue
                (res["errors"] if strict else res["warnings"]).append(p)
        missing_groups = []
        groups_into(base, wl["groups"], missing_groups)
        res["errors"] += missing_groups
        placeholders = {n: p for n, p in wl["placeholders"].items()
                        if not p["limit_arches"] or arch in p["limit_arches"]}
        for p in placeholders.values():
            for dep in p["requires"]:
                try:
                    base.install(dep)
                except dnf.exceptions.MarkingError:
                    (res["errors"] if strict else res["warnings"]).append(dep)
        for p in wl["arch_packages"][arch]:
            try:
                base.install(p)
            except dnf.exceptions.MarkingError:
                (res["errors"] if strict else res["warnings"]).append(p)
        if res["errors"]:
            return res
        try:
            base.resolve()
        except dnf.exceptions.DepsolveError as e:
            res["errors"].append(str(e))
            return res
        for p in base.sack.query().installed():
            res["pkgs"][pkg_id(p)] = p.sourcerpm
        for p in base.transaction.install_set:
            res["pkgs"][pkg_id(p)] = p.sourcerpm
        for name, p in placeholders.items():
            res["placeholders"].append((name, p["srpm"]))
        res["succeeded"] = True
    finally:
        base.close()
    return res


ENVS = {}  # installroot -> the environment's result (content-resolver analyses each once)


def view_on_arch(c, view, arch, overrides, tmp):
    repo = c["repos"].get(view["repository"])
    members = []
    for wl in c["workloads"].values():
        for env in c["envs"].values():
            if view["repository"] not in env["repositories"]:
                continue
            shared = set(wl["labels"]) & set(env["labels"])
            if shared & set(view["labels"]):
                members.append((wl, env))
    out = {"pkgs": {}, "workloads": [], "environments": []}
    if repo is None or not members:
        return out
    cachedir = os.path.join(tmp, "cache-%s-%s" % (view["repository"], arch))
    envs = {}
    for _, env in sorted(members, key=lambda m: m[1]["id"]):
        if env["id"] in envs:
            continue
        root = os.path.join(tmp, "root-%s-%s-%s" % (env["id"], view["repository"], arch))
        if root not in ENVS:
            os.makedirs(root, exist_ok=True)
            ENVS[root] = analyze_env(env, repo, arch, overrides, root, cachedir)
        envs[env["id"]] = (ENVS[root], root)
        e = envs[env["id"]][0]
        out["environments"].append({"id": e["id"], "succeeded": e["succeeded"], "missing": e["missing"]})
    for wl, env in members:
        eres, root = envs[env["id"]]
        if not eres["succeeded"]:
            out["workloads"].append({"id": wl["id"], "environment": env["id"], "succeeded": False,
                                     "errors": ["environment failed"], "warnings": []})
            continue
        w = analyze_workload(wl, env, repo, arch, overrides, root, cachedir)
        out["workloads"].append({k: w[k] for k in ("id", "environment", "succeeded", "errors", "warnings")})
        if not w["succeeded"]:
            continue
        out["pkgs"].update(w["pkgs"])
        for name, srpm in w["placeholders"]:
            out["pkgs"]["%s-000-placeholder.placeholder" % name] = "%s-000-placeholder" % srpm
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--configs", required=True)
    ap.add_argument("--view", required=True)
    ap.add_argument("--arch", action="append", default=[])
    ap.add_argument("--repo-override", action="append", default=[])
    args = ap.parse_args()
    c = load_configs(args.configs)
    overrides = dict(o.split("=", 1) for o in args.repo_override)
    view = c["views"].get(args.view) or fail("no view " + args.view)
    base_view = c["views"][view["base"]] if view["base"] else None
    owner = base_view or view
    arches = owner["arches"] or ALLOWED
    arches = sorted(a for a in arches if a in c["repos"][owner["repository"]]["arches"])
    if args.arch:
        arches = sorted(a for a in args.arch if a in arches)
    result = {"view": args.view, "arches": {}}
    tmp = tempfile.mkdtemp(prefix="dnf-compose-view-")
    try:
        for arch in arches:
            v = view_on_arch(c, view, arch, overrides, tmp)
            if base_view:
                b = view_on_arch(c, base_view, arch, overrides, tmp)
                v["pkgs"] = {k: s for k, s in v["pkgs"].items() if k not in b["pkgs"]}
            unwanted = set()
            for u in c["unwanteds"].values():
                if not set(u["labels"]) & set(view["labels"]):
                    continue
                names = set(u["packages"]) | set(u["arch_packages"][arch])
                for pid, srpm in v["pkgs"].items():
                    name = pid.rsplit(".", 1)[0].rsplit("-", 2)[0]
                    src = srpm.rsplit(".src.rpm")[0].rsplit("-", 2)[0]
                    if name in names or src in u["sources"]:
                        unwanted.add(name)
            result["arches"][arch] = {
                "binary_ids": sorted(v["pkgs"]),
                "source_nvrs": sorted({s.rsplit(".src.rpm")[0] for s in v["pkgs"].values()}),
                "unwanted": sorted(unwanted),
                "workloads": v["workloads"],
                "environments": v["environments"],
            }
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    json.dump(result, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
