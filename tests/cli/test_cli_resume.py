"""Checkpoints through the command line: Ctrl-C writes one, ``--resume`` continues bit for bit.

A straight run and a run interrupted by SIGINT and resumed, with the same options,
must end with identical weights. A checkpoint resumed with another architecture or
recipe is refused with a list of what differs, unless ``--force``.
"""

from __future__ import annotations

import signal
import time

import numpy as np
import pytest

from chainrule.io import load_checkpoint, load_model

EPOCHS = 6

# One sample per step, so that an epoch takes a noticeable time and SIGINT lands mid-run.
LONG_RUN = ["train", "moons", "--samples", "2000", "--batch-size", "1", "--epochs",
            str(EPOCHS), "--quiet", "--checkpoint-every", "1"]


def _interrupt_after_first_checkpoint(process, checkpoint, limit_s: float = 60.0) -> None:
    deadline = time.monotonic() + limit_s
    while not checkpoint.exists():
        assert process.poll() is None, "the run ended before its first checkpoint"
        assert time.monotonic() < deadline, "no checkpoint appeared"
        time.sleep(0.01)
    process.send_signal(signal.SIGINT)


def test_interrupted_and_resumed_equals_straight(popen_cli, run_cli, tmp_path,
                                                 same_parameters, parameters):
    straight = popen_cli(*LONG_RUN, "--checkpoint", "straight.ckpt.npz",
                         "--out", "straight.npz", cwd=tmp_path)

    checkpoint = tmp_path / "C.npz"
    stopped = popen_cli(*LONG_RUN, "--checkpoint", checkpoint, "--out", "resumed.npz",
                        cwd=tmp_path)
    try:
        _interrupt_after_first_checkpoint(stopped, checkpoint)
        out, err = stopped.communicate(timeout=120)
        _, straight_err = straight.communicate(timeout=120)
    finally:
        for process in (stopped, straight):
            process.kill()
            process.wait()
    assert straight.returncode == 0, straight_err

    # Exit 130, one message that names the checkpoint and the way back in.
    assert stopped.returncode == 130, err
    assert "Traceback" not in err and out == ""
    assert "interrupted" in err and str(checkpoint) in err
    assert f"--resume {checkpoint}" in err
    assert not (tmp_path / "resumed.npz").exists(), "an interrupted run wrote --out"

    state = load_checkpoint(checkpoint).state
    assert state["epoch"] < EPOCHS, "the run was not stopped mid-run"
    at_stop = [p.copy() for p in load_checkpoint(checkpoint).net.parameters()]

    resumed = run_cli(*LONG_RUN, "--checkpoint", checkpoint, "--out", "resumed.npz",
                      "--resume", checkpoint, cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr

    assert same_parameters(tmp_path / "straight.npz", tmp_path / "resumed.npz")
    final = parameters(tmp_path / "resumed.npz")
    assert not all(np.array_equal(a, b) for a, b in zip(at_stop, final))
    both = [load_model(tmp_path / name).metrics for name in ("straight.npz", "resumed.npz")]
    assert both[0]["test_loss"] == both[1]["test_loss"]
    assert both[0]["epochs_run"] == both[1]["epochs_run"] == EPOCHS


SHORT_RUN = ["train", "moons", "--epochs", "2", "--quiet"]


@pytest.fixture
def checkpoint(cli, tmp_path):
    path = tmp_path / "short.ckpt.npz"
    result = cli(*SHORT_RUN, "--checkpoint-every", "1", "--checkpoint", path)
    assert result.status == 0 and path.is_file()
    return path


@pytest.mark.parametrize("change, words", [
    (["--layers", "8"], ["'hidden'", "'sizes'", "[8]"]),
    (["--lr", "0.5"], ["'lr'", "0.5"]),
])
def test_changed_run_is_refused(cli, checkpoint, assert_clean_error, change, words):
    before = checkpoint.read_bytes()
    result = cli(*SHORT_RUN, *change, "--resume", checkpoint)
    assert result.status == 2
    assert_clean_error(result.status, result.err, str(checkpoint), "different run",
                       "--force", *words)
    assert checkpoint.read_bytes() == before


@pytest.mark.parametrize("change, key, value", [
    (["--lr", "0.5"], "lr", 0.5),
    (["--activation", "relu"], "activation", "relu"),
])
def test_force_resumes_a_changed_run(cli, checkpoint, change, key, value):
    result = cli(*SHORT_RUN, *change, "--resume", checkpoint, "--force", "--out", "m.npz")
    assert result.status == 0, result.err

    # The checkpoint had finished its epochs: the weights are its own, the option is new.
    model = load_model("m.npz")
    saved = load_checkpoint(checkpoint)
    assert all(np.array_equal(a, b)
               for a, b in zip(model.net.parameters(), saved.net.parameters()))
    assert model.recipe[key] == value != saved.recipe[key]


def test_force_cannot_fit_other_shapes(cli, checkpoint, assert_clean_error):
    result = cli(*SHORT_RUN, "--layers", "8", "--resume", checkpoint, "--force")
    assert_clean_error(result.status, result.err, "even with force", "shapes")
