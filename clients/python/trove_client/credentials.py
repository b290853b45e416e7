"""`trove login`: a token kept in the user's config folder (0600), refreshed before it expires.

Two ways to get one: the local stack's dev tokens (`POST /local/token`, no password), and Cognito's
USER_PASSWORD_AUTH for a deployed stack (boto3, the `cognito` extra), whose refresh token gets a new
ID token when the old one is about to expire.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Final

from trove_client.client import local_token
from trove_client.errors import TroveError

CONFIG_DIR_ENV: Final = "TROVE_CONFIG_DIR"
REFRESH_MARGIN_SECONDS: Final = 60  # a token this close to expiry is refreshed before a request
LOCAL_TOKEN_SECONDS: Final = 3600


class LoginError(TroveError):
    """No login, or one that could not be made or refreshed."""


@dataclass
class Login:
    api: str
    method: str  # "local" or "cognito"
    user: str
    token: str
    expires_at: float  # seconds since the epoch
    refresh_token: str | None = None
    cognito_client_id: str | None = None
    region: str | None = None


def config_dir() -> Path:
    """$TROVE_CONFIG_DIR, else the platform's user config folder (~/.config/trove on Linux)."""
    if os.environ.get(CONFIG_DIR_ENV):
        return Path(os.environ[CONFIG_DIR_ENV])
    import platformdirs

    return platformdirs.user_config_path("trove")


def login_file() -> Path:
    return config_dir() / "login.json"


def save(login: Login) -> Path:
    """Written readable by its owner only (0600, in a 0700 folder): it holds a bearer token."""
    path = login_file()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.parent.chmod(0o700)  # mkdir's mode does not apply to a folder that was already there
    temporary = path.with_suffix(".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)  # O_CREAT's mode does not apply to a file that was already there
    with os.fdopen(descriptor, "w") as output:
        json.dump(asdict(login), output)
    os.replace(temporary, path)
    return path


def load() -> Login | None:
    path = login_file()
    if not path.exists():
        return None
    return Login(**json.loads(path.read_text()))


def login_local(api: str, user: str) -> Login:
    login = Login(
        api, "local", user, local_token(api, user, LOCAL_TOKEN_SECONDS), time.time() + LOCAL_TOKEN_SECONDS
    )
    save(login)
    return login


def login_cognito(api: str, user: str, password: str, client_id: str, region: str) -> Login:
    result = _initiate_auth(region, "USER_PASSWORD_AUTH", client_id, {"USERNAME": user, "PASSWORD": password})
    if "AuthenticationResult" not in result:
        raise LoginError(f"Cognito asks for {result.get('ChallengeName')}: finish it in the web page first")
    tokens = result["AuthenticationResult"]
    login = Login(
        api, "cognito", user, tokens["IdToken"], time.time() + tokens["ExpiresIn"],
        tokens["RefreshToken"], client_id, region,
    )  # fmt: skip
    save(login)
    return login


def fresh_token(login: Login) -> str:
    """The login's token, refreshed (and saved) first when it expires within a minute."""
    if login.expires_at - time.time() > REFRESH_MARGIN_SECONDS:
        return login.token
    if login.method == "local":  # dev tokens need no password: ask for another
        login.token = local_token(login.api, login.user, LOCAL_TOKEN_SECONDS)
        login.expires_at = time.time() + LOCAL_TOKEN_SECONDS
    else:
        parameters = {"REFRESH_TOKEN": login.refresh_token}
        result = _initiate_auth(login.region, "REFRESH_TOKEN_AUTH", login.cognito_client_id, parameters)
        login.token = result["AuthenticationResult"]["IdToken"]
        login.expires_at = time.time() + result["AuthenticationResult"]["ExpiresIn"]
    save(login)
    return login.token


def _initiate_auth(region: str | None, flow: str, client_id: str | None, parameters: dict[str, Any]) -> dict:
    try:
        import boto3
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError as error:
        raise LoginError("Cognito login needs boto3: pip install 'trove-client[cognito]'") from error
    try:
        cognito = boto3.client("cognito-idp", region_name=region)
        return cognito.initiate_auth(AuthFlow=flow, ClientId=client_id, AuthParameters=parameters)
    except ClientError as error:
        raise LoginError(f"Cognito refused: {error.response['Error'].get('Message', error)}") from error
    except BotoCoreError as error:
        raise LoginError(f"Cognito could not be asked: {error}") from error


def token_owner(token: str) -> str:
    """Who a token is for, to keep one user's upload journal apart from another's: the JWT's `sub`
    (read, not verified: the API verifies), or a digest of the token when it is not a JWT."""
    try:
        payload = token.split(".")[1]
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["sub"]
    except (IndexError, ValueError, KeyError, TypeError):
        return hashlib.sha256(token.encode()).hexdigest()[:16]
