"""Entry point of the ``chainrule`` command and its subcommands.

Each subcommand lives in its own module of this package with two functions:
``add_parser(subparsers)`` declares its options, and ``run(args) -> int`` does the
work and returns the exit status. Errors that chainrule raises on purpose
(:class:`chainrule.ChainruleError`) are printed as one paragraph, without a
traceback, and exit with status 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import textwrap

from ..errors import ChainruleError

__all__ = ["build_parser", "main"]

SUBCOMMANDS = ("train", "gradcheck", "datasets", "evaluate", "predict", "explain")

EPILOG = """\
examples:
  chainrule train                      train on the built-in 8x8 digits
  chainrule train --help               every option of one command
"""


def build_parser() -> argparse.ArgumentParser:
    """The parser with every subcommand that is installed."""
    parser = argparse.ArgumentParser(
        prog="chainrule",
        description="Train and inspect neural networks by backpropagation.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    from .. import __version__

    parser.add_argument("--version", action="version", version=f"chainrule {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMANDS:
        try:
            module = importlib.import_module(f".{name}", __package__)
        except ModuleNotFoundError as exc:
            if exc.name != f"{__package__}.{name}":
                raise
            continue
        module.add_parser(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0

    try:
        return int(args.run(args) or 0)
    except ChainruleError as exc:
        # Not at hyphens either: a file name such as train-images-idx3-ubyte stays whole.
        message = textwrap.fill(str(exc), width=88, break_long_words=False,
                                break_on_hyphens=False)
        print(f"chainrule {args.command}: error: {message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"chainrule {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
