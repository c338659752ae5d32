//! A scalar typed as PyYAML's `safe_load` types it (YAML 1.1: its
//! `Resolver`'s implicit patterns and `SafeConstructor`'s builders): what
//! content-resolver's configs hold after loading. The YAML parser's own
//! typing (YAML 1.2, with some 1.1 options) differs in many corners:
//! `1e3` and `09` are text to PyYAML, `1:20` is 80, `.nan` a float,
//! `2024-01-01` a date, `!!bool yes` true. `testdata/yaml/pyyaml-scalars.json`
//! holds PyYAML's answers for these (written by `scripts/yaml11-oracle.py`).

use super::yaml::Value;

/// A YAML 1.1 timestamp as PyYAML builds it: a `datetime.date`, or a
/// `datetime.datetime` with its fraction cut to microseconds and, when the
/// text gave one, its UTC offset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Timestamp {
    /// The year (1 to 9999).
    pub year: u32,
    /// The month (1 to 12).
    pub month: u32,
    /// The day of the month.
    pub day: u32,
    /// Hour, minute, second, microsecond; None for a date.
    pub time: Option<(u32, u32, u32, u32)>,
    /// The UTC offset in minutes, when the text has one.
    pub offset: Option<i32>,
}

impl Timestamp {
    /// Python's `str()`: `2024-01-01`, `2024-01-01 10:00:00.500000+01:00`.
    pub fn py_str(&self) -> String {
        let mut s = format!("{:04}-{:02}-{:02}", self.year, self.month, self.day);
        if let Some((h, m, sec, us)) = self.time {
            s += &format!(" {h:02}:{m:02}:{sec:02}");
            if us != 0 {
                s += &format!(".{us:06}");
            }
            if let Some(off) = self.offset {
                let sign = if off < 0 { '-' } else { '+' };
                s += &format!("{sign}{:02}:{:02}", off.abs() / 60, off.abs() % 60);
            }
        }
        s
    }

    /// The instant a date and time with a UTC offset names, in
    /// microseconds since 1970-01-01 UTC; none without an offset (a date,
    /// or a naive date and time, names no instant).
    pub fn utc_micros(&self) -> Option<i128> {
        let ((h, mi, s, us), offset) = (self.time?, self.offset?);
        // Days since 1970-01-01 of the proleptic Gregorian date (Howard
        // Hinnant's days_from_civil).
        let (y, m) = (i128::from(self.year), i128::from(self.month));
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + i128::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        let days = era * 146_097 + doe - 719_468;
        let minutes = days * 1440 + i128::from(h) * 60 + i128::from(mi) - i128::from(offset);
        Some((minutes * 60 + i128::from(s)) * 1_000_000 + i128::from(us))
    }

    /// Python's `repr()`: `datetime.date(2024, 1, 1)`,
    /// `datetime.datetime(2024, 1, 1, 10, 0, tzinfo=datetime.timezone.utc)`.
    pub fn py_repr(&self) -> String {
        let (y, mo, d) = (self.year, self.month, self.day);
        let Some((h, mi, s, us)) = self.time else {
            return format!("datetime.date({y}, {mo}, {d})");
        };
        let mut r = format!("datetime.datetime({y}, {mo}, {d}, {h}, {mi}");
        if us != 0 {
            r += &format!(", {s}, {us}");
        } else if s != 0 {
            r += &format!(", {s}");
        }
        match self.offset {
            None => {}
            Some(0) => r += ", tzinfo=datetime.timezone.utc",
            Some(off) => {
                let secs = off * 60;
                let delta = if secs < 0 {
                    format!("days=-1, seconds={}", 86400 + secs)
                } else {
                    format!("seconds={secs}")
                };
                r += &format!(", tzinfo=datetime.timezone(datetime.timedelta({delta}))");
            }
        }
        r + ")"
    }
}

/// The types a tag of `tag:yaml.org,2002:` gives a scalar, as safe_load
/// builds them.
const SCALAR_TAGS: [&str; 7] = ["bool", "int", "float", "null", "timestamp", "str", "binary"];

/// Whether `tag` (the suffix of a `tag:yaml.org,2002:` tag) is one this
/// module builds scalars for.
pub fn is_scalar_tag(tag: &str) -> bool {
    SCALAR_TAGS.contains(&tag)
}

