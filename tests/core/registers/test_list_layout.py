"""A register's list keeps its column names in view: the header row sticks under the navbar
as a long list scrolls (on screens wide enough to show the whole table; narrower ones scroll
the table sideways in its own box)."""

from __future__ import annotations

import re

import pytest

from pdca.core.testing.api_bundle import login

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/processes/", "/context-issues/", "/nonconformities/"])
def test_the_list_header_sticks(client, personas, url):
    login(client, personas.manager)
    html = client.get(url).content.decode()
    wrapper, table = re.search(
        r'<div class="([^"]*)">\s*<table class="([^"]*register-table[^"]*)"', html
    ).groups()
    assert "table-sticky" in table.split()
    assert "table-sticky-wrap" in wrapper.split()  # lets go of the sideways box from 1200 px
