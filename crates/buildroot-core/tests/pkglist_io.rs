//! Package lists through files: reading, reduction, atomic sorted writing.

use std::fs;

use buildroot_core::pkglist::{read_list, read_set, write_list_file, Names};

#[test]
fn file_round_trip_sorted_unique_atomic() {
    let t = tempfile::tempdir().unwrap();
    let input = t.path().join("in.txt");
    fs::write(
        &input,
        "# view-binary-package-list\r\nzlib-1.3-1.eln150.x86_64\r\nbash-0:5.2-1.eln150.x86_64\n\nbash\n  Zed   # capital first in C order\nfoo-1.0-1.eln150.src.rpm\n",
    )
    .unwrap();
    let path = input.to_str().unwrap();
    assert_eq!(
        read_list(path, Names::Reduce).unwrap(),
        ["zlib", "bash", "bash", "Zed", "foo"]
    );
    let set = read_set(path, Names::Reduce).unwrap();
    let out = t.path().join("sub/out.txt");
    write_list_file(&out, &set).unwrap();
    assert_eq!(fs::read_to_string(&out).unwrap(), "Zed\nbash\nfoo\nzlib\n");
    // Replaced whole; no temporaries left beside it.
    write_list_file(&out, ["b", "a", "b"]).unwrap();
    assert_eq!(fs::read_to_string(&out).unwrap(), "a\nb\n");
    let names: Vec<_> = fs::read_dir(t.path().join("sub"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names, ["out.txt"]);
    // An empty list is an empty file.
    write_list_file(&out, Vec::<String>::new()).unwrap();
    assert_eq!(fs::read_to_string(&out).unwrap(), "");
}

#[test]
fn errors_name_the_file() {
    let t = tempfile::tempdir().unwrap();
    let missing = t.path().join("missing.txt");
    let e = read_list(missing.to_str().unwrap(), Names::Verbatim)
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        format!("{}: No such file or directory", missing.display())
    );
    let dir = t.path().to_str().unwrap();
    let e = read_list(dir, Names::Verbatim).unwrap_err().to_string();
    // Nothing of it was read: no line is named.
    assert_eq!(e, format!("{dir}: Is a directory"));
    assert!(!e.contains('\n'));
}
