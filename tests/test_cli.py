"""The `pdca` command (src/pdca/cli.py), run in-process with typer's CliRunner.

The CLI calls django.setup() itself; under pytest-django Django is already set up with the test
settings, and the commands then work on the test database.
"""

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from pdca.accounts.models import User
from pdca.cli import app
from pdca.core.models import ActivityChainHead, ActivityEntry
from pdca.core.roles import CERTIFICATION_BODY_ROLES, ORGANIZATION_ROLES, Role
from pdca.tenancy import services as tenancy
from pdca.tenancy.demo import DEMO_PASSWORD
from pdca.tenancy.models import Membership, Organization

PASSWORD = "a-long-enough-pass-phrase"
SRC = Path(__file__).resolve().parent.parent / "src"


def run(*args, **kwargs):
    return CliRunner().invoke(app, list(args), prog_name="pdca", **kwargs)


def _counts():
    return User.objects.count(), Membership.objects.count(), ActivityEntry.objects.count()


# --- help -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "says"),
    [
        ("serve", "--production"),
        ("demo", "--no-serve"),
        ("createuser", "--password"),
        ("verify-log", "--org"),
        ("manage", "Run a Django management command"),
        ("backup", "archive"),
        ("restore", "--force"),
    ],
)
def test_every_command_has_help(command, says):
    result = run(command, "--help")
    assert result.exit_code == 0, result.output
    assert f"Usage: pdca {command} [OPTIONS]" in result.output
    assert says in result.output


def test_the_top_level_help_lists_every_command():
    result = run("--help")
    assert result.exit_code == 0
    for command in ("serve", "demo", "createuser", "verify-log", "manage", "backup", "restore"):
        assert command in result.output


# --- finding ids ------------------------------------------------------------------------------

#: Arguments naming something a person must look up first: ids, and codes and names.
LOOKED_UP = re.compile(r"_id$|^(code|register|record_type)$")
#: Commands that print what there is; each takes --format table|json.
LISTING = {"list", "show", "versions", "invitations", "retention", "due", "readiness", "status"}


def _commands() -> dict[tuple[str, ...], Any]:
    """Every command of `pdca` by its words, e.g. ("gap", "list")."""
    found: dict[tuple[str, ...], Any] = {}

    def walk(group: Any, path: tuple[str, ...]) -> None:
        for name, command in group.commands.items():
            if hasattr(command, "commands"):
                walk(command, (*path, name))
            else:
                found[(*path, name)] = command

    walk(typer.main.get_command(app), ())
    return found


def _looked_up_arguments():
    return [
        (path, param)
        for path, command in _commands().items()
        for param in command.params
        if param.param_type_name == "argument" and LOOKED_UP.search(param.name or "")
    ]


def test_there_are_id_arguments_to_check():
    names = {(" ".join(path), param.name) for path, param in _looked_up_arguments()}
    assert {("gap readiness", "assessment_id"), ("audit report", "audit_id")} <= names
    assert {("soa status", "soa_id"), ("jobs show", "job_id"), ("docs export", "code")} <= names


@pytest.mark.parametrize(
    ("path", "param"),
    _looked_up_arguments(),
    ids=lambda v: " ".join(v) if isinstance(v, tuple) else getattr(v, "name", str(v)),
)
def test_every_id_argument_names_the_list_command_that_shows_the_ids(path, param):
    help_text = getattr(param, "help", "") or ""
    named = re.search(r"`pdca ([a-z][a-z -]*?)(?=`| [A-Z]| --)", help_text)
    assert named, f"pdca {' '.join(path)} {param.name}: say which command lists them"
    lister = tuple(named.group(1).split())
    commands = _commands()
    assert lister in commands, f"`pdca {' '.join(lister)}` does not exist"
    assert "--format" in {o for p in commands[lister].params for o in getattr(p, "opts", [])}


@pytest.mark.parametrize(
    "path", [path for path in _commands() if path[-1] in LISTING], ids=" ".join
)
def test_every_list_and_show_command_takes_format_json(path):
    result = run(*path, "--help")
    assert result.exit_code == 0, result.output
    assert "--format" in result.output and "[table|json]" in result.output


def test_the_new_list_commands_are_mounted():
    for group in ("gap", "soa", "audit", "docs", "capa", "jobs", "registers", "standards"):
        result = run(group, "--help")
        assert result.exit_code == 0
        assert "list" in result.output


