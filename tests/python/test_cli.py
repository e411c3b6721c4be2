"""The command line as a user meets it: help on every command, one-line errors, no tracebacks."""

from __future__ import annotations

import pytest
from warehouse_builder import cli

COMMANDS = ["sample", "ingest", "build", "check", "rollback", "user", "serve", "report", "bench", "demo"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_explains_itself(command: str) -> None:
    result = cli(command, "--help")
    assert result.returncode == 0
    assert "usage: citizen-focus " + command in result.stdout
    assert "--db" in result.stdout or command in {"sample", "bench"}


def test_top_level_help_lists_every_command() -> None:
    out = cli("--help").stdout
    for command in COMMANDS:
        assert command in out


def test_unknown_kind_is_a_usage_error_not_a_traceback(tmp_path) -> None:
    result = cli("ingest", str(tmp_path), "--kind", "parking_tickets", "--db", str(tmp_path / "w.duckdb"))
    assert result.returncode == 2
    assert "invalid choice: 'parking_tickets'" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_empty_folder_says_so(tmp_path) -> None:
    result = cli("ingest", str(tmp_path), "--db", str(tmp_path / "w.duckdb"))
    assert result.returncode == 2
    assert "no extract files found" in result.stderr
    assert "Traceback" not in result.stderr


def test_check_on_a_missing_warehouse_says_so_in_one_line(tmp_path) -> None:
    result = cli("check", "--db", str(tmp_path / "nothing.duckdb"))
    assert result.returncode == 2
    assert result.stderr.strip() == f"{tmp_path / 'nothing.duckdb'}: no such warehouse file"
    assert "Traceback" not in result.stderr


def test_build_and_check_help_say_what_blocks_publishing() -> None:
    assert "Only when both pass does the copy replace the warehouse" in " ".join(cli("build", "--help").stdout.split())
    check_help = " ".join(cli("check", "--help").stdout.split())
    assert "stops `citizen-focus build` from publishing" in check_help
    assert "--fail-on-warning" in check_help and "--docs DIR" in check_help
