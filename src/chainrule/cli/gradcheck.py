"""``chainrule gradcheck``: compare backpropagation with finite differences, layer by layer."""

from __future__ import annotations

import numpy as np

from ..errors import ChainruleError
from ..gradcheck import gradcheck
from ..network import Network
from .common import add_command, int_list, option_errors, positive_int

__all__ = ["add_parser", "run"]

EXAMPLES = """\
  chainrule gradcheck                                   a 4-5-3 tanh network, 8 random samples
  chainrule gradcheck --layers 2,8,8,1 --activation relu --loss binary_cross_entropy
  chainrule gradcheck --layers 64,32,10 --loss cross_entropy --max-per-array 100
"""


def add_parser(subparsers) -> None:
    p = add_command(subparsers, "gradcheck",
                    "Check every gradient against central finite differences (float64); "
                    "exit 1 if any is wrong.", EXAMPLES, run)
    p.add_argument("--layers", type=int_list, default=[4, 5, 3], metavar="N0,N1,...,NL",
                   help="all layer widths, input first (default 4,5,3)")
    p.add_argument("--activation", default="tanh")
    p.add_argument("--loss", default="mse")
    p.add_argument("--samples", type=positive_int, default=8, help="batch size (default 8)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--h", type=float, default=1e-6, help="finite-difference step")
    p.add_argument("--max-per-array", type=positive_int,
                   help="check at most this many entries of each array")


def run(args) -> int:
    # Exit status 1 means a wrong gradient, so a usage error must not end with it.
    if len(args.layers) < 2:
        raise ChainruleError("--layers needs at least two widths, input and output; "
                             f"got {args.layers}")
    if not args.h > 0:
        raise ChainruleError(f"--h must be a positive step; got {args.h}")
    with option_errors():
        net = Network(args.layers, activation=args.activation, loss=args.loss,
                      seed=args.seed, dtype="float64")

    rng = np.random.default_rng(args.seed + 1)
    X = rng.normal(size=(args.samples, args.layers[0]))
    n_out = args.layers[-1]
    if net.loss_fn.name == "cross_entropy":
        Y = rng.integers(0, n_out, size=args.samples)
    elif net.loss_fn.name == "binary_cross_entropy":
        Y = rng.integers(0, 2, size=(args.samples, n_out)).astype(float)
    else:
        Y = rng.normal(size=(args.samples, n_out))

    report = gradcheck(net, X, Y, h=args.h, max_per_array=args.max_per_array)
    print(f"{net}\nloss C = {report.loss:.10g}, h = {args.h:g}; differences below the "
          f"rounding noise of the difference quotient ({report.noise:.1e}) are not counted\n")
    print(report.table())
    verdict = "PASS" if report.passed else "FAIL: at least one gradient is wrong"
    print(f"\nworst relative error {report.worst:.3e}: {verdict}")
    return 0 if report.passed else 1
