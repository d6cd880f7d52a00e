"""The consoles every `pdca` command prints to.

Messages never wrap at the terminal's width: scripts read them line by line, and a long id or
e-mail address must not move half a sentence onto the next line (tables still fit the width).

When the output is not a terminal (a pipe, a file, a test's runner) there is no width to fit:
rich would assume 80 columns and cut table cells short ("Obsol… drawi…"), so the consoles are
then `PIPE_WIDTH` wide and every cell is printed whole.
"""

from __future__ import annotations

from typing import IO, Any

from rich.console import Console, ConsoleDimensions

#: The width of the output when it is not a terminal: wider than any row a table will print.
PIPE_WIDTH = 10_000


def _is_tty(file: IO[str]) -> bool:
    isatty = getattr(file, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed file (at the end of a test run)
        return False


class PdcaConsole(Console):
    """rich's console, `PIPE_WIDTH` wide when its output is not a terminal, unless a width was
    chosen (`Console(width=…)`, or setting `width`). A COLUMNS environment variable, which rich
    otherwise reads once on creation, does not count: it describes a terminal."""

    def __init__(self, *args: Any, width: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, width=width, **kwargs)
        self._chosen_width = width

    @property
    def size(self) -> ConsoleDimensions:
        size = super().size
        if self._chosen_width is None and not _is_tty(self.file):
            return ConsoleDimensions(PIPE_WIDTH, size.height)
        return size

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        self._width, self._height = new_size
        self._chosen_width = self._width

    @property
    def width(self) -> int:
        return self.size.width

    @width.setter
    def width(self, width: int) -> None:
        self._width = self._chosen_width = width


console = PdcaConsole(soft_wrap=True)
err = PdcaConsole(stderr=True, soft_wrap=True)
