//! How a repo's HTTP requests are made: dnf's per-repo network options of
//! `.repo` files, which libdnf hands to librepo for every download of that
//! repo (its metalink or mirrorlist, its metadata from any of its mirrors,
//! its packages). Each repo carries its own [`RepoAccess`] (in its
//! [`super::RepoSpec`], then in [`super::HttpSettings`] for each download),
//! so two repos of one file can be reached differently.
//!
//! - `username`/`password`: HTTP basic authentication on each request, as
//!   libdnf sets curl's user and password when `username` is not empty.
//!   Like curl, a redirect keeps it only to the same host and scheme.

use base64::Engine as _;

/// The network options of one repo (see the module docs).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct RepoAccess {
    /// `username=`: basic authentication when not empty.
    pub username: String,
    /// `password=`: with `username`.
    pub password: String,
}

/// Passwords stay out of debug output (a repo's `Debug` keys the pool
/// cache and may be printed).
impl std::fmt::Debug for RepoAccess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("RepoAccess");
        if !self.username.is_empty() {
            d.field("username", &self.username);
        }
        d.finish_non_exhaustive()
    }
}

impl RepoAccess {
    /// Takes a `.repo` line's `key=value` when the key is one of these
    /// options (`None` when it is not); an error is the problem with the
    /// value, for the caller to place.
    pub(super) fn set(&mut self, key: &str, value: &str) -> Option<Result<(), String>> {
        match key {
            "username" => self.username = value.to_string(),
            "password" => self.password = value.to_string(),
            _ => return None,
        }
        Some(Ok(()))
    }

    /// The `Authorization` header of each request, if the repo has a user.
    pub(super) fn authorization(&self) -> Option<String> {
        if self.username.is_empty() {
            return None;
        }
        let pair = format!("{}:{}", self.username, self.password);
        Some(format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(pair)
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_authorization_only_with_a_user() {
        let mut a = RepoAccess::default();
        assert_eq!(a.authorization(), None);
        a.set("password", "secret").unwrap().unwrap();
        assert_eq!(a.authorization(), None);
        a.set("username", "Aladdin").unwrap().unwrap();
        a.set("password", "open sesame").unwrap().unwrap();
        // RFC 7617's example.
        assert_eq!(
            a.authorization().as_deref(),
            Some("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==")
        );
        assert!(a.set("gpgcheck", "1").is_none());
        let shown = format!("{a:?}");
        assert!(
            shown.contains("Aladdin") && !shown.contains("sesame"),
            "{shown}"
        );
    }
}
