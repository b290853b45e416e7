"""S3's POST Object (a browser's form upload), checked and answered as S3 does it: the form, the SigV4
signature over the policy, the policy's expiration and conditions, the coverage rule, the answer.

moto stores whatever it is posted; `infra.local.moto_server` runs these checks in front of it. Where
AWS's pages are silent or wrong (they list 400 InvalidPolicyDocument for a failed condition, S3 answers
403 AccessDenied), the codes, messages and extra elements are the ones S3 was recorded answering.

Of S3's checksum fields, `x-amz-checksum-sha256` (the one Trove's presigned POSTs carry) is verified
against the posted bytes, as S3 verifies it, and handed back for the object to keep.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote, urlencode
from xml.sax.saxutils import escape

from werkzeug.http import parse_options_header
from werkzeug.sansio.multipart import Data, Epilogue, Field, File, MultipartDecoder, NeedData

SIGNATURE_ALGORITHM = "AWS4-HMAC-SHA256"
# Fields that need no condition (besides those named x-ignore-*): S3's coverage rule for SigV4.
FIELDS_WITHOUT_CONDITION = frozenset({"x-amz-signature", "file", "policy"})
# A SigV4 POST carries all of these or none (then it is anonymous); S3 names a missing one this way.
SIGNING_FIELDS = ("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Signature", "Policy")
MAX_FIELDS_BYTES = 20 * 1024  # the form before the file part
SHA256_FIELD = "x-amz-checksum-sha256"
SUCCESS_STATUSES = frozenset({200, 201, 204})
EXPIRATION_FORMATS = ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S.%fZ")


class S3Error(Exception):
    """A refusal, as S3 words it: status, code, message and the code's own elements."""

    def __init__(self, status: int, code: str, message: str, **elements: str | int) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.elements = elements

    def xml(self, request_id: str) -> bytes:
        parts = [f"<Code>{self.code}</Code><Message>{escape(self.message)}</Message>"]
        parts += [f"<{name}>{escape(str(value))}</{name}>" for name, value in self.elements.items()]
        parts.append(f"<RequestId>{request_id}</RequestId><HostId>{request_id}</HostId>")
        return f'<?xml version="1.0" encoding="UTF-8"?>\n<Error>{"".join(parts)}</Error>'.encode()


def policy_refusal(reason: str) -> S3Error:
    return S3Error(403, "AccessDenied", f"Invalid according to Policy: {reason}")


def invalid_policy(reason: str) -> S3Error:
    return S3Error(400, "InvalidPolicyDocument", f"Invalid Policy: {reason}")


def missing_field(name: str) -> S3Error:
    return S3Error(
        400,
        "InvalidArgument",
        f"Bucket POST must contain a field named '{name}'.  If it is specified, please check the order of the fields.",
        ArgumentName=name,
        ArgumentValue="",
    )


@dataclass(frozen=True)
class PostForm:
    """The fields before the file part (S3 ignores the rest), `${filename}` expanded, and the file."""

    fields: tuple[tuple[str, str], ...]  # (name as sent, value), in the order sent
    file_name: str | None
    file_type: str
    content: bytes

    def value(self, name: str) -> str | None:
        """Names are case-insensitive; repeated fields count as one, their values joined by commas."""
        values = [value for sent, value in self.fields if sent.lower() == name.lower()]
        return ",".join(values) if values else None


def parse_form(content_type: str, body: bytes) -> PostForm:
    mimetype, options = parse_options_header(content_type)
    if mimetype != "multipart/form-data":
        raise S3Error(
            412,
            "PreconditionFailed",
            "At least one of the pre-conditions you specified did not hold",
            Condition="Bucket POST must be of the enclosure-type multipart/form-data",
        )
    if not options.get("boundary"):
        raise malformed()
    decoder = MultipartDecoder(options["boundary"].encode())
    decoder.receive_data(body)
    decoder.receive_data(None)
    fields: list[tuple[str, str]] = []
    part: Field | None = None
    data = bytearray()
    fields_bytes = 0
    while not isinstance(event := _next_event(decoder), Epilogue | NeedData):
        if isinstance(event, Field | File):
            part, data = event, bytearray()
        elif isinstance(event, Data):
            data += event.data
            fields_bytes += len(event.data)
            if event.more_data:
                continue
            # Only a part named `file` is the file, filename or not; whatever follows it is ignored.
            if part.name.lower() == "file":
                file_name = _base_name(part.filename) if isinstance(part, File) else None
                return _expanded(fields, file_name, part.headers.get("Content-Type", ""), bytes(data))
            if fields_bytes > MAX_FIELDS_BYTES:
                raise S3Error(
                    400,
                    "MaxPostPreDataLengthExceeded",
                    "Your POST request fields preceeding the upload file was too large.",
                    MaxPostPreDataLengthBytes=MAX_FIELDS_BYTES,
                )
            fields.append((part.name, data.decode("utf-8", "replace")))
    raise S3Error(
        400,
        "InvalidArgument",
        "POST requires exactly one file upload per request.",
        ArgumentName="file",
        ArgumentValue=0,
    )


