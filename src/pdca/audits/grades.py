"""How each finding grade looks, the same on every page, chart and PDF: a major nonconformity
dark red, a minor one orange, an observation slate, an opportunity for improvement blue and a
strength green. Charts fill their bars with `colour`; badges use `colour` behind `ink`.

Nonconformity severities (major, minor) take the colours of the same grades."""

from __future__ import annotations

from dataclasses import dataclass

from pdca.audits.models import Finding


@dataclass(frozen=True)
class GradeLook:
    colour: str  # the fill of a bar or a badge
    ink: str  # the text on a badge of that fill (contrast at least 4.5:1)


GRADE_LOOKS: dict[str, GradeLook] = {
    Finding.Grade.MAJOR.value: GradeLook("#8e1b1b", "#ffffff"),
    Finding.Grade.MINOR.value: GradeLook("#f57c00", "#1f2d3d"),
    Finding.Grade.OBSERVATION.value: GradeLook("#546e7a", "#ffffff"),
    Finding.Grade.OFI.value: GradeLook("#1565c0", "#ffffff"),
    Finding.Grade.STRENGTH.value: GradeLook("#2e7d32", "#ffffff"),
}
#: Bar colours by grade (plain strings as keys: frozen report content holds plain strings).
GRADE_COLOURS: dict[str, str] = {grade: look.colour for grade, look in GRADE_LOOKS.items()}
#: For a grade pdca does not know (never expected): neutral grey.
OTHER = GradeLook("#607d8b", "#ffffff")


def grade_look(grade: str) -> GradeLook:
    return GRADE_LOOKS.get(str(grade), OTHER)


def grade_colour(grade: str) -> str:
    return grade_look(grade).colour
