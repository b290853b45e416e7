"""`trove`: Trove from the command line, on the SDK.

    trove login --user alice                      # a dev token from the local stack (make dev)
    trove upload ./campaign --campaign spring --jobs 8 --wait
    trove ls --campaign spring --type video --json
    trove get ID -o clip.mp4
    trove rm ID…
    trove scan ./scripts

Exit status, for scripts: 0 everything done; 1 something failed (a file rejected, failed or refused, an
asset that could not be fetched or deleted, a scan error); 2 the command could not run (a usage error,
no login, the API unreachable); 130 interrupted by Ctrl-C.
"""

from __future__ import annotations

import itertools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

try:
    import click
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn
    from rich.table import Table
    from rich.text import Text
except ImportError as missing:  # the SDK alone does not need them
    sys.exit(
        f"trove: the command line needs the cli extra: pip install 'trove-client[cli]' ({missing.name} is missing)"
    )

from trove_client import credentials
from trove_client.client import Trove
from trove_client.errors import ApiError, TroveConnectionError, TroveError
from trove_client.scanning import print_table, scan_folder
from trove_client.uploading import FAILED, Journal, Uploader, collect

DEFAULT_API: Final = "http://127.0.0.1:8000"  # the local stack (`make dev`)
OK, FAILURE, CANNOT_RUN, INTERRUPTED = 0, 1, 2, 130
ASSET_TYPES: Final = ("image", "video", "audio", "document", "link")


class TroveGroup(click.Group):
    """Turns the SDK's errors into a message and the documented exit status."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except TroveConnectionError as error:
            click.echo(f"trove: {error}", err=True)
            ctx.exit(CANNOT_RUN)
        except (TroveError, OSError) as error:  # OSError: a file that cannot be written or read here
            click.echo(f"trove: {error}", err=True)
            ctx.exit(FAILURE)
        except KeyboardInterrupt:
            click.echo("trove: interrupted", err=True)
            ctx.exit(INTERRUPTED)


@click.group(cls=TroveGroup, context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Trove's command line: upload, list, fetch and delete assets; register scripts' asset usages."""


def connection(command: Callable) -> Callable:
    """--api and --token on a command (they default to TROVE_API_URL / TROVE_TOKEN, then to `trove login`)."""
    command = click.option(
        "--token", envvar="TROVE_TOKEN", help="A bearer token (env TROVE_TOKEN; default: trove login's)."
    )(command)
    command = click.option("--api", envvar="TROVE_API_URL", help=f"The API's URL (env TROVE_API_URL; default: trove login's, else {DEFAULT_API}).")(command)  # fmt: skip
    return click.pass_context(command)


def open_trove(ctx: click.Context, api: str | None, token: str | None) -> Trove:
    login = credentials.load()
    api = (api or (login.api if login else DEFAULT_API)).rstrip("/")
    if token:
        provider: str | Callable[[], str] = token
    elif login and login.api.rstrip("/") == api:
        provider = lambda: credentials.fresh_token(login)
    else:
        raise click.UsageError(f"no token for {api}: run `trove login`, pass --token or set TROVE_TOKEN")
    return Trove(api, provider, transport=(ctx.obj or {}).get("transport"))


def stdout_console() -> Console:
    console = Console()
    return console if console.is_terminal else Console(width=200)  # a pipe: keep ids whole


def bytes_progress(console: Console) -> Progress:
    return Progress(
        TextColumn("{task.description}", markup=False), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
        console=console,
    )  # fmt: skip


# -- login -----------------------------------------------------------------------------------------


@cli.command()
@click.option(
    "--api", envvar="TROVE_API_URL", default=DEFAULT_API, show_default=True, help="env TROVE_API_URL"
)
@click.option("--user", required=True, help="The user name (on the local stack, any name is a user).")
@click.option(
    "--cognito-client-id", envvar="TROVE_COGNITO_CLIENT_ID", help="A deployed stack's user pool client."
)
@click.option("--region", envvar="AWS_REGION", help="The user pool's region (Cognito only).")
@click.option("--password", envvar="TROVE_PASSWORD", help="Cognito only; asked for when not given.")
def login(
    api: str, user: str, cognito_client_id: str | None, region: str | None, password: str | None
) -> None:
    """Log in and keep the token (0600) in the user's config folder; it is refreshed when it expires."""
    if cognito_client_id:
        if not region:
            raise click.UsageError("--region (or AWS_REGION) is needed with --cognito-client-id")
        password = password or click.prompt("Password", hide_input=True)
        made = credentials.login_cognito(api, user, password, cognito_client_id, region)
    else:
        made = credentials.login_local(api, user)
    click.echo(f"logged in to {made.api} as {made.user} ({made.method}); kept in {credentials.login_file()}")


