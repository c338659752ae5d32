//! Decompression by magic bytes (gzip, zstd, xz, bzip2, or none) and
//! checksumming of the bytes read, so a metadata file is verified against
//! repomd.xml while it streams through the parser.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use std::sync::{Arc, Mutex};

use sha2::Digest;

use crate::error::{Error, Result};

/// Compression formats rpm-md files come in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Codec {
    /// Not compressed.
    None,
    /// gzip (`.gz`).
    Gzip,
    /// zstd (`.zst`).
    Zstd,
    /// xz (`.xz`).
    Xz,
    /// bzip2 (`.bz2`).
    Bzip2,
}

impl Codec {
    /// Detects the codec from the first bytes of a file.
    pub fn detect(head: &[u8]) -> Codec {
        if head.starts_with(&[0x1f, 0x8b]) {
            Codec::Gzip
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Codec::Zstd
        } else if head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
            Codec::Xz
        } else if head.starts_with(b"BZh") {
            Codec::Bzip2
        } else {
            Codec::None
        }
    }
}

/// A running digest of one of the algorithms repomd.xml uses.
#[derive(Clone)]
pub enum Hasher {
    Sha256(sha2::Sha256),
    Sha512(sha2::Sha512),
    Sha384(sha2::Sha384),
    Sha224(sha2::Sha224),
    Sha1(sha1::Sha1),
    Md5(md5::Md5),
}

impl Hasher {
    /// A hasher for repomd's `type` attribute (`sha256`, `sha`, `sha1`, `md5`, ...).
    pub fn new(algo: &str) -> Option<Hasher> {
        Some(match algo {
            "sha256" => Hasher::Sha256(Default::default()),
            "sha512" => Hasher::Sha512(Default::default()),
            "sha384" => Hasher::Sha384(Default::default()),
            "sha224" => Hasher::Sha224(Default::default()),
            "sha" | "sha1" => Hasher::Sha1(Default::default()),
            "md5" => Hasher::Md5(Default::default()),
            _ => return None,
        })
    }

    pub fn update(&mut self, data: &[u8]) {
        match self {
            Hasher::Sha256(h) => h.update(data),
            Hasher::Sha512(h) => h.update(data),
            Hasher::Sha384(h) => h.update(data),
            Hasher::Sha224(h) => h.update(data),
            Hasher::Sha1(h) => h.update(data),
            Hasher::Md5(h) => h.update(data),
        }
    }

    pub fn hex(self) -> String {
        match self {
            Hasher::Sha256(h) => hex::encode(h.finalize()),
            Hasher::Sha512(h) => hex::encode(h.finalize()),
            Hasher::Sha384(h) => hex::encode(h.finalize()),
            Hasher::Sha224(h) => hex::encode(h.finalize()),
            Hasher::Sha1(h) => hex::encode(h.finalize()),
            Hasher::Md5(h) => hex::encode(h.finalize()),
        }
    }
}

/// The sha256 of `bytes`, hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let mut h = Hasher::Sha256(Default::default());
    h.update(bytes);
    h.hex()
}

/// The sha256 of a file, hex.
pub fn sha256_file(path: &Path) -> Result<String> {
    file_digest(path, "sha256")
}

/// The digest of a file with the given algorithm, hex.
pub fn file_digest(path: &Path, algo: &str) -> Result<String> {
    let mut h = Hasher::new(algo)
        .ok_or_else(|| Error::format(path.display(), format!("unknown checksum type '{algo}'")))?;
    let mut f = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf).map_err(|e| Error::io(path, e))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(h.hex())
}

/// Reads through to an inner reader and hashes every byte.
struct HashingReader<R> {
    inner: R,
    hasher: Arc<Mutex<Option<Hasher>>>,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(h) = self.hasher.lock().expect("hasher lock").as_mut() {
            h.update(&buf[..n]);
        }
        Ok(n)
    }
}

/// A checksum to verify once the whole file has been read.
#[derive(Clone, Debug)]
pub struct Expected {
    /// The checksum type (`sha256`, ...).
    pub algo: String,
    /// The checksum, lowercase hex.
    pub hex: String,
}

impl Expected {
    /// The checksum of a package record (primary.xml's `<checksum>`), or
    /// None when it is not one of the digests rpm-md uses. The loaded
    /// record keeps only the hex; its length tells the type, as md5, sha1,
    /// sha224, sha256, sha384 and sha512 all differ in length, and the
    /// parser refuses a checksum of another type or length
    /// (`check_package_checksum`).
    pub fn of_package(sum: &str) -> Option<Expected> {
        Some(Expected {
            algo: checksum_type(sum)?.to_string(),
            hex: sum.to_ascii_lowercase(),
        })
    }

    /// The digest of `bytes` when it differs from this one; None when it
    /// matches, or when the type is one we cannot compute (passed over, as
    /// librepo does).
    pub fn mismatch(&self, bytes: &[u8]) -> Option<String> {
        let mut h = Hasher::new(&self.algo)?;
        h.update(bytes);
        let got = h.hex();
        (got != self.hex).then_some(got)
    }
}

