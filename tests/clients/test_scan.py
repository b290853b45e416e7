"""`trove scan PATH`: a folder of scripts registered through the API, in-process (the API handler on
moto behind an httpx transport) and over HTTP against the local stack. Moved here from
tests/integration/lineage/test_cli.py with the command (functions/lineage/cli.py → trove_client)."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner, Result
from trove_client.cli import cli

from tests.integration.conftest import api, aws, bucket, make_ready, s3, upload  # noqa: F401 - fixtures
from tests.integration.lineage.conftest import ready_asset  # noqa: F401 - a fixture
from tests.integration.lineage.helpers import brief, trove, used_by


class ApiTransport(httpx.BaseTransport):
    """The SDK's requests handed to the API handler as API Gateway would, the bearer token as the user."""

    def __init__(self, handler) -> None:
        self.api = handler

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        user = request.headers["Authorization"].removeprefix("Bearer ")
        headers = dict(request.headers.items())
        # The API runs elsewhere: its request logs and metrics (on stdout, for CloudWatch) are not the
        # command's output.
        with contextlib.redirect_stdout(io.StringIO()):
            answer = self.api(
                request.method, request.url.path, user=user, body=request.read().decode(), headers=headers
            )
        return httpx.Response(answer.status, headers=answer.headers, content=answer.body.encode())


def scan(*args: str, handler=None) -> Result:
    """`trove scan ARGS`, over HTTP, or in-process to the API `handler` when one is given."""
    return CliRunner().invoke(
        cli, ["scan", *args], obj={"transport": ApiTransport(handler)} if handler else None
    )


@pytest.fixture(autouse=True)
def no_login(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TROVE_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv("TROVE_TOKEN", raising=False)
    monkeypatch.delenv("TROVE_API_URL", raising=False)


@pytest.fixture
def scripts(tmp_path: Path, ready_asset) -> tuple[Path, dict]:  # noqa: F811 - the fixture imported above
    asset = ready_asset()
    files = {
        "etl/extract.py": f'import wmill\nframe = wmill.load_s3_file("{trove(asset)}")\n',
        "etl/load.sql": "COPY (SELECT 1) TO 's3://w/out.parquet';\n",
        "web/app.ts": 'const rows = await wmill.loadS3File("s3://w/in.csv");\n',
        "web/config.js": 'const db = await wmill.getResource("res://f/db");\n',
        "web/empty.js": "console.log('no assets');\n",
        "broken.py": "x = (\n",
        "notes.txt": "s3://w/not-code.csv\n",
        "node_modules/lib/index.js": 'wmill.loadS3File("s3://w/vendored.csv");\n',
        ".hidden/secret.py": 'wmill.load_s3_file("s3://w/hidden.csv")\n',
    }
    folder = tmp_path / "scripts"
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    return folder, asset


def expected_table(uri: str) -> str:
    width = len("etl/extract")
    rows = [
        ("SCRIPT", "MODE", "ASSET"),
        ("broken", "error", "400: python syntax error at line 1, column 5: '(' was never closed"),
        ("etl/extract", "read", uri),
        ("etl/load", "write", "s3://w/out.parquet"),
        ("web/app", "read", "s3://w/in.csv"),
        ("web/config", "unknown", "res://f/db"),
        ("web/empty", "-", "no assets"),
    ]
    lines = [f"{path:<{width}}  {mode:<7}  {what}" for path, mode, what in rows]
    return "\n".join([*lines, "", "6 file(s) scanned, 4 usage(s), 1 error(s)", ""])


def test_scan_registers_every_script_and_prints_what_it_found(api, scripts):  # noqa: F811
    # given
    folder, asset = scripts

    # when
    result = scan(str(folder), "--api", "https://api.example.com", "--token", "user-a", handler=api)

    # then
    assert result.exit_code == 1  # broken.py
    assert result.stdout == expected_table(trove(asset))
    assert brief(used_by(api, "etl/extract")) == [("script:etl/extract", trove(asset), "read", "static")]
    assert used_by(api, "node_modules/lib/index") == [] and used_by(api, ".hidden/secret") == []


def test_a_clean_folder_exits_0(api, tmp_path):  # noqa: F811
    # given
    (tmp_path / "job.py").write_text('import wmill\nwmill.load_s3_file("s3://w/a.csv")\n')

    # when
    result = scan(str(tmp_path), "--token", "user-a", handler=api)

    # then
    assert result.exit_code == 0
    assert [usage["assetUri"] for usage in used_by(api, "job")] == ["s3://w/a.csv"]


@pytest.mark.e2e
@pytest.mark.xdist_group("local_stack")
def test_scan_over_http_with_the_api_and_token_from_the_environment(stack_url, tmp_path, monkeypatch):
    # given
    from trove_client import Trove, local_token

    token = local_token(stack_url, "scanner")
    (tmp_path / "etl").mkdir()
    (tmp_path / "etl" / "extract.py").write_text('import wmill\nwmill.load_s3_file("s3://w/in.csv")\n')
    (tmp_path / "broken.py").write_text("x = (\n")
    monkeypatch.setenv("TROVE_API_URL", stack_url)
    monkeypatch.setenv("TROVE_TOKEN", token)

    # when
    result = scan(str(tmp_path))

    # then
    assert result.exit_code == 1
    assert result.stdout.splitlines()[1:3] == [
        "broken       error  400: python syntax error at line 1, column 5: '(' was never closed",
        "etl/extract  read   s3://w/in.csv",
    ]
    with Trove(stack_url, token) as sdk:
        assert [usage.asset_uri for usage in sdk.consumer_usages("etl/extract")] == ["s3://w/in.csv"]


@pytest.mark.e2e
@pytest.mark.xdist_group("local_stack")
def test_a_refused_token_is_an_error_row(stack_url, tmp_path):
    # given
    (tmp_path / "a.py").write_text("x = 1\n")

    # when: the stack's authorizer refuses this token
    result = scan(str(tmp_path), "--api", stack_url, "--token", "expired-token")

    # then
    assert result.exit_code == 1
    assert result.stdout.splitlines()[1] == "a       error  401: Unauthorized"


def test_an_unreachable_api_exits_2(tmp_path):
    # given
    (tmp_path / "a.py").write_text("x = 1\n")

    # when
    result = scan(str(tmp_path), "--api", "http://127.0.0.1:9", "--token", "t")

    # then
    assert result.exit_code == 2
    assert "cannot reach http://127.0.0.1:9" in result.stderr


def test_a_missing_token_or_folder_is_a_usage_error(tmp_path):
    # when
    no_token = scan(str(tmp_path))
    no_folder = scan(str(tmp_path / "missing"), "--token", "t")

    # then
    assert no_token.exit_code == no_folder.exit_code == 2
    assert "no token" in no_token.stderr and "does not exist" in no_folder.stderr
