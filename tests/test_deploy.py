"""Production settings (src/pdca/settings.py), read in a fresh interpreter from the environment."""

import json
import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"


def _environment(tmp_path, **variables):
    """The current environment without any PDCA_ or DJANGO_ variable, plus `variables`.

    Other tests in this process set some (the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE, which
    the deploy check rightly refuses), so none is inherited.
    """
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PDCA_", "DJANGO_")) and k != "DATABASE_URL"
    }
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    env["PDCA_VAR_DIR"] = str(tmp_path / "var")
    env.update(variables)
    return env


def _python(tmp_path, args, **variables):
    return subprocess.run(
        [sys.executable, *args],
        cwd=tmp_path,
        env=_environment(tmp_path, **variables),
        capture_output=True,
        text=True,
        timeout=120,
    )


def _secret_key():
    alphabet = string.ascii_letters + string.digits + string.punctuation
    return "".join(secrets.choice(alphabet) for _ in range(60))


PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "pdca.settings",
    "PDCA_ALLOWED_HOSTS": "pdca.example.com",
    "DATABASE_URL": "sqlite:////tmp/x.sqlite3",
}


def _check_deploy(tmp_path, **variables):
    return _python(
        tmp_path,
        ["-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        **{**PRODUCTION, **variables},
    )


def test_production_settings_pass_the_deploy_check(tmp_path):
    result = _check_deploy(tmp_path, PDCA_SECRET_KEY=_secret_key())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_the_deploy_check_is_not_vacuous_a_weak_secret_key_fails_it(tmp_path):
    result = _check_deploy(tmp_path, PDCA_SECRET_KEY="too-short")
    assert result.returncode == 1
    assert "security.W009" in result.stderr


def test_the_deploy_check_fails_in_debug_mode(tmp_path):
    result = _check_deploy(tmp_path, PDCA_SECRET_KEY=_secret_key(), PDCA_DEBUG="1")
    assert result.returncode == 1
    assert "security.W018" in result.stderr


@pytest.mark.parametrize("debug", [None, "", "0", "false"], ids=["unset", "empty", "0", "false"])
def test_settings_without_a_secret_key_refuse_to_load_outside_debug(tmp_path, debug):
    variables = {} if debug is None else {"PDCA_DEBUG": debug}
    result = _python(tmp_path, ["-c", "import pdca.settings"], **variables)
    assert result.returncode == 1
    assert "ImproperlyConfigured" in result.stderr
    assert "PDCA_SECRET_KEY must be set (a long random string) unless PDCA_DEBUG=1." in (
        result.stderr
    )


def test_debug_mode_runs_without_a_secret_key(tmp_path):
    result = _python(tmp_path, ["-c", "import pdca.settings as s; print(s.DEBUG)"], PDCA_DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "True\n"


def _databases(tmp_path, url):
    result = _python(
        tmp_path,
        ["-c", "import json, pdca.settings as s; print(json.dumps(s.DATABASES))"],
        PDCA_SECRET_KEY=_secret_key(),
        DATABASE_URL=url,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_a_postgres_database_url_selects_the_postgresql_engine(tmp_path):
    db = _databases(tmp_path, "postgres://user@host:5432/name")["default"]
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["HOST"], db["PORT"]) == ("name", "user", "host", 5432)
    assert db["PASSWORD"] == ""
    assert db["CONN_MAX_AGE"] == 60
    assert "OPTIONS" not in db or db["OPTIONS"] == {}


def test_a_sqlite_database_url_takes_immediate_transactions_and_keeps_its_connections(
    tmp_path,
):
    """A new SQLite connection parses the whole schema before its first query (about 6 ms, more
    than a bare request): connections live between requests as PostgreSQL's do."""
    db = _databases(tmp_path, "sqlite:////tmp/x.sqlite3")["default"]
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert db["NAME"] == "/tmp/x.sqlite3"
    assert db["OPTIONS"] == {"transaction_mode": "IMMEDIATE", "timeout": 20}
    assert db["CONN_MAX_AGE"] == 60


def test_without_database_url_the_embedded_database_lives_in_the_var_folder(tmp_path):
    result = _python(
        tmp_path,
        ["-c", "import json, pdca.settings as s; print(json.dumps(s.DATABASES))"],
        PDCA_SECRET_KEY=_secret_key(),
    )
    assert result.returncode == 0, result.stderr
    db = json.loads(result.stdout)["default"]
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert db["NAME"] == str((tmp_path / "var" / "pdca.sqlite3").resolve())


def test_collectstatic_succeeds_with_the_production_static_storage(tmp_path):
    """The hashed, compressed copies whitenoise serves: a CSS or JS file naming a file that is
    not shipped (a source map, an image) makes the production storage fail here."""
    static = tmp_path / "static"
    result = _python(
        tmp_path,
        ["-m", "django", "collectstatic", "--noinput", "--verbosity", "1"],
        **PRODUCTION,
        PDCA_SECRET_KEY=_secret_key(),
        PDCA_STATIC_ROOT=str(static),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    manifest = json.loads((static / "staticfiles.json").read_text())["paths"]
    for name in ("vendor/bootstrap/bootstrap.min.css", "vendor/bootstrap/bootstrap.bundle.min.js"):
        hashed = static / manifest[name]
        assert hashed.is_file() and hashed.name != Path(name).name
        assert hashed.with_name(hashed.name + ".gz").is_file()
