//! Gives the library a fingerprint of its own source and of the versions of
//! its dependencies (`BUILDROOT_CORE_SOURCE_ID`: `src/**/*.rs` and the
//! workspace's `Cargo.lock`): the pool cache (`src/pool/cache.rs`) keys its
//! files by it, so that a pool written by one build is never read by
//! another, which may parse or lay out the tables differently.

use std::path::{Path, PathBuf};

fn main() {
    println!("cargo:rerun-if-changed=src");
    let mut files = Vec::new();
    collect(Path::new("src"), &mut files);
    files.sort();
    let lock = Path::new("../../Cargo.lock");
    if lock.exists() {
        println!("cargo:rerun-if-changed=../../Cargo.lock");
        files.push(lock.to_path_buf());
    }
    // FNV-1a, twice with different offsets: 128 bits, no dependency.
    let mut h = [0xcbf2_9ce4_8422_2325u64, 0x6c62_272e_07bb_0142u64];
    for f in &files {
        let bytes = std::fs::read(f).expect("readable source file");
        for chunk in [f.to_string_lossy().as_bytes(), &bytes[..]] {
            for &b in chunk {
                for x in h.iter_mut() {
                    *x = (*x ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3);
                }
            }
        }
    }
    println!(
        "cargo:rustc-env=BUILDROOT_CORE_SOURCE_ID={:016x}{:016x}",
        h[0], h[1]
    );
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("readable source directory") {
        let p = e.expect("directory entry").path();
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}
