"""``chainrule datasets`` names every dataset ``chainrule train`` accepts."""

from __future__ import annotations

import re

EXPECTED = ["digits", "iris", "wine", "breast-cancer", "xor", "moons", "circles", "spirals",
            "blobs", "sine", "mnist", "fashion-mnist"]

# The first cell of a table row: "│ name   │ ..."
FIRST_CELL = re.compile(r"^│ (\S+)\s+│", re.MULTILINE)


def test_lists_every_dataset(cli):
    result = cli("datasets")
    assert result.status == 0, result.err
    names = FIRST_CELL.findall(result.out)
    assert [n for n in names if n in EXPECTED] == EXPECTED
    assert "csv" in result.out.lower()


def test_long_adds_sources(cli):
    short, long = cli("datasets").out, cli("datasets", "--long").out
    # One more column: the table's top border has one more joint.
    assert long.splitlines()[0].count("┳") == short.splitlines()[0].count("┳") + 1
    assert FIRST_CELL.findall(short)[:len(EXPECTED)] == FIRST_CELL.findall(long)[:len(EXPECTED)]
