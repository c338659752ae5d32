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
"exclude" (excludepkgs), "include" (includepkgs), "sslverify",
"proxy_sslverify", "proxy_sslcacert", "proxy_sslclientcert",
"proxy_sslclientkey", "username", "password", "sslcacert",
"sslclientcert", "sslclientkey", "proxy", "proxy_username",
"proxy_password"}}} or {"error": MESSAGE}
when dnf raises. What dnf logs (a value it passes over, a file it skips)
goes to stderr.

{"generate": {"seed": S, "count": N}} instead answers a list of N random
`.repo` texts at the edges of libdnf's INI reader (`edge_text` below:
blanks around keys, `=` and headers, continuation lines, comments at a
line's start, indented and after a value, CRLF and lone CRs, empty
values, keys and sections given twice, section names with blanks, a
`[main]` section, a BOM), for the test to read with its cases; with
"network" beside "seed" and "count", texts of the network options
(`network_text` below).

Run with Debian's /usr/bin/python3 (the only interpreter with dnf).
"""

import json
import os
import random
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
                "sslverify": bool(r.sslverify),
                "proxy_sslverify": bool(r.proxy_sslverify),
                "proxy_sslcacert": r.proxy_sslcacert,
                "proxy_sslclientcert": r.proxy_sslclientcert,
                "proxy_sslclientkey": r.proxy_sslclientkey,
                "username": r.username,
                "password": r.password,
                "sslcacert": r.sslcacert,
                "sslclientcert": r.sslclientcert,
                "sslclientkey": r.sslclientkey,
                "proxy": r.proxy,
                "proxy_username": r.proxy_username,
                "proxy_password": r.proxy_password,
            }
        return {"repos": repos}
    finally:
        shutil.rmtree(top, ignore_errors=True)


BLANKS = ["", "", "", " ", "  ", "\t", " \t", "\t "]
# Blanks to some readers, not to libdnf's (which knows space, tab, CR).
ODD_BLANKS = ["\x0b", "\x0c", "\u00a0", "\r", "\ufeff"]
IDS = ["a", "b", "fedora", "a b", "a\tb", " a", "a ", "main", "x-$basearch", "A"]
KEYS = ["baseurl", "baseurl", "name", "enabled", "metalink", "mirrorlist", "priority", "cost",
        "exclude", "includepkgs", "sslverify", "username", "password", "gpgcheck", "skip_if_unavailable",
        "Enabled", "base url"]
VALUES = {
    "baseurl": ["/x", "/x /y", "/x,/y", "http://h/r/$basearch/", "", "\"/q\"", "'/q'", "/x # c", "/x ;c"],
    "name": ["N", "a  b", "", "\"q\"", "a # b", "é"],
    "enabled": ["0", "1", "true", "False", "", "yes", " no"],
    "Enabled": ["0"],
    "metalink": ["https://m/?r=$releasever", ""],
    "mirrorlist": ["https://l/", ""],
    "priority": ["5", "10", "-1", ""],
    "cost": ["7", ""],
    "exclude": ["a", "a b", "a,b", ""],
    "includepkgs": ["c*", ""],
    "sslverify": ["0", "1", "False", "true", "", "no"],
    "username": ["u", "", "u p"],
    "password": ["p", "", "'p w'"],
    "gpgcheck": ["1", "0"],
    "skip_if_unavailable": ["1", "0", "True"],
    "base url": ["/z"],
}


def edge_text(r):
    """One `.repo` text of one to three sections, blanks and comments
    everywhere libdnf's INI reader may meet them."""
    lines = []
    if r.random() < 0.1:
        lines.append(r.choice(["# head", "; head", "", "  ", "[main]", "[main]\ngpgcheck=1"]))
    for _ in range(r.randrange(1, 4)):
        sid = r.choice(IDS)
        lines.append(r.choice(BLANKS) + "[" + sid + "]" + r.choice(BLANKS + [" # c", " ;c", "#c"]))
        for _ in range(r.randrange(1, 7)):
            c = r.random()
            if c < 0.8:
                k = r.choice(KEYS)
                v = r.choice(VALUES[k])
                line = (r.choice(BLANKS) if r.random() < 0.04 else "") + k + r.choice(BLANKS) + "=" \
                    + r.choice(BLANKS) + v + (r.choice(BLANKS) if r.random() < 0.3 else "")
                lines.append(line)
                if r.random() < 0.15:
                    lines.append(r.choice(BLANKS[3:]) + r.choice(["/cont", "more", "# c", "; c", "k=v",
                                                                  "[s]"]))
            elif c < 0.98:
                lines.append(r.choice(["#baseurl=/y", "# c", "; c", "", " ", "\t", "  # indented",
                                       "\t; indented"]))
            else:
                lines.append(r.choice(["=v", "junk", "k:v", "[", "]"]))
        if r.random() < 0.2:
            lines.append("")
    text = "\n".join(lines) + ("\n" if r.random() < 0.9 else "")
    c = r.random()
    if c < 0.1:
        text = text.replace("\n", "\r\n")
    elif c < 0.13:
        text = text.replace("\n", "\r")
    if r.random() < 0.1:
        i = r.randrange(len(text) + 1)
        text = text[:i] + r.choice(ODD_BLANKS) + text[i:]
    if r.random() < 0.03:
        text = "\ufeff" + text
    return text


