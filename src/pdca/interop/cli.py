"""`pdca backup FILE` and `pdca restore FILE` (mounted on the `pdca` command by `pdca.cli`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from pdca.core.console import console, err


class _Steps:
    """One rich progress bar per step, as the backup and restore functions report them."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, TaskID] = {}

    def __call__(self, step: str, done: int, total: int) -> None:
        if step not in self.tasks:
            self.tasks[step] = self.progress.add_task(step, total=total or None)
        task = self.tasks[step]
        if total:
            self.progress.update(task, completed=done, total=total)
        else:
            self.progress.advance(task)


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err,
    )


def backup_command(
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="The archive to write (.tar, or .tar.gz)")
    ],
) -> None:
    """Back up the database and the evidence files into one archive with a manifest of
    SHA-256 hashes. Exits 1 when evidence files were missing or altered in the store (the
    archive is written all the same)."""
    from pdca.core.cli_support import setup_django

    setup_django()
    from pdca.interop.backup import BackupError, create_backup

    try:
        with _progress() as progress:
            result = create_backup(file, progress=_Steps(progress))
    except BackupError as exc:
        err.print(f"[red]{exc}", soft_wrap=True)
        raise typer.Exit(1) from None
    console.print(
        f"Backed up the {result.vendor} database and {result.evidence_files} evidence file(s) "
        f"to {result.path} ({result.size / (1024 * 1024):.1f} MB)."
    )
    if result.problems:
        for problem in result.problems:
            console.print(f"[red]PROBLEM[/red] {problem}", soft_wrap=True)
        console.print("Run `pdca verify-evidence` and restore those files.")
        raise typer.Exit(1)


def restore_command(
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="An archive written by `pdca backup`")
    ],
    force: Annotated[
        bool,
        typer.Option("--force", help="Replace a database that already holds data"),
    ] = False,
) -> None:
    """Restore an archive written by `pdca backup` into the configured database and evidence
    storage. A damaged archive (a missing member, a hash that does not match, a wrong
    manifest) is refused before anything changes; so is a database that already holds users
    or organizations, unless --force. Ends with the checks of `pdca verify-log` and
    `pdca verify-evidence`, and exits 1 when they fail. Stop pdca while restoring."""
    from pdca.core.cli_support import setup_django

    setup_django()
    from pdca.interop.backup import BackupError, restore_backup

    try:
        with _progress() as progress:
            result = restore_backup(file, force=force, progress=_Steps(progress))
    except BackupError as exc:
        err.print(f"[red]{exc}", soft_wrap=True)
        raise typer.Exit(1) from None
    console.print(
        f"Restored the {result.vendor} database and {result.evidence_files} evidence file(s) "
        f"from {file}."
    )
    if not result.ok:
        for problem in result.problems:
            console.print(f"[red]BROKEN[/red] {problem}", soft_wrap=True)
        console.print(f"{len(result.problems)} problem(s) after the restore.")
        raise typer.Exit(1)
    console.print(
        f"OK: {result.chains} activity-log chains ({result.entries} entries) and the evidence "
        "store verified."
    )
