"""`pdca engagement grants|grant|revoke|log|documents|files|registers|shared|read|download`:
what a client shares with the other side of a link, with the ids a grant names, and the
provider's reads under it (each logged in the client's activity log, as the member named)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from pdca.core.cli_output import Column, FormatOption, print_json, print_rows
from pdca.core.cli_support import run_service
from pdca.core.console import console, err
from pdca.engagements.links.cli_common import (
    ActorOption,
    EngagementArgument,
    GrantArgument,
    ViewerOption,
    actor,
    choice,
    dump,
    engagement_of,
    setup,
    viewer,
    when,
)

IdsOption = Annotated[list[int] | None, typer.Option(help="An id (repeat the option for more)")]


def _names(items: list[dict[str, Any]], key: str) -> str:
    return ", ".join(str(i.get(key)) for i in items)


GRANT_COLUMNS = [
    Column("id", "Id", "right"),
    Column("purpose", "Purpose"),
    Column("status", "Status"),
    Column("ends_at", "Until"),
    Column("documents", "Documents", text=lambda r: _names(r["documents"], "code")),
    Column("evidence", "Files", text=lambda r: _names(r["evidence"], "name")),
    Column("registers", "Registers", text=lambda r: _names(r["registers"], "slug")),
]


def grants(
    engagement_id: EngagementArgument,
    status: Annotated[
        str | None, typer.Option("--status", help="scheduled, active, expired or revoked")
    ] = None,
    actor_email: ViewerOption = None,
    fmt: FormatOption = "table",
) -> None:
    """The grants of a link (ids for `revoke` and `log`), latest first."""
    setup()
    from pdca.engagements.links import lookups
    from pdca.engagements.links.schemas import AccessGrantOut

    choice(status, ["scheduled", "active", "expired", "revoked"], "--status")
    user = viewer(actor_email)
    engagement = engagement_of(engagement_id, user)
    rows = lookups.filter_grants(lookups.grants_of(engagement), status)
    print_rows(
        [dump(AccessGrantOut, g, user) for g in rows],
        GRANT_COLUMNS,
        fmt,
        title=f"Grants of {engagement}",
        empty="No grant.",
    )


def _client_items(engagement_id: int, actor_email: str | None) -> Any:
    from pdca.engagements import access

    user = viewer(actor_email)
    return engagement_of(engagement_id, user, access.CLIENT)


def documents(
    engagement_id: EngagementArgument, actor_email: ViewerOption = None, fmt: FormatOption = "table"
) -> None:
    """The client's documents (ids for `grant --document` and `answer --document`)."""
    setup()
    from pdca.documents.models import Document

    engagement = _client_items(engagement_id, actor_email)
    rows = [
        {"id": d.pk, "code": d.code, "title": d.title, "kind": d.kind}
        for d in Document.objects.filter(
            organization_id=engagement.client_organization_id, archived_at__isnull=True
        ).order_by("code", "pk")
    ]
    columns = [Column("id", "Id", "right"), Column("code", "Code"), Column("title", "Title")]
    print_rows(rows, columns, fmt, title="Documents", empty="No document.")


def files(
    engagement_id: EngagementArgument, actor_email: ViewerOption = None, fmt: FormatOption = "table"
) -> None:
    """The client's evidence files (ids for `grant --evidence` and `answer --evidence`)."""
    setup()
    from pdca.documents.models import EvidenceFile

    engagement = _client_items(engagement_id, actor_email)
    rows = [
        {"id": f.pk, "name": f.original_name, "size": f.size, "sha256": f.sha256}
        for f in EvidenceFile.objects.filter(
            organization_id=engagement.client_organization_id
        ).order_by("original_name", "pk")
    ]
    columns = [Column("id", "Id", "right"), Column("name", "File"), Column("size", "Bytes")]
    print_rows(rows, columns, fmt, title="Evidence files", empty="No file.")


def registers(fmt: FormatOption = "table") -> None:
    """The registers a client may share (slugs for `grant --register`)."""
    setup()
    from pdca.engagements.services.grants import shareable_registers

    rows = [{"slug": s, "title": t} for s, t in sorted(shareable_registers().items())]
    print_rows(rows, [Column("slug", "Slug"), Column("title", "Register")], fmt)


def grant(
    engagement_id: EngagementArgument,
    purpose: Annotated[str, typer.Option("--purpose", help="e.g. Stage 1 document review")],
    until: Annotated[
        str, typer.Option("--until", help="Last day (YYYY-MM-DD) or an ISO date and time")
    ],
    since: Annotated[str | None, typer.Option("--from", help="Start (default: now)")] = None,
    document: IdsOption = None,
    version: IdsOption = None,
    evidence: IdsOption = None,
    register: Annotated[
        list[str] | None, typer.Option(help="A register slug (repeat for more)")
    ] = None,
    system: Annotated[
        int | None, typer.Option("--system", help="A management system to rehearse on")
    ] = None,
    actor_email: ActorOption = None,
) -> None:
    """Let the provider read the named items until --until (the client's managers)."""
    setup()
    from pdca.engagements import access
    from pdca.engagements.services import grants as services

    user = actor(actor_email)
    engagement = engagement_of(engagement_id, user, access.CLIENT)
    ends_at = when(until, "--until", end_of_day=True)
    starts_at = when(since, "--from") if since else None
    made = run_service(
        lambda: services.grant_access(
            engagement,
            purpose=purpose,
            starts_at=starts_at,
            ends_at=ends_at,
            documents=document or [],
            versions=version or [],
            evidence=evidence or [],
            registers=register or [],
            system=system,
            actor=user,
        )
    )
    console.print(f"Grant {made.pk} to {escape(str(engagement.organization))} until {ends_at}.")