# --- createuser -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_createuser_creates_a_user_with_the_given_password():
    result = run("createuser", "Ann@Example.com", "--name", "Ann Smith", "--password", PASSWORD)
    assert result.exit_code == 0, result.output
    assert result.output == "Created ann@example.com\n"
    user = User.objects.get()
    assert user.email == "ann@example.com"
    assert user.full_name == "Ann Smith"
    assert user.check_password(PASSWORD)
    assert user.is_superuser is False
    assert not Membership.objects.exists()
    entry = ActivityEntry.objects.get(object_type="accounts.user")
    assert (entry.action, entry.object_type, entry.object_id) == (
        "create",
        "accounts.user",
        str(user.pk),
    )
    assert (entry.via, entry.actor, entry.actor_label) == ("cli", None, "system")


@pytest.mark.django_db
def test_createuser_makes_a_platform_administrator():
    result = run("createuser", "root@example.com", "--superuser", "--password", PASSWORD)
    assert result.exit_code == 0, result.output
    user = User.objects.get()
    assert (user.is_superuser, user.is_staff) == (True, True)


@pytest.mark.django_db
def test_createuser_takes_the_password_from_pdca_password(monkeypatch):
    monkeypatch.setenv("PDCA_PASSWORD", PASSWORD)
    result = run("createuser", "ann@example.com")
    assert result.exit_code == 0, result.output
    assert User.objects.get().check_password(PASSWORD)


@pytest.mark.django_db
def test_createuser_asks_for_the_password_twice_when_not_given(monkeypatch):
    monkeypatch.delenv("PDCA_PASSWORD", raising=False)
    result = run("createuser", "ann@example.com", input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert User.objects.get().check_password(PASSWORD)


@pytest.mark.django_db
def test_createuser_without_password_leaves_none_to_reset_by_email():
    result = run("createuser", "ann@example.com", "--no-password")
    assert result.exit_code == 0, result.output
    assert User.objects.get().has_usable_password() is False


@pytest.mark.django_db
def test_createuser_with_org_and_role_creates_the_membership_and_its_activity_entry(personas):
    entries = ActivityEntry.objects.count()
    result = run(
        "createuser",
        "new@a.example",
        "--org",
        "org-a",
        "--role",
        "employee",
        "--password",
        PASSWORD,
    )
    assert result.exit_code == 0, result.output
    assert result.output == "Created new@a.example as employee in org-a\n"
    user = User.objects.get(email="new@a.example")
    membership = Membership.objects.get(user=user)
    assert (membership.organization, membership.role) == (personas.org, Role.EMPLOYEE)
    assert ActivityEntry.objects.count() == entries + 2
    entry = ActivityEntry.objects.get(
        object_type="tenancy.membership", object_id=str(membership.pk)
    )
    assert (entry.action, entry.via, entry.organization) == ("create", "cli", personas.org)
    assert entry.chain == f"org:{personas.org.pk}"
    assert entry.changes["role"] == [None, "employee"]
    assert entry.changes["user"] == [None, user.pk]


@pytest.mark.django_db
@pytest.mark.parametrize("email", ["system_manager@a.example", "SYSTEM_MANAGER@A.Example"])
def test_createuser_refuses_a_duplicate_email_and_writes_nothing(personas, email):
    before = _counts()
    result = run(
        "createuser", email, "--org", "org-b", "--role", "employee", "--password", PASSWORD
    )
    assert result.exit_code == 1
    assert "A user with the e-mail address system_manager@a.example already exists." in (
        result.output
    )
    assert _counts() == before
    assert personas.manager.memberships.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "options", [["--org", "org-a"], ["--role", "employee"]], ids=["org-only", "role-only"]
)
def test_createuser_needs_org_and_role_together(personas, options):
    before = _counts()
    result = run("createuser", "new@a.example", *options, "--password", PASSWORD)
    assert result.exit_code == 2
    assert "--org and --role go together." in result.output
    assert _counts() == before


@pytest.mark.django_db
def test_createuser_with_an_unknown_organization_creates_no_user(personas):
    before = _counts()
    result = run(
        "createuser", "new@a.example", "--org", "nope", "--role", "employee", "--password", PASSWORD
    )
    assert result.exit_code == 1
    assert "No organization with the short name 'nope'." in result.output
    assert _counts() == before
    assert not User.objects.filter(email="new@a.example").exists()


@pytest.mark.django_db
def test_createuser_with_a_role_the_organization_lacks_creates_no_user(personas):
    before = _counts()
    result = run(
        "createuser",
        "new@a.example",
        "--org",
        "org-a",
        "--role",
        "lead_auditor",
        "--password",
        PASSWORD,
    )
    assert result.exit_code == 1
    assert "has no role 'lead_auditor'" in result.output
    assert _counts() == before


