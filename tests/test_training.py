"""The training loop: it learns, it matches a torch loop, it stops and resumes exactly.

* XOR is solved through ``net.fit``, and digits reaches >= 97% test accuracy;
* a whole run (mini-batches with a short last batch, Adam, a step schedule) equals
  the same loop written in torch, weights and per-epoch loss and accuracy alike;
* ``History`` has one entry per epoch, and its validation metrics are those of the
  weights at the end of the epoch;
* early stopping restores the weights of the best epoch;
* a Trainer stopped mid-epoch and restored from its ``state_dict`` continues bit for
  bit; ``fit`` with ``verbose=0`` prints nothing.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from chainrule import Callback, Network, Trainer

XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([0, 1, 1, 0])


def all_equal(arrays, others) -> bool:
    """Whether two lists of arrays are equal, entry for entry and bit for bit."""
    return all(np.array_equal(p, q) for p, q in zip(arrays, others, strict=True))


@pytest.mark.parametrize("activation", ["tanh", "sigmoid"])
def test_xor_is_solved(activation):
    net = Network([2, 4, 1], activation=activation, loss="binary_cross_entropy", seed=0,
                  dtype="float64")
    history = net.fit(XOR_X, XOR_Y, epochs=500, batch_size=4, optimizer="momentum", lr=0.5)

    assert history.loss[-1] < 0.02
    assert history.loss[-1] < history.loss[0] / 20
    np.testing.assert_array_equal(net.predict(XOR_X), XOR_Y)


def digits_split(seed: int) -> tuple[np.ndarray, ...]:
    """Digits as ``X_train, y_train, X_test, y_test``, 20% stratified test, standardized.

    ``chainrule.data.load_dataset`` is preferred; scikit-learn's copy of the same
    1,797 images stands in while that loader is not importable.
    """
    try:
        from chainrule.data import load_dataset
    except ImportError:
        from sklearn.datasets import load_digits
        from sklearn.model_selection import train_test_split

        X, y = load_digits(return_X_y=True)
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=0.2, stratify=y, random_state=seed)
    else:
        data = load_dataset("digits", seed=seed)
        X_train, y_train, X_test, y_test = data.X_train, data.y_train, data.X_test, data.y_test

    mean, std = X_train.mean(axis=0), X_train.std(axis=0) + 1e-8
    return (X_train - mean) / std, y_train, (X_test - mean) / std, y_test


def test_digits_reaches_97_percent():
    # Five train/test splits: one split of 360 test images moves by 0.3% per image,
    # and some splits are harder than others for any MLP (scikit-learn's included).
    accuracies = []
    for split in range(5):
        X_train, y_train, X_test, y_test = digits_split(split)
        net = Network([64, 128, 10], activation="relu", loss="cross_entropy", seed=0)
        net.fit(X_train, y_train, epochs=30, batch_size=32, optimizer="adam", lr=0.002,
                schedule="cosine", seed=0)
        accuracies.append(np.mean(net.predict(X_test) == y_test))

    assert np.mean(accuracies) >= 0.97, accuracies
    assert min(accuracies) >= 0.96, accuracies


# ----------------------------------------------------------------- against a torch loop


def torch_training_run(net: Network, X, labels, batch_size: int, epochs: int, lr: float,
                       torch_sigma) -> tuple[list, list, list]:
    """Train the torch twin of ``net`` as chainrule documents it, without shuffling.

    Adam, a StepLR halving the rate every 2 epochs, mean cross-entropy per batch.
    Returns the final parameters and the per-epoch loss and accuracy, each the mean
    over the epoch's samples of the values before each step's update.
    """
    params = [torch.tensor(p, requires_grad=True) for p in net.parameters()]
    sigmas = [torch_sigma(layer.activation.config()) for layer in net.layers]
    optimizer = torch.optim.Adam(params, lr=lr)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    X_t, y_t = torch.from_numpy(X), torch.from_numpy(labels)

    losses, accuracies = [], []
    for _ in range(epochs):
        loss_sum, correct = 0.0, 0
        for start in range(0, len(X), batch_size):
            a, y = X_t[start:start + batch_size], y_t[start:start + batch_size]
            for l, sigma in enumerate(sigmas):
                z = a @ params[2 * l].T + params[2 * l + 1]
                a = sigma(z)
            cost = torch.nn.functional.cross_entropy(z, y)

            optimizer.zero_grad()
            cost.backward()
            optimizer.step()
            loss_sum += cost.item() * len(y)
            correct += int((a.argmax(dim=1) == y).sum())
        scheduler.step()
        losses.append(loss_sum / len(X))
        accuracies.append(correct / len(X))
    return [p.detach().numpy() for p in params], losses, accuracies


def test_a_training_run_equals_the_torch_loop(torch_sigma, rel_error):
    rng = np.random.default_rng(0)
    X, labels = rng.normal(size=(23, 4)), rng.integers(0, 3, size=23)
    net = Network([4, 8, 6, 3], activation=["tanh", "elu"], loss="cross_entropy", seed=1,
                  dtype="float64")
    expected_params, expected_loss, expected_accuracy = torch_training_run(
        net, X, labels, batch_size=5, epochs=6, lr=0.01, torch_sigma=torch_sigma)

    history = net.fit(X, labels, epochs=6, batch_size=5, optimizer="adam", lr=0.01,
                      schedule={"kind": "step", "step_size": 2, "gamma": 0.5}, shuffle=False)

    for ours, theirs in zip(net.parameters(), expected_params, strict=True):
        assert rel_error(ours, theirs) <= 1e-10
    np.testing.assert_allclose(history.loss, expected_loss, rtol=1e-12)
    np.testing.assert_array_equal(history.accuracy, expected_accuracy)


# ----------------------------------------------------------------- history and validation


def regression_data(m: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, 3))
    return X, np.sin(X[:, 0]) + 0.1 * rng.normal(size=m)


def test_history_has_one_entry_per_epoch():
    X, y = regression_data(40)
    net = Network([3, 5, 1], activation="tanh", seed=0)
    history = net.fit(X, y, epochs=5, batch_size=16)

    assert len(history) == 5
    assert history.epoch == [1, 2, 3, 4, 5]
    for values in history.as_dict().values():
        assert len(values) == 5
    # Regression without validation data: no accuracy, no validation metrics.
    assert np.isnan(history.accuracy).all()
    assert np.isnan(history.val_loss).all() and np.isnan(history.val_accuracy).all()
    assert all(seconds >= 0 for seconds in history.seconds)


def test_validation_metrics_are_those_of_the_final_weights(torch_sigma, rel_error):
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(60, 4)), rng.integers(0, 3, size=60)
    X_val, y_val = rng.normal(size=(25, 4)), rng.integers(0, 3, size=25)
    net = Network([4, 6, 3], activation="relu", loss="cross_entropy", seed=2, dtype="float64")
    history = net.fit(X, y, epochs=3, batch_size=10, optimizer="adam", lr=0.01,
                      validation_data=(X_val, y_val))

    a = torch.from_numpy(X_val)
    for layer in net.layers:
        z = a @ torch.from_numpy(layer.W).T + torch.from_numpy(layer.b)
        a = torch_sigma(layer.activation.config())(z)
    expected_loss = torch.nn.functional.cross_entropy(z, torch.from_numpy(y_val)).item()
    expected_accuracy = np.mean(a.argmax(dim=1).numpy() == y_val)

    assert rel_error(history.val_loss[-1], expected_loss) <= 1e-12
    assert history.val_accuracy[-1] == expected_accuracy
    assert all(0.0 <= value <= 1.0 for value in history.accuracy + history.val_accuracy)


def test_validation_split_holds_out_a_fraction():
    X, y = regression_data(50)
    seen = []

    class CountRows(Callback):
        def on_train_begin(self, trainer):
            seen.append((trainer.X.shape[0], trainer.validation[0].shape[0]))

    net = Network([3, 4, 1], activation="tanh", seed=0)
    history = net.fit(X, y, epochs=2, validation_split=0.2, callbacks=[CountRows()])
    assert seen == [(40, 10)]
    assert not np.isnan(history.val_loss).any()


def test_callbacks_are_called_at_every_hook():
    X, y = regression_data(10)
    calls = {"train_begin": 0, "epoch_begin": 0, "step_end": 0, "epoch_end": 0,
             "train_end": 0}

    class Count(Callback):
        def on_train_begin(self, trainer):
            calls["train_begin"] += 1

        def on_epoch_begin(self, trainer):
            calls["epoch_begin"] += 1

        def on_step_end(self, trainer, loss):
            calls["step_end"] += 1

        def on_epoch_end(self, trainer, record):
            calls["epoch_end"] += 1

        def on_train_end(self, trainer):
            calls["train_end"] += 1

    Network([3, 2, 1], seed=0).fit(X, y, epochs=3, batch_size=4, callbacks=[Count()])
    # 10 samples in batches of 4: 3 steps per epoch.
    assert calls == {"train_begin": 1, "epoch_begin": 3, "step_end": 9, "epoch_end": 3,
                     "train_end": 1}


def test_fit_is_silent_at_verbose_0(capsys):
    X, y = regression_data(20)
    Network([3, 4, 1], seed=0).fit(X, y, epochs=2, verbose=0)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_the_seeds_fix_the_whole_run():
    X, y = regression_data(30)

    def final_weights(shuffle_seed):
        net = Network([3, 5, 1], activation="tanh", seed=4)
        net.fit(X, y, epochs=3, batch_size=8, seed=shuffle_seed)
        return net.parameters()

    first, again, other = final_weights(0), final_weights(0), final_weights(1)
    assert all_equal(first, again)
    assert not np.array_equal(first[0], other[0])


# ----------------------------------------------------------------- early stopping


class Snapshots(Callback):
    """Keeps a copy of the parameters at the end of every epoch."""

    def __init__(self):
        self.params = []

    def on_epoch_end(self, trainer, record):
        self.params.append([p.copy() for p in trainer.net.parameters()])


def test_early_stopping_restores_the_best_weights():
    # Targets of pure noise: the validation loss soon rises while training goes on.
    rng = np.random.default_rng(5)
    X, y = rng.normal(size=(40, 5)), rng.normal(size=40)
    X_val, y_val = rng.normal(size=(40, 5)), rng.normal(size=40)
    net = Network([5, 32, 1], activation="tanh", seed=5, dtype="float64")
    snapshots = Snapshots()
    history = net.fit(X, y, epochs=200, batch_size=8, optimizer="adam", lr=0.02,
                      validation_data=(X_val, y_val), early_stopping=3,
                      callbacks=[snapshots])

    best = int(np.argmin(history.val_loss))
    assert len(history) == best + 1 + 3, "stopped exactly `patience` epochs after the best"
    assert len(history) < 200
    assert all_equal(net.parameters(), snapshots.params[best])
    assert not np.array_equal(net.parameters()[0], snapshots.params[-1][0])
    assert net.loss(X_val, y_val) == pytest.approx(history.val_loss[best], rel=1e-12)


# ----------------------------------------------------------------- exact resume


class StopAt(Callback):
    """Sets ``trainer.stop`` after step ``step`` (1-based) of epoch ``epoch`` (0-based).

    Keeps a copy of the weights at that moment in ``weights``.
    """

    def __init__(self, epoch: int, step: int):
        self.epoch, self.step = epoch, step
        self.weights = None

    def on_step_end(self, trainer, loss):
        if trainer.epoch == self.epoch and trainer.step_in_epoch == self.step:
            trainer.stop = True
            self.weights = [p.copy() for p in trainer.net.parameters()]


TRAINER_OPTIONS = {"batch_size": 7, "optimizer": "adam", "lr": 0.01, "epochs": 2,
                   "schedule": {"kind": "step", "step_size": 1, "gamma": 0.5}, "seed": 3}


def classification_data(m: int = 45, seed: int = 6) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.normal(size=(m, 4)), rng.integers(0, 3, size=m)


def fresh_network() -> Network:
    return Network([4, 6, 3], activation="tanh", loss="cross_entropy", seed=6)


@pytest.mark.parametrize("watch_validation", [False, True])
def test_a_trainer_resumes_bit_for_bit_from_its_state_dict(watch_validation):
    X, y = classification_data()
    options = dict(TRAINER_OPTIONS)
    if watch_validation:
        # Early stopping keeps a best copy; a callback's stop must not restore it.
        options.update(validation_data=classification_data(20, seed=7), early_stopping=10)
    straight = fresh_network()
    history = Trainer(straight, X, y, **options).run()

    # Stop in the middle of the second epoch (3 of its 7 steps done).
    interrupted = fresh_network()
    stop = StopAt(epoch=1, step=3)
    first = Trainer(interrupted, X, y, callbacks=[stop], **options)
    first.run()
    assert (first.epoch, first.step_in_epoch) == (1, 3)
    assert all_equal(interrupted.parameters(), stop.weights)
    state = first.state_dict()

    # A different network object, with other initial weights, takes the saved ones.
    resumed = Network([4, 6, 3], activation="tanh", loss="cross_entropy", seed=99)
    for param, saved in zip(resumed.parameters(), stop.weights, strict=True):
        param[...] = saved
    second = Trainer(resumed, X, y, **options)
    second.load_state_dict(state)
    resumed_history = second.run()

    assert all_equal(resumed.parameters(), straight.parameters())
    for key in ("loss", "accuracy", "lr"):
        assert getattr(resumed_history, key) == getattr(history, key)
    np.testing.assert_array_equal(resumed_history.val_loss, history.val_loss)


def test_a_state_dict_is_a_snapshot():
    # An in-memory checkpoint must not change when training goes on after it is taken.
    X, y = classification_data()
    straight = fresh_network()
    Trainer(straight, X, y, **TRAINER_OPTIONS).run()

    saved = {}

    class Checkpoint(Callback):
        def on_step_end(self, trainer, loss):
            if trainer.epoch == 1 and trainer.step_in_epoch == 3:
                saved["state"] = trainer.state_dict()
                saved["weights"] = [p.copy() for p in trainer.net.parameters()]

    Trainer(fresh_network(), X, y, callbacks=[Checkpoint()], **TRAINER_OPTIONS).run()

    resumed = fresh_network()
    for param, weights in zip(resumed.parameters(), saved["weights"], strict=True):
        param[...] = weights
    trainer = Trainer(resumed, X, y, **TRAINER_OPTIONS)
    trainer.load_state_dict(saved["state"])
    trainer.run()

    assert all_equal(resumed.parameters(), straight.parameters())
