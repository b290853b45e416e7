"""The local S3's POST Object checks (infra.local.post_policy), on forms signed by botocore as the API
signs them: each refusal with S3's status, code and message, and S3's answers to an accepted POST."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

import boto3
import pytest
from botocore.config import Config

from functions.core.settings import Settings
from functions.core.storage import presign_upload
from infra.local.post_policy import (
    AcceptedPost,
    PostForm,
    S3Error,
    check_post,
    parse_form,
    post_signature,
    success_answer,
)

BUCKET = "trove-assets"
REGION = "us-east-1"
SECRETS = {"local": "local"}
KEY = "uploads/6e3a79e5-4366-475c-bb71-214f924fe67c"
CONTENT = b"x" * 1000


def local_s3():
    """A client signing with the local credentials, as the local stack's API does."""
    return boto3.client(
        "s3",
        region_name=REGION,
        endpoint_url="http://127.0.0.1:4566",
        aws_access_key_id="local",
        aws_secret_access_key="local",
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )


def presigned_fields(
    conditions: list | None = None, fields: dict | None = None, expires_in: int = 900
) -> dict:
    """The fields botocore signs with the local credentials, as storage.presign_upload asks for them."""
    post = local_s3().generate_presigned_post(
        Bucket=BUCKET,
        Key=KEY,
        Fields={"Content-Type": "image/jpeg", **(fields or {})},
        Conditions=conditions
        if conditions is not None
        else [{"Content-Type": "image/jpeg"}, ["content-length-range", len(CONTENT), len(CONTENT)]],
        ExpiresIn=expires_in,
    )
    return post["fields"]


def form(fields: dict, content: bytes = CONTENT, file_name: str | None = "photo.jpg") -> PostForm:
    return PostForm(tuple(fields.items()), file_name, "image/jpeg", content)


def check(post_form: PostForm, now: datetime | None = None) -> AcceptedPost:
    return check_post(post_form, BUCKET, SECRETS, REGION, now or datetime.now(UTC))


def refusal(post_form: PostForm, now: datetime | None = None) -> S3Error:
    with pytest.raises(S3Error) as raised:
        check(post_form, now)
    return raised.value


def resigned(fields: dict, policy: dict) -> dict:
    """The same fields with another policy, signed with the local secret."""
    encoded = base64.b64encode(json.dumps(policy).encode()).decode()
    day = fields["x-amz-credential"].split("/")[1]
    return {**fields, "policy": encoded, "x-amz-signature": post_signature(encoded, "local", day, REGION)}


def decoded_policy(fields: dict) -> dict:
    return json.loads(base64.b64decode(fields["policy"]))


def test_the_presigned_fields_with_the_declared_file_are_accepted_with_s3s_default_204() -> None:
    # given
    fields = presigned_fields()

    # when
    accepted = check(form(fields))

    # then
    assert accepted == AcceptedPost(KEY, 204, None)


@pytest.mark.parametrize(
    ("size", "code", "elements"),
    [
        (14_000, "EntityTooLarge", {"ProposedSize": 14_000, "MaxSizeAllowed": 1000}),
        (999, "EntityTooSmall", {"ProposedSize": 999, "MinSizeAllowed": 1000}),
    ],
)
def test_a_file_of_another_size_than_the_policy_pins_is_refused_with_400(
    size: int, code: str, elements: dict
) -> None:
    # given
    fields = presigned_fields()

    # when
    error = refusal(form(fields, content=b"x" * size))

    # then
    assert (error.status, error.code, error.elements) == (400, code, elements)


@pytest.mark.parametrize(
    ("field", "value", "condition"),
    [
        ("key", "uploads/someone-else", f'["eq", "$key", "{KEY}"]'),
        ("Content-Type", "text/html", '["eq", "$Content-Type", "image/jpeg"]'),
    ],
)
def test_another_key_or_content_type_than_signed_fails_its_condition_with_403(
    field: str, value: str, condition: str
) -> None:
    # given
    fields = {**presigned_fields(), field: value}

    # when
    error = refusal(form(fields))

    # then
    assert (error.status, error.code) == (403, "AccessDenied")
    assert error.message == f"Invalid according to Policy: Policy Condition failed: {condition}"


