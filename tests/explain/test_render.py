"""What explain shows, on screen or as Markdown, is the engine's numbers and nothing else."""

from __future__ import annotations

import pytest

from chainrule.explain import trace
from chainrule.explain.common import format_number
from chainrule.explain.render_markdown import render_markdown
from chainrule.explain.render_terminal import render_terminal, to_text

NAMES = ["default", "batch", "softmax", "bce", "wide"]
ETA = 0.3


def _allowed(values, digits: int) -> set[str]:
    # Indices, layer numbers and the small constants of the formulas (2h, 1 − a).
    labels = {str(i) for i in range(10)}
    return {format_number(v, digits) for v in values} | labels


def _check_numbers(it, digits: int) -> set[str]:
    """The finite-difference column and its differences, which are the checker's own."""
    out = set()
    for check in it.checks:
        for g, n in zip(check.analytic.ravel(), check.numeric.ravel()):
            out |= {format_number(n, digits), f"{g - n:.1e}"}
        out.add(f"{check.error:.1e}")
    return out


def _body(text: str, summary_marker: str) -> str:
    """``text`` without its summary line, whose ``2-3-2`` is not a computed number."""
    return "\n".join(line for line in text.splitlines() if summary_marker not in line)


@pytest.mark.parametrize("digits", [4, 7])
@pytest.mark.parametrize("name", NAMES)
def test_terminal_shows_only_engine_numbers(problem, engine, numbers, name, digits):
    net, X, Y = problem(name)
    t = trace(net, X, Y, ETA)
    text = _body(to_text(render_terminal(t, digits=digits), width=200), "η =")

    allowed = _allowed(engine(net, X, Y, ETA), digits) | _check_numbers(t.iterations[0], digits)
    shown = [n.lstrip("(") for n in numbers(text)]
    unexplained = sorted(set(shown) - allowed)
    assert not unexplained, unexplained
    assert len(shown) > 20


@pytest.mark.parametrize("name", NAMES)
def test_markdown_shows_only_engine_numbers(problem, engine, numbers, name):
    net, X, Y = problem(name)
    t = trace(net, X, Y, ETA)
    text = _body(render_markdown(t, digits=5), r"$\eta =")

    allowed = _allowed(engine(net, X, Y, ETA), 5) | _check_numbers(t.iterations[0], 5)
    unexplained = sorted(set(numbers(text, latex=True)) - allowed)
    assert not unexplained, unexplained


def test_terminal_walks_the_five_steps_in_order(problem):
    net, X, Y = problem("default")
    text = to_text(render_terminal(trace(net, X, Y, ETA)), width=200)

    headings = ["Step 1", "Step 2", "Step 3", "Step 4", "Step 5", "Check"]
    positions = [text.index(h) for h in headings]
    assert positions == sorted(positions)
    for piece in ("z⁽¹⁾ = W⁽¹⁾ a⁽⁰⁾ + b⁽¹⁾", "δ⁽²⁾ = ∇ₐC ⊙ σ'(z⁽²⁾)", "δ₁⁽¹⁾ = (δ₁⁽²⁾ w₁₁⁽²⁾",
                  "∂C/∂w₂₁⁽²⁾ = ", "W⁽¹⁾ ← W⁽¹⁾ − η ∂C/∂W⁽¹⁾", "Loss before the update"):
        assert piece in text


def test_softmax_cross_entropy_says_why_it_fuses(problem):
    net, X, Y = problem("softmax")
    t = trace(net, X, Y, ETA)
    assert t.iterations[0].output.fused

    text = to_text(render_terminal(t), width=200)
    assert "δ⁽²⁾ = (a − y)/m" in text and "Jᵀ∇ₐC" in text and "cancels" in text
    markdown = render_markdown(t)
    assert r"\frac{a - y}{m}" in markdown and "cancels" in markdown


def test_markdown_is_github_math(problem):
    net, X, Y = problem("batch")
    text = render_markdown(trace(net, X, Y, ETA))

    assert text.count("$$") % 2 == 0
    assert r"\begin{bmatrix}" in text and r"\begin{aligned}" in text
    for heading in ("## Step 1", "## Step 2", "## Step 3", "## Step 4", "## Step 5", "## Check"):
        assert heading in text
    assert r"\delta_{1}^{(2)} &= (\delta_{1}^{(3)} w_{11}^{(3)} + \delta_{2}^{(3)} w_{12}^{(3)})" \
        in text


def test_zh_tw_labels(problem):
    net, X, Y = problem("default")
    t = trace(net, X, Y, ETA)
    text = to_text(render_terminal(t, lang="zh-TW"), width=200)
    markdown = render_markdown(t, lang="zh-TW")

    labels = ("步驟 1 · 樣本", "步驟 2 · 前向傳遞", "步驟 3 · 輸出層的誤差",
              "步驟 4 · 把誤差往回傳", "步驟 5 · 梯度與更新", "驗算 · 中央有限差分",
              "更新前的損失")
    for label in labels:
        assert label in text
        assert label in markdown
    # The math is the same in both languages.
    english = to_text(render_terminal(t, lang="en"), width=200)
    assert "z⁽¹⁾ = W⁽¹⁾ a⁽⁰⁾ + b⁽¹⁾" in text and "z⁽¹⁾ = W⁽¹⁾ a⁽⁰⁾ + b⁽¹⁾" in english
    assert "Step" not in text


def test_wide_layers_are_elided_on_screen_only(problem):
    net, X, Y = problem("wide")
    t = trace(net, X, Y, ETA)
    text = to_text(render_terminal(t, limit=4), width=200)
    markdown = render_markdown(t, limit=4)

    assert "⋯" in text and "⋮" in text and "--format json" in text
    assert r"\cdots" in markdown and r"\vdots" in markdown
    longest = max(len(line) for line in text.splitlines())
    assert longest < 200


def test_several_steps_show_first_last_and_a_table(problem):
    net, X, Y = problem("default")
    t = trace(net, X, Y, ETA, steps=4)
    text = to_text(render_terminal(t), width=200)

    assert "Iteration 1 of 4" in text and "Iteration 4 of 4" in text
    assert "Iteration 2 of 4" not in text
    assert "Loss by iteration" in text
    for it in t.iterations:
        assert format_number(it.loss_after, 4) in text
