"""The registers of this app, declared once: `core.registers` builds their pages, API,
spreadsheets and CLI."""

from __future__ import annotations

from pdca.core.registers.spec import RegisterSpec

SPECS: tuple[RegisterSpec, ...] = ()
