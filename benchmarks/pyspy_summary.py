"""Summarize a py-spy profile recorded with ``--format raw`` (collapsed stacks).

Record and summarize, for example, workload (a) with SGD on chainrule::

    py-spy record --format raw --rate 500 -o /tmp/a.txt -- \\
        python benchmarks/worker.py '{"workload": "a-sgd", "engine": "chainrule"}'
    python benchmarks/pyspy_summary.py /tmp/a.txt --top 15

Prints the share of samples whose innermost Python frame is each source line (self
time: for a line that calls numpy, the time inside numpy), then the inclusive share
of each function of ``chainrule``.
"""

from __future__ import annotations

import argparse
import collections
import re
import sys
from pathlib import Path

_FRAME = re.compile(r"^(?P<function>.*?) \((?P<file>[^:()]+):(?P<line>\d+)\)$")


def summarize(path: Path, top: int) -> list[str]:
    """The two rankings as Markdown table rows."""
    by_line: collections.Counter = collections.Counter()
    by_function: collections.Counter = collections.Counter()
    total = 0
    for record in path.read_text().splitlines():
        stack, _, count = record.rpartition(" ")
        n = int(count)
        total += n
        frames = stack.split(";")
        by_line[frames[-1]] += n
        seen = set()
        for frame in frames:
            match = _FRAME.match(frame)
            if match and "chainrule/" in match["file"]:
                key = f"{match['function']} ({Path(match['file']).name})"
                if key not in seen:
                    by_function[key] += n
                    seen.add(key)

    lines = [f"{total} samples", "", "| self, by line | share |", "|---|---:|"]
    lines += [f"| `{k}` | {100 * v / total:.1f}% |" for k, v in by_line.most_common(top)]
    lines += ["", "| chainrule function, inclusive | share |", "|---|---:|"]
    lines += [f"| `{k}` | {100 * v / total:.1f}% |" for k, v in by_function.most_common(top)]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Summarize a raw py-spy profile.")
    parser.add_argument("profile", type=Path)
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args(argv)
    print("\n".join(summarize(args.profile, args.top)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
