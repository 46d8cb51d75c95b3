"""One measurement in a fresh process: one workload, one engine.

``run.py`` starts ``python benchmarks/worker.py '<job as JSON>'`` for every pair, so
no engine inherits another's thread pools, allocator caches or memory high-water
mark. The worker prints its result as one JSON line on stdout.

The job is ``{"workload": key, "engine": name, "quick": bool, "repeats": int|null}``
with ``name`` one of ``chainrule``, ``pytorch``, ``sklearn``, ``floor`` (the numpy
floor, ``floor.py``), ``blas`` (the numpy.matmul bound) or ``torch_blas`` (the same
products through torch.matmul).

Order of events: imports, data, initial weights, a warm-up (one short epoch on the
first 16 batches, from a throwaway copy), then the memory baseline, then
``repeats`` timed runs, each from fresh initial weights and a fresh optimizer.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import time
from collections.abc import Callable
from typing import Any

from workloads import Workload, make_data, resolve

__all__ = ["run_job"]

ENGINES = ("chainrule", "pytorch", "sklearn")


def _runner(engine: str) -> Any:
    """The module or object whose ``*_session`` functions drive ``engine``."""
    if engine == "chainrule":
        import chainrule_runner

        return chainrule_runner
    if engine == "pytorch":
        from peers import TorchRunner

        return TorchRunner()
    if engine == "sklearn":
        from peers import SklearnRunner

        return SklearnRunner()
    if engine == "floor":
        import floor

        return floor
    raise ValueError(f"engine must be one of {ENGINES}, 'floor', 'blas' or 'torch_blas'; "
                     f"got {engine!r}")


def _data(w: Workload) -> dict:
    if w.kind != "accuracy":
        X, y = make_data(w)
        return {"X": X, "y": y}

    from fashion_mnist import load_fashion_mnist

    X, y, X_test, y_test = load_fashion_mnist()
    n = w.n_samples
    return {"X": X[:n].copy(), "y": y[:n].copy(), "X_test": X_test, "y_test": y_test}


def _session(runner: Any, w: Workload, init: list, data: dict) -> Callable[[], Any]:
    if w.kind == "infer":
        return runner.infer_session(w, init, data["X"])
    if w.kind == "accuracy":
        return runner.accuracy_session(w, init, data["X"], data["y"], data["X_test"],
                                       data["y_test"])
    return runner.train_session(w, init, data["X"], data["y"])


def _threads() -> dict:
    """The thread counts in force: numpy's BLAS pool(s), and PyTorch's if loaded."""
    info: dict = {}
    try:
        from threadpoolctl import threadpool_info

        info["blas"] = [
            {"library": p.get("internal_api"), "threads": p.get("num_threads")}
            for p in threadpool_info() if p.get("user_api") == "blas"
        ]
    except ImportError:
        info["blas"] = "threadpoolctl not installed"
    if "torch" in sys.modules:
        info["torch"] = sys.modules["torch"].get_num_threads()
    return info


def run_job(job: dict) -> dict:
    """Measure one workload on one engine; see the module docstring for the steps."""
    w = resolve(job["workload"], job.get("quick", False), job.get("repeats"))
    result = {"workload": w.key, "engine": job["engine"], "repeats": w.repeats,
              "n_samples": w.n_samples, "load_before": os.getloadavg()}

    if job["engine"] in ("blas", "torch_blas"):
        import blas_bound

        result.update(blas_bound.measure(w, "torch" if job["engine"] == "torch_blas"
                                         else "numpy"))
        result.update(threads=_threads(), load_after=os.getloadavg())
        return result

    from chainrule_runner import initial_parameters
    from memory import PeakMemory

    runner = _runner(job["engine"])
    data = _data(w)
    init = initial_parameters(w)

    warm = slice(0, 16 * w.batch_size)
    if w.kind == "infer":
        runner.infer_session(w, init, data["X"][warm])()
    else:
        runner.train_session(w, init, data["X"][warm], data["y"][warm])()

    gc.collect()
    meter = PeakMemory()
    meter.start()
    seconds, runs = [], []
    for _ in range(w.repeats):
        run = _session(runner, w, init, data)
        start = time.perf_counter()
        outcome = run()
        elapsed = time.perf_counter() - start
        if isinstance(outcome, dict):
            runs.append(outcome)
            elapsed = outcome["seconds"]
        seconds.append(elapsed)
        del run, outcome
        gc.collect()

    result.update(
        seconds=seconds,
        peak_mib=meter.peak_mib(),
        baseline_mib=meter.baseline_mib(),
        peak_reset=meter.reset_ok,
        data_mib=sum(a.nbytes for a in data.values()) / 2**20,
        threads=_threads(),
        load_after=os.getloadavg(),
    )
    if runs:
        result["runs"] = runs
    return result


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: worker.py '<job as JSON>'", file=sys.stderr)
        return 2
    result = run_job(json.loads(argv[1]))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
