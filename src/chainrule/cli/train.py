"""``chainrule train``: train a network on a dataset and report its test scores."""

from __future__ import annotations

import json
import signal
import sys
import time

import numpy as np

from ..network import Network
from ..progress import progress_callback
from ..recipes import recipe_for
from ..training import Callback, Trainer, split_validation
from .common import (add_command, int_list, is_data_file, load_data, option_errors,
                     positive_int)
from .report import evaluate_network, print_summary

__all__ = ["add_parser", "run"]

EXAMPLES = """\
  chainrule train                                   the built-in 8x8 digits, default recipe
  chainrule train digits --layers 64 --epochs 10 --metrics metrics.json
  chainrule train moons --activation tanh --optimizer sgd --lr 0.1 --out moons.npz
  chainrule train fashion-mnist                     real Fashion-MNIST (Debian package)
  chainrule train mnist --data ~/mnist              IDX files in a folder
  chainrule train houses.csv --target price         your own CSV, target column by name
  chainrule train digits --checkpoint run.ckpt --checkpoint-every 5
  chainrule train digits --checkpoint run.ckpt --resume run.ckpt
"""


def add_parser(subparsers) -> None:
    p = add_command(subparsers, "train", "Train a network and report its test scores.",
                    EXAMPLES, run)
    p.add_argument("dataset", nargs="?", default="digits",
                   help="a dataset name (see `chainrule datasets`) or a CSV file "
                        "(default: digits)")
    data = p.add_argument_group("data")
    data.add_argument("--data", metavar="DIR",
                      help="folder of the IDX files (mnist, fashion-mnist)")
    data.add_argument("--target", help="CSV target column, by name or index (default: last)")
    data.add_argument("--task", choices=["classification", "regression"],
                      help="CSV task (default: inferred from the target column)")
    data.add_argument("--samples", type=positive_int, help="size of a synthetic dataset")
    data.add_argument("--noise", type=float, help="noise of a synthetic dataset")

    model = p.add_argument_group("network and recipe (defaults depend on the dataset)")
    model.add_argument("--layers", type=int_list, metavar="W1,W2,...",
                       help="hidden layer widths, e.g. 128,64 (input and output come from "
                            "the data)")
    model.add_argument("--activation", help="hidden activation: relu, tanh, sigmoid, ...")
    model.add_argument("--loss", help="mse, sse, cross_entropy or binary_cross_entropy")
    model.add_argument("--optimizer", help="sgd, momentum, nesterov, rmsprop, adam, adamw")
    model.add_argument("--lr", type=float, help="learning rate eta")
    model.add_argument("--weight-decay", type=float)
    model.add_argument("--schedule", choices=["constant", "step", "cosine", "exponential"])
    model.add_argument("--epochs", type=int)
    model.add_argument("--batch-size", type=positive_int)
    model.add_argument("--seed", type=int, help="fixes weights, shuffling and data split")
    model.add_argument("--dtype", choices=["float32", "float64"])
    model.add_argument("--validation-split", type=float,
                       help="hold out this fraction of the training data for validation")
    model.add_argument("--early-stopping", type=positive_int, metavar="PATIENCE",
                       help="stop after PATIENCE epochs without a better validation loss "
                            "and keep the best weights (needs --validation-split)")

    out = p.add_argument_group("output")
    out.add_argument("--out", metavar="MODEL", help="save the trained model to this file")
    out.add_argument("--force", action="store_true",
                     help="overwrite --out, and resume despite a changed recipe or data")
    out.add_argument("--metrics", metavar="FILE", help="write the final metrics as JSON")
    out.add_argument("--checkpoint", metavar="FILE",
                     help="checkpoint file (default: DATASET.ckpt.npz when needed)")
    out.add_argument("--checkpoint-every", type=positive_int, metavar="N",
                     help="write a checkpoint every N epochs")
    out.add_argument("--resume", metavar="CKPT", help="continue the run saved in CKPT")
    out.add_argument("--quiet", action="store_true", help="print nothing but errors")
    out.add_argument("--verbose", type=int, choices=[0, 1, 2],
                     help="0 silent, 1 progress bar, 2 one line per epoch")


class _Interrupt:
    """The first Ctrl-C asks the trainer to stop after its current step; a second one aborts."""

    def __init__(self, trainer: Trainer):
        self.trainer = trainer
        self.caught = False

    def __enter__(self):
        self.previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def _handle(self, signum, frame):
        if self.caught:
            raise KeyboardInterrupt
        self.caught = True
        self.trainer.stop = True

    def __exit__(self, *exc):
        signal.signal(signal.SIGINT, self.previous)


class _PeriodicCheckpoint(Callback):
    def __init__(self, every: int, write):
        self.every = every
        self.write = write

    def on_epoch_end(self, trainer, record):
        if trainer.epoch % self.every == 0:
            self.write()