def test_a_field_no_condition_names_is_refused_as_an_extra_input_field() -> None:
    # given
    fields = {**presigned_fields(), "x-amz-meta-owner": "mallory"}

    # when
    error = refusal(form(fields))

    # then
    assert (error.status, error.code) == (403, "AccessDenied")
    assert error.message == "Invalid according to Policy: Extra input fields: x-amz-meta-owner"


def test_fields_s3_exempts_from_the_policy_are_accepted_and_names_are_case_insensitive() -> None:
    # given
    fields = presigned_fields()
    fields = {
        "KEY": fields.pop("key"),
        "Policy": fields.pop("policy"),
        "X-Amz-Signature": fields.pop("x-amz-signature"),
        "x-ignore-tracking": "anything",
        **fields,
    }

    # when
    accepted = check(form(fields))

    # then
    assert accepted.key == KEY


def test_an_expired_policy_is_refused_with_403() -> None:
    # given
    fields = presigned_fields()
    expiration = datetime.strptime(decoded_policy(fields)["expiration"], "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=UTC
    )

    # when
    error = refusal(form(fields), now=expiration + timedelta(seconds=1))

    # then
    assert (error.status, error.code, error.message) == (
        403,
        "AccessDenied",
        "Invalid according to Policy: Policy expired.",
    )


def test_a_policy_changed_after_signing_does_not_match_its_signature() -> None:
    # given a wider size range, the signature left as it was
    fields = presigned_fields()
    policy = decoded_policy(fields)
    policy["conditions"][1] = ["content-length-range", 0, 50_000_000]
    tampered = {**fields, "policy": base64.b64encode(json.dumps(policy).encode()).decode()}

    # when
    error = refusal(form(tampered, content=b"x" * 14_000))

    # then
    assert (error.status, error.code) == (403, "SignatureDoesNotMatch")
    assert error.elements["StringToSign"] == tampered["policy"]
    assert error.elements["SignatureProvided"] == fields["x-amz-signature"]


@pytest.mark.parametrize(
    ("fields_change", "status", "code"),
    [
        ({"x-amz-signature": "0" * 64}, 403, "SignatureDoesNotMatch"),
        ({"x-amz-credential": "someone/20261201/us-east-1/s3/aws4_request"}, 403, "InvalidAccessKeyId"),
        ({"x-amz-credential": "local/20261201/eu-west-1/s3/aws4_request"}, 400, "InvalidArgument"),
        ({"x-amz-credential": "local/yesterday"}, 400, "InvalidArgument"),
        ({"x-amz-algorithm": "AWS4-HMAC-SHA1"}, 400, "InvalidArgument"),
    ],
)
def test_a_bad_signature_or_credential_is_refused(fields_change: dict, status: int, code: str) -> None:
    # given
    fields = {**presigned_fields(), **fields_change}

    # when
    error = refusal(form(fields))

    # then
    assert (error.status, error.code) == (status, code)


@pytest.mark.parametrize("missing", ["key", "x-amz-signature", "policy"])
def test_a_missing_required_field_is_named_in_a_400(missing: str) -> None:
    # given
    fields = presigned_fields()
    del fields[missing]

    # when
    error = refusal(form(fields))

    # then
    assert (error.status, error.code) == (400, "InvalidArgument")
    assert error.elements["ArgumentName"].lower() == missing


def test_a_post_with_no_signing_field_is_anonymous_and_the_bucket_is_private() -> None:
    # given
    fields = {"key": KEY, "Content-Type": "image/jpeg"}

    # when
    error = refusal(form(fields))

    # then
    assert (error.status, error.code, error.message) == (403, "AccessDenied", "Access Denied")


