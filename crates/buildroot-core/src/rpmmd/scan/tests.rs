//! Unit tests of the tokenizer (`scan.rs`, `scan/attrs.rs`, `scan/find.rs`).

use super::find::{find_stop_bytes, name_end, name_end_bytes, simple_tag_end_bytes};
use super::*;

fn toks(xml: &str) -> Result<Vec<String>> {
    let mut s = Scanner::new(xml.as_bytes(), "t", 0, &[])?;
    let mut out = Vec::new();
    loop {
        let t = s.next()?;
        out.push(match t {
            Tok::Start { name, attrs, empty } => {
                let mut a = Vec::new();
                s.attrs(attrs, |k, v| a.push(format!("{k}={v}")))?;
                format!("<{name} {}{}>", a.join(" "), if empty { "/" } else { "" })
            }
            Tok::End => "</>".into(),
            Tok::Text { raw, cdata: false } => s.unescape(raw)?.into_owned(),
            Tok::Text { raw, cdata: true } => format!("[{raw}]"),
            Tok::Eof => break,
        });
    }
    Ok(out)
}

#[test]
fn tokens_entities_and_skipped_parts() {
    let t = toks(
        "<?xml version=\"1.0\"?><!-- c --><!DOCTYPE x><a x='1 &gt; 0' rpm:y=\"&#65;&#x42;\">\
         t&amp;u<![CDATA[<raw>&amp;]]><b/><c k = \"v>w\" ></c></a>",
    )
    .unwrap();
    assert_eq!(
        t,
        vec![
            "<a x=1 > 0 y=AB>",
            "t&u",
            "[<raw>&amp;]",
            "<b />",
            "<c k=v>w>",
            "</>",
            "</>"
        ]
    );
}

#[test]
fn gt_inside_quoted_values_does_not_end_the_tag() {
    let t =
        toks("<a k=\"it's>\" j='\">'/><b x=\"1\" y='>'></b><c p=\"a\"\tq:r=\"b\">z</c>").unwrap();
    assert_eq!(
        t,
        vec![
            "<a k=it's> j=\">/>",
            "<b x=1 y=>>",
            "</>",
            "<c p=a r=b>",
            "z",
            "</>"
        ]
    );
}

#[test]
fn malformed_input_is_an_error_with_offset() {
    for (xml, want) in [
        (
            "<a><b></a>",
            "malformed XML at byte 6: expected </b>, found </a>",
        ),
        ("<a></a></a>", "unexpected </a>"),
        ("<a x=1/>", "bad attribute"),
        ("<a x=\"1/>", "unclosed start tag"),
        ("<a>&nope;</a>", "unknown entity &nope;"),
        ("<a>&#0;</a>", "unknown entity"),
        ("<a>& b</a>", "unterminated entity"),
        ("<a><!-- x", "unclosed comment"),
        ("<>", "bad element name"),
    ] {
        let e = toks(xml).unwrap_err().to_string();
        assert!(e.contains(want), "{xml}: {e}");
    }
    let e = toks("<a>\u{e9}</a>").unwrap();
    assert_eq!(e[1], "\u{e9}");
    let e = match Scanner::new(b"<a>\xff</a>", "t", 10, &[]) {
        Err(e) => e.to_string(),
        Ok(_) => panic!("invalid UTF-8 accepted"),
    };
    assert_eq!(e, "t: malformed XML at byte 13: invalid UTF-8");
}

#[test]
fn simple_tag_end_finds_the_first_gt_when_no_quote_is_open() {
    // The vector path and the byte path agree, at every offset of tags
    // longer and shorter than a vector, '>' before and after the 16th
    // byte, quotes in the block of the '>' and in earlier ones.
    let cases: &[&[u8]] = &[
        b"<a>",
        b"<rpm:entry name=\"libc.so.6(GLIBC_2.2.5)(64bit)\" flags=\"GE\"/>tail",
        b"<e name=\"a>b\"/>",
        b"<e name='a'/>",
        b"<e name=\"abcdefghijklmnopqrstuvwxyz\" x=\"1\">",
        b"<e name=\"abcdefghijklmnopqrstuvwxyz>\" x=\"1\">",
        b"<e name=\"abcdefghijklmnopqrstuvwxyz\" x='1'>",
        b"<e a=\"1\" b=\"2\" c=\"3\" d=\"4\" e=\"5\" f=\"6\" g=\"7\"\">",
        b"<unclosed a=\"1\"",
        b"<e>\"'",
    ];
    for xml in cases {
        for from in 0..xml.len() {
            assert_eq!(
                simple_tag_end(xml, from),
                simple_tag_end_bytes(xml, from, false),
                "{} from {from}",
                String::from_utf8_lossy(xml)
            );
        }
    }
    let entry = b"<rpm:entry name=\"libc.so.6(GLIBC_2.2.5)(64bit)\" flags=\"GE\"/>t";
    assert_eq!(simple_tag_end(entry, 1), Some(entry.len() - 2));
    assert_eq!(simple_tag_end(b"<e n=\"a>b\"/>", 1), None);
    assert_eq!(simple_tag_end(b"<e n='a'/>", 1), None);
}

