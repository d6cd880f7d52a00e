"""The consoles every `pdca` command prints to.

Messages never wrap at the terminal's width: scripts read them line by line, and a long id or
e-mail address must not move half a sentence onto the next line (tables still fit the width).
"""

from __future__ import annotations

from rich.console import Console

console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