def _grant(grant_id: int, user: Any) -> Any:
    from pdca.engagements.links import lookups

    return run_service(lambda: lookups.grant(user, grant_id))


def revoke(
    grant_id: GrantArgument,
    reason: Annotated[str, typer.Option("--reason", help="Why the access ends")],
    actor_email: ActorOption = None,
) -> None:
    """End a grant now; the provider's next read is refused."""
    setup()
    from pdca.engagements.services import grants as services

    user = actor(actor_email)
    found = _grant(grant_id, user)
    run_service(lambda: services.revoke_grant(found, reason, actor=user))
    console.print(f"Grant {found.pk} revoked.")


def log(
    grant_id: GrantArgument, actor_email: ViewerOption = None, fmt: FormatOption = "table"
) -> None:
    """Every read the provider made under a grant, newest first (the client's side)."""
    setup()
    from pdca.engagements import access
    from pdca.engagements.links import lookups
    from pdca.engagements.links.schemas import GrantReadOut
    from pdca.engagements.services import shared

    user = viewer(actor_email)
    found = _grant(grant_id, user)
    run_service(lambda: lookups.require_side(user, found.engagement, access.CLIENT))
    rows = [GrantReadOut.model_validate(e).model_dump() for e in shared.access_log(found)]
    columns = [Column("at", "When"), Column("by", "Who"), Column("message", "What")]
    print_rows(rows, columns, fmt, title=f"Reads under grant {found.pk}", empty="No read yet.")


def shared_now(
    engagement_id: EngagementArgument, actor_email: ActorOption = None, fmt: FormatOption = "table"
) -> None:
    """What the client shares with you now (ids for `read` and `download`)."""
    setup()
    from pdca.engagements import access
    from pdca.engagements.links.schemas import SharedNowOut
    from pdca.engagements.services import shared

    user = actor(actor_email)
    engagement = engagement_of(engagement_id, user, access.PROVIDER)
    data = dump(SharedNowOut, run_service(lambda: shared.shared_now(engagement, actor=user)), user)
    if fmt == "json":
        print_json(data)
        return
    rows = [
        *(
            {"what": "document", "id": d["id"], "name": f"{d['code']} {d['title']}"}
            for d in data["documents"]
        ),
        *(
            {"what": "version", "id": v["id"], "name": f"{v['code']} v{v['number']}"}
            for v in data["versions"]
        ),
        *({"what": "file", "id": f["id"], "name": f["name"]} for f in data["evidence"]),
        *({"what": "register", "id": r["slug"], "name": r["title"]} for r in data["registers"]),
        *(
            {"what": "answer", "id": r["id"], "name": f"ER-{r['number']} {r['title']}"}
            for r in data["answered_requests"]
        ),
    ]
    columns = [Column("what", "Shared"), Column("id", "Id or slug"), Column("name", "Name")]
    print_rows(rows, columns, fmt, title="Shared with you now", empty="Nothing is shared now.")


def read(
    engagement_id: EngagementArgument,
    document: Annotated[int | None, typer.Option("--document", help="A shared document")] = None,
    version: Annotated[int | None, typer.Option("--version", help="A shared version")] = None,
    register: Annotated[str | None, typer.Option("--register", help="A shared register")] = None,
    actor_email: ActorOption = None,
) -> None:
    """Read one shared document, version or register as JSON (logged for the client)."""
    setup()
    from pdca.engagements import access
    from pdca.engagements.links import grants_api, schemas
    from pdca.engagements.services import shared

    if [document, version, register].count(None) != 2:
        err.print("[red]Say what: one of --document ID, --version ID or --register SLUG.")
        raise typer.Exit(2)
    user = actor(actor_email)
    engagement = engagement_of(engagement_id, user, access.PROVIDER)
    if document is not None:
        doc = run_service(lambda: shared.read_document(engagement, document, actor=user))
        versions = [dump(schemas.SharedVersionOut, v, user) for v in doc.versions]
        code, title = doc.document.code, doc.document.title
        data: dict[str, Any] = {"id": document, "code": code, "title": title, "versions": versions}
    elif version is not None:
        found = run_service(lambda: shared.read_version(engagement, version, actor=user))
        data = dump(schemas.SharedVersionDetailOut, found, user)
    else:
        slug = register or ""
        data = grants_api.register_rows(
            run_service(lambda: shared.read_register(engagement, slug, actor=user))
        )
    print_json(data)


def download(
    engagement_id: EngagementArgument,
    evidence_id: Annotated[
        int, typer.Argument(help="A shared file id (`pdca engagement shared` ID)")
    ],
    out: Annotated[Path, typer.Option("--out", help="Where to write the file")],
    actor_email: ActorOption = None,
) -> None:
    """Download a shared file (logged for the client)."""
    setup()
    from pdca.engagements import access
    from pdca.engagements.services import shared

    user = actor(actor_email)
    engagement = engagement_of(engagement_id, user, access.PROVIDER)
    got = run_service(lambda: shared.download_evidence(engagement, evidence_id, actor=user))
    with got.file as source:
        out.write_bytes(source.read())
    console.print(f"Wrote {escape(str(out))} ({got.size} bytes, {escape(got.name)}).")


def add_commands(app: typer.Typer) -> None:
    for name, command in (
        ("grants", grants),
        ("documents", documents),
        ("files", files),
        ("registers", registers),
        ("grant", grant),
        ("revoke", revoke),
        ("log", log),
        ("shared", shared_now),
        ("read", read),
        ("download", download),
    ):
        app.command(name)(command)
