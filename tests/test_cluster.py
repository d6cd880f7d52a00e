"""Several machines on one (scripts/cluster.py): two web processes, two `pdca worker`s, one
PostgreSQL database and a moto S3 bucket for the evidence. What must hold when pdca runs on
several machines behind a load balancer:

- a sign-in on one web process is valid on the other (sessions live in the database, signed
  with the one secret key);
- each queued job runs exactly once, though two workers compete for the queue;
- evidence uploaded through one process downloads byte-identical from the other, from the
  shared bucket (not a local folder).

DATABASE_URL=postgres://postgres@127.0.0.1:5432/pdca_cluster pytest tests/test_cluster.py
(the first run collects the static files into var/cluster-static, later runs reuse them).
"""

from __future__ import annotations

import hashlib
import http.cookies
import importlib.util
import json
import re
import secrets
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from pathlib import Path

import pytest
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test import override_settings

from pdca.core.jobs.models import Job
from pdca.core.jobs.services import enqueue_job, submit

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the processes of several machines share one PostgreSQL database (set "
        "DATABASE_URL to a PostgreSQL database)",
    ),
]

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "cluster-password-1"
DATABASE_QUEUE = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "mail"]}
}


def _cluster_module():
    spec = importlib.util.spec_from_file_location(
        "pdca_cluster_script", ROOT / "scripts/cluster.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/"
        f"{db['NAME']}"
    )


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """Cookies by name, sent to whichever process is asked (as a load balancer would)."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}
        self.opener = urllib.request.build_opener(_NoRedirect)

    def request(self, url, data=None, headers=None, method=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        req = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            response = self.opener.open(req, timeout=30)
        except urllib.error.HTTPError as exc:
            response = exc
        for header in response.headers.get_all("Set-Cookie") or []:
            jar = http.cookies.SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                self.cookies[name] = morsel.value
        return response.status, dict(response.headers), response.read()


def _multipart(fields: dict[str, str], name: str, filename: str, content: bytes):
    boundary = secrets.token_hex(16)
    parts = []
    for key, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n'
            f"{value}\r\n".encode()
        )
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
        f'filename="{filename}"\r\nContent-Type: text/plain\r\n\r\n'.encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


@pytest.fixture
def cluster():
    module = _cluster_module()
    with module.Cluster(
        _database_url(),
        web=2,
        workers=2,
        s3=True,
        ports=[module.free_port(), module.free_port()],
        migrate=False,  # the test database is migrated already
    ) as running:
        yield running
    assert running.alive() == []


@pytest.fixture
def member(db):
    from pdca.accounts.models import User
    from pdca.tenancy.models import Membership, Organization

    org = Organization.objects.create(name="Cluster Ltd", slug="cluster-ltd")
    # The web processes run the production settings (Argon2 and PBKDF2), not the tests' MD5.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.PBKDF2PasswordHasher"]):
        password = make_password(PASSWORD)
    user = User.objects.create(email="manager@cluster.example", full_name="Mia Manager")
    User.objects.filter(pk=user.pk).update(password=password)
    Membership.objects.create(organization=org, user=user, role="system_manager")
    return user, org


def test_one_sign_in_one_queue_one_store_across_two_web_processes_and_two_workers(cluster, member):
    import boto3

    from pdca.accounts.services import create_api_token

    user, org = member
    a, b = cluster.web_urls

    # 1. Sign in through the form on A (with its CSRF token); B knows the session.
    browser = Browser()
    status, _, body = browser.request(f"{a}/accounts/login/")
    assert status == 200
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    assert token, body[:500]
    form = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": token.group(1).decode(),
            "username": user.email,
            "password": PASSWORD,
        }
    ).encode()
    status, headers, body = browser.request(
        f"{a}/accounts/login/",
        data=form,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Referer": a},
    )
    assert status == 302, (status, body[:2000], cluster.logs())
    assert "sessionid" in browser.cookies
    status, headers, body = browser.request(f"{b}/members/")
    assert status == 200, (status, headers.get("Location"))
    assert b"Mia Manager" in body
    # Without the cookie, B sends the visitor to sign in.
    status, headers, _ = Browser().request(f"{b}/members/")
    assert status == 302 and "/accounts/login/" in headers["Location"]

    # 2. Twenty jobs, each handed to the queue twice, run exactly once on the two workers.
    from django_tasks_db.models import DBTaskResult

    with override_settings(TASKS=DATABASE_QUEUE):
        jobs = [
            enqueue_job(
                "ping",
                organization=None,
                actor=None,
                params={"seconds": 0.2, "n": n},
                title=f"Ping {n}",
            )
            for n in range(20)
        ]
        for job in jobs:
            submit(job)
    deadline = time.monotonic() + 45
    while DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).exists():
        assert time.monotonic() < deadline, cluster.logs()
        time.sleep(0.2)
    finished = list(Job.objects.filter(pk__in=[j.pk for j in jobs]))
    assert {job.status for job in finished} == {Job.Status.SUCCEEDED}, cluster.logs()
    assert {job.attempts for job in finished} == {1}
    outcomes: dict[int, list[str]] = defaultdict(list)
    ours = {job.pk for job in jobs}  # the first worker also starts the day's scheduled jobs
    for task in DBTaskResult.objects.filter(status="SUCCESSFUL"):
        if (task.return_value or {}).get("job") in ours:
            outcomes[task.return_value["job"]].append(task.return_value["outcome"])
    assert not DBTaskResult.objects.exclude(status="SUCCESSFUL").exists()
    assert {pk: sorted(o) for pk, o in outcomes.items()} == {
        job.pk: ["skipped", "succeeded"] for job in jobs
    }
    assert len({job.worker for job in finished}) == 2, {job.worker for job in finished}

    # 3. Evidence uploaded through A is in the bucket and downloads byte-identical from B.
    _, secret = create_api_token(user, name="cluster test", actor=user)
    auth = {"Authorization": f"Bearer {secret}"}
    content = b"Calibration certificate 4711\n" + secrets.token_hex(64).encode() + b"\n"
    data, content_type = _multipart(
        {"organization": org.slug, "description": "Shared"}, "file", "calibration.txt", content
    )
    status, _, body = Browser().request(
        f"{a}/api/v1/evidence/", data=data, headers={**auth, "Content-Type": content_type}
    )
    assert status == 201, body
    uploaded = json.loads(body)
    status, _, downloaded = Browser().request(
        f"{b}/api/v1/evidence/{uploaded['id']}/download/", headers=auth
    )
    assert status == 200
    assert downloaded == content
    digest = hashlib.sha256(content).hexdigest()
    s3 = boto3.client(
        "s3",
        endpoint_url=cluster.s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="pdca-evidence").get("Contents", [])]
    assert f"evidence/{digest[:2]}/{digest}" in keys
