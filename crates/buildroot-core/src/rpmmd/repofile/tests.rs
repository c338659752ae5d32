//! Unit tests of the `.repo` reader (`mod.rs`): sections, options, lists,
//! URLs and variables as libdnf reads them, and what dnf passes over.

use super::*;
use std::time::Duration;

#[test]
fn parses_sections_continuations_and_vars() {
    let text = "[main]\ncachedir=/x\n\n# comment\n[eln-$basearch]\nname=ELN\nbaseurl=https://a.example/$releasever/$basearch/\n  https://b.example/\npriority=90\nexclude=foo*, bar\n\n[eln-source]\nbaseurl=file:///srv/src\nenabled=0\n";
    let vars = Vars::new("x86_64", "eln");
    let r = parse_repofile_str(text, "t.repo", &vars).unwrap();
    assert_eq!(r.len(), 2);
    assert_eq!(r[0].id, "eln-x86_64");
    assert_eq!(r[0].baseurl, "https://a.example/eln/x86_64/");
    assert_eq!(r[0].extra_baseurls, ["https://b.example/"]);
    assert_eq!(r[0].priority, 90);
    assert_eq!(r[0].exclude, vec!["foo*", "bar"]);
    assert!(!r[1].enabled);
    // dnf's default; [main] sets nothing for the repos.
    assert!(!r[0].skip_if_unavailable);
    let r = parse_repofile_str(
        "[main]\nskip_if_unavailable=1\n[a]\nbaseurl=/a\n[b]\nbaseurl=/b\nskip_if_unavailable=On\n",
        "t.repo",
        &vars,
    )
    .unwrap();
    assert!(!r[0].skip_if_unavailable && r[1].skip_if_unavailable);
}

/// libdnf's `IniParser` on a file saved on Windows (dnf 4.14, probed): a
/// value of a blank and a CR is the CR, and a value of line breaks only
/// stays one.
#[test]
fn blank_values_of_crlf_files_are_what_libdnf_cuts() {
    let vars = Vars::new("x86_64", "eln");
    let text = "[a]\r\nbaseurl=/x\r\nexclude=a\r\nexcludepkgs= \r\nincludepkgs=\t\r\n";
    let r = parse_repofile_str(text, "t.repo", &vars).unwrap();
    assert_eq!(r[0].exclude, ["a", "\r"]);
    assert_eq!(r[0].includepkgs, ["\r"]);
    // `key=` then CRLF is empty: the list is emptied.
    let text = "[a]\r\nbaseurl=/x\r\nexclude=a\r\nexcludepkgs=\r\n";
    let r = parse_repofile_str(text, "t.repo", &vars).unwrap();
    assert!(r[0].exclude.is_empty());
    let sections = ini::sections("[a]\r\nm= \r\nn=\r\n\r\n[b]\nk=\n \n", "t").unwrap();
    let values: Vec<&str> = sections
        .iter()
        .flat_map(|(_, _, kv)| kv.iter().map(|(_, v, _)| v.as_str()))
        .collect();
    assert_eq!(values, ["\r", "\n", "\n"]);
}

#[test]
fn arch_includepkgs_cost_and_excludepkgs() {
    let text = "[bin]\nbaseurl=/repos/$arch/${basearch}\nincludepkgs=bash glibc*\nexcludepkgs=glibc-devel\ncost=500\n[off]\nenabled=false\nbaseurl=/nowhere\n";
    let vars = Vars::new("aarch64", "");
    let r = parse_repofile_str(text, "t.repo", &vars).unwrap();
    assert_eq!(r[0].baseurl, "/repos/aarch64/aarch64");
    assert_eq!(r[0].includepkgs, vec!["bash", "glibc*"]);
    assert_eq!(r[0].exclude, vec!["glibc-devel"]);
    assert_eq!(r[0].cost, 500);
    assert_eq!(r[0].priority, 99);
    assert!(r[0].enabled && !r[1].enabled);
    // A mock config is not a dnf.conf; the message says what to give.
    let e = parse_repofile_str(
        "config_opts['root'] = 'x'\n",
        "eln.cfg",
        &Vars::new("x86_64", ""),
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.starts_with("eln.cfg:1: 'key=value' before the first [section]"),
        "{e}"
    );
    assert!(e.contains("config_opts['dnf.conf']"), "{e}");
    // $basearch is dnf's base arch, $arch the arch itself.
    let r = parse_repofile_str(text, "t.repo", &Vars::new("i686", "")).unwrap();
    assert_eq!(r[0].baseurl, "/repos/i686/i386");
}

