"""AI is written "AI" wherever pdca names it: a field's label is capitalised for display
(`capfirst`), which would turn a default "ai system" into "Ai system"."""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.utils.text import capfirst

from pdca.core.testing.api_bundle import login
from pdca.risks.models import ImpactAssessment
from tests.risks.test_ai_registers import make_assessment

pytestmark = pytest.mark.django_db


def test_no_risks_label_writes_ai_in_lower_case():
    wrong = [
        f"{model.__name__}.{field.name}: {capfirst(field.verbose_name)}"
        for model in apps.get_app_config("risks").get_models()
        for field in model._meta.get_fields()
        if hasattr(field, "verbose_name")
        and re.search(r"\bai\b", str(capfirst(field.verbose_name)), re.IGNORECASE)
        and not re.search(r"\bAI\b", str(capfirst(field.verbose_name)))
    ]
    assert wrong == []
    assert ImpactAssessment._meta.get_field("ai_system").verbose_name == "AI system"


def test_the_impact_assessments_show_the_ai_system_so_named(client, personas):
    found = make_assessment(personas.org)
    login(client, personas.manager)
    for url in ("/impact-assessments/", f"/impact-assessments/{found.pk}/"):
        html = client.get(url).content.decode()
        assert "AI system" in html, url
        assert "Ai system" not in html, url


def test_messages_about_an_ai_system_write_ai(client, personas):
    login(client, personas.manager)
    response = client.post(
        "/ai-systems/new/",
        {
            "name": "Demand forecast",
            "purpose": "Forecasts orders",
            "role": "user",
            "stage": "design",
        },
        follow=True,
    )
    assert "AI system “Demand forecast” created." in response.content.decode()
