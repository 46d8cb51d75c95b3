"""``chainrule datasets``: the datasets chainrule can train on, with sizes and sources."""

from __future__ import annotations

from .common import add_command

__all__ = ["add_parser", "run"]

EXAMPLES = """\
  chainrule datasets              the table
  chainrule datasets --long       with source and licence of each
"""


def add_parser(subparsers) -> None:
    p = add_command(subparsers, "datasets", "List the datasets chainrule can train on.",
                    EXAMPLES, run)
    p.add_argument("--long", action="store_true", help="also show where each comes from")


def run(args) -> int:
    from rich.console import Console
    from rich.table import Table

    from ..data import list_datasets

    table = Table(show_lines=args.long)
    for column in ("name", "kind", "size", "description"):
        table.add_column(column)
    if args.long:
        table.add_column("source and licence")
    for info in list_datasets():
        row = [info.name, info.kind, info.size, info.description]
        if args.long:
            row.append(f"{info.source}\n{info.licence}")
        table.add_row(*row)
    Console(highlight=False).print(table)
    print("Any CSV file works too: chainrule train FILE.csv --target COLUMN")
    return 0
