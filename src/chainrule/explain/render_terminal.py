r"""``--format terminal``: the five steps as aligned, coloured matrices (``rich``).

Vectors are written as columns, as in the derivation, so :math:`z = W a + b` reads
the same on screen as on paper; with several samples each sample is one column.
A dimension longer than ``limit`` shows its first and last entries around a
``⋮``/``⋯`` gap (the JSON format never leaves anything out), and the
term-by-term lines of steps 3-5 are written only while a layer is small.

Nothing here prints: :func:`render_terminal` returns a ``rich`` renderable and
:func:`to_text` turns one into a string; the command line decides where it goes.
"""

from __future__ import annotations

import io

import numpy as np
from rich.console import Console, Group
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

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
    subscript,
    superscript,
)
from .notation import derivative_formula, loss_formulas
from .trace import Iteration, LayerTrace, Trace

__all__ = ["render_terminal", "to_text"]

STYLES = {
    "W": "cyan",
    "b": "magenta",
    "a": "green",
    "z": "yellow",
    "delta": "red",
    "grad": "blue",
    "new": "bold cyan",
    "head": "bold",
    "note": "dim",
}

_GAPS = ("⋮", "⋯", "⋱")

# A block is a list of rich Text lines, drawn one below the other.
Block = list


def render_terminal(trace: Trace, lang: str = "en", digits: int = 4, limit: int = 6) -> Group:
    """Render every step of ``trace`` for a terminal.

    Parameters
    ----------
    trace : Trace
        From :func:`chainrule.explain.trace`.
    lang : str
        ``"en"`` or ``"zh-TW"``: the language of the prose; the math is the same.
    digits : int
        Significant digits of every number shown.
    limit : int
        The most rows or columns of a matrix shown before the middle is elided.

    Returns
    -------
    rich.console.Group
        Print it with a ``rich`` console, or pass it to :func:`to_text`.
    """
    return _Terminal(trace, lang, digits, limit).render()