# The network options (`"network": {"ca": PATH, "cert": PATH, "key":
# PATH}` with "generate"): dnf's boolean spellings and bad values for the
# booleans, certificate paths (the PEM files given, empty, `None`), proxies
# and their credentials. Kept out, as decided differences (docs/formats.md
# section 8): a certificate path that is no readable PEM file and a proxy
# that is no proxy URL (refused here when the file is read, found by dnf
# only when it connects), and a proxy_username without a proxy_password
# line (refused here, by libdnf when it loads the repo). (The proxy's own
# TLS options, proxy_ssl*, are another change's.)
NET_BOOLS = ["1", "0", "yes", "no", "true", "false", "on", "off", "True", "FALSE", "Yes", "ON",
             "oFF", "y", "n", "2", "-1", "", "None", "bogus", "1 # c", "enabled", "10"]
NET_KEYS = ["sslverify", "gpgcheck", "enabled", "skip_if_unavailable", "sslcacert",
            "sslclientcert", "sslclientkey", "proxy", "proxy_password", "repo_gpgcheck"]
PROXIES = ["http://proxy:3128", "https://p.example:443/", "socks5://h:1080", "socks5h://h",
           "socks4://h:1", "socks4a://h:1", "proxy:3128", "http://u:p@proxy:8080/", "", "_none_",
           "_NONE_", "None", "HTTP://P:1"]


def network_text(r, pems):
    """One `.repo` text of one or two sections, each with network options."""
    lines = []
    for _ in range(r.randrange(1, 3)):
        lines.append("[" + r.choice(["a", "b", "fedora", "copr:x"]) + "]")
        lines.append("baseurl=" + r.choice(["/x", "https://h/r/$basearch/", "http://h/r/"]))
        for _ in range(r.randrange(1, 6)):
            k = r.choice(NET_KEYS)
            if k in ("sslcacert", "sslclientcert", "sslclientkey"):
                v = r.choice([pems[{"sslcacert": "ca", "sslclientcert": "cert",
                                    "sslclientkey": "key"}[k]]] * 3 + ["", "None"])
            elif k == "proxy":
                v = r.choice(PROXIES)
            elif k == "proxy_password":
                v = r.choice(["p", "", "p w", "None"])
                if r.random() < 0.6:
                    lines.append("proxy_username=" + r.choice(["u", "", "u@x", "None"]))
            elif k == "repo_gpgcheck":
                v = r.choice(["0", "no", "bogus", ""])
            else:
                v = r.choice(NET_BOOLS)
            lines.append(k + r.choice(["=", " = ", "= "]) + v)
    text = "\n".join(lines) + "\n"
    if r.random() < 0.05:
        # (A path or proxy of blanks then a CR is the CR to dnf: no path,
        # no proxy URL; kept out, as above.)
        text = text.replace("= \n", "=\n").replace("\n", "\r\n")
    return text


def main():
    cases = json.load(sys.stdin)
    if isinstance(cases, dict) and "generate" in cases:
        r = random.Random(cases["generate"]["seed"])
        pems = cases["generate"].get("network")
        make = (lambda r: network_text(r, pems)) if pems else edge_text
        json.dump([make(r) for _ in range(cases["generate"]["count"])], sys.stdout)
        sys.stdout.write("\n")
        return
    json.dump([read(c) for c in cases], sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
