"""The audit-time tables: one YAML file per scheme in `tables/`, read and checked here.

A table maps bands of effective personnel to the initial audit time (stage 1 + stage 2, in
auditor-days), one column per complexity category (or one `days` column). Every table carries
the confidence label of the reference it was transcribed from, and a cell may carry its own
label where the sources disagree about it. A certification body extends the tables by adding
rows or files in the same shape; a file that breaks the shape is refused with its name and row.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "CONFIDENCE_LABELS",
    "PROVISIONAL_LABELS",
    "TABLES_DIR",
    "Cell",
    "Table",
    "TableError",
    "TableRow",
    "is_provisional",
    "load_table",
    "parse_table",
    "table_schemes",
]

TABLES_DIR = Path(__file__).resolve().parent / "tables"

#: The reference's labels (V verified, V2 cross-checked, M memory, ! conflict) and pdca's own
#: ("pdca": a rule pdca chose where the reference is silent).
CONFIDENCE_LABELS = ("V", "V2", "M", "!", "pdca")
#: Facts with these labels are shown as provisional everywhere (data, steps, JSON, docs).
PROVISIONAL_LABELS = frozenset({"V2", "M", "!"})


def is_provisional(confidence: str) -> bool:
    return confidence in PROVISIONAL_LABELS


class TableError(ValueError):
    """A table file is malformed; the message names the file and the row."""


@dataclass(frozen=True)
class Cell:
    """The days of one complexity column in one row, with the confidence of that figure."""

    days: float
    confidence: str
    note: str = ""

    @property
    def provisional(self) -> bool:
        return is_provisional(self.confidence)


@dataclass(frozen=True)
class TableRow:
    """One band of effective personnel (both ends included) and its days per column."""

    low: int
    high: int
    cells: dict[str, Cell]

    @property
    def label(self) -> str:
        return f"{self.low}-{self.high}"

    def covers(self, personnel: int) -> bool:
        return self.low <= personnel <= self.high


@dataclass(frozen=True)
class Table:
    """One scheme's audit-time table as shipped in `tables/<scheme>.yaml`."""

    scheme: str
    standard: str
    title: str
    source: str
    reference: str
    confidence: str
    confidence_note: str
    columns: tuple[str, ...]
    beyond_last_row: str
    rows: tuple[TableRow, ...]

    @property
    def provisional(self) -> bool:
        return is_provisional(self.confidence)

    @property
    def single_column(self) -> bool:
        return self.columns == ("days",)

    @property
    def last_personnel(self) -> int:
        return self.rows[-1].high

    def row_for(self, personnel: int) -> TableRow | None:
        return next((row for row in self.rows if row.covers(personnel)), None)


def _label(value: Any, where: str) -> str:
    if value not in CONFIDENCE_LABELS:
        raise TableError(f"{where}: confidence must be one of {', '.join(CONFIDENCE_LABELS)}")
    return str(value)


def _days(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise TableError(f"{where}: days must be a positive number, not {value!r}")
    return float(value)


def _cell(value: Any, confidence: str, where: str) -> Cell:
    if isinstance(value, dict):
        unknown = set(value) - {"days", "confidence", "note"}
        if unknown:
            raise TableError(f"{where}: unknown keys {sorted(unknown)}")
        return Cell(
            days=_days(value.get("days"), where),
            confidence=_label(value.get("confidence", confidence), where),
            note=str(value.get("note", "")).strip(),
        )
    return Cell(days=_days(value, where), confidence=confidence)


def _row(raw: Any, columns: tuple[str, ...], confidence: str, where: str) -> TableRow:
    if not isinstance(raw, dict):
        raise TableError(f"{where}: a row is a mapping with personnel and days")
    band = raw.get("personnel")
    if (
        not isinstance(band, list)
        or len(band) != 2
        or not all(isinstance(n, int) and not isinstance(n, bool) for n in band)
        or not 1 <= band[0] <= band[1]
    ):
        raise TableError(f"{where}: personnel must be [low, high] with 1 <= low <= high")
    days = raw.get("days")
    if not isinstance(days, list) or len(days) != len(columns):
        raise TableError(f"{where}: days must list one value per column {list(columns)}")
    cells = {
        column: _cell(value, confidence, f"{where}, column {column}")
        for column, value in zip(columns, days, strict=True)
    }
    return TableRow(low=band[0], high=band[1], cells=cells)


def _check_progression(rows: list[TableRow], columns: tuple[str, ...], name: str) -> None:
    if rows[0].low != 1:
        raise TableError(f"{name}: the first row must start at 1 person")
    for before, after in pairwise(rows):
        where = f"{name}, row {after.label}"
        if after.low != before.high + 1:
            raise TableError(f"{where}: must start right after {before.label} (no gap, no overlap)")
        for column in columns:
            if after.cells[column].days < before.cells[column].days:
                raise TableError(f"{where}, column {column}: days may not fall as personnel grow")


def parse_table(data: Any, name: str) -> Table:
    """Check one table's parsed YAML and build it; `name` is used in the messages."""
    if not isinstance(data, dict):
        raise TableError(f"{name}: a table file is a mapping")
    required = ("scheme", "standard", "title", "source", "reference", "confidence", "columns")
    missing = [key for key in (*required, "rows") if key not in data]
    if missing:
        raise TableError(f"{name}: missing {', '.join(missing)}")
    confidence = _label(data["confidence"], name)
    columns = data["columns"]
    if (
        not isinstance(columns, list)
        or not columns
        or len(set(columns)) != len(columns)
        or not all(isinstance(c, str) and c for c in columns)
    ):
        raise TableError(f"{name}: columns must be a list of distinct names")
    cols = tuple(columns)
    if "days" in cols and cols != ("days",):
        raise TableError(f"{name}: `days` is the name of a table's only column")
    raw_rows = data["rows"]
    if not isinstance(raw_rows, list) or not raw_rows:
        raise TableError(f"{name}: rows must be a non-empty list")
    rows = [_row(raw, cols, confidence, f"{name}, row {i + 1}") for i, raw in enumerate(raw_rows)]
    _check_progression(rows, cols, name)
    return Table(
        scheme=str(data["scheme"]),
        standard=str(data["standard"]),
        title=str(data["title"]),
        source=str(data["source"]),
        reference=str(data["reference"]),
        confidence=confidence,
        confidence_note=str(data.get("confidence_note", "")).strip(),
        columns=cols,
        beyond_last_row=str(data.get("beyond_last_row", "")),
        rows=tuple(rows),
    )


def table_schemes() -> tuple[str, ...]:
    """The schemes that have a shipped table, e.g. ("ems", "isms", "ohsms", "qms")."""
    return tuple(sorted(path.stem for path in TABLES_DIR.glob("*.yaml")))


@cache
def load_table(scheme: str) -> Table:
    """The table of `scheme`, read from `tables/<scheme>.yaml` and checked."""
    path = TABLES_DIR / f"{scheme}.yaml"
    if scheme not in table_schemes():
        raise TableError(f"no audit-time table for {scheme!r}")
    table = parse_table(yaml.safe_load(path.read_text(encoding="utf-8")), path.name)
    if table.scheme != scheme:
        raise TableError(f"{path.name}: scheme must be {scheme!r}, not {table.scheme!r}")
    return table