#[test]
fn urls_are_substituted_once_more_as_librepo_does() {
    // An escaped variable is kept by the configuration reader, then
    // substituted by librepo in the URLs it downloads from (not in
    // other values).
    let text = "[a]\nbaseurl=/r/\\$basearch/\nmetalink=https://m/?arch=\\${basearch}\n\
                exclude=x-\\$basearch\n";
    let (r, _) = parse_repofile_text(text, "t.repo", &Vars::new("s390x", "")).unwrap();
    assert_eq!(r[0].baseurl, "/r/s390x/");
    assert_eq!(
        r[0].mirrors,
        Some(MirrorSource::Metalink("https://m/?arch=s390x".into()))
    );
    assert_eq!(r[0].exclude, ["x-$basearch"]);
}

#[test]
fn metalink_and_mirrorlist_sections() {
    let text = "[fedora]\nmetalink=https://mirrors.example/metalink?repo=rawhide&arch=$basearch\n\
                [updates]\nmirrorlist=https://mirrors.example/mirrorlist?arch=$basearch\n\
                [both]\nbaseurl=/local\nmetalink=https://m/ml\n";
    let r = parse_repofile_str(text, "t.repo", &Vars::new("s390x", "")).unwrap();
    assert_eq!(
        r[0].mirrors,
        Some(MirrorSource::Metalink(
            "https://mirrors.example/metalink?repo=rawhide&arch=s390x".into()
        ))
    );
    assert!(r[0].baseurl.is_empty());
    assert!(matches!(r[1].mirrors, Some(MirrorSource::Mirrorlist(_))));
    // Both kept: the list's mirrors come first when the repo is opened.
    assert_eq!(r[2].baseurl, "/local");
    // An empty one is none, as libdnf takes it (dnf 4.14 read the
    // baseurl, or the mirrorlist, of these).
    let text = "[a]\nbaseurl=/x\nmetalink=\n[b]\nmirrorlist=https://l/\nmetalink=None\n\
                [c]\nmetalink=\nmirrorlist=https://l/\n";
    let r = parse_repofile_str(text, "t.repo", &Vars::new("s390x", "")).unwrap();
    assert_eq!((r[0].baseurl.as_str(), &r[0].mirrors), ("/x", &None));
    for r in &r[1..] {
        assert_eq!(
            r.mirrors,
            Some(MirrorSource::Mirrorlist("https://l/".into()))
        );
    }
}