def malformed() -> S3Error:
    return S3Error(
        400, "MalformedPOSTRequest", "The body of your POST request is not well-formed multipart/form-data."
    )


def _next_event(decoder: MultipartDecoder):
    try:
        return decoder.next_event()
    except ValueError:
        raise malformed() from None


def _base_name(filename: str) -> str:
    """S3 keeps what follows the last slash or backslash of a path a browser may send."""
    return filename.replace("\\", "/").rsplit("/", 1)[-1]


def _expanded(
    fields: list[tuple[str, str]], file_name: str | None, file_type: str, content: bytes
) -> PostForm:
    """`${filename}` in any field is the file's name; a file part without a filename keeps it as is."""
    if file_name is not None:
        fields = [(name, value.replace("${filename}", file_name)) for name, value in fields]
    return PostForm(tuple(fields), file_name, file_type, content)


@dataclass(frozen=True)
class Condition:
    operation: str  # eq, starts-with or content-length-range
    field: str  # the form field it names, lower case; "" when the policy forgot the `$`
    operands: tuple
    written: list  # as S3 prints it in a refusal: a simple condition as an `eq` array

    def holds(self, value: str | None) -> bool:
        if value is None:  # a condition on an absent field fails, even `starts-with ""`
            return False
        (expected,) = self.operands
        if self.operation == "eq":
            return value == expected
        if self.field == "content-type":  # a list of types: every one must match
            return all(part.strip().startswith(expected) for part in value.split(","))
        return value.startswith(expected)


@dataclass(frozen=True)
class Policy:
    expiration: datetime
    conditions: tuple[Condition, ...]


@dataclass(frozen=True)
class AcceptedPost:
    key: str
    status: int  # what success_action_status asks for, or 303 to success_action_redirect
    redirect: str | None
    checksum_sha256: str | None = None  # base64, verified against the bytes: S3 keeps it with the object


def check_post(
    form: PostForm, bucket: str, secrets: Mapping[str, str], region: str, now: datetime
) -> AcceptedPost:
    """What S3 checks, in the order it was recorded checking it; the S3Error it would answer."""
    key = form.value("key")
    if key is None:
        raise missing_field("key")
    signing = {name: form.value(name) for name in SIGNING_FIELDS}
    if not any(signing.values()):  # anonymous, and the bucket is not publicly writable
        raise S3Error(403, "AccessDenied", "Access Denied")
    for name, value in signing.items():
        if value is None:
            raise missing_field(name)
    if signing["X-Amz-Algorithm"] != SIGNATURE_ALGORITHM:
        raise S3Error(
            400,
            "InvalidArgument",
            f'X-Amz-Algorithm only supports "{SIGNATURE_ALGORITHM}"',
            ArgumentName="X-Amz-Algorithm",
            ArgumentValue=signing["X-Amz-Algorithm"],
        )
    access_key, day = _credential(signing["X-Amz-Credential"], secrets, region)
    _verify_signature(
        signing["Policy"], signing["X-Amz-Signature"], access_key, secrets[access_key], day, region
    )
    policy = parse_policy(signing["Policy"])
    if now > policy.expiration:
        raise policy_refusal("Policy expired.")
    for condition in policy.conditions:
        if condition.operation != "content-length-range":
            value = bucket if condition.field == "bucket" else form.value(condition.field)
            if not condition.holds(value):
                raise policy_refusal(f"Policy Condition failed: {json.dumps(condition.written)}")
    covered = {condition.field for condition in policy.conditions}
    for name, _ in form.fields:
        lowered = name.lower()
        if (
            lowered not in covered
            and lowered not in FIELDS_WITHOUT_CONDITION
            and not lowered.startswith("x-ignore-")
        ):
            raise policy_refusal(f"Extra input fields: {name}")
    for condition in policy.conditions:
        if condition.operation == "content-length-range":
            _check_size(len(form.content), condition)
    return AcceptedPost(key, *_success(form), _verified_sha256(form))


