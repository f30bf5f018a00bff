#!/usr/bin/env python3
"""Extracts hard negatives for the identifier corpus from published city feeds.

Reads the Smart Data Models examples and the GBFS test fixtures under
`../shared/corpora` (relative to the project root, the folder this script is
run from) and writes `fixtures/identifiers/extracted.tsv`: one value a line,
with the member name it was found under, for every string or number whose
text holds four or more ASCII digits (the values that reach the identifier
patterns), at most three per source and member. Members whose name says they hold contact or personal data
(e-mail, telephone, plate, owner, ...) are left out: they are not negatives.

The output is committed; the tests read it and never run this script.

Usage, from the project root:  python3 scripts/extract-identifier-negatives.py
"""

import json
import pathlib
import re
import sys

CORPORA = pathlib.Path("../shared/corpora")
OUTPUT = pathlib.Path("fixtures/identifiers/extracted.tsv")

# Member names whose values may be personal or contact data.
PERSONAL = re.compile(
    r"mail|phone|telephone|fax|contact|plate|label|sim|card|licen|owner|person|driver|name|address|url|uri",
    re.IGNORECASE,
)
DIGITS = re.compile(r"[0-9]")
# Values kept per (source, member): coordinates and counts repeat by the
# thousand, and a few of each shape are enough.
PER_MEMBER = 3


def sources():
    """(origin, path) of every example and fixture, in a stable order."""
    models = CORPORA / "smart-data-models" / "dataModel.Transportation"
    for path in sorted(models.glob("*/examples/example*.json")):
        yield f"sdm:{path.parent.parent.name}", path
    for path in sorted((CORPORA / "gbfs" / "testFixtures").glob("*/*.json")):
        yield f"gbfs:{path.parent.name}/{path.stem}", path


def leaves(value, member):
    """(member, text) of every string and number under `value`."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from leaves(inner, key)
    elif isinstance(value, list):
        for inner in value:
            yield from leaves(inner, member)
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, (int, float, str)):
        yield member, value if isinstance(value, str) else json.dumps(value)


def keep(member, text):
    return (
        not PERSONAL.search(member or "")
        and len(DIGITS.findall(text)) >= 4
        and "\t" not in text
        and "\n" not in text
        and len(text) <= 200
    )


def main():
    if not CORPORA.is_dir():
        sys.exit(f"no {CORPORA} here: run from the project root beside ../shared")
    seen = set()
    per_member = {}
    rows = []
    for origin, path in sources():
        document = json.loads(path.read_text(encoding="utf-8"))
        for member, text in leaves(document, None):
            taken = per_member.get((origin, member), 0)
            if keep(member, text) and text not in seen and taken < PER_MEMBER:
                seen.add(text)
                per_member[(origin, member)] = taken + 1
                rows.append(f"{origin}\t{member or '-'}\t{text}")
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    header = "# origin\tmember\tvalue (extracted by scripts/extract-identifier-negatives.py)\n"
    OUTPUT.write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
    print(f"{len(rows)} values written to {OUTPUT}")


if __name__ == "__main__":
    main()
