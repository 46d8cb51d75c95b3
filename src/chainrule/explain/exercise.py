r"""``chainrule explain --exercise``: a worked exercise for a class, with its answer key.

:func:`make_exercise` draws a small network, its parameters and one sample from a
seed, with one decimal each so the arithmetic can be done by hand, then returns

* a question sheet: the network, :math:`W^{(l)}`, :math:`b^{(l)}`, :math:`x`,
  :math:`y`, :math:`\eta`, and the list of what to compute;
* an answer key: every intermediate number of the iteration, as the engine
  computes it (the Markdown of :func:`~chainrule.explain.render_markdown.render_markdown`).

The same seed always gives the same sheet; giving each student their own seed
gives each a different exercise. Both are Markdown whose math renders on GitHub.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .common import load_lang
from .notation import loss_formulas
from .problem import build_network, make_sample
from .render_markdown import bmatrix, describe_activations, latex_number, render_markdown
from .trace import Trace, trace

__all__ = ["Exercise", "make_exercise"]

_TASKS = ("exercise_task1", "exercise_task2", "exercise_task3", "exercise_task4",
          "exercise_task5", "exercise_task6")


@dataclass
class Exercise:
    """A question sheet and its answer key, both Markdown, and the trace behind them."""

    seed: int
    sheet: str
    key: str
    trace: Trace


def make_exercise(
    seed: int,
    sizes: Sequence[int] | None = None,
    activation: str = "sigmoid",
    output_activation: str | None = None,
    loss: str = "mse",
    eta: float = 0.5,
    lang: str = "en",
    digits: int = 4,
    params: list | None = None,
    inputs: list | None = None,
    targets: list | None = None,
) -> Exercise:
    r"""Draw an exercise from ``seed`` and work out its answers.

    Parameters
    ----------
    seed : int
        Fixes the parameters and the sample; a different seed gives other numbers.
    sizes : sequence of int, optional
        Widths, input first; 2-2-2 by default, or the shapes of ``params``.
    activation, output_activation, loss : str
        As for :func:`~chainrule.explain.build_network`.
    eta : float
        The learning rate :math:`\eta`.
    lang : str
        ``"en"`` or ``"zh-TW"``.
    digits : int
        Significant digits of the answer key.
    params : list of (W, b), optional
        The teacher's own parameters instead of drawn ones (``W`` ``(N^(l), N^(l-1))``).
    inputs, targets : list of rows, optional
        The teacher's own sample, as for :func:`~chainrule.explain.make_sample`.

    Returns
    -------
    Exercise
    """
    rng = np.random.default_rng(seed)
    if params is None:
        sizes = [2, 2, 2] if sizes is None else list(sizes)
        params = [(_draw(rng, (n_out, n_in)), _draw(rng, (n_out,)))
                  for n_in, n_out in itertools.pairwise(sizes)]
    net = build_network(sizes, activation, output_activation, loss, params=params)
    X, Y = make_sample(net, inputs, targets, seed=seed, decimals=1)
    result = trace(net, X, Y, eta)

    words = load_lang(lang)
    return Exercise(seed, _sheet(result, words, seed), _key(result, words, seed, lang, digits),
                    result)


def _draw(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    # One decimal in [-1, 1] keeps the arithmetic doable by hand; + 0.0 turns -0.0 into 0.
    return np.round(rng.uniform(-1.0, 1.0, shape), 1) + 0.0


def _sheet(t: Trace, words: dict, seed: int) -> str:
    it = t.iterations[0]
    sizes = "-".join(map(str, t.sizes))
    parts = [
        f"# {words['exercise_title'].format(seed=seed)}\n",
        words["exercise_intro"] + "\n",
        f"## {words['exercise_network']}\n",
        words["exercise_network_text_md"].format(
            sizes=sizes, activations=describe_activations(t.activations), loss=f"`{t.loss}`",
            eta=latex_number(t.eta, 6)) + "\n",
        f"$$\n{loss_formulas(t.loss, latex=True)[0]}\n$$\n",
        f"## {words['exercise_given']}\n",
    ]
    for layer in it.layers:
        parts.append(f"$$\nW^{{({layer.l})}} = {bmatrix(layer.W, 6)}, \\qquad "
                     f"b^{{({layer.l})}} = {bmatrix(layer.b[:, None], 6)}\n$$\n")
    parts.append(f"$$\nx = {bmatrix(t.X.T, 6)}, \\qquad y = {bmatrix(t.Y.T, 6)}\n$$\n")

    parts.append(f"## {words['exercise_tasks']}\n")
    parts.append("\n".join(f"{i}. {words[key]}" for i, key in enumerate(_TASKS, start=1))
                 + "\n")
    parts.append("---\n")
    parts.append(f"*{words['exercise_footer'].format(seed=seed)}*\n")
    return "\n".join(parts)


def _key(t: Trace, words: dict, seed: int, lang: str, digits: int) -> str:
    head = [
        f"# {words['exercise_key_title'].format(seed=seed)}\n",
        words["exercise_key_intro"].format(digits=digits) + "\n",
    ]
    # No elision in a key: every number must be there to mark against.
    body = render_markdown(t, lang=lang, digits=digits, limit=max(t.sizes + [t.m]),
                           title=False)
    return "\n".join(head) + "\n" + body