@pytest.mark.parametrize(
    ("policy_change", "message"),
    [
        ({"conditions": "all"}, "Invalid Policy: Invalid 'conditions' value: must be a List."),
        ({"expiration": "2030-01-01 00:00:00"}, "Invalid Policy: Invalid 'expiration' value: '2030-01-01 00:00:00'"),
        ({"statement": []}, "Invalid Policy: Unexpected: 'statement'"),
        ({"conditions": [{"key": KEY, "bucket": BUCKET}]},
         "Invalid Policy: Invalid Simple-Condition: Simple-Conditions must have exactly one property specified."),
        ({"conditions": [["in", "$key", [KEY]]]}, "Invalid Policy: Invalid Condition: unknown operation 'in'."),
        ({"conditions": [["content-length-range", 0, 1.5]]}, "Invalid Policy: Invalid JSON."),
    ],
)  # fmt: skip
def test_a_signed_policy_s3_cannot_read_is_an_invalid_policy_document(
    policy_change: dict, message: str
) -> None:
    # given
    fields = presigned_fields()
    fields = resigned(fields, {**decoded_policy(fields), **policy_change})

    # when
    error = refusal(form(fields))

    # then
    assert (error.status, error.code, error.message) == (400, "InvalidPolicyDocument", message)


@pytest.mark.parametrize(
    ("condition", "content_type", "accepted"),
    [
        (["starts-with", "$Content-Type", "image/"], "image/jpeg", True),
        (["starts-with", "$Content-Type", "image/"], "image/jpeg,image/png", True),
        (["starts-with", "$Content-Type", "image/"], "image/jpeg,text/html", False),
        (["STARTS-WITH", "$content-type", ""], "anything/at-all", True),
        (["eq", "$Content-Type", "image/jpeg"], "IMAGE/JPEG", False),
    ],
)
def test_starts_with_and_eq_match_values_as_s3_does(
    condition: list, content_type: str, accepted: bool
) -> None:
    # given
    fields = {**presigned_fields([condition]), "Content-Type": content_type}

    # when
    outcome = check(form(fields)) if accepted else refusal(form(fields))

    # then
    assert isinstance(outcome, AcceptedPost) is accepted


def test_a_condition_on_an_absent_field_fails_even_when_it_allows_any_value() -> None:
    # given
    fields = presigned_fields([{"Content-Type": "image/jpeg"}, ["starts-with", "$x-amz-meta-tag", ""]])

    # when
    error = refusal(form(fields))

    # then
    assert (
        error.message
        == 'Invalid according to Policy: Policy Condition failed: ["starts-with", "$x-amz-meta-tag", ""]'
    )


def test_the_file_name_fills_filename_in_the_key_before_the_policy_is_checked() -> None:
    # given
    body, content_type = multipart(
        [("key", "uploads/${filename}"), ("Content-Type", "image/jpeg")], "/home/me/cat.jpg"
    )

    # when
    post_form = parse_form(content_type, body)

    # then
    assert post_form.value("key") == "uploads/cat.jpg"
    assert post_form.content == CONTENT


def test_fields_after_the_file_are_ignored() -> None:
    # given
    body, content_type = multipart([("key", KEY)], "photo.jpg", after=[("submit", "Upload")])

    # when
    post_form = parse_form(content_type, body)

    # then
    assert post_form.fields == (("key", KEY),)


def test_a_form_without_a_file_is_refused() -> None:
    # given
    body, content_type = multipart([("key", KEY)], file_name=None)

    # when
    with pytest.raises(S3Error) as raised:
        parse_form(content_type, body)

    # then
    error = raised.value
    assert (error.status, error.code, error.elements["ArgumentName"]) == (400, "InvalidArgument", "file")


def test_a_post_that_is_not_a_multipart_form_fails_s3s_precondition() -> None:
    # when
    with pytest.raises(S3Error) as raised:
        parse_form("application/x-www-form-urlencoded", b"key=uploads%2Fx")

    # then
    assert (raised.value.status, raised.value.code) == (412, "PreconditionFailed")


def test_success_action_status_201_answers_s3s_post_response_document() -> None:
    # given
    accepted = AcceptedPost(KEY, 201, None)

    # when
    answer = success_answer(accepted, BUCKET, CONTENT, "http://127.0.0.1:4566")

    # then
    document = ElementTree.fromstring(answer.body)
    headers = dict(answer.headers)
    assert answer.status == 201
    assert document.tag == "PostResponse"
    assert (
        document.findtext("Location")
        == headers["Location"]
        == f"http://127.0.0.1:4566/{BUCKET}/uploads%2F{KEY[8:]}"
    )
    assert (document.findtext("Bucket"), document.findtext("Key")) == (BUCKET, KEY)
    assert document.findtext("ETag") == headers["ETag"] == f'"{hashlib.md5(CONTENT).hexdigest()}"'


