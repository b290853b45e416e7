"""moto's server (S3, SQS, DynamoDB) on one port, with S3's POST uploads checked and answered as S3 does.

moto accepts any POST Object (it checks neither the policy nor its signature) and answers it with
no ETag nor Location. A WSGI layer in front of moto's own application, in the same server, takes
those requests: it checks the form and the policy (`infra.local.post_policy`), refuses like S3, or
hands moto the checked form to store (so moto still sends the bucket's notifications) and answers
with S3's status, headers and body. Every other request goes to moto untouched.

moto's POST Object drops the checksum fields; S3 keeps a verified `x-amz-checksum-sha256` with the
object (HEAD with `x-amz-checksum-mode: ENABLED` answers it), so the gate sets it on what moto stored.
moto has sent the notification by then: a reader as quick as that would find no checksum and read
the bytes instead, with the same answer.
"""

from __future__ import annotations

import logging
import re
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from http import HTTPStatus
from io import BytesIO

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from moto.s3.models import s3_backends
from moto.s3.utils import cors_matches_origin
from werkzeug.serving import make_server
from werkzeug.wsgi import get_host

from infra.local.post_policy import Answer, PostForm, S3Error, check_post, parse_form, success_answer

# A path-style POST Object: POST /<bucket> with no subresource (DeleteObjects is POST /<bucket>?delete;
# SQS and DynamoDB post to / or to /<account>/<queue>).
POST_OBJECT_PATH = re.compile(r"^/(?P<bucket>[^/]+)/?$")

log = logging.getLogger("local.s3")


class MotoServer:
    """Listens as soon as it is made; serves once started."""

    def __init__(self, host: str, port: int, secrets: Mapping[str, str], region: str, account: str) -> None:
        moto = DomainDispatcherApplication(create_backend_app)
        application = PostObjectGate(moto, secrets, region, account)
        self._server = make_server(host, port, application, threaded=True, request_handler=MotoRequestHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="moto", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join()
        self._server.server_close()


StartResponse = Callable[[str, list[tuple[str, str]]], object]


class PostObjectGate:
    """WSGI: POST Object requests to an existing bucket are checked here; everything else is moto's."""

    def __init__(self, moto, secrets: Mapping[str, str], region: str, account: str) -> None:
        self.moto = moto
        self.secrets = secrets
        self.region = region
        self.account = account

    def __call__(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        match = POST_OBJECT_PATH.match(environ.get("PATH_INFO", ""))
        is_post_object = environ["REQUEST_METHOD"] == "POST" and match and not environ.get("QUERY_STRING")
        bucket = self._bucket(match["bucket"]) if is_post_object else None
        if bucket is None:  # not a POST Object, or to a bucket moto will say does not exist
            return self.moto(environ, start_response)
        cors = _cors_headers(bucket, environ.get("HTTP_ORIGIN"))
        try:
            answer = self._post_object(environ, bucket.name)
        except S3Error as refusal:
            # The console says why: a browser shows a refused upload's reason only in its network panel.
            log.info("POST /%s refused: %s %s %s", bucket.name, refusal.status, refusal.code, refusal.message)
            request_id = uuid.uuid4().hex.upper()[:16]
            answer = Answer(refusal.status, [("Content-Type", "application/xml")], refusal.xml(request_id))
        start_response(
            f"{answer.status} {HTTPStatus(answer.status).phrase}",
            [*answer.headers, *cors, ("Content-Length", str(len(answer.body)))],
        )
        return [answer.body]

    def _bucket(self, name: str):
        return s3_backends[self.account]["aws"].buckets.get(name)

    def _post_object(self, environ: dict, bucket: str) -> Answer:
        if not environ.get("CONTENT_LENGTH"):
            raise S3Error(411, "MissingContentLength", "You must provide the Content-Length HTTP header.")
        body = environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"]))
        form = parse_form(environ.get("CONTENT_TYPE", ""), body)
        accepted = check_post(form, bucket, self.secrets, self.region, datetime.now(UTC))
        status, headers, stored = self._store(environ, form)
        if not 200 <= status < 300:  # moto's own refusal, e.g. an invalid ACL
            return Answer(status, [header for header in headers if not _replaced(header[0])], stored)
        if accepted.checksum_sha256:
            self._keep_checksum(bucket, accepted.key, accepted.checksum_sha256)
        endpoint = f"{environ['wsgi.url_scheme']}://{get_host(environ)}"
        return success_answer(accepted, bucket, form.content, endpoint)

    def _keep_checksum(self, bucket: str, key: str, checksum_sha256: str) -> None:
        stored = s3_backends[self.account]["aws"].get_object(bucket, key)
        stored.checksum_algorithm, stored.checksum_value = "SHA256", checksum_sha256
        stored.checksum_type = "FULL_OBJECT"  # a single-part upload's checksum is the whole object's

    def _store(self, environ: dict, form: PostForm) -> tuple[int, list[tuple[str, str]], bytes]:
        """moto's POST Object on the form S3 would act on: the fields before the file, expanded."""
        boundary = uuid.uuid4().hex
        body = _encode(form, boundary)
        forwarded = {
            **environ,
            "wsgi.input": BytesIO(body),
            "CONTENT_LENGTH": str(len(body)),
            "CONTENT_TYPE": f"multipart/form-data; boundary={boundary}",
        }
        answered: list = []
        chunks = self.moto(forwarded, lambda status, headers, *_: answered.extend((status, headers)))
        try:
            content = b"".join(chunks)
        finally:
            getattr(chunks, "close", lambda: None)()
        status, headers = answered
        return int(status.split()[0]), headers, content


def _encode(form: PostForm, boundary: str) -> bytes:
    def disposition(name: str) -> str:
        return name.replace('"', "%22")  # as browsers escape names

    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{disposition(name)}"\r\n\r\n{value}\r\n'.encode()
        for name, value in form.fields
    ]
    file_name = disposition(form.file_name or "file")
    file_type = form.file_type or "application/octet-stream"
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{file_name}"\r\n'
        f"Content-Type: {file_type}\r\n\r\n".encode()
        + form.content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return b"".join(parts)


def _cors_headers(bucket, origin: str | None) -> list[tuple[str, str]]:
    """S3's CORS headers on an actual POST: from the first rule allowing the origin and POST, if any
    (moto's own server would allow any origin)."""
    if not origin:
        return []
    for rule in bucket.cors:
        if "POST" in rule.allowed_methods and cors_matches_origin(origin, rule.allowed_origins):
            headers = [
                ("Access-Control-Allow-Origin", "*" if rule.allowed_origins == ["*"] else origin),
                ("Access-Control-Allow-Methods", ", ".join(rule.allowed_methods)),
                ("Vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"),
            ]
            if rule.exposed_headers:
                headers.append(("Access-Control-Expose-Headers", ", ".join(rule.exposed_headers)))
            if rule.max_age_seconds is not None:
                headers.append(("Access-Control-Max-Age", str(rule.max_age_seconds)))
            return headers
    return []


def _replaced(header: str) -> bool:
    """moto's headers that the gate writes itself on what it passes on: length and CORS."""
    lowered = header.lower()
    return lowered in ("content-length", "vary") or lowered.startswith("access-control-")
