#!/usr/bin/python3
"""Whole YAML documents read by PyYAML's safe_load (content-resolver's
loader): the oracle of crates/buildroot-core/tests/yaml_pyyaml.rs.

Reads JSON on stdin: {"texts": [TEXT, ...]} to read those documents, or
{"seed": S, "count": N, "edges": true} to make N random documents at the
edges of the reader (`edge_doc` below: NEL, LS, PS and lone CRs for line
breaks, anchor and alias names PyYAML ends early, characters PyYAML's
reader refuses, a BOM where a token starts), or
{"seed": S, "count": N, "known_gaps": false} to make N random documents of content-resolver's
config shapes first (the generator below: block maps and lists, indentless
lists, comments after values and on their own lines, blank lines with
blanks, block scalars with every chomping and indentation indicator,
plain scalars over several lines, single- and double-quoted text with
escapes and line folding, flow lists and maps, anchors, aliases and merge
keys, document markers, CRLF line ends, and package names as configs
write them). Writes JSON on stdout, one answer per document:
{"text": TEXT, "value": V}, V the value in JSON: null, text as a string,
{"bool": B}, {"int": "DIGITS"}, {"float": repr()}, {"time": str()},
{"bytes": [BYTE, ...]}, a list, {"tuple": [...]}, and {"map": [[K, V],
...]} with the entries as the Python dict holds them (a repeated key keeps
its first place and its last value); or
{"text": TEXT, "error": "ExceptionName"} when safe_load raises;
{"text": TEXT, "recursive": true} when the value holds itself (an alias
inside its own anchor's node), which PyYAML builds and JSON cannot write.

Run with Debian's /usr/bin/python3 (python3-yaml).
"""

import json
import random
import sys

import yaml

NAMES = ["bash", "python3-*", "glibc-langpack-en", "perl(Foo::Bar)", "rubygem(bson)",
         "@core", "kernel-core", "x86_64", "yes", "on", "No", "null", "~", "010", "1e3", "1.0",
         "0x1f", "1:20", "2024-01-01", "a#b", "a %{b}", "c++", "foo: bar", "a -b", "-a", "?x",
         ":x", "a:b", "!x", "&x", "*x", "%x", "@x", "`x", "|x", ">x", "'q'", "a 'b'", "\"q\"",
         "[x]", "{x}", "a,b", "a]b", "é", "a\\b", "-", "--", "---x", "...x", "a  b"]
QUOTED = ["a\\nb", "a\\tb", "\\x41", "\\u00e9", "\\U0001F600", "\\N", "\\_", "\\L", "\\P",
          "\\e", "\\0", "\\a", "\\ ", "\\/", "\\\"", "a\\\n  b", "", "#x", "a: b", "a #b", "'"]


# Tabs (PyYAML refuses one between tokens or in a plain scalar, reads one
# inside quotes, comments and block scalars' text), a comment right after
# a quoted scalar or a flow collection (`"a"# c`, which PyYAML reads), block
# scalars whose indentation a header (`|2`) or a leading blank line with
# more blanks than the text gives, with a less indented comment line under
# them, and anchor names of characters PyYAML refuses (`&a.b`). Each is
# made now and then, so most documents still load.
TAB = "\t"
TIGHT = "#c"
INDENTED_HEADS = [">2", "|1-", "|-2", ">4", "|2+"]
ANCHORS = ["b", "c", "d", "e-1", "f_2", "g"]

# Shapes where we knowingly differ (docs/compose-view.md), made only when
# asked ("known_gaps": true). (An anchor name ended by `:` or `?` without a
# blank, `&a:b`, was one: read as PyYAML reads it since.)
KNOWN_GAP_ANCHORS = []
# (A BOM past the text's first character where a token starts, `- \ufeff`,
# was one: read as text, as PyYAML reads it, since; `bom` below makes it.)
KNOWN_GAP_CONTROLS = []


def tab(r, otherwise):
    """A tab one time in 50, else `otherwise`."""
    return TAB if r.random() < 0.02 else otherwise