#[test]
fn text_end_finds_the_next_lt_and_what_needs_decoding() {
    // The vector path and memchr agree at every offset: '<' before and
    // after the 16th byte, '&' and '\r' in its block and in earlier ones.
    let cases: &[&[u8]] = &[
        b"0ad</name>",
        b"6c867a6d85ccf4905a54af2b7e4c0b5ed00ce110dda68b6815f466e02b726eeb</checksum>",
        b"Tom &amp; Jerry, a summary longer than one vector</summary>",
        b"a line\r\nand another one, still without markup</d>",
        b"no markup at all in these bytes, however many",
        b"</end>",
        b"",
    ];
    for xml in cases {
        for from in 0..=xml.len() {
            assert_eq!(
                text_end(xml, from),
                find_stop_bytes(xml, from, b'<', [b'&', b'\r', b'&', b'\r'], true),
                "{} from {from}",
                String::from_utf8_lossy(xml)
            );
        }
    }
    assert_eq!(text_end(b"0123456789abcdef0123&<", 0), Some((21, false)));
    assert_eq!(text_end(b"0123456789abcdef0123<&", 0), Some((20, true)));
}

#[test]
fn attribute_values_end_inside_the_attributes_given() {
    let xml = "<a x=\"12345678901234567890\" y=\"a&amp;b\" z=\"c\td\"/>";
    let s = Scanner::new(xml.as_bytes(), "t", 0, &[]).unwrap();
    let mut got = Vec::new();
    s.attrs(&xml[2..xml.len() - 2], |k, v| got.push(format!("{k}={v}")))
        .unwrap();
    assert_eq!(got, ["x=12345678901234567890", "y=a&b", "z=c d"]);
    // The text goes on past these attributes, closing quote and all:
    // the value is still unclosed within them.
    let e = s.attrs(&xml[2..10], |_, _| {}).unwrap_err().to_string();
    assert!(e.contains("bad attribute"), "{e}");
    // Attributes from elsewhere than the scanned text read the same.
    let mut other = Vec::new();
    s.attrs(" k='v&lt;' j=\"w\"", |k, v| other.push(format!("{k}={v}")))
        .unwrap();
    assert_eq!(other, ["k=v<", "j=w"]);
}

#[test]
fn leaf_is_the_token_path_or_nothing() {
    let xml = "<p>\n <file>/a b</file><file type=\"dir\">/d</file>\n<file>x&amp;y</file>\
               <file/><file a='1'>q</file><filex>r</filex><file>s<i/></file><file>/t</file ></p>";
    let mut s = Scanner::new(xml.as_bytes(), "t", 0, &[]).unwrap();
    assert!(matches!(s.next().unwrap(), Tok::Start { name: "p", .. }));
    assert_eq!(s.leaf("file"), Some(("", "/a b")));
    assert_eq!(s.leaf("file"), Some((" type=\"dir\"", "/d")));
    // An entity, an empty element, a single quote, another name, markup
    // inside, a space in the end tag: the token path reads them.
    for _ in 0..6 {
        let at = s.pos;
        assert_eq!(s.leaf("file"), None);
        assert_eq!(s.pos, at);
        match s.next_tag().unwrap() {
            Tok::Start { empty: false, .. } => s.skip().unwrap(),
            Tok::Start { empty: true, .. } => {}
            t => panic!("{t:?}"),
        }
    }
    assert_eq!(s.leaf("file"), None);
    assert_eq!(s.next_tag().unwrap(), Tok::End);
}