@cli.command()
def logout() -> None:
    """Forget the kept token."""
    credentials.login_file().unlink(missing_ok=True)
    click.echo("logged out")


# -- assets ----------------------------------------------------------------------------------------


def link_options(command: Callable) -> Callable:
    for flag, help_text in (
        ("--task", "A task (todo) id."), ("--project", "A project id."),
        ("--campaign", "A campaign id."), ("--client", "A client id."),
    ):  # fmt: skip
        command = click.option(flag, help=help_text)(command)
    return command


@cli.command()
@connection
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@link_options
@click.option("--tag", "tags", multiple=True, help="A tag (repeat for more).")
@click.option("--description", help="The same description for every file.")
@click.option(
    "--jobs", "-j", type=click.IntRange(1, 32), default=4, show_default=True, help="Files sent at once."
)
@click.option("--wait", is_flag=True, help="Follow each file's processing to ready or rejected.")
@click.option(
    "--timeout",
    type=click.FloatRange(0),
    default=300,
    show_default=True,
    help="Seconds --wait waits per file.",
)
@click.option("--again", is_flag=True, help="Send files already uploaded by an earlier run too.")
@click.option(
    "--allow-duplicates",
    is_flag=True,
    help="Send files whose bytes you have in Trove already, as new assets.",
)
@click.option("--json", "as_json", is_flag=True, help="The outcomes as JSON on stdout.")
def upload(ctx: click.Context, paths: tuple[Path, ...], api: str | None, token: str | None, client: str | None,
           campaign: str | None, project: str | None, task: str | None, tags: tuple[str, ...],
           description: str | None, jobs: int, wait: bool, timeout: float, again: bool, allow_duplicates: bool,
           as_json: bool) -> None:  # fmt: skip
    """Upload files and folders (walked; other types reported and skipped). Run again after Ctrl-C or a
    failure to send only what was not uploaded yet. A file whose bytes you have already (a ready asset) is
    reported as a duplicate and not sent, unless --allow-duplicates."""
    files, refused = collect(paths)
    trove = open_trove(ctx, api, token)
    fields = {"client_id": client, "campaign_id": campaign, "project_id": project, "todo_id": task,
              "tags": list(tags) or None, "description": description}  # fmt: skip
    journal = Journal(
        credentials.config_dir() / "uploads.jsonl", trove.base_url, credentials.token_owner(trove.token())
    )
    if again:
        journal.known.clear()
    uploader = Uploader(
        trove, journal, Console(stderr=True), fields=fields, wait=wait, timeout=timeout,
        allow_duplicates=allow_duplicates,
    )  # fmt: skip
    outcomes, interrupted = uploader.run(files, jobs)
    order = {path: number for number, path in enumerate([*files, *(outcome.path for outcome in refused)])}
    outcomes = sorted([*outcomes, *refused], key=lambda outcome: order[outcome.path])
    if as_json:
        click.echo(json.dumps([outcome.as_json() for outcome in outcomes], indent=2))
    else:
        for outcome in outcomes:
            click.echo(
                f"{outcome.status:<11}  {outcome.asset_id or '-':<36}  {outcome.path}  {outcome.detail or ''}".rstrip()
            )
    counts = {
        status: sum(outcome.status == status for outcome in outcomes)
        for status in dict.fromkeys(o.status for o in outcomes)
    }
    click.echo(
        f"{len(outcomes)} file(s): " + ", ".join(f"{count} {status}" for status, count in counts.items()),
        err=True,
    )
    if interrupted:
        click.echo("trove: interrupted; run the same command again to send the rest "
                   "(an upload cut short stays pending until the service expires it)", err=True)  # fmt: skip
        ctx.exit(INTERRUPTED)
    ctx.exit(FAILURE if any(outcome.status in FAILED for outcome in outcomes) else OK)