def gen_doc(r):
    """One random document of a content-resolver config's shape."""
    lines = []
    ind = r.choice([2, 2, 2, 4, 1, 3])
    if r.random() < 0.5:
        lines.append("---")
    if r.random() < 0.3:
        lines.append("# " + r.choice(["comment", "a: b", "- x", "'", "é"]))
    lines.append("document: feedback-pipeline-workload")
    lines.append("version: " + r.choice(["1", "2", "'1'", "1.0"]))
    lines.append("data:")
    pad = " " * ind
    keys = ["name", "description", "maintainer", "packages", "labels", "options",
            "arch_packages", "repositories", "exclude", "priority", "x y", "'q k'",
            "\"dq\"", "? k", "1", "yes", "~"]
    for _ in range(r.randrange(1, 7)):
        k = r.choice(keys)
        kind = r.random()
        if k == "? k":
            lines.append(pad + "? k")
            lines.append(pad + ": v")
            continue
        if kind < 0.3:
            lines += block_list(r, pad, k)
        elif kind < 0.55:
            lines += scalar_entry(r, pad, k)
        elif kind < 0.7:
            lines += block_scalar(r, pad, k)
        elif kind < 0.8:
            lines.append(pad + k + ": " + flow(r, 0) + comment(r, True))
        elif kind < 0.9:
            lines += nested_map(r, pad, ind, k)
        else:
            lines += anchors(r, pad, ind, k)
        if r.random() < 0.2:
            lines.append(r.choice(["", "  ", pad + "# c", "#", " " + tab(r, "")]))
    if r.random() < 0.1:
        lines.append(r.choice(["...", "---", "--- # x", "... # x"]))
    text = "\n".join(lines) + r.choice(["\n", "\n", "\n", "", "\n\n"])
    if r.random() < 0.04:
        text = text.replace("\n", "\r\n")
    if r.random() < 0.02:
        text = "\ufeff" + text
    return text


def comment(r, tight=False):
    """A comment after a value, or none; `tight`: the value ends in a quote
    or a bracket, so the comment may follow it without a blank."""
    c = r.choice(["", "", "", " # c", "  #c d", " #", " # \tin a comment"])
    if c and r.random() < 0.03:
        c = TAB + c.lstrip()
    if tight and r.random() < 0.1:
        return TIGHT + r.choice(["", " d", "\t", "'", "\""])
    return c


def plain(r):
    return r.choice(NAMES)


def scalar(r):
    c = r.random()
    if c < 0.55:
        return plain(r)
    if c < 0.75:
        return "'" + r.choice(NAMES + ["it''s", "a\n  b", ""]).replace("'", "''") + "'"
    if r.random() < 0.05:
        return "\"a" + TAB + "b\n" + TAB + "c\""
    return "\"" + r.choice(QUOTED + NAMES).replace("\"", "\\\"") + "\""


def block_list(r, pad, k):
    out = [pad + k + ":" + comment(r)]
    ip = pad + r.choice(["", "  ", "", " "])
    for _ in range(r.randrange(0, 5)):
        s = scalar(r)
        out.append(ip + "-" + tab(r, r.choice([" ", " ", "  "])) + s
                   + comment(r, s.endswith(("'", "\""))))
        if r.random() < 0.07:
            out.append(ip + "  " + r.choice(["more", "# c", "x: y"]))
        if r.random() < 0.05:
            out.append(r.choice(["", ip + "# c", "#c"]))
    if r.random() < 0.05:
        out.append(ip + "-")
    return out


def scalar_entry(r, pad, k):
    v = scalar(r)
    out = [pad + k + ":" + tab(r, r.choice([" ", " ", "  "])) + v
           + comment(r, v.endswith(("'", "\"")))]
    if r.random() < 0.2 and not v.startswith(("'", "\"")):
        out.append(pad + r.choice(["  ", "    ", " "]) + r.choice(["second line", "x: y", "- z", "# c", "'q'"]))
        if r.random() < 0.3:
            out.append("")
            out.append(pad + "  third")
    return out


def block_scalar(r, pad, k):
    head = r.choice([">", "|", ">-", "|-", ">+", "|+"] * 2 + INDENTED_HEADS)
    out = [pad + k + ": " + head + tab(r, "") + comment(r)]
    sub = pad + r.choice(["  ", "  ", "    ", " "])
    if r.random() < 0.15:
        # A leading blank line with more blanks than the text's.
        out.append(sub + r.choice(["  ", " "]))
    for _ in range(r.randrange(0, 5)):
        out.append(r.choice([sub + r.choice(["text here", "more: text", "# not a comment", "- item"]),
                             sub + "  indented more", "", sub.rstrip(), sub + " ", sub + "\ttab",
                             sub + "x\ty", sub[:-1] + "# less indented"]))
    return out


