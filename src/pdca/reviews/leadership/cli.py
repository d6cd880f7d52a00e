"""`pdca review leadership --org SLUG --as EMAIL`: the leadership page from the command line:
top management, the management representative, the policy documents per standard (5.2) and
who is accountable and responsible for what (5.3); as a table or as the API's JSON.

It reads with the permissions of the member named by `--as` (the page's readers: every role of
the organization but employees), because it lists members and documents that only they may
see. System ids are listed by `pdca review systems --org SLUG`."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.markup import escape

from pdca.core.cli_output import Column, FormatOption, print_json, print_rows
from pdca.core.console import console, err


def _people(people: list[dict[str, Any]]) -> str:
    return ", ".join(p["name"] for p in people) or "–"


def leadership_command(
    org: Annotated[str, typer.Option("--org", help="The organization (slug)")],
    actor_email: Annotated[
        str | None, typer.Option("--as", help="E-mail of the member reading (their permissions)")
    ] = None,
    system: Annotated[
        int | None,
        typer.Option("--system", help="Management system id (the first by name otherwise)"),
    ] = None,
    fmt: FormatOption = "table",
) -> None:
    """Leadership of one management system: policies per standard, top management, the
    management representative, responsibilities and roles."""
    from pdca.core.cli_support import actor_or_exit, organization_or_exit, setup_django

    setup_django()
    from pdca.core.permissions import may
    from pdca.reviews.leadership.api import as_dict
    from pdca.reviews.leadership.selectors import leadership
    from pdca.reviews.models import ManagementReview
    from pdca.reviews.selectors import chosen_system, visible_systems

    if actor_email is None:
        err.print("[red]Say who reads it: --as EMAIL (a member of the organization).")
        raise typer.Exit(2)
    organization = organization_or_exit(org)
    actor = actor_or_exit(actor_email)
    if not may(actor, "view", ManagementReview, organization=organization):
        err.print(f"[red]{escape(actor_email)} may not read leadership in {escape(org)}.")
        raise typer.Exit(1)
    systems = list(visible_systems(actor, organization).select_related("owner"))
    try:
        chosen = chosen_system(systems, system)
    except LookupError:
        err.print(
            f"[red]No management system {system} in {escape(org)}; "
            f"`pdca review systems --org {escape(org)}` lists them."
        )
        raise typer.Exit(1) from None
    data = as_dict(leadership(actor, organization, chosen, systems))
    if fmt == "json":
        print_json(data)
        return
    name = data["system"]["name"] if data["system"] else "no management system yet"
    console.print(f"[bold]Leadership: {escape(name)}[/] ({escape(org)})")
    representative = data["representative"]
    console.print(f"Top management: {escape(_people(data['top_management']))}")
    console.print(
        "Management representative: "
        + escape(representative["name"] if representative else "none (the system has no owner)")
    )
    codes = {p["id"]: p["code"] for p in data["policies"]}
    print_rows(
        [
            {
                "standard": s["name"],
                "clauses": ", ".join(s["clauses"]),
                "documents": ", ".join(codes.get(d, str(d)) for d in s["documents"]) or "none",
                "published": s["published"],
                "commitments": len(s["commitments"]),
            }
            for s in data["standards"]
        ],
        [
            Column("standard", "Standard"),
            Column("clauses", "Clauses"),
            Column("documents", "Policy documents"),
            Column("published", "Published"),
            Column("commitments", "Commitments", "right"),
        ],
        fmt,
        title="Policy per standard (5.2)",
        empty="No standard adopted.",
    )
    print_rows(
        [
            {
                "activity": d["activity"],
                "process": d["process"],
                "accountable": ", ".join(d["accountable"]),
                "responsible": ", ".join(d["responsible"]),
                "problems": "; ".join(d["problems"]),
            }
            for d in data["duties"]
        ],
        [
            Column("activity", "Activity or decision"),
            Column("process", "Process"),
            Column("accountable", "Accountable"),
            Column("responsible", "Responsible"),
            Column("problems", "Problems"),
        ],
        fmt,
        title="Roles, responsibilities and authorities (5.3)",
        empty="No responsibility is recorded.",
    )
