"""Fieldwork pages: the checklist page (roles, filters, counts, constant queries), rows saving
as they are edited with htmx (and saying so when refused), evidence forms, saved checklists."""

from __future__ import annotations

import pytest
from django.urls import reverse

from pdca.audits.models import Audit, ChecklistItem, EvidenceRecord, SavedChecklist
from pdca.audits.permissions import AUDITORS, INSIDERS
from pdca.core.models import ActivityEntry
from pdca.core.roles import ORGANIZATION_ROLES, Role
from pdca.core.testing import ViewBundle, count_queries
from pdca.core.testing.api_bundle import login
from tests.audits.test_checklists import (
    EMS,
    QMS,
    audit_of,
    make_audit,
    make_evidence,
    make_item,
    make_saved,
    make_version,
    req,
)

pytestmark = pytest.mark.usefixtures("catalog")


def checklist_url(audit) -> str:
    return reverse("audits:checklist", args=[audit.pk])


class TestChecklistItemPages(ViewBundle):
    model = ChecklistItem
    list_url = "/audits/"
    view_roles = INSIDERS
    add_roles = change_roles = delete_roles = AUDITORS
    invalid_form_data = [({"question": "  "}, "question")]

    def make(self, org, index=0):
        return make_item(org, index)

    def list_url_for(self, obj):
        return checklist_url(obj.audit)

    def list_text(self, obj):
        return obj.question

    def create_url_for(self, org):
        return reverse("audits:checklist-add", args=[audit_of(org).pk])

    def detail_url(self, obj):
        return reverse("audits:checklist-item", args=[obj.pk])

    def edit_url(self, obj):
        return reverse("audits:checklist-item-save", args=[obj.pk])

    def delete_url(self, obj):
        return reverse("audits:checklist-item-delete", args=[obj.pk])

    def form_data(self, org):
        return {"question": "Are the fire exits clear?"}

    def edit_data(self, obj):
        return {"result": "observation", "notes": "One exit blocked by pallets"}


class TestEvidenceRecordPages(ViewBundle):
    model = EvidenceRecord
    list_url = "/audits/"
    view_roles = INSIDERS
    add_roles = change_roles = delete_roles = AUDITORS
    invalid_form_data = [
        ({"kind": "record", "description": "Receipts"}, "sample_size"),
        ({"kind": "interview", "description": "Asked"}, "interviewee"),
        ({"kind": "observation", "description": ""}, "description"),
    ]

    def make(self, org, index=0):
        return make_evidence(org, index)

    def list_url_for(self, obj):
        return checklist_url(obj.item.audit)

    def list_text(self, obj):
        return obj.description

    def create_url_for(self, org):
        item = ChecklistItem.objects.filter(audit=audit_of(org)).first() or make_item(org)
        return reverse("audits:evidence-add", args=[item.pk])

    def delete_url(self, obj):
        return reverse("audits:evidence-delete", args=[obj.pk])

    def form_data(self, org):
        return {"kind": "record", "description": "Delivery notes", "sample_size": "4"}


class TestSavedChecklistPages(ViewBundle):
    model = SavedChecklist
    list_url = "/saved-checklists/"
    create_url = "/saved-checklists/new/"
    view_roles = INSIDERS
    add_roles = change_roles = delete_roles = AUDITORS
    invalid_form_data = [({"name": ""}, "name")]

    def make(self, org, index=0):
        return make_saved(org, index)

    def detail_url(self, obj):
        return reverse("audits:saved-checklist", args=[obj.pk])

    def edit_url(self, obj):
        return reverse("audits:saved-checklist-edit", args=[obj.pk])

    def delete_url(self, obj):
        return reverse("audits:saved-checklist-delete", args=[obj.pk])

    def form_data(self, org):
        return {"name": "Warehouse walk", "questions": "Aisles clear?\nRacks labelled?"}

    def edit_data(self, obj):
        return {"name": obj.name, "description": "Walk the floor", "questions": "Aisles clear?"}


# --- the checklist page -------------------------------------------------------------------


def test_the_page_groups_counts_and_filters(client, personas):
    audit = make_audit(personas.org, codes=(QMS, EMS))
    login(client, personas.manager)
    client.post(reverse("audits:checklist-generate", args=[audit.pk]))
    assert audit.checklist.count() == 85
    item = audit.checklist.get(covers=req(QMS, "8.5.1"))
    item.result = "nonconformity"
    item.save()
    html = client.get(checklist_url(audit)).content.decode()
    assert html.count('class="card mb-2 checklist-item') == 85
    assert "4 Context of the organization" in html
    assert 'Nonconformity <span class="fw-bold">1</span>' in html
    assert 'Not answered <span class="fw-bold">84</span>' in html
    assert 'hx-post="/checklist-items/' in html
    assert "audits/fieldwork.js" in html
    filtered = client.get(checklist_url(audit), {"result": "nonconformity"}).content.decode()
    assert filtered.count('class="card mb-2 checklist-item') == 1
    by_standard = client.get(checklist_url(audit), {"standard": EMS}).content.decode()
    assert by_standard.count('class="card mb-2 checklist-item') == 32
    text = client.get(checklist_url(audit), {"q": "Control of production"}).content.decode()
    assert text.count('class="card mb-2 checklist-item') == 1


@pytest.mark.parametrize("role", sorted(ORGANIZATION_ROLES))
def test_who_sees_and_edits_the_checklist(client, personas, role):
    item = make_item(personas.org)
    login(client, personas.users[role])
    response = client.get(checklist_url(item.audit))
    if role not in INSIDERS:
        assert response.status_code == 404
        return
    html = response.content.decode()
    assert item.question in html
    assert ("hx-post" in html) is (role in AUDITORS)


