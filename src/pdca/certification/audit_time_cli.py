"""`pdca audit-time`: the audit time of one scheme from the command line, with every step.

A pure calculation over the shipped tables: no database, no organization. Bad input names the
option and exits 1.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from pdca.certification.audit_time import (
    Adjustment,
    AuditTimeResult,
    IdenticalActivity,
    RepetitiveFunctions,
    calculate,
)
from pdca.core.cli_output import Column, FormatOption, print_json, print_rows
from pdca.core.console import console, err
from pdca.core.exceptions import ValidationFailed

__all__ = ["audit_time_command"]

#: The calculator's field names as the options that set them.
OPTIONS = {
    "personnel": "--personnel",
    "temporary": "--temporary",
    "part_time_hours": "--part-time-hours",
    "full_time_hours": "--full-time-hours",
    "identical_activities": "--identical",
    "repetitive_functions": "--repetitive",
    "adjustments": "--adjust",
    "integrated_with": "--integrated-with",
    "integration_reduction": "--integration-reduction",
    "integration_reason": "--integration-reason",
    "off_site": "--off-site",
    "stage1_share": "--stage1-share",
}


def _fail(message: str) -> typer.Exit:
    err.print(f"[red]{escape(message)}", highlight=False)
    return typer.Exit(1)


def _adjustments(values: list[str]) -> list[Adjustment]:
    found = []
    for value in values:
        percent, _, reason = value.partition(":")
        try:
            found.append(Adjustment(float(percent), reason))
        except ValueError:
            raise _fail(
                f"--adjust must be PERCENT:REASON, e.g. -10:mature system, not {value!r}"
            ) from None
    return found


def _identical(values: list[str]) -> list[IdenticalActivity]:
    found = []
    for value in values:
        name, _, persons = value.rpartition("=")
        try:
            found.append(IdenticalActivity(name, int(persons)))
        except ValueError:
            raise _fail(
                f"--identical must be ACTIVITY=PERSONS, e.g. call centre=400, not {value!r}"
            ) from None
    return found


def _option(field: str) -> str:
    head = field.split(".")[0].split("[")[0]
    return OPTIONS.get(head, f"--{head.replace('_', '-')}")


def _figure_rows(result: AuditTimeResult) -> list[dict[str, object]]:
    rows = []
    for name, figure in (
        ("initial (stage 1 + stage 2)", result.initial),
        ("stage 1", result.stage1),
        ("stage 2", result.stage2),
        ("surveillance (each)", result.surveillance),
        ("recertification", result.recertification),
    ):
        rows.append(
            {
                "audit": name,
                "days": f"{figure.days:g}",
                "on_site": "" if figure.on_site_minimum is None else f"{figure.on_site_minimum:g}",
                "provisional": figure.provisional,
            }
        )
    return rows


def _print_table(result: AuditTimeResult) -> None:
    row = result.table_row
    if row is not None:
        column = result.complexity or "days"
        cell = row.cells[column]
        label = f" [{cell.confidence}]" if cell.provisional else ""
        where = f", {column} complexity" if result.complexity else ""
        console.print(
            f"{result.table_title}\nrow {row.label} persons{where}: {cell.days:g} days{label}",
            markup=False,
        )
    console.print(f"effective personnel: {result.effective_personnel}", markup=False)
    print_rows(
        _figure_rows(result),
        [
            Column("audit", "audit"),
            Column("days", "days", justify="right"),
            Column("on_site", "least on site", justify="right"),
            Column("provisional", "provisional"),
        ],
        "table",
        title=f"Audit time, {result.standard}",
    )
    print_rows(
        [
            {
                "step": s.key,
                "how": s.text,
                "basis": s.basis,
                "label": s.confidence + (" (provisional)" if s.provisional else ""),
            }
            for s in result.steps
        ],
        [
            Column("step", "step"),
            Column("how", "how"),
            Column("basis", "basis"),
            Column("label", "label"),
        ],
        "table",
        title="How it was reached",
    )
    if result.provisional:
        console.print(
            "Provisional: some figures rest on facts not yet verified against the published "
            "documents (V2, M, !) or on pdca's assumptions; see --format json for why.",
            markup=False,
        )


def audit_time_command(
    scheme: Annotated[
        str, typer.Option("--scheme", help="qms, ems, ohsms, isms, or entered (with --days)")
    ],
    personnel: Annotated[
        int, typer.Option("--personnel", help="Full-time persons within the scope, all shifts")
    ],
    complexity: Annotated[
        str | None,
        typer.Option(
            "--complexity", help="high, medium, low or limited (EMS; OH&SMS has no limited)"
        ),
    ] = None,
    temporary: Annotated[
        int, typer.Option("--temporary", help="Non-permanent persons present at the audit")
    ] = 0,
    part_time_hours: Annotated[
        float, typer.Option("--part-time-hours", help="Weekly hours of all part-time persons")
    ] = 0.0,
    full_time_hours: Annotated[
        float | None, typer.Option("--full-time-hours", help="Weekly hours of one full-time person")
    ] = None,
    identical: Annotated[
        list[str] | None,
        typer.Option("--identical", help="ISMS: ACTIVITY=PERSONS doing an identical activity"),
    ] = None,
    repetitive: Annotated[
        int | None, typer.Option("--repetitive", help="MD 5: persons fewer for repetitive work")
    ] = None,
    repetitive_justification: Annotated[
        str, typer.Option("--repetitive-justification", help="Why --repetitive is justified")
    ] = "",
    adjust: Annotated[
        list[str] | None,
        typer.Option("--adjust", help="PERCENT:REASON, e.g. -10:mature system (repeatable)"),
    ] = None,
    integrated_with: Annotated[
        list[str] | None,
        typer.Option("--integrated-with", help="Another scheme audited together (repeatable)"),
    ] = None,
    integration_reduction: Annotated[
        float, typer.Option("--integration-reduction", help="Percent off for integration (≤ 20)")
    ] = 0.0,
    integration_reason: Annotated[
        str, typer.Option("--integration-reason", help="Why the integration reduction applies")
    ] = "",
    off_site: Annotated[
        float, typer.Option("--off-site", help="Days of planning and reporting off site")
    ] = 0.0,
    stage1_share: Annotated[
        float, typer.Option("--stage1-share", help="Share of stage 1 in the initial time")
    ] = 1 / 3,
    standard: Annotated[
        str | None, typer.Option("--standard", help="With entered: aims, fsms or bcms")
    ] = None,
    days: Annotated[
        float | None, typer.Option("--days", help="With entered: initial days (stage 1 + 2)")
    ] = None,
    justification: Annotated[
        str, typer.Option("--justification", help="With entered: why these days")
    ] = "",
    fmt: FormatOption = "table",
) -> None:
    """Audit time by IAF MD 5 (QMS, EMS, OH&SMS) or ISO/IEC 27006-1 (ISMS): the table row,
    initial, stage 1, stage 2, surveillance and recertification days, and every step."""
    reduction = None
    if repetitive is not None:
        reduction = RepetitiveFunctions(repetitive, repetitive_justification)
    try:
        result = calculate(
            scheme,
            personnel=personnel,
            complexity=complexity,
            temporary=temporary,
            part_time_hours=part_time_hours,
            full_time_hours=full_time_hours,
            identical_activities=_identical(identical or []),
            repetitive_functions=reduction,
            adjustments=_adjustments(adjust or []),
            integrated_with=integrated_with or [],
            integration_reduction=integration_reduction,
            integration_reason=integration_reason,
            off_site=off_site,
            stage1_share=stage1_share,
            standard=standard,
            days=days,
            justification=justification,
        )
    except ValidationFailed as exc:
        raise _fail(
            "; ".join(f"{_option(e.field)} ({e.field}): {e.message}" for e in exc.errors)
        ) from None
    if fmt == "json":
        print_json(result.to_dict())
    else:
        _print_table(result)
