"""``chainrule explain``: one iteration of backpropagation with every number shown."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..activations import ACTIVATIONS
from ..losses import LOSSES
from .common import add_command, positive_int

__all__ = ["add_parser", "run"]

SUMMARY = "Show the five steps of backpropagation on a small network, every number included."

EXAMPLES = """\
  chainrule explain                                  a 2-3-2 sigmoid network, one iteration
  chainrule explain --lang zh-TW --format markdown   in Traditional Chinese, as Markdown
  chainrule explain --loss cross_entropy --target 1  softmax output, the fused step 3
  chainrule explain --weights mazur.json --input 0.05,0.10 --target 0.01,0.99 \\
                    --loss sse --lr 0.5              a textbook example, from its weights
  chainrule explain --format json > trace.json       every number, nothing elided
  chainrule explain --exercise --seed 7 --out sheets a question sheet and its answer key

--weights FILE holds {"layers": [{"W": [[...], ...], "b": [...]}, ...]}, where row j
of W lists the weights entering neuron j. Several samples: --input "0.1,0.2;0.3,0.4".
"""


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number such as 0.5; got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a number > 0; got {text!r}")
    return value


def _names(table: dict) -> str:
    return ", ".join(sorted(table))


def add_parser(subparsers) -> None:
    p = add_command(subparsers, "explain", SUMMARY, EXAMPLES, run)
    net = p.add_argument_group("the network")
    net.add_argument("--layers", metavar="SIZES",
                     help="widths, input first, e.g. 2-3-2 (default 2-3-2, or the shapes of "
                          "--weights; 2-2-2 for --exercise)")
    net.add_argument("--activation", default="sigmoid", choices=sorted(ACTIVATIONS),
                     metavar="NAME", help=f"σ of the hidden layers: {_names(ACTIVATIONS)} "
                                          "(default sigmoid)")
    net.add_argument("--output-activation", choices=sorted(ACTIVATIONS), metavar="NAME",
                     help="σ of the output layer (default: softmax for cross_entropy, "
                          "sigmoid for binary_cross_entropy, else --activation)")
    net.add_argument("--loss", default="mse", choices=sorted(LOSSES), metavar="NAME",
                     help=f"the loss C: {_names(LOSSES)} (default mse, the derivation's)")
    net.add_argument("--weights", metavar="FILE",
                     help='JSON {"layers": [{"W": [[...]], "b": [...]}, ...]}; row j of W '
                          "holds the weights entering neuron j")
    net.add_argument("--seed", type=int, default=0,
                     help="seed of the weights and sample when not given (default 0)")

    data = p.add_argument_group("the sample and the step")
    data.add_argument("--input", metavar="X",
                      help="input values, e.g. 0.05,0.10; samples separated by ';'")
    data.add_argument("--target", metavar="Y",
                      help="targets, e.g. 0.01,0.99, or a class label for cross_entropy")
    data.add_argument("--lr", type=_positive_float, default=0.5,
                      help="the learning rate η (default 0.5)")
    data.add_argument("--steps", type=positive_int, default=1,
                      help="iterations on the same sample(s) (default 1)")

    out = p.add_argument_group("the output")
    out.add_argument("--format", default="terminal", choices=("terminal", "markdown", "json"),
                     help="aligned coloured text, GitHub Markdown, or complete JSON")
    out.add_argument("--lang", default="en", choices=("en", "zh-TW"),
                     help="language of the prose (default en); the math is the same")
    out.add_argument("--digits", type=positive_int, default=4,
                     help="significant digits shown (default 4; JSON keeps all)")
    out.add_argument("--max-shown", type=positive_int, default=6, metavar="N",
                     help="rows or columns shown before the middle is elided (default 6)")
    out.add_argument("--exercise", action="store_true",
                     help="write a question sheet and its answer key (Markdown) instead")
    out.add_argument("--out", default=".", metavar="DIR",
                     help="folder for the --exercise files (default: here)")
    out.add_argument("--force", action="store_true",
                     help="overwrite --exercise files that already exist")


def run(args) -> int:
    from ..explain.problem import load_weights, parse_layers, parse_rows

    sizes = parse_layers(args.layers) if args.layers else None
    params = load_weights(args.weights) if args.weights else None
    inputs = parse_rows(args.input, "--input") if args.input else None
    targets = parse_rows(args.target, "--target") if args.target else None

    if args.exercise:
        return _exercise(args, sizes, params, inputs, targets)

    from ..explain import build_network, make_sample, trace

    net = build_network(sizes, args.activation, args.output_activation, args.loss,
                        params=params, seed=args.seed)
    X, Y = make_sample(net, inputs, targets, seed=args.seed)
    result = trace(net, X, Y, args.lr, steps=args.steps)
    _write(result, args)
    return 0


def _write(result, args) -> None:
    if args.format == "json":
        from ..explain.render_json import render_json

        sys.stdout.write(render_json(result))
    elif args.format == "markdown":
        from ..explain.render_markdown import render_markdown

        sys.stdout.write(render_markdown(result, args.lang, args.digits, args.max_shown))
    else:
        from rich.console import Console

        from ..explain.render_terminal import render_terminal

        group = render_terminal(result, args.lang, args.digits, args.max_shown)
        Console(highlight=False).print(group, crop=False)


def _exercise(args, sizes, params, inputs, targets) -> int:
    from ..explain.exercise import make_exercise
    from ..io.atomic import atomic_write, check_writable

    exercise = make_exercise(
        args.seed, sizes, args.activation, args.output_activation, args.loss,
        args.lr, args.lang, args.digits, params=params, inputs=inputs, targets=targets,
    )
    folder = Path(args.out)
    folder.mkdir(parents=True, exist_ok=True)
    sheet = folder / f"exercise-{args.seed}.md"
    key = folder / f"exercise-{args.seed}-answers.md"
    # Both are checked before either is written: a teacher's edited sheet is never
    # replaced without --force, and never half of a pair.
    for path in (sheet, key):
        check_writable(path, overwrite=args.force)
    atomic_write(sheet, exercise.sheet.encode("utf-8"), overwrite=args.force)
    atomic_write(key, exercise.key.encode("utf-8"), overwrite=args.force)
    print(f"wrote {sheet} (questions) and {key} (answer key)")
    return 0
