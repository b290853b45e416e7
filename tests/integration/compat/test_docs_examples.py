"""docs/api.md's curl examples, replayed in order against the API handler: each answers the status
its `<!-- replay: … -->` marker states."""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

DOC = Path(__file__).resolve().parents[3] / "docs" / "api.md"
BLOCK = re.compile(r"(?:<!-- (?P<marker>[^>]*) -->\n)?```bash\n(?P<code>.*?)```", re.DOTALL)
REPLAY = re.compile(r"^replay: (?P<status>\d{3})(?:, save (?P<name>[A-Z][A-Z0-9_]*)=(?P<path>[\w.]+))?$")
# The users behind the tokens the examples name.
# A block may show the answer as a comment: `# 400 {"detail": "..."}`; unless elided with "…", it is compared.
SHOWN_ANSWER = re.compile(r"^# (?P<status>\d{3}) (?P<body>\{.*\})$", re.MULTILINE)
TOKENS = {"$TOKEN": "user-a", "$OTHER_TOKEN": "user-b"}
# curl -F file=@name picks the part's type from the extension with its own short table, else this.
CURL_TYPES = {
    "gif": "image/gif",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "pdf": "application/pdf",
}


@dataclass
class Example:
    marker: str
    code: str
    line: int


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str] = field(default_factory=dict)
    json: Any = None
    form: list | None = None
    user: str | None = None


def examples() -> list[Example]:
    text = DOC.read_text()
    return [
        Example(match["marker"] or "", match["code"], text.count("\n", 0, match.start()) + 1)
        for match in BLOCK.finditer(text)
    ]


def parse_curl(code: str, files: dict[str, bytes]) -> Request:
    """One curl command (comment lines and line continuations allowed) as the request it sends."""
    command = " ".join(
        line for line in code.replace("\\\n", " ").splitlines() if not line.lstrip().startswith("#")
    )
    words = shlex.split(command)
    assert words[0] == "curl", command
    method, url, headers, data, form = None, None, {}, None, None
    index = 1
    while index < len(words):
        word = words[index]
        if word in ("-X", "--request"):
            method, index = words[index + 1], index + 1
        elif word in ("-H", "--header"):
            name, _, value = words[index + 1].partition(":")
            headers[name.strip().lower()], index = value.strip(), index + 1
        elif word in ("-d", "--data", "--data-raw"):
            data, index = words[index + 1], index + 1
        elif word in ("-F", "--form"):
            form = (form or []) + [_form_field(words[index + 1], files)]
            index += 1
        elif word in ("-i", "-s", "-L", "-v"):
            pass
        else:
            assert url is None and word.startswith("https://api.example.com/"), f"unexpected {word!r}"
            url = word
        index += 1
    parts = urlsplit(url)
    authorization = headers.pop("authorization", "")
    user = TOKENS[authorization.removeprefix("Bearer ")] if authorization else None
    method = method or ("POST" if data is not None or form is not None else "GET")
    return Request(method, parts.path, dict(parse_qsl(parts.query)), headers, data, form, user)


def _form_field(spec: str, files: dict[str, bytes]) -> tuple:
    name, _, value = spec.partition("=")
    if not value.startswith("@"):
        return (name, value)
    filename, _, options = value[1:].partition(";type=")
    extension = filename.rsplit(".", 1)[-1].lower()
    return (
        name,
        (filename, files[filename], options or CURL_TYPES.get(extension, "application/octet-stream")),
    )


@pytest.fixture
def files(media) -> dict[str, bytes]:
    return {
        "logo.png": media.logo_png,
        "logo.bmp": media.logo_bmp,
        "product_demo.mp4": media.demo_mp4,
        "voiceover.mp3": media.voiceover_mp3,
        "brand_guidelines.pdf": media.guidelines_pdf,
    }


def test_every_bash_block_is_marked():
    # then
    unmarked = [example.line for example in examples() if not example.marker]
    assert examples() and not unmarked, (
        f"docs/api.md: bash blocks without a replay marker at lines {unmarked}"
    )
    for example in examples():
        assert REPLAY.match(example.marker) or example.marker.startswith("not replayed: "), example.marker


def test_the_curl_examples_answer_what_the_doc_says(call, files):
    # given
    saved: dict[str, str] = {}
    replayed = compared = 0

    for example in examples():
        marker = REPLAY.match(example.marker)
        if not marker:
            continue
        code = re.sub(r"\$\{?([A-Z][A-Z0-9_]*)\}?", lambda m: saved.get(m[1], m[0]), example.code)

        # when
        request = parse_curl(code, files)
        response = call(
            request.method,
            request.path,
            user=request.user,
            json=request.json,
            form=request.form,
            query=request.query or None,
            headers=request.headers,
        )

        # then
        assert response.status == int(marker["status"]), f"docs/api.md line {example.line}: {response.body}"
        shown = SHOWN_ANSWER.search(example.code)
        if shown and "…" not in shown["body"]:
            assert int(shown["status"]) == response.status
            assert response.json() == json.loads(shown["body"]), f"docs/api.md line {example.line}"
            compared += 1
        if marker["name"]:
            value: Any = response.json()
            for key in marker["path"].split("."):
                value = value[key]
            saved[marker["name"]] = value
        replayed += 1

    assert replayed >= 25 and compared >= 8
