"""Every command's ``--help`` exits 0 and ends with examples of that command."""

from __future__ import annotations

import pytest

from chainrule.cli.main import main

COMMANDS = ["train", "gradcheck", "datasets", "evaluate", "predict", "explain"]


@pytest.mark.parametrize("command", COMMANDS)
def test_help_shows_examples(capsys, command):
    with pytest.raises(SystemExit) as stop:
        main([command, "--help"])
    assert stop.value.code == 0

    text = capsys.readouterr().out
    assert f"usage: chainrule {command}" in text
    _, examples = text.split("examples:", 1)
    assert f"chainrule {command}" in examples


def test_top_level_help_lists_every_command(run_cli):
    result = run_cli("--help")
    assert result.returncode == 0 and result.stderr == ""
    _, examples = result.stdout.split("examples:", 1)
    assert "chainrule train" in examples
    for command in COMMANDS:
        assert command in result.stdout


def test_no_command_prints_help(cli):
    result = cli()
    assert result.status == 0 and "usage: chainrule" in result.out
