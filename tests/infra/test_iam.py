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


def _processing(names: dict[str, str]) -> set[tuple[str, str]]:
    """What running the processor's code needs on the bucket: read and delete the quarantined upload,
    write (copy) the checked file and the thumbnail and remove them again, list uploads/ only; list
    and delete the renditions of bytes that were replaced."""
    uploads, files, thumbnails, renditions = (
        _objects(names, prefix)
        for prefix in (
            topology.UPLOADS_PREFIX,
            topology.FILES_PREFIX,
            topology.THUMBNAILS_PREFIX,
            topology.RENDITIONS_PREFIX,
        )
    )
    return {
        ("s3:GetObject", uploads),
        ("s3:DeleteObject", uploads),
        ("s3:PutObject", files),  # the target of the server-side copy
        ("s3:DeleteObject", files),
        ("s3:PutObject", thumbnails),
        ("s3:DeleteObject", thumbnails),
        ("s3:DeleteObject", renditions),
        ("s3:ListBucket", f"<{names['bucket']}.Arn>"),  # so a missing upload is a 404, not a 403
    }


def _listings(statements: list[dict], names: dict[str, str]) -> list[list[str]]:
    """The key prefixes each s3:ListBucket statement allows (its only bucket-level grants)."""
    on_bucket = [
        statement
        for statement in statements
        if f"<{names['bucket']}.Arn>" in render(as_list(statement["Resource"]))
    ]
    assert all(as_list(statement["Action"]) == ["s3:ListBucket"] for statement in on_bucket)
    assert all(set(statement["Condition"]) == {"StringLike"} for statement in on_bucket)
    return [statement["Condition"]["StringLike"]["s3:prefix"] for statement in on_bucket]


def test_the_processor_may_touch_only_what_processing_needs(synthesized: Synthesized, names: dict[str, str]) -> None:
    # given
    statements = synthesized.policy_statements(synthesized.stack.processing.handler.role)

    # when
    s3 = grants(statements, "s3")

    # then: it never reads files/ or thumbnails/, and lists nothing but uploads/ and renditions/
    assert s3 == _processing(names)
    assert _listings(statements, names) == [[f"{topology.UPLOADS_PREFIX}*"], [f"{topology.RENDITIONS_PREFIX}*"]]


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


def test_the_api_presigns_checked_files_deletes_everything_of_an_asset_and_may_process(
    synthesized: Synthesized, names: dict[str, str]
) -> None:
    # given
    statements = synthesized.policy_statements(synthesized.stack.api.handler.role)
    uploads, files, thumbnails = (
        _objects(names, prefix)
        for prefix in (topology.UPLOADS_PREFIX, topology.FILES_PREFIX, topology.THUMBNAILS_PREFIX)
    )

    # then: presigned POSTs to uploads/, presigned GETs of files/ and thumbnails/, deletes under all
    # three; POST /api/v2/upload-asset puts to uploads/ and runs the processor's code in the request
    assert grants(statements, "s3") == _processing(names) | {
        ("s3:PutObject", uploads),
        ("s3:GetObject", files),
        ("s3:GetObject", thumbnails),
        # renditions: made on request, answered by the token-free path
        ("s3:GetObject", _objects(names, topology.RENDITIONS_PREFIX)),
        ("s3:PutObject", _objects(names, topology.RENDITIONS_PREFIX)),
    }
    assert _listings(statements, names) == [[f"{topology.UPLOADS_PREFIX}*"], [f"{topology.RENDITIONS_PREFIX}*"]]
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


@pytest.mark.parametrize("name", ["api", "processing", "sweep"])
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
                    tuple(f"/{prefix}*" for prefix in (topology.UPLOADS_PREFIX, topology.FILES_PREFIX,
                                                        topology.THUMBNAILS_PREFIX, topology.RENDITIONS_PREFIX))
                ), statement


@pytest.mark.parametrize("name", ["api", "processing", "sweep"])
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


def test_the_sweep_processes_lists_the_three_prefixes_and_removes_expired_records(
    synthesized: Synthesized, names: dict[str, str]
) -> None:
    # given
    statements = synthesized.policy_statements(synthesized.stack.sweep.handler.role)
    table = f"<{names['assets']}.Arn>"

    # then: the processor's rights, listings to find strays (deleting them is among those rights),
    # a Scan for expired pending records, batch reads to tell strays, conditional deletes; no index,
    # no queue, no usages table
    assert grants(statements, "s3") == _processing(names)
    assert _listings(statements, names) == [
        [f"{topology.UPLOADS_PREFIX}*"],
        [f"{topology.RENDITIONS_PREFIX}*"],
        [f"{topology.FILES_PREFIX}*", f"{topology.THUMBNAILS_PREFIX}*"],
    ]
    assert grants(statements, "dynamodb") == {
        (f"dynamodb:{action}", table) for action in ("GetItem", "UpdateItem", "Scan", "BatchGetItem", "DeleteItem")
    }
    assert grants(statements, "sqs") == set()