/// Fedora's own files, as the fedora-repos package ships them: a
/// metalink with `$releasever` and `$basearch` in its query, a
/// commented-out baseurl, and options the tools pass over without a
/// word (`countme`, `gpgkey`, `type=rpm`, `repo_gpgcheck`, ...).
#[test]
fn fedoras_own_repo_files_are_read_as_dnf_reads_them() {
    let text = "[fedora]\nname=Fedora $releasever - $basearch\n\
        #baseurl=http://download.example/pub/fedora/linux/releases/$releasever/Everything/$basearch/os/\n\
        metalink=https://mirrors.fedoraproject.org/metalink?repo=fedora-$releasever&arch=$basearch\n\
        enabled=1\ncountme=1\nmetadata_expire=7d\nrepo_gpgcheck=0\ntype=rpm\ngpgcheck=1\n\
        gpgkey=file:///etc/pki/rpm-gpg/RPM-GPG-KEY-fedora-$releasever-$basearch\n\
        skip_if_unavailable=False\n\n\
        [fedora-debuginfo]\nname=Fedora $releasever - $basearch - Debug\n\
        metalink=https://mirrors.fedoraproject.org/metalink?repo=fedora-debug-$releasever&arch=$basearch\n\
        enabled=0\ntype=rpm\nskip_if_unavailable=False\n";
    let (r, ignored) =
        parse_repofile_text(text, "fedora.repo", &Vars::new("aarch64", "41")).unwrap();
    assert!(ignored.is_empty(), "{ignored:?}");
    assert_eq!(r.len(), 2);
    assert_eq!(r[0].name, "Fedora 41 - aarch64");
    assert_eq!(
        r[0].mirrors,
        Some(MirrorSource::Metalink(
            "https://mirrors.fedoraproject.org/metalink?repo=fedora-41&arch=aarch64".into()
        ))
    );
    assert!(r[0].baseurl.is_empty() && r[0].enabled && !r[0].skip_if_unavailable);
    assert!(!r[1].enabled);
    // repo_gpgcheck=1 on an enabled repo (its own, or [main]'s) is
    // warned about, as its signature goes unchecked; off, or on a
    // disabled repo, nothing.
    let text = "[a]\nbaseurl=/x\nrepo_gpgcheck=1\n[b]\nbaseurl=/y\nrepo_gpgcheck=1\n\
                enabled=0\n[c]\nbaseurl=/z\nrepo_gpgcheck=0\n";
    let (_, ignored) = parse_repofile_text(text, "t.repo", &Vars::new("x86_64", "")).unwrap();
    assert_eq!(
        ignored,
        [
            "t.repo:3: [a]: repo_gpgcheck=1 is not honoured: these tools check no OpenPGP \
          signature, so repomd.xml is read without repomd.xml.asc, which dnf would require \
          and check against gpgkey"
        ]
    );
    let main = MainDefaults::parse("[main]\nrepo_gpgcheck=True\n", "dnf.conf").unwrap();
    let vars = Vars::new("x86_64", "").with_main(main);
    let text = "[a]\nbaseurl=/x\n[c]\nbaseurl=/z\nrepo_gpgcheck=0\n";
    let (_, ignored) = parse_repofile_text(text, "t.repo", &vars).unwrap();
    assert_eq!(ignored.len(), 1, "{ignored:?}");
    assert!(
        ignored[0].starts_with("dnf.conf:2: [a]: repo_gpgcheck=True is not honoured"),
        "{ignored:?}"
    );
    // A type libdnf does not read (they are compared as written): an
    // error on its line, the repo enabled or not, as dnf 4.14 stops.
    // As dnf 4.14's read_all_repos took them (probed): blanks around
    // the value go, and `Type=` is another (unknown) option.
    for t in [
        "type=rpm-md",
        "type=yum",
        "type=YUM",
        "type=",
        "type=rpm-md  ",
        "type=  yum",
    ]
    .into_iter()
    .chain(["Type=debian", "TYPE=debian", "type=None"])
    {
        let text = format!("[a]\nbaseurl=/x\n{t}\n");
        let (r, ignored) = parse_repofile_text(&text, "t.repo", &Vars::new("x86_64", "")).unwrap();
        assert_eq!((r.len(), ignored.len()), (1, 0), "{t}");
    }
    // Substituted, and compared whole (no comment after a value).
    for (t, says) in [
        ("type = RPM-MD", "type=RPM-MD"),
        ("type=$basearch", "type=x86_64"),
        ("type=rpm-md #c", "type=rpm-md #c"),
    ] {
        let text = format!("[a]\nbaseurl=/x\nenabled=0\n{t}\n");
        let e = parse_repofile_text(&text, "t.repo", &Vars::new("x86_64", "")).unwrap_err();
        assert!(
            e.to_string()
                .starts_with(&format!("t.repo:4: [a]: {says} is not")),
            "{e}"
        );
    }
    let text = "[b]\nbaseurl=/y\n[a]\nbaseurl=/x\nenabled=0\ntype=RPM\n";
    let e = parse_repofile_text(text, "t.repo", &Vars::new("x86_64", "")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "t.repo:6: [a]: type=RPM is not a repository type dnf reads (rpm-md, rpm, repomd, \
         rpmmd, yum, YUM): dnf 4.14 stops on it, the repo enabled or not"
    );
}

/// dnf 4.14 reads a file whose comment is Latin-1 (probed), and stops
/// on such bytes in a value: here an error on that line.
#[test]
fn bytes_not_utf8_are_read_in_comments_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.repo");
    let vars = Vars::new("x86_64", "");
    std::fs::write(&path, b"# caf\xe9\n[a]\n;\xff\nbaseurl=/x\n").unwrap();
    let r = parse_repofile(&path, &vars).unwrap();
    assert_eq!(r[0].baseurl, "/x");
    std::fs::write(&path, b"# caf\xe9\n[a]\nbaseurl=/x\nname=caf\xe9\n").unwrap();
    let e = parse_repofile(&path, &vars).unwrap_err().to_string();
    assert_eq!(
        e,
        format!(
            "{}:4: not UTF-8 text (read in a comment line only; dnf stops on such bytes in a repo id or an option it knows)",
            path.display()
        )
    );
    std::fs::write(&path, b"[main]\n# \xe9\nretries=4\n").unwrap();
    assert_eq!(MainDefaults::read(&path).unwrap().keys.len(), 1);
}