def flow(r, depth):
    c = r.random()
    if c < 0.5 or depth > 1:
        items = [r.choice(NAMES[:20] + ["'q'", "\"d\"", "a b", ""]) for _ in range(r.randrange(0, 4))]
        sep = r.choice([", ", ",", " , "])
        body = sep.join(items)
        if r.random() < 0.2:
            body += ","
        if r.random() < 0.2 and depth == 0:
            body += sep + flow(r, depth + 1)
        return "[" + body + "]"
    items = [r.choice(["a", "b", "'c'", "yes", "1"]) + r.choice([": ", ":", ": "]) + r.choice(NAMES[:12])
             for _ in range(r.randrange(0, 3))]
    return "{" + ", ".join(items) + "}"


def nested_map(r, pad, ind, k):
    out = [pad + k + ":" + comment(r)]
    sub = pad + " " * ind
    for _ in range(r.randrange(1, 4)):
        kk = r.choice(["x86_64", "aarch64", "ppc64le", "s390x", "baseurl", "priority", "limit_arches"])
        if r.random() < 0.5:
            out.append(sub + kk + ": " + scalar(r) + comment(r))
        else:
            out += block_list(r, sub, kk)
    return out


def anchors(r, pad, ind, k):
    a = r.choice(ANCHORS)
    out = [pad + "base: &" + a + r.choice([" ", "\n" + pad + "  "]) + r.choice(["[a, b]", "{x: 1}", "text"])]
    out = "\n".join(out).split("\n")
    out.append(pad + k + ": *" + a + comment(r))
    if r.random() < 0.05:
        out.append(pad + "odd: &" + r.choice(["a.b", "é", "a#c", "a/b"]) + " x")
    if r.random() < 0.5:
        out.append(pad + "m: &m" + a)
        out.append(pad + "  x: 1")
        out.append(pad + "n:")
        out.append(pad + "  <<: *m" + a)
        out.append(pad + "  y: 2")
    return out


# The edges (`"edges": true`): YAML 1.1's line breaks YAML 1.2 dropped (NEL,
# LS, PS), a lone CR; anchor and alias names that PyYAML's `scan_anchor`
# ends before `:`, `?`, `%`, `@` or a backquote and reads on from there,
# in block and flow context; characters PyYAML's reader refuses anywhere
# (C0 and C1 controls, DEL, U+FFFE), and NBSP, which it reads.
BREAKS = ["\x85", "\u2028", "\u2029", "\r", "\r\x85", "\x85\n", "\u2028\n", "\r\n"]
ODD_ANCHORS = ["&a:b", "&a:", "&a?", "&a?b", "&a%", "&a@", "&a`", "&a:b:c", "&a-1:x", "&:b",
               "*a:b", "*a?", "&a,", "&a]"]
CONTROLS = ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x7f", "\x80", "\x84",
            "\x86", "\x9f", "\xa0", "\ufffe", "\ufffd", "\U0001F600"]
EDGE_SHAPES = ["a: {a}\n", "- {a}\n", "a: [{a}]\n", "a: {{k: {a}}}\n", "a: [x, {a} 1]\n",
               "{{{a}: 1}}\n", "a: {a} 1\nb: *a\n", "{a}\n  x: 1\n", "a:\n  {a}\n  - 1\n",
               "a: &a 1\nb: {a}\n", "? {a}\n: v\n", "a: {a}\n  b\n"]


# Scalars over several lines, for the line breaks put in them.
SCALAR_SHAPES = ["a: x y\n  z\n\n  w \nb: 1\n", "a: 'x y\n  z \n\n w'\n", "- x\n  y\n-  'z\n\n  w'\n",
                 "a: |\n  x\n\n   y\n  z\nb: 1\n", "a: |+\n  x\n\n\nb: 1\n", "a: |-\n  x\n  y\n",
                 "a: >\n  x\n  y\n\n  z\n", "a: \"x\n  y\\\n  z\"\n", "a: |2\n    x\n   y\n",
                 "a: |\n\n  x\n", "a: [x\n  y, 'z\n  w']\n", "? x\n  y\n: z\n",
                 # Double-quoted: escapes, an escaped break, blanks around
                 # breaks, empty lines; folded blocks: lines more indented,
                 # empty lines, every chomping, an indentation indicator, a
                 # comment and a tag before the header.
                 "a: \"x \\t\n\n  y \\\n\n z\\ \n w\"\n", "- \"\\x41\n  \\\"b\\\\\n\n\"\n",
                 "a: [\"x\n y\", \"z\\\n\n  w\"]\n", "a: >\n  x\n    y\n  z\n\n\n  w\nb: 1\n",
                 "a: >+\n  x\n\n  y\n\n\nb: 1\n", "a: >-\n  x\n   y\n  z\n", "- >2\n   x\n  y\n\n  z\n",
                 "a: !!str >1 # c\n  x\n\n  y\n", "a:\n  - >\n    x\n    y\n"]