def _verified_sha256(form: PostForm) -> str | None:
    """The form's SHA-256 checksum if it is the posted bytes'; S3's refusal if not."""
    declared = form.value(SHA256_FIELD)
    if declared is None:
        return None
    try:
        digest = base64.b64decode(declared, validate=True)
    except binascii.Error:
        digest = b""
    if len(digest) != hashlib.sha256().digest_size:
        raise S3Error(400, "InvalidRequest", f"Value for {SHA256_FIELD} header is invalid.")
    if not hmac.compare_digest(digest, hashlib.sha256(form.content).digest()):
        raise S3Error(400, "BadDigest", "The SHA256 you specified did not match the calculated checksum.")
    return declared


def _credential(credential: str, secrets: Mapping[str, str], region: str) -> tuple[str, str]:
    """The access key and the day of `<key>/<yyyymmdd>/<region>/s3/aws4_request`."""
    parts = credential.split("/")
    if (
        len(parts) != 5
        or parts[3:] != ["s3", "aws4_request"]
        or not (len(parts[1]) == 8 and parts[1].isdigit())
    ):
        raise S3Error(
            400,
            "InvalidArgument",
            'the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".',
            ArgumentName="X-Amz-Credential",
            ArgumentValue=credential,
        )
    access_key, day, credential_region = parts[:3]
    if credential_region != region:
        raise S3Error(
            400,
            "InvalidArgument",
            f"the region '{credential_region}' is wrong; expecting '{region}'",
            ArgumentName="X-Amz-Credential",
            ArgumentValue=credential,
            Region=region,
        )
    if access_key not in secrets:
        raise S3Error(
            403,
            "InvalidAccessKeyId",
            "The AWS Access Key Id you provided does not exist in our records.",
            AWSAccessKeyId=access_key,
        )
    return access_key, day


def post_signature(policy: str, secret: str, day: str, region: str) -> str:
    """SigV4 for a POST: the hex HMAC of the base64 policy text, under the day's signing key for S3."""
    key = f"AWS4{secret}".encode()
    for scope in (day, region, "s3", "aws4_request"):
        key = hmac.new(key, scope.encode(), hashlib.sha256).digest()
    return hmac.new(key, policy.encode(), hashlib.sha256).hexdigest()


def _verify_signature(
    policy: str, provided: str, access_key: str, secret: str, day: str, region: str
) -> None:
    """Over the policy text as sent, before it is decoded: a tampered policy is a bad signature."""
    if not hmac.compare_digest(post_signature(policy, secret, day, region), provided):
        raise S3Error(
            403,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. "
            "Check your key and signing method.",
            AWSAccessKeyId=access_key,
            StringToSign=policy,
            SignatureProvided=provided,
            StringToSignBytes=" ".join(f"{byte:02x}" for byte in policy.encode()),
        )


def parse_policy(encoded: str) -> Policy:
    try:
        document = json.loads(base64.b64decode(encoded, validate=True))
    except (binascii.Error, ValueError):
        raise invalid_policy("Invalid JSON.") from None
    if not isinstance(document, dict):
        raise invalid_policy("Invalid JSON.")
    for name in document:
        if name not in ("expiration", "conditions"):
            raise invalid_policy(f"Unexpected: '{name.lower()}'")
    if "expiration" not in document:
        raise invalid_policy("Policy missing expiration.")
    if "conditions" not in document:
        raise invalid_policy("Policy missing conditions.")
    if not isinstance(document["conditions"], list):
        raise invalid_policy("Invalid 'conditions' value: must be a List.")
    return Policy(_expiration(document["expiration"]), tuple(map(_condition, document["conditions"])))