#[test]
fn broken_section_names_file_and_line() {
    let e = parse_repofile_str(
        "[ok]\nbaseurl=/x\n[broken\n",
        "t.repo",
        &Vars::new("x86_64", ""),
    )
    .unwrap_err();
    assert_eq!(e.to_string(), "t.repo:3: section header without ']'");
    let e = parse_repofile_str("[x]\nenabled=1\n", "t.repo", &Vars::new("x86_64", "")).unwrap_err();
    assert!(e.to_string().contains("no baseurl"), "{e}");
}

/// dnf 4.14 fails an enabled repo without a URL when it loads it, and
/// with skip_if_unavailable (its own or main's) leaves it out and goes
/// on ("Ignoring repositories: b"): a warning here, the repo disabled,
/// the file's other repos read.
#[test]
fn a_repo_without_url_is_skipped_when_it_may_be() {
    let vars = Vars::new("x86_64", "");
    let text = "[a]\nbaseurl=/x\n[b]\nname=B\n#baseurl=/y\nskip_if_unavailable=1\n\
                repo_gpgcheck=1\n[c]\nbaseurl=/z\n";
    let (r, ignored) = parse_repofile_text(text, "t.repo", &vars).unwrap();
    assert_eq!(
        r.iter()
            .map(|r| (r.id.as_str(), r.enabled))
            .collect::<Vec<_>>(),
        [("a", true), ("b", false), ("c", true)]
    );
    assert_eq!(
        ignored,
        [
            "repo 'b' skipped (skip_if_unavailable=1): t.repo:3: [b]: no baseurl, metalink \
          or mirrorlist"
        ]
    );
    let main = MainDefaults::parse("[main]\nskip_if_unavailable=True\n", "dnf.conf").unwrap();
    let (r, _) =
        parse_repofile_text("[b]\nname=B\n", "t.repo", &vars.clone().with_main(main)).unwrap();
    assert!(!r[0].enabled);
    // Without it, an error on the section's line, as before.
    let e = parse_repofile_text("[b]\nskip_if_unavailable=0\n", "t.repo", &vars).unwrap_err();
    assert_eq!(
        e.to_string(),
        "t.repo:1: [b]: no baseurl, metalink or mirrorlist"
    );
}

/// A repo left out for want of a URL downloads nothing: a proxy it (or
/// `[main]`) names that is no proxy URL is not refused then, as dnf 4.14
/// (probed) ignores such a repo whatever its proxy says; a repo that is
/// used still is refused for it.
#[test]
fn a_repo_left_out_is_not_refused_for_its_proxy() {
    let vars = Vars::new("x86_64", "");
    let text = "[b]\nskip_if_unavailable=1\nproxy=not a url\n[a]\nbaseurl=/x\n";
    let (r, ignored) = parse_repofile_text(text, "t.repo", &vars).unwrap();
    assert_eq!((r[0].enabled, r[1].enabled), (false, true));
    assert_eq!(ignored.len(), 1, "{ignored:?}");
    let main = MainDefaults::parse("[main]\nproxy=bad\n", "dnf.conf").unwrap();
    let vars = vars.with_main(main);
    let (r, _) = parse_repofile_text("[b]\nskip_if_unavailable=1\n", "t.repo", &vars).unwrap();
    assert!(!r[0].enabled);
    let e = parse_repofile_text("[a]\nbaseurl=/x\nproxy=not a url\n", "t.repo", &vars);
    assert!(e
        .unwrap_err()
        .to_string()
        .starts_with("t.repo:3: [a]: proxy=not a url"));
}

