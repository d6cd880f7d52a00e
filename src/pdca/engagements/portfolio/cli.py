"""`pdca portfolio`: a consultancy's clients at a glance, as a table or as JSON (the API's
figures).

`--as EMAIL` reads as that member: their consultancies' clients, and nothing (exit 1, saying
why) unless they are one of a consultancy's consultants or managers. Without it the operator
at the command line reads every consultancy's portfolio, or the one `--org SLUG` names."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.markup import escape

from pdca.core.cli_output import Column, FormatOption, json_text, print_rows
from pdca.core.console import err


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:g}%"


def rows_of(data: dict[str, Any]) -> list[dict[str, str]]:
    """One row per client (from `Portfolio.as_dict()`), most attention first."""
    rows = []
    for c in data["clients"]:
        readiness = ", ".join(f"{r['code']} {_percent(r['percent'])}" for r in c["readiness"])
        audit = c["audits"][0] if c["audits"] else None
        when = (audit["start_date"] or f"due {audit['due_date']}") if audit else ""
        expiring = [x["number"] for x in c["certificates"] if x["expiring"] or x["suspended"]]
        rows.append(
            {
                "client": c["name"],
                "consultancy": c["consultancy"],
                "readiness": readiness or "–",
                "overdue": str(c["overdue"]["total"]),
                "next_audit": f"{audit['label']} {when}" if audit else "–",
                "certificates": f"{len(c['certificates'])}"
                + (f" ({', '.join(expiring)} to watch)" if expiring else ""),
                "attention": "; ".join(c["attention"]) or "–",
            }
        )
    return rows


COLUMNS = [
    Column("client", "Client"),
    Column("consultancy", "Consultancy"),
    Column("readiness", "Readiness"),
    Column("overdue", "Overdue", "right"),
    Column("next_audit", "Next audit"),
    Column("certificates", "Certificates"),
    Column("attention", "Needs attention"),
]


def portfolio_command(
    viewer_email: Annotated[
        str | None, typer.Option("--as", help="E-mail of a consultancy's member: their clients")
    ] = None,
    org: Annotated[str | None, typer.Option("--org", help="Only this consultancy (slug)")] = None,
    fmt: FormatOption = "table",
) -> None:
    """A consultancy's clients across them: readiness per standard, overdue work, next audits
    and certificates, the clients needing most attention first."""
    from pdca.core.cli_support import actor_or_exit, organization_or_exit, setup_django

    setup_django()
    from pdca.engagements.portfolio.selectors import (
        NotConsultant,
        portfolio_for,
        require_consultancy,
    )
    from pdca.tenancy.models import Organization

    viewer = actor_or_exit(viewer_email)
    if viewer is not None:
        try:
            consultancies = require_consultancy(viewer)
        except NotConsultant as exc:
            err.print(f"[red]{escape(exc.message)}")
            raise typer.Exit(1) from None
    else:
        consultancies = list(
            Organization.objects.filter(kind=Organization.Kind.CONSULTANCY).order_by("name")
        )
    if org is not None:
        chosen = organization_or_exit(org)
        consultancies = [c for c in consultancies if c.pk == chosen.pk]
        if not consultancies:
            who = f"{viewer.email} does not read" if viewer else "There is no"
            err.print(f"[red]{escape(who)} a consultancy {escape(repr(org))}.")
            raise typer.Exit(1)
    figures = portfolio_for(consultancies, user=viewer)
    data = figures.as_dict()
    if fmt == "json":
        typer.echo(json_text(data))
        return
    t = data["totals"]
    print_rows(
        rows_of(data),
        COLUMNS,
        "table",
        title=f"Portfolio: {', '.join(data['consultancies']) or 'no consultancy'}, {data['today']}",
        summary=(
            f"{t['clients']} clients ({t['needing_attention']} needing attention), "
            f"{t['overdue']['total']} overdue items, {t['audits_ahead']} audits in the next 90 "
            f"days, {t['certificates_expiring']} certificates expiring within 90 days."
        ),
        empty="No client with an active consultancy engagement.",
    )
