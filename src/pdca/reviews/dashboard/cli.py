"""`pdca dashboard SYSTEM_ID`: the top-management dashboard of one management system from the
command line, as a table, as JSON (the API's figures) or as the A4 PDF.

It reads as the operator at the command line, who sees everything, unless `--as EMAIL` names
a member: then only what their role may see, and nothing unless they may read management
reviews there. System ids are listed by `pdca review systems --org SLUG`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from pdca.core.cli_output import Column, json_text, print_rows
from pdca.core.console import console, err

FORMATS = ("table", "json", "pdf")


def _check_format(ctx: typer.Context, value: str) -> str:
    if ctx.resilient_parsing:
        return value
    if value not in FORMATS:
        err.print(f"[red]--format must be table, json or pdf, not {escape(repr(value))}.")
        raise typer.Exit(2)
    return value


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:g}%"


def _date(value: str | None, empty: str = "–") -> str:
    return value or empty


def rows_of(data: dict[str, Any]) -> list[dict[str, str]]:
    """The dashboard's figures (from `Dashboard.as_dict()`) as (tile, figure, value) rows."""
    rows: list[dict[str, str]] = []

    def add(tile: str, figure: str, value: Any) -> None:
        rows.append({"tile": tile, "figure": figure, "value": str(value)})

    tiles = (
        ("readiness", "Readiness"),
        ("objectives", "Objectives"),
        ("nonconformities", "Nonconformities"),
        ("cycle_time", "Cycle time"),
        ("risks", "Risks"),
        ("documents", "Documents"),
        ("competence", "Competence"),
        ("audit_programme", "Audit programme"),
        ("certification", "Certification"),
        ("management_review", "Management review"),
    )
    for key, tile in tiles:
        if not data[key]["available"] and key != "certification":
            add(tile, "–", "not shown to this member's role")
    r = data["readiness"]
    if r["available"]:
        if r["assessment_id"] is None:
            add("Readiness", "Gap assessment", "none yet")
        else:
            add("Readiness", "Overall", _percent(r["overall"]))
            for s in r["standards"]:
                add("Readiness", s["name"], _percent(s["percent"]))
    o = data["objectives"]
    if o["available"]:
        for label, name in (
            ("Active", "active"),
            ("On track", "on_track"),
            ("Achieved", "achieved"),
            ("At risk", "at_risk"),
            ("Off track", "off_track"),
            ("No data yet", "no_data"),
        ):
            add("Objectives", label, o[name])
    n = data["nonconformities"]
    if n["available"]:
        for label, name in (
            ("Open", "open"),
            ("Major", "major"),
            ("Minor", "minor"),
            ("Not graded", "not_graded"),
            ("Under 30 days", "under_30_days"),
            ("30 to 90 days", "days_30_to_90"),
            ("Over 90 days", "over_90_days"),
            ("Overdue", "overdue"),
        ):
            add("Nonconformities", label, n[name])
    c = data["cycle_time"]
    if c["available"]:
        add("Cycle time", "Closed in 12 months", c["closed"])
        add("Cycle time", "Median days", "–" if c["median_days"] is None else c["median_days"])
        add("Cycle time", "90th percentile days", "–" if c["p90_days"] is None else c["p90_days"])
    k = data["risks"]
    if k["available"]:
        add("Risks", f"Above {k['threshold']} (of {k['open']} open)", k["above"])
    d = data["documents"]
    if d["available"]:
        add("Documents", "Past review", d["past_review"])
        add("Documents", "Due within 30 days", d["due_within_30_days"])
    g = data["competence"]
    if g["available"]:
        add("Competence", "Mandatory gaps", g["gaps"])
        add("Competence", "People with a gap", f"{g['people_with_gaps']} of {g['people']}")
    p = data["audit_programme"]
    if p["available"]:
        if p["programme_id"] is None:
            add("Audit programme", "Programme", "none yet")
        else:
            add("Audit programme", p["title"], f"{p['done']} of {p['planned']} reported")
            add("Audit programme", "Under way", p["in_progress"])
            add("Audit programme", "Late", p["overdue"])
    t = data["certification"]
    add("Certification", "System status", t["system_status_label"])
    add("Certification", "Target date", _date(t["certification_target_date"]))
    add("Certification", "Certificate", "none linked yet")
    if t["available"]:
        add("Certification", "Next audits", t["upcoming_count"])
        for a in t["upcoming"]:
            add("Certification", a["audit_type_label"], f"{a['start_date']} {a['reference']}")
    m = data["management_review"]
    if m["available"]:
        add("Management review", "Last held", _date(m["last_held"], "never"))
        add("Management review", "Next planned", _date(m["next_planned"], "none planned"))
        due = _date(m["next_due"]) + (" (overdue)" if m["overdue"] else "")
        add("Management review", "Next due", due)
    return rows


def dashboard_command(
    system_id: Annotated[
        int, typer.Argument(help="Management system id (`pdca review systems --org SLUG`)")
    ],
    org: Annotated[
        str | None, typer.Option("--org", help="The system's organization (slug), to check it")
    ] = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            metavar="[table|json|pdf]",
            help="table (for people), json (for scripts) or pdf (the A4 page set)",
            callback=_check_format,
        ),
    ] = "table",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write to this file (a PDF goes to a file anyway)"),
    ] = None,
    viewer_email: Annotated[
        str | None, typer.Option("--as", help="E-mail of a member: only what they may see")
    ] = None,
) -> None:
    """The top-management dashboard of one management system: readiness, objectives,
    nonconformities, cycle time, risks, documents, competence, audits, certification and the
    management review."""
    from pdca.core.cli_support import actor_or_exit, organization_or_exit, setup_django

    setup_django()
    from pdca.core.permissions import may, scope
    from pdca.reviews.dashboard.figures import dashboard_for
    from pdca.reviews.dashboard.pdf import dashboard_pdf, filename
    from pdca.reviews.models import ManagementReview
    from pdca.system.models import ManagementSystem

    viewer = actor_or_exit(viewer_email)
    systems = ManagementSystem.objects.select_related("organization")
    if org is not None:
        systems = systems.filter(organization=organization_or_exit(org))
    if viewer is not None:
        systems = scope(systems, viewer)
    system = systems.filter(pk=system_id).first()
    if system is None:
        where = f" in {org}" if org else ""
        err.print(
            f"[red]No management system {system_id}{escape(where)}; "
            "`pdca review systems --org SLUG` lists them."
        )
        raise typer.Exit(1)
    if viewer is not None and not may(
        viewer, "view", ManagementReview, organization=system.organization
    ):
        err.print(f"[red]{escape(viewer.email)} may not see the dashboards of this organization.")
        raise typer.Exit(1)
    figures = dashboard_for(system, user=viewer)
    if fmt == "pdf":
        target = output or Path(filename(figures))
        target.write_bytes(dashboard_pdf(figures))
        console.print(f"Wrote {escape(str(target))}")
        return
    data = figures.as_dict()
    if output is not None:
        if fmt == "json":
            output.write_text(json_text(data) + "\n", encoding="utf-8")
        else:
            output.write_text(
                "\n".join(f"{r['tile']}\t{r['figure']}\t{r['value']}" for r in rows_of(data))
                + "\n",
                encoding="utf-8",
            )
        console.print(f"Wrote {escape(str(output))}")
        return
    if fmt == "json":
        typer.echo(json_text(data))
        return
    print_rows(
        rows_of(data),
        [Column("tile", "Tile"), Column("figure", "Figure"), Column("value", "Value", "right")],
        "table",
        title=f"Dashboard: {figures.system_name} ({figures.organization}), {figures.today}",
    )