#[test]
fn a_bad_value_is_passed_over_as_dnf_does() {
    let vars = Vars::new("x86_64", "");
    // dnf 4.14 logs "Invalid configuration value" and keeps the value
    // before: the default, or main's.
    let text = "[a]\nbaseurl=/x\n  /y\npriority=high\ncost=abc\nenabled=maybe\n\
                skip_if_unavailable=2\ntimeout=abc\nretries=x\n";
    let (r, ignored) = parse_repofile_text(text, "t.repo", &vars).unwrap();
    assert_eq!((r[0].priority, r[0].cost), (99, 1000));
    assert!(r[0].enabled && !r[0].skip_if_unavailable);
    assert_eq!(r[0].access.pace, Default::default());
    assert_eq!(
        ignored,
        [
            "t.repo:4: [a]: priority=high is not a number; ignored, as dnf ignores it",
            "t.repo:5: [a]: cost=abc is not a number; ignored, as dnf ignores it",
            "t.repo:6: [a]: enabled=maybe is not a boolean; ignored, as dnf ignores it",
            "t.repo:7: [a]: skip_if_unavailable=2 is not a boolean; ignored, as dnf ignores it",
            "t.repo:8: [a]: timeout=abc is not a number of seconds; ignored, as dnf ignores it",
            "t.repo:9: [a]: retries=x is not a whole number; ignored, as dnf ignores it",
        ]
    );
    let main = MainDefaults::parse("[main]\ntimeout=60\nsslverify=maybe\n", "dnf.conf").unwrap();
    assert_eq!(
        main.ignored,
        ["dnf.conf:3: [main]: sslverify=maybe is not a boolean; ignored, as dnf ignores it"]
    );
    let vars = vars.with_main(main);
    let (r, _) = parse_repofile_text("[a]\nbaseurl=/x\ntimeout=x\n", "t.repo", &vars).unwrap();
    assert_eq!(r[0].access.pace.timeout, Some(Duration::from_secs(60)));
    assert!(r[0].access.sslverify);
}

#[test]
fn lines_as_libdnfs_ini_parser_reads_them() {
    // dnf 4.14 on this file: a (baseurl "/x" with its quotes, as the
    // value spans two lines; /y), priority 5 (`Priority` is no
    // option), cost 3 (the second [a] is the same section), exclude
    // a; b; c (an indented header); name without its blanks.
    let text = "[a] # comment\nbaseurl=\"/x\"\n  /y\n#c\npriority=5\nPriority=7\nexclude=a\n\
                Exclude=b\n[b]\nbaseurl='/b'\n[a]\ncost=3\n  [c]\nbaseurl=/c\nname = spaced \n";
    let (r, _) = parse_repofile_text(text, "t.repo", &Vars::new("x86_64", "")).unwrap();
    let ids: Vec<&str> = r.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["a", "b", "c"]);
    assert_eq!(
        (r[0].baseurl.as_str(), r[0].extra_baseurls.clone()),
        ("\"/x\"", vec!["/y".to_string()])
    );
    assert_eq!(
        (r[0].priority, r[0].cost, r[0].exclude.clone()),
        (5, 3, vec!["a".to_string()])
    );
    assert_eq!(r[1].baseurl, "/b");
    assert_eq!(r[2].name, "spaced");
    // An indented line after a comment continues nothing: dnf skips
    // the file; a header with text after it is refused too.
    let e = |t: &str| {
        parse_repofile_text(t, "t.repo", &Vars::new("x86_64", ""))
            .unwrap_err()
            .to_string()
    };
    assert!(e("[a]\nbaseurl=/x\n#c\n  /y\n").starts_with("t.repo:4: indented line with no value"));
    assert_eq!(e("[a] xy\n"), "t.repo:1: text after the section header");
    // (libdnf does not look at the last character: `[a] x` is [a].)
    let (r, _) =
        parse_repofile_text("[a] x\nbaseurl=/x\n", "t.repo", &Vars::new("x86_64", "")).unwrap();
    assert_eq!(r[0].id, "a");
    // Ids dnf does not take: skipped with a warning, the rest read.
    let text = "[ a ]\nbaseurl=/x\n[a$nope]\nbaseurl=/y\n[copr:h:o:p]\nbaseurl=/z\n";
    let (r, ignored) = parse_repofile_text(text, "t.repo", &Vars::new("x86_64", "")).unwrap();
    assert_eq!(
        r.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
        ["copr:h:o:p"]
    );
    assert_eq!(ignored.len(), 2, "{ignored:?}");
    assert!(
        ignored[0].starts_with("t.repo:1: [ a ]: not a repo id"),
        "{ignored:?}"
    );
    assert_eq!(e("[a]\n=x\n"), "t.repo:2: '=' without a key");
    // [main] twice is one [main]: its last proxy= and excludepkgs= count.
    let main = MainDefaults::parse(
        "[main]\nproxy=ftp://p\nexcludepkgs=a\n[main]\nproxy=\nexcludepkgs=b\n",
        "d",
    )
    .unwrap();
    assert_eq!(
        (main.bad_proxy.is_none(), main.excludes.clone()),
        (true, vec!["b".to_string()])
    );
}

