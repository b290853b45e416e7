"""The CDK stack and the local stack read one topology declaration (functions/core/topology.py).

Two checks: the synthesized names equal the topology's, and no Python source under infra/ (the CDK
stack and infra/local, the embedded one) spells a topology name, key prefix or index itself, nor
does the Lambda code under functions/ spell a table, queue, index or index key name.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from functions.core import topology
from tests.infra.helpers import REPO_ROOT, Synthesized, as_list, render

pytestmark = pytest.mark.xdist_group("cdk")

INFRA = REPO_ROOT / "infra"
FUNCTIONS = REPO_ROOT / "functions"
KEY_PREFIXES = (topology.UPLOADS_PREFIX, topology.FILES_PREFIX, topology.THUMBNAILS_PREFIX)


def _declared_names() -> set[str]:
    """Every name, prefix, index and index key the topology declares. Plain words that are also
    everyday identifiers (`id`, `pk`, `owner`) are left out; compound key names (`ownerClient`,
    `listKey`, `expiresAt`) are in."""
    names = {topology.UPLOADS_PREFIX, topology.FILES_PREFIX, topology.THUMBNAILS_PREFIX, topology.BUCKET.name}
    names |= {topology.OPENAPI_PATH}
    names |= {topology.UPLOADS_QUEUE.name, topology.UPLOADS_QUEUE.dlq_name}
    for table in (topology.ASSETS_TABLE, topology.USAGES_TABLE):
        names |= {table.name, table.ttl_attribute}
        for index in table.indexes:
            names |= {index.name} | {key for key in (index.hash_key, index.range_key) if not key.islower()}
    return names


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
    return ids


def own_declarations(
    source: str, names: set[str], prefixes: tuple[str, ...] = KEY_PREFIXES
) -> list[tuple[int, str]]:
    """String literals (docstrings aside) that spell a topology name or contain a key prefix."""
    tree = ast.parse(source)
    docstrings = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            text = node.value
            if text in names or any(prefix in text for prefix in prefixes):
                found.append((node.lineno, text))
    return found


def test_the_scan_catches_a_redeclared_prefix_queue_and_index() -> None:
    # given
    source = 'BUCKET_PREFIX = "uploads/"\nQUEUE = "trove-uploads"\nINDEX = "byOwnerClient"\n'

    # when
    found = own_declarations(source, _declared_names())

    # then
    assert [text for _, text in found] == ["uploads/", "trove-uploads", "byOwnerClient"]


def test_no_infra_source_declares_its_own_topology_names() -> None:
    # given
    names = _declared_names()
    sources = sorted(path for path in INFRA.rglob("*.py") if "__pycache__" not in path.parts)

    # when
    offences = [
        f"{path.relative_to(REPO_ROOT)}:{line}: {text!r}"
        for path in sources
        for line, text in own_declarations(path.read_text(), names)
    ]

    # then
    assert sources and any(path.parent.name == "local" for path in sources)
    assert offences == [], "use functions.core.topology instead of:\n" + "\n".join(offences)


def test_no_function_source_spells_a_table_queue_or_index_name() -> None:
    # given: the Lambda code, the topology itself aside. Key prefixes are left out here: API paths
    # (`/api/v2/uploads/check`) contain them as words, and storage.py builds every key from the topology.
    names = _declared_names()
    sources = sorted(
        path
        for path in FUNCTIONS.rglob("*.py")
        if "__pycache__" not in path.parts and path.name != "topology.py"
    )

    # when
    offences = [
        f"{path.relative_to(REPO_ROOT)}:{line}: {text!r}"
        for path in sources
        for line, text in own_declarations(path.read_text(), names, prefixes=())
    ]

    # then
    assert len(sources) > 50
    assert offences == [], "use functions.core.topology instead of:\n" + "\n".join(offences)


def test_synthesized_queue_table_and_index_names_are_the_topologys(synthesized: Synthesized) -> None:
    # given
    queues = {queue["Properties"]["QueueName"] for queue in synthesized.resources("AWS::SQS::Queue").values()}
    tables = {
        table["Properties"]["TableName"]: [
            index["IndexName"] for index in table["Properties"]["GlobalSecondaryIndexes"]
        ]
        for table in synthesized.resources("AWS::DynamoDB::Table").values()
    }

    # then: the topology's names, suffixed with the stage (the local stack uses them bare)
    stage = synthesized.stack.stage
    assert queues == {
        stage.resource_name(topology.UPLOADS_QUEUE.name),
        stage.resource_name(topology.UPLOADS_QUEUE.dlq_name),
    }
    assert tables == {
        stage.resource_name(spec.name): [index.name for index in spec.indexes]
        for spec in (topology.ASSETS_TABLE, topology.USAGES_TABLE)
    }


def test_every_key_prefix_in_the_template_is_the_topologys(synthesized: Synthesized) -> None:
    # given
    prefixes = {
        topology.UPLOADS_PREFIX,
        topology.FILES_PREFIX,
        topology.THUMBNAILS_PREFIX,
        topology.RENDITIONS_PREFIX,
    }
    bucket = f"<{synthesized.logical_id(synthesized.stack.storage.bucket)}.Arn>/"
    used = set()

    # when
    for policy in synthesized.resources("AWS::IAM::Policy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            for resource in render(as_list(statement["Resource"])):
                if isinstance(resource, str) and resource.startswith(bucket):
                    used.add(resource.removeprefix(bucket).removesuffix("*"))
            listed = statement.get("Condition", {}).get("StringLike", {}).get("s3:prefix", [])
            used.update(pattern.removesuffix("*") for pattern in listed)
    _, notifications = synthesized.only("Custom::S3BucketNotifications")
    for configuration in notifications["Properties"]["NotificationConfiguration"]["QueueConfigurations"]:
        used.update(rule["Value"] for rule in configuration["Filter"]["Key"]["FilterRules"])
    lifecycle = synthesized.json["Resources"][synthesized.logical_id(synthesized.stack.storage.bucket)]
    used.update(rule["Prefix"] for rule in lifecycle["Properties"]["LifecycleConfiguration"]["Rules"])

    # then
    assert used == prefixes


def test_the_scan_reads_real_files(tmp_path: Path) -> None:
    # given: a file as the local stack could write it, with the prefix only in a docstring
    module = tmp_path / "provision.py"
    module.write_text('"""Notifications for uploads/ go to the queue."""\nPREFIX = topology.UPLOADS_PREFIX\n')

    # when
    found = own_declarations(module.read_text(), _declared_names())

    # then
    assert found == []