def run(args) -> int:
    from ..data import Preprocessor

    verbose = 0 if args.quiet else (args.verbose if args.verbose is not None else 1)
    target = _target(args.target)
    overrides = {
        "hidden": args.layers, "activation": args.activation, "loss": args.loss,
        "optimizer": args.optimizer, "lr": args.lr, "weight_decay": args.weight_decay,
        "schedule": args.schedule, "epochs": args.epochs, "batch_size": args.batch_size,
        "seed": args.seed, "dtype": args.dtype, "validation_split": args.validation_split,
        "early_stopping": args.early_stopping,
    }
    seed = 0 if args.seed is None else args.seed
    data = load_data(args.dataset, data_dir=args.data, target=target, task=args.task,
                     seed=seed, n_samples=args.samples, noise=args.noise)
    # A user's file named like a built-in dataset (digits.csv) must not take its recipe.
    recipe_name = "default" if is_data_file(args.dataset) else data.name
    recipe = recipe_for(recipe_name, data.task, overrides)
    _check_output_paths(args)

    prep = Preprocessor(data.scaling).fit(data.X_train, data.y_train, task=data.task,
                                          class_names=data.class_names,
                                          feature_names=data.feature_names)
    X_train, X_test = prep.transform(data.X_train), prep.transform(data.X_test)
    y_train = prep.scale_targets(data.y_train) if data.task == "regression" else data.y_train
    net, trainer = _make_trainer(recipe, data, X_train, y_train, verbose)

    checkpoints = _Checkpoints(args, trainer, recipe, data.X_train, data.y_train)
    if args.resume:
        checkpoints.resume(args.resume, force=args.force)
    if args.checkpoint_every:
        trainer.callbacks.append(_PeriodicCheckpoint(args.checkpoint_every, checkpoints.write))

    start = time.perf_counter()
    with _Interrupt(trainer) as interrupt:
        trainer.run()
    seconds = time.perf_counter() - start

    if interrupt.caught:
        path = checkpoints.write()
        print(f"chainrule train: interrupted at epoch {trainer.epoch + 1}, step "
              f"{trainer.step_in_epoch} of {trainer.steps_per_epoch}; checkpoint written to "
              f"{path}. Continue with the same command and --resume {path}", file=sys.stderr)
        return 130

    metrics = evaluate_network(net, X_test, data.y_test, prep)
    metrics.update(dataset=data.name, train_seconds=round(seconds, 3),
                   epochs_run=len(trainer.history), recipe=recipe)
    if not args.quiet:
        print_summary(metrics, data.class_names)
    _write_outputs(args, net, prep, data, recipe, metrics)
    return 0


def _make_trainer(recipe: dict, data, X_train, y_train,
                  verbose: int) -> tuple[Network, Trainer]:
    """The network and trainer of ``recipe``; a value they refuse is a usage error."""
    with option_errors():
        net = _build_network(recipe, data, X_train.shape[1])

        validation = None
        if recipe["validation_split"]:
            (X_train, y_train), validation = split_validation(
                X_train, y_train, recipe["validation_split"], recipe["seed"])

        trainer = Trainer(
            net, X_train, y_train, batch_size=recipe["batch_size"],
            optimizer=recipe["optimizer"], lr=recipe["lr"],
            weight_decay=recipe["weight_decay"], schedule=recipe["schedule"],
            epochs=recipe["epochs"], validation_data=validation, seed=recipe["seed"],
            early_stopping=recipe["early_stopping"], callbacks=[progress_callback(verbose)],
        )
    return net, trainer


def _target(text):
    if text is None:
        return None
    return int(text) if text.lstrip("-").isdigit() else text


def _build_network(recipe: dict, data, n_features: int) -> Network:
    if data.task == "classification":
        n_out = len(data.class_names)
        if recipe["loss"] == "binary_cross_entropy" and n_out == 2:
            n_out = 1
    else:
        n_out = 1 if data.y_train.ndim == 1 else data.y_train.shape[1]
    return Network([n_features, *recipe["hidden"], n_out], activation=recipe["activation"],
                   loss=recipe["loss"], seed=recipe["seed"], dtype=recipe["dtype"])


def _check_output_paths(args) -> None:
    """Fail before training, not after, on an output that cannot be written."""
    from ..io.atomic import check_writable

    for path, overwrite in ((args.out, args.force), (args.metrics, True)):
        if path:
            check_writable(path, overwrite=overwrite)


class _Checkpoints:
    def __init__(self, args, trainer, recipe, X, y):
        from ..io import dataset_fingerprint

        self.path = args.checkpoint or args.resume or f"{args.dataset.split('/')[-1]}.ckpt.npz"
        self.trainer = trainer
        self.recipe = recipe
        self.fingerprint = dataset_fingerprint(X, y)

    def write(self) -> str:
        from ..io import save_checkpoint

        save_checkpoint(self.path, self.trainer, recipe=self.recipe,
                        dataset_fingerprint=self.fingerprint, overwrite=True)
        return self.path

    def resume(self, path: str, force: bool) -> None:
        from ..io import load_checkpoint, restore

        restore(load_checkpoint(path), self.trainer, recipe=self.recipe,
                dataset_fingerprint=self.fingerprint, force=force)


def _write_outputs(args, net, prep, data, recipe, metrics) -> None:
    from ..io import save_model
    from ..io.atomic import atomic_write

    if args.metrics:
        text = json.dumps(_json_ready(metrics), indent=2) + "\n"
        atomic_write(args.metrics, text.encode(), overwrite=True)
    if args.out:
        recipe = dict(recipe, dataset=data.name, target=_target(args.target))
        save_model(args.out, net, preprocessing=prep.to_dict(), class_names=data.class_names,
                   recipe=recipe, metrics=_json_ready(metrics), overwrite=args.force)
        if not args.quiet:
            print(f"model written to {args.out}")


def _json_ready(value):
    if isinstance(value, dict):
        return {k: _json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_ready(v) for v in value]
    if isinstance(value, (np.floating, float)):
        return None if not np.isfinite(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