/// dnf 4.14 (probed): lists are cut at spaces, commas and line breaks
/// only; a tab or another blank stays inside an item.
#[test]
fn lists_are_cut_where_libdnf_cuts_them() {
    let text = "[a]\nbaseurl=/x\t/y, /z\n  /w\nexclude=a\tb,c d\nincludepkgs=e\u{a0}f\n";
    let (r, _) = parse_repofile_text(text, "t.repo", &Vars::new("x86_64", "")).unwrap();
    assert_eq!(r[0].baseurl, "/x\t/y");
    assert_eq!(r[0].extra_baseurls, ["/z", "/w"]);
    assert_eq!(r[0].exclude, ["a\tb", "c", "d"]);
    assert_eq!(r[0].includepkgs, ["e\u{a0}f"]);
}

#[test]
fn numbers_and_repeated_keys_as_libdnf_reads_them() {
    let vars = Vars::new("x86_64", "");
    // A key given again: the last line counts (dnf 4.14: priority 99,
    // excludepkgs b and c).
    let text = "[t]\nbaseurl=/x\npriority=5\npriority=high\nexclude=a\nexclude=b\n\
                excludepkgs=c\n[u]\nbaseurl=/y\npriority=5x\ncost=3.5\n[v]\nbaseurl=/z\n\
                priority= +7\ncost=-3\n";
    let (r, ignored) = parse_repofile_text(text, "t.repo", &vars).unwrap();
    assert_eq!(
        (r[0].priority, r[0].exclude.clone()),
        (99, vec!["b".into(), "c".into()])
    );
    assert_eq!(ignored.len(), 1, "{ignored:?}");
    assert!(
        ignored[0].starts_with("t.repo:4: [t]: priority=high"),
        "{ignored:?}"
    );
    assert_eq!((r[1].priority, r[1].cost), (5, 3));
    assert_eq!((r[2].priority, r[2].cost), (7, -3));
    for bad in ["x", "-", "99999999999", ""] {
        assert_eq!(libdnf_i32(bad), None, "{bad}");
    }
}

#[test]
fn a_bad_proxy_is_an_error_on_its_own_line() {
    let vars = Vars::new("x86_64", "");
    let e = parse_repofile_str("[a]\nbaseurl=/x\nproxy=ftp://p\n", "t.repo", &vars)
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("t.repo:3: [a]: proxy=ftp://p is not a proxy URL"),
        "{e}"
    );
    let e = parse_repofile_str("[a]\nbaseurl=/x\nproxy_username=u\n", "t.repo", &vars).unwrap_err();
    assert_eq!(
        e.to_string(),
        "t.repo:1: [a]: proxy_username is set but not proxy_password"
    );
    let off = "[a]\nbaseurl=/x\nproxy_username=u\nenabled=0\n";
    assert!(parse_repofile_str(off, "t.repo", &vars).is_ok());
    // Only for the enabled repos that take it (dnf checks none).
    let r = parse_repofile_str(
        "[a]\nbaseurl=/x\nproxy=ftp://p\nenabled=0\n",
        "t.repo",
        &vars,
    );
    assert!(!r.unwrap()[0].enabled);
    let main = MainDefaults::parse("[main]\nproxy=ftp://p\n", "dnf.conf").unwrap();
    let vars = vars.with_main(main);
    let e = parse_repofile_str("[a]\nbaseurl=/x\n", "t.repo", &vars).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("dnf.conf:2: [main]: proxy=ftp://p"),
        "{e}"
    );
    let e = RepoSpec::parse_cli("c=/c", &vars).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("dnf.conf:2: [main]: proxy=ftp://p"),
        "{e}"
    );
    let ok = "[a]\nbaseurl=/x\nproxy=\n[b]\nbaseurl=/y\nenabled=0\n";
    assert_eq!(parse_repofile_str(ok, "t.repo", &vars).unwrap().len(), 2);
}

