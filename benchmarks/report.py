"""From raw worker results to the numbers of the issue, a Markdown table and JSON.

Definitions (``t`` is the median over the repetitions of one engine):

* samples per second: ``n / t``, ``n`` the samples of one epoch (or inference pass);
* ratio to a peer: chainrule's samples per second over the peer's (above 1: chainrule
  is faster); for (e), the peer's time to the target over chainrule's. The speed table
  gives it for every row, references included;
* GFLOP/s: the workload's matrix-product FLOPs (see ``workloads.py``) over ``t``;
* fraction of the BLAS bound: the bound's median time over the engine's ``t``;
* peak memory: RSS high-water mark above the baseline that already holds the data
  (see ``memory.py``);
* ceiling of a ratio target: the peer's time over the BLAS bound's, the ratio
  chainrule would reach if it did nothing but the GEMMs; and the peer's time over the
  numpy floor's (``floor.py``), the ratio of a numpy engine with no overhead of its own.

Reference rows, timed like the engines: the numpy floor, the numpy.matmul bound, and
the same products through torch.matmul (PyTorch's BLAS).

``python benchmarks/report.py benchmarks/results/results.json`` re-renders the Markdown.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import json
import os
import platform
import statistics
from pathlib import Path

from workloads import Workload, epoch_flops

__all__ = ["ENGINES", "REFERENCES", "TARGETS", "check_targets", "machine_info",
           "summarize", "write"]

ENGINES = ("chainrule", "pytorch", "sklearn")
PEERS = ("pytorch", "sklearn")
REFERENCES = ("floor", "blas", "torch_blas")
LABELS = {"chainrule": "chainrule", "pytorch": "PyTorch", "sklearn": "scikit-learn",
          "floor": "numpy floor (floor.py)", "blas": "numpy.matmul bound",
          "torch_blas": "torch.matmul, same GEMMs"}

#: The issue's targets: minimum ratios, a minimum BLAS fraction, a memory ceiling in MiB.
TARGETS = {
    "a-sgd": {"vs_pytorch": 1.25, "vs_sklearn": 2.0, "blas_fraction": 0.9, "peak_mib": 64},
    "a-adam": {"vs_pytorch": 1.25, "vs_sklearn": 2.0, "blas_fraction": 0.9, "peak_mib": 64},
    "b": {"vs_pytorch": 10.0},
    "c": {"vs_pytorch": 1.5},
    "d": {"vs_pytorch": 1.25},
    "e": {"vs_pytorch": 2.0, "vs_sklearn": 2.0},
}


def _engine_summary(w: Workload, raw: dict, blas_s: float | None) -> dict:
    if "error" in raw:
        return {"error": raw["error"]}
    t = statistics.median(raw["seconds"])
    entry = {
        "median_s": t,
        "seconds": raw["seconds"],
        "peak_mib": raw.get("peak_mib"),
        "data_mib": raw.get("data_mib"),
        "threads": raw.get("threads"),
        "others_share": raw.get("others_share"),
    }
    if w.kind == "accuracy":
        runs = raw.get("runs", [])
        last = runs[-1] if runs else {"epochs": None, "accuracy": [None]}
        entry.update(epochs=last["epochs"], accuracy=last["accuracy"],
                     reached=bool(runs) and all(r["accuracy"][-1] >= w.target for r in runs))
        return entry
    entry.update(samples_per_s=w.n_samples / t, gflops=epoch_flops(w) / t / 1e9)
    entry["blas_fraction"] = blas_s / t if blas_s else None
    return entry


def summarize(w: Workload, raw: dict) -> dict:
    """Turn the raw results of one workload (by engine name) into the reported numbers."""
    blas = raw.get("blas")
    blas_s = statistics.median(blas["seconds"]) if blas and "seconds" in blas else None
    engines = {name: _engine_summary(w, raw[name], blas_s) for name in ENGINES if name in raw}

    ratios, lower_bounds = {}, []
    ours = engines.get("chainrule", {})
    for peer in PEERS:
        theirs = engines.get(peer, {})
        if "median_s" not in ours or "median_s" not in theirs:
            continue
        if w.kind == "accuracy" and not ours["reached"]:
            ratios[f"vs_{peer}"] = None
            continue
        if w.kind == "accuracy" and not theirs["reached"]:
            # The peer stopped at max_epochs short of the target: its time is a lower bound.
            lower_bounds.append(f"vs_{peer}")
        ratios[f"vs_{peer}"] = theirs["median_s"] / ours["median_s"]

    summary = {
        "title": w.title, "kind": w.kind, "architecture": w.architecture,
        "activation": w.activation, "batch_size": w.batch_size, "optimizer": w.optimizer,
        "lr": w.lr, "n_samples": w.n_samples, "repeats": w.repeats,
        "flops": epoch_flops(w) if w.kind != "accuracy" else None,
        "engines": engines, "ratios": ratios, "lower_bounds": lower_bounds,
    }
    if w.kind == "accuracy":
        summary.update(target=w.target, max_epochs=w.max_epochs)
    if blas_s:
        summary["blas"] = {
            "median_s": blas_s, "seconds": blas["seconds"], "gemms": blas["gemms"],
            "samples_per_s": w.n_samples / blas_s, "gflops": epoch_flops(w) / blas_s / 1e9,
            "others_share": blas.get("others_share"),
        }
    summary["references"] = {
        name: _engine_summary(w, raw[name], blas_s)
        for name in REFERENCES if name != "blas" and name in raw
    }
    return summary


def _ceiling(s: dict, metric: str) -> float | None:
    """The ratio chainrule would reach at 100% of the BLAS bound: the peer's time over it."""
    peer = s["engines"].get(metric.removeprefix("vs_"), {})
    if "blas" not in s or "median_s" not in peer:
        return None
    return peer["median_s"] / s["blas"]["median_s"]


