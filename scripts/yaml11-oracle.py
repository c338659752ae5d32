#!/usr/bin/python3
"""What PyYAML's safe_load (content-resolver's loader: YAML 1.1 resolution)
gives for plain and tagged scalars, as test data for our YAML reader.

Writes testdata/yaml/pyyaml-scalars.json: one entry per scalar, the value of
`a:` in the document `a: SCALAR`, with the type PyYAML made (Python's type
name), what content-resolver's `str()` gives, and the `repr()` a value has
inside a list that is turned into text; or the error when safe_load refuses
the document. Re-run after adding cases:

    scripts/yaml11-oracle.py > testdata/yaml/pyyaml-scalars.json
"""
import json
import sys

import yaml

CASES = [
    # Booleans: YAML 1.1 words in three spellings; y/n are text.
    "yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF",
    "true", "True", "TRUE", "false", "False", "FALSE", "tRUE", "yEs", "y", "Y", "n", "N",
    "'yes'", '"on"', "!!bool yes", "!!bool 'no'", "!!bool True", "!!str yes",
    # Null.
    "~", "null", "Null", "NULL", "nULL", "", "!!null ''", "'~'",
    # Integers: octal (0 and 0o), hex, binary, sexagesimal, underscores, signs.
    "010", "0o17", "0x1f", "0X1F", "0b101", "09", "08", "0", "-0", "+12", "1_000",
    "0x_1f", "1:20", "-1:30", "1:20:30", "190:20:30", "1:60", "+1:0", "0:30",
    "12345678901234567890", "!!int 010", "!!int '1:20'", "!!int 0x10",
    # Floats: YAML 1.1 needs a dot; .nan and .inf in three spellings.
    "1.0", "1.", "0.", ".5", "-.5", "+1.5", "1e3", "1.5e3", "1.5e+3", "6.8523015e+5",
    "685.230_15e+03", "1_0.5", "190:20:30.15", "1:20.5", ".nan", ".NaN", ".NAN",
    ".inf", ".Inf", ".INF", "-.inf", "+.inf", "-.Inf", ".nAn", "nan", "inf",
    "!!float 1", "!!float '.nan'", "!!float '-.inf'", "1.0e5", "1.0E5",
    # Timestamps.
    "2024-01-01", "2024-1-1", "2024-01-01 10:00:00", "2024-01-01T10:00:00",
    "2024-01-01t10:00:00", "2024-01-01 10:00:00.5", "2024-01-01T00:00:00Z",
    "2001-12-14t21:59:43.10-05:00", "2024-01-01 00:00:00 +1",
    "2024-01-01 1:02:03", "'2024-01-01'", "!!timestamp 2024-01-01",
    "!!str 2024-01-01", "2024-02-30",
    # Text that looks like something else.
    "1.2.3", "x86_64", "aarch64", "ppc64le", "s390x", "i686", "rpm:bash",
    "https://example.org/$basearch/os/", "2024", "0.5.x", "1e", "1.0e", "0x", "0o",
    # YAML 1.1's value and merge tags: no constructor for either.
    "=", "<<", "'='", "'<<'",
    # The non-specific tag `!`: PyYAML resolves the scalar as a plain one,
    # quoted or not.
    "! 123", "! yes", "! '123'", "! \"on\"", "! x",
    # Underscores and prefixes at the edges of the patterns.
    "._", "0b_", "0x_", "0_", "-0_", "0__7", "1__", "1_.", "+0x1f", "-0b11", "-0o7",
    "0x1F_ab", "1:5_0", "0.5:1", "1:2.5", "1:20._",
    # Tagged scalars are built by Python's int() and float() after PyYAML's
    # own clean-up.
    "!!int 0o17", "!!int 09", "!!int ' 12'", "!!int 1.5", "!!int +0x1f", "!!int -0b11",
    "!!int '0:30'", "!!int -0", "!!float ' 1.5'", "!!float inf", "!!float nan",
    "!!float 1e3", "!!float 1_000", "!!float '1:2'", "!!null abc", "!!null 'x'",
    "!!str ~", "!!null", "!!bool oN", "!<tag:yaml.org,2002:int> 12",
    "!<tag:yaml.org,2002:str> 12", "!!timestamp '2024-01-01'", "!!timestamp 2024-1-1",
    "2024-01-01 10:00:00.1234567",
    # A tag with nothing after it.
    "!!str", "!!bool", "!!int", "!!float", "!!timestamp", "&y !!str",
    # Text outside ASCII where a date's digits would be.
    "202é-01-01", "2é24-01-01", "é024-01-01 1",
    # !!binary: bytes, base64 decoded as Python's lenient decodebytes.
    "!!binary aGk=", "!!binary 'YQ==YQ=='", "!!binary '=YQ=='", "!!binary 'Y Q = ='",
    "!!binary 'YQ=x='", "!!binary 'YR=='", "!!binary 'YQ==='", "!!binary '!YQ=='",
    "!!binary 'YQ'", "!!binary 'Y'", "!!binary 'YQ='", "!!binary ''", "!!binary",
    "!!binary 'AAEn'", "!!binary 'Jw=='", "!!binary 'JyI='", "!!binary 'XAkKDX+A/w=='",
    "!!binary 'aé='", "!!binary \"aG\\n k=\"", "!!binary |\n  aGVs\n  bG8=",
]


def describe(text):
    try:
        value = yaml.safe_load("a: " + text + "\n")["a"]
    except Exception as e:  # noqa: BLE001 - any refusal is data here
        return {"yaml": text, "error": type(e).__name__}
    return {
        "yaml": text,
        "type": type(value).__name__,
        "str": str(value),
        "repr": repr([value])[1:-1],
    }


json.dump([describe(c) for c in CASES], sys.stdout, indent=1, ensure_ascii=False)
sys.stdout.write("\n")
