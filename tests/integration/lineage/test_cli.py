"""`trove scan PATH`: a folder of scripts registered through the API, in-process and over HTTP."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from functions.lineage import cli
from tests.integration.lineage.helpers import brief, trove, used_by

REFUSED = "expired-token"


def api_transport(api) -> cli.Transport:
    """The CLI's requests handed to the API handler as API Gateway would, the bearer token as the user."""

    def send(method: str, url: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        user = headers["Authorization"].removeprefix("Bearer ")
        response = api(method, urlsplit(url).path, user=user, body=body.decode(), headers=headers)
        return response.status, response.body.encode()

    return send


@pytest.fixture
def scripts(tmp_path: Path, ready_asset) -> tuple[Path, dict]:
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
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path, asset


def expected_table(asset: dict) -> str:
    uri = trove(asset)
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


def test_scan_registers_every_script_and_prints_what_it_found(api, scripts):
    # given
    folder, asset = scripts
    out = io.StringIO()

    # when
    status = cli.main(["scan", str(folder), "--api", "https://api.example.com", "--token", "user-a"],
                      transport=api_transport(api), out=out)  # fmt: skip

    # then
    assert status == 1  # broken.py
    assert out.getvalue() == expected_table(asset)
    assert brief(used_by(api, "etl/extract")) == [("script:etl/extract", trove(asset), "read", "static")]
    assert used_by(api, "node_modules/lib/index") == [] and used_by(api, ".hidden/secret") == []


def test_a_clean_folder_exits_0(api, tmp_path):
    # given
    (tmp_path / "job.py").write_text('import wmill\nwmill.load_s3_file("s3://w/a.csv")\n')

    # when
    status = cli.main(["scan", str(tmp_path), "--token", "user-a"], transport=api_transport(api), out=io.StringIO())

    # then
    assert status == 0
    assert [usage["assetUri"] for usage in used_by(api, "job")] == ["s3://w/a.csv"]


@pytest.fixture
def http_api(api) -> Iterator[str]:
    """The API handler behind a real HTTP server on 127.0.0.1, so the CLI's own urllib transport runs."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            headers = dict(self.headers.items())
            user = headers["Authorization"].removeprefix("Bearer ")
            response = api("POST", self.path, user=None if user == REFUSED else user, body=body.decode(), headers=headers)
            self.send_response(response.status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(response.body.encode())

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_scan_over_http(api, http_api, scripts, monkeypatch):
    # given: the API and token from the environment
    folder, asset = scripts
    monkeypatch.setenv("TROVE_API_URL", http_api)
    monkeypatch.setenv("TROVE_TOKEN", "user-a")
    out = io.StringIO()

    # when
    status = cli.main(["scan", str(folder)], out=out)

    # then
    assert status == 1
    assert out.getvalue() == expected_table(asset)
    assert [usage["assetUri"] for usage in used_by(api, "web/app")] == ["s3://w/in.csv"]


def test_a_refused_token_is_an_error_row(http_api, tmp_path):
    # given
    (tmp_path / "a.py").write_text("x = 1\n")
    out = io.StringIO()

    # when: the server's authorizer refuses this token
    status = cli.main(["scan", str(tmp_path), "--api", http_api, "--token", REFUSED], out=out)

    # then
    assert status == 1
    assert out.getvalue().splitlines()[1] == "a       error  401: Not authenticated"


def test_an_unreachable_api_exits_2(tmp_path, capsys):
    # given
    (tmp_path / "a.py").write_text("x = 1\n")

    # when
    status = cli.main(["scan", str(tmp_path), "--api", "http://127.0.0.1:9", "--token", "t"], out=io.StringIO())

    # then
    assert status == 2
    assert "cannot reach http://127.0.0.1:9" in capsys.readouterr().err


def test_a_missing_token_or_folder_is_a_usage_error(tmp_path, monkeypatch):
    # given
    monkeypatch.delenv("TROVE_TOKEN", raising=False)

    # then
    with pytest.raises(SystemExit) as no_token:
        cli.main(["scan", str(tmp_path)])
    with pytest.raises(SystemExit) as no_folder:
        cli.main(["scan", str(tmp_path / "missing"), "--token", "t"])
    assert no_token.value.code == no_folder.value.code == 2
