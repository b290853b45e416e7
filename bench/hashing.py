"""What the processor's SHA-256 costs (functions/processor/hashing.py), for the largest upload allowed.

    python -m bench.hashing [--megabytes 50] [--runs 5]      # step `hashing` of `make bench`

A video of the upload limit (50 MB; SHA-256 costs the same whatever the bytes are, so they are random)
is put in moto's S3 server (its own process, on loopback), once with the SHA-256 checksum a client declares (S3 keeps it:
the processor reads it back) and once without (the processor reads the whole object by ranged GETs).
`object_sha256` is timed (wall and CPU, medians of `--runs`), its GETs and bytes counted; hashlib over
the bytes already in memory is the floor. Loopback has no network latency and moto serves each range
from its spool file, so the wall time of the streamed read is a lower bound of S3's.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager

import boto3

from functions.core.storage import checksum_of_hex
from functions.processor.hashing import RANGE_BYTES, object_sha256

BUCKET = "bench-hashing"
MB = 1024 * 1024


def _timed(call, runs: int) -> tuple[float, float, object]:
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        result = call()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), result


@contextmanager
def moto_server():
    """moto's server in a process of its own, so this process's CPU time is the processor's alone."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(300):
            with socket.socket() as attempt:
                if attempt.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


def measure(megabytes: int, runs: int) -> dict:
    data = os.urandom(megabytes * MB)
    sha256 = hashlib.sha256(data).hexdigest()
    with moto_server() as endpoint:
        s3 = boto3.client(
            "s3",
            region_name="us-east-1",
            endpoint_url=endpoint,
            aws_access_key_id="bench",
            aws_secret_access_key="bench",
        )
        s3.create_bucket(Bucket=BUCKET)
        plain = s3.put_object(Bucket=BUCKET, Key="plain", Body=data)
        checked = s3.put_object(
            Bucket=BUCKET,
            Key="checked",
            Body=data,
            ChecksumAlgorithm="SHA256",
            ChecksumSHA256=checksum_of_hex(sha256),
        )
        figures = {"megabytes": megabytes, "range_bytes": RANGE_BYTES, "runs": runs}
        for name, key, etag, declared in (
            ("client_declared", "checked", checked["ETag"], sha256),
            ("computed", "plain", plain["ETag"], None),
        ):
            wall, cpu, result = _timed(
                lambda key=key, etag=etag, declared=declared: object_sha256(
                    s3, BUCKET, key, size=len(data), etag=etag, declared=declared
                ),
                runs,
            )
            assert result.sha256 == sha256
            figures[name] = {
                "wall_ms": round(wall * 1000, 1),
                "cpu_ms": round(cpu * 1000, 1),
                "gets": result.gets,
                "bytes_read": result.bytes_read,
                "from_checksum": result.from_checksum,
            }
        wall, cpu, _ = _timed(lambda: hashlib.sha256(data).hexdigest(), runs)
        figures["hashlib_in_memory"] = {"wall_ms": round(wall * 1000, 1), "cpu_ms": round(cpu * 1000, 1)}
        return figures


def run() -> dict:
    """What `make bench` records (bench/__main__.py)."""
    return {**measure(50, 7), "date": time.strftime("%Y-%m-%d"), "load_average": list(os.getloadavg())}


def markdown(result: dict | None) -> list[str]:
    """The section of docs/performance.md (bench/report.py)."""
    out = ["## SHA-256 of an upload", ""]
    if not result:
        return [*out, "Not measured in this run.", ""]
    declared, computed, floor = result["client_declared"], result["computed"], result["hashlib_in_memory"]
    megabytes, ranges = result["megabytes"], result["range_bytes"] // MB
    return [
        *out,
        (
            f"`python -m bench.hashing` (step `hashing` of `make bench`; {result['runs']} runs, medians; load "
            f"average {result['load_average'][0]:.0f} on the 2 cores, so wall times carry queueing): what the "
            f"processor's hash step (`functions/processor/hashing.py`) costs for a {megabytes} MB video, the largest "
            "upload allowed, against moto's S3 server in a process of its own on loopback. CPU is the processor's "
            "process alone."
        ),
        "",
        "| The client sent | S3 calls | Read from S3 | Wall ms | CPU ms |",
        "| --- | --- | ---: | ---: | ---: |",
        (
            "| its SHA-256 (`x-amz-checksum-sha256`, kept by S3) | 1 HEAD (`ChecksumMode: ENABLED`) "
            f"| {declared['bytes_read']} | {declared['wall_ms']} | {declared['cpu_ms']} |"
        ),
        (
            f"| none | 1 HEAD, {computed['gets']} ranged GETs of {ranges} MiB (pinned to the ETag) "
            f"| {computed['bytes_read'] / MB:.0f} MiB (100%) | {computed['wall_ms']} | {computed['cpu_ms']} |"
        ),
        f"| (floor: hashlib over the {megabytes} MiB in memory) | | | {floor['wall_ms']} | {floor['cpu_ms']} |",
        "",
        (
            "Without a client hash the processor reads the whole video once more: the inspection itself reads "
            "7% of a 40 MB MP4 (2.9 MB in 6 GETs, [above](#processor-per-type)); the hash adds the rest, "
            f"{computed['gets']} more GETs (one per {ranges} MiB) and {computed['cpu_ms']:.0f} ms of CPU (SHA-256 "
            f"itself is {floor['cpu_ms']:.0f} ms of it, the rest is botocore receiving the bytes). Memory stays "
            "bounded: the body is hashed 1 MiB at a time, whatever the range. In AWS the wall time of the "
            f"computed hash is the transfer of {megabytes} MB from S3 to the function, which loopback cannot show "
            "(moto's figure is a lower bound). With the page's hash (Web Crypto, sent with every upload) or the "
            "multipart route's (computed from the bytes it receives), the step is one HEAD and no bytes, "
            "whatever the size."
        ),
        "",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5)
    arguments = parser.parse_args()
    print(json.dumps(measure(arguments.megabytes, arguments.runs), indent=2))


if __name__ == "__main__":
    main()
