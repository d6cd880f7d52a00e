"""The certification body's profile: made on first use, changed by managers only, every rule
naming its field, stale edits refused, images checked (PNG, JPEG, plain SVG, 1 MB) and
stored as evidence; the page, the API (ETag / If-Match) and `pdca cb profile`."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from pdca.certification.models import CertificationBodyProfile
from pdca.certification.services.profile import (
    NotACertificationBody,
    get_profile,
    profile_image,
    store_profile_image,
    update_profile,
)
from pdca.cli import app
from pdca.core.exceptions import PermissionDenied, ValidationFailed
from pdca.core.models import ActivityEntry
from pdca.core.roles import ALL_ROLES, Role
from pdca.core.testing.api_bundle import login
from pdca.documents.models import EvidenceFile
from tests.certification.factories import make_cb_personas

pytestmark = pytest.mark.django_db

ROLES = sorted(ALL_ROLES)
#: The body's administrator runs users and settings, not its business (certification.permissions).
MANAGERS = {Role.CB_MANAGER}
CB_ROLES = {
    Role.CB_MANAGER,
    Role.LEAD_AUDITOR,
    Role.AUDITOR,
    Role.TECHNICAL_EXPERT,
    Role.CERTIFICATION_DECISION_MAKER,
}
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)
SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b'<rect width="10" height="10" fill="#036"/></svg>'
)


@pytest.fixture
def personas(db):
    return make_cb_personas()


@pytest.fixture
def manager(personas):
    return personas.users[Role.CB_MANAGER]


# --- services -------------------------------------------------------------------------------


def test_the_profile_is_made_with_its_defaults_on_first_use(personas):
    assert not CertificationBodyProfile.objects.exists()
    profile = get_profile(personas.cb)
    assert (profile.certificate_prefix, profile.suspension_limit_months) == ("CERT", 6)
    assert get_profile(personas.cb).pk == profile.pk
    assert CertificationBodyProfile.objects.count() == 1
    entry = ActivityEntry.objects.get(object_type="certification.certificationbodyprofile")
    assert entry.action == "create" and entry.actor is None


def test_only_a_certification_body_has_a_profile(personas):
    from pdca.tenancy.models import Organization

    for org in (personas.org, Organization.objects.get(slug="org-b")):
        with pytest.raises(NotACertificationBody) as caught:
            get_profile(org)
        assert caught.value.status == 404
        assert caught.value.code == "not_a_certification_body"
    assert not CertificationBodyProfile.objects.exists()


def test_a_manager_changes_the_given_fields_only(personas, manager):
    profile = update_profile(
        personas.cb,
        actor=manager,
        accreditation_body="UKAS",
        accreditation_number="0042",
        certificate_prefix=" nb ",
        suspension_limit_months=3,
    )
    assert (profile.accreditation_body, profile.certificate_prefix) == ("UKAS", "NB")
    assert profile.suspension_limit_months == 3
    assert profile.major_response_days == 30
    entry = ActivityEntry.objects.filter(action="update").get()
    assert entry.actor == manager
    assert entry.changes["certificate_prefix"] == ["CERT", "NB"]
    assert (
        set(entry.changes)
        == {
            "accreditation_body",
            "accreditation_number",
            "certificate_prefix",
            "suspension_limit_months",
            "updated_at",
        }
        or "updated_at" not in entry.changes
    )


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"suspension_limit_months": 0}, "suspension_limit_months"),
        ({"suspension_limit_months": 7}, "suspension_limit_months"),
        ({"suspension_limit_months": True}, "suspension_limit_months"),
        ({"major_response_days": 0}, "major_response_days"),
        ({"minor_response_days": 366}, "minor_response_days"),
        ({"major_response_days": 60, "major_closure_days": 30}, "major_closure_days"),
        ({"certificate_prefix": "n b!"}, "certificate_prefix"),
        ({"certificate_prefix": ""}, "certificate_prefix"),
        ({"accreditation_body": "x" * 201}, "accreditation_body"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_values_name_the_field_and_change_nothing(personas, manager, fields, field):
    before = get_profile(personas.cb).updated_at
    entries = ActivityEntry.objects.count()
    with pytest.raises(ValidationFailed) as caught:
        update_profile(personas.cb, actor=manager, **fields)
    assert field in {e.field for e in caught.value.errors}
    assert get_profile(personas.cb).updated_at == before
    assert ActivityEntry.objects.count() == entries


@pytest.mark.parametrize("role", sorted(CB_ROLES - MANAGERS))
def test_other_members_may_not_change_it(personas, role):
    with pytest.raises(PermissionDenied):
        update_profile(personas.cb, actor=personas.users[role], signatory_name="Someone")
    assert get_profile(personas.cb).signatory_name == ""


def test_a_stale_edit_is_refused(personas, manager):
    from pdca.core.concurrency import PreconditionFailed, precondition, version_token

    old = version_token(get_profile(personas.cb))
    update_profile(personas.cb, actor=manager, signatory_name="Ann")
    with precondition(old), pytest.raises(PreconditionFailed):
        update_profile(personas.cb, actor=manager, signatory_title="Director")
    assert get_profile(personas.cb).signatory_title == ""


def test_images_are_stored_as_evidence_and_read_back(personas, manager):
    profile = store_profile_image(personas.cb, "logo", "../logo.png", PNG, actor=manager)
    assert profile.logo.content_type == "image/png"
    assert profile.logo.original_name == "logo.png"
    assert profile_image(profile, "logo").data == PNG
    again = store_profile_image(personas.cb, "signature", "sig.png", PNG, actor=manager)
    assert again.signature_id == again.logo_id
    assert EvidenceFile.objects.filter(organization=personas.cb).count() == 1
    svg = store_profile_image(personas.cb, "signature", "sig.svg", SVG, actor=manager)
    assert svg.signature.content_type == "image/svg+xml"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"%PDF-1.4 not an image", "PNG, JPEG or SVG"),
        (b"\x89PNG\r\n\x1a\n" + b"0" * (1024 * 1024), "larger"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "script"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "event handler"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink">'
            b'<use x:href="https://evil.example/a.svg#x"/></svg>',
            "outside",
        ),
        (
            b'<!DOCTYPE svg [<!ENTITY a "b">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>',
            "DTD",
        ),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><foreignObject/></svg>", "foreignobject"),
        (b"<?xml version='1.0'?><html><svg/></html>", "not an SVG"),
    ],
)
def test_bad_images_are_refused_and_nothing_is_stored(personas, manager, data, message):
    with pytest.raises(ValidationFailed) as caught:
        store_profile_image(personas.cb, "logo", "x.png", data, actor=manager)
    assert caught.value.errors[0].field == "logo"
    assert message in caught.value.errors[0].message
    assert not EvidenceFile.objects.exists()
    assert get_profile(personas.cb).logo_id is None


def test_an_image_of_another_organization_is_refused(personas, manager):
    other = EvidenceFile.objects.create(
        organization=personas.other,
        sha256="0" * 64,
        size=3,
        content_type="image/png",
        original_name="x.png",
    )
    with pytest.raises(ValidationFailed) as caught:
        update_profile(personas.cb, actor=manager, logo=other)
    assert caught.value.errors[0].field == "logo"


# --- page -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_profile_page_by_role(client, personas, role):
    user = personas.users[role]
    login(client, user)
    response = client.get("/cb/profile/")
    if role in CB_ROLES:
        assert response.status_code == 200
        html = response.content.decode()
        assert "Certification body profile" in html
        assert ('<button class="btn btn-primary">Save</button>' in html) is (role in MANAGERS)
        before = get_profile(personas.cb).signatory_name
        response = client.post("/cb/profile/", _form(signatory_name="Posted"))
        if role in MANAGERS:
            assert response.status_code == 302
            assert get_profile(personas.cb).signatory_name == "Posted"
        else:
            assert response.status_code == 403
            assert get_profile(personas.cb).signatory_name == before
    else:
        # An implementer's role: no certification-body page in its organization.
        assert response.status_code == 403
        assert client.post("/cb/profile/", _form()).status_code == 403
        assert not CertificationBodyProfile.objects.exists()


def test_administrators_of_either_kind_of_organization_get_no_page(client, personas):
    from pdca.accounts.models import User

    for email in ("admin@a.example", "admin@cb.example"):
        login(client, User.objects.get(email=email))
        for url in ("/cb/profile/", "/cb/clients/", "/cb/applications/"):
            assert client.get(url).status_code == 403, (email, url)


def test_a_member_of_a_body_that_is_no_longer_one_gets_404(client, personas, manager):
    personas.cb.kind = "organization"
    personas.cb.save()
    login(client, manager)
    assert client.get("/cb/profile/").status_code == 404
    assert client.get(URL).status_code == 404


def test_outsider_sees_their_own_bodys_profile_only(client, personas, manager):
    update_profile(personas.cb, actor=manager, accreditation_number="OURS-0042")
    store_profile_image(personas.cb, "logo", "l.png", PNG, actor=manager)
    login(client, personas.outsider)
    response = client.get("/cb/profile/")
    assert response.status_code == 200
    assert "OURS-0042" not in response.content.decode()
    assert client.get("/cb/profile/images/logo/").status_code == 404


def _form(**values):
    data = {
        "accreditation_body": "UKAS",
        "accreditation_number": "0042",
        "address": "1 High Street",
        "certificate_prefix": "NB",
        "major_response_days": "30",
        "major_closure_days": "90",
        "minor_response_days": "30",
        "suspension_limit_months": "6",
        "signatory_name": "Ann Signer",
        "signatory_title": "Director",
        "public_register": "on",
    }
    data.update(values)
    return data


def test_the_page_names_the_bad_field_and_saves_nothing(client, personas, manager):
    login(client, manager)
    response = client.post("/cb/profile/", _form(suspension_limit_months="9"))
    assert response.status_code == 422
    assert "suspension_limit_months" in response.context["form"].errors
    assert get_profile(personas.cb).accreditation_body == ""


def test_a_stale_page_is_refused(client, personas, manager):
    from pdca.core.concurrency import version_token
    from pdca.tenancy.models import Membership

    other_manager = personas.users[Role.LEAD_AUDITOR]
    Membership.objects.filter(user=other_manager).update(role=Role.CB_MANAGER)
    old = version_token(get_profile(personas.cb))
    update_profile(personas.cb, actor=other_manager, signatory_name="Changed elsewhere")
    login(client, manager)
    response = client.post("/cb/profile/", {**_form(signatory_title="Mine"), "_version": old})
    assert response.status_code in (412, 422)
    assert get_profile(personas.cb).signatory_title == ""


def test_images_are_uploaded_on_the_page_and_served_in_place(client, personas, manager):
    from django.core.files.uploadedfile import SimpleUploadedFile

    login(client, manager)
    response = client.post(
        "/cb/profile/",
        {**_form(), "logo_file": SimpleUploadedFile("logo.svg", SVG, "image/svg+xml")},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    served = client.get("/cb/profile/images/logo/")
    assert served.status_code == 200
    assert served["Content-Type"] == "image/svg+xml"
    assert "sandbox" in served["Content-Security-Policy"]
    assert served.content == SVG
    assert client.get("/cb/profile/images/signature/").status_code == 404
    bad = client.post(
        "/cb/profile/",
        {
            **_form(signatory_name="Not saved"),
            "signature_file": SimpleUploadedFile("s.png", b"nope"),
        },
    )
    assert bad.status_code == 422
    assert "signature_file" in bad.context["form"].errors
    assert get_profile(personas.cb).signatory_name == "Ann Signer"
    auditor = personas.users[Role.AUDITOR]
    login(client, auditor)
    assert client.get("/cb/profile/images/logo/").status_code == 200


# --- API ------------------------------------------------------------------------------------

URL = "/api/v1/cb/profile/"


@pytest.mark.parametrize("role", ROLES)
def test_api_by_role(client, personas, role):
    login(client, personas.users[role])
    response = client.get(URL)
    if role not in CB_ROLES:
        assert response.status_code == 404
        assert (
            client.patch(URL, {"signatory_name": "x"}, content_type="application/json").status_code
            == 404
        )
        return
    assert response.status_code == 200, response.content
    assert response.json()["certificate_prefix"] == "CERT"
    assert response["ETag"]
    patched = client.patch(URL, {"signatory_name": "Ann"}, content_type="application/json")
    if role in MANAGERS:
        assert patched.status_code == 200, patched.content
        assert patched.json()["signatory_name"] == "Ann"
    else:
        assert patched.status_code == 403
        assert get_profile(personas.cb).signatory_name == ""


def test_api_outsider_and_implementer_admin_get_404(client, personas):
    from pdca.accounts.models import User

    for user in (personas.outsider, User.objects.get(email="admin@a.example")):
        login(client, user)
        assert client.get(URL + "?organization=cb").status_code == 404
        patch = client.patch(
            URL + "?organization=cb", {"signatory_name": "x"}, content_type="application/json"
        )
        assert patch.status_code == 404
    login(client, User.objects.get(email="admin@a.example"))
    assert client.get(URL).status_code == 404
    assert not CertificationBodyProfile.objects.filter(organization=personas.cb).exists()
    login(client, personas.outsider)
    assert client.get(URL).json()["organization"] == "other-cb"


def test_api_if_match_refuses_a_stale_change(client, personas, manager):
    login(client, manager)
    etag = client.get(URL)["ETag"]
    assert (
        client.patch(
            URL,
            {"signatory_name": "A"},
            content_type="application/json",
            headers={"If-Match": etag},
        ).status_code
        == 200
    )
    stale = client.patch(
        URL, {"signatory_name": "B"}, content_type="application/json", headers={"If-Match": etag}
    )
    assert stale.status_code == 412
    assert get_profile(personas.cb).signatory_name == "A"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"suspension_limit_months": 12}, "suspension_limit_months"),
        ({"certificate_prefix": "no good"}, "certificate_prefix"),
        ({"major_closure_days": 5}, "major_closure_days"),
        ({"logo": 999999}, "logo"),
        ({"colour": "red"}, "colour"),
        ({"public_register": "maybe"}, "public_register"),
    ],
)
def test_api_bad_input_names_the_field(client, personas, manager, body, field):
    login(client, manager)
    before = get_profile(personas.cb).updated_at
    response = client.patch(URL, body, content_type="application/json")
    assert response.status_code == 422, response.content
    assert field in {e["field"] for e in response.json()["errors"]}
    assert get_profile(personas.cb).updated_at == before


def test_api_image_upload(client, personas, manager):
    from django.core.files.uploadedfile import SimpleUploadedFile

    login(client, manager)
    response = client.post(URL + "images/logo/", {"file": SimpleUploadedFile("l.png", PNG)})
    assert response.status_code == 200, response.content
    assert response.json()["logo"] == get_profile(personas.cb).logo_id
    bad = client.post(URL + "images/signature/", {"file": SimpleUploadedFile("s.txt", b"hello")})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "signature"
    assert (
        client.post(URL + "images/other/", {"file": SimpleUploadedFile("l.png", PNG)}).status_code
        == 422
    )
    login(client, personas.users[Role.AUDITOR])
    assert (
        client.post(URL + "images/logo/", {"file": SimpleUploadedFile("l.png", PNG)}).status_code
        == 403
    )


# --- CLI ------------------------------------------------------------------------------------


def run(*args):
    return CliRunner().invoke(app, ["cb", *args], prog_name="pdca")


def test_cli_shows_and_sets_the_profile(personas):
    shown = run("profile", "--org", "cb", "--format", "json")
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output)["certificate_prefix"] == "CERT"
    changed = run(
        "profile",
        "--org",
        "cb",
        "--as",
        "cb_manager@cb.example",
        "--set",
        "certificate_prefix=NB",
        "--set",
        "suspension_limit_months=4",
        "--set",
        "public_register=no",
    )
    assert changed.exit_code == 0, changed.output
    profile = get_profile(personas.cb)
    assert (profile.certificate_prefix, profile.suspension_limit_months) == ("NB", 4)
    assert profile.public_register is False
    assert ActivityEntry.objects.get(action="update").via == "cli"


def test_cli_refusals(personas):
    assert run("profile", "--org", "org-a").exit_code == 1
    assert run("profile", "--org", "cb", "--set", "certificate_prefix=NB").exit_code == 2
    bad = run(
        "profile",
        "--org",
        "cb",
        "--as",
        "cb_manager@cb.example",
        "--set",
        "suspension_limit_months=9",
    )
    assert bad.exit_code == 1
    assert "suspension_limit_months" in bad.output
    denied = run(
        "profile", "--org", "cb", "--as", "auditor@cb.example", "--set", "signatory_name=X"
    )
    assert denied.exit_code == 1
    assert (
        run("profile", "--org", "cb", "--as", "cb_manager@cb.example", "--set", "logo=1").exit_code
        == 2
    )
    assert get_profile(personas.cb).suspension_limit_months == 6
