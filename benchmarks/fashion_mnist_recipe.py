"""Measure the default Fashion-MNIST recipe: test accuracy and wall time of one full run.

Runs ``chainrule train fashion-mnist`` exactly as a user would (default recipe, real
data from Debian's ``dataset-fashion-mnist`` package or ``--data DIR``), then prints
and writes a JSON summary. This is a measurement, not a test: the README quotes it.

    python benchmarks/fashion_mnist_recipe.py [--data DIR] [--out results/fashion.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="folder of the four IDX files")
    parser.add_argument("--out", help="also write the summary JSON here")
    parser.add_argument("extra", nargs="*", help="more `chainrule train` options")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        metrics_path = os.path.join(tmp, "metrics.json")
        command = [sys.executable, "-m", "chainrule", "train", "fashion-mnist",
                   "--verbose", "2", "--metrics", metrics_path, *args.extra]
        if args.data:
            command += ["--data", args.data]

        start = time.perf_counter()
        subprocess.run(command, check=True)
        wall = time.perf_counter() - start
        with open(metrics_path) as f:
            metrics = json.load(f)

    summary = {
        "command": " ".join(["chainrule", *command[3:]]).replace(metrics_path, "FILE"),
        "test_accuracy": metrics["test_accuracy"],
        "test_loss": metrics["test_loss"],
        "train_seconds": metrics["train_seconds"],
        "wall_seconds": round(wall, 1),
        "recipe": metrics["recipe"],
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
    }
    print(json.dumps(summary, indent=2))
    if args.out:
        with open(args.out, "w") as f:
            json.dump(summary, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
