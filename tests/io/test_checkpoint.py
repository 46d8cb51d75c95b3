"""Checkpoints: exact resume after a stop mid-epoch, and restore's refusals and force."""

import json

import numpy as np
import pytest

from chainrule import Callback, Network, Trainer
from chainrule.errors import DataError, ModelFileError
from chainrule.network import split_parameters
from chainrule.io import (
    dataset_fingerprint,
    load_checkpoint,
    load_model,
    restore,
    save_checkpoint,
    save_model,
)

RECIPE = {"optimizer": "from the test", "lr": None, "epochs": 4, "hidden": [8]}


def data(m=50, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, 4))
    y = (X[:, 0] + X[:, 1] > 0).astype(int) + (X[:, 2] > 1)
    return X, y


def network(dtype="float64", seed=0, activation="tanh", sizes=(4, 8, 3)):
    return Network(list(sizes), activation=activation, loss="cross_entropy", seed=seed,
                   dtype=dtype)


def trainer(net, X, y, optimizer="adam", callbacks=(), **options):
    settings = {"batch_size": 8, "optimizer": optimizer, "epochs": 4, "shuffle": True,
                "seed": 5, **options}
    return Trainer(net, X, y, callbacks=list(callbacks), **settings)


class StopAfter(Callback):
    """Stop after ``k`` steps in all; ``save`` (if given) runs first, inside the step."""

    def __init__(self, k, save=None):
        self.k, self.save, self.steps = k, save, 0

    def on_step_end(self, trainer, loss):
        self.steps += 1
        if self.steps == self.k:
            if self.save is not None:
                self.save(trainer)
            trainer.stop = True


def same_weights(a: Network, b: Network) -> bool:
    return all(p.dtype == q.dtype and np.array_equal(p, q)
               for p, q in zip(a.parameters(), b.parameters()))


def same_history(a, b) -> bool:
    keys = ("epoch", "loss", "accuracy", "val_loss", "val_accuracy", "lr")
    return all(np.array_equal(getattr(a, k), getattr(b, k), equal_nan=True) for k in keys)


def saved_checkpoint(tmp_path, X, y, **options):
    t = trainer(network(), X, y, **options)
    t.run()
    path = tmp_path / "run.ckpt.npz"
    save_checkpoint(path, t, recipe=RECIPE, dataset_fingerprint=dataset_fingerprint(X, y))
    return load_checkpoint(path)


# ----------------------------------------------------------------- exact resume

# 50 samples in batches of 8 make 7 steps an epoch (the last one of 2 samples):
# stop after the first step, at the end of epoch 1, in the middle of epoch 2, in epoch 3.
@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
@pytest.mark.parametrize("k", [1, 7, 10, 19])
def test_resume_equals_straight_run(tmp_path, optimizer, k):
    X, y = data()
    fingerprint = dataset_fingerprint(X, y)
    straight = trainer(network(), X, y, optimizer)
    straight.run()

    first = trainer(network(), X, y, optimizer, callbacks=[StopAfter(k)])
    first.run()
    assert first.epoch * 7 + first.step_in_epoch == k
    save_checkpoint(tmp_path / "c.npz", first, recipe=RECIPE, dataset_fingerprint=fingerprint)

    checkpoint = load_checkpoint(tmp_path / "c.npz")
    second = trainer(network(seed=99), X, y, optimizer)
    assert restore(checkpoint, second, recipe=RECIPE, dataset_fingerprint=fingerprint) == []
    second.run()

    assert same_weights(second.net, straight.net)
    assert same_history(second.history, straight.history)
    assert second.optimizer.t == straight.optimizer.t


def test_resume_float32_with_validation_and_early_stopping(tmp_path):
    X, y = data(60)
    X_val, y_val = data(20, seed=1)
    options = {"optimizer": "momentum", "epochs": 12, "early_stopping": 2}
    fingerprint = dataset_fingerprint(X, y)

    def run(callbacks=()):
        return trainer(network("float32"), X, y, callbacks=callbacks,
                       validation_data=(X_val, y_val), lr=0.5, **options)

    def save(t):
        # Saved from inside the step: run() would put the best weights back on stopping.
        save_checkpoint(tmp_path / "c.npz", t, recipe=RECIPE, dataset_fingerprint=fingerprint)

    straight = run()
    straight.run()
    run([StopAfter(25, save)]).run()

    resumed = run()
    restore(load_checkpoint(tmp_path / "c.npz"), resumed, recipe=RECIPE,
            dataset_fingerprint=fingerprint)
    assert resumed.best is not None
    resumed.run()

    assert same_weights(resumed.net, straight.net)
    assert same_history(resumed.history, straight.history)


def test_random_generator_state_round_trips_exactly(tmp_path):
    X, y = data()
    t = trainer(network(), X, y, callbacks=[StopAfter(3)])
    t.run()
    expected = t.rng.bit_generator.state
    assert expected["state"]["state"] > 2**64  # a 128-bit integer

    save_checkpoint(tmp_path / "c.npz", t, recipe={}, dataset_fingerprint="x")
    with np.load(tmp_path / "c.npz", allow_pickle=False) as npz:
        header = json.loads(npz["__chainrule__"].tobytes())

    assert header["trainer_state"]["rng"] == expected
    assert load_checkpoint(tmp_path / "c.npz").state["rng"] == expected


