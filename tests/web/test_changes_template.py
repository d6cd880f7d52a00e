"""The history table shows every recorded change, whatever the field is called."""

from django.template.loader import render_to_string


def test_a_field_called_items_is_shown_like_any_other():
    html = render_to_string(
        "web/_changes.html", {"changes": {"items": [["a"], ["a", "b"]], "name": [None, "X"]}}
    )
    assert html.count("<tr>") == 2
    assert "items" in html and "<ins>X</ins>" in html