/// The value of a scalar: `text` as parsed, `plain` when it was not quoted
/// nor a block, `tag` the suffix of its `tag:yaml.org,2002:` tag (or `!`
/// for the non-specific tag, which PyYAML resolves as it resolves a plain
/// scalar, quoted or not: `! '123'` is 123), `key` when it is a map's key. An error is
/// what PyYAML raises (a date that does not exist, `!!bool maybe`, `!!int
/// x`, a plain `=` or `<<` that is not a key).
pub fn resolve(text: &str, plain: bool, tag: Option<&str>, key: bool) -> Result<Value, String> {
    let kind = match tag {
        Some("!") => implicit(text),
        Some(t) => t,
        None if plain => implicit(text),
        None => "str",
    };
    let bad = |what: &str| format!("{text:?} is not {what} (PyYAML refuses it)");
    Ok(match kind {
        // YAML 1.1's `=` (a "default value" key) and `<<` (a merge key):
        // PyYAML takes `=` as text when it is a key and has no constructor
        // for either anywhere else.
        "value" if key => Value::Str(text.to_string()),
        "value" | "merge" => {
            return Err(format!(
                "a plain {text} is YAML 1.1's {kind} tag, which PyYAML's safe_load cannot build"
            ))
        }
        "null" => Value::Null,
        "bool" => match text.to_ascii_lowercase().as_str() {
            "yes" | "true" | "on" => Value::Bool(true),
            "no" | "false" | "off" => Value::Bool(false),
            _ => return Err(bad("a YAML 1.1 boolean")),
        },
        "int" => int(text).ok_or_else(|| bad("an integer"))?,
        "float" => Value::Float(float(text).ok_or_else(|| bad("a number"))?),
        "timestamp" => Value::Time(timestamp(text).ok_or_else(|| bad("a date"))?),
        "binary" => Value::Bytes(base64(text).ok_or_else(|| bad("base64 data"))?),
        _ => Value::Str(text.to_string()),
    })
}

/// The bytes of `!!binary` text as PyYAML decodes it (Python's lenient
/// `base64.decodebytes`): ASCII only; characters outside the alphabet
/// skipped; a quad's padding ends the data (what follows is ignored), and
/// `=` before a quad's third character is skipped; data that stops inside
/// a quad without its padding is refused.
fn base64(text: &str) -> Option<Vec<u8>> {
    if !text.is_ascii() {
        return None;
    }
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let (mut out, mut quad, mut pads, mut bits) = (Vec::new(), 0, 0, 0u32);
    for c in text.bytes() {
        if c == b'=' {
            if quad >= 2 {
                pads += 1;
                if quad + pads >= 4 {
                    return Some(out);
                }
            }
            continue;
        }
        let Some(v) = value(c) else { continue };
        pads = 0;
        bits = bits << 6 | u32::from(v);
        quad += 1;
        if quad > 1 {
            // Each character after a quad's first completes one byte.
            out.push((bits >> (2 * (4 - quad))) as u8);
            bits &= (1 << (2 * (4 - quad))) - 1;
        }
        quad %= 4;
    }
    (quad == 0).then_some(out)
}

/// The tag PyYAML's resolver gives a plain scalar (YAML 1.1's patterns, in
/// its order: bool, float, int, null, timestamp, then `=` and `<<`).
fn implicit(s: &str) -> &'static str {
    const BOOLS: [&str; 18] = [
        "yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE",
        "on", "On", "ON", "off", "Off", "OFF",
    ];
    if BOOLS.contains(&s) {
        "bool"
    } else if is_float(s) {
        "float"
    } else if is_int(s) {
        "int"
    } else if matches!(s, "" | "~" | "null" | "Null" | "NULL") {
        "null"
    } else if timestamp_parts(s, false).is_some() {
        "timestamp"
    } else if s == "=" {
        "value"
    } else if s == "<<" {
        "merge"
    } else {
        "str"
    }
}

/// `s` without a leading `+` or `-`, and whether it was `-`.
fn unsign(s: &str) -> (&str, bool) {
    match s.as_bytes().first() {
        Some(b'-') => (&s[1..], true),
        Some(b'+') => (&s[1..], false),
        _ => (s, false),
    }
}

fn all(s: &str, f: impl Fn(u8) -> bool) -> bool {
    s.bytes().all(f)
}

fn digit_(b: u8) -> bool {
    b.is_ascii_digit() || b == b'_'
}

/// `(?::[0-5]?[0-9])+` after the first part: each later part one or two
/// digits, the first of two at most 5.
fn sexagesimal_tail(parts: &[&str]) -> bool {
    !parts.is_empty()
        && parts.iter().all(|p| match p.as_bytes() {
            [d] => d.is_ascii_digit(),
            [a, b] => (b'0'..=b'5').contains(a) && b.is_ascii_digit(),
            _ => false,
        })
}