def test_checkpoint_is_not_changed_by_training_after_restore(tmp_path):
    X, y = data()
    fingerprint = dataset_fingerprint(X, y)
    t = trainer(network(), X, y, "momentum", callbacks=[StopAfter(9)])
    t.run()
    save_checkpoint(tmp_path / "c.npz", t, recipe=RECIPE, dataset_fingerprint=fingerprint)
    checkpoint = load_checkpoint(tmp_path / "c.npz")

    results = []
    for _ in range(2):
        again = trainer(network(), X, y, "momentum")
        restore(checkpoint, again, recipe=RECIPE, dataset_fingerprint=fingerprint)
        again.run()
        results.append(again.net)

    assert same_weights(results[0], results[1])


def test_checkpoint_is_also_a_model_file(tmp_path):
    X, y = data()
    t = trainer(network(), X, y)
    t.run()
    save_checkpoint(tmp_path / "c.npz", t, recipe=RECIPE, dataset_fingerprint="x")

    loaded = load_model(tmp_path / "c.npz")

    assert same_weights(loaded.net, t.net) and loaded.recipe == RECIPE


def test_checkpoints_overwrite_by_default(tmp_path):
    X, y = data()
    t = trainer(network(), X, y, epochs=1)
    save_checkpoint(tmp_path / "c.npz", t, recipe={}, dataset_fingerprint="x")
    t.run()

    save_checkpoint(tmp_path / "c.npz", t, recipe={}, dataset_fingerprint="x")

    assert load_checkpoint(tmp_path / "c.npz").state["epoch"] == 1


# ----------------------------------------------------------------- refusals and force


def refusal(checkpoint, t, recipe=RECIPE, fingerprint=None) -> str:
    fingerprint = fingerprint or checkpoint.dataset_fingerprint
    with pytest.raises(ModelFileError) as info:
        restore(checkpoint, t, recipe=recipe, dataset_fingerprint=fingerprint)
    message = str(info.value)
    assert "different run" in message and "force=True" in message
    return message


def test_other_recipe_is_refused_then_forced(tmp_path):
    X, y = data()
    checkpoint = saved_checkpoint(tmp_path, X, y)
    other = dict(RECIPE, lr=0.5)

    message = refusal(checkpoint, trainer(network(), X, y), recipe=other)
    assert "recipe['lr'] is None in the checkpoint but 0.5 here" in message

    t = trainer(network(seed=3), X, y)
    ignored = restore(checkpoint, t, recipe=other,
                      dataset_fingerprint=checkpoint.dataset_fingerprint, force=True)
    assert len(ignored) == 1 and "recipe['lr']" in ignored[0]
    assert same_weights(t.net, checkpoint.net)


def test_other_data_is_refused_then_forced(tmp_path):
    X, y = data()
    checkpoint = saved_checkpoint(tmp_path, X, y)
    X2, y2 = data(seed=7)
    other = dataset_fingerprint(X2, y2)

    message = refusal(checkpoint, trainer(network(), X2, y2), fingerprint=other)
    assert "dataset fingerprint" in message

    t = trainer(network(), X2, y2)
    restore(checkpoint, t, recipe=RECIPE, dataset_fingerprint=other, force=True)
    assert t.epoch == checkpoint.state["epoch"]


def test_other_architecture_is_refused_then_forced(tmp_path):
    X, y = data()
    checkpoint = saved_checkpoint(tmp_path, X, y)

    message = refusal(checkpoint, trainer(network(activation="relu"), X, y))
    assert "network['activations']" in message and "relu" in message

    t = trainer(network(activation="relu"), X, y)
    restore(checkpoint, t, recipe=RECIPE,
            dataset_fingerprint=checkpoint.dataset_fingerprint, force=True)
    assert same_weights(t.net, checkpoint.net)


def test_other_trainer_settings_are_refused(tmp_path):
    X, y = data()
    checkpoint = saved_checkpoint(tmp_path, X, y)

    message = refusal(checkpoint, trainer(network(), X, y, batch_size=16, lr=0.01))
    assert "trainer['batch_size'] is 8 in the checkpoint but 16 here" in message
    assert "trainer['optimizer_config']['lr']" in message


def test_every_difference_is_listed(tmp_path):
    X, y = data()
    checkpoint = saved_checkpoint(tmp_path, X, y)

    message = refusal(checkpoint, trainer(network(dtype="float32"), X, y, batch_size=4),
                      recipe={"new": 1}, fingerprint="sha256:other")

    for part in ("network['dtype']", "trainer['batch_size']", "recipe['new']",
                 "recipe['epochs'] is 4 in the checkpoint but absent here",
                 "dataset fingerprint"):
        assert part in message


def test_initial_seed_of_the_network_does_not_matter(tmp_path):
    X, y = data()
    checkpoint = saved_checkpoint(tmp_path, X, y)
    t = trainer(network(seed=1234), X, y)

    assert restore(checkpoint, t, recipe=RECIPE,
                   dataset_fingerprint=checkpoint.dataset_fingerprint) == []


