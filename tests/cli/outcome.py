"""How a CLI command ended, as the tests check it."""

from __future__ import annotations

from click.testing import Result


def one_line_error(result: Result, *fragments: str) -> str:
    """The command failed with exit code 1 and one line on stderr (no traceback) that
    holds every fragment; the line."""
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0]
    return lines[0]
