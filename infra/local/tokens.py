"""Dev JWTs shaped like Cognito ID tokens, and the checks API Gateway's JWT authorizer makes on them.

The RSA key is made at start and never written anywhere: tokens die with the stack.
"""

from __future__ import annotations

import hashlib
import re
import time
import uuid

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

ALGORITHM = "RS256"
CLIENT_ID = "trove-local"
DEFAULT_EXPIRES_IN = 3600
MAX_EXPIRES_IN = 24 * 3600
USER_NAME = re.compile(r"^[A-Za-z0-9._@+-]{1,64}$")
# Subjects are uuid5 of the user name in this namespace: the same name is the same user across restarts.
SUBJECT_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://trove.local/users")
ACCEPTED_TOKEN_USES = ("id", "access")


class InvalidToken(Exception):
    """Why the authorizer refuses a token, in the words of API Gateway's `www-authenticate` header."""


def subject_for(user: str) -> str:
    return str(uuid.uuid5(SUBJECT_NAMESPACE, user))


def user_id_for(user: str) -> int:
    """A stable small number for `custom:userId` (seed 002's numeric userId)."""
    return int.from_bytes(hashlib.sha256(user.encode()).digest()[:4], "big") % 1_000_000 + 1


class TokenAuthority:
    """Issues tokens as the local user pool, and verifies them as the HTTP API's JWT authorizer would."""

    def __init__(self, issuer: str, audience: str = CLIENT_ID) -> None:
        self.issuer = issuer
        self.audience = audience
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._key_id = uuid.uuid4().hex

    def issue(self, user: str, expires_in: int = DEFAULT_EXPIRES_IN) -> str:
        """A signed ID token for `user`; ValueError when the name or the lifetime is unacceptable."""
        if not isinstance(user, str) or not USER_NAME.match(user):
            raise ValueError("user: 1 to 64 letters, digits or . _ @ + -")
        if (
            isinstance(expires_in, bool)
            or not isinstance(expires_in, int)
            or not 1 <= expires_in <= MAX_EXPIRES_IN
        ):
            raise ValueError(f"expiresIn: whole seconds from 1 to {MAX_EXPIRES_IN}")
        now = int(time.time())
        claims = {
            "sub": subject_for(user),
            "cognito:username": user,
            "custom:userId": str(user_id_for(user)),
            "email": f"{user}@trove.local",
            "aud": self.audience,
            "iss": self.issuer,
            "token_use": "id",
            "auth_time": now,
            "iat": now,
            "exp": now + expires_in,
            "jti": str(uuid.uuid4()),
        }
        return jwt.encode(claims, self._key, algorithm=ALGORITHM, headers={"kid": self._key_id})

    def verify(self, token: str) -> dict[str, str]:
        """The claims as the authorizer hands them to the Lambda: every value a string."""
        try:
            claims = jwt.decode(
                token,
                self._key.public_key(),
                algorithms=[ALGORITHM],
                issuer=self.issuer,
                options={"require": ["exp", "iss", "sub", "token_use"], "verify_aud": False},
            )
        except jwt.ExpiredSignatureError:
            raise InvalidToken("the token has expired") from None
        except jwt.InvalidIssuerError:
            raise InvalidToken("the token does not have a valid issuer") from None
        except jwt.PyJWTError:
            raise InvalidToken("the token is not valid") from None
        # API Gateway matches `aud`, and `client_id` (access tokens) only when there is no `aud`.
        if claims.get("aud", claims.get("client_id")) != self.audience:
            raise InvalidToken("the token does not have a valid audience")
        if claims["token_use"] not in ACCEPTED_TOKEN_USES:
            raise InvalidToken("the token is not an id or access token")
        return {name: _as_claim_string(value) for name, value in claims.items()}


def _as_claim_string(value: object) -> str:
    """How API Gateway flattens claims: lists as `[a b]`, booleans in lower case, numbers as text."""
    if isinstance(value, list):
        return "[" + " ".join(_as_claim_string(item) for item in value) + "]"
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)
