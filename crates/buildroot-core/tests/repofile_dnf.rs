//! `.repo` files read by us and by dnf (`scripts/dnf-repofile-oracle.py`,
//! dnf's own `read_all_repos` on a reposdir of the case's files): every
//! case's repos must carry the same options. Skipped without python3-dnf.
//! `REPOFILE_CASES=FILE` (texts separated by lines `====`) compares those
//! texts instead: how new cases were probed (`docs/formats.md` section 8).

mod oracle_support;

use buildroot_core::rpmmd::{parse_repofile_str, read_varsdirs, MainDefaults, MirrorSource, Vars};
use serde_json::{json, Value};

/// dnf's oracle, or None (the test skipped).
fn oracle() -> Option<oracle_support::Oracle> {
    oracle_support::Oracle::find("dnf", "python3-dnf", "dnf-repofile-oracle.py")
}

/// Our reading of one case, in the oracle's shape; `conf` is
/// `--dnf-conf`'s text: its `[main]` and the vars files of its `varsdir=`.
fn ours(text: &str, arch: &str, releasever: &str, conf: Option<&str>) -> Value {
    let mut vars = Vars::new(arch, releasever);
    if let Some(conf) = conf {
        let read = MainDefaults::parse(conf, "dnf.conf").and_then(|main| {
            let files = read_varsdirs(main.varsdir())?;
            Ok((main, files))
        });
        match read {
            Ok((main, files)) => {
                vars.files = files;
                vars = vars.with_main(main);
            }
            Err(e) => return json!({"error": e.to_string()}),
        }
    }
    vars.env = [
        ("stream", "10-stream"),
        ("DNF1", "one"),
        ("contentdir", "pub/centos"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let repos =
        match buildroot_core::rpmmd::without_warnings(|| parse_repofile_str(text, "a.repo", &vars))
        {
            Ok(r) => r,
            Err(e) => return json!({"error": e.to_string()}),
        };
    let url = |u: &str| {
        if u.starts_with('/') {
            format!("file://{u}")
        } else {
            u.to_string()
        }
    };
    // dnf's strings: empty for none.
    let path = |p: &Option<std::path::PathBuf>| {
        p.as_ref()
            .map_or(String::new(), |p| p.display().to_string())
    };
    let mut out = serde_json::Map::new();
    for r in repos {
        let mut baseurl: Vec<String> = Vec::new();
        if !r.baseurl.is_empty() {
            baseurl.push(url(&r.baseurl));
        }
        baseurl.extend(r.extra_baseurls.iter().map(|u| url(u)));
        let (metalink, mirrorlist) = match &r.mirrors {
            Some(MirrorSource::Metalink(u)) => (Some(u.clone()), None),
            Some(MirrorSource::Mirrorlist(u)) => (None, Some(u.clone())),
            None => (None, None),
        };
        out.insert(
            r.id.clone(),
            json!({"name": r.name, "baseurl": baseurl, "metalink": metalink,
                   "mirrorlist": mirrorlist, "enabled": r.enabled,
                   "skip": r.skip_if_unavailable, "priority": r.priority, "cost": r.cost,
                   "exclude": r.exclude, "include": r.includepkgs,
                   "sslverify": r.access.sslverify, "username": r.access.username,
                   "password": r.access.password,
                   "proxy_sslverify": r.access.proxy_sslverify,
                   "proxy_sslcacert": path(&r.access.proxy_sslcacert),
                   "proxy_sslclientcert": path(&r.access.proxy_sslclientcert),
                   "proxy_sslclientkey": path(&r.access.proxy_sslclientkey),
                   "sslcacert": r.access.sslcacert.as_ref().map(|p| p.display().to_string()),
                   "sslclientcert": r.access.sslclientcert.as_ref().map(|p| p.display().to_string()),
                   "sslclientkey": r.access.sslclientkey.as_ref().map(|p| p.display().to_string()),
                   "proxy": r.access.proxy, "proxy_username": r.access.proxy_username,
                   "proxy_password": r.access.proxy_password.clone().unwrap_or_default()}),
        );
    }
    json!({ "repos": out })
}

/// dnf's reading as it reaches a load, in our terms; None where dnf fails
/// the run:
/// - empty URLs of a `baseurl` list go (librepo's mirror list passes over
///   an empty URL);
/// - an empty `metalink` or `mirrorlist` is none, and a `mirrorlist`
///   beside a `metalink` goes (libdnf hands librepo the metalink alone,
///   and either only when it is not empty);
/// - an enabled repo without a URL fails the run when dnf loads it, unless
///   it may be skipped: then it is left out (disabled, as ours).
fn normalized(dnf: &Value) -> Option<Value> {
    let mut dnf = dnf.clone();
    let repos = dnf.get_mut("repos")?.as_object_mut()?;
    for r in repos.values_mut() {
        let urls: Vec<Value> = r["baseurl"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|u| u.as_str() != Some(""))
            .cloned()
            .collect();
        for list in ["metalink", "mirrorlist"] {
            if r[list] == json!("") {
                r[list] = Value::Null;
            }
        }
        if !r["metalink"].is_null() {
            r["mirrorlist"] = Value::Null;
        }
        // An empty path is none; an empty proxy, or `_none_`, too (libdnf
        // then gives curl no proxy).
        for key in ["sslcacert", "sslclientcert", "sslclientkey", "proxy"] {
            let none = r[key].as_str().is_some_and(|v| {
                v.is_empty() || (key == "proxy" && v.eq_ignore_ascii_case("_none_"))
            });
            if none {
                r[key] = Value::Null;
            }
        }
        // No line: None to dnf, empty here.
        for key in ["proxy_username", "proxy_password"] {
            if r[key].is_null() {
                r[key] = json!("");
            }
        }
        let none = urls.is_empty() && r["metalink"].is_null() && r["mirrorlist"].is_null();
        if none && r["enabled"] == json!(true) {
            if r["skip"] != json!(true) {
                return None;
            }
            r["enabled"] = json!(false);
        }
        r["baseurl"] = Value::Array(urls);
    }
    Some(dnf)
}

#[test]
fn repo_files_are_read_as_dnf_reads_them() {
    let Some(oracle) = oracle() else { return };
    let texts: Vec<String> = match std::env::var("REPOFILE_CASES") {
        Ok(f) => std::fs::read_to_string(f)
            .unwrap()
            .split("\n====\n")
            .map(str::to_string)
            .collect(),
        Err(_) => CASES.iter().map(|s| s.to_string()).collect(),
    };
    compare(&oracle, &texts, None);
}

/// The edges of libdnf's INI reader, generated from a seed
/// (`REPOFILE_EDGE_SEED`, `REPOFILE_EDGE_COUNT`, default 300:
/// `scripts/dnf-repofile-oracle.py`'s `edge_text`): blanks around keys,
/// `=` and headers, continuation lines, comments, CRLF and lone CRs, empty
/// values, repeated keys and sections, names with blanks, `[main]`, a BOM.
#[test]
fn edge_repo_files_are_read_as_dnf_reads_them() {
    let Some(oracle) = oracle() else { return };
    let env = oracle_support::env_num;
    let request = json!({"generate": {"seed": env("REPOFILE_EDGE_SEED", 20261208),
                                      "count": env("REPOFILE_EDGE_COUNT", 300)}});
    let texts: Vec<String> = serde_json::from_value(Value::Array(oracle.ask(&request))).unwrap();
    eprintln!("{} edge .repo texts", texts.len());
    compare(&oracle, &texts, None);
}

/// The reading without the proxy and certificate options of the repos
/// not enabled: never used, so never checked (a proxy that is no URL is
/// refused here only on an enabled repo, as dnf finds it only then).
fn without_unused_network(mut reading: Value) -> Value {
    for r in reading["repos"]
        .as_object_mut()
        .into_iter()
        .flat_map(|m| m.values_mut())
    {
        if r["enabled"] == json!(false) {
            for key in [
                "proxy",
                "proxy_username",
                "proxy_password",
                "sslcacert",
                "sslclientcert",
                "sslclientkey",
            ] {
                r.as_object_mut().unwrap().remove(key);
            }
        }
    }
    reading
}

/// The network options (`scripts/dnf-repofile-oracle.py`'s
/// `network_text`): `sslverify`, `gpgcheck`, `enabled`,
/// `skip_if_unavailable` in dnf's boolean spellings and bad values (passed
/// over by both, the default kept), certificate paths (the PEM files of
/// `tests/tls`, empty, `None`), proxies of every scheme, `_none_`, and
/// their credentials; `REPOFILE_NET_SEED`, `REPOFILE_NET_COUNT` (default
/// 300).
#[test]
fn network_options_are_read_as_dnf_reads_them() {
    let Some(oracle) = oracle() else { return };
    let env = oracle_support::env_num;
    let tls = format!("{}/tests/tls", env!("CARGO_MANIFEST_DIR"));
    // The client certificate with its key in one file: one without a key
    // and without sslclientkey is refused when read (a decided difference).
    let t = tempfile::tempdir().unwrap();
    let both = t.path().join("client-and-key.pem");
    let pem = |f: &str| std::fs::read(format!("{tls}/{f}")).unwrap();
    std::fs::write(&both, [pem("client.pem"), pem("client.key")].concat()).unwrap();
    let request = json!({"generate": {"seed": env("REPOFILE_NET_SEED", 20261208),
                                      "count": env("REPOFILE_NET_COUNT", 300),
                                      "network": {"ca": format!("{tls}/ca.pem"),
                                                  "cert": both.display().to_string(),
                                                  "key": format!("{tls}/client.key")}}});
    let texts: Vec<String> = serde_json::from_value(Value::Array(oracle.ask(&request))).unwrap();
    eprintln!("{} .repo texts of network options", texts.len());
    compare(&oracle, &texts, None);
}

/// Each of `texts` read by us and by dnf, with `conf` as the dnf.conf.
fn compare(oracle: &oracle_support::Oracle, texts: &[String], conf: Option<&str>) {
    let cases: Vec<Value> = texts
        .iter()
        .map(|t| {
            let mut case = json!({"files": {"a.repo": t}, "arch": "x86_64", "basearch": "x86_64",
                "releasever": "eln",
                "vars": {"stream": "10-stream", "DNF1": "one", "contentdir": "pub/centos"}});
            if let Some(conf) = conf {
                case["conf"] = json!(conf);
            }
            case
        })
        .collect();
    let theirs = oracle.ask(&Value::Array(cases));
    let mut bad = Vec::new();
    for (t, dnf) in texts.iter().zip(&theirs) {
        let us = ours(t, "x86_64", "eln", conf);
        let same = match (us.get("error"), normalized(dnf)) {
            (Some(_), None) => true,
            // dnf logs the error and skips the file.
            (Some(_), Some(dnf)) => dnf["repos"].as_object().is_some_and(|m| m.is_empty()),
            (None, Some(dnf)) => without_unused_network(us.clone()) == without_unused_network(dnf),
            (None, None) => false,
        };
        if !same {
            bad.push(format!("{t:?}\n  ours {us}\n  dnf  {dnf}"));
        }
    }
    oracle_support::assert_none_differ(&bad, texts.len());
}

/// `--dnf-conf`'s `varsdir=` against dnf's `update_from_etc` after
/// `conf.read` (`scripts/dnf-repofile-oracle.py`): two directories, the
/// later winning, a missing one between; their files over the
/// environment's variables (`stream`, `contentdir` here), the run's arch
/// and releasever over theirs; line ends, empty files, blanks, a
/// subdirectory, a symlink; and a file that is not UTF-8, on which dnf
/// 4.14 stops. (`${name:-word}`, `\` and librepo's pass over a value's
/// `$name` are libdnf 0.73's and librepo's, not 0.69's: `dnfvars.rs`'s
/// unit tests hold them.)
#[test]
fn varsdir_files_are_read_as_dnf_reads_them() {
    let Some(oracle) = oracle() else { return };
    let t = tempfile::tempdir().unwrap();
    let (v1, v2) = (t.path().join("v1"), t.path().join("v2"));
    for d in [&v1, &v2, &v2.join("subdir")] {
        std::fs::create_dir(d).unwrap();
    }
    let files: &[(&std::path::Path, &str, &[u8])] = &[
        (&v1, "stream", b"9-stream\nsecond\n"),
        (&v1, "contentdir", b"centos\r\n"),
        (&v1, "empty", b""),
        (&v1, "blanks", b" a b \n"),
        (&v1, "cr", b"c\rd\n"),
        (&v1, "basearch", b"file-arch\n"),
        (&v1, "releasever", b"file-rel\n"),
        (&v1, "a-b", b"odd\n"),
        (&v2, "contentdir", b"pub/centos-later\n"),
        (t.path(), "target", b"linked\n"),
    ];
    for (dir, name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
    std::os::unix::fs::symlink(t.path().join("target"), v2.join("link")).unwrap();
    let repos = [
        "[baseos]\nbaseurl=http://m/$contentdir/$stream/BaseOS/$basearch/os/\n\
         metalink=https://m/metalink?repo=centos-baseos-$stream&arch=$basearch&r=$releasever\n",
        "[a]\nbaseurl=/r/[$empty]/$cr/$link/$subdir/$DNF1/${a-b}\n",
        "[a]\nbaseurl=/r/$blanks/\nname=$stream $contentdir\n",
        "[a-$stream]\nbaseurl=/r/$stream/\nexclude=$stream\n",
    ]
    .map(String::from);
    let conf = format!(
        "[main]\nvarsdir={}, /missing-varsdir {}\n",
        v1.display(),
        v2.display()
    );
    compare(&oracle, &repos, Some(&conf));
    // No varsdir=, or one that does not exist: no vars file.
    compare(&oracle, &repos, Some("[main]\n"));
    compare(&oracle, &repos, Some("[main]\nvarsdir=/missing-varsdir\n"));
    // A file that is not UTF-8: dnf 4.14 stops, and so do we.
    std::fs::write(v2.join("latin1"), b"caf\xe9\n").unwrap();
    compare(&oracle, &repos[..1], Some(&conf));
}

/// The options of the TLS connection to an `https://` proxy, as dnf 4.14
/// reads them: apart from the repo's `sslverify`; a value that is no
/// boolean passed over; paths as written (a disabled repo's files are not
/// read here: dnf reads none until it connects); `[main]`'s inherited, a
/// repo's own (an empty one too) winning.
#[test]
fn proxy_tls_options_are_read_as_dnf_reads_them() {
    let Some(oracle) = oracle() else { return };
    let repos = [
        "[a]\nbaseurl=/x\nsslverify=0\n[b]\nbaseurl=/x\nproxy_sslverify=No\n",
        "[a]\nbaseurl=/x\nproxy_sslverify=maybe\n[b]\nbaseurl=/x\nproxy_sslverify=\n",
        "[a]\nbaseurl=/x\nproxy_sslverify=None\n[b]\nbaseurl=/x\nproxy_sslverify=off\n\
         proxy_sslverify=TRUE\n",
        "[a]\nbaseurl=/x\nenabled=0\nproxy_sslcacert=/p/ca.pem\n\
         proxy_sslclientcert=rel/c.pem\nproxy_sslclientkey=None\n",
        "[a]\nbaseurl=/x\nenabled=0\nproxy_sslcacert=\n[b]\nbaseurl=/y\nenabled=0\n\
         proxy_sslverify=1\n",
    ]
    .map(String::from);
    compare(&oracle, &repos, None);
    compare(&oracle, &repos, Some("[main]\nproxy_sslverify=0\n"));
    compare(
        &oracle,
        &repos[3..],
        Some("[main]\nproxy_sslcacert=/main/ca.pem\n"),
    );
    compare(
        &oracle,
        &repos[..2],
        Some("[main]\nproxy_sslverify=bad\nsslverify=0\n"),
    );
}

const CASES: &[&str] = &[
    // A file saved on Windows (CRLF): a value of blanks only is a CR to
    // dnf, kept as an item or a URL (an `excludepkgs= ` line adds to the
    // list, where an empty value empties it; `includepkgs= ` includes
    // nothing); `key=` then CRLF is empty; an empty line after an empty
    // value continues it as a line break.
    "[a]\r\nbaseurl=/x\r\nexclude=a\r\nexcludepkgs= \r\n",
    "[a]\r\nbaseurl=/x\r\nexclude=a\r\nexcludepkgs=\r\n",
    "[a]\r\nbaseurl=/x\r\nincludepkgs=\t\r\n",
    "[a]\r\nname= \r\nbaseurl=/x\r\nmetalink= \r\nmirrorlist=  \r\n",
    "[a]\r\nbaseurl= \r\n  /x\r\nenabled= \r\npriority= \r\n",
    "[a]\r\nbaseurl=/x \r\nenabled=0\r\npriority=5 \r\ncost=7\t\r\n",
    "[a]\r\nbaseurl=/x\r\nmetalink=\r\n\r\n[b]\r\nbaseurl=/y\r\nname=\r\n\r\n",
    "[a]\nbaseurl=/x\nmirrorlist=\n \n",
    "[a]\nbaseurl=/x\n",
    "[a]\nbaseurl=/x",
    "[a]\nbaseurl=/x\nenabled=0\n",
    "[a]\nbaseurl = /x \npriority = 5\n",
    "[a]\nbaseurl=/x\nname=hi # c\n",
    "[a]\nbaseurl=/x\nenabled=1 # c\n",
    "[a]\nbaseurl=/x\n\n  /y\n",
    "[a]\nbaseurl=/x\n \n  /y\n",
    "[a]\nbaseurl=/x,/y /z\n",
    "[a]\nbaseurl=\n  /x\n  /y\n",
    "[a]\nmetalink=https://m/$basearch\nmirrorlist=https://l/\n",
    "[a]\nmirrorlist=https://l/\nmetalink=https://m/\n",
    "[a]\nbaseurl=/x\nexclude=a,b c\nexcludepkgs=d\nincludepkgs=e\n",
    "[a]\nbaseurl=/x\nexcludepkgs=d\nexclude=a\n",
    "[a]\nbaseurl=/x\npriority=0\ncost=-5\n",
    "[a]\nbaseurl=/x\npriority=-1\n",
    "[a]\nbaseurl=/x\nskip_if_unavailable=YES\nenabled=Off\n",
    "[a]\nbaseurl=/x\nenabled=\n",
    "[a]\nbaseurl=/x\nenabled=2\n",
    "[a]\nbaseurl=/x\nmetadata_expire=7d\ngpgcheck=1\ngpgkey=file:///k\n  file:///k2\n",
    "[a]\nbaseurl=/x\nmetadata_expire=never\n",
    "[a]\nbaseurl=/x\nmetadata_expire=bogus\n",
    "[a]\nbaseurl=/x\n[a]\npriority=3\n",
    "[a]\nbaseurl=/x\n[b]\nbaseurl=/y\n[a]\nbaseurl=/z\n",
    "[main]\nfoo=bar\n[a]\nbaseurl=/x\n",
    "[a.b-c_d:e]\nbaseurl=/x\n",
    "[a b]\nbaseurl=/x\n",
    "[a@b]\nbaseurl=/x\n",
    "[$basearch-x]\nbaseurl=/x\n",
    "[a]\nbaseurl=/x\nname=%(foo)s\n",
    "[a]\nbaseurl=/x\nname='quoted'\n",
    "[a]\nbaseurl=\"/x\"\n",
    "[a]\nbaseurl=/x\nname=\"half\n",
    "﻿[a]\nbaseurl=/x\n",
    "# comment\n; other\n[a]\nbaseurl=/x\n",
    "[a]\n  baseurl=/x\n",
    "[a]\nbaseurl=/x\n\tpriority=5\n",
    "[a]\nbaseurl=/x\nfoo\n",
    "[a]\nbaseurl=/x\n=y\n",
    "[a]\nbaseurl=/x\nk=v=w\nname=a=b\n",
    "[a]\nBaseurl=/x\nbaseurl=/y\n",
    "[a]\nbaseurl=/x\ninclude=/etc/other.repo\n",
    "[a]\nbaseurl=file:///srv/my%20repo/\n",
    "[a]\nbaseurl=http://h/x\n  ftp://h/y\n",
    "[a]\nenabled=0\n",
    "[a]\nname=x\n",
    "[a]\nbaseurl=\n",
    "[a]\nbaseurl=/x\ncost=1e3\n",
    "[a]\nbaseurl=/x\npriority=0x10\n",
    "[a]\nbaseurl=/x\npriority=  7  \n",
    "[a]\nbaseurl=/x\nexclude=\n",
    "[a]\nbaseurl=/x\nexclude=a\n  b\n",
    "[a]\nbaseurl=/x\nexclude=a;b\n",
    "[a]\nbaseurl=/x\nname=\n",
    "[a]\nbaseurl=/x\nmetalink=\n",
    "[a]\nbaseurl=/x\nmirrorlist=None\n",
    "[A]\nbaseurl=/x\n[a]\nbaseurl=/y\n",
    "[a] ;c\nbaseurl=/x\n",
    "[a]#c\nbaseurl=/x\n",
    "[a]\n#baseurl=/y\nbaseurl=/x\n#c\n",
    "[a]\nbaseurl=/x #c\n",
    "[a]\nbaseurl=/x\nskip_if_unavailable=1\n[b]\nbaseurl=/y\nskip_if_unavailable=0\n",
    "[a]\nbaseurl=/x\nname=é ü\n",
    "[a]\nbaseurl=/x/$basearch/${releasever}/$arch\n",
    "[a]\nbaseurl=/x\nincludepkgs=a*, b*\n",
    "[a]\nbaseurl=/x\nexcludepkgs= a , b \n",
    "[a]\nbaseurl=/x\nname=a\\\nb\n",
    "[a]\nbaseurl=/x\npriority=\n",
    "[a]\nbaseurl=/x\ncost=\n",
    "[a]\nbase url=/x\nbaseurl=/y\n",
    "[a]\nbaseurl\t=\t/x\t\n",
    "[a]\n  # indented comment\nbaseurl=/x\n",
    "[a]\nbaseurl=/x\n  # indented comment after value\n",
    "[a]\nbaseurl=/x\n\t/y\n",
    "[a]]\nbaseurl=/x\n",
    "[a]b]\nbaseurl=/x\n",
    "[[a]\nbaseurl=/x\n",
    "[a]\nbaseurl=/x\n  /y\n",
    "[a]\nbaseurl=/x\nname=a;b#c\n",
    "[a]\nbaseurl=/x\nname=\"a\" \n",
    "[a]\nbaseurl=/x\nname=\"a'\n",
    "[a]\nbaseurl=/x\nname=\"\"\n",
    "[a]\nbaseurl=/x\nname=\"\n",
    "[a]\nbaseurl=/x\nname=a\n  b\n\n",
    "[a]\nbaseurl=/x\nname=a\n  \n  b\n",
    "[a]\nbaseurl=/x\npriority=5\n  6\n",
    "[a]\nbaseurl=/x\nenabled=1\n  \n",
    "[a]\nbaseurl=/x\nexcludepkgs=a\n  b,c\n",
    "[a]\nbaseurl=/x\nincludepkgs=\n",
    "[a]\nbaseurl=/x\nname=$DNF1-$stream-${stream}\n",
    "[a-$stream]\nbaseurl=/x/$stream/$contentdir\n",
    "[a]\nbaseurl=/x\ncost=2147483647\npriority=2147483648\n",
    "[a]\nbaseurl=/x\npriority=+3\n",
    "[a]\nbaseurl=/x\npriority=3 \t\n",
    "[a]\nbaseurl=/x\nskip_if_unavailable=True # c\n",
    "[a]\nbaseurl=/x\nenabled=TRUE\n",
    "[a]\nbaseurl=/x\nenabled=y\n",
    "[a]\nbaseurl=/x\nenabled=None\n",
    "[a]\nbaseurl=/x\npriority=None\n",
    "[a]\nbaseurl=None\nmetalink=https://m/\n",
    "[a]\nbaseurl=/x\nexclude=None\n",
    "[a]\nmirrorlist=https://l/?arch=$basearch&repo=x\nenabled=0\n",
    "[a]\nbaseurl=https://u:p@h/x\n",
    "[a]\nbaseurl=/x?y=1&z\n",
    "[a]\nbaseurl=/x\n[b]\n[c]\nbaseurl=/z\n",
    "[a]\nbaseurl=/x\n[]\nbaseurl=/y\n",
    "[a]\nbaseurl=/x\n[ ]\nbaseurl=/y\n",
    "[a]\nbaseurl=/x\n\n\n\n[b]\nbaseurl=/y\nenabled=0\n",
    "[fedora-cisco-openh264]\nname=Fedora $releasever openh264 (From Cisco) - $basearch\nmetalink=https://mirrors.fedoraproject.org/metalink?repo=fedora-cisco-openh264-$releasever&arch=$basearch\ntype=rpm\nenabled=1\nmetadata_expire=14d\nrepo_gpgcheck=0\ngpgcheck=1\ngpgkey=file:///etc/pki/rpm-gpg/RPM-GPG-KEY-fedora-$releasever-$basearch\nskip_if_unavailable=True\n",
    "[copr:copr.fedorainfracloud.org:group_x:y]\nname=Copr repo for y owned by @x\nbaseurl=https://download.copr.fedorainfracloud.org/results/@x/y/fedora-$releasever-$basearch/\ntype=rpm-md\nskip_if_unavailable=True\ngpgcheck=1\ngpgkey=https://download.copr.fedorainfracloud.org/results/@x/y/pubkey.gpg\nrepo_gpgcheck=0\nenabled=1\nenabled_metadata=1\n",
    "[epel]\nname=Extra Packages for Enterprise Linux $releasever - $basearch\n# It is much more secure to use the metalink, but if you wish to use a local mirror\n# place its address here.\n#baseurl=https://download.example/pub/epel/$releasever/Everything/$basearch/\nmetalink=https://mirrors.fedoraproject.org/metalink?repo=epel-$releasever&arch=$basearch&infra=$infra&content=$contentdir\nenabled=1\ngpgcheck=1\ncountme=1\ngpgkey=file:///etc/pki/rpm-gpg/RPM-GPG-KEY-EPEL-$releasever\n",
    "[baseos]\nname=CentOS Stream $releasever - BaseOS\nmetalink=https://mirrors.centos.org/metalink?repo=centos-baseos-$stream&arch=$basearch&protocol=https,http\ngpgkey=file:///etc/pki/rpm-gpg/RPM-GPG-KEY-centosofficial\ngpgcheck=1\nrepo_gpgcheck=0\nmetadata_expire=6h\ncountme=1\nenabled=1\n",
    "[a]\nbaseurl=/x\n[b]\nname=B\n#baseurl=/y\nskip_if_unavailable=1\n[c]\nbaseurl=/z\n",
    "[b]\nname=B\nmetalink=\nskip_if_unavailable=True\nenabled=1\n",
    "[a]\nbaseurl=/x\nmetalink=\nmirrorlist=https://l/\n[b]\nmirrorlist=https://l/\nmetalink=None\n",
    "[a]\nbaseurl=/x\t/y\n",
    "[a]\nbaseurl=/x\nexcludepkgs=a\tb\n",
    "[a]\nbaseurl=/x\nexclude=a,,b\n",
    "[a]\nbaseurl=/x\nexclude=a , b ,c\n",
    "[a]\nbaseurl=/x\nexclude=a,\n  ,b\n",
    "[a]\nbaseurl=/x\nexclude=,a\n",
    "[a]\nbaseurl=/x,,/y\n",
    "[a]\nbaseurl=/x\nincludepkgs=a\u{a0}b\n",
    "[a]\nbaseurl=/x\nexclude=a\u{b}b\n",
    "[b]\nskip_if_unavailable=1\nproxy=not a url\n[a]\nbaseurl=/x\n",
    // The excludes' two spellings fill one list; a line that is empty, or
    // whose first item is, empties it first (libdnf's optionTListAppend).
    "[a]\nbaseurl=/x\nexclude=b\nexcludepkgs=,a\n",
    "[a]\nbaseurl=/x\nexcludepkgs=b\nexclude= ,a\n",
    "[a]\nbaseurl=/x\nexclude=b\nexcludepkgs=\n",
    "[a]\nbaseurl=/x\nexclude=b\nexcludepkgs=None\n",
    "[a]\nbaseurl=/x\nexclude=b c\nexcludepkgs=\n  a\n",
    "[a]\nbaseurl=/x\nexclude=b\nexcludepkgs=a,,c\n",
    "[a]\nbaseurl=/x\nexclude=b\nexclude=c\nexcludepkgs=,a\nexclude=d\n",
    // Leading spaces (kept inside quotes) are skipped before the first
    // item is cut: `" a"` appends, `"  "` has no item and changes nothing;
    // `" ,a"` still starts with an empty item.
    "[a]\nbaseurl=/x\nexclude=b\nexcludepkgs=\" a\"\n",
    "[a]\nbaseurl=/x\nexclude=b\nexcludepkgs=\"   \"\n",
    "[a]\nbaseurl=/x\nexclude=b\nexcludepkgs=\" ,a\"\n",
];