/// `[1-9][0-9_]*`.
fn first_part(p: &str) -> bool {
    p.as_bytes()
        .first()
        .is_some_and(|b| (b'1'..=b'9').contains(b))
        && all(p, digit_)
}

/// `[eE][-+][0-9]+` (YAML 1.1 needs the sign).
fn exponent(e: &str) -> bool {
    let b = e.as_bytes();
    b.len() >= 3
        && matches!(b[0], b'e' | b'E')
        && matches!(b[1], b'+' | b'-')
        && all(&e[2..], |c| c.is_ascii_digit())
}

/// PyYAML's float pattern.
fn is_float(s: &str) -> bool {
    if matches!(s, ".nan" | ".NaN" | ".NAN") {
        return true;
    }
    let (u, _) = unsign(s);
    if matches!(u, ".inf" | ".Inf" | ".INF") {
        return true;
    }
    // `.[0-9][0-9_]*(exp)?`, no sign: `._` is text.
    if let Some(rest) = s.strip_prefix('.') {
        let end = rest.find(['e', 'E']).unwrap_or(rest.len());
        return rest.as_bytes().first().is_some_and(u8::is_ascii_digit)
            && all(&rest[..end], digit_)
            && (end == rest.len() || exponent(&rest[end..]));
    }
    let Some((whole, frac)) = u.split_once('.') else {
        return false;
    };
    // `[0-9][0-9_]*(:[0-5]?[0-9])+.[0-9_]*`: sexagesimal.
    if whole.contains(':') {
        let parts: Vec<&str> = whole.split(':').collect();
        return first_part(parts[0]) && sexagesimal_tail(&parts[1..]) && all(frac, digit_);
    }
    // `[0-9][0-9_]*.[0-9_]*(exp)?`
    let end = frac.find(['e', 'E']).unwrap_or(frac.len());
    whole.as_bytes().first().is_some_and(u8::is_ascii_digit)
        && all(whole, digit_)
        && all(&frac[..end], digit_)
        && (end == frac.len() || exponent(&frac[end..]))
}

/// PyYAML's int pattern.
fn is_int(s: &str) -> bool {
    let (u, _) = unsign(s);
    if let Some(b) = u.strip_prefix("0b") {
        return !b.is_empty() && all(b, |c| matches!(c, b'0' | b'1' | b'_'));
    }
    if let Some(x) = u.strip_prefix("0x") {
        return !x.is_empty() && all(x, |c| c.is_ascii_hexdigit() || c == b'_');
    }
    if u == "0" {
        return true;
    }
    if let Some(o) = u.strip_prefix('0') {
        return all(o, |c| (b'0'..=b'7').contains(&c) || c == b'_');
    }
    let parts: Vec<&str> = u.split(':').collect();
    first_part(parts[0]) && (parts.len() == 1 || sexagesimal_tail(&parts[1..]))
}

/// PyYAML's `construct_yaml_int`.
fn int(text: &str) -> Option<Value> {
    let t = text.replace('_', "");
    let (u, neg) = unsign(&t);
    let magnitude: i128 = if u == "0" {
        0
    } else if let Some(b) = u.strip_prefix("0b") {
        i128::from_str_radix(b.trim(), 2).ok()?
    } else if let Some(x) = u.strip_prefix("0x") {
        i128::from_str_radix(x.trim(), 16).ok()?
    } else if let Some(o) = u.strip_prefix('0') {
        // Python's int(value, 8) also takes a `0o` prefix (and blanks
        // after the digits, the `0` being first).
        let o = o.trim_end();
        i128::from_str_radix(o.strip_prefix(['o', 'O']).unwrap_or(o), 8).ok()?
    } else if u.contains(':') {
        u.split(':').try_fold(0i128, |n, p| {
            Some(n.checked_mul(60)? + p.trim().parse::<i128>().ok()?)
        })?
    } else {
        // Python's int() takes blanks around the number (`!!int ' 12'`).
        u.trim().parse().ok()?
    };
    Some(Value::Int(if neg { -magnitude } else { magnitude }))
}

/// PyYAML's `construct_yaml_float`.
fn float(text: &str) -> Option<f64> {
    let t = text.replace('_', "").to_ascii_lowercase();
    let (u, neg) = unsign(&t);
    let sign = if neg { -1.0 } else { 1.0 };
    let magnitude = match u {
        ".inf" => f64::INFINITY,
        ".nan" => return Some(f64::NAN),
        u if u.contains(':') => u
            .split(':')
            .try_fold(0f64, |n, p| Some(n * 60.0 + p.trim().parse::<f64>().ok()?))?,
        // Python's float() takes `1e3`, `1.`, `.5`, `inf`, `nan`, and
        // blanks around the number.
        u => u.trim().parse::<f64>().ok()?,
    };
    Some(sign * magnitude)
}