def to_text(renderable, width: int = 100, color: bool = False) -> str:
    """``renderable`` as a string: plain text, or with ANSI colours when ``color``."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=color,
                      color_system="standard" if color else None, highlight=False)
    console.print(renderable, crop=False)
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n"


# ----------------------------------------------------------------- blocks of text


def _matrix(M: np.ndarray, digits: int, limit: int, style: str) -> Block:
    """A matrix between brackets, columns right-aligned, the middle elided."""
    M = np.atleast_2d(M)
    rows, cols = shown(M.shape[0], limit), shown(M.shape[1], limit)
    cells = [[_cell(M, i, j, digits) for j in cols] for i in rows]
    widths = [max(len(row[c]) for row in cells) for c in range(len(cols))]

    lines = []
    for r, row in enumerate(cells):
        left, right = _brackets(r, len(cells))
        body = " ".join(cell.center(w) if cell in _GAPS else cell.rjust(w)
                        for cell, w in zip(row, widths))
        line = Text(left)
        line.append(body, style=style)
        line.append(right)
        lines.append(line)
    return lines


def _cell(M: np.ndarray, i, j, digits: int) -> str:
    if i is None and j is None:
        return "⋱"
    if i is None:
        return "⋮"
    if j is None:
        return "⋯"
    return format_number(M[i, j], digits)


def _brackets(r: int, n: int) -> tuple[str, str]:
    if n == 1:
        return "[", "]"
    if r == 0:
        return "⎡", "⎤"
    if r == n - 1:
        return "⎣", "⎦"
    return "⎢", "⎥"


def _join(*parts) -> Block:
    """Parts (blocks or strings) side by side, each centred on the same middle line."""
    blocks = [[Text(p)] if isinstance(p, str) else p for p in parts]
    height = max(len(b) for b in blocks)
    middle = (height - 1) // 2
    out = [Text() for _ in range(height)]

    for k, block in enumerate(blocks):
        width = max(t.cell_len for t in block)
        top = middle - (len(block) - 1) // 2
        for i in range(height):
            piece = block[i - top] if 0 <= i - top < len(block) else Text()
            if k:
                out[i].append(" ")
            out[i].append_text(piece)
            out[i].append(" " * (width - piece.cell_len))
    return out


def _unwrapped(line: Text) -> Text:
    # An equation folded at the screen edge would break its matrices apart; let it run on.
    line.no_wrap = True
    line.overflow = "ignore"
    return line


def _sup(l) -> str:
    return superscript(f"({l})")


def _sym(name: str, l, *indices: int) -> str:
    """``_sym("δ", 2, 1)`` is ``δ₁⁽²⁾``."""
    return f"{name}{subscript(*indices)}{_sup(l)}"


def _activations(names: list[str]) -> str:
    """``σ = sigmoid`` when every layer shares one, else ``σ⁽¹⁾ = relu, σ⁽²⁾ = softmax``."""
    if len(set(names)) == 1:
        return f"σ = {names[0]}"
    return ", ".join(f"σ{_sup(l)} = {name}" for l, name in enumerate(names, start=1))


def _times(values: list[str]) -> str:
    """Factors joined by ``×``, a negative one in parentheses."""
    return " × ".join(f"({v})" if v.startswith("-") else v for v in values)


# ----------------------------------------------------------------- the renderer


class _Terminal:
    def __init__(self, trace: Trace, lang: str, digits: int, limit: int):
        self.trace = trace
        self.words = load_lang(lang)
        self.digits = digits
        self.limit = limit
        self.lines: list = []

    def n(self, x: float) -> str:
        return format_number(x, self.digits)

    def m(self, M, style: str) -> Block:
        return _matrix(M, self.digits, self.limit, STYLES[style])

    def col(self, A, style: str) -> Block:
        """Rows of samples ``(m, N)`` as columns ``(N, m)``, as the derivation writes them."""
        return self.m(np.asarray(A).T, style)

    def say(self, key: str, style: str = "note", **values) -> None:
        prose = Text(fill(self.words[key], values), style=STYLES[style])
        self.lines.append(Padding(prose, (0, 0, 0, 2), expand=False))

    def head(self, text: str) -> None:
        self.lines.append(Text(""))
        self.lines.append(Text(text, style=STYLES["head"]))

    def show(self, block: Block, indent: str = "  ") -> None:
        for line in block:
            self.lines.append(_unwrapped(Text(indent) + line))

    def text(self, *segments) -> None:
        """One line made of ``(string, style)`` pairs or plain strings."""
        line = Text("  ")
        for seg in segments:
            line.append(*(seg if isinstance(seg, tuple) else (seg,)))
        self.lines.append(_unwrapped(line))

    def render(self) -> Group:
        t, w = self.trace, self.words
        self.lines.append(Text(w["title"], style="bold underline"))
        self.say("summary", style="head", sizes="-".join(map(str, t.sizes)),
                 activations=_activations(t.activations), loss=t.loss, eta=self.n(t.eta),
                 m=t.m)
        self.text(loss_formulas(t.loss)[0])
        self._sample()

        # Steps 2-5 and the check, in full for the first and the last iteration only.
        n = len(t.iterations)
        for it in in_full(t.iterations):
            if n > 1:
                self.head(f"── {w['iteration'].format(k=it.index, n=n)} ──")
            self._iteration(it)
            if n > 2 and it.index == 1:
                self.lines.append(Text(""))
                self.say("skipped", first=2, last=n - 1)

        if n > 1:
            self._history()
        if max(t.sizes) > self.limit or t.m > self.limit:
            self.lines.append(Text(""))
            self.say("elided")
        return Group(*self.lines)

    def _iteration(self, it: Iteration) -> None:
        self._forward(it)
        self._output(it)
        self._hidden(it)
        self._update(it)
        self._check(it)

    # -- step 1
    def _sample(self) -> None:
        t = self.trace
        self.head(self.words["step1"])
        self.say("step1_text")
        if t.m > 1:
            self.say("batch_columns")
        self.show(_join("x = a⁽⁰⁾ =", self.col(t.X, "a"), "   y =", self.col(t.Y, "a")))

    # -- step 2
    def _forward(self, it: Iteration) -> None:
        self.head(self.words["step2"])
        self.say("step2_text")

        a_prev = self.trace.X
        for layer in it.layers:
            l = layer.l
            self.text((self.words["layer"].format(l=l), "bold"), f"   σ = {layer.activation}")
            self.show(_join(
                f"z{_sup(l)} = W{_sup(l)} a{_sup(l - 1)} + b{_sup(l)} =",
                self.m(layer.W, "W"), self.col(a_prev, "a"), "+", self.col(layer.b[None], "b"),
                "=", self.col(layer.z, "z"),
            ))
            self.show(_join(f"a{_sup(l)} = σ(z{_sup(l)}) =", self.col(layer.a, "a")))
            a_prev = layer.a

    # -- step 3
    def _output(self, it: Iteration) -> None:
        t, w = self.trace, self.words
        top = it.layers[-1]
        L, out = top.l, it.output
        self.head(w["step3"])
        self.say("step3_text")
        self.text(w["grad_a_of"], " ", loss_formulas(t.loss)[1], "   ",
                  derivative_formula(top.activation))
        self.show(_join("∇ₐC =", self.col(out.grad_a, "grad")))

        if out.fused:
            key = "fused_softmax" if top.activation == "softmax" else "fused_sigmoid"
            short = "(a − y)/m" if t.loss == "cross_entropy" else "(a − y)/(mN)"
            self.say(key)
            self.show(_join(f"δ{_sup(L)} = {short} =", self.col(top.delta, "delta"),
                            "   Jᵀ∇ₐC =", self.col(out.unfused, "delta")))
            return
        if not out.elementwise:
            self.say("softmax_jacobian")
            self.show(_join(f"δ{_sup(L)} = Jᵀ∇ₐC =", self.col(top.delta, "delta")))
            return

        self.show(_join(
            f"δ{_sup(L)} = ∇ₐC ⊙ σ'(z{_sup(L)}) =", self.col(out.grad_a, "grad"), "⊙",
            self.col(top.sigma_prime, "z"), "=", self.col(top.delta, "delta"),
        ))
        if top.delta.shape[1] > TERMS_MAX_NEURONS:
            self.say("terms_skipped")
            return
        self.text(f"δⱼ{_sup(L)} = ∂C/∂aⱼ{_sup(L)} · σ'(zⱼ{_sup(L)})")
        for r in self._samples():
            for j in range(top.delta.shape[1]):
                factors = _times([self.n(out.grad_a[r, j]), self.n(top.sigma_prime[r, j])])
                self.text(f"  {_sym('δ', L, j + 1)} = {factors} = ",
                          (self.n(top.delta[r, j]), STYLES["delta"]))

    def _samples(self):
        """The samples whose term-by-term lines are written, announcing each."""
        m = self.trace.m
        for r in range(min(m, TERMS_MAX_SAMPLES)):
            if m > 1:
                self.say("sample", style="head", r=r + 1)
            yield r

    # -- step 4
    def _hidden(self, it: Iteration) -> None:
        self.head(self.words["step4"])
        if len(it.layers) == 1:
            self.say("step4_none")
            return

        self.say("step4_text")
        for layer in reversed(it.layers[:-1]):
            above = it.layers[layer.l]
            self._hidden_layer(layer, above)

    def _hidden_layer(self, layer: LayerTrace, above: LayerTrace) -> None:
        l = layer.l
        self.text((self.words["layer"].format(l=l), "bold"), "   ",
                  derivative_formula(layer.activation))
        if layer.sigma_prime is None:
            self.say("step4_hidden_softmax")
            self.show(_join(f"δ{_sup(l)} = J(z{_sup(l)})ᵀ (W{_sup(l + 1)})ᵀ δ{_sup(l + 1)} =",
                            f"J(z{_sup(l)})ᵀ", self.col(layer.back, "grad"), "=",
                            self.col(layer.delta, "delta")))
            return

        self.show(_join(
            f"δ{_sup(l)} = (W{_sup(l + 1)})ᵀ δ{_sup(l + 1)} ⊙ σ'(z{_sup(l)}) =",
            self.m(above.W.T, "W"), self.col(above.delta, "delta"), "⊙",
            self.col(layer.sigma_prime, "z"),
        ))
        self.show(_join(" " * 6, "=", self.col(layer.back, "grad"), "⊙",
                        self.col(layer.sigma_prime, "z"), "=", self.col(layer.delta, "delta")))

        n_to, n_here = above.W.shape
        if n_to > TERMS_MAX_TO or n_here > TERMS_MAX_NEURONS:
            self.say("terms_skipped")
            return
        self.text(f"δⱼ{_sup(l)} = (Σₖ δₖ{_sup(l + 1)} wⱼₖ{_sup(l + 1)}) σ'(zⱼ{_sup(l)})")
        for r in self._samples():
            for j in range(n_here):
                self._hidden_terms(layer, above, r, j)

    def _hidden_terms(self, layer: LayerTrace, above: LayerTrace, r: int, j: int) -> None:
        l, n_to = layer.l, above.W.shape[0]
        symbols = " + ".join(f"{_sym('δ', l + 1, k + 1)} {_sym('w', l + 1, j + 1, k + 1)}"
                             for k in range(n_to))
        terms = " + ".join(_times([self.n(above.delta[r, k]), self.n(above.W[k, j])])
                           for k in range(n_to))
        lhs = _sym("δ", l, j + 1)
        pad = " " * len(lhs)
        back, slope = self.n(layer.back[r, j]), self.n(layer.sigma_prime[r, j])

        self.text(f"  {lhs} = ({symbols}) σ'({_sym('z', l, j + 1)})")
        self.text(f"  {pad} = ({terms}) × {_times([slope])}")
        self.text(f"  {pad} = {_times([back, slope])} = ",
                  (self.n(layer.delta[r, j]), STYLES["delta"]))

    # -- step 5
    def _update(self, it: Iteration) -> None:
        self.head(self.words["step5"])
        self.say("step5_text")
        if self.trace.m > 1:
            self.say("step5_batch")

        a_prev = [self.trace.X] + [layer.a for layer in it.layers]
        for layer in reversed(it.layers):
            self._update_layer(layer, a_prev[layer.l - 1])

    def _update_layer(self, layer: LayerTrace, a_prev: np.ndarray) -> None:
        l, eta = layer.l, self.n(self.trace.eta)
        b_sum = "Σᵣ " if self.trace.m > 1 else ""
        self.text((self.words["layer"].format(l=l), "bold"))
        self.show(_join(
            f"∂C/∂W{_sup(l)} = δ{_sup(l)} (a{_sup(l - 1)})ᵀ =", self.col(layer.delta, "delta"),
            self.m(a_prev, "a"), "=", self.m(layer.grad_W, "grad"),
        ))
        self.show(_join(f"∂C/∂b{_sup(l)} = {b_sum}δ{_sup(l)} =",
                        self.col(layer.grad_b[None], "grad")))

        if layer.W.size <= TERMS_MAX_WEIGHTS:
            self._gradient_terms(layer, a_prev)
        self.show(_join(
            f"W{_sup(l)} ← W{_sup(l)} − η ∂C/∂W{_sup(l)} =", self.m(layer.W, "W"),
            f"− {eta}", self.m(layer.grad_W, "grad"), "=", self.m(layer.W_updated, "new"),
        ))
        self.show(_join(
            f"b{_sup(l)} ← b{_sup(l)} − η ∂C/∂b{_sup(l)} =", self.col(layer.b[None], "b"),
            f"− {eta}", self.col(layer.grad_b[None], "grad"), "=",
            self.col(layer.b_updated[None], "new"),
        ))

    def _gradient_terms(self, layer: LayerTrace, a_prev: np.ndarray) -> None:
        l, m = layer.l, self.trace.m
        self.text(f"∂C/∂wₖⱼ{_sup(l)} = {'Σᵣ ' if m > 1 else ''}δⱼ{_sup(l)} aₖ{_sup(l - 1)}")

        n_out, n_in = layer.W.shape
        for j in range(n_out):
            for k in range(n_in):
                lhs = f"∂C/∂{_sym('w', l, k + 1, j + 1)}"
                value = (self.n(layer.grad_W[j, k]), STYLES["grad"])
                if m > TERMS_MAX_SAMPLES:
                    self.text(f"  {lhs} = ", value)
                    continue
                terms = " + ".join(_times([self.n(layer.delta[r, j]), self.n(a_prev[r, k])])
                                   for r in range(m))
                self.text(f"  {lhs} = {terms} = ", value)

    # -- the check
    def _check(self, it: Iteration) -> None:
        w = self.words
        self.head(w["check"])
        self.say("check_text")

        table = Table(box=None, padding=(0, 2), show_edge=False)
        table.add_column(w["param"])
        for key in ("backprop", "numeric", "difference"):
            table.add_column(w[key], justify="right")
        for check in it.checks:
            self._check_rows(table, check)
        self.lines.append(Padding(table, (0, 0, 0, 2), expand=False))

        for check in it.checks:
            verdict = w[f"verdict_{check.verdict}"]
            style = "note" if check.verdict in ("good", "acceptable") else "delta"
            self.say("worst", style=style, name=check.name, error=format_error(check.error),
                     verdict=verdict)
        self._loss_line(it)

    def _check_rows(self, table: Table, check) -> None:
        letter = "w" if check.name.startswith("W") else "b"
        analytic, numeric = check.analytic.ravel(), check.numeric.ravel()

        for i in shown(analytic.size, 2 * self.limit):
            if i is None:
                table.add_row("⋮", "", "", "")
                continue
            if letter == "w":
                j, k = np.unravel_index(i, check.analytic.shape)
                index = (int(k) + 1, int(j) + 1)
            else:
                index = (i + 1,)
            g, n = analytic[i], numeric[i]
            table.add_row(_sym(letter, check.l, *index), self.n(g), self.n(n), f"{g - n:.1e}")

    def _loss_line(self, it: Iteration) -> None:
        change = it.loss_after - it.loss_before
        key = "loss_down" if change < 0 else "loss_up" if change > 0 else "loss_same"
        self.lines.append(Text(""))
        self.say("loss_line", style="head", before=self.n(it.loss_before),
                 after=self.n(it.loss_after), change=self.words[key])

    def _history(self) -> None:
        w = self.words
        self.head(w["history"])
        table = Table(box=None, padding=(0, 2), show_edge=False)
        for key in ("iteration_col", "before_col", "after_col"):
            table.add_column(w[key], justify="right")
        for it in self.trace.iterations:
            table.add_row(str(it.index), self.n(it.loss_before), self.n(it.loss_after))
        self.lines.append(Padding(table, (0, 0, 0, 2), expand=False))