def edge_doc(r):
    """A document of content-resolver's shape (or a short one of an odd
    anchor's context, or of scalars over several lines) with edges put in:
    some line breaks made NEL, LS, PS or a lone CR, now and then an odd
    anchor name or a refused character."""
    if r.random() < 0.25:
        text = r.choice(SCALAR_SHAPES)
    elif r.random() < 0.3:
        text = r.choice(EDGE_SHAPES).format(a=r.choice(ODD_ANCHORS))
    else:
        text = gen_doc(r)
    if r.random() < 0.25:
        lines = text.split("\n")
        i = r.randrange(len(lines))
        name = r.choice(ODD_ANCHORS)
        lines[i] = lines[i].replace(": ", ": " + name + r.choice([" ", "", "\n  "]), 1)
        text = "\n".join(lines)
    if r.random() < 0.7:
        chars = list(text)
        places = [i for i, c in enumerate(chars) if c == "\n"]
        for i in r.sample(places, min(len(places), r.choice([1, 1, 1, 2]))):
            chars[i] = r.choice(BREAKS)
        text = "".join(chars)
    if r.random() < 0.05:
        i = r.randrange(len(text) + 1)
        text = text[:i] + r.choice(CONTROLS) + text[i:]
    if r.random() < 0.1:
        text = bom(r, text)
    return text


# Where a token starts: after a line break and its indentation, an
# indicator and its blank, a flow collection's `[`, `{` or `,`.
TOKEN_STARTS = ["\n", "\n  ", ": ", "- ", "? ", "[", "{", ", ", "\n- "]


def bom(r, text):
    """The text with a BOM (U+FEFF), which PyYAML skips only as the first
    character, put where a token starts (or anywhere, or a second one at
    the start)."""
    places = [i + len(s) for s in TOKEN_STARTS for i in range(len(text))
              if text.startswith(s, i)]
    if not places or r.random() < 0.15:
        places = [0, 0, r.randrange(len(text) + 1)]
    i = r.choice(places)
    if i == 0 and r.random() < 0.5:
        text = "\ufeff" + text
    return text[:i] + "\ufeff" + text[i:]


def canon(v):
    """The value in the JSON form the test compares."""
    if v is None or isinstance(v, str):
        return v
    if isinstance(v, bool):
        return {"bool": v}
    if isinstance(v, int):
        return {"int": str(v)}
    if isinstance(v, float):
        return {"float": repr(v)}
    if isinstance(v, bytes):
        return {"bytes": list(v)}
    if isinstance(v, list):
        return [canon(x) for x in v]
    if isinstance(v, tuple):
        return {"tuple": [canon(x) for x in v]}
    if isinstance(v, dict):
        return {"map": [[canon(k), canon(x)] for k, x in v.items()]}
    if isinstance(v, set):
        return {"set": sorted(repr(x) for x in v)}
    return {"time": str(v)}


def read(text):
    try:
        value = yaml.safe_load(text)
    except Exception as e:  # noqa: BLE001 - any refusal is data here
        return {"text": text, "error": type(e).__name__}
    try:
        return {"text": text, "value": canon(value)}
    except RecursionError:
        # A node that holds itself through an alias (`&a [*a]`): PyYAML
        # builds it, JSON cannot say it; one such document must not fail
        # the whole batch.
        return {"text": text, "recursive": True}


def main():
    req = json.load(sys.stdin)
    if "texts" in req:
        texts = req["texts"]
    else:
        if req.get("known_gaps"):
            ANCHORS.extend(KNOWN_GAP_ANCHORS)
            CONTROLS.extend(KNOWN_GAP_CONTROLS)
        r = random.Random(req["seed"])
        make = edge_doc if req.get("edges") else gen_doc
        texts = [make(r) for _ in range(req["count"])]
    json.dump([read(t) for t in texts], sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
