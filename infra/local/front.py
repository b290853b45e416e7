"""The local front door: API Gateway and its JWT authorizer for `/api/*`, the token-free rendition
URLs at `/renditions/*` (to the API, which checks their signatures), the dev user pool at `/local/*`,
and the web page's static files at `/`.
"""

from __future__ import annotations

import json
import logging
import mimetypes
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from functions.core.topology import (
    API_PREFIX,
    OPENAPI_PATH,
    RENDITION_LINKS_PATH,
    WEB_AUTH_LOCAL,
    WEB_CONFIG_FILE,
    web_config,
)
from infra.local.api_instances import ApiInstances
from infra.local.http_api import (
    MAX_BODY_BYTES,
    HttpRequest,
    HttpResponse,
    from_result,
    internal_error,
    to_event,
    too_large,
    unauthorized,
)
from infra.local.tokens import DEFAULT_EXPIRES_IN, InvalidToken, TokenAuthority

log = logging.getLogger("local.front")

HOST = "127.0.0.1"
WEB_ROOT = Path(__file__).resolve().parents[2] / "web"
# The page calls the API on its own origin and signs in with dev tokens.
WEB_CONFIG = web_config(api_base="", auth=WEB_AUTH_LOCAL)
# The API sends no cookies and reads the token from a header, so any origin may call it.
# Every answer carries CORS_HEADERS; a preflight gets the others too.
CORS_HEADERS = [("Access-Control-Allow-Origin", "*"), ("Access-Control-Expose-Headers", "*")]
# The methods an HTTP API route can name (ANY stands for these); any other (TRACE, CONNECT, PROPFIND…)
# matches no route, and API Gateway answers as for an unknown path.
HTTP_API_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
CORS_PREFLIGHT_HEADERS = [
    ("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE, OPTIONS"),
    ("Access-Control-Allow-Headers", "Authorization, Content-Type, Accept"),
    ("Access-Control-Max-Age", "600"),
]
PLACEHOLDER_PAGE = b"""<!doctype html>
<meta charset="utf-8"><title>Trove (local)</title>
<h1>Trove is running</h1>
<p>The web page is not here yet. The API answers under <code>/api</code>;
get a token with <code>POST /local/token {"user": "alice"}</code>.</p>
"""


class Refused(Exception):
    """A request the front answers itself, without reaching a handler."""

    def __init__(self, response: HttpResponse) -> None:
        super().__init__(response.status)
        self.response = response


class Front(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int, web_root: Path = WEB_ROOT) -> None:
        super().__init__((HOST, port), FrontHandler)
        self.web_root = web_root.resolve()
        # The API function's instances: started by the stack once the environment is configured.
        self.api: ApiInstances | None = None
        self.tokens = TokenAuthority(issuer=f"{self.url}/local")

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"


