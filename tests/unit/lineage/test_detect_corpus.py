"""Table-driven corpus: code snippets in each language and exactly the usages they must yield."""

from __future__ import annotations

from textwrap import dedent
from typing import NamedTuple

import pytest

from functions.lineage.detect import DetectedUsage, detect
from functions.lineage.uris import Mode

ASSET_ID = "0b9c6f1e-8a7d-4c1e-9a3f-2f1b2c3d4e5f"
R, W, RW, U = Mode.READ, Mode.WRITE, Mode.READ_WRITE, Mode.UNKNOWN


class Case(NamedTuple):
    name: str
    language: str
    code: str
    expected: list[tuple[str, Mode]]


PYTHON = [
    Case(
        "seed uri form",
        "python",
        "wmill.load_s3_file('s3://storage/path/to/file.csv')",
        [("s3://storage/path/to/file.csv", R)],
    ),
    Case(
        "seed scheme-less form is the same asset",
        "python",
        """
        wmill.load_s3_file('s3://storage/path/to/file.csv')
        wmill.load_s3_file('storage/path/to/file.csv')
        """,
        [("s3://storage/path/to/file.csv", R)],
    ),
    Case(
        "seed get_resource is unknown",
        "python",
        "wmill.get_resource('res://path/to/resource')",
        [("res://path/to/resource", U)],
    ),
    Case(
        "scheme-less resource path", "python", "db = get_resource('f/folder/db')", [("res://f/folder/db", U)]
    ),
    Case(
        "reader as a context manager",
        "python",
        """
        with wmill.load_s3_file_reader("s3://b/big.parquet") as reader:
            reader.read()
        """,
        [("s3://b/big.parquet", R)],
    ),
    Case(
        "write by keyword",
        "python",
        """
        from wmill import write_s3_file
        write_s3_file(s3object="s3://b/out.csv", file_content=b"a,b")
        """,
        [("s3://b/out.csv", W)],
    ),
    Case(
        "set_resource value first",
        "python",
        "wmill.set_resource({'n': 1}, 'res://f/state')",
        [("res://f/state", W)],
    ),
    Case(
        "set_resource path keyword",
        "python",
        "wmill.set_resource(path='res://f/state', value=3)",
        [("res://f/state", W)],
    ),
    Case("set_resource ignores scheme-less paths", "python", "wmill.set_resource('f/state', {'n': 1})", []),
    Case(
        "read then write is read-write",
        "python",
        """
        rows = wmill.load_s3_file("s3://b/data.csv")
        wmill.write_s3_file("s3://b/data.csv", rows + b"x")
        """,
        [("s3://b/data.csv", RW)],
    ),
    Case(
        "unknown wins over write",
        "python",
        """
        state = wmill.get_resource("res://f/state")
        wmill.set_resource(state, "res://f/state")
        """,
        [("res://f/state", U)],
    ),
    Case(
        "module constant",
        "python",
        """
        SOURCE = "s3://b/in.csv"

        def main():
            return wmill.load_s3_file(SOURCE)
        """,
        [("s3://b/in.csv", R)],
    ),
    Case(
        "f-string of function constants",
        "python",
        """
        def main():
            bucket: str = "b"
            name = f"{bucket}/daily"
            return load_s3_file(f"s3://{name}.csv")
        """,
        [("s3://b/daily.csv", R)],
    ),
    Case(
        "f-string with a parameter is skipped",
        "python",
        """
        def main(day: str):
            return wmill.load_s3_file(f"s3://b/{day}.csv")
        """,
        [],
    ),
    Case(
        "reassigned name is not followed",
        "python",
        """
        uri = "s3://b/first.csv"
        uri = "s3://b/second.csv"
        load_s3_file(uri)
        """,
        [("s3://b/first.csv", U), ("s3://b/second.csv", U)],
    ),
    Case(
        "parameter shadows a module constant",
        "python",
        """
        URI = "s3://b/default.csv"

        def main(URI):
            return load_s3_file(URI)
        """,
        [("s3://b/default.csv", U)],
    ),
    Case(
        "class attribute is not visible in a method",
        "python",
        """
        class Job:
            SOURCE = "s3://b/class.csv"

            def run(self):
                return load_s3_file(SOURCE)
        """,
        [("s3://b/class.csv", U)],
    ),
    Case(
        "S3Object dict and call",
        "python",
        """
        wmill.load_s3_file({"s3": "raw/file.csv", "storage": "archive"})
        wmill.write_s3_file(S3Object(s3="b/out.csv"), data)
        """,
        [("s3://archive/raw/file.csv", R), ("s3://b/out.csv", W)],
    ),
    Case(
        "boto3 get_object and put_object",
        "python",
        """
        s3 = boto3.client("s3")
        body = s3.get_object(Bucket="b", Key="in.json")["Body"].read()
        s3.put_object(Bucket="b", Key="out.json", Body=body)
        """,
        [("s3://b/in.json", R), ("s3://b/out.json", W)],
    ),
    Case(
        "boto3 transfers by position",
        "python",
        """
        s3.download_file("b", "in/data.csv", "/tmp/data.csv")
        s3.download_fileobj("b", "in/blob.bin", buffer)
        s3.upload_file("/tmp/report.pdf", "b", "out/report.pdf")
        s3.upload_fileobj(buffer, "b", "out/blob.bin")
        """,
        [
            ("s3://b/in/blob.bin", R),
            ("s3://b/in/data.csv", R),
            ("s3://b/out/blob.bin", W),
            ("s3://b/out/report.pdf", W),
        ],
    ),
    Case(
        "boto3 resource bucket names no bucket", "python", 'bucket.download_file("in.csv", "/tmp/in.csv")', []
    ),
    Case("boto3 dynamic key", "python", 's3.get_object(Bucket="b", Key=key)', []),
    Case(
        "open modes",
        "python",
        """
        open("s3://b/r.txt")
        open("s3://b/w.txt", "w")
        open("s3://b/a.txt", mode="a")
        open("s3://b/rw.bin", "r+b")
        fsspec.open("s3://b/x.bin", "rb")
        fsspec.open("https://example.com/data.csv")
        """,
        [
            ("https://example.com/data.csv", R),
            ("s3://b/a.txt", W),
            ("s3://b/r.txt", R),
            ("s3://b/rw.bin", RW),
            ("s3://b/w.txt", W),
            ("s3://b/x.bin", R),
        ],
    ),
    Case("open of a local file", "python", 'open("data.csv", "w").write("x")', []),
    Case("open with a dynamic mode", "python", 'open("s3://b/x.txt", mode)', [("s3://b/x.txt", U)]),
    Case(
        "bare literals: asset URIs unknown, links ignored",
        "python",
        f"""
        CONFIG = {{"source": "trove://asset/{ASSET_ID}", "docs": "https://example.com/docs"}}
        """,
        [(f"trove://asset/{ASSET_ID}", U)],
    ),
    Case("invalid trove id is no asset", "python", 'x = "trove://asset/not-a-uuid"', []),
]

