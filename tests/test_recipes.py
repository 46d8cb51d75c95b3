"""The default recipes deliver what the README promises, on the data they ship with."""

import numpy as np

from chainrule import Network
from chainrule.data import Preprocessor, load_dataset
from chainrule.recipes import recipe_for


def test_default_digits_recipe_reaches_97_percent_on_the_default_split():
    data = load_dataset("digits")
    recipe = recipe_for("digits", data.task)
    prep = Preprocessor(data.scaling).fit(data.X_train)

    net = Network([data.n_features, *recipe["hidden"], len(data.class_names)],
                  activation=recipe["activation"], loss=recipe["loss"], seed=recipe["seed"],
                  dtype=recipe["dtype"])
    net.fit(prep.transform(data.X_train), data.y_train, epochs=recipe["epochs"],
            batch_size=recipe["batch_size"], optimizer=recipe["optimizer"], lr=recipe["lr"],
            weight_decay=recipe["weight_decay"], schedule=recipe["schedule"],
            seed=recipe["seed"])

    accuracy = np.mean(net.predict(prep.transform(data.X_test)) == data.y_test)
    assert accuracy >= 0.97


def test_overrides_replace_recipe_fields_and_none_keeps_them():
    recipe = recipe_for("digits", "classification", {"lr": 0.5, "epochs": None})
    assert recipe["lr"] == 0.5
    assert recipe["epochs"] == recipe_for("digits", "classification")["epochs"]


def test_regression_defaults_to_mse_and_classification_to_cross_entropy():
    assert recipe_for("sine", "regression")["loss"] == "mse"
    assert recipe_for("unknown-csv", "classification")["loss"] == "cross_entropy"
