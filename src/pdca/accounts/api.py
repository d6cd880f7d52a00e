"""API of the signed-in person: who am I, and my personal API tokens."""

import datetime as dt

from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from pdca.accounts import services
from pdca.accounts.models import ApiToken
from pdca.core.api import Input, Page, responses
from pdca.core.permissions import memberships

router = Router(tags=["me"])


class MembershipBrief(Schema):
    organization_id: int
    role: str


class MeOut(Schema):
    id: int
    email: str
    full_name: str
    is_superuser: bool
    memberships: list[MembershipBrief]


class MeUpdate(Input):
    full_name: str = Field(max_length=150)


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    status: str
    created_at: dt.datetime
    expires_at: dt.datetime | None
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenCreated(TokenOut):
    token: str = Field(description="The secret: shown this once, store it now")


class TokenCreate(Input):
    name: str = Field(min_length=1, max_length=100)
    expires_in_days: int | None = Field(
        None, ge=1, le=services.MAX_TOKEN_DAYS, description="Empty for a token that never expires"
    )


def _me(user) -> MeOut:
    return MeOut(
        id=user.pk,
        email=user.email,
        full_name=user.full_name,
        is_superuser=user.is_superuser,
        memberships=[
            MembershipBrief(organization_id=org, role=role)
            for org, role in sorted(memberships(user).items())
        ],
    )


@router.get("/me/", response=responses(MeOut))
def get_me(request):
    """The signed-in user and their roles."""
    return _me(request.auth)


@router.patch("/me/", response=responses(MeOut))
def update_me(request, payload: MeUpdate):
    services.update_profile(request.auth, full_name=payload.full_name, actor=request.auth)
    return _me(request.auth)


@router.get("/me/tokens/", response=responses(list[TokenOut]))
@paginate(Page)
def list_tokens(request):
    return ApiToken.objects.filter(user=request.auth)


@router.post("/me/tokens/", response=responses(TokenCreated, 201))
def create_token(request, payload: TokenCreate):
    """Create a personal API token. The secret is in this answer only."""
    token, secret = services.create_api_token(
        request.auth, name=payload.name, expires_in_days=payload.expires_in_days, actor=request.auth
    )
    out = TokenCreated.model_validate(
        {**TokenOut.model_validate(token).model_dump(), "token": secret}
    )
    return Status(201, out)


@router.delete("/me/tokens/{token_id}/", response=responses(TokenOut))
def revoke_token(request, token_id: int):
    token = get_object_or_404(ApiToken, pk=token_id, user=request.auth)
    return services.revoke_api_token(token, actor=request.auth)
