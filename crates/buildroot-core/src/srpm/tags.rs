//! The RPM header tags this crate reads or writes by number, in one place
//! (rpm's `rpmtag.h` names them; the rpm crate's `IndexTag` lacks some and
//! cannot express a tag of the signature header).

// Region tags: an old signature header's trailer may name HEADERIMAGE.
pub(crate) const TAG_HEADERIMAGE: u32 = 61;

// Main header.
pub(crate) const TAG_HEADERIMMUTABLE: u32 = 63;
pub(crate) const TAG_NAME: u32 = 1000;
pub(crate) const TAG_VERSION: u32 = 1001;
pub(crate) const TAG_RELEASE: u32 = 1002;
pub(crate) const TAG_EPOCH: u32 = 1003;
pub(crate) const TAG_SUMMARY: u32 = 1004;
pub(crate) const TAG_DESCRIPTION: u32 = 1005;
pub(crate) const TAG_BUILDTIME: u32 = 1006;
pub(crate) const TAG_BUILDHOST: u32 = 1007;
pub(crate) const TAG_SIZE: u32 = 1009;
pub(crate) const TAG_VENDOR: u32 = 1011;
pub(crate) const TAG_LICENSE: u32 = 1014;
pub(crate) const TAG_PACKAGER: u32 = 1015;
pub(crate) const TAG_GROUP: u32 = 1016;
pub(crate) const TAG_SOURCE: u32 = 1018;
pub(crate) const TAG_PATCH: u32 = 1019;
pub(crate) const TAG_URL: u32 = 1020;
pub(crate) const TAG_ARCH: u32 = 1022;
pub(crate) const TAG_OLDFILENAMES: u32 = 1027;
pub(crate) const TAG_FILESIZES: u32 = 1028;
pub(crate) const TAG_FILEMODES: u32 = 1030;
pub(crate) const TAG_FILEFLAGS: u32 = 1037;
pub(crate) const TAG_SOURCERPM: u32 = 1044;
pub(crate) const TAG_ARCHIVESIZE: u32 = 1046;
pub(crate) const TAG_NOSOURCE: u32 = 1051;
pub(crate) const TAG_NOPATCH: u32 = 1052;
pub(crate) const TAG_EXCLUDEARCH: u32 = 1059;
pub(crate) const TAG_EXCLUSIVEARCH: u32 = 1061;
pub(crate) const TAG_CHANGELOGTIME: u32 = 1080;
pub(crate) const TAG_CHANGELOGNAME: u32 = 1081;
pub(crate) const TAG_CHANGELOGTEXT: u32 = 1082;
pub(crate) const TAG_BUILDARCHS: u32 = 1089;
pub(crate) const TAG_SOURCEPACKAGE: u32 = 1106;
pub(crate) const TAG_DIRINDEXES: u32 = 1116;
pub(crate) const TAG_BASENAMES: u32 = 1117;
pub(crate) const TAG_DIRNAMES: u32 = 1118;
pub(crate) const TAG_LONGFILESIZES: u32 = 5008;
pub(crate) const TAG_LONGSIZE: u32 = 5009;

// Signature header's region tag.
pub(crate) const TAG_HEADERSIGNATURES: u32 = 62;

// Signature header (rpm merges these into the main header as it reads a
// package: what createrepo_c's header lookups then see).
pub(crate) const SIGTAG_LONGARCHIVESIZE: u32 = 271;
pub(crate) const SIGTAG_PAYLOADSIZE: u32 = 1007;

// Dependencies: the name, flags and version arrays of each kind.
pub(crate) const DEPS_PROVIDE: [u32; 3] = [1047, 1112, 1113];
pub(crate) const DEPS_REQUIRE: [u32; 3] = [1049, 1048, 1050];
pub(crate) const DEPS_CONFLICT: [u32; 3] = [1054, 1053, 1055];
pub(crate) const DEPS_OBSOLETE: [u32; 3] = [1090, 1114, 1115];
pub(crate) const DEPS_RECOMMEND: [u32; 3] = [5046, 5048, 5047];
pub(crate) const DEPS_SUGGEST: [u32; 3] = [5049, 5051, 5050];
pub(crate) const DEPS_SUPPLEMENT: [u32; 3] = [5052, 5054, 5053];
pub(crate) const DEPS_ENHANCE: [u32; 3] = [5055, 5057, 5056];
// The weak dependencies of old SUSE and Mandriva packages (`OLDSUGGESTS*`,
// `OLDENHANCES*`): a `STRONG` flag makes them recommends and supplements.
pub(crate) const DEPS_OLDSUGGEST: [u32; 3] = [1156, 1158, 1157];
pub(crate) const DEPS_OLDENHANCE: [u32; 3] = [1159, 1161, 1160];

/// `RPMFILE_GHOST`: listed in the header, not in the payload.
pub(crate) const FILEFLAG_GHOST: u32 = 1 << 6;
