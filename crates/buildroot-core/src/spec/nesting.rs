//! The open `%{`, `%(` and `%[` groups of a line, counted as rpm counts
//! them in its three line joiners: `rdcl` (a macro file's definitions,
//! `rpmio/macro.c`), `copyNextLineFromOFI` (a spec's lines,
//! `build/parseSpec.c`) and `doDefine` (a `%define`'s body, `macro.c`).
//! A group opens only with its `%`; inside one, a bare bracket of its kind
//! nests and its closer closes, so `%{a{b}}` is one group and `{` outside
//! any group counts nothing. `%%` is skipped whole. Backslashes are each
//! caller's own business: the three treat them differently.

/// How many groups of each kind are open.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Nesting {
    /// `%{`.
    pub braces: u32,
    /// `%(`.
    pub parens: u32,
    /// `%[`.
    pub brackets: u32,
}

impl Nesting {
    /// Counts the byte at `b[i]` (never a backslash, which the caller has
    /// handled) and returns where the next one starts: `%` and the opener
    /// (or a second `%`) after it are taken together.
    pub(super) fn scan(&mut self, b: &[u8], i: usize) -> usize {
        let bump = |n: &mut u32| *n += 1;
        match b[i] {
            b'%' => match b.get(i + 1) {
                Some(b'{') => bump(&mut self.braces),
                Some(b'(') => bump(&mut self.parens),
                Some(b'[') => bump(&mut self.brackets),
                Some(b'%') => {}
                _ => return i + 1,
            },
            b'{' if self.braces > 0 => self.braces += 1,
            b'}' if self.braces > 0 => self.braces -= 1,
            b'(' if self.parens > 0 => self.parens += 1,
            b')' if self.parens > 0 => self.parens -= 1,
            b'[' if self.brackets > 0 => self.brackets += 1,
            b']' if self.brackets > 0 => self.brackets -= 1,
            _ => {}
        }
        i + if b[i] == b'%' { 2 } else { 1 }
    }

    /// Whether any group is open.
    pub(super) fn is_open(&self) -> bool {
        self.braces > 0 || self.parens > 0 || self.brackets > 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn after(text: &str) -> Nesting {
        let (b, mut n, mut i) = (text.as_bytes(), Nesting::default(), 0);
        while i < b.len() {
            i = n.scan(b, i);
        }
        n
    }

    #[test]
    fn groups_open_with_their_percent_and_nest_inside() {
        assert_eq!(after("%{a{b}").braces, 1);
        assert!(!after("%{a{b}}").is_open());
        assert!(
            !after("{ ( [ } ) ]").is_open(),
            "bare brackets outside a group"
        );
        assert!(!after("%%{").is_open(), "%% is one literal percent");
        let n = after("%(echo %[1 + (2");
        assert_eq!(
            (n.braces, n.parens, n.brackets),
            (0, 2, 1),
            "a bare ( nests in %("
        );
        assert!(!after("100%").is_open());
    }
}
