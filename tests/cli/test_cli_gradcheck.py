"""``chainrule gradcheck``: exit 0 with a verdict per array when backpropagation is right,
exit 1 when a derivative is wrong, exit 2 (not 1) on a usage error.
"""

from __future__ import annotations

import re

import pytest

# A row of the table: the array's name first, its verdict last.
ROW = re.compile(r"^(W\d+|b\d+)\s.*\s(\w+)$", re.MULTILINE)

# tanh' = 1 - a^2 made 10% too large: the hidden layer's gradients go wrong.
WRONG_TANH = (
    "import chainrule.activations as A\n"
    "A.Tanh.derivative = lambda self, z, a: 1.1 * (1 - a * a)\n"
    "from chainrule.cli.main import main\n"
    "raise SystemExit(main(['gradcheck']))\n"
)


def test_default_passes(cli):
    result = cli("gradcheck")
    assert result.status == 0, result.out + result.err
    verdicts = dict(ROW.findall(result.out))
    assert set(verdicts) == {"W1", "b1", "W2", "b2"}
    assert set(verdicts.values()) == {"good"}
    assert "PASS" in result.out and "FAIL" not in result.out


def test_wrong_derivative_exits_1(run_python):
    result = run_python(WRONG_TANH)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    verdicts = dict(ROW.findall(result.stdout))
    # The default network is 4-5-3 with tanh in its one hidden layer.
    assert verdicts["W1"] == "wrong" and verdicts["b1"] == "wrong"
    assert "FAIL" in result.stdout and "PASS" not in result.stdout


@pytest.mark.parametrize("args, words", [
    (["--layers", "4"], ["--layers", "two widths"]),
    (["--activation", "nonsense"], ["activation", "'nonsense'", "tanh"]),
    (["--loss", "foo"], ["loss", "'foo'", "mse"]),
    (["--h=-1e-6"], ["--h", "positive"]),
])
def test_usage_errors_exit_2(cli, assert_clean_error, args, words):
    result = cli("gradcheck", *args)
    assert result.status == 2
    assert_clean_error(result.status, result.err, *words)
    assert "PASS" not in result.out and "FAIL" not in result.out