def _floor_ceiling(s: dict, metric: str) -> float | None:
    """The ratio a numpy engine with no overhead of its own would reach: peer over floor."""
    peer = s["engines"].get(metric.removeprefix("vs_"), {})
    floor = s.get("references", {}).get("floor", {})
    if "median_s" not in floor or "median_s" not in peer:
        return None
    return peer["median_s"] / floor["median_s"]


def check_targets(summaries: dict) -> list[dict]:
    """One row per target of the issue: what was asked, what was measured, whether met.

    Ratio targets also get ``ceiling``, the ratio at 100% of the BLAS bound, and
    ``floor_ceiling``, the ratio at the numpy floor. A ceiling below the target means
    plain ``numpy.matmul`` calls (or the floor's minimal numpy loop) cannot meet it on
    this machine.
    """
    rows = []
    for key, goals in TARGETS.items():
        if key not in summaries:
            continue
        s = summaries[key]
        ours = s["engines"].get("chainrule", {})
        for metric, goal in goals.items():
            if metric == "peak_mib":
                value = ours.get("peak_mib")
                met = value is not None and value <= goal
            elif metric == "blas_fraction":
                value = ours.get("blas_fraction")
                met = value is not None and value >= goal
            else:
                value = s["ratios"].get(metric)
                met = value is not None and value >= goal
            ratio = metric.startswith("vs_")
            rows.append({"workload": key, "metric": metric, "target": goal, "value": value,
                         "lower_bound": metric in s.get("lower_bounds", []), "met": met,
                         "ceiling": _ceiling(s, metric) if ratio else None,
                         "floor_ceiling": _floor_ceiling(s, metric) if ratio else None})
    return rows


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _numpy_blas() -> str:
    import numpy as np

    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        return f"{blas.get('name')} {blas.get('version')}"
    except (KeyError, TypeError):  # show_config's layout differs across numpy versions
        return "unknown"


def machine_info() -> dict:
    """CPU, cores, library versions, numpy's BLAS and the current load average."""
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": _version("numpy"),
        "numpy_blas": _numpy_blas(),
        "torch": _version("torch"),
        "scikit-learn": _version("scikit-learn"),
        "chainrule": _version("chainrule"),
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "load_before": os.getloadavg(),
    }


def _fmt(value, spec: str = ".3g", none: str = "–") -> str:
    return none if value is None else format(value, spec)


