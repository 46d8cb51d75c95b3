"""Where chainrule's training step spends its time: ``python benchmarks/profile_engine.py``.

Three views, printed as Markdown (the findings in ``README.md`` come from them):

1. **Phases.** The statements of ``Trainer._step`` run one by one with a clock
   between them: gather, feed forward (GEMM + bias + activation), loss, backward
   (steps 3 and 4), parameter gradients (step 5), optimizer, bookkeeping. The
   set-up every ``fit`` call does first (input checks, one-hot) is timed too.
2. **Inside the phases.** The engine's own expressions at the workload's shapes,
   each timed alone (GEMM without and with the bias, the activation, ...), so the
   GEMM share can be told from the element-wise and the allocation share.
3. **Candidates.** Each change recommended in ``README.md`` next to the expression it
   would replace, on the same shapes, with the time it would save per step.

For the inference workload (d) it splits one ``predict_proba`` batch instead.

It mirrors ``Trainer._step`` statement for statement; if the trainer changes, change
``_phases`` with it. Use ``--workloads a-sgd,b`` and ``--steps N`` to choose. Run it on
an idle machine: with another process on one of the two cores, BLAS and PyTorch
threads stall and the shares mean nothing.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from collections.abc import Callable

import numpy as np
from chainrule_runner import initial_parameters
from workloads import Workload, expand, make_data, resolve

from chainrule import Network, Trainer
from chainrule.activations import Activation
from chainrule.validation import check_features

PHASES = ("gather", "forward", "loss", "backward", "gradients", "optimizer", "bookkeeping")


def _network(w: Workload) -> Network:
    net = Network(list(w.sizes), activation=w.activation, loss="cross_entropy",
                  seed=w.seed, dtype="float32")
    for layer, (W, b) in zip(net.layers, initial_parameters(w)):
        layer.W, layer.b = W, b
    return net


def _phases(trainer: Trainer, steps: int) -> dict[str, list[float]]:
    """Run ``steps`` steps of ``Trainer._step``, timing each of its statements' groups."""
    net, clock = trainer.net, time.perf_counter
    spent: dict[str, list[float]] = {name: [] for name in PHASES}
    trainer._begin_epoch()
    for _ in range(steps):
        if trainer.step_in_epoch == trainer.steps_per_epoch:
            trainer._begin_epoch()
        t0 = clock()
        start = trainer.step_in_epoch * trainer.batch_size
        rows = trainer.order[start:start + trainer.batch_size]
        X = trainer.X.take(rows, axis=0)
        Y = trainer.Y.take(rows, axis=0)
        t1 = clock()
        fp = net._feed_forward(X)
        t2 = clock()
        loss = net.loss_fn.value(fp.z[-1], fp.a[-1], Y)
        finite = math.isfinite(loss)
        t3 = clock()
        delta = net.backward(fp, Y)
        t4 = clock()
        grads = net.parameter_gradients(fp, delta)
        t5 = clock()
        trainer.optimizer.step(net.parameters(), [g for pair in grads for g in pair])
        t6 = clock()
        trainer.epoch_loss_sum += loss * len(rows)
        trainer.epoch_seen += len(rows)
        predicted = fp.a[-1].argmax(axis=1)
        trainer.epoch_correct += int((predicted == trainer.labels[rows]).sum())
        trainer.step_in_epoch += 1
        t7 = clock()

        if not finite:
            raise RuntimeError(f"the profiled training diverged: loss {loss}")
        stamps = (t0, t1, t2, t3, t4, t5, t6, t7)
        for name, begin, end in zip(PHASES, stamps, stamps[1:]):
            spent[name].append(end - begin)
    return spent