/// The fields of PyYAML's timestamp pattern: year, month, day, and the
/// time's text when there is one. The resolver's pattern wants a date
/// alone written with two-digit month and day; the constructor's, which
/// reads an explicit `!!timestamp`, does not (`lenient`).
fn timestamp_parts(s: &str, lenient: bool) -> Option<(&str, &str, &str, Option<&str>)> {
    let b = s.as_bytes();
    let digits =
        |x: &str, lens: &[usize]| lens.contains(&x.len()) && all(x, |c| c.is_ascii_digit());
    // Bytes first: `&s[..4]` would cut a character in `202é-01-01`.
    if b.len() < 8 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return None;
    }
    let rest = &s[5..];
    let (month, rest) = rest.split_once('-')?;
    let date_end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    let (day, time) = rest.split_at(date_end);
    if time.is_empty() {
        // A date alone needs two-digit month and day.
        let lens: &[usize] = if lenient { &[1, 2] } else { &[2] };
        return (digits(month, lens) && digits(day, lens)).then_some((&s[..4], month, day, None));
    }
    if !digits(month, &[1, 2]) || !digits(day, &[1, 2]) {
        return None;
    }
    let time = time.strip_prefix(['T', 't']).or_else(|| {
        let t = time.trim_start_matches([' ', '\t']);
        (t.len() < time.len()).then_some(t)
    })?;
    time_fields(time)?;
    Some((&s[..4], month, day, Some(time)))
}

/// `H[H]:MM:SS[.fraction][blanks][Z | ±H[H][:MM]]`: hour, minute, second,
/// microseconds, offset in minutes.
fn time_fields(t: &str) -> Option<(u32, u32, u32, u32, Option<i32>)> {
    let num = |x: &str| x.parse::<u32>().ok();
    let (h, rest) = t.split_once(':')?;
    if !(1..=2).contains(&h.len()) || !all(h, |c| c.is_ascii_digit()) {
        return None;
    }
    let (m, rest) = (rest.get(..2)?, rest.get(2..)?);
    let rest = rest.strip_prefix(':')?;
    let (sec, rest) = (rest.get(..2)?, rest.get(2..)?);
    if !all(m, |c| c.is_ascii_digit()) || !all(sec, |c| c.is_ascii_digit()) {
        return None;
    }
    let (frac, rest) = match rest.strip_prefix('.') {
        Some(r) => {
            let end = r.find(|c: char| !c.is_ascii_digit()).unwrap_or(r.len());
            (&r[..end], &r[end..])
        }
        None => ("", rest),
    };
    let zone = rest.trim_start_matches([' ', '\t']);
    let offset = match zone {
        "" => None,
        "Z" => Some(0),
        z => {
            let (zu, neg) = unsign(z);
            if zu.len() == z.len() {
                return None;
            }
            let (zh, zm) = zu.split_once(':').unwrap_or((zu, "00"));
            let ok = (1..=2).contains(&zh.len())
                && zm.len() == 2
                && all(zh, |c| c.is_ascii_digit())
                && all(zm, |c| c.is_ascii_digit());
            if !ok {
                return None;
            }
            let minutes = (num(zh)? * 60 + num(zm)?) as i32;
            Some(if neg { -minutes } else { minutes })
        }
    };
    // The fraction's first six digits, padded: microseconds.
    let us = format!("{:0<6}", &frac[..frac.len().min(6)]);
    Some((num(h)?, num(m)?, num(sec)?, num(&us)?, offset))
}

/// PyYAML's `construct_yaml_timestamp`; None where its pattern does not
/// match or Python's `datetime` refuses the fields (February 30th, hour 25).
fn timestamp(s: &str) -> Option<Timestamp> {
    let (y, mo, d, time) = timestamp_parts(s, true)?;
    let (year, month, day) = (y.parse().ok()?, mo.parse().ok()?, d.parse().ok()?);
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if year == 0 || day == 0 || day > days {
        return None;
    }
    let (time, offset) = match time {
        None => (None, None),
        Some(t) => {
            let (h, m, sec, us, off) = time_fields(t)?;
            if h > 23 || m > 59 || sec > 59 {
                return None;
            }
            // Python's timezone takes offsets under a day.
            if off.is_some_and(|o| o.abs() >= 24 * 60) {
                return None;
            }
            (Some((h, m, sec, us)), off)
        }
    };
    Some(Timestamp {
        year,
        month,
        day,
        time,
        offset,
    })
}
