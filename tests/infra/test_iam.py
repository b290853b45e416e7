"""Least privilege: what each Trove function's role may do, action by action and resource by resource."""

from __future__ import annotations

import pytest

from functions.core import topology
from tests.infra.helpers import Synthesized, as_list, grants, render

pytestmark = pytest.mark.xdist_group("cdk")

XRAY_ACTIONS = {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}
ITEM_ACTIONS = {
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:Query",
}


@pytest.fixture(scope="module")
def names(synthesized: Synthesized) -> dict[str, str]:
    stack = synthesized.stack
    return {
        "bucket": synthesized.logical_id(stack.storage.bucket),
        "assets": synthesized.logical_id(stack.storage.assets_table),
        "usages": synthesized.logical_id(stack.storage.usages_table),
        "queue": synthesized.logical_id(stack.storage.queue),
    }


def _objects(names: dict[str, str], prefix: str) -> str:
    return f"<{names['bucket']}.Arn>/{prefix}*"


def _table_and_indexes(names: dict[str, str], key: str, spec: topology.TableTopology) -> set[str]:
    table = f"<{names[key]}.Arn>"
    return {table, *(f"{table}/index/{index.name}" for index in spec.indexes)}


def test_the_processor_may_touch_only_uploads_and_thumbnails_as_it_needs(
    synthesized: Synthesized, names: dict[str, str]
) -> None:
    # given
    statements = synthesized.policy_statements(synthesized.stack.processing.handler.role)
    uploads, thumbnails = (
        _objects(names, topology.UPLOADS_PREFIX),
        _objects(names, topology.THUMBNAILS_PREFIX),
    )

    # when
    s3 = grants(statements, "s3")

    # then
    assert s3 == {
        ("s3:GetObject", uploads),
        ("s3:DeleteObject", uploads),
        ("s3:PutObject", thumbnails),
        ("s3:DeleteObject", thumbnails),
        ("s3:ListBucket", f"<{names['bucket']}.Arn>"),  # so a missing upload is a 404, not a 403
    }
    assert not any(resource == "*" for _, resource in s3)
    # The one bucket-level grant is the listing, and only of keys under uploads/.
    on_bucket = [
        statement
        for statement in statements
        if f"<{names['bucket']}.Arn>" in render(as_list(statement["Resource"]))
    ]
    (listing,) = on_bucket
    assert as_list(listing["Action"]) == ["s3:ListBucket"]
    assert render(as_list(listing["Resource"])) == [f"<{names['bucket']}.Arn>"]
    assert listing["Condition"] == {"StringLike": {"s3:prefix": f"{topology.UPLOADS_PREFIX}*"}}


def test_the_processor_reads_and_updates_asset_items_and_consumes_the_queue(
    synthesized: Synthesized, names: dict[str, str]
) -> None:
    # given
    statements = synthesized.policy_statements(synthesized.stack.processing.handler.role)

    # then
    assert grants(statements, "dynamodb") == {
        ("dynamodb:GetItem", f"<{names['assets']}.Arn>"),
        ("dynamodb:UpdateItem", f"<{names['assets']}.Arn>"),
    }
    sqs = grants(statements, "sqs")
    assert {resource for _, resource in sqs} == {f"<{names['queue']}.Arn>"}
    assert {action for action, _ in sqs} == {
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:ChangeMessageVisibility",
        "sqs:GetQueueAttributes",
        "sqs:GetQueueUrl",
    }


def test_the_api_may_presign_and_delete_under_the_two_prefixes_only(
    synthesized: Synthesized, names: dict[str, str]
) -> None:
    # given
    statements = synthesized.policy_statements(synthesized.stack.api.handler.role)
    uploads, thumbnails = (
        _objects(names, topology.UPLOADS_PREFIX),
        _objects(names, topology.THUMBNAILS_PREFIX),
    )

    # then
    assert grants(statements, "s3") == {
        ("s3:PutObject", uploads),  # presigned POST
        ("s3:GetObject", uploads),  # presigned GET of the file
        ("s3:GetObject", thumbnails),  # presigned GET of the thumbnail
        ("s3:DeleteObject", uploads),
        ("s3:DeleteObject", thumbnails),
        ("s3:PutObject", thumbnails),  # POST /api/v2/upload-asset thumbnails in the request
        ("s3:ListBucket", f"<{names['bucket']}.Arn>"),  # a missing upload is a 404, not a 403
    }
    assert grants(statements, "sqs") == set()


def test_the_api_does_items_on_both_tables_and_their_declared_indexes(
    synthesized: Synthesized, names: dict[str, str]
) -> None:
    # given
    statements = synthesized.policy_statements(synthesized.stack.api.handler.role)
    resources = _table_and_indexes(names, "assets", topology.ASSETS_TABLE) | _table_and_indexes(
        names, "usages", topology.USAGES_TABLE
    )

    # then
    assert grants(statements, "dynamodb") == {
        (action, resource) for action in ITEM_ACTIONS for resource in resources
    }


@pytest.mark.parametrize("name", ["api", "processing"])
def test_no_statement_of_a_trove_function_has_a_wildcard_beyond_a_key_prefix(
    synthesized: Synthesized, name: str
) -> None:
    # given
    handler = getattr(synthesized.stack, name).handler
    statements = synthesized.policy_statements(handler.role)
    log_group = f"<{synthesized.logical_id(handler.log_group)}.Arn>"

    # then
    for statement in statements:
        actions, resources = set(as_list(statement["Action"])), render(as_list(statement["Resource"]))
        assert not any(action.endswith("*") for action in actions), statement
        if actions <= XRAY_ACTIONS:
            assert resources == ["*"]  # X-Ray has no resource-level permissions
        elif actions <= {"logs:CreateLogStream", "logs:PutLogEvents"}:
            assert resources == [log_group]  # its own log group only
        else:
            for resource in resources:
                assert "*" not in resource or resource.endswith(
                    (f"/{topology.UPLOADS_PREFIX}*", f"/{topology.THUMBNAILS_PREFIX}*")
                ), statement


@pytest.mark.parametrize("name", ["api", "processing"])
def test_trove_function_roles_carry_no_managed_policy(synthesized: Synthesized, name: str) -> None:
    # given
    role = synthesized.json["Resources"][
        synthesized.logical_id(getattr(synthesized.stack, name).handler.role)
    ]

    # then
    assert "ManagedPolicyArns" not in role["Properties"]
    assert role["Properties"]["AssumeRolePolicyDocument"]["Statement"] == [
        {"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}}
    ]
