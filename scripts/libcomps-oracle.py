#!/usr/bin/python3
"""Ask libcomps (python3-libcomps, what dnf 4 reads comps with) how it reads
and merges comps documents, and dnf's `group_by_pattern` what it finds in
them: the oracle of crates/buildroot-core/tests/comps_libcomps.rs.

Reads JSON on stdin: a list of cases, each a list of comps XML texts (one
per repo, in repo order); or {"seed": S, "count": N} to make N random cases
of Fedora's comps shapes first (the generator below). For each case the
documents are parsed and joined with libcomps' union (`a += b`, from an
empty Comps), as dnf's `Base.read_comps` joins its repos' comps. Writes JSON on stdout, one answer
per case: {"texts": [TEXT, ...], "groups": GROUPS, "patterns": {PATTERN:
[ID, ...]}} where GROUPS are sorted by id (null first): [{"id" (or null),
"name" (untranslated, or null), "display_order" (or null), "packages":
[[name (or null), type, requires, basearchonly], ...]}], type one of
mandatory, default, optional, conditional or unknown, basearchonly a
boolean; "patterns" gives, for some patterns, the ids of the groups dnf's
`Comps.group_by_pattern` may answer (those it finds with the lowest display
order: it picks one of them by a set's order), left out when a group has
no id (dnf's glob match then raises). Or {"texts": [...], "error":
"ParserError"} when libcomps refuses a document (dnf then reads none of
that repo's groups).

{"seed": S, "count": N, "edges": true} makes N cases at the edges of the
XML instead (`edge_case` below: entities, character references, CDATA,
declared encodings, a BOM, attributes written oddly, elements nested where
libcomps does not look), each read in a child process of its own, so that
a document libcomps crashes on (a segmentation fault) answers {"texts":
[...], "error": "crash"}.

{"seed": S, "count": N, "encodings": true} makes N documents' bytes in
other encodings (`encoded_case` below), or {"hex": [HEX, ...]} takes those
bytes, each read from a file by `fromxml_f` (as dnf reads it) in a child
process: {"hex": HEX, "groups": ..., "patterns": ...} or {"hex": HEX,
"error": ...}.

Run with Debian's /usr/bin/python3 (python3-libcomps, python3-dnf).
"""

import json
import random
import sys

import libcomps

try:
    import dnf.comps
except ImportError:  # the patterns are then not asked
    dnf = None

TYPES = {
    libcomps.PACKAGE_TYPE_MANDATORY: "mandatory",
    libcomps.PACKAGE_TYPE_DEFAULT: "default",
    libcomps.PACKAGE_TYPE_OPTIONAL: "optional",
    libcomps.PACKAGE_TYPE_CONDITIONAL: "conditional",
    libcomps.PACKAGE_TYPE_UNKNOWN: "unknown",
}

HEADS = [
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<!DOCTYPE comps PUBLIC "-//Red Hat, Inc.//DTD Comps info//EN" "comps.dtd">\n',
    '<?xml version="1.0" encoding="UTF-8"?>\n',
    "",
]
# Group ids and names as Fedora writes them, and the odd ones: blanks around
# the text (which libcomps keeps), entities, a CDATA section, a comment.
IDS = ["core", "core", "base-x", "fonts", "web-server", "c-development", "kde-desktop",
       " core", "core\n  ", "a&amp;b", "&#99;ore", "<![CDATA[fonts]]>", "co<!-- x -->re", "Core"]
NAMES = ["Core", "Fonts", "Web Server", "Base X", "C Development Tools and Libraries",
         "KDE", "core", "  Core  ", "R&amp;D", "\u00c9dition", "<![CDATA[Web]]> Server"]
PACKAGES = ["bash", "glibc", "gtk3-lang", "font-a", "httpd", "kernel", "NetworkManager",
            "vim-enhanced", "dnf", "gcc"]
PACKAGE_TEXTS = ["{}"] * 12 + [" {} ", "\n        {}\n      ", "&#98;ash", "<![CDATA[{}]]>",
                                 "{}<!-- c -->", "{}&amp;x"]
TYPES_WRITTEN = [None, None, "mandatory", "default", "default", "optional", "conditional",
                 "Mandatory", "bogus", "", " default", "DEFAULT"]
