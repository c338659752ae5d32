#!/usr/bin/env python3
"""The report of scripts/spec-corpus.sh: our per-arch BuildRequires (ours.jsonl) against
rpmspec's (rpmspec/SPEC.ARCH.{out,rc}); prints the figures and writes differences.txt."""
import collections
import json
import os
import re
import sys

out, arches = sys.argv[1], sys.argv[2:]
ours = {}
with open(os.path.join(out, "ours.jsonl")) as f:
    for line in f:
        d = json.loads(line)
        ours[d["spec"]] = d
asked = [l.strip() for l in open(os.path.join(out, "asked.txt")) if l.strip()]


def klass(problem):
    """A problem's class: its message without line numbers, names and values."""
    p = re.sub(r"^(spec: )?(line \d+: )?", "", problem)
    p = re.sub(r"^[^:]*:\d+: ", "", p)
    p = re.sub(r"\bline \d+\b", "line N", p)
    p = re.sub(r"(Unknown tag|Illegal char|Dependency tokens must begin with alpha-numeric, '_' or '/'|"
               r"Package does not exist|Package already exists|Unable to open|bad %[a-z]+ condition|"
               r"Unterminated [{(\[]|Unknown option .|lua script failed|Macro %\S+)" r".*", r"\1", p)
    return p[:90]


total = len(ours)
decided = sum(1 for d in ours.values() if not d["problems"])
archful = sum(1 for d in ours.values() if not d["problems"] and d["archful"])
reasons = collections.Counter(klass(d["problems"][0]) for d in ours.values() if d["problems"])

parsed = same = 0
diffs = []
rpm_fail = 0
rpm_failed = []  # (spec, ours decided?, rpmspec's first error line)
for spec in asked:
    theirs = {}
    ok = True
    for a in arches:
        base = os.path.join(out, "rpmspec", f"{spec}.{a}")
        try:
            rc = int(open(base + ".rc").read().strip() or 1)
        except (OSError, ValueError):
            rc = 1
        if rc != 0:
            ok = False
            try:
                lines = [l.strip() for l in open(base + ".err") if l.strip()]
                err = next((l for l in lines if "error" in l), lines[0] if lines else "")
            except OSError:
                err = ""
            d = ours.get(spec)
            rpm_failed.append((spec, bool(d and not d["problems"]), f"{a}: rc {rc}: {err}"))
            break
        theirs[a] = sorted(set(l for l in open(base + ".out").read().splitlines() if l.strip()))
    if not ok:
        rpm_fail += 1
        continue
    parsed += 1
    d = ours.get(spec)
    mine = {a: sorted(set(d["arches"].get(a, []))) for a in arches} if d else {}
    if d and not d["problems"] and mine == theirs:
        same += 1
    else:
        why = d["problems"][0] if d and d["problems"] else "different BuildRequires"
        detail = []
        for a in arches:
            m, t = set(mine.get(a, [])), set(theirs[a])
            if m != t:
                detail.append(f"  {a}: ours-only {sorted(m - t)} rpmspec-only {sorted(t - m)}")
        diffs.append(f"{spec}: {why}\n" + "\n".join(detail))

# HEADER=1: the header fields of every arch both sides decided (spec_corpus --header against
# rpmspec --srpm --qf); a trailing blank of the arch lists is no difference.
hdr_n = hdr_same = 0
for spec in asked:
    d = ours.get(spec)
    if not d or "header" not in d:
        continue
    for a in arches:
        path = os.path.join(out, "rpmspec", f"{spec}.{a}.hdr")
        mine = d["header"].get(a, "undecided").strip()
        if mine == "undecided" or not os.path.exists(path):
            continue
        theirs_h = open(path).read().strip()
        hdr_n += 1
        if mine == theirs_h:
            hdr_same += 1
        else:
            diffs.append(f"{spec}: header {a}\n  ours:    {mine}\n  rpmspec: {theirs_h}")

pct = lambda a, b: f"{100.0 * a / b:.2f}%" if b else "n/a"
print(f"specs:                         {total}")
print(f"decided (no fallback):         {decided} ({pct(decided, total)})")
print(f"archful (decided):             {archful}")
print(f"asked of rpmspec:              {len(asked)} (rpmspec failed on {rpm_fail})")
print(f"  of which ours decided:       {sum(1 for _, dec, _ in rpm_failed if dec)} (rpmspec-failed.txt)")
print(f"identical to rpmspec:          {same} of {parsed} rpmspec parses ({pct(same, parsed)})")
if hdr_n:
    print(f"header fields identical:       {hdr_same} of {hdr_n} (spec, arch) decided by both ({pct(hdr_same, hdr_n)})")
print("problems (fallback reasons) by class:")
for k, n in reasons.most_common(40):
    print(f"  {n:6d}  {k}")
with open(os.path.join(out, "differences.txt"), "w") as f:
    f.write("\n".join(diffs) + "\n")
with open(os.path.join(out, "rpmspec-failed.txt"), "w") as f:
    for spec, dec, err in rpm_failed:
        f.write(f"{spec}: ours {'decided' if dec else 'undecided'}; rpmspec {err}\n")
