"""``--exercise``: seeded question sheets whose answer keys hold the engine's numbers."""

from __future__ import annotations

import numpy as np

from chainrule.explain import build_network
from chainrule.explain.common import format_number
from chainrule.explain.exercise import make_exercise


def test_same_seed_same_sheet():
    first, again = make_exercise(11), make_exercise(11)
    assert first.sheet == again.sheet
    assert first.key == again.key


def test_different_seed_different_numbers(numbers):
    sheets = [make_exercise(seed).sheet for seed in range(5)]
    drawn = [numbers(sheet, latex=True) for sheet in sheets]
    assert len({tuple(d) for d in drawn}) == 5


def test_sheet_asks_and_does_not_answer(numbers):
    ex = make_exercise(3, sizes=(2, 3, 2))
    layer = ex.trace.iterations[0].layers[0]

    assert "W^{(1)}" in ex.sheet and "## Tasks" in ex.sheet
    for value in layer.W.ravel():
        assert format_number(value, 6) in numbers(ex.sheet, latex=True)
    assert format_number(layer.z[0, 0], 4) not in ex.sheet
    assert format_number(layer.z[0, 0], 4) in ex.key


def test_parameters_are_one_decimal_for_hand_work():
    ex = make_exercise(8)
    for layer in ex.trace.iterations[0].layers:
        for p in (layer.W, layer.b):
            np.testing.assert_array_equal(p, np.round(p, 1))
    np.testing.assert_array_equal(ex.trace.X, np.round(ex.trace.X, 1))


def test_key_numbers_are_the_engines(engine, numbers):
    ex = make_exercise(21, sizes=(2, 2, 2), digits=5)
    t = ex.trace

    it = t.iterations[0]
    net = build_network(params=[(layer.W, layer.b) for layer in it.layers], loss=t.loss)
    values = engine(net, t.X, t.Y, t.eta)
    allowed = {format_number(v, 5) for v in values} | {str(i) for i in range(10)}
    for check in it.checks:
        for g, n in zip(check.analytic.ravel(), check.numeric.ravel()):
            allowed |= {format_number(n, 5), f"{g - n:.1e}"}
        allowed.add(f"{check.error:.1e}")

    body = ex.key.split("## ", 1)[1]
    unexplained = sorted(set(numbers(body, latex=True)) - allowed)
    assert not unexplained, unexplained


def test_traditional_chinese_sheet():
    ex = make_exercise(2, lang="zh-TW")
    assert "反向傳播練習 第 2 號" in ex.sheet and "## 題目" in ex.sheet
    assert "第 2 號練習 解答" in ex.key and "步驟 4" in ex.key
