"""Requests sent again when the answer says to try later: 429 always, 5xx when sending twice is harmless."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import httpx

from trove_client import errors

MAX_RETRY_AFTER_SECONDS: Final = 30.0


@dataclass(frozen=True)
class Retrying:
    retries: int = 4
    backoff: float = 0.5

    def send(
        self,
        client: httpx.Client,
        build: Callable[[], httpx.Request],
        stream: bool = False,
        idempotent: bool = True,
    ) -> httpx.Response:
        """Send, retrying 429 (and, when `idempotent`, 5xx) answers with exponential backoff and jitter
        (or `Retry-After`). `build` makes the request anew for each try, so a streamed body starts again
        from its start."""
        attempt = 0
        while True:
            request = build()
            try:
                response = client.send(request, stream=stream)
            except httpx.TransportError as error:
                where = f"{request.url.scheme}://{request.url.netloc.decode()}"
                raise errors.TroveConnectionError(f"cannot reach {where}: {error}") from error
            retryable = response.status_code == 429 or (idempotent and response.status_code >= 500)
            if not retryable or attempt == self.retries:
                return response
            response.close()
            time.sleep(self.delay(response, attempt))
            attempt += 1

    def delay(self, response: httpx.Response, attempt: int) -> float:
        retry_after = response.headers.get("Retry-After", "")
        if retry_after.isdigit():
            return min(float(retry_after), MAX_RETRY_AFTER_SECONDS)
        return self.backoff * 2**attempt * random.uniform(0.5, 1.0)