#[test]
fn text_and_skip_follow_nesting() {
    let mut s = Scanner::new(b"<a>x<b>y</b>z</a><c><d/><e>f</e></c>", "t", 0, &[]).unwrap();
    assert!(matches!(s.next().unwrap(), Tok::Start { name: "a", .. }));
    let mut t = String::new();
    s.text_into(&mut t).unwrap();
    assert_eq!(t, "xz");
    assert!(matches!(s.next().unwrap(), Tok::Start { name: "c", .. }));
    s.skip().unwrap();
    assert_eq!(s.next().unwrap(), Tok::Eof);
    // A fragment may close elements opened before it.
    let mut s = Scanner::new(b"</metadata>", "t", 0, &["metadata"]).unwrap();
    assert_eq!(s.next().unwrap(), Tok::End);
}

#[test]
fn name_end_is_the_byte_loop() {
    // The vector path and the byte loop agree for every start and end:
    // names shorter and longer than a vector, every kind of whitespace
    // ending them, the characters no name may hold before and after that
    // end, and ends before, at and after the 16th byte.
    let cases: &[&[u8]] = &[
        b"rpm:entry name=\"a\"/>0123456789abcdef",
        b"rpm:supplements>0123456789abcdef",
        b"a\tb\nc\x0cd\re f<g=h\"i'j&k",
        b"a<b=c\"d'e&f ghijklmnopqrstuvwxyz",
        b"averyveryverylongelementname x=\"1\"",
        b"x",
        b"",
    ];
    for xml in cases {
        for from in 0..=xml.len() {
            for end in from..=xml.len() {
                assert_eq!(
                    name_end(xml, from, end),
                    name_end_bytes(xml, from, end),
                    "{} from {from} to {end}",
                    String::from_utf8_lossy(xml)
                );
            }
        }
    }
    assert_eq!(
        name_end(b"<rpm:entry name=\"x\"/>0123456789", 1, 20),
        (10, false)
    );
    assert_eq!(name_end(b"<a=b c/>0123456789abcdef", 1, 6), (4, true));
}

#[test]
fn end_tags_read_the_same_on_both_paths() {
    // `</b>` for the open `b` takes the short path; a space before '>',
    // another name, a longer or shorter name with the same start, or no
    // '>' take the search, with the same answers and messages as before.
    let t = toks("<a><b>x</b ><bc>y</bc><b>z</b></a  >").unwrap();
    assert_eq!(
        t,
        ["<a >", "<b >", "x", "</>", "<bc >", "y", "</>", "<b >", "z", "</>", "</>"]
    );
    for (xml, want) in [
        (
            "<a><bc></b></a>",
            "malformed XML at byte 7: expected </bc>, found </b>",
        ),
        (
            "<a><b></bc></a>",
            "malformed XML at byte 6: expected </b>, found </bc>",
        ),
        ("<a><b></b", "malformed XML at byte 6: unclosed end tag"),
        ("<a></a></a>", "malformed XML at byte 7: unexpected </a>"),
    ] {
        let e = toks(xml).unwrap_err().to_string();
        assert!(e.contains(want), "{xml}: {e}");
    }
}

#[test]
fn end_tags_of_names_ending_in_whitespace_are_refused_as_before() {
    // A start tag's name ends at ASCII whitespace only (`u8::is_ascii_whitespace`,
    // which leaves out VT), while the end tag's name is trimmed of every
    // Unicode whitespace: `<a\x0b>` opens "a\x0b" and `</a\x0b>` reads as
    // `</a>`, a mismatch. The in-place compare of `</open>` must not accept
    // what the search and trim refuse.
    for (xml, want) in [
        (
            "<r><a\x0b><b/></a\x0b></r>",
            // Messages are one line: control characters come escaped.
            "malformed XML at byte 11: expected </a\\u{b}>, found </a>",
        ),
        (
            "<r><a\u{a0}><b/></a\u{a0}></r>",
            "malformed XML at byte 12: expected </a\u{a0}>, found </a>",
        ),
        (
            "<r><a\u{85}><b/></a\u{85}></r>",
            "malformed XML at byte 12: expected </a\\u{85}>, found </a>",
        ),
    ] {
        let e = toks(xml).unwrap_err().to_string();
        assert!(e.contains(want), "{xml:?}: {e}");
    }
    // A fragment's open elements are compared the same way.
    let mut s = Scanner::new(b"</a\xc2\xa0>", "t", 0, &["a\u{a0}"]).unwrap();
    let e = s.next().unwrap_err().to_string();
    assert!(e.contains("expected </a\u{a0}>, found </a>"), "{e}");
    // Whitespace inside the end tag, after a plain name, is still trimmed.
    assert_eq!(
        toks("<a><b></b\u{a0}></a\x0b>").unwrap(),
        ["<a >", "<b >", "</>", "</>"]
    );
}
