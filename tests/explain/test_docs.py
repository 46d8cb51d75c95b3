"""Every function the derivation pages point at still exists."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"
PAGES = ["derivation.md", "derivation.zh-TW.md"]
POINTER = re.compile(r"`(chainrule(?:\.[A-Za-z_]\w*)+)`")


def resolve(dotted: str):
    """Import the longest module prefix of ``dotted``, then follow the attributes."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            target = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for name in parts[cut:]:
            target = getattr(target, name)
        return target
    raise ModuleNotFoundError(dotted)


def pointers(page: str) -> list[str]:
    return sorted(set(POINTER.findall((DOCS / page).read_text(encoding="utf-8"))))


@pytest.mark.parametrize("page", PAGES)
def test_every_pointer_resolves(page):
    names = pointers(page)
    assert len(names) >= 20, names
    missing = []
    for name in names:
        try:
            resolve(name)
        except (AttributeError, ModuleNotFoundError):
            missing.append(name)
    assert not missing, f"{page} points at functions that no longer exist: {missing}"


def test_both_pages_point_at_the_same_functions():
    assert pointers(PAGES[0]) == pointers(PAGES[1])


def test_a_vanished_function_is_caught():
    with pytest.raises(AttributeError):
        resolve("chainrule.network.Network.no_such_step")


def test_the_worked_example_is_cited():
    text = (DOCS / "derivation.md").read_text(encoding="utf-8")
    assert "mattmazur.com/2015/03/17/a-step-by-step-backpropagation-example" in text
    assert "mazur_2015.json" in text
