r"""``--format markdown``: the five steps as Markdown whose math renders on GitHub.

Equations are display blocks ``$$ ... $$`` on lines of their own, matrices are
``\begin{bmatrix}``, and vectors are columns (one column per sample), as in the
derivation. A dimension longer than ``limit`` shows its first and last entries
around ``\vdots``/``\cdots``; the term-by-term lines are written only while a layer
is small. :func:`bmatrix` and :func:`latex_number` are shared with the exercise.
"""

from __future__ import annotations

import numpy as np

from .common import (
    TERMS_MAX_NEURONS,
    TERMS_MAX_SAMPLES,
    TERMS_MAX_TO,
    TERMS_MAX_WEIGHTS,
    fill,
    format_error,
    format_number,
    in_full,
    load_lang,
    shown,
)
from .notation import derivative_formula, loss_formulas
from .trace import Iteration, LayerTrace, Trace

__all__ = ["bmatrix", "describe_activations", "latex_number", "render_markdown"]

DELTA = r"\delta"



def latex_number(x: float, digits: int) -> str:
    r"""``x`` to ``digits`` significant digits, ``1.2 \times 10^{-5}`` for tiny or huge ones."""
    return _power(format_number(x, digits))


def _power(text: str) -> str:
    r"""``"1.2e-05"`` -> ``1.2 \times 10^{-5}``; text without an exponent is returned as is."""
    if "e" not in text:
        return text

    mantissa, exponent = text.split("e")
    return rf"{mantissa} \times 10^{{{int(exponent)}}}"


def bmatrix(M: np.ndarray, digits: int, limit: int | None = None) -> str:
    r"""``M`` (2-D) as ``\begin{bmatrix} ... \end{bmatrix}``, the middle elided past ``limit``.

    Parameters
    ----------
    M : array, shape (rows, cols)
    digits : int
        Significant digits of each entry.
    limit : int, optional
        The most rows or columns written; all of them when ``None``.
    """
    M = np.atleast_2d(M)
    rows = shown(M.shape[0], limit or M.shape[0])
    cols = shown(M.shape[1], limit or M.shape[1])

    lines = []
    for i in rows:
        cells = []
        for j in cols:
            if i is None:
                cells.append(r"\ddots" if j is None else r"\vdots")
            else:
                cells.append(r"\cdots" if j is None else latex_number(M[i, j], digits))
        lines.append(" & ".join(cells))
    return r"\begin{bmatrix} " + r" \\ ".join(lines) + r" \end{bmatrix}"


def render_markdown(trace: Trace, lang: str = "en", digits: int = 4, limit: int = 6,
                    title: bool = True) -> str:
    """Render every step of ``trace`` as GitHub Markdown.

    Parameters
    ----------
    trace : Trace
        From :func:`chainrule.explain.trace`.
    lang : str
        ``"en"`` or ``"zh-TW"``.
    digits : int
        Significant digits of every number.
    limit : int
        The most rows or columns of a matrix written before the middle is elided.
    title : bool
        Start with a level-1 heading and the summary (the exercise key has its own).

    Returns
    -------
    str
    """
    return _Markdown(trace, lang, digits, limit).render(title)


def _sup(l) -> str:
    return f"^{{({l})}}"


def _sym(name: str, l, *indices: int) -> str:
    r"""``_sym(r"\delta", 2, 1)`` is ``\delta_{1}^{(2)}``."""
    sep = "," if any(i >= 10 for i in indices) else ""
    return f"{name}_{{{sep.join(map(str, indices))}}}^{{({l})}}"


def _times(values: list[str]) -> str:
    return r" \times ".join(f"({v})" if v.startswith("-") else v for v in values)


def _display(*lines: str) -> str:
    """One display equation; several lines become an ``aligned`` block."""
    if len(lines) == 1:
        return f"$$\n{lines[0]}\n$$\n"
    body = " \\\\\n".join(lines)
    return f"$$\n\\begin{{aligned}}\n{body}\n\\end{{aligned}}\n$$\n"


def describe_activations(names: list[str]) -> str:
    r"""``$\sigma$ = sigmoid`` when every layer shares one, else one entry per layer."""
    if len(set(names)) == 1:
        return rf"$\sigma$ = {names[0]}"
    return ", ".join(rf"$\sigma^{{({l})}}$ = {n}" for l, n in enumerate(names, start=1))


