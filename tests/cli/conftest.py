"""Helpers of the command-line tests: run ``chainrule`` in-process or as a real process.

A test that needs only the output calls :func:`chainrule.cli.main.main` through the
``cli`` fixture; one that needs a real process (its exit status, a clean standard
error, a signal) uses ``run_cli``. The data files are written here, by the tests, so
that every expected label, count and line number is the test's own. Each helper is
handed to the tests by a fixture of the same name.
"""

from __future__ import annotations

import gzip
import os
import struct
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from chainrule.cli.main import main

# A run that takes longer than this is a hang, not a slow machine.
TIMEOUT_S = 120


@dataclass
class Result:
    """What an in-process call of ``main`` returned and printed."""

    status: int
    out: str
    err: str


def cli_command(*args) -> list[str]:
    """The argument list of ``python -m chainrule ARGS``."""
    return [sys.executable, "-m", "chainrule", *map(str, args)]


def cli_env() -> dict:
    """This environment with one BLAS thread, unless the caller chose a number.

    Tiny matrices gain nothing from threads, and on a busy machine several threads per
    process make a two-second run of ten.
    """
    env = dict(os.environ)
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(name, "1")
    env.pop("FORCE_COLOR", None)
    return env


def _run_cli(*args, cwd=None) -> subprocess.CompletedProcess:
    """``python -m chainrule ARGS`` in a new process; stdout and stderr as text."""
    return subprocess.run(cli_command(*args), capture_output=True, text=True, cwd=cwd,
                          env=cli_env(), timeout=TIMEOUT_S, check=False)


def _assert_clean_error(status: int, err: str, *words: str) -> None:
    """A failure reported as one paragraph on stderr, naming each of ``words``.

    The CLI wraps a message at spaces, so lines are joined back with spaces before
    the words are looked for.
    """
    assert status != 0, err
    assert "Traceback" not in err, err
    text = err.strip()
    assert text.startswith("chainrule ") and ": error: " in text, err
    assert "\n\n" not in text, f"more than one paragraph:\n{err}"

    joined = " ".join(text.split())
    for word in words:
        assert word in joined, f"{word!r} not in:\n{err}"


def _write_idx(path: Path, values: np.ndarray) -> bytes:
    """Write ``values`` as an unsigned-byte IDX file and return its bytes.

    The header is ``00 00 08 <ndim>``, then each dimension as a big-endian uint32.
    """
    values = np.asarray(values, dtype=np.uint8)
    header = bytes([0, 0, 0x08, values.ndim]) + struct.pack(f">{values.ndim}I", *values.shape)
    content = header + values.tobytes()
    path.write_bytes(content)
    return content


def _write_idx_folder(folder: Path, n_train: int = 20, n_test: int = 10,
                     n_train_labels: int | None = None, gz: bool = False) -> Path:
    """The four MNIST files, random 28x28 images and labels 0..9, in ``folder``."""
    rng = np.random.default_rng(0)
    folder.mkdir(parents=True, exist_ok=True)
    labels = n_train if n_train_labels is None else n_train_labels
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, (n_train, 28, 28)),
        "train-labels-idx1-ubyte": rng.integers(0, 10, labels),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (n_test, 28, 28)),
        "t10k-labels-idx1-ubyte": rng.integers(0, 10, n_test),
    }
    for name, values in arrays.items():
        content = _write_idx(folder / name, values)
        if gz:
            (folder / name).unlink()
            (folder / f"{name}.gz").write_bytes(gzip.compress(content))
    return folder


# Two gaussian clusters far apart, "cat" around CAT and "dog" around DOG, as
# (weight, height). Unequal coordinates: swapped columns would swap the labels.
CAT, DOG = (0.0, 4.0), (4.0, 0.0)
PETS_PER_CLASS = 30