BASEARCHONLY = [None] * 8 + ["true", "false", "True", "1", " true", "yes"]
ARCHES = [None] * 6 + ["x86_64", "aarch64,ppc64le", "s390x"]
DISPLAY_ORDERS = ["10", "5", "1024", "99", "-3", " 7 ", "5x", "x", "+8", "010",
                  "2147483648", "99999999999999999999", "1.5", "\n 12\n"]
LANGS = ["de", "ja", "pt_BR", "zh_CN"]


def text(r, choices):
    return r.choice(choices)


def packagereq(r):
    attrs = []
    kind = r.choice(TYPES_WRITTEN)
    if kind is not None:
        attrs.append('type="%s"' % kind)
    if kind == "conditional" or r.random() < 0.05:
        attrs.append('requires="%s"' % r.choice(["gtk3", "kernel", "", "bash"]))
    b = r.choice(BASEARCHONLY)
    if b is not None:
        attrs.append('basearchonly="%s"' % b)
    a = r.choice(ARCHES)
    if a is not None:
        attrs.append('arch="%s"' % a)
    r.shuffle(attrs)
    head = "<packagereq" + "".join(" " + x for x in attrs)
    if r.random() < 0.02:
        return head + "/>"
    return head + ">" + r.choice(PACKAGE_TEXTS).format(r.choice(PACKAGES)) + "</packagereq>"


def group(r):
    parts = []
    n_ids = r.choices([0, 1, 2], [1, 30, 2])[0]
    parts += ["<id>%s</id>" % r.choice(IDS) for _ in range(n_ids)]
    for _ in range(r.choices([0, 1, 2], [2, 20, 1])[0]):
        parts.append("<name>%s</name>" % r.choice(NAMES))
    for _ in range(r.randrange(0, 3)):
        lang = r.choice(['xml:lang="%s"', 'xml:lang="%s"', 'xml:lang="%s"', 'lang="%s"'])
        parts.append("<name %s>%s</name>" % (lang % r.choice(LANGS), r.choice(NAMES)))
    if r.random() < 0.8:
        parts.append("<description>Some %s</description>" % r.choice(["text", "&lt;b&gt;"]))
        parts.append('<description xml:lang="de">Etwas</description>')
    for flag in ["default", "uservisible"]:
        if r.random() < 0.6:
            parts.append("<%s>%s</%s>" % (flag, r.choice(["true", "false", "True", "x"]), flag))
    for _ in range(r.choices([0, 1, 2], [5, 10, 1])[0]):
        parts.append("<display_order>%s</display_order>" % r.choice(DISPLAY_ORDERS))
    if r.random() < 0.1:
        parts.append("<langonly>%s</langonly>" % r.choice(LANGS))
    if r.random() < 0.1:
        parts.append("<biarchonly>true</biarchonly>")
    if r.random() < 0.1:
        r.shuffle(parts)
    for _ in range(r.choices([0, 1, 2], [2, 12, 1])[0]):
        reqs = [packagereq(r) for _ in range(r.randrange(0, 7))]
        if r.random() < 0.05:
            reqs.append("<!-- a comment -->")
        parts.append("<packagelist>\n      " + "\n      ".join(reqs) + "\n    </packagelist>")
    return "  <group>\n    " + "\n    ".join(parts) + "\n  </group>"


def category(r):
    ids = "".join("<groupid>%s</groupid>" % r.choice(IDS[:7]) for _ in range(r.randrange(0, 4)))
    return ("  <category><id>%s</id><name>C</name><name xml:lang=\"de\">K</name>"
            "<display_order>%d</display_order><grouplist>%s</grouplist></category>"
            % (r.choice(["c", "desktops"]), r.randrange(1, 99), ids))


def environment(r):
    ids = "".join("<groupid>%s</groupid>" % r.choice(IDS[:7]) for _ in range(r.randrange(0, 4)))
    opts = "".join('<groupid default="%s">%s</groupid>' % (r.choice(["true", "false"]),
                                                           r.choice(IDS[:7]))
                   for _ in range(r.randrange(0, 3)))
    return ("  <environment><id>%s</id><name>E</name><display_order>5</display_order>"
            "<grouplist>%s</grouplist><optionlist>%s</optionlist></environment>"
            % (r.choice(["server-product-environment", "core"]), ids, opts))


def langpacks():
    return ('  <langpacks>\n    <match install="glibc-langpack-%s" name="glibc"/>\n'
            '    <match install="hunspell-%s" name="hunspell"/>\n  </langpacks>')