@cli.command("ls")
@connection
@link_options
@click.option("--type", "asset_type", type=click.Choice(ASSET_TYPES[:-1]), help="Only this type.")
@click.option("--tag", help="Only assets with this tag.")
@click.option(
    "--limit", type=click.IntRange(0), default=50, show_default=True, help="At most this many (0: all)."
)
@click.option("--json", "as_json", is_flag=True, help="The assets as the API's JSON, for scripts.")
def list_assets(ctx: click.Context, api: str | None, token: str | None, client: str | None, campaign: str | None,
                project: str | None, task: str | None, asset_type: str | None, tag: str | None, limit: int,
                as_json: bool) -> None:  # fmt: skip
    """List your assets, newest first, with the API's filters."""
    trove = open_trove(ctx, api, token)
    filters = {"client_id": client, "campaign_id": campaign, "project_id": project, "todo_id": task,
               "asset_type": asset_type, "tag": tag}  # fmt: skip
    assets = list(
        itertools.islice(trove.iter_assets(page_size=min(limit or 100, 100), **filters), limit or None)
    )
    if as_json:
        click.echo(json.dumps([asset.raw for asset in assets], indent=2))
        return
    table = Table("ID", "TYPE", "NAME", "STATUS", "SIZE", "UPLOADED", box=None)
    for asset in assets:
        status = asset.status if not asset.status_reason else f"{asset.status}: {asset.status_reason}"
        size = "-" if asset.size is None else f"{asset.size:,}"
        cells = (asset.id, asset.type, asset.name, status, size, asset.uploaded_at.strftime("%Y-%m-%d %H:%M"))
        table.add_row(*(Text(cell) for cell in cells))  # a name is text, never rich markup ("[/x]")
    stdout_console().print(table)


@cli.command()
@connection
@click.argument("asset_id")
@click.option(
    "-o", "--output", type=click.Path(path_type=Path), help="A file, or a folder for the asset's own name."
)
@click.option("--thumbnail", is_flag=True, help="The thumbnail (JPEG) instead of the file.")
def get(ctx: click.Context, api: str | None, token: str | None, asset_id: str, output: Path | None,
        thumbnail: bool) -> None:  # fmt: skip
    """Download an asset's file (written whole or not at all)."""
    trove = open_trove(ctx, api, token)
    destination = output
    if destination is None or destination.is_dir():
        # The asset's own name, as a plain file name here: no folders, no leading dot (.bashrc) …
        name = f"{asset_id}.thumbnail.jpg" if thumbnail else Path(trove.get(asset_id).name).name.lstrip(".")
        destination = (destination or Path.cwd()) / (name or asset_id)
        if destination.exists() or destination.is_symlink():  # … and never over a file already there
            raise click.ClickException(f"{destination} already exists: name the file to replace with -o")
    with bytes_progress(Console(stderr=True)) as progress:
        task = progress.add_task(destination.name, total=None)
        trove.download(asset_id, destination, thumbnail=thumbnail,
                       progress=lambda done, total: progress.update(task, completed=done, total=total or None))  # fmt: skip
    click.echo(str(destination))


@cli.command()
@connection
@click.argument("asset_ids", nargs=-1, required=True)
@click.option("--force", is_flag=True, help="Delete assets that scripts or flows still use.")
def rm(
    ctx: click.Context, api: str | None, token: str | None, asset_ids: tuple[str, ...], force: bool
) -> None:
    """Delete assets (each with its file and thumbnail)."""
    trove = open_trove(ctx, api, token)
    failed = False
    for asset_id in asset_ids:
        try:
            trove.delete(asset_id, force=force)
            click.echo(f"deleted {asset_id}")
        except ApiError as error:
            click.echo(f"trove: {asset_id}: {error.status} {error.detail}", err=True)
            failed = True
    ctx.exit(FAILURE if failed else OK)


# -- lineage ---------------------------------------------------------------------------------------


@cli.command()
@connection
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
def scan(ctx: click.Context, api: str | None, token: str | None, path: Path) -> None:
    """Register the asset usages of a folder of scripts (.py, .sql, .ts, .js) and print what was found."""
    rows = scan_folder(path, open_trove(ctx, api, token))
    print_table(rows, sys.stdout)
    ctx.exit(FAILURE if any(row.mode == "error" for row in rows) else OK)


def main() -> None:
    cli(prog_name="trove")


if __name__ == "__main__":
    main()