def _expiration(value: object) -> datetime:
    for layout in EXPIRATION_FORMATS:
        try:
            return datetime.strptime(str(value), layout).replace(tzinfo=UTC)
        except ValueError:
            continue
    raise invalid_policy(f"Invalid 'expiration' value: '{value}'")


def _condition(written: object) -> Condition:
    if isinstance(written, dict):
        if len(written) != 1:
            raise invalid_policy(
                "Invalid Simple-Condition: Simple-Conditions must have exactly one property specified."
            )
        ((name, value),) = written.items()
        if not isinstance(value, str):
            raise invalid_policy("Invalid Simple-Condition: value must be a string.")
        return Condition("eq", name.lower(), (value,), ["eq", f"${name}", value])
    if not isinstance(written, list):
        raise invalid_policy("Invalid condition test: must be a List or Object.")
    if not written or not isinstance(written[0], str):
        raise invalid_policy("Invalid Condition: missing operation identifier.")
    operation = written[0].lower()
    if operation not in ("eq", "starts-with", "content-length-range"):
        raise invalid_policy(f"Invalid Condition: unknown operation '{written[0]}'.")
    if len(written) != 3:
        raise invalid_policy(f"Invalid {operation}: wrong number of arguments.")
    if any(isinstance(operand, float) for operand in written[1:]):
        raise invalid_policy("Invalid JSON.")
    if operation == "content-length-range":
        return Condition(operation, "", tuple(written[1:]), written)
    field, expected = written[1:]
    if not isinstance(field, str) or not isinstance(expected, str):
        raise invalid_policy("Invalid JSON.")
    return Condition(operation, field[1:].lower() if field.startswith("$") else "", (expected,), written)


def _check_size(size: int, condition: Condition) -> None:
    try:
        low, high = (_bound(operand) for operand in condition.operands)
    except ValueError:
        raise policy_refusal(f"Policy Condition failed: {json.dumps(condition.written)}") from None
    if size > high:
        raise S3Error(
            400,
            "EntityTooLarge",
            "Your proposed upload exceeds the maximum allowed size",
            ProposedSize=size,
            MaxSizeAllowed=high,
        )
    if size < low:
        raise S3Error(
            400,
            "EntityTooSmall",
            "Your proposed upload is smaller than the minimum allowed size",
            ProposedSize=size,
            MinSizeAllowed=low,
        )


def _bound(operand: object) -> int:
    """S3 takes a bound as a number or a string of digits."""
    if isinstance(operand, bool) or not isinstance(operand, int | str) or not str(operand).isdigit():
        raise ValueError(operand)
    return int(operand)


def _success(form: PostForm) -> tuple[int, str | None]:
    """303 to an absolute success_action_redirect; else success_action_status if 200, 201 or 204; else
    204. S3 acts as if a value it cannot use were absent."""
    redirect = form.value("success_action_redirect") or form.value("redirect")
    if redirect and redirect.startswith(("http://", "https://")):
        return 303, redirect
    status = form.value("success_action_status") or ""
    return (int(status) if status.isdigit() and int(status) in SUCCESS_STATUSES else 204), None


@dataclass(frozen=True)
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def success_answer(accepted: AcceptedPost, bucket: str, content: bytes, endpoint: str) -> Answer:
    """S3's answer to a stored POST: the object's ETag (its content's MD5) and URL (the key encoded,
    `/` included) as headers, in the XML body for 201, and in the query of a redirect."""
    etag = f'"{hashlib.md5(content, usedforsecurity=False).hexdigest()}"'
    location = f"{endpoint}/{bucket}/{quote(accepted.key, safe='')}"
    headers = [("ETag", etag), ("Location", location)]
    if accepted.status == 303:
        separator = "&" if "?" in accepted.redirect else "?"
        query = urlencode({"bucket": bucket, "key": accepted.key, "etag": etag})
        return Answer(303, [("ETag", etag), ("Location", f"{accepted.redirect}{separator}{query}")], b"")
    if accepted.status != 201:
        return Answer(accepted.status, headers, b"")
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<PostResponse><Location>{escape(location)}</Location><Bucket>{escape(bucket)}</Bucket>"
        f"<Key>{escape(accepted.key)}</Key><ETag>{escape(etag)}</ETag></PostResponse>"
    )
    return Answer(201, [*headers, ("Content-Type", "application/xml")], body.encode())