@pytest.mark.parametrize(
    ("asked", "status"), [("200", 200), ("201", 201), ("204", 204), ("404", 204), ("", 204)]
)
def test_success_action_status_is_obeyed_when_s3_allows_it(asked: str, status: int) -> None:
    # given
    fields = presigned_fields(
        [{"Content-Type": "image/jpeg"}, {"success_action_status": asked}], {"success_action_status": asked}
    )

    # when
    accepted = check(form(fields))

    # then
    assert accepted.status == status


def multipart(
    fields: list[tuple[str, str]], file_name: str | None, after: list[tuple[str, str]] = ()
) -> tuple[bytes, str]:
    """A browser's form: the fields, the file (if named), and whatever the page put after it."""
    boundary = "----trove-test-boundary"

    def part(name: str, value: str) -> bytes:
        return f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()

    file_part = (
        b""
        if file_name is None
        else (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{file_name}"\r\n'
            "Content-Type: image/jpeg\r\n\r\n".encode()
            + CONTENT
            + b"\r\n"
        )
    )
    body = b"".join(part(*field) for field in fields) + file_part + b"".join(part(*field) for field in after)
    return body + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def checksummed_fields(content: bytes = CONTENT) -> dict:
    """The API's own presigned POST for a client that declared the SHA-256 of `content`."""
    sha256 = hashlib.sha256(content).hexdigest()
    return presign_upload(KEY, "image/jpeg", len(content), Settings(), local_s3(), sha256=sha256).fields


def test_the_declared_sha256_of_the_posted_bytes_is_accepted_and_kept_for_the_object() -> None:
    # given
    fields = checksummed_fields()

    # when
    accepted = check(form(fields))

    # then
    assert fields["x-amz-checksum-algorithm"] == "SHA256"
    assert accepted.checksum_sha256 == base64.b64encode(hashlib.sha256(CONTENT).digest()).decode()


def test_other_bytes_of_the_same_size_than_the_declared_sha256_are_refused_as_s3_does() -> None:
    # given: the policy pins the size and the checksum of CONTENT
    fields = checksummed_fields()

    # when
    error = refusal(form(fields, content=b"y" * len(CONTENT)))

    # then
    assert (error.status, error.code) == (400, "BadDigest")
    assert error.message == "The SHA256 you specified did not match the calculated checksum."


def test_a_checksum_other_than_the_signed_one_fails_its_condition_with_403() -> None:
    # given: a client that swaps in the checksum of the bytes it really sends
    other = b"y" * len(CONTENT)
    fields = {
        **checksummed_fields(),
        "x-amz-checksum-sha256": base64.b64encode(hashlib.sha256(other).digest()).decode(),
    }

    # when
    error = refusal(form(fields, content=other))

    # then
    assert (error.status, error.code) == (403, "AccessDenied")
    assert error.message.startswith(
        'Invalid according to Policy: Policy Condition failed: ["eq", "$x-amz-checksum-sha256"'
    )


@pytest.mark.parametrize("value", ["not base64!", base64.b64encode(b"short").decode()])
def test_a_checksum_that_is_no_sha256_is_an_invalid_request(value: str) -> None:
    # given: signed as it is
    fields = presigned_fields(
        conditions=[{"Content-Type": "image/jpeg"}, {"x-amz-checksum-sha256": value}],
        fields={"x-amz-checksum-sha256": value},
    )

    # when
    error = refusal(form(fields))

    # then
    assert (error.status, error.code) == (400, "InvalidRequest")
    assert error.message == "Value for x-amz-checksum-sha256 header is invalid."


def test_without_a_checksum_field_nothing_is_verified_nor_kept() -> None:
    # when
    accepted = check(form(presigned_fields(), content=CONTENT))

    # then
    assert accepted.checksum_sha256 is None
