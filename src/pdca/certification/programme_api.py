"""API of the certification body's programme (added to pdca.certification.api)."""

from ninja import Router

router = Router(tags=["certification"])