SQL = [
    Case(
        "read_parquet", "sql", "SELECT * FROM read_parquet('s3://b/in.parquet')", [("s3://b/in.parquet", R)]
    ),
    Case(
        "file as a table",
        "duckdb",
        "SELECT count(*) FROM 's3://b/events.parquet' WHERE kind = 'click'",
        [("s3://b/events.parquet", R)],
    ),
    Case(
        "copy to is a write",
        "sql",
        "COPY (SELECT * FROM t) TO 's3://b/out.parquet' (FORMAT parquet)",
        [("s3://b/out.parquet", W)],
    ),
    Case("copy from is a read", "sql", "COPY staging FROM 's3://b/in.csv' (HEADER)", [("s3://b/in.csv", R)]),
    Case(
        "copy a uri table to a file",
        "sql",
        """COPY "s3://b/src" TO 's3://b/dst.csv'""",
        [("s3://b/dst.csv", W), ("s3://b/src", R)],
    ),
    Case(
        "insert target and source",
        "sql",
        """
        INSERT INTO "s3://b/table" SELECT * FROM read_csv_auto('s3://b/in.csv')
        """,
        [("s3://b/in.csv", R), ("s3://b/table", W)],
    ),
    Case(
        "update with returning is read-write",
        "sql",
        """UPDATE "s3://b/t" SET seen = true RETURNING id""",
        [("s3://b/t", RW)],
    ),
    Case(
        "delete is a write",
        "sql",
        f"""DELETE FROM "trove://asset/{ASSET_ID}" WHERE id < 10""",
        [(f"trove://asset/{ASSET_ID}", W)],
    ),
    Case(
        "create table as select",
        "sql",
        """
        CREATE TABLE "s3://b/summary" AS SELECT kind, count(*) FROM read_json('s3://b/raw.json') GROUP BY kind
        """,
        [("s3://b/raw.json", R), ("s3://b/summary", W)],
    ),
    Case(
        "with and a list of files",
        "sql",
        """
        WITH src AS (SELECT * FROM read_parquet(['s3://b/a.parquet', 's3://b/b.parquet']))
        SELECT * FROM src
        """,
        [("s3://b/a.parquet", R), ("s3://b/b.parquet", R)],
    ),
    Case(
        "statements combine",
        "sql",
        """
        SELECT * FROM 's3://b/x.parquet';
        COPY (SELECT 1 AS one) TO 's3://b/x.parquet';
        """,
        [("s3://b/x.parquet", RW)],
    ),
    Case(
        "merge target and source",
        "sql",
        """
        MERGE INTO "s3://b/target" AS t USING 's3://b/updates.parquet' AS u ON t.id = u.id
        WHEN MATCHED THEN UPDATE SET v = u.v
        """,
        [("s3://b/target", W), ("s3://b/updates.parquet", R)],
    ),
    Case(
        "string in a condition is unknown",
        "sql",
        "SELECT * FROM files WHERE uri = 'res://f/db'",
        [("res://f/db", U)],
    ),
    Case(
        "postgres insert returning",
        "postgresql",
        """
        INSERT INTO "res://f/pg_table" (a) VALUES (1) RETURNING id
        """,
        [("res://f/pg_table", RW)],
    ),
    Case(
        "raw command is tokenized",
        "sql",
        "CALL refresh('s3://b/cache.parquet')",
        [("s3://b/cache.parquet", U)],
    ),
    Case(
        "links count only where read",
        "sql",
        """
        SELECT 'https://example.com/home', * FROM read_csv('https://example.com/data.csv')
        """,
        [("https://example.com/data.csv", R)],
    ),
    Case("no assets", "sql", "SELECT 1 AS one", []),
]

