"""What the SDK raises: every failure is a `TroveError`; the API's refusals carry its status and `detail`."""

from __future__ import annotations

import re
from pathlib import Path

import httpx


class TroveError(Exception):
    """Anything the SDK could not do."""


class ApiError(TroveError):
    """The API answered with an error: its status and the `detail` it gave (meant for people)."""

    def __init__(self, status: int, detail: str, method: str, url: str) -> None:
        super().__init__(f"{status} {method} {url}: {detail}")
        self.status = status
        self.detail = detail
        self.method = method
        self.url = url


class BadRequest(ApiError):
    """400: malformed input, a type outside the allow-list, a file over the limit."""


class Unauthorized(ApiError):
    """401: no token, or one the API did not accept (expired: log in again)."""


class Forbidden(ApiError):
    """403: the asset belongs to someone else."""


class NotFound(ApiError):
    """404: no such asset, thumbnail or route."""


class Conflict(ApiError):
    """409: not ready yet, still in use (delete with force), or changed meanwhile."""


class StorageError(TroveError):
    """S3 (or the local stack's moto) refused the presigned POST or the download: its code and message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"storage answered {status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


class TroveConnectionError(TroveError):
    """The API or the storage could not be reached (refused, reset, timed out)."""


class UnsupportedFile(TroveError, ValueError):
    """A file Trove does not take, found before anything is sent."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class FileChanged(TroveError):
    """A file that changed size while it was being uploaded: what reached storage is not the file."""


class ProcessingTimeout(TroveError, TimeoutError):
    """An upload still `pending` when the caller stopped waiting."""


_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequest, 401: Unauthorized, 403: Forbidden, 404: NotFound, 409: Conflict,
}  # fmt: skip


def api_error(response: httpx.Response) -> ApiError:
    """The API's error as an exception. Trove answers `{"detail": …}`; API Gateway's own refusals
    (401 from the authorizer, 429 throttling, 404 for unknown paths) answer `{"message": …}`."""
    try:
        body = response.json()
    except ValueError:
        body = None
    detail = None
    if isinstance(body, dict):
        detail = body.get("detail") or body.get("message")
    if not isinstance(detail, str):
        detail = response.text[:500] or response.reason_phrase
    cls = _BY_STATUS.get(response.status_code, ApiError)
    return cls(
        response.status_code, detail, response.request.method, str(response.request.url.copy_with(query=None))
    )


def storage_error(response: httpx.Response) -> StorageError:
    """S3's XML error document (`<Code>`, `<Message>`) as an exception."""
    text = response.text
    code = re.search(r"<Code>(.*?)</Code>", text, re.DOTALL)
    message = re.search(r"<Message>(.*?)</Message>", text, re.DOTALL)
    return StorageError(
        response.status_code,
        code.group(1) if code else response.reason_phrase,
        message.group(1) if message else text[:500],
    )
