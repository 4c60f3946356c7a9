"""The README's Python example runs and prints what its comments say."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

README = Path(__file__).parents[1] / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_readme_starts_with_the_two_commands() -> None:
    commands = re.findall(r"```bash\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)
    assert commands[0].strip().endswith("pip install -e . && nnwork")
    assert commands[1].strip().endswith('pip install -e ".[test]" && python -m pytest')


def test_readme_example_trains_the_explanations_network() -> None:
    blocks = python_blocks()
    assert blocks, "the README has a Python example"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(blocks[0], "README.md", "exec"), {})  # our own README, not user input
    lines = printed.getvalue().strip().splitlines()
    assert "f3 <- f2 + f1" in lines[0] and "# 11 parameters" in printed.getvalue()
    assert float(lines[-1]) < 1e-5