/// The digest a hex checksum of this length is, if any rpm-md uses.
pub fn checksum_type(sum: &str) -> Option<&'static str> {
    if !sum.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    match sum.len() {
        32 => Some("md5"),
        40 => Some("sha1"),
        56 => Some("sha224"),
        64 => Some("sha256"),
        96 => Some("sha384"),
        128 => Some("sha512"),
        _ => None,
    }
}

/// The package checksum types of rpm-md, as libsolv knows them (the only
/// ones dnf reads), and the length of their hex.
const PACKAGE_SUM_TYPES: [(&str, usize); 7] = [
    ("md5", 32),
    ("sha", 40),
    ("sha1", 40),
    ("sha224", 56),
    ("sha256", 64),
    ("sha384", 96),
    ("sha512", 128),
];

/// Checks primary.xml's `<checksum type="algo">hex</checksum>` of a
/// package as libsolv's rpm-md reader does, which fails the whole repo
/// (dnf: "Loading primary has failed") on a missing or unknown type
/// (`sha3-256`, say) and on a hex that is not one of its type's length. So
/// every kept hex is of the type its length tells ([`checksum_type`]), and
/// the record need not keep the type.
pub(crate) fn check_package_checksum(
    algo: Option<&str>,
    hex: &str,
) -> std::result::Result<(), String> {
    let Some(algo) = algo.filter(|a| !a.is_empty()) else {
        return Err("package checksum without a type".into());
    };
    // Once per package of every load: the common spelling first, and a
    // hex test without early exit (it vectorizes; `all` does not).
    let len = match algo {
        "sha256" => Some(64),
        _ => PACKAGE_SUM_TYPES
            .iter()
            .find(|(t, _)| t.eq_ignore_ascii_case(algo))
            .map(|&(_, len)| len),
    };
    let is_hex = |h: &str| {
        h.bytes().fold(true, |ok, c| {
            ok & (c.is_ascii_digit() | ((c | 0x20).wrapping_sub(b'a') < 6))
        })
    };
    match len {
        Some(len) if hex.len() == len && is_hex(hex) => Ok(()),
        Some(_) => Err(format!("invalid {algo} package checksum '{hex}'")),
        None => Err(format!("unknown package checksum type '{algo}'")),
    }
}

/// An opened, decompressing metadata file. Call [`MetaFile::finish`] after
/// parsing to drain the rest of the file and verify its checksum.
pub struct MetaFile {
    /// The decompressed content.
    pub reader: Box<dyn BufRead + Send>,
    hasher: Arc<Mutex<Option<Hasher>>>,
    expected: Option<Expected>,
    display: String,
}

impl MetaFile {
    /// Opens `path`, detecting the compression; `expected` is verified by `finish`.
    pub fn open(path: &Path, expected: Option<Expected>) -> Result<MetaFile> {
        let display = path.display().to_string();
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        let hasher = match &expected {
            Some(e) => Some(Hasher::new(&e.algo).ok_or_else(|| {
                Error::format(
                    &display,
                    format!("unknown checksum type '{}' in repomd.xml", e.algo),
                )
            })?),
            None => None,
        };
        let hasher = Arc::new(Mutex::new(hasher));
        let mut raw = BufReader::with_capacity(
            1 << 16,
            HashingReader {
                inner: file,
                hasher: hasher.clone(),
            },
        );
        let head = raw.fill_buf().map_err(|e| Error::io(path, e))?;
        let codec = Codec::detect(head);
        let reader: Box<dyn BufRead + Send> = match codec {
            Codec::None => Box::new(raw),
            Codec::Gzip => Box::new(BufReader::with_capacity(
                1 << 16,
                flate2::bufread::MultiGzDecoder::new(raw),
            )),
            Codec::Zstd => Box::new(BufReader::with_capacity(
                1 << 16,
                zstd::stream::read::Decoder::with_buffer(raw)
                    .map_err(|e| Error::format(&display, format!("zstd: {e}")))?,
            )),
            Codec::Xz => Box::new(BufReader::with_capacity(
                1 << 16,
                liblzma::bufread::XzDecoder::new_multi_decoder(raw),
            )),
            Codec::Bzip2 => Box::new(BufReader::with_capacity(
                1 << 16,
                bzip2::bufread::MultiBzDecoder::new(raw),
            )),
        };
        Ok(MetaFile {
            reader,
            hasher,
            expected,
            display,
        })
    }

    /// Names the file differently in errors (e.g. the URL of a cached copy).
    pub fn set_display(&mut self, display: &str) {
        self.display = display.to_string();
    }

    /// Reads the rest of the file and checks the checksum.
    pub fn finish(mut self) -> Result<()> {
        io::copy(&mut self.reader, &mut io::sink())
            .map_err(|e| Error::format(&self.display, format!("cannot decompress: {e}")))?;
        drop(self.reader);
        if let Some(exp) = self.expected {
            let h = self.hasher.lock().expect("hasher lock").take();
            if let Some(h) = h {
                let actual = h.hex();
                // As written, as librepo compares (`strcmp`): an upper-case
                // checksum fails dnf too (`Error::Checksum` says why).
                if actual != exp.hex {
                    return Err(Error::Checksum {
                        path: self.display,
                        algo: exp.algo,
                        expected: exp.hex,
                        actual,
                    });
                }
            }
        }
        Ok(())
    }
}