def test_other_shapes_are_refused_even_with_force(tmp_path):
    X, y = data()
    checkpoint = saved_checkpoint(tmp_path, X, y)

    with pytest.raises(ModelFileError, match="even with force.*shapes"):
        restore(checkpoint, trainer(network(sizes=(4, 5, 3)), X, y), recipe=RECIPE,
                dataset_fingerprint=checkpoint.dataset_fingerprint, force=True)


def test_other_optimizer_is_refused_even_with_force(tmp_path):
    X, y = data()
    checkpoint = saved_checkpoint(tmp_path, X, y, optimizer="adam")

    with pytest.raises(ModelFileError, match="even with force.*'adam'.*'sgd'"):
        restore(checkpoint, trainer(network(), X, y, optimizer="sgd"), recipe=RECIPE,
                dataset_fingerprint=checkpoint.dataset_fingerprint, force=True)


def test_other_number_of_samples_is_refused_even_with_force(tmp_path):
    X, y = data()
    t = trainer(network(), X, y, callbacks=[StopAfter(3)])
    t.run()
    save_checkpoint(tmp_path / "c.npz", t, recipe=RECIPE, dataset_fingerprint="x")
    checkpoint = load_checkpoint(tmp_path / "c.npz")

    with pytest.raises(ModelFileError, match="shuffle order covers 50 samples, this data 40"):
        restore(checkpoint, trainer(network(), X[:40], y[:40]), recipe=RECIPE,
                dataset_fingerprint="x", force=True)


def test_model_file_is_not_a_checkpoint(tmp_path):
    save_model(tmp_path / "m.npz", network())

    with pytest.raises(ModelFileError, match="not a checkpoint.*load_model"):
        load_checkpoint(tmp_path / "m.npz")


def test_checkpoint_without_training_state(tmp_path):
    X, y = data()
    save_checkpoint(tmp_path / "c.npz", trainer(network(), X, y), recipe={},
                    dataset_fingerprint="x")
    with np.load(tmp_path / "c.npz", allow_pickle=False) as npz:
        entries = {name: npz[name] for name in npz.files}
    header = json.loads(entries["__chainrule__"].tobytes())
    del header["trainer_state"]["rng"]
    entries["__chainrule__"] = np.frombuffer(json.dumps(header).encode(), np.uint8)
    with open(tmp_path / "c.npz", "wb") as f:
        np.savez(f, **entries)

    with pytest.raises(ModelFileError, match="damaged checkpoint.*trainer_state\\['rng'\\]"):
        load_checkpoint(tmp_path / "c.npz")


def test_a_format_1_checkpoint_resumes_exactly(tmp_path):
    X, y = data()
    fingerprint = dataset_fingerprint(X, y)
    straight = trainer(network(), X, y, "adam")
    straight.run()
    first = trainer(network(), X, y, "adam", callbacks=[StopAfter(10)])
    first.run()
    path = tmp_path / "c.npz"
    save_checkpoint(path, first, recipe=RECIPE, dataset_fingerprint=fingerprint)
    with np.load(path, allow_pickle=False) as npz:
        entries = {name: npz[name] for name in npz.files}
    header = json.loads(entries["__chainrule__"].tobytes())
    header["format_version"] = 1
    entries["__chainrule__"] = np.frombuffer(json.dumps(header).encode(), np.uint8)
    sizes = network().sizes
    for name in [n for n in entries if n.startswith("trainer/optimizer/state/")]:
        # Format 1 laid each W out row by row in the flat state.
        entries[name] = np.concatenate([
            p.ravel() for pair in split_parameters(entries[name], sizes) for p in pair])
    with open(path, "wb") as f:
        np.savez(f, **entries)

    resumed = trainer(network(seed=5), X, y, "adam")
    assert restore(load_checkpoint(path), resumed, recipe=RECIPE,
                   dataset_fingerprint=fingerprint) == []
    resumed.run()

    assert same_weights(resumed.net, straight.net)
    assert same_history(resumed.history, straight.history)


# ----------------------------------------------------------------- fingerprints


def test_fingerprint_sees_values_shapes_and_dtypes():
    X, y = data()
    base = dataset_fingerprint(X, y)
    X_changed = X.copy()
    X_changed[13, 2] = np.nextafter(X_changed[13, 2], 1.0)

    assert base == dataset_fingerprint(X.copy(), list(y))
    assert base.startswith("sha256:") and len(base) == 7 + 64
    assert dataset_fingerprint(X_changed, y) != base
    assert dataset_fingerprint(X.astype(np.float32), y) != base
    assert dataset_fingerprint(X.reshape(25, 8), y) != base
    assert dataset_fingerprint(X, y[::-1]) != base
    assert dataset_fingerprint(np.asfortranarray(X), y) == base


def test_fingerprint_refuses_object_arrays():
    with pytest.raises(DataError, match="dtype=object"):
        dataset_fingerprint(np.array([[1.0]]), np.array([{}], dtype=object))
