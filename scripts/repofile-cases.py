#!/usr/bin/python3
"""Random .repo texts of Fedora's shapes (Fedora's, copr's, CentOS's options,
baseurl lists over continuation lines, list options in every separator,
dnf's booleans and numbers in odd spellings, for enabled,
skip_if_unavailable, sslverify and gpgcheck too, proxies, comments, blanks,
CRLF; the proxy's own TLS options, proxy_ssl*, are not made here), for
crates/buildroot-core/tests/repofile_dnf.rs, which compares our reading of
each with dnf's:

    scripts/repofile-cases.py SEED N [CRLF] > cases.txt
    REPOFILE_CASES=cases.txt cargo test -p buildroot-core --test repofile_dnf

Known, and left as it is (docs/formats.md section 8): a `proxy=` that is
no proxy URL (`proxy=None ;c`, a continuation line after it) is an error
here, passed over by dnf; so is a certificate path that is no PEM file
(`sslclientcert= ;c`), read here when the file is, by dnf when it connects. CRLF (the share of
texts with CRLF line ends, default 0.05; 1 makes every text a file saved
on Windows) found that a value of blanks with a CR is the CR to dnf, and
an empty value followed by a blank line a line break: both read so now.
"""
import random, sys
seed = int(sys.argv[1])
n = int(sys.argv[2])
# The share of texts with CRLF line ends (a file saved on Windows).
crlf = float(sys.argv[3]) if len(sys.argv) > 3 else 0.05
r = random.Random(seed)
IDS = ["fedora", "updates", "a", "eln-build", "copr:copr.fedorainfracloud.org:g:x", "fedora-$basearch", "a.b", "B", "rawhide-source", "x_y", "a-$stream"]
URLS = ["/x", "/srv/r/$basearch/os/", "http://h/pub/fedora/linux/$releasever/Everything/$basearch/os/",
        "https://u:p@h/x", "file:///srv/x", "ftp://h/y", "/x?y=1&z", "https://dl/$contentdir/$stream/BaseOS/$basearch/os/", "$DNF1", "${releasever}x", "/a b", ""]
ML = ["https://mirrors.fedoraproject.org/metalink?repo=fedora-$releasever&arch=$basearch",
      "https://mirrors.fedoraproject.org/metalink?repo=rawhide&arch=$basearch", "", "None", "https://m/"]
BOOLS = ["0", "1", "True", "False", "true", "false", "yes", "no", "YES", "on", "off", "y", "n", "2", "", "None", "Off", "-1", " 1", "1 "]
INTS = ["0", "1", "5", "99", "-1", "+3", "1000", "2147483647", "2147483648", "0x10", "1e3", "", "None", " 7 ", "010", "-0", "3.0", "1_0"]
PKGS = ["a", "b*", "kernel*", "a-1.0", "x.i686", "*-devel", "a,b", "a, b", "a b", "a\n  b", "", "None", "$basearch*", "[ab]*", "foo?"]
OTHER = ["type=rpm", "type=rpm-md", "repo_gpgcheck=0", "gpgcheck=1", "countme=1", "enabled_metadata=1",
         "metadata_expire=6h", "metadata_expire=7d", "metadata_expire=-1", "gpgkey=file:///etc/pki/rpm-gpg/RPM-GPG-KEY-fedora-$releasever-$basearch",
         "gpgkey=file:///k\n  file:///k2", "module_hotfixes=1", "deltarpm=0", "sslverify=1", "timeout=30", "minrate=1000",
         "throttle=0", "max_parallel_downloads=5", "fastestmirror=1", "install_weak_deps=False",
         "excludepkgs=", "best=1", "username=u", "password=p", "retries=3", "bandwidth=0"]
def sp(): return r.choice(["", "", "", " ", "  ", "\t"])
def kv(k, v):
    k = r.choice([k, k, k, k, k.capitalize(), k.upper()]) if r.random() < 0.1 else k
    line = f"{sp() if r.random()<0.1 else ''}{k}{sp()}={sp()}{v}"
    if r.random() < 0.08: line += r.choice([" # c", " ;c", "\t#x", " "])
    return line
def value(kind):
    if kind == "baseurl":
        k = r.randrange(5)
        urls = [r.choice(URLS) for _ in range(1 + r.randrange(3))]
        if k == 0: return urls[0]
        if k == 1: return ",".join(urls)
        if k == 2: return " ".join(urls)
        if k == 3: return "\n  ".join(urls)
        return r.choice(["", "\n  "]) + "\n\t".join(urls)
    if kind in ("metalink", "mirrorlist"): return r.choice(ML)
    if kind in ("enabled", "skip_if_unavailable", "sslverify", "gpgcheck"): return r.choice(BOOLS)
    # (No certificate path but none: a path is read when the file is, and
    # refused when it is no PEM file; the network oracle test gives real ones.)
    if kind in ("sslcacert", "sslclientcert", "sslclientkey"): return r.choice(["", "None"])
    if kind == "proxy": return r.choice(PROXIES)
    if kind == "proxy_password": return r.choice(["p", "", "None"])
    if kind in ("priority", "cost"): return r.choice(INTS)
    if kind in ("exclude", "excludepkgs", "includepkgs"):
        return r.choice(["", ",", " "]).join(r.choice(PKGS) for _ in range(1 + r.randrange(3)))
    if kind == "name":
        return r.choice(["Fedora $releasever - $basearch", "x", "", "a # b", "\"q\"", "'q'", "é", "%(foo)s", "a\n  b", "$stream $contentdir", "a=b"])
PROXIES = ["http://proxy:3128", "socks5h://h", "proxy:3128", "", "_none_", "None"]
KEYS = ["name", "baseurl", "metalink", "mirrorlist", "enabled", "skip_if_unavailable", "priority", "cost", "exclude", "excludepkgs", "includepkgs",
        "sslverify", "gpgcheck", "sslcacert", "sslclientcert", "sslclientkey", "proxy", "proxy_password"]
def section():
    sid = r.choice(IDS)
    head = f"[{sid}]"
    if r.random() < 0.05: head = r.choice([f"[{sid}] ", f" [{sid}]", f"[ {sid}]", f"[{sid}] #c", f"[{sid}]x"])
    lines = [head]
    for _ in range(r.randrange(1, 9)):
        c = r.random()
        if c < 0.7:
            k = r.choice(KEYS[:2] * 3 + KEYS)
            lines.append(kv(k, value(k)))
        elif c < 0.85:
            lines.append(r.choice(OTHER))
        elif c < 0.92:
            lines.append(r.choice(["#baseurl=/y", "# comment", "; c", "", "  ", "  # indented", "\t"]))
        else:
            lines.append(r.choice(["  /cont", "\t/cont", "junk", "=v", "k:v", "key = a = b"]))
    return lines
out = []
for _ in range(n):
    lines = []
    if r.random() < 0.1: lines.append(r.choice(["# header", "[main]\ngpgcheck=1", ""]))
    for _ in range(1 + r.randrange(3)):
        lines += section()
        if r.random() < 0.3: lines.append("")
    text = "\n".join(lines) + ("\n" if r.random() < 0.9 else "")
    if r.random() < crlf: text = text.replace("\n", "\r\n")
    out.append(text)
sys.stdout.write("\n====\n".join(out))