def doc(r):
    items = [group(r) for _ in range(r.randrange(0, 5))]
    if r.random() < 0.3:
        items.append(category(r))
    if r.random() < 0.3:
        items.append(environment(r))
    if r.random() < 0.2:
        items.append(langpacks())
    if r.random() < 0.2:
        r.shuffle(items)
    return r.choice(HEADS) + "<comps>\n" + "\n".join(items) + "\n</comps>\n"


# XML libcomps refuses (expat's "Fatal parser error"): dnf then reads none
# of that repo's groups.
BROKEN = [
    lambda d: d.replace("</comps>", "</comps>\n<comps/>"),
    lambda d: d.replace("</comps>", "</comps>\ntrailing"),
    lambda d: d.replace("</group>", "</grou>", 1),
    # (With a DOCTYPE naming an external DTD, expat skips an entity no DTD
    # declares, where we refuse it: a difference kept, never made here.)
    lambda d: d.replace("<comps>", "<comps>&nosuch;", 1).replace(HEADS[0], HEADS[1]),
    lambda d: d.replace("</comps>", '<group a="1" a="2"></group></comps>', 1),
    # (Cut before its root starts, or with two attributes of a name on its
    # root, libcomps crashes.)
    lambda d: d[:d.index("<comps>") + 7 + (len(d) - d.index("<comps>") - 7) // 2],
]


# The edges: text pieces in a <packagereq>, <id> or <name>; XML declarations
# and what comes before them; attributes of a <packagereq>; elements in odd
# places.
EDGE_TEXTS = ["a&amp;b", "&lt;x&gt;", "&#98;ash", "&#x62;ash", "a&#0;b", "a&#1;b", "a&#x9;b",
              "a&#xA;b", "a&#xD;b", "a&#xFFFE;b", "a&#xD800;b", "a&#x1F600;b", "a&#99999999;b",
              "a&#;b", "a&#x;b", "a&#32;", "&#32;a", "a\x01b", "a\x7fb", "a\x85b", "a\u2028b",
              "a\ufeffb", "<![CDATA[a]]b]]>", "<![CDATA[\n  bash\n]]>", "<![CDATA[]]>",
              "<![CDATA[a]]><![CDATA[b]]>", "a<![CDATA[ ]]>b", "a<!-- c -->b", "a<?pi x?>b",
              "a<!-- x -- y -->b", "a<b>x</b>c", "<b>x</b>", "a<b/>c", "a<b>x</b>", "&ent;", "a&ent;",
              "&ent;b", "&nosuch;", "a&quot;b&apos;", "]]>", "a>b", "a\rb", "a\r\nb", "\t a \t"]
EDGE_HEADS = ['<?xml version="1.0" encoding="UTF-8"?>\n', '<?xml version="1.0" encoding="utf-8"?>\n',
              '<?xml version="1.0" encoding="ISO-8859-1"?>\n', '<?xml version="1.0" encoding="US-ASCII"?>\n',
              '<?xml version="1.0" encoding="UTF-16"?>\n', '<?xml version="1.0" encoding="bogus"?>\n',
              '<?xml version="1.1"?>\n', '<?xml version="1.0" standalone="yes"?>\n',
              '<?xml version=\'1.0\' encoding=\'UTF-8\'?>\n', '\ufeff<?xml version="1.0"?>\n', "\ufeff",
              '<?xml version="1.0"?>\n<!DOCTYPE comps [<!ENTITY ent "ity">]>\n',
              '<?xml version="1.0"?>\n<!DOCTYPE comps [<!ENTITY ent "<b>x</b>">]>\n',
              '<?xml version="1.0"?>\n<!DOCTYPE comps [<!ENTITY ent "&#38;#60;">]>\n',
              '<?xml version="1.0"?>\n<!DOCTYPE comps PUBLIC "-//Red Hat, Inc.//DTD Comps info//EN" "comps.dtd">\n',
              '<?xml version="1.0"?>\n<!-- c -->\n<?pi x?>\n', "\n"]
EDGE_ATTRS = ['type = "default"', "type='optional'", 'type="optional"\n\t', '\n type="default"',
              'type="optional\n"', 'type=" optional"', 'type="opt&#105;onal"', 'type="&#x9;default"',
              'type="optional" type="default"', 'type=optional', 'type', 'type="a<b"', 'type="a&b"',
              'requires="x" type="conditional"', 'basearchonly="tru&#101;"', 'xml:lang="de"',
              'foo:type="optional"', 'type="default"/', 'TYPE="optional"']


def edge_case(r):
    """A case of one or two documents with an edge put into one of them."""
    items = []
    for _ in range(r.randrange(1, 4)):
        reqs = []
        for _ in range(r.randrange(1, 5)):
            attrs = " " + r.choice(EDGE_ATTRS) if r.random() < 0.12 else ""
            text = r.choice(EDGE_TEXTS) if r.random() < 0.12 else r.choice(PACKAGES)
            if r.random() < 0.1:
                reqs.append("<foo>" + "<packagereq>%s</packagereq>" % text + "</foo>")
            else:
                reqs.append("<packagereq%s>%s</packagereq>" % (attrs, text))
        gid = r.choice(EDGE_TEXTS) if r.random() < 0.1 else r.choice(IDS[:7])
        name = r.choice(EDGE_TEXTS) if r.random() < 0.2 else r.choice(NAMES[:6])
        parts = ["<id>%s</id>" % gid, "<name>%s</name>" % name]
        if r.random() < 0.1:
            parts.insert(0, r.choice(["<foo><id>x</id></foo>", "<foo/>", "<x:id xmlns:x='u'>y</x:id>",
                                      "<packagelist><foo/></packagelist>"]))
        parts.append("<packagelist>" + "".join(reqs) + "</packagelist>")
        group = "<group>" + "".join(parts) + "</group>"
        if r.random() < 0.05:
            group = "<foo>" + group + "</foo>"
        items.append(group)
    root = r.choice(["<comps>", "<comps>", "<comps>", '<comps xmlns="http://x/">', "<comps >",
                     "<comps\n>"])
    text = r.choice(EDGE_HEADS) + root + "\n".join(items) + "</comps>\n"
    if r.random() < 0.05:
        text = text.replace("\n", "\r\n")
    docs = [text]
    if r.random() < 0.2:
        docs.append(doc(r))
    return docs


def crash_safe(texts, ask=None):
    """`ask(texts)` (`answer` by default) from a child process: "crash"
    when libcomps kills it."""
    import os
    rd, wr = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(rd)
        with os.fdopen(wr, "w") as out:
            json.dump((ask or answer)(texts), out)
        os._exit(0)
    os.close(wr)
    with os.fdopen(rd) as inp:
        data = inp.read()
    _, status = os.waitpid(pid, 0)
    if status != 0 or not data:
        return {"texts": texts, "error": "crash"}
    return json.loads(data)


# The encodings (`"encodings": true`): a document's bytes in UTF-8, UTF-16
# or UTF-32 (either byte order), Latin-1 or windows-1252, with its own byte
# order mark, none, or another's; its XML declaration naming its encoding,
# another, or none; now and then a byte cut off its end or added. Read from
# a file by `fromxml_f`, as dnf reads a repo's comps (libcomps makes its
# expat parser for UTF-8 and hands it the bytes; expat tells UTF-16 from
# the first bytes).
CODECS = ["utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be", "latin-1", "cp1252"]
BOMS = {"utf-8": b"\xef\xbb\xbf", "utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff",
        "utf-32-le": b"\xff\xfe\x00\x00", "utf-32-be": b"\x00\x00\xfe\xff"}
LABELS = ["UTF-8", "utf-8", "UTF-16", "UTF-16LE", "UTF-32", "ISO-8859-1", "windows-1252",
          "US-ASCII", "bogus"]


def encoded_case(r):
    """One document's bytes, as the comment above says, at most 1,024 of
    them but in UTF-32 (refused anyway): `fromxml_f` hands expat a file
    1,024 bytes at a time, and text cut at such a boundary is the one
    difference kept (docs/formats.md section 8), which this does not ask."""
    for _ in range(100):
        data = encoded_doc(r)
        if len(data) <= 1024 or data.startswith((b"\x00\x00", b"\xff\xfe\x00\x00")):
            return data.hex()
    return encoded_doc(r)[:1024].hex()


def encoded_doc(r):
    items = [group(r) for _ in range(r.randrange(0, 3))]
    text = r.choice(HEADS[1:]) + "<comps>\n" + "\n".join(items) + "\n</comps>\n"
    text = text.replace('<?xml version="1.0" encoding="UTF-8"?>\n', "")
    if r.random() < 0.6:
        text = text.replace("<name>", "<name>caf\u00e9 \u00fc ", 1)
    if r.random() < 0.7:
        label = r.choice(LABELS)
        text = '<?xml version="1.0" encoding="%s"?>\n' % label + text
    codec = r.choice(CODECS)
    data = text.encode(codec, errors="replace")
    mark = r.random()
    if mark < 0.4 and codec in BOMS:
        data = BOMS[codec] + data
    elif mark < 0.55:
        data = r.choice(list(BOMS.values())) + data
    if r.random() < 0.08:
        data = data[:-1]
    elif r.random() < 0.05:
        data = data + r.choice([b"\x00", b"\xff", b"\n"])
    return data


def answer_file(hexed):
    """libcomps' reading of the bytes `hexed` from a file (`fromxml_f`)."""
    import tempfile
    with tempfile.NamedTemporaryFile(suffix=".xml") as f:
        f.write(bytes.fromhex(hexed))
        f.flush()
        try:
            comps = libcomps.Comps()
            comps.fromxml_f(f.name)
        except libcomps.ParserError:
            return {"hex": hexed, "error": "ParserError"}
    joined = libcomps.Comps()
    joined += comps
    found = groups(joined)
    return {"hex": hexed, "groups": found, "patterns": patterns(joined, found)}


def gen_case(r):
    docs = [doc(r) for _ in range(r.choices([1, 2, 3], [4, 4, 2])[0])]
    if r.random() < 0.03:
        i = r.randrange(len(docs))
        docs[i] = r.choice(BROKEN)(docs[i])
    return docs


def union(texts):
    """dnf's `Comps._add_from_xml_filename` for each repo's document: an
    empty Comps joined with each in turn (so groups of one id within a
    document are joined too)."""
    joined = libcomps.Comps()
    for text in texts:
        comps = libcomps.Comps()
        comps.fromxml_str(text)
        joined += comps
    return joined


def groups(comps):
    out = []
    for g in comps.groups:
        out.append({
            "id": g.id,
            "name": g.name,
            "display_order": g.display_order,
            "packages": [[p.name, TYPES[p.type], p.requires or None, bool(p.basearchonly)]
                         for p in g.packages],
        })
    return sorted(out, key=lambda g: (g["id"] is not None, g["id"] or ""))


def patterns(comps, found):
    """dnf's group_by_pattern for each group's id and name and a few
    globs: the ids it may answer, sorted (empty when none)."""
    if dnf is None or any(g["id"] is None for g in found):
        return None
    d = dnf.comps.Comps()
    d._i = comps
    asked = {g["id"] for g in found} | {g["name"] for g in found if g["name"]}
    asked |= {"*", "c*", "CORE", "*server*", "?ore", "[cb]*", "Web Server", "web*"}
    out = {}
    for p in sorted(asked):
        grps = d.groups_by_pattern(p)
        if grps:
            best = grps[0].display_order
            grps = [g for g in grps if g.display_order == best]
        out[p] = sorted(g.id for g in grps)
    return out


def answer(texts):
    try:
        comps = union(texts)
    except libcomps.ParserError:
        return {"texts": texts, "error": "ParserError"}
    found = groups(comps)
    return {"texts": texts, "groups": found, "patterns": patterns(comps, found)}


def main():
    req = json.load(sys.stdin)
    if isinstance(req, dict) and (req.get("encodings") or "hex" in req):
        if "hex" in req:
            cases = req["hex"]
        else:
            r = random.Random(req["seed"])
            cases = [encoded_case(r) for _ in range(req["count"])]
        json.dump([crash_safe(c, answer_file) for c in cases], sys.stdout)
        sys.stdout.write("\n")
        return
    if isinstance(req, dict) and req.get("edges"):
        r = random.Random(req["seed"])
        cases = [edge_case(r) for _ in range(req["count"])]
        json.dump([crash_safe(texts) for texts in cases], sys.stdout)
        sys.stdout.write("\n")
        return
    if isinstance(req, dict):
        r = random.Random(req["seed"])
        cases = [gen_case(r) for _ in range(req["count"])]
    else:
        cases = req
    json.dump([answer(texts) for texts in cases], sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