@pytest.mark.django_db
def test_createuser_refuses_a_weak_password_and_writes_nothing():
    before = _counts()
    result = run("createuser", "ann@example.com", "--password", "short")
    assert result.exit_code == 1
    assert "password: This password is too short." in result.output
    assert _counts() == before
    assert not User.objects.exists()


@pytest.mark.django_db
def test_createuser_refuses_an_invalid_email_and_writes_nothing():
    before = _counts()
    result = run("createuser", "not-an-address", "--password", PASSWORD)
    assert result.exit_code == 1
    assert "email: Enter a valid e-mail address." in result.output
    assert _counts() == before
    assert not User.objects.exists()


# --- verify-log -------------------------------------------------------------------------------


@pytest.fixture
def logged(personas):
    """Some recorded changes: sites in organizations A and B, and a new user."""
    tenancy.create_site(personas.org, actor=personas.manager, name="Plant")
    tenancy.create_site(personas.org, actor=personas.manager, name="Depot")
    tenancy.create_site(personas.other, actor=personas.outsider, name="Office")
    run("createuser", "ann@example.com", "--password", PASSWORD)
    return personas


@pytest.mark.django_db
def test_verify_log_passes_an_intact_log(logged):
    chains = ActivityChainHead.objects.count()
    entries = ActivityEntry.objects.count()
    assert ActivityEntry.objects.filter(chain=f"org:{logged.org.pk}").count() == 2
    assert ActivityEntry.objects.filter(chain=f"org:{logged.other.pk}").count() == 1
    result = run("verify-log")
    assert result.exit_code == 0, result.output
    assert f"OK: {chains} chains, {entries} entries verified." in result.output
    assert "BROKEN" not in result.output


@pytest.mark.django_db
def test_verify_log_finds_an_altered_entry(logged):
    entry = ActivityEntry.objects.get(chain=f"org:{logged.org.pk}", seq=2)
    ActivityEntry.objects.filter(pk=entry.pk).update(object_repr="Not the depot")
    result = run("verify-log")
    assert result.exit_code == 1
    assert (
        f"BROKEN chain org:{logged.org.pk}: entry 2 was altered: its content no longer matches "
        "its hash (altered)"
    ) in " ".join(result.output.split())
    assert f"1 of {ActivityChainHead.objects.count()} chains broken." in result.output


@pytest.mark.django_db
def test_verify_log_finds_a_removed_last_entry(logged):
    ActivityEntry.objects.filter(chain=f"org:{logged.org.pk}", seq=2).delete()
    result = run("verify-log")
    assert result.exit_code == 1
    assert "BROKEN" in result.output
    assert "(removed)" in result.output


@pytest.mark.django_db
def test_verify_log_for_one_organization_checks_only_its_chain(logged):
    ActivityEntry.objects.filter(chain=f"org:{logged.other.pk}").update(object_repr="forged")
    result = run("verify-log", "--org", "org-a")
    assert result.exit_code == 0, result.output
    assert "OK: 1 chains, 2 entries verified." in result.output
    result = run("verify-log", "--org", "org-b")
    assert result.exit_code == 1
    assert "BROKEN" in result.output


@pytest.mark.django_db
def test_verify_log_with_an_unknown_organization_exits_1(logged):
    result = run("verify-log", "--org", "nope")
    assert result.exit_code == 1
    assert "No organization with the short name 'nope'." in result.output


# --- demo -------------------------------------------------------------------------------------


DEMO_ROLES = {
    "acme": set(ORGANIZATION_ROLES),
    "northbridge": set(CERTIFICATION_BODY_ROLES),
    "fenwick": {
        Role.ADMIN,
        Role.TOP_MANAGEMENT,
        Role.SYSTEM_MANAGER,
        Role.PROCESS_OWNER,
        Role.EMPLOYEE,
    },
    "brightpath": {Role.ADMIN},
}


@pytest.fixture
def demo_env(monkeypatch):
    # `demo` sets PDCA_DEBUG=1 when unset; keep that from leaking into later tests.
    monkeypatch.setenv("PDCA_DEBUG", "1")


@pytest.mark.django_db
def test_demo_loads_the_demo_organizations_with_one_member_per_role(demo_env):
    result = run("demo", "--no-serve")
    assert result.exit_code == 0, result.output
    assert "platform@pdca.example" in result.output
    assert "quality@acme.example" in result.output
    assert set(Organization.objects.values_list("slug", flat=True)) == set(DEMO_ROLES)
    for slug, roles in DEMO_ROLES.items():
        members = Membership.objects.filter(organization__slug=slug)
        assert sorted(members.values_list("role", flat=True)) == sorted(roles), slug
    assert Organization.objects.get(slug="northbridge").kind == "certification_body"
    platform = User.objects.get(email="platform@pdca.example")
    assert platform.is_superuser is True
    assert all(u.check_password(DEMO_PASSWORD) for u in User.objects.all())
    assert User.objects.count() == 19
    assert run("verify-log").exit_code == 0
    _assert_demo_corrective_action()


