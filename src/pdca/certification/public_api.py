"""The public certificate verification API: no login, public facts only."""

from ninja import Router

router = Router(tags=["verification"], auth=None)
