"""Benchmark chainrule against PyTorch and scikit-learn: ``python benchmarks/run.py``.

Every (workload, engine) pair, and the BLAS bound of each workload, runs in a fresh
process (``worker.py``), one after another, so the engines never share a core or a
thread pool. The results go to ``OUT/results.json`` and ``OUT/results.md``, and the
Markdown is printed. See ``benchmarks/README.md`` for what is measured and how.

Examples::

    python benchmarks/run.py                       # everything, the full sizes
    python benchmarks/run.py --quick               # smoke run, under a minute
    python benchmarks/run.py --workloads a,d --repeats 3 --out /tmp/bench
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import report
from workloads import expand, resolve

HERE = Path(__file__).resolve().parent
WORKER = HERE / "worker.py"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Time chainrule, PyTorch and scikit-learn on the same MLP workloads.",
    )
    parser.add_argument("--quick", action="store_true",
                        help="a tenth of the data, one repetition: a smoke run (< 1 min)")
    parser.add_argument("--workloads", default="a,b,c,d,e",
                        help="comma-separated: a (a-sgd and a-adam), a-sgd, a-adam, b, c, d, e")
    parser.add_argument("--engines", default="chainrule,pytorch,sklearn",
                        help="comma-separated subset of chainrule, pytorch, sklearn")
    parser.add_argument("--repeats", type=int, default=None,
                        help="timed repetitions per engine (default 5; 3 for e; 1 if --quick)")
    parser.add_argument("--out", type=Path, default=None,
                        help="folder for results.json and results.md "
                             "(default benchmarks/results, or benchmarks/results/quick)")
    parser.add_argument("--timeout", type=float, default=1800,
                        help="seconds one worker may run before it is stopped")
    args = parser.parse_args(argv)

    try:
        args.workloads = expand(args.workloads)
    except ValueError as exc:
        parser.error(str(exc))
    args.engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = sorted(set(args.engines) - set(report.ENGINES))
    if unknown:
        parser.error(f"--engines must name {list(report.ENGINES)}; got {unknown}")
    if args.repeats is not None and args.repeats < 1:
        parser.error(f"--repeats must be >= 1; got {args.repeats}")
    if args.out is None:
        args.out = HERE / "results" / ("quick" if args.quick else "")
    return args


def _machine_busy_seconds() -> float | None:
    """CPU seconds all cores have spent busy since boot (``/proc/stat``), steal included."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    except (OSError, ValueError):
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    busy = user + nice + system + irq + softirq + steal
    return busy / os.sysconf("SC_CLK_TCK")


def _children_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def others_share(seconds: float = 1.0) -> float | None:
    """The share of all cores that other processes keep busy, sampled over ``seconds``."""
    before = _machine_busy_seconds()
    time.sleep(seconds)
    after = _machine_busy_seconds()
    if before is None or after is None:
        return None
    return (after - before) / (seconds * (os.cpu_count() or 1))


def run_worker(job: dict, timeout: float) -> dict:
    """Run one job in a fresh Python process; return its result or ``{"error": ...}``.

    The result gains ``others_share``: the share of all cores that processes other
    than the worker kept busy while it ran (0 on an idle machine).
    """
    busy, children, start = _machine_busy_seconds(), _children_seconds(), time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, str(WORKER), json.dumps(job)],
            capture_output=True, text=True, timeout=timeout, check=False,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:g} s"}
    if done.returncode != 0:
        last = done.stderr.strip().splitlines()[-1:]
        return {"error": last[0] if last else f"exit status {done.returncode}"}
    result = json.loads(done.stdout.strip().splitlines()[-1])
    wall = time.perf_counter() - start
    if busy is not None:
        others = _machine_busy_seconds() - busy - (_children_seconds() - children)
        result["others_share"] = max(others, 0.0) / (wall * (os.cpu_count() or 1))
    return result


def _fmt_share(share: float | None) -> str:
    return "?" if share is None else f"{100 * share:.0f}%"


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    machine = report.machine_info()
    machine["others_share_before"] = others_share()
    if (machine["others_share_before"] or 0.0) > 0.10:
        _say(f"note: other processes keep {100 * machine['others_share_before']:.0f}% of the "
             "CPUs busy, so the timings will be noisy")

    started = time.perf_counter()
    summaries = {}
    for key in args.workloads:
        w = resolve(key, args.quick, args.repeats)
        references = [] if w.kind == "accuracy" else list(report.REFERENCES)
        engines = list(args.engines) + references
        raw = {}
        for engine in engines:
            job = {"workload": key, "engine": engine, "quick": args.quick,
                   "repeats": args.repeats}
            raw[engine] = run_worker(job, args.timeout)
            if "error" in raw[engine]:
                _say(f"{key:7s} {engine:10s} error: {raw[engine]['error']}")
            else:
                seconds = raw[engine]["seconds"]
                others = raw[engine].get("others_share")
                _say(f"{key:7s} {engine:10s} {statistics.median(seconds):8.3f} s, "
                     f"median of {len(seconds)}; others used {_fmt_share(others)} of the CPUs")
        summaries[key] = report.summarize(w, raw)

    machine["load_after"] = os.getloadavg()
    result = {
        "quick": args.quick,
        "machine": machine,
        "wall_seconds": time.perf_counter() - started,
        "workloads": summaries,
        "targets": report.check_targets(summaries),
    }
    json_path, md_path = report.write(result, args.out)
    print(report.markdown(result))
    _say(f"wrote {json_path} and {md_path} in {result['wall_seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
