"""`pdca rehearse SYSTEM_ID`: the stage 1 rehearsal from the command line. It runs the
rehearsal as the member named by `--as EMAIL` (a run is a write, logged as theirs) and prints
the run as a table, as JSON (the API's shape) or as the A4 PDF; `--latest` shows the latest
run instead of running a new one (as the operator, who sees every run, unless `--as` names a
member). `pdca rehearse --systems` lists the systems and their ids.

A certification body's member (`--as`) reaches a client's system only under an open grant
naming it, sees only their body's runs, and each output is logged in the client's activity
log, as on the pages and in the API."""

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


def _issue_rows(report: Any) -> list[dict[str, str]]:
    return [issue.as_dict() for issue in report.issues]


ISSUE_COLUMNS = [
    Column("grade", "Grade"),
    Column("requirements", "Requirement"),
    Column("rule", "Rule", text=lambda r: f"{r['rule']} {r['rule_title']}"),
    Column("title", "Finding", text=lambda r: f"{r['title']}\n{r['detail']}".strip()),
    Column("status", "Change"),
    Column("fix_url", "Fix it at"),
]


def _table_text(report: Any) -> str:
    lines = [
        "\t".join(
            str(row[key]) for key in ("grade", "requirements", "rule", "title", "status", "fix_url")
        )
        for row in _issue_rows(report)
    ]
    return "\n".join(lines) + "\n"


def _heading(report: Any) -> str:
    r = report.rehearsal
    return (
        f"Stage 1 rehearsal of {r.system.name} ({r.system.organization.slug}), run "
        f"{r.run_at:%Y-%m-%d %H:%M} by {report.by}: {r.majors} major, {r.minors} minor, "
        f"{r.rules_passed}/{r.rules_run} rules passed"
    )


def _comparison_line(report: Any) -> str:
    c = report.comparison
    if c.previous is None:
        return "First run: nothing to compare with."
    line = (
        f"Since the run of {c.previous.run_at:%Y-%m-%d %H:%M}: {len(c.new)} new, "
        f"{len(c.resolved)} resolved, {len(c.still_open)} still open."
    )
    return line + ("" if c.same_rules else " (The rules changed between the two runs.)")


def _list_systems(viewer: Any, org: str | None, fmt: str) -> None:
    from pdca.core.cli_support import organization_or_none
    from pdca.engagements.rehearsal.selectors import rehearsable_systems

    rows = [row.as_dict() for row in rehearsable_systems(viewer, organization_or_none(org))]
    print_rows(
        rows,
        [
            Column("id", "Id", "right"),
            Column("name", "System"),
            Column("organization", "Organization"),
            Column(
                "via_grant", "Grant", text=lambda r: f"G-{r['via_grant']}" if r["via_grant"] else ""
            ),
            Column("last_run_at", "Latest run"),
            Column("majors", "Major", "right"),
            Column("minors", "Minor", "right"),
        ],
        fmt,
        title="Systems to rehearse",
        empty="No management system to rehearse.",
    )


def rehearse_command(
    system_id: Annotated[
        int | None,
        typer.Argument(help="Management system id (`pdca rehearse --systems` lists them)"),
    ] = None,
    list_systems: Annotated[
        bool, typer.Option("--systems", help="List the systems to rehearse, with their ids")
    ] = False,
    org: Annotated[
        str | None, typer.Option("--org", help="With --systems: only this organization (slug)")
    ] = None,
    latest: Annotated[
        bool, typer.Option("--latest", help="Show the latest run instead of running a new one")
    ] = False,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            metavar="[table|json|pdf]",
            help="table (for people), json (for scripts) or pdf (the A4 report)",
            callback=_check_format,
        ),
    ] = "table",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write to this file (a PDF goes to a file anyway)"),
    ] = None,
    viewer_email: Annotated[
        str | None,
        typer.Option("--as", help="E-mail of the member running it (or reading, with --latest)"),
    ] = None,
) -> None:
    """Run the stage 1 rehearsal on a management system: what a stage 1 auditor would likely
    raise, predicted from the system's own records."""
    from pdca.core.cli_support import actor_or_exit, run_service, setup_django

    setup_django()
    from pdca.core.context import channel
    from pdca.core.exceptions import ServiceError
    from pdca.engagements.models import Rehearsal
    from pdca.engagements.rehearsal import selectors, services
    from pdca.engagements.rehearsal.pdf import filename, rehearsal_pdf
    from pdca.engagements.rehearsal.report import rehearsal_as_dict, report_for
    from pdca.system.models import ManagementSystem

    viewer = actor_or_exit(viewer_email)
    if list_systems:
        if fmt == "pdf":
            err.print("[red]--systems lists as a table or JSON, not a PDF.")
            raise typer.Exit(2)
        _list_systems(viewer, org, fmt)
        return
    if system_id is None:
        err.print("[red]Give a system id; `pdca rehearse --systems` lists them.")
        raise typer.Exit(2)
    system = ManagementSystem.objects.select_related("organization").filter(pk=system_id).first()
    if system is None:
        err.print(f"[red]No management system {system_id}; `pdca rehearse --systems` lists them.")
        raise typer.Exit(1)
    grant = None
    if latest:
        if viewer is None:
            rehearsal = Rehearsal.objects.filter(system=system).order_by("-run_at", "-pk").first()
        else:
            try:
                access = selectors.access_to_system(viewer, system)
            except ServiceError as exc:
                err.print(f"[red]{escape(exc.message)}")
                raise typer.Exit(1) from None
            grant = access.grant
            rehearsal = selectors.runs_of(access).first()
        if rehearsal is None:
            err.print(
                "[red]No rehearsal of this system yet; run one: `pdca rehearse ID --as EMAIL`."
            )
            raise typer.Exit(1)
    else:
        if viewer is None:
            err.print("[red]Say who runs it: --as EMAIL (the member running it).")
            raise typer.Exit(2)
        rehearsal = run_service(lambda: services.run_rehearsal(system, actor=viewer))
        grant = rehearsal.grant
    rehearsal = Rehearsal.objects.select_related(
        "system__organization", "run_by", "run_for", "organization"
    ).get(pk=rehearsal.pk)
    with channel("cli"):
        services.log_read(rehearsal, user=viewer, grant=grant, download=fmt == "pdf")
    if fmt == "pdf":
        target = output or Path(filename(rehearsal))
        target.write_bytes(rehearsal_pdf(rehearsal))
        console.print(f"Wrote {escape(str(target))}")
        return
    if fmt == "json":
        text = json_text(rehearsal_as_dict(rehearsal))
        if output is not None:
            output.write_text(text + "\n", encoding="utf-8")
            console.print(f"Wrote {escape(str(output))}")
        else:
            typer.echo(text)
        return
    report = report_for(rehearsal)
    if output is not None:
        output.write_text(
            _heading(report) + "\n" + _table_text(report) + _comparison_line(report) + "\n",
            encoding="utf-8",
        )
        console.print(f"Wrote {escape(str(output))}")
        return
    print_rows(
        _issue_rows(report),
        ISSUE_COLUMNS,
        "table",
        title=_heading(report),
        summary=_comparison_line(report),
        empty=_heading(report) + "\nNo finding predicted.",
    )
