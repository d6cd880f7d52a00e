"""What the `pdca engagement` commands share: who acts or reads (`--as`), the engagement
named, dates on the command line, and printing one record."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import typer
from rich.markup import escape

from pdca.core.cli_output import cell_text, print_json
from pdca.core.cli_support import run_service
from pdca.core.console import console, err

ActorOption = Annotated[
    str | None, typer.Option("--as", help="E-mail of the member doing it (their permissions apply)")
]
ViewerOption = Annotated[
    str | None,
    typer.Option("--as", help="E-mail of a member: only what they may see, from their side"),
]
EngagementArgument = Annotated[int, typer.Argument(help="Engagement id (`pdca engagement list`)")]
GrantArgument = Annotated[int, typer.Argument(help="Grant id (`pdca engagement grants ID`)")]


def setup() -> None:
    from pdca.core.cli_support import setup_django

    setup_django()


def viewer(email: str | None) -> Any:
    from pdca.core.cli_support import actor_or_exit

    return actor_or_exit(email)


def actor(email: str | None) -> Any:
    if email is None:
        err.print("[red]Say who: --as EMAIL (the member doing it).")
        raise typer.Exit(2)
    return viewer(email)


def dump(schema: Any, obj: Any, user: Any) -> dict[str, Any]:
    """`obj` as the API gives it to `user` (None: the operator)."""
    return schema.model_validate(obj, context={"viewer": user}).model_dump()


def engagement_of(engagement_id: int, user: Any, side: str | None = None) -> Any:
    from pdca.engagements.links import lookups

    def find() -> Any:
        found = lookups.engagement(user, engagement_id)
        if side is not None:
            lookups.require_side(user, found, side)
        return found

    return run_service(find)


def when(value: str, option: str, *, end_of_day: bool = False) -> dt.datetime:
    """A date (its start, or the start of the next day with `end_of_day`) or a date and time,
    in the local time zone unless it names one."""
    from django.utils import timezone

    try:
        if len(value) == 10:
            day = dt.date.fromisoformat(value) + dt.timedelta(days=1 if end_of_day else 0)
            moment = dt.datetime.combine(day, dt.time())
        else:
            moment = dt.datetime.fromisoformat(value)
    except ValueError:
        err.print(f"[red]{option} must be a date (YYYY-MM-DD) or a date and time, not {value!r}.")
        raise typer.Exit(2) from None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def choice(value: str | None, allowed: list[str], option: str) -> str | None:
    """`value` when it is one of `allowed` (or not given); exit 2 naming the option otherwise."""
    if value is not None and value not in allowed:
        err.print(f"[red]{option} must be one of {', '.join(allowed)}, not {value!r}.")
        raise typer.Exit(2)
    return value


def print_one(data: dict[str, Any], fmt: str, labels: dict[str, str]) -> None:
    """One record: as JSON, or one line per label."""
    if fmt == "json":
        print_json(data)
        return
    for key, label in labels.items():
        value = data.get(key)
        if isinstance(value, dict):
            value = value.get("name") or value.get("title") or value.get("id")
        console.print(f"[bold]{escape(label)}:[/] {escape(cell_text(value))}")