def test_the_page_query_count_does_not_grow(client, personas):
    audit = make_audit(personas.org)
    version = make_version(personas.org, personas.manager)
    login(client, personas.manager)

    def fill(start, n):
        for i in range(start, start + n):
            item = make_item(personas.org, i, audit=audit, requirement=req(QMS, "7.2"))
            item.covers.set([req(QMS, "7.2"), req(EMS, "7.2")])
            make_evidence(personas.org, i, item=item, kind="document", document_version=version)

    fill(0, 2)
    small, _ = count_queries(lambda: client.get(checklist_url(audit)))
    fill(2, 12)
    large, response = count_queries(lambda: client.get(checklist_url(audit)))
    assert response.content.decode().count('class="card mb-2 checklist-item') == 14
    assert large == small


def test_a_row_saves_with_htmx_and_answers_the_row(client, personas):
    item = make_item(personas.org)
    login(client, personas.users[Role.INTERNAL_AUDITOR])
    response = client.post(
        reverse("audits:checklist-item-save", args=[item.pk]),
        {"result": "conforming", "notes": "Register kept"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<article class="card mb-2 checklist-item result-conforming"')
    assert "data-save-error" not in html
    item.refresh_from_db()
    assert (item.result, item.notes) == ("conforming", "Register kept")
    # The counts above the list come along, swapped in out of band.
    counts = html.split('id="result-counts" hx-swap-oob="true">', 1)[1].split("</div>", 1)[0]
    assert 'Conforming <span class="fw-bold">1</span>' in counts
    assert 'Not answered <span class="fw-bold">0</span>' in counts
    assert "Total 1" in counts


def test_a_refused_row_says_so_and_keeps_what_was_entered(client, personas):
    item = make_item(personas.org)
    Audit.objects.filter(pk=item.audit_id).update(status=Audit.Status.REPORT_ISSUED)
    login(client, personas.manager)
    before = ActivityEntry.objects.count()
    response = client.post(
        reverse("audits:checklist-item-save", args=[item.pk]),
        {"result": "conforming", "notes": "Typed in the field"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "data-save-error" in html
    assert "Not saved: The report of this audit is issued" in html
    item.refresh_from_db()
    assert (item.result, item.notes) == ("", "")
    assert ActivityEntry.objects.count() == before


def test_a_closed_audit_shows_a_read_only_checklist(client, personas):
    item = make_item(personas.org)
    Audit.objects.filter(pk=item.audit_id).update(status=Audit.Status.CLOSED)
    login(client, personas.manager)
    html = client.get(checklist_url(item.audit)).content.decode()
    assert "fieldwork is closed" in html
    assert "hx-post" not in html


def test_evidence_with_a_file_from_the_row_form(client, personas):
    item = make_item(personas.org)
    login(client, personas.manager)
    from django.core.files.uploadedfile import SimpleUploadedFile

    png = SimpleUploadedFile("gauge.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png")
    response = client.post(
        reverse("audits:evidence-add", args=[item.pk]),
        {"kind": "observation", "description": "Gauge reading", "file": png},
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#item-{item.pk}")
    record = item.evidence.get()
    assert record.file.original_name == "gauge.png"
    html = client.get(checklist_url(item.audit)).content.decode()
    assert "gauge.png" in html


def test_apply_a_saved_checklist_from_its_page(client, personas):
    audit = make_audit(personas.org)
    saved = make_saved(personas.org, items=[{"requirement": None, "question": "Exits clear?"}])
    login(client, personas.manager)
    html = client.get(reverse("audits:saved-checklist", args=[saved.pk])).content.decode()
    assert "Apply to this audit" in html
    response = client.post(
        reverse("audits:saved-checklist-apply", args=[saved.pk]), {"audit": str(audit.pk)}
    )
    assert response.status_code == 302
    assert list(audit.checklist.values_list("question", flat=True)) == ["Exits clear?"]
    login(client, personas.users[Role.TOP_MANAGEMENT])
    refused = client.post(
        reverse("audits:saved-checklist-apply", args=[saved.pk]), {"audit": str(audit.pk)}
    )
    assert refused.status_code == 403
    assert audit.checklist.count() == 1


def test_save_an_audit_checklist_from_the_page(client, personas):
    audit = make_audit(personas.org)
    make_item(personas.org, audit=audit, question="Exits clear?")
    login(client, personas.manager)
    response = client.post(reverse("audits:checklist-save", args=[audit.pk]), {"name": "Walk"})
    assert response.status_code == 302
    saved = SavedChecklist.objects.get(organization=personas.org, name="Walk")
    assert saved.items == [{"requirement": None, "question": "Exits clear?"}]


def test_the_evidence_form_picks_documents_by_code_and_title(client, personas):
    """Not a "Document version (id)" box: every item's picker offers the organization's
    document versions, grouped by document and named by code, title, number and status."""
    audit = make_audit(personas.org)
    version = make_version(personas.org, personas.manager)
    item = make_item(personas.org, audit=audit)
    login(client, personas.users[Role.INTERNAL_AUDITOR])
    html = client.get(checklist_url(audit)).content.decode()
    assert "Document version (id)" not in html
    assert f'id="dv-{item.pk}"' in html and 'data-options="#doc-version-options"' in html
    options = html.split('<template id="doc-version-options">', 1)[1].split("</template>", 1)[0]
    document = version.document
    assert f'<optgroup label="{document.code} {document.title}">' in options
    assert f'<option value="{version.pk}">{document.code} {document.title}, version' in options