def _assert_demo_corrective_action() -> None:
    """The demo shows corrective action at every step (see pdca.improvement.demo)."""
    from collections import Counter

    from pdca.improvement.models import Nonconformity

    ncs = Nonconformity.objects.filter(organization__slug="acme")
    # Two of the reported ones came from the standards' own registers: a compliance
    # evaluation partly met (ISO 14001) and a near miss whose investigation asked for action.
    from pdca.environment.models import ComplianceEvaluation
    from pdca.safety.models import Incident

    assert ncs.filter(source="compliance", status="reported").count() == 1
    for model in (ComplianceEvaluation, Incident):
        raised = model.objects.filter(organization__slug="acme", nonconformity__isnull=False)
        assert list(raised.values_list("nonconformity__status", flat=True)) == ["reported"]
    assert Counter(ncs.values_list("status", flat=True)) == {
        "reported": 4,
        "triaged": 1,
        "contained": 1,
        "action_planned": 1,
        "implemented": 1,
        "closed": 2,
    }
    assert ncs.filter(status="closed", round=2).count() == 1  # the first fix did not work
    assert ncs.filter(recurrence_of__isnull=False).count() == 1
    assert sorted(ncs.filter(escalated_at__isnull=False).values_list("reference", flat=True)) == [
        "S2-2026-F1",
        "S2-2026-F2",
    ]
    # What the README promises: both certification findings overdue, in every overdue figure.
    from django.utils import timezone

    from pdca.improvement.deadlines import overdue_q

    today = timezone.localdate()
    overdue = ncs.filter(overdue_q(today), source="certification_audit")
    assert sorted(overdue.values_list("reference", flat=True)) == ["S2-2026-F1", "S2-2026-F2"]
    listed = run("capa", "list", "--org", "acme", "--overdue")
    assert "S2-2026-F1" in listed.output and "S2-2026-F2" in listed.output


@pytest.mark.django_db
def test_demo_twice_changes_nothing(demo_env):
    assert run("demo", "--no-serve").exit_code == 0
    first = _counts()
    hashes = list(ActivityChainHead.objects.order_by("chain").values_list("chain", "hash"))
    result = run("demo", "--no-serve")
    assert result.exit_code == 0, result.output
    assert _counts() == first
    assert list(ActivityChainHead.objects.order_by("chain").values_list("chain", "hash")) == hashes


@pytest.mark.django_db
def test_demo_records_its_writes_as_coming_from_the_cli(demo_env):
    before = set(ActivityEntry.objects.values_list("pk", flat=True))
    run("demo", "--no-serve")
    written = ActivityEntry.objects.exclude(pk__in=before)
    assert written.count() > 0
    assert set(written.values_list("via", flat=True)) == {"cli"}


# --- manage, and set-up outside pytest --------------------------------------------------------


@pytest.mark.django_db
def test_manage_runs_a_django_command():
    result = run("manage", "check")
    assert result.exit_code == 0, result.output
    assert "System check identified no issues" in result.output


def _cli_env(database_url):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PDCA_", "DJANGO_"))}
    env.update(
        PDCA_DEBUG="1",
        DATABASE_URL=database_url,
        PYTHONPATH=os.pathsep.join([str(SRC), env.get("PYTHONPATH", "")]),
    )
    return env


@pytest.mark.parametrize(
    "database_url", ["sqlite:///relative.sqlite3", "sqlite://:memory:"], ids=["bare", "memory"]
)
def test_the_cli_starts_with_a_sqlite_database_that_has_no_folder(tmp_path, database_url):
    # Regression: setup_django() called os.makedirs("") for a database file without a folder.
    result = subprocess.run(
        [sys.executable, "-m", "pdca.cli", "manage", "check"],
        cwd=tmp_path,
        env=_cli_env(database_url),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_cli_creates_the_folder_of_a_new_sqlite_database(tmp_path):
    folder = tmp_path / "new" / "var"
    result = subprocess.run(
        [sys.executable, "-m", "pdca.cli", "manage", "check"],
        cwd=tmp_path,
        env=_cli_env(f"sqlite:///{folder / 'pdca.sqlite3'}"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert folder.is_dir()