def _speed_table(summaries: dict) -> list[str]:
    header = ("| workload | engine | median s | samples/s | GFLOP/s | × PyTorch "
              "| × scikit-learn | % of BLAS bound | peak MiB above data |")
    lines = [header, "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for s in summaries.values():
        if s["kind"] == "accuracy":
            continue
        rows = [(LABELS[name], e) for name, e in s["engines"].items()]
        references = dict(s.get("references", {}))
        if "blas" in s:
            references["blas"] = dict(s["blas"], blas_fraction=1.0, peak_mib=None)
        rows += [(f"*{LABELS[name]}*", references[name]) for name in REFERENCES
                 if name in references]
        for label, e in rows:
            if "error" in e:
                lines.append(f"| {s['title']} | {label} | error | | | | | | |")
                continue
            # Each row's speed against each peer: the peer's time over the row's.
            vs = [s["engines"].get(peer, {}).get("median_s") for peer in PEERS]
            vs = [_fmt(None if t is None else t / e["median_s"], ".2f") for t in vs]
            percent = None if e["blas_fraction"] is None else 100 * e["blas_fraction"]
            lines.append(
                f"| {s['title']} | {label} | {e['median_s']:.3f} "
                f"| {e['samples_per_s']:,.0f} | {e['gflops']:.1f} | {vs[0]} | {vs[1]} "
                f"| {_fmt(percent, '.0f')} | {_fmt(e.get('peak_mib'), '.1f')} |"
            )
    return lines


def _accuracy_table(summaries: dict) -> list[str]:
    rows = [s for s in summaries.values() if s["kind"] == "accuracy"]
    if not rows:
        return []
    lines = [
        "",
        ("| workload | engine | median s to target | epochs | s per epoch "
         "| test accuracy per epoch |"),
        "|---|---|---:|---:|---:|---|",
    ]
    for s in rows:
        for name, e in s["engines"].items():
            if "error" in e:
                lines.append(f"| {s['title']} | {LABELS[name]} | error | | | |")
                continue
            shown = ", ".join(f"{a:.3f}" for a in e["accuracy"])
            time = f"{e['median_s']:.2f}" if e["reached"] else f"not reached ({e['median_s']:.2f})"
            per_epoch = e["median_s"] / max(e["epochs"], 1)
            lines.append(f"| {s['title']} | {LABELS[name]} | {time} | {e['epochs']} "
                         f"| {per_epoch:.2f} | {shown} |")
    return lines


def _target_table(rows: list[dict], summaries: dict) -> list[str]:
    names = {"vs_pytorch": "× PyTorch", "vs_sklearn": "× scikit-learn",
             "blas_fraction": "fraction of BLAS bound", "peak_mib": "peak MiB above data"}
    lines = ["", ("| workload | measure | target | measured | met | at 100% of BLAS bound "
                  "| at the numpy floor |"),
             "|---|---|---:|---:|:-:|---:|---:|"]
    for r in rows:
        bound = "≤" if r["metric"] == "peak_mib" else "≥"
        value = ("> " if r.get("lower_bound") else "") + _fmt(r["value"], ".2f")
        lines.append(
            f"| {summaries[r['workload']]['title']} | {names[r['metric']]} "
            f"| {bound} {r['target']:g} | {value} | {'yes' if r['met'] else 'no'} "
            f"| {_fmt(r.get('ceiling'), '.2f')} | {_fmt(r.get('floor_ceiling'), '.2f')} |"
        )
    return lines


def markdown(result: dict) -> str:
    """The report as Markdown: machine, speed table, accuracy table, targets."""
    m = result["machine"]
    shares = [e.get("others_share") for s in result["workloads"].values()
              for e in [*s["engines"].values(), s.get("blas", {}),
                        *s.get("references", {}).values()]]
    shares = [x for x in shares + [m.get("others_share_before")] if x is not None]
    worst = max(shares, default=None)
    busy = worst is not None and worst > 0.10
    title = "# chainrule benchmark"
    if result["quick"]:
        title += " (quick smoke run: not a measurement)"
    load = "other processes' share of the CPUs during the measurements: " + (
        "unknown" if worst is None else f"at most {100 * worst:.0f}%")
    if busy:
        load += " — the machine was busy, so the numbers are noisy"
    head = [
        title,
        "",
        f"- machine: {m['cpu']}, {m['cores']} cores; {m['platform']}",
        (f"- Python {m['python']}, numpy {m['numpy']} ({m['numpy_blas']}), "
         f"torch {m['torch']}, scikit-learn {m['scikit-learn']}, chainrule {m['chainrule']}"),
        f"- {m['date']}; {load}",
        (f"- float32 everywhere; the median of each engine's repetitions; PyTorch on "
         f"{m['cores']} threads, numpy's BLAS on its default ({m['cores']})"),
        "",
    ]
    body = _speed_table(result["workloads"]) + _accuracy_table(result["workloads"])
    body += _target_table(result["targets"], result["workloads"])
    return "\n".join(head + body) + "\n"


def write(result: dict, out: Path) -> tuple[Path, Path]:
    """Write ``results.json`` and ``results.md`` into ``out``; return both paths."""
    out.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out / "results.json", out / "results.md"
    json_path.write_text(json.dumps(result, indent=2) + "\n")
    md_path.write_text(markdown(result))
    return json_path, md_path


def main(argv: list[str] | None = None) -> int:
    """Re-render ``results.md`` (and the target rows) from a ``results.json``."""
    parser = argparse.ArgumentParser(description="Re-render results.md from results.json.")
    parser.add_argument("results", type=Path, help="a results.json written by run.py")
    args = parser.parse_args(argv)
    result = json.loads(args.results.read_text())
    result["targets"] = check_targets(result["workloads"])
    write(result, args.results.parent)
    print(markdown(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