class _Markdown:
    def __init__(self, trace: Trace, lang: str, digits: int, limit: int):
        self.trace = trace
        self.words = load_lang(lang)
        self.digits = digits
        self.limit = limit
        self.level = 2
        self.parts: list[str] = []

    def n(self, x: float) -> str:
        return latex_number(x, self.digits)

    def m(self, M) -> str:
        return bmatrix(M, self.digits, self.limit)

    def col(self, A) -> str:
        """Rows of samples ``(m, N)`` as columns ``(N, m)``."""
        return self.m(np.asarray(A).T)

    def say(self, key: str, **values) -> None:
        self.parts.append(fill(self.words[key], values) + "\n")

    def bold(self, key: str, **values) -> None:
        self.parts.append(f"**{fill(self.words[key], values)}**\n")

    def head(self, text: str, level: int = 2) -> None:
        self.parts.append(f"{'#' * level} {text}\n")

    def eq(self, *lines: str) -> None:
        self.parts.append(_display(*lines))

    def render(self, title: bool) -> str:
        t, w = self.trace, self.words
        if title:
            self.head(w["title"], level=1)
            self.say("summary_md", sizes="-".join(map(str, t.sizes)),
                     activations=describe_activations(t.activations), loss=t.loss,
                     eta=self.n(t.eta), m=t.m)
            self.eq(loss_formulas(t.loss, latex=True)[0])
        self._sample()

        # Steps 2-5 and the check, in full for the first and the last iteration only.
        n = len(t.iterations)
        for it in in_full(t.iterations):
            if n > 1:
                self.head(w["iteration"].format(k=it.index, n=n))
            self._iteration(it, level=2 if n == 1 else 3)
            if n > 2 and it.index == 1:
                self.say("skipped", first=2, last=n - 1)

        if n > 1:
            self._history()
        if max(t.sizes) > self.limit or t.m > self.limit:
            self.say("elided_md")
        return "\n".join(self.parts)

    def _iteration(self, it: Iteration, level: int) -> None:
        self.level = level
        self._forward(it)
        self._output(it)
        self._hidden(it)
        self._update(it)
        self._check(it)

    # -- step 1
    def _sample(self) -> None:
        t = self.trace
        self.head(self.words["step1"])
        self.say("step1_text_md")
        if t.m > 1:
            self.say("batch_columns")
        self.eq(rf"x = a^{{(0)}} = {self.col(t.X)}, \qquad y = {self.col(t.Y)}")

    # -- step 2
    def _forward(self, it: Iteration) -> None:
        self.head(self.words["step2"], self.level)
        self.say("step2_text_md")

        a_prev = self.trace.X
        for layer in it.layers:
            l = layer.l
            self.bold("layer", l=l)
            self.eq(
                rf"z{_sup(l)} = W{_sup(l)} a{_sup(l - 1)} + b{_sup(l)} = "
                rf"{self.m(layer.W)} {self.col(a_prev)} + {self.col(layer.b[None])} = "
                rf"{self.col(layer.z)}",
            )
            self.eq(rf"a{_sup(l)} = \sigma(z{_sup(l)}) = {self.col(layer.a)}"
                    rf" \quad (\sigma = \text{{{layer.activation.replace('_', ' ')}}})")
            a_prev = layer.a

    def _samples(self):
        """The samples whose term-by-term lines are written, announcing each."""
        m = self.trace.m
        for r in range(min(m, TERMS_MAX_SAMPLES)):
            if m > 1:
                self.bold("sample", r=r + 1)
            yield r

    # -- step 3
    def _output(self, it: Iteration) -> None:
        t, w = self.trace, self.words
        top, out = it.layers[-1], it.output
        L = top.l
        self.head(w["step3"], self.level)
        self.say("step3_text_md")
        self.parts.append(f"{w['grad_a_of']} ${loss_formulas(t.loss, latex=True)[1]}$, "
                          f"${derivative_formula(top.activation, latex=True)}$.\n")
        self.eq(rf"\nabla_a C = {self.col(out.grad_a)}")

        if out.fused:
            key = "fused_softmax_md" if top.activation == "softmax" else "fused_sigmoid_md"
            short = r"\frac{a - y}{m}" if t.loss == "cross_entropy" else r"\frac{a - y}{mN}"
            self.say(key)
            self.eq(rf"\delta{_sup(L)} = {short} = {self.col(top.delta)}, \qquad "
                    rf"J^\top \nabla_a C = {self.col(out.unfused)}")
            return
        if not out.elementwise:
            self.say("softmax_jacobian_md")
            self.eq(rf"\delta{_sup(L)} = J^\top \nabla_a C = {self.col(top.delta)}")
            return

        self.eq(rf"\delta{_sup(L)} = \nabla_a C \odot \sigma'(z{_sup(L)}) = "
                rf"{self.col(out.grad_a)} \odot {self.col(top.sigma_prime)} = "
                rf"{self.col(top.delta)}")
        if top.delta.shape[1] > TERMS_MAX_NEURONS:
            self.say("terms_skipped")
            return
        for r in self._samples():
            first = (rf"\delta_j{_sup(L)} &= \frac{{\partial C}}{{\partial a_j{_sup(L)}}}"
                     rf"\, \sigma'(z_j{_sup(L)})")
            lines = [first]
            for j in range(top.delta.shape[1]):
                factors = _times([self.n(out.grad_a[r, j]), self.n(top.sigma_prime[r, j])])
                lines.append(rf"{_sym(DELTA, L, j + 1)} &= {factors} = "
                             rf"{self.n(top.delta[r, j])}")
            self.eq(*lines)

    # -- step 4
    def _hidden(self, it: Iteration) -> None:
        self.head(self.words["step4"], self.level)
        if len(it.layers) == 1:
            self.say("step4_none")
            return

        self.say("step4_text_md")
        for layer in reversed(it.layers[:-1]):
            self._hidden_layer(layer, it.layers[layer.l])

    def _hidden_layer(self, layer: LayerTrace, above: LayerTrace) -> None:
        l = layer.l
        self.bold("layer", l=l)
        if layer.sigma_prime is None:
            self.say("step4_hidden_softmax")
            self.eq(rf"\delta{_sup(l)} = J(z{_sup(l)})^\top (W{_sup(l + 1)})^\top "
                    rf"\delta{_sup(l + 1)} = J(z{_sup(l)})^\top {self.col(layer.back)} = "
                    rf"{self.col(layer.delta)}")
            return

        self.parts.append(f"${derivative_formula(layer.activation, latex=True)}$\n")
        self.eq(
            rf"\delta{_sup(l)} &= (W{_sup(l + 1)})^\top \delta{_sup(l + 1)} \odot "
            rf"\sigma'(z{_sup(l)}) = {self.m(above.W.T)} {self.col(above.delta)} \odot "
            rf"{self.col(layer.sigma_prime)}",
            rf"&= {self.col(layer.back)} \odot {self.col(layer.sigma_prime)} = "
            rf"{self.col(layer.delta)}",
        )

        n_to, n_here = above.W.shape
        if n_to > TERMS_MAX_TO or n_here > TERMS_MAX_NEURONS:
            self.say("terms_skipped")
            return
        for r in self._samples():
            lines = []
            for j in range(n_here):
                lines.extend(self._hidden_terms(layer, above, r, j))
            self.eq(*lines)

    def _hidden_terms(self, layer: LayerTrace, above: LayerTrace, r: int, j: int) -> list:
        l, n_to = layer.l, above.W.shape[0]
        symbols = " + ".join(rf"{_sym(DELTA, l + 1, k + 1)} {_sym('w', l + 1, j + 1, k + 1)}"
                             for k in range(n_to))
        terms = " + ".join(_times([self.n(above.delta[r, k]), self.n(above.W[k, j])])
                           for k in range(n_to))
        back, slope = self.n(layer.back[r, j]), self.n(layer.sigma_prime[r, j])

        return [
            rf"{_sym(DELTA, l, j + 1)} &= ({symbols})\, \sigma'({_sym('z', l, j + 1)})",
            rf"&= ({terms}) \times {_times([slope])}",
            rf"&= {_times([back, slope])} = {self.n(layer.delta[r, j])}",
        ]

    # -- step 5
    def _update(self, it: Iteration) -> None:
        self.head(self.words["step5"], self.level)
        self.say("step5_text_md")
        if self.trace.m > 1:
            self.say("step5_batch_md")

        a_prev = [self.trace.X] + [layer.a for layer in it.layers]
        for layer in reversed(it.layers):
            self._update_layer(layer, a_prev[layer.l - 1])

    def _update_layer(self, layer: LayerTrace, a_prev: np.ndarray) -> None:
        l, eta = layer.l, self.n(self.trace.eta)
        b_sum = r"\sum_r " if self.trace.m > 1 else ""
        self.bold("layer", l=l)
        self.eq(
            rf"\frac{{\partial C}}{{\partial W{_sup(l)}}} &= \delta{_sup(l)} "
            rf"(a{_sup(l - 1)})^\top = {self.col(layer.delta)} {self.m(a_prev)} = "
            rf"{self.m(layer.grad_W)}",
            rf"\frac{{\partial C}}{{\partial b{_sup(l)}}} &= {b_sum}\delta{_sup(l)} = "
            rf"{self.col(layer.grad_b[None])}",
        )

        if layer.W.size <= TERMS_MAX_WEIGHTS:
            self.eq(*self._gradient_terms(layer, a_prev))
        self.eq(
            rf"W{_sup(l)} &\leftarrow W{_sup(l)} - \eta \frac{{\partial C}}{{\partial W{_sup(l)}}}"
            rf" = {self.m(layer.W)} - {eta} {self.m(layer.grad_W)} = "
            rf"{self.m(layer.W_updated)}",
            rf"b{_sup(l)} &\leftarrow b{_sup(l)} - \eta \frac{{\partial C}}{{\partial b{_sup(l)}}}"
            rf" = {self.col(layer.b[None])} - {eta} {self.col(layer.grad_b[None])} = "
            rf"{self.col(layer.b_updated[None])}",
        )

    def _gradient_terms(self, layer: LayerTrace, a_prev: np.ndarray) -> list:
        l, m = layer.l, self.trace.m
        total = r"\sum_r " if m > 1 else ""
        first = (rf"\frac{{\partial C}}{{\partial w_{{kj}}{_sup(l)}}} &= "
                 rf"{total}\delta_j{_sup(l)} a_k{_sup(l - 1)}")
        lines = [first]

        n_out, n_in = layer.W.shape
        for j in range(n_out):
            for k in range(n_in):
                lhs = rf"\frac{{\partial C}}{{\partial {_sym('w', l, k + 1, j + 1)}}}"
                value = self.n(layer.grad_W[j, k])
                if m > TERMS_MAX_SAMPLES:
                    lines.append(rf"{lhs} &= {value}")
                    continue
                terms = " + ".join(_times([self.n(layer.delta[r, j]), self.n(a_prev[r, k])])
                                   for r in range(m))
                lines.append(rf"{lhs} &= {terms} = {value}")
        return lines

    # -- the check
    def _check(self, it: Iteration) -> None:
        w = self.words
        self.head(w["check"], self.level)
        self.say("check_text_md")

        rows = [f"| {w['param']} | {w['backprop']} | {w['numeric']} | {w['difference']} |",
                "| --- | ---: | ---: | ---: |"]
        for check in it.checks:
            rows.extend(self._check_rows(check))
        self.parts.append("\n".join(rows) + "\n")

        for check in it.checks:
            self.parts.append("- " + w["worst"].format(
                name=f"`{check.name}`", error=f"${_power(format_error(check.error))}$",
                verdict=w[f"verdict_{check.verdict}"]))
        self.parts[-1] += "\n"

        change = it.loss_after - it.loss_before
        key = "loss_down" if change < 0 else "loss_up" if change > 0 else "loss_same"
        self.parts.append("**" + w["loss_line"].format(
            before=f"${self.n(it.loss_before)}$", after=f"${self.n(it.loss_after)}$",
            change=w[key]) + "**\n")

    def _check_rows(self, check) -> list[str]:
        letter = "w" if check.name.startswith("W") else "b"
        analytic, numeric = check.analytic.ravel(), check.numeric.ravel()

        rows = []
        for i in shown(analytic.size, 2 * self.limit):
            if i is None:
                rows.append(r"| $\vdots$ | | | |")
                continue
            if letter == "w":
                j, k = np.unravel_index(i, check.analytic.shape)
                index = (int(k) + 1, int(j) + 1)
            else:
                index = (i + 1,)
            g, n = analytic[i], numeric[i]
            rows.append(f"| ${_sym(letter, check.l, *index)}$ | ${self.n(g)}$ | "
                        f"${self.n(n)}$ | ${_power(f'{g - n:.1e}')}$ |")
        return rows

    def _history(self) -> None:
        w = self.words
        self.head(w["history"])
        rows = [f"| {w['iteration_col']} | {w['before_col']} | {w['after_col']} |",
                "| ---: | ---: | ---: |"]
        for it in self.trace.iterations:
            rows.append(f"| {it.index} | ${self.n(it.loss_before)}$ | "
                        f"${self.n(it.loss_after)}$ |")
        self.parts.append("\n".join(rows) + "\n")