def _clock(f: Callable[..., object], *args: object, repeats: int = 200) -> float:
    """Median seconds of one call ``f(*args)`` over ``repeats`` calls, after a warm-up."""
    for _ in range(10):
        f(*args)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        f(*args)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _product(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    return A @ B


def _affine(A: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    # The engine's forward line: z = a @ W.T + b.
    return A @ W.T + b


def _affine_into(A: np.ndarray, W: np.ndarray, b: np.ndarray, Z: np.ndarray) -> None:
    np.matmul(A, W.T, out=Z)
    np.add(Z, b, out=Z)


def _setup(w: Workload, X: np.ndarray, y: np.ndarray) -> str:
    """One sentence: what building the ``Trainer`` (done by every ``fit`` call) costs."""
    net = _network(w)

    def build() -> Trainer:
        return Trainer(net, X, y, batch_size=w.batch_size, optimizer=w.optimizer, lr=w.lr)

    total = _clock(build, repeats=5)
    finite = _clock(lambda: np.isfinite(X).all(), repeats=5)
    targets = _clock(net.encode_targets, y, repeats=5)
    return (f"Each `fit` call first builds its `Trainer`: {total * 1e3:.1f} ms, of which "
            f"`np.isfinite(X).all()` takes {finite * 1e3:.1f} ms (and a {X.size / 2**20:.0f} "
            f"MiB bool temporary) and the one-hot `Y` {targets * 1e3:.1f} ms.")


def inference_table(w: Workload) -> list[str]:
    """Workload (d): one ``predict_proba`` batch, split like the forward pass."""
    net = _network(w)
    X, _ = make_data(w, w.batch_size)
    fp = net._feed_forward(X)
    gemm = sum(_clock(_product, fp.a[l - 1], layer.W.T)
               for l, layer in enumerate(net.layers, start=1))
    affine = sum(_clock(_affine, fp.a[l - 1], layer.W, layer.b)
                 for l, layer in enumerate(net.layers, start=1))
    act = sum(_clock(layer.activation.forward, fp.z[l])
              for l, layer in enumerate(net.layers, start=1))
    rows = [
        ("`net.predict_proba(X)`, all of it", _clock(net.predict_proba, X)),
        ("`check_features` (asarray, `isfinite(X).all()`)",
         _clock(check_features, X, net.sizes[0], net.dtype)),
        ("`_feed_forward`", _clock(net._feed_forward, X)),
        ("GEMMs `a @ W.T`", gemm),
        ("`+ b`", affine - gemm),
        ("activations (ReLU, softmax)", act),
    ]
    lines = [f"### {w.title}: {w.architecture}, batch {w.batch_size}", "",
             "| part of one batch | µs |", "|---|---:|"]
    return lines + [f"| {name} | {t * 1e6:,.1f} |" for name, t in rows]


def phase_table(w: Workload, steps: int) -> tuple[list[str], dict[str, float]]:
    """View 1: the share of each phase of the step, and the per-epoch set-up."""
    X, y = make_data(w)
    trainer = Trainer(_network(w), X, y, batch_size=w.batch_size, optimizer=w.optimizer,
                      lr=w.lr, epochs=1, seed=w.seed)
    _phases(trainer, min(steps, 20))
    spent = _phases(trainer, steps)

    medians = {name: statistics.median(times) for name, times in spent.items()}
    total = sum(medians.values())
    step_count = len(range(0, w.n_samples, w.batch_size))
    summary = (f"Median of {steps} steps: {total * 1e6:,.0f} µs per step; one epoch of "
               f"{step_count} steps ≈ {total * step_count:.3f} s. " + _setup(w, X, y))
    lines = [
        f"### {w.title}: {w.architecture} {w.activation}, batch {w.batch_size}, {w.optimizer}",
        "",
        summary,
        "",
        "| phase | µs per step | share |",
        "|---|---:|---:|",
    ]
    lines += [f"| {name} | {t * 1e6:,.1f} | {100 * t / total:.0f}% |"
              for name, t in medians.items()]
    return lines, medians


def inside_table(w: Workload) -> tuple[list[str], float]:
    """View 2: the engine's expressions alone, on this workload's shapes (one step)."""
    net = _network(w)
    X, y = make_data(w, w.batch_size)
    Y = net.encode_targets(y)
    fp = net._feed_forward(X)
    delta = net.backward(fp, Y)
    rows: list[tuple[str, float]] = []

    gemm = bias = act = 0.0
    for l, layer in enumerate(net.layers, start=1):
        A, W, b, z = fp.a[l - 1], layer.W, layer.b, fp.z[l]
        gemm += _clock(_product, A, W.T)
        bias += _clock(_affine, A, W, b) - _clock(_product, A, W.T)
        act += _clock(layer.activation.forward, z)
    rows += [("forward: GEMMs `a @ W.T`", gemm), ("forward: `+ b` (a new array)", bias),
             ("forward: activations (softmax last)", act)]

    rows.append(("loss: `CrossEntropy.value`",
                 _clock(lambda: net.loss_fn.value(fp.z[-1], fp.a[-1], Y))))
    out = net.layers[-1].activation
    rows.append(("step 3: `(a - y) / m`",
                 _clock(lambda: net.loss_fn.output_delta(fp.z[-1], fp.a[-1], Y, out))))

    gemm = act = 0.0
    for l in range(len(net.layers) - 1, 0, -1):
        W_next, sigma = net.layers[l].W, net.layers[l - 1].activation
        D, z, a = delta[l + 1], fp.z[l], fp.a[l]
        gemm += _clock(_product, D, W_next)
        act += _clock(sigma.backprop, z, a, D @ W_next)
    rows += [("step 4: GEMMs `delta @ W`", gemm), ("step 4: `σ.backprop`", act)]

    gemm = bsum = 0.0
    for l in range(1, len(net.layers) + 1):
        D, A = delta[l], fp.a[l - 1]
        gemm += _clock(_product, D.T, A)
        bsum += _clock(np.sum, D, 0)
    rows += [("step 5: GEMMs `delta.T @ a`", gemm), ("step 5: `delta.sum(axis=0)`", bsum)]

    grads = [g for pair in net.parameter_gradients(fp, delta) for g in pair]
    params = [p.copy() for p in net.parameters()]
    opt = Trainer(net, X, y, optimizer=w.optimizer, lr=w.lr).optimizer
    rows.append((f"optimizer: `{type(opt).__name__}.step`",
                 _clock(lambda: opt.step(params, grads))))

    lines = ["", "| expression (one step) | µs |", "|---|---:|"]
    lines += [f"| {name} | {t * 1e6:,.1f} |" for name, t in rows]
    return lines, sum(t for _, t in rows)


def _adam_fused(theta: np.ndarray, g: np.ndarray, m: np.ndarray, v: np.ndarray, t: int,
                scratch: np.ndarray, step: np.ndarray, lr: float = 1e-3) -> None:
    """Adam._update's arithmetic in its order, every result written into a buffer.

    ``math.sqrt`` keeps the bias correction a Python float: ``np.sqrt`` of a float
    returns a float64 scalar, which (NumPy 2 promotion) makes the whole step float64.
    """
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    np.subtract(g, m, out=scratch)
    scratch *= 1.0 - beta1
    m += scratch
    v *= beta2
    np.multiply(g, 1.0 - beta2, out=scratch)
    scratch *= g
    v += scratch
    np.sqrt(v, out=scratch)
    scratch /= math.sqrt(1.0 - beta2**t)
    scratch += eps
    np.multiply(m, lr / (1.0 - beta1**t), out=step)
    step /= scratch
    theta -= step


def _activation_candidates(w: Workload, fp) -> list[tuple[str, float, float]]:
    """:func:`_layer_candidates` summed over every hidden layer of the step."""
    layers = [_layer_candidates(w, fp.z[l], fp.a[l]) for l in range(1, len(fp.z) - 1)]
    return [(name + ", all hidden layers", sum(rows[i][1] for rows in layers),
             sum(rows[i][2] for rows in layers)) for i, (name, _, _) in enumerate(layers[0])]


def _layer_candidates(w: Workload, z: np.ndarray, a: np.ndarray
                      ) -> list[tuple[str, float, float]]:
    """The hidden activation's forward and backprop on one layer, now and into buffers."""
    g = np.random.default_rng(2).standard_normal(z.shape, dtype=np.float32)
    sigma = _network(w).layers[0].activation
    build = {"relu": _relu_rows, "tanh": _tanh_rows, "sigmoid": _sigmoid_rows}[w.activation]
    return build(sigma, z, a, g)


def _relu_rows(sigma: Activation, z: np.ndarray, a: np.ndarray, g: np.ndarray
               ) -> list[tuple[str, float, float]]:
    buf, mask = np.empty_like(z), np.empty(z.shape, dtype=bool)

    def back_new() -> None:
        np.greater(z, 0, out=mask)
        np.multiply(g, mask, out=buf)

    return [
        ("ReLU.forward: `maximum(z, 0.0)` → `maximum(z, 0, out=a)`",
         _clock(sigma.forward, z), _clock(lambda: np.maximum(z, 0, out=buf))),
        ("ReLU.backprop: `where(z > 0, g, 0.0).astype` → `multiply(g, z > 0, out=)`",
         _clock(sigma.backprop, z, a, g), _clock(back_new)),
    ]


def _tanh_rows(sigma: Activation, z: np.ndarray, a: np.ndarray, g: np.ndarray
               ) -> list[tuple[str, float, float]]:
    buf = np.empty_like(z)

    def back_new() -> None:
        np.multiply(a, a, out=buf)
        np.subtract(1.0, buf, out=buf)
        np.multiply(buf, g, out=buf)

    return [
        ("Tanh.forward: `tanh(z)` → `tanh(z, out=a)`",
         _clock(sigma.forward, z), _clock(lambda: np.tanh(z, out=buf))),
        ("Tanh.backprop: `g * (1 - a * a)` → the same into one buffer",
         _clock(sigma.backprop, z, a, g), _clock(back_new)),
    ]


def _sigmoid_rows(sigma: Activation, z: np.ndarray, a: np.ndarray, g: np.ndarray
                  ) -> list[tuple[str, float, float]]:
    buf, e, mask = np.empty_like(z), np.empty_like(z), np.empty(z.shape, dtype=bool)

    def forward_new() -> None:
        # Bit for bit the engine's sigmoid, without np.where (slow here: ~2.5 ns per
        # element against ~0.4 for arithmetic): the numerator e (z < 0) or 1 (z >= 0)
        # is built exactly as e * [z < 0] + [z >= 0], then divided by 1 + e.
        np.abs(z, out=e)
        np.negative(e, out=e)
        np.exp(e, out=e)
        np.less(z, 0, out=mask)
        np.multiply(e, mask, out=buf)
        np.logical_not(mask, out=mask)
        np.add(buf, mask, out=buf)
        np.add(e, 1.0, out=e)
        np.divide(buf, e, out=buf)

    def forward_plain() -> None:
        # 1 / (1 + e^-z): as exact for every normal result; rounds to 0 below z = -87
        # (instead of a subnormal), where e^-z overflows.
        with np.errstate(over="ignore"):
            np.negative(z, out=e)
            np.exp(e, out=e)
            np.add(e, 1.0, out=e)
            np.reciprocal(e, out=buf)

    def back_new() -> None:
        np.subtract(1.0, a, out=buf)
        np.multiply(buf, a, out=buf)
        np.multiply(buf, g, out=buf)

    now = _clock(sigma.forward, z)
    return [
        ("Sigmoid.forward: `where(z >= 0, ...)` → the same bits from 9 ufuncs, no `where`",
         now, _clock(forward_new)),
        ("Sigmoid.forward: `where(z >= 0, ...)` → `1 / (1 + exp(-z))` into a buffer",
         now, _clock(forward_plain)),
        ("Sigmoid.backprop: `g * (a * (1 - a))` → the same into one buffer",
         _clock(sigma.backprop, z, a, g), _clock(back_new)),
    ]


def _loss_candidate(net: Network, z: np.ndarray, a: np.ndarray, Y: np.ndarray
                    ) -> tuple[str, float, float]:
    """The loss from what the softmax already computed, still exact from the logits."""
    labels = Y.argmax(axis=1)
    rows = np.arange(z.shape[0])
    # What Softmax.forward computes anyway: the shifted logits and the row sums.
    shifted = z - z.max(axis=1, keepdims=True)
    row_sum = np.exp(shifted).sum(axis=1)

    def fused() -> float:
        # C = mean(log Σ_k e^(z_k - max) - (z_y - max)): no second exp, no one-hot product.
        return float(np.mean(np.log(row_sum) - shifted[rows, labels]))

    return ("loss: `log_sum_exp(z) - sum(y * z)` → softmax's row sums and `z[r, y_r]`",
            _clock(net.loss_fn.value, z, a, Y), _clock(fused))


def _flat(shapes: list[tuple[int, ...]], rng: np.random.Generator
          ) -> tuple[np.ndarray, list[np.ndarray]]:
    """One flat float32 buffer and a view of it for every parameter shape."""
    flat = rng.standard_normal(sum(int(np.prod(s)) for s in shapes), dtype=np.float32)
    views, at = [], 0
    for shape in shapes:
        size = int(np.prod(shape))
        views.append(flat[at:at + size].reshape(shape))
        at += size
    return flat, views


def _optimizer_candidates(w: Workload, net: Network, fp, Y: np.ndarray
                          ) -> list[tuple[str, float, float]]:
    """The optimizer's step per array, against one fused update of a flat buffer."""
    rng = np.random.default_rng(3)
    shapes = [p.shape for p in net.parameters()]
    theta, theta_views = _flat(shapes, rng)
    g, g_views = _flat(shapes, rng)
    m, v = np.zeros_like(theta), np.zeros_like(theta)
    scratch, step = np.empty_like(theta), np.empty_like(theta)
    opt = Trainer(net, fp.a[0], Y, optimizer=w.optimizer, lr=w.lr).optimizer
    opt.step(theta_views, g_views)
    now = _clock(opt.step, theta_views, g_views)

    if w.optimizer == "adam":
        v += np.abs(g)
        rows = [("Adam.step per array → `_adam_fused` on one flat buffer",
                 now, _clock(_adam_fused, theta, g, m, v, 10, scratch, step))]
        per_array = [(t, d, np.zeros_like(t), np.abs(d), 10, np.empty_like(t),
                      np.empty_like(t)) for t, d in zip(theta_views, g_views)]
        rows.append(("Adam.step per array → `_adam_fused` per array (no flat buffer)", now,
                     _clock(lambda: [_adam_fused(*p) for p in per_array])))
        return rows

    def sgd_flat() -> None:
        np.multiply(g, w.lr, out=scratch)
        np.subtract(theta, scratch, out=theta)

    rows = [("SGD.step per array → `theta -= lr * g` once on a flat buffer",
             now, _clock(sgd_flat))]
    try:
        from scipy.linalg.blas import sgemm
    except ImportError:
        return rows

    W = net.layers[0].W.copy()
    delta_1 = rng.standard_normal((fp.a[0].shape[0], W.shape[0]), dtype=np.float32)
    A = fp.a[0]

    def gemm_then_update() -> None:
        grad_W = delta_1.T @ A
        W[...] -= w.lr * grad_W

    def one_gemm() -> None:
        # W.T (Fortran order) += -eta * A.T @ delta: BLAS's alpha and beta do the update.
        sgemm(-w.lr, A.T, delta_1.T, beta=1.0, c=W.T, trans_b=1, overwrite_c=1)

    rows.append(("layer 1: `grad_W = delta.T @ a; W -= lr * grad_W` → one sgemm (α=-η, β=1)",
                 _clock(gemm_then_update), _clock(one_gemm)))
    return rows


def candidates_table(w: Workload) -> list[str]:
    """View 3: recommended replacements, timed against what the engine does now."""
    net = _network(w)
    X_all, y_all = make_data(w, 4 * w.batch_size)
    rows_idx = np.random.default_rng(1).permutation(X_all.shape[0])[:w.batch_size]
    X = X_all[rows_idx]
    Y = net.encode_targets(y_all[rows_idx])
    fp = net._feed_forward(X)
    m = w.batch_size
    out: list[tuple[str, float, float]] = []

    buf = np.empty_like(X)
    out.append(("gather: `X.take(rows, axis=0)` → `np.take(..., out=buffer, mode='clip')`",
                _clock(lambda: X_all.take(rows_idx, axis=0)),
                _clock(lambda: np.take(X_all, rows_idx, axis=0, out=buf, mode="clip"))))

    fwd_now = fwd_new = 0.0
    for l, layer in enumerate(net.layers, start=1):
        A, W, b = fp.a[l - 1], layer.W, layer.b
        Z = np.empty((m, layer.n_out), dtype=np.float32)
        fwd_now += _clock(_affine, A, W, b)
        fwd_new += _clock(_affine_into, A, W, b, Z)
    out.append(("forward: `a @ W.T + b` → `matmul(out=z); z += b`", fwd_now, fwd_new))

    out += _activation_candidates(w, fp)
    out.append(_loss_candidate(net, fp.z[-1], fp.a[-1], Y))

    delta = net.backward(fp, Y)
    ones = np.ones(m, dtype=np.float32)
    out.append(("step 5: `delta.sum(axis=0)` → `ones @ delta` (a GEMV), every layer",
                sum(_clock(np.sum, d, 0) for d in delta[1:]),
                sum(_clock(_product, ones, d) for d in delta[1:])))
    out += _optimizer_candidates(w, net, fp, Y)
    X_full, _ = make_data(w)
    temp = f"{X_full.size / 2**20:.1f} MiB"
    out.append((f"`fit`'s `isfinite(X).all()` → `isfinite(X.min() + X.max())`: no {temp} temp",
                _clock(lambda: np.isfinite(X_full).all(), repeats=5),
                _clock(lambda: np.isfinite(X_full.min() + X_full.max()), repeats=5)))

    lines = ["", "| change | now µs | then µs | saved µs |", "|---|---:|---:|---:|"]
    return lines + [f"| {name} | {a * 1e6:,.1f} | {b * 1e6:,.1f} | {(a - b) * 1e6:,.1f} |"
                    for name, a, b in out]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workloads", default="a-sgd,a-adam,b,c,d")
    parser.add_argument("--steps", type=int, default=300)
    args = parser.parse_args(argv)

    for key in expand(args.workloads):
        w = resolve(key)
        if w.kind == "infer":
            print("\n".join(inference_table(w)) + "\n", flush=True)
        if w.kind != "train":
            continue
        phases, medians = phase_table(w, args.steps)
        inside, expressions = inside_table(w)
        engine_part = sum(medians.values()) - medians["gather"] - medians["bookkeeping"]
        glue = engine_part - expressions
        note = (f"\nThe expressions alone add up to {expressions * 1e6:,.1f} µs of the "
                f"{engine_part * 1e6:,.1f} µs spent from forward to optimizer: "
                f"{glue * 1e6:,.1f} µs ({100 * glue / sum(medians.values()):.0f}% of the step) "
                "is the rest: the Python around them (calls, lists, the `ForwardPass`) and "
                "running them in sequence rather than alone (caches cold from the phase "
                "before, BLAS threads waking).")
        lines = phases + inside + [note] + candidates_table(w)
        print("\n".join(lines) + "\n", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