class FrontHandler(BaseHTTPRequestHandler):
    server: Front
    protocol_version = "HTTP/1.1"  # keep-alive: clients reuse their connections
    server_version = "trove-local"

    def __getattr__(self, name: str):
        # BaseHTTPRequestHandler calls do_<METHOD>, and answers its own HTML 501 when there is none:
        # every method comes to `_handle`, which answers the ones API Gateway has no route for.
        if name.startswith("do_"):
            return self._handle
        raise AttributeError(name)

    def _handle(self) -> None:
        started = time.monotonic()
        try:
            response = self._route()
        except Refused as refusal:
            response = refusal.response
        except Exception:
            log.exception("%s %s failed", self.command, self.path)
            response = internal_error()
        self._send(response)
        log.info(
            "%s %s %d %.0f ms", self.command, self.path, response.status, (time.monotonic() - started) * 1000
        )

    def _route(self) -> HttpResponse:
        path = urlsplit(self.path).path
        if self.command not in HTTP_API_METHODS:
            self._read_body()  # read off, so the connection can carry the next request
            return HttpResponse.json(404, {"message": "Not Found"})
        body = self._read_body()  # OPTIONS too: a body left unread would be taken for the next request
        if self.command == "OPTIONS":
            return HttpResponse(204, CORS_PREFLIGHT_HEADERS)
        if path == API_PREFIX or path.startswith(f"{API_PREFIX}/"):
            return self._api(path, body)
        if self.command in ("GET", "HEAD") and path.startswith(f"{RENDITION_LINKS_PATH}/"):
            return self._rendition(path, body)
        if (self.command, path) == ("GET", "/local/health"):
            # Before the stack has started the API's instances (or in a front alone) there are none.
            instances = self.server.api.status() if self.server.api else {"instances": 0, "busy": 0}
            return HttpResponse.json(200, {"status": "ok", "api": instances})
        if (self.command, path) == ("POST", "/local/token"):
            return self._token(body)
        if (self.command, path) == ("GET", f"/{WEB_CONFIG_FILE}"):
            return HttpResponse.json(200, WEB_CONFIG)
        if self.command in ("GET", "HEAD"):
            return self._static(path)
        return HttpResponse.json(404, {"detail": "Not found"})

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            self.close_connection = True
            raise Refused(HttpResponse.json(411, {"message": "Length Required"}))
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0:
            self.close_connection = True
            raise Refused(HttpResponse.json(400, {"message": "Bad Request"}))
        if length > MAX_BODY_BYTES:
            self.close_connection = True  # the unread body must not be taken for the next request
            raise Refused(too_large())
        return self.rfile.read(length)

    def _api(self, path: str, body: bytes) -> HttpResponse:
        claims = None
        if (self.command, path) != ("GET", OPENAPI_PATH):  # the one route without the authorizer
            try:
                claims = self.server.tokens.verify(_bearer_token(self.headers.get("Authorization")))
            except InvalidToken as refusal:
                return unauthorized(str(refusal))
        return self._invoke_api(body, claims)

    def _rendition(self, path: str, body: bytes) -> HttpResponse:
        """CloudFront's `/renditions/*` behaviour: no token, the API checks the URL's signature. CloudFront
        checks it over the path as sent, so a path spelled with percent-escapes (which API Gateway would
        decode) is not the signed one. HEAD too, as CloudFront allows it (`_send` leaves the body out)."""
        if unquote(path) != path:
            return HttpResponse.json(403, {"detail": "The rendition link's signature does not match"})
        return self._invoke_api(body, claims=None)

    def _invoke_api(self, body: bytes, claims: dict[str, str] | None) -> HttpResponse:
        request = HttpRequest(
            self.command, self.path, list(self.headers.items()), body, self.client_address[0]
        )
        event = to_event(request, claims)
        return from_result(self.server.api.invoke(event), event["requestContext"]["requestId"])

    def _token(self, body: bytes) -> HttpResponse:
        try:
            request = json.loads(body or b"{}")
            if not isinstance(request, dict):
                raise TypeError("the body must be a JSON object")
            expires_in = request.get("expiresIn", DEFAULT_EXPIRES_IN)
            token = self.server.tokens.issue(request.get("user"), expires_in)
        except (ValueError, TypeError) as problem:  # json.JSONDecodeError is a ValueError too
            return HttpResponse.json(400, {"detail": f"Invalid token request: {problem}"})
        return HttpResponse.json(200, {"token": token, "expiresIn": expires_in})

    def _static(self, path: str) -> HttpResponse:
        relative = unquote(path).lstrip("/") or "index.html"
        target = (self.server.web_root / relative).resolve()
        if target.is_dir():
            target = target / "index.html"
        if target.is_relative_to(self.server.web_root) and target.is_file():
            content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            return HttpResponse(
                200, [("Content-Type", content_type), ("Cache-Control", "no-cache")], target.read_bytes()
            )
        if relative == "index.html":
            return HttpResponse(200, [("Content-Type", "text/html; charset=utf-8")], PLACEHOLDER_PAGE)
        return HttpResponse.json(404, {"detail": "Not found"})

    def _send(self, response: HttpResponse) -> None:
        self.send_response(response.status)
        for name, value in [*response.headers, *CORS_HEADERS]:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Silenced: `_handle` logs each request once it is answered, with its duration."""

    def log_error(self, format: str, *args: object) -> None:
        log.warning(format, *args)


def _bearer_token(header: str | None) -> str:
    """The token from `Authorization`, with or without the `Bearer` scheme, as API Gateway accepts it."""
    if not header or not header.strip():
        raise InvalidToken("the token is missing")
    scheme, _, rest = header.strip().partition(" ")
    return rest.strip() if scheme.lower() == "bearer" else header.strip()
