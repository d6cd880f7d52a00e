"""How the API knows who calls it: a personal API token, or the signed-in browser session."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from pdca.accounts.services import authenticate_token
from pdca.core.api import BrowserSession


class TokenAuth(HttpBearer):
    """`Authorization: Bearer pdca_…` with a personal API token."""

    def authenticate(self, request: HttpRequest, token: str):
        user = authenticate_token(token)
        if user is not None:
            request.user = user
        return user


api_auth = [TokenAuth(), BrowserSession()]