SCRIPTS = [
    Case(
        "loadS3File member call",
        "typescript",
        """
        import * as wmill from "windmill-client";
        export async function main() {
          return await wmill.loadS3File("s3://b/in.csv");
        }
        """,
        [("s3://b/in.csv", R)],
    ),
    Case(
        "stream and template literal write",
        "ts",
        """
        const stream = await loadS3FileStream('s3://b/big.parquet');
        await writeS3File(`s3://b/out.parquet`, stream);
        """,
        [("s3://b/big.parquet", R), ("s3://b/out.parquet", W)],
    ),
    Case(
        "getResource with a type argument",
        "ts",
        """
        const db = await wmill.getResource<Postgresql>("res://f/db");
        const legacy = await wmill.getResource("u/me/legacy");
        """,
        [("res://f/db", U), ("res://u/me/legacy", U)],
    ),
    Case(
        "setResource path second",
        "ts",
        'await wmill.setResource({ n: 1 }, "res://f/state");',
        [("res://f/state", W)],
    ),
    Case(
        "S3Object literals",
        "ts",
        """
        await wmill.loadS3File({ s3: "raw/data.json", storage: "archive" });
        await wmill.writeS3File({ s3: "b/out.json" }, body);
        """,
        [("s3://archive/raw/data.json", R), ("s3://b/out.json", W)],
    ),
    Case(
        "const and as const",
        "ts",
        """
        const SOURCE = "s3://b/in.csv" as const;
        export async function main() { return loadS3File(SOURCE); }
        """,
        [("s3://b/in.csv", R)],
    ),
    Case(
        "const in a template hole",
        "ts",
        """
        const BUCKET = "b";
        await loadS3File(`s3://${BUCKET}/in.csv`);
        """,
        [("s3://b/in.csv", R)],
    ),
    Case(
        "parameter shadows a const",
        "ts",
        """
        const P = "s3://b/default.csv";
        export async function main(P: string) { return loadS3File(P); }
        """,
        [("s3://b/default.csv", U)],
    ),
    Case(
        "dynamic template is skipped",
        "ts",
        "export const main = (day: string) => loadS3File(`s3://b/${day}.csv`);",
        [],
    ),
    Case(
        "read then write is read-write",
        "ts",
        """
        const text = await loadS3File("s3://b/notes.txt");
        await writeS3File("s3://b/notes.txt", text + "!");
        """,
        [("s3://b/notes.txt", RW)],
    ),
    Case(
        "bare literal unknown, link ignored",
        "ts",
        f"""
        const config = {{ output: "trove://asset/{ASSET_ID}", docs: "https://example.com" }};
        """,
        [(f"trove://asset/{ASSET_ID}", U)],
    ),
    Case(
        "link through the SDK",
        "ts",
        'await getResource("https://example.com/spec.json");',
        [("https://example.com/spec.json", U)],
    ),
    Case(
        "require and plain call in javascript",
        "javascript",
        """
        const wmill = require("windmill-client");
        wmill.loadS3File('s3://b/in.csv').then(console.log);
        """,
        [("s3://b/in.csv", R)],
    ),
    Case("optional chaining", "js", 'client?.writeS3File("s3://b/out.bin", bytes);', [("s3://b/out.bin", W)]),
    Case("escaped string is not followed", "js", "loadS3File('s3://b/it\\'s.csv');", []),
    Case("spread hides the position", "js", 'loadS3File(...args, "s3://b/x.csv");', [("s3://b/x.csv", U)]),
    Case("jsx attribute", "jsx", 'const img = <img data-src="s3://b/logo.png" />;', [("s3://b/logo.png", U)]),
    Case(
        "tsx call in an expression",
        "tsx",
        """
        const App = () => <Preview data={loadS3File("s3://b/logo.png")} />;
        """,
        [("s3://b/logo.png", R)],
    ),
]

CORPUS = PYTHON + SQL + SCRIPTS


@pytest.mark.parametrize("case", CORPUS, ids=[f"{case.language}: {case.name}" for case in CORPUS])
def test_detects_exactly_the_expected_usages(case: Case) -> None:
    # given
    code = dedent(case.code).strip()

    # when
    usages = detect(code, case.language)

    # then
    assert usages == [DetectedUsage(uri, mode) for uri, mode in case.expected]


def test_corpus_covers_every_language_family() -> None:
    # given
    families = {"python": PYTHON, "sql": SQL, "scripts": SCRIPTS}

    # when
    sizes = {family: len(cases) for family, cases in families.items()}

    # then
    assert len(CORPUS) >= 45
    assert all(size >= 10 for size in sizes.values()), sizes
    assert {"typescript", "ts", "tsx"} & {case.language for case in SCRIPTS}
    assert {"javascript", "js", "jsx"} & {case.language for case in SCRIPTS}
