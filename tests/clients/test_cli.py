"""The `trove` command (trove_client.cli) driven in-process by click's CliRunner against the local stack;
Ctrl-C by a real SIGINT to `python -m trove_client.cli` in a subprocess."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import boto3
import pytest
from click.testing import CliRunner, Result
from moto import mock_aws
from PIL import Image
from trove_client import Trove, credentials, local_token
from trove_client.cli import cli

from tests.clients.test_sdk import EVERY_TYPE

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local_stack")]

SETTLE_TIMEOUT = "60"  # --timeout: a bound on waiting, not a timing assertion


@pytest.fixture(autouse=True)
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The login and the upload journal in a folder of the test's own; no token from the environment."""
    folder = tmp_path / "config"
    monkeypatch.setenv(credentials.CONFIG_DIR_ENV, str(folder))
    for name in ("TROVE_TOKEN", "TROVE_API_URL", "TROVE_COGNITO_CLIENT_ID", "TROVE_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    return folder


def trove_cli(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def logged_in(stack_url: str, new_user: Callable[[], str]) -> str:
    """`trove login` as a new user of the local stack; the user's name."""
    user = new_user()
    assert trove_cli("login", "--api", stack_url, "--user", user).exit_code == 0
    return user


def outcomes(result: Result) -> dict[str, tuple[str, str | None]]:
    """`trove upload --json`'s outcomes by file name: (status, detail)."""
    return {Path(item["path"]).name: (item["status"], item["detail"]) for item in json.loads(result.stdout)}


def listed(*args: str) -> list[dict]:
    result = trove_cli("ls", "--json", "--limit", "0", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# -- login -----------------------------------------------------------------------------------------


def test_login_keeps_the_token_for_the_owner_only_and_commands_use_it(stack_url, config_dir, new_user):
    # when
    result = trove_cli("login", "--api", stack_url, "--user", new_user())

    # then
    kept = credentials.login_file()
    assert result.exit_code == 0 and str(kept) in result.stdout
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600 and stat.S_IMODE(config_dir.stat().st_mode) == 0o700
    assert listed() == []


def test_an_expiring_token_is_refreshed_before_the_request(stack_url, logged_in):
    # given: the kept token about to expire
    login = credentials.load()
    login.expires_at = time.time() + 5
    credentials.save(login)

    # when
    assert listed() == []

    # then
    refreshed = credentials.load()
    assert refreshed.token != login.token and refreshed.expires_at > time.time() + 3000
    assert stat.S_IMODE(credentials.login_file().stat().st_mode) == 0o600


def test_cognito_login_and_refresh(monkeypatch):
    # given: a user pool (moto) with a user whose password is set
    with mock_aws():
        cognito = boto3.client("cognito-idp", region_name="us-east-1")
        pool = cognito.create_user_pool(PoolName="trove")["UserPool"]["Id"]
        client = cognito.create_user_pool_client(
            UserPoolId=pool,
            ClientName="cli",
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )["UserPoolClient"]["ClientId"]
        cognito.admin_create_user(UserPoolId=pool, Username="carol")
        cognito.admin_set_user_password(
            UserPoolId=pool, Username="carol", Password="Secret-pass-1", Permanent=True
        )

        # when
        result = trove_cli("login", "--api", "https://api.example.com", "--user", "carol",
                           "--cognito-client-id", client, "--region", "us-east-1", "--password", "Secret-pass-1")  # fmt: skip
        login = credentials.load()
        login.expires_at = 0
        refreshed = credentials.fresh_token(login)
        wrong = trove_cli("login", "--api", "https://api.example.com", "--user", "carol",
                          "--cognito-client-id", client, "--region", "us-east-1", "--password", "wrong")  # fmt: skip

    # then
    assert result.exit_code == 0, result.output
    assert (login.method, login.user, login.token.count(".")) == ("cognito", "carol", 2)
    assert credentials.token_owner(refreshed) == credentials.token_owner(login.token)
    assert credentials.load().expires_at > time.time()
    assert wrong.exit_code == 1 and "Cognito refused" in wrong.stderr


# -- upload ----------------------------------------------------------------------------------------


def test_a_folder_of_every_type_uploads_with_progress_and_follows_processing(logged_in, media_file, tmp_path):
    # given: every type, bytes that lie about their type, a file of another type, a hidden file
    for sample, _, _ in EVERY_TYPE:
        media_file(sample)
    media_file("text.png")
    folder = media_file("photo.jpg").parent
    (folder / "notes.txt").write_text("not media")
    (folder / ".hidden").mkdir()
    (folder / ".hidden" / "secret.jpg").write_bytes((folder / "photo.jpg").read_bytes())

    # when
    result = trove_cli("upload", str(folder), "--campaign", "spring", "--tag", "cli", "--jobs", "4", "--wait",
                       "--timeout", SETTLE_TIMEOUT, "--json")  # fmt: skip

    # then: text.png rejected, so exit 1
    assert result.exit_code == 1, result.output
    found = outcomes(result)
    assert {name: found[name][0] for name, _, _ in EVERY_TYPE} == {name: "ready" for name, _, _ in EVERY_TYPE}
    assert found["text.png"][0] == "rejected" and "Invalid file type" in found["text.png"][1]
    assert found["notes.txt"] == ("skipped", "not a type Trove takes") and "secret.jpg" not in found
    for name, _, _ in EVERY_TYPE:
        assert f"ready       {folder / name}" in result.stderr  # the progress log, file by file
    assert "11 file(s): " in result.stderr
    assert {(asset["campaignId"], tuple(asset["tags"])) for asset in listed()} == {("spring", ("cli",))}


def test_a_hundred_files_eight_at_a_time(logged_in, tmp_path):
    # given: 100 different small images
    folder = tmp_path / "hundred"
    folder.mkdir()
    for number in range(100):
        Image.new("RGB", (16, 16), (number, 255 - number, number * 2 % 256)).save(folder / f"{number:03}.png")

    # when
    result = trove_cli("upload", str(folder), "--jobs", "8", "--wait", "--timeout", SETTLE_TIMEOUT, "--json")

    # then
    assert result.exit_code == 0, result.stderr[-2000:]
    assert {status for status, _ in outcomes(result).values()} == {"ready"} and len(outcomes(result)) == 100
    assert sorted(asset["name"] for asset in listed()) == [f"{number:03}.png" for number in range(100)]


def test_a_file_already_in_trove_is_reported_as_its_duplicate_and_sent_only_when_allowed(
    logged_in, media_file
):
    # given: a photo uploaded, then the same bytes under another name, and a new file
    first = media_file("photo.jpg")
    assert trove_cli("upload", str(first), "--wait", "--timeout", SETTLE_TIMEOUT).exit_code == 0
    copy = first.with_name("copy of photo.jpg")
    copy.write_bytes(first.read_bytes())
    other = media_file("alpha.png")
    (existing,) = listed()

    # when
    result = trove_cli("upload", str(copy), str(other), "--wait", "--timeout", SETTLE_TIMEOUT, "--json")

    # then: the copy is not sent and names the asset it duplicates; the run succeeds
    assert result.exit_code == 0, result.output
    by_name = {Path(item["path"]).name: item for item in json.loads(result.stdout)}
    assert (by_name["copy of photo.jpg"]["status"], by_name["copy of photo.jpg"]["id"]) == (
        "duplicate",
        existing["id"],
    )
    assert by_name["copy of photo.jpg"]["detail"] == "same bytes as 'photo.jpg'"
    assert by_name["alpha.png"]["status"] == "ready"
    assert sorted(asset["name"] for asset in listed()) == ["alpha.png", "photo.jpg"]

    # when: duplicates allowed
    again = trove_cli(
        "upload", str(copy), "--allow-duplicates", "--wait", "--timeout", SETTLE_TIMEOUT, "--json"
    )

    # then: a new asset with the same bytes
    assert again.exit_code == 0 and outcomes(again)["copy of photo.jpg"][0] == "ready", again.output
    assert sorted(asset["name"] for asset in listed()) == ["alpha.png", "copy of photo.jpg", "photo.jpg"]
    assert len({asset["sha256"] for asset in listed() if asset["name"] != "alpha.png"}) == 1


def test_a_file_the_check_refuses_costs_the_others_nothing(logged_in, media_file):
    # given: a photo in Trove; then its copy beside an empty file and a name the API does not take
    first = media_file("photo.jpg")
    assert trove_cli("upload", str(first), "--wait", "--timeout", SETTLE_TIMEOUT).exit_code == 0
    folder = first.parent / "drop"
    folder.mkdir()
    (folder / "copy.jpg").write_bytes(first.read_bytes())
    (folder / "empty.png").write_bytes(b"")
    (folder / "bell\x07.png").write_bytes(media_file("alpha.png").read_bytes())

    # when
    result = trove_cli("upload", str(folder), "--wait", "--timeout", SETTLE_TIMEOUT, "--json")

    # then: the copy is still found; the two others fail on their own, with the API's reasons
    found = outcomes(result)
    assert result.exit_code == 1, result.output
    assert found["copy.jpg"] == ("duplicate", "same bytes as 'photo.jpg'")
    assert found["empty.png"][0] == "error" and found["bell\x07.png"][0] == "error", found
    assert [asset["name"] for asset in listed()] == ["photo.jpg"]


def test_upload_resumes_after_ctrl_c(stack_url, logged_in, config_dir, tmp_path):
    # given: a slow run (one file at a time, each followed to ready), interrupted after two files
    folder = tmp_path / "resume"
    folder.mkdir()
    for number in range(20):
        Image.new("RGB", (64, 64), (number * 10, 0, 0)).save(folder / f"{number:02}.png")
    journal = config_dir / "uploads.jsonl"
    command = [sys.executable, "-m", "trove_client.cli", "upload", str(folder), "--jobs", "1", "--wait"]
    run = subprocess.Popen(command, env=os.environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (not journal.exists() or len(journal.read_text().splitlines()) < 2):
        time.sleep(0.05)

    # when
    run.send_signal(signal.SIGINT)
    stdout, stderr = run.communicate(timeout=60)
    again = trove_cli("upload", str(folder), "--jobs", "4", "--wait", "--timeout", SETTLE_TIMEOUT, "--json")

    # then
    assert run.returncode == 130, stderr
    assert "interrupted" in stdout and "run the same command again" in stderr
    assert again.exit_code == 0, again.stderr
    statuses = [status for status, _ in outcomes(again).values()]
    assert statuses.count("skipped") >= 2 and set(statuses) == {"skipped", "ready"}
    ready = [asset["name"] for asset in listed() if asset["status"] == "ready"]
    assert sorted(ready) == [f"{number:02}.png" for number in range(20)]  # none twice


def test_upload_exits(stack_url, logged_in, tmp_path):
    # given
    notes = tmp_path / "notes.txt"
    notes.write_text("x")

    # when
    named = trove_cli("upload", str(notes))
    missing = trove_cli("upload", str(tmp_path / "missing.jpg"))
    no_jobs = trove_cli("upload", str(notes), "--jobs", "0")

    # then
    assert named.exit_code == 1 and named.stdout.startswith("unsupported")
    assert missing.exit_code == 2 and "does not exist" in missing.stderr
    assert no_jobs.exit_code == 2


# -- ls, get, rm -----------------------------------------------------------------------------------


def test_ls_filters_as_a_table_and_as_json(stack_url, logged_in):
    # given
    with_token = local_token(stack_url, logged_in)
    with Trove(stack_url, with_token) as trove:
        acme = [
            trove.create_link(f"acme {n}", f"https://example.com/{n}", client_id="acme") for n in range(3)
        ]
        trove.create_link("other", "https://example.com/other", client_id="other", tags=["x"])

    # when
    table = trove_cli("ls", "--client", "acme")
    two = trove_cli("ls", "--client", "acme", "--limit", "2", "--json")
    tagged = listed("--tag", "x")

    # then
    assert table.exit_code == 0
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["ID", "TYPE", "NAME", "STATUS", "SIZE", "UPLOADED"]
    assert [line.split()[0] for line in lines[1:]] == [asset.id for asset in reversed(acme)]
    assert [item["id"] for item in json.loads(two.stdout)] == [acme[2].id, acme[1].id]
    assert [item["name"] for item in tagged] == ["other"]


def test_get_downloads_the_bytes_and_rm_deletes(stack_url, logged_in, media_file, tmp_path):
    # given
    path = media_file("tone.mp3")
    uploaded = trove_cli("upload", str(path), "--wait", "--timeout", SETTLE_TIMEOUT, "--json")
    asset_id = json.loads(uploaded.stdout)[0]["id"]
    (tmp_path / "into").mkdir()

    # when
    named = trove_cli("get", asset_id, "-o", str(tmp_path / "copy.mp3"))
    into_folder = trove_cli("get", asset_id, "-o", str(tmp_path / "into"))
    removed = trove_cli("rm", asset_id, "8c0d6a3e-5f2b-4d7e-9a41-3b6f0e2c9d17")
    gone = trove_cli("get", asset_id, "-o", str(tmp_path / "gone.mp3"))

    # then
    assert named.exit_code == 0 and (tmp_path / "copy.mp3").read_bytes() == path.read_bytes()
    assert into_folder.stdout.strip() == str(tmp_path / "into" / "tone.mp3")
    assert (tmp_path / "into" / "tone.mp3").read_bytes() == path.read_bytes()
    assert removed.exit_code == 1 and removed.stdout == f"deleted {asset_id}\n"
    assert "404 Asset not found" in removed.stderr
    assert gone.exit_code == 1 and "Asset not found" in gone.stderr and not (tmp_path / "gone.mp3").exists()


def test_another_users_asset_is_refused_with_exit_1(stack_url, logged_in, new_user):
    # given
    with Trove(stack_url, local_token(stack_url, new_user())) as someone:
        theirs = someone.create_link("theirs", "https://example.com/t")

    # when
    result = trove_cli("rm", theirs.id)

    # then
    assert result.exit_code == 1
    assert "403 You don't have permission to delete this asset" in result.stderr


def test_no_login_and_an_unreachable_api_exit_2(tmp_path):
    # when
    no_login = trove_cli("ls")
    unreachable = trove_cli("ls", "--api", "http://127.0.0.1:9", "--token", "t")

    # then
    assert no_login.exit_code == 2 and "no token for http://127.0.0.1:8000" in no_login.stderr
    assert unreachable.exit_code == 2 and "cannot reach http://127.0.0.1:9" in unreachable.stderr
