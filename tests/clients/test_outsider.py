"""Defects an outsider found by attacking the SDK and the `trove` command: names read as rich markup,
an asset's name overwriting a file, files that change or vanish mid-upload, POSTs sent twice, and a
config folder left open."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from rich.console import Console
from trove_client import FileChanged, Trove, TroveError, local_token
from trove_client.cli import cli
from trove_client.uploading import Journal, Uploader


@pytest.fixture
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where `trove` keeps its login and journal, away from the real user's."""
    folder = tmp_path / "config"
    monkeypatch.setenv("TROVE_CONFIG_DIR", str(folder))
    return folder


@pytest.fixture
def run_trove(stack_url: str, config_dir: Path) -> Callable[..., tuple[int, str]]:
    """`run_trove(user, "ls")`: the command as that user against the stack; (exit status, output)."""

    def run(user: str, *args: str) -> tuple[int, str]:
        command, *rest = args
        connection = ["--api", stack_url, "--token", local_token(stack_url, user)]
        result = CliRunner().invoke(cli, [command, *connection, *rest])
        return result.exit_code, result.output

    return run


@pytest.fixture
def counting_api() -> Iterator[tuple[Trove, list[str]]]:
    """The SDK against an API that answers every request 500, and the methods it was sent."""
    sent: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request.method)
        return httpx.Response(500, json={"detail": "boom"})

    trove = Trove("http://api.invalid", "token", backoff=0, transport=httpx.MockTransport(answer))
    yield trove, sent
    trove.close()


def test_ls_shows_a_name_with_brackets_as_written(
    trove_for: Callable[[str], Trove],
    new_user: Callable[[], str],
    run_trove: Callable[..., tuple[int, str]],
) -> None:
    # given a link whose name rich would read as markup (an unmatched closing tag)
    user = new_user()
    trove_for(user).create_link("evil[/bar] [bold]x", "https://example.com/")

    # when the user lists their assets
    status, output = run_trove(user, "ls")

    # then the table shows the name as it is, and the command succeeds
    assert status == 0, output
    assert "evil[/bar] [bold]x" in output


def test_get_into_a_folder_never_replaces_a_file_with_the_assets_name(
    trove_for: Callable[[str], Trove],
    new_user: Callable[[], str],
    run_trove: Callable[..., tuple[int, str]],
    media_file: Callable[..., Path],
    tmp_path: Path,
) -> None:
    # given an image named ".bashrc" and a folder that already has a .bashrc
    user = new_user()
    asset = trove_for(user).upload(media_file("photo.jpg"), name=".bashrc", wait=True)
    folder = tmp_path / "home"
    folder.mkdir()
    (folder / ".bashrc").write_text("mine")

    # when it is fetched into the folder twice
    first_status, first_output = run_trove(user, "get", asset.id, "-o", str(folder))
    second_status, second_output = run_trove(user, "get", asset.id, "-o", str(folder))

    # then the first makes a plain, visible file, the second refuses to replace it, and .bashrc is untouched
    assert first_status == 0, first_output
    assert (folder / "bashrc").read_bytes() == media_file("photo.jpg").read_bytes()
    assert second_status == 1
    assert "already exists" in second_output
    assert (folder / ".bashrc").read_text() == "mine"


def test_a_file_that_grows_while_uploaded_is_a_trove_error(
    trove: Trove, media_file: Callable[..., Path]
) -> None:
    # given a file that grows as its bytes are sent
    photo = media_file("photo.jpg")

    def grow(done: int, total: int) -> None:
        with photo.open("ab") as output:
            output.write(b"\0" * 1000)

    # when it is uploaded, then the SDK says the file changed (not an HTTP library's protocol error)
    with pytest.raises(FileChanged, match="changed size"):
        trove.upload(photo, progress=grow)


def test_a_file_gone_since_the_walk_fails_alone(
    trove: Trove, media_file: Callable[..., Path], tmp_path: Path
) -> None:
    # given two files to send, one deleted after the folder was walked
    kept = media_file("photo.jpg")
    gone = media_file("photo.jpg", as_name="gone.jpg")
    gone.unlink()
    journal = Journal(tmp_path / "uploads.jsonl", trove.base_url, "owner")
    uploader = Uploader(trove, journal, Console(file=io.StringIO()), fields={}, wait=False, timeout=1)

    # when they are uploaded
    outcomes, interrupted = uploader.run([kept, gone], 2)

    # then the missing one is an error and the other is sent
    by_path = {outcome.path: outcome for outcome in outcomes}
    assert not interrupted
    assert by_path[gone].status == "error"
    assert by_path[kept].status == "pending"


def test_a_post_answered_500_is_not_sent_again(counting_api: tuple[Trove, list[str]]) -> None:
    # given an API that fails every request with 500
    trove, sent = counting_api

    # when a link is made, then the failure is reported after one request (a retry could make two)
    with pytest.raises(TroveError):
        trove.create_link("once", "https://example.com/")
    assert sent == ["POST"]


def test_a_get_answered_500_is_retried(counting_api: tuple[Trove, list[str]]) -> None:
    # given an API that fails every request with 500
    trove, sent = counting_api

    # when an asset is read, then it was asked again up to the retries (a GET changes nothing)
    with pytest.raises(TroveError):
        trove.get("8c0d6a3e-5f2b-4d7e-9a41-3b6f0e2c9d17")
    assert sent == ["GET"] * (trove.retries + 1)


def test_login_closes_a_config_folder_that_was_open(stack_url: str, config_dir: Path) -> None:
    # given a config folder already there, readable by everyone
    config_dir.mkdir(mode=0o755)
    config_dir.chmod(0o755)

    # when the user logs in
    result = CliRunner().invoke(cli, ["login", "--api", stack_url, "--user", "alice"])

    # then the folder is the owner's only, and so is the token in it
    assert result.exit_code == 0, result.output
    assert config_dir.stat().st_mode & 0o777 == 0o700
    assert (config_dir / "login.json").stat().st_mode & 0o777 == 0o600


def test_an_asset_id_cannot_reach_another_route(trove: Trove) -> None:
    # given a link of a client
    link = trove.create_link("kept", "https://example.com/", client_id="client-abc")

    # when "../clients/client-abc" is deleted as an asset id (a cascade delete, were the path followed)
    with pytest.raises(TroveError):
        trove.delete("../clients/client-abc")

    # then the client's link is still there
    assert trove.get(link.id).name == "kept"


def test_get_to_a_place_it_cannot_write_is_a_message_not_a_traceback(
    trove_for: Callable[[str], Trove],
    new_user: Callable[[], str],
    run_trove: Callable[..., tuple[int, str]],
    media_file: Callable[..., Path],
    tmp_path: Path,
) -> None:
    # given an asset, and a destination under a file (not a folder)
    user = new_user()
    asset = trove_for(user).upload(media_file("photo.jpg"), wait=True)
    (tmp_path / "a-file").write_text("x")

    # when it is fetched there
    status, output = run_trove(user, "get", asset.id, "-o", str(tmp_path / "a-file" / "photo.jpg"))

    # then the command fails with the reason, as documented
    assert status == 1
    assert output.startswith("trove: ") or "\ntrove: " in output
    assert "Traceback" not in output