/// CentOS Stream's own section: `$stream` and `$contentdir` come from a
/// `varsdir=` of the dnf.conf (its files win over `DNF_VAR_*`); without
/// them the URL keeps them, and the repo says which, for the error.
#[test]
fn a_dnf_conf_varsdir_sets_the_variables_of_centos_streams_files() {
    let text = "[baseos]\nname=CentOS Stream $releasever - BaseOS\n\
        baseurl=http://mirror.example/$contentdir/$stream/BaseOS/$basearch/os/\n\
        metalink=https://mirrors.example/metalink?repo=centos-baseos-$stream&arch=$basearch\n\
        [escaped]\nbaseurl=http://mirror.example/\\$stream/${infra:-stock}/\n";
    let t = tempfile::tempdir().unwrap();
    let (a, b) = (t.path().join("a"), t.path().join("b"));
    for d in [&a, &b] {
        std::fs::create_dir(d).unwrap();
    }
    std::fs::write(a.join("stream"), "9-stream\n").unwrap();
    std::fs::write(a.join("contentdir"), "centos\n").unwrap();
    std::fs::write(b.join("contentdir"), "pub/centos\n").unwrap();
    // The last varsdir= line counts; its list is cut as libdnf cuts lists.
    let conf = format!(
        "[main]\nvarsdir=/nowhere\nvarsdir={}, /missing {}\n",
        a.display(),
        b.display()
    );
    let main = MainDefaults::parse(&conf, "dnf.conf").unwrap();
    let mut vars = Vars::new("x86_64", "9");
    vars.env = [("stream".to_string(), "env".to_string())].into();
    vars.files = crate::rpmmd::read_varsdirs(main.varsdir()).unwrap();
    let vars = vars.with_main(main);
    let r = parse_repofile_str(text, "c.repo", &vars).unwrap();
    assert_eq!(
        r[0].baseurl,
        "http://mirror.example/pub/centos/9-stream/BaseOS/x86_64/os/"
    );
    assert_eq!(
        r[0].mirrors,
        Some(MirrorSource::Metalink(
            "https://mirrors.example/metalink?repo=centos-baseos-9-stream&arch=x86_64".into()
        ))
    );
    assert!(r[0].unset_vars.is_empty());
    // librepo's pass gives an escaped `\$stream` the file's value too.
    assert_eq!(r[1].baseurl, "http://mirror.example/9-stream/stock/");
    // Without them: the URLs keep them, and the repo names them.
    let r = parse_repofile_str(text, "c.repo", &Vars::new("x86_64", "9")).unwrap();
    assert_eq!(
        r[0].baseurl,
        "http://mirror.example/$contentdir/$stream/BaseOS/x86_64/os/"
    );
    assert_eq!(r[0].unset_vars, ["contentdir", "stream"]);
    assert!(r[1].unset_vars.is_empty(), "escaped: {:?}", r[1].unset_vars);
    // No varsdir= in [main]: no vars file is read.
    let main = MainDefaults::parse("[main]\n", "dnf.conf").unwrap();
    assert!(main.varsdir().is_empty());
}

/// A section's own `max_parallel_downloads`/`max_downloads_per_mirror`:
/// read as `[main]`'s (libdnf's `ConfigRepo` has both, inheriting
/// main's), each winning over main's for its repo alone; a value dnf
/// passes over is passed over with `[main]`'s warning; one above 20 is
/// `[main]`'s error on its line for an enabled repo (dnf 4.14 fails it
/// when it loads it), a repo left out with skip_if_unavailable, nothing
/// for a disabled one.
#[test]
fn a_sections_own_parallel_downloads_are_read_as_mains() {
    let main = MainDefaults::parse("[main]\nmax_parallel_downloads=2\n", "dnf.conf").unwrap();
    let vars = Vars::new("x86_64", "").with_main(main);
    let text = "[a]\nbaseurl=/a\nmax_parallel_downloads=5\nmax_downloads_per_mirror=4\n\
                [b]\nbaseurl=/b\nmax_downloads_per_mirror=1\n\
                [c]\nbaseurl=/c\nmax_parallel_downloads=0\nmax_downloads_per_mirror=x\n";
    let (r, ignored) = parse_repofile_text(text, "t.repo", &vars).unwrap();
    let p: Vec<_> = r
        .iter()
        .map(|s| (s.access.parallel.downloads, s.access.parallel.per_mirror))
        .collect();
    assert_eq!(p, [(Some(5), Some(4)), (Some(2), Some(1)), (Some(2), None)]);
    assert_eq!(
        ignored,
        [
            "t.repo:10: [c]: max_parallel_downloads=0 is not a whole number above 0; ignored, \
             as dnf ignores it",
            "t.repo:11: [c]: max_downloads_per_mirror=x is not a whole number above 0; \
             ignored, as dnf ignores it",
        ]
    );
    let vars = Vars::new("x86_64", "");
    let e = parse_repofile_text(
        "[a]\nbaseurl=/a\nmax_parallel_downloads=21\n",
        "t.repo",
        &vars,
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "t.repo:3: [a]: max_parallel_downloads=21: librepo downloads 1 to 20 packages at once \
         (dnf stops with \"Bad value of LRO_MAXPARALLELDOWNLOADS\")"
    );
    let skipped = "[a]\nbaseurl=/a\nskip_if_unavailable=1\nmax_parallel_downloads=-1\n";
    let (r, ignored) = parse_repofile_text(skipped, "t.repo", &vars).unwrap();
    assert!(!r[0].enabled);
    assert_eq!(
        ignored,
        [
            "repo 'a' skipped (skip_if_unavailable=1): t.repo:4: [a]: max_parallel_downloads=-1: \
          librepo downloads 1 to 20 packages at once (dnf stops with \"Bad value of \
          LRO_MAXPARALLELDOWNLOADS\")"
        ]
    );
    let disabled = "[a]\nbaseurl=/a\nenabled=0\nmax_parallel_downloads=25\n";
    let (r, ignored) = parse_repofile_text(disabled, "t.repo", &vars).unwrap();
    assert_eq!((r[0].enabled, ignored.len()), (false, 0));
    // More than 20 per mirror is 20, as in [main].
    let (r, _) = parse_repofile_text(
        "[a]\nbaseurl=/a\nmax_downloads_per_mirror=50\n",
        "t.repo",
        &vars,
    )
    .unwrap();
    assert_eq!(r[0].access.parallel.per_mirror, Some(20));
}

