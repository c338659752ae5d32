//! primary.xml and filelists.xml readers never panic on any bytes; the
//! filelists reader reads the same however the input is cut into chunks.
#![no_main]
use buildroot_core::evr::Evr;
use buildroot_core::rpmmd::{read_filelists, read_filelists_chunked, read_primary, FileKey};
use libfuzzer_sys::fuzz_target;

static ONE_THREAD: std::sync::OnceLock<rayon::ThreadPool> = std::sync::OnceLock::new();

fuzz_target!(|data: &[u8]| {
    if let Ok(mut pkgs) = read_primary(data, "fuzz") {
        let _ = read_filelists(data, "fuzz", &mut pkgs, None);
    }
    // Packages the filelists may name, by pkgid or by name, arch and EVR.
    let evr = Evr::new(0, "1", Some("1"));
    let keys = [
        FileKey {
            checksum: Some("a"),
            name: "a",
            arch: "x86_64",
            evr: &evr,
        },
        FileKey {
            checksum: None,
            name: "b",
            arch: "noarch",
            evr: &evr,
        },
    ];
    let keep = |p: &str| !p.ends_with('x');
    // On one thread (the chunks are cut all the same): parser threads'
    // thread-locals outlive their join, which libFuzzer's leak check flags.
    let one = ONE_THREAD.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .expect("a one-thread pool")
    });
    let (whole, cut) = one.install(|| {
        (
            read_filelists_chunked(data, "fuzz", &keys, &keep, 1 << 20),
            read_filelists_chunked(data, "fuzz", &keys, &keep, 7),
        )
    });
    // What both read is the same, and what fails whole fails cut. Only a
    // document outside rpm-md's shape (a prefixed root, `</package>` in a
    // comment) may fail cut and not whole.
    match (&whole, &cut) {
        (Ok(a), Ok(b)) => assert_eq!(a, b),
        (Err(e), Ok(_)) => panic!("only the whole read failed: {e}"),
        _ => {}
    }
});
