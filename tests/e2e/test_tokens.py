"""Dev tokens and the JWT authorizer's checks, without a stack."""

from __future__ import annotations

import time

import jwt
import pytest

from infra.local.tokens import InvalidToken, TokenAuthority, subject_for, user_id_for

ISSUER = "http://127.0.0.1:8000/local"


@pytest.fixture(scope="module")
def authority() -> TokenAuthority:
    return TokenAuthority(issuer=ISSUER)


def resign(authority: TokenAuthority, token: str, **changes: object) -> str:
    """The token with some claims changed, signed again with the authority's own key."""
    claims = {**jwt.decode(token, options={"verify_signature": False}), **changes}
    claims = {name: value for name, value in claims.items() if value is not None}
    return jwt.encode(claims, authority._key, algorithm="RS256")  # the test plays the user pool


def test_claims_reach_the_api_as_cognito_id_token_claims_all_strings(authority: TokenAuthority) -> None:
    claims = authority.verify(authority.issue("alice"))
    assert claims["sub"] == subject_for("alice")
    assert claims["cognito:username"] == "alice"
    assert claims["custom:userId"] == str(user_id_for("alice"))
    assert claims["token_use"] == "id"
    assert claims["aud"] == "trove-local"
    assert claims["iss"] == ISSUER
    assert all(isinstance(value, str) for value in claims.values())
    assert int(claims["exp"]) > time.time()


def test_the_same_name_is_the_same_user_across_authorities() -> None:
    assert subject_for("alice") == subject_for("alice") != subject_for("bob")
    assert 1 <= user_id_for("alice") <= 1_000_000


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"iss": "https://elsewhere.example"}, "issuer"),
        ({"aud": "another-client"}, "audience"),
        ({"token_use": "refresh"}, "id or access"),
        ({"exp": 1}, "expired"),
        ({"token_use": None}, "not valid"),
    ],
)
def test_the_authorizer_checks(authority: TokenAuthority, changes: dict, reason: str) -> None:
    with pytest.raises(InvalidToken, match=reason):
        authority.verify(resign(authority, authority.issue("alice"), **changes))


def test_an_access_token_is_matched_on_client_id(authority: TokenAuthority) -> None:
    access = resign(
        authority, authority.issue("alice"), aud=None, client_id="trove-local", token_use="access"
    )
    assert authority.verify(access)["client_id"] == "trove-local"


def test_another_authority_tokens_are_refused(authority: TokenAuthority) -> None:
    with pytest.raises(InvalidToken):
        authority.verify(TokenAuthority(issuer=ISSUER).issue("alice"))


@pytest.mark.parametrize(
    ("user", "expires_in"), [("", 60), ("a b", 60), (None, 60), ("alice", 0), ("alice", True)]
)
def test_unacceptable_requests_are_refused(
    authority: TokenAuthority, user: object, expires_in: object
) -> None:
    with pytest.raises(ValueError):
        authority.issue(user, expires_in)