/// A command-line `ID=URL` whose id dnf would refuse (`--repofrompath 'a
/// b,DIR'`: "Invalid repository id") is refused, naming the character; a
/// bare URL (its own id) and dnf's id characters are taken.
#[test]
fn a_command_line_id_dnf_refuses_is_refused() {
    let vars = Vars::new("x86_64", "");
    let e = RepoSpec::parse_cli("a b=/x", &vars).unwrap_err();
    assert_eq!(
        e.to_string(),
        "'a b=/x': 'a b' is not a repo id dnf takes: ' ' at position 2 \
         (letters, digits and -_.: only)"
    );
    assert!(matches!(e, Error::Usage(_)));
    assert!(RepoSpec::parse_cli("fedora$x=/x", &vars).is_err());
    for ok in ["eln-build_1.x=/x", "/some/dir", "http://h/r/"] {
        assert!(RepoSpec::parse_cli(ok, &vars).is_ok(), "{ok}");
    }
}

/// `ID=URL` or a bare URL: the text before the first `=` is an id when it
/// holds no `/`. dnf takes `:` in an id (`my:repo` was read as a bare URL,
/// the id `my:repo=https://...`), and a URL's query string holds `=` after
/// a `/` (the whole is the URL, its own id, as before).
#[test]
fn a_command_line_id_may_hold_a_colon_and_a_url_an_equals_sign() {
    let vars = Vars::new("x86_64", "");
    let spec = |s: &str| {
        let r = RepoSpec::parse_cli(s, &vars).unwrap();
        (r.id, r.baseurl)
    };
    let pair = |a: &str, b: &str| (a.to_string(), b.to_string());
    assert_eq!(
        spec("my:repo=https://host/path"),
        pair("my:repo", "https://host/path")
    );
    assert_eq!(
        spec("copr:fedora:eln=https://h/r?a=b"),
        pair("copr:fedora:eln", "https://h/r?a=b")
    );
    // A bare URL with a query string, and a directory with '=' in its name.
    let url = "https://host/path?a=b";
    assert_eq!(spec(url), pair(url, url));
    assert_eq!(spec("./a=b"), pair("./a=b", "./a=b"));
    // The forms of before, unchanged.
    assert_eq!(spec("main=/x/y"), pair("main", "/x/y"));
    assert_eq!(spec("http://h/r/"), pair("http://h/r/", "http://h/r/"));
    assert_eq!(spec("/some/dir"), pair("/some/dir", "/some/dir"));
    // An id with a character dnf refuses is still refused, ':' or not.
    let e = RepoSpec::parse_cli("my:re po=https://h/r", &vars).unwrap_err();
    assert!(
        e.to_string()
            .contains("'my:re po' is not a repo id dnf takes"),
        "{e}"
    );
}