def _write_pets_csv(path: Path, seed: int = 0) -> Path:
    """A CSV ``weight,height,kind`` with a header and PETS_PER_CLASS rows per label."""
    rng = np.random.default_rng(seed)
    lines = ["weight,height,kind"]
    for i in range(2 * PETS_PER_CLASS):
        label, centre = ("cat", CAT) if i % 2 else ("dog", DOG)
        x = np.asarray(centre) + 0.5 * rng.normal(size=2)
        lines.append(f"{x[0]:.4f},{x[1]:.4f},{label}")
    path.write_text("\n".join(lines) + "\n")
    return path


def _parameters(model_path) -> list[np.ndarray]:
    """Every ``W`` and ``b`` of a saved model, in layer order."""
    from chainrule.io import load_model

    net = load_model(model_path).net
    return [p for layer in net.layers for p in (layer.W, layer.b)]


def _same_parameters(a, b) -> bool:
    """True if the two model files hold bit-identical weights of equal shapes."""
    pa, pb = _parameters(a), _parameters(b)
    return len(pa) == len(pb) and all(np.array_equal(x, y) for x, y in zip(pa, pb))


@pytest.fixture(scope="session")
def run_cli():
    """``run_cli(*args, cwd=None) -> CompletedProcess``: chainrule as a real process."""
    return _run_cli


@pytest.fixture(scope="session")
def run_python():
    """``run_python(code) -> CompletedProcess``: ``python -c CODE`` in a new process."""

    def run(code: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              env=cli_env(), timeout=TIMEOUT_S, check=False)

    return run


@pytest.fixture(scope="session")
def popen_cli():
    """``popen_cli(*args, cwd=None) -> Popen``: chainrule started, not waited for."""

    def start(*args, cwd=None) -> subprocess.Popen:
        return subprocess.Popen(cli_command(*args), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, cwd=cwd, env=cli_env())

    return start


@pytest.fixture(scope="session")
def assert_clean_error():
    """``assert_clean_error(status, err, *words)``: a one-paragraph error, no traceback."""
    return _assert_clean_error


@pytest.fixture(scope="session")
def parameters():
    """``parameters(model_path) -> [W1, b1, W2, b2, ...]`` of a saved model."""
    return _parameters


@pytest.fixture(scope="session")
def same_parameters():
    """``same_parameters(a, b) -> bool``: bit-identical weights in two model files."""
    return _same_parameters


@pytest.fixture
def idx_folder(tmp_path):
    """``idx_folder(name, **options) -> Path``: four small MNIST-like IDX files."""
    return lambda name, **options: _write_idx_folder(tmp_path / name, **options)


@pytest.fixture
def pets_csv(tmp_path) -> Path:
    """The pets CSV (labels "cat" and "dog", header row) in this test's folder."""
    return _write_pets_csv(tmp_path / "pets.csv")


@pytest.fixture
def cli(capsys):
    """``cli(*args) -> Result``: call ``main`` in this process and capture its output."""

    def call(*args) -> Result:
        status = main([str(a) for a in args])
        out, err = capsys.readouterr()
        return Result(status, out, err)

    return call


@dataclass
class Pets:
    """The pets CSV, a model ``chainrule train`` made of it, and the facts they were made from."""

    csv: Path
    model: Path
    centres: dict
    per_class: int


@pytest.fixture(scope="module")
def pets_model(tmp_path_factory) -> Pets:
    """The pets CSV and a model trained on it by ``chainrule train --out``."""
    folder = tmp_path_factory.mktemp("pets")
    csv_path = _write_pets_csv(folder / "pets.csv")
    model = folder / "pets.npz"
    status = main(["train", str(csv_path), "--epochs", "30", "--lr", "0.01", "--quiet",
                   "--out", str(model)])
    assert status == 0 and model.is_file()
    return Pets(csv_path, model, {"cat": CAT, "dog": DOG}, PETS_PER_CLASS)


@pytest.fixture(autouse=True)
def _in_tmp_path(tmp_path, monkeypatch):
    """Run every test in its own folder, so a default output path lands there."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
