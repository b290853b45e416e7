"""Inspection within a budget the operating system enforces: a file that costs too much CPU, memory or
time ends `TooCostly` (a Rejected) and the worker that spent it is replaced; the caller's deadline ends
in OutOfTime (retried, not rejected); a failed read stays the caller's error."""

from __future__ import annotations

import time

import pytest
from botocore.exceptions import ClientError

from functions.core.media import AssetType
from functions.core.topology import INSPECTION_BUDGETS, InspectionBudget
from functions.processor.inspect import (
    Broken,
    OutOfTime,
    RangedObjectReader,
    Rejected,
    TooCostly,
    examine,
    examine_within_budget,
)
from functions.processor.inspect import budget as budget_module
from functions.processor.inspect.image import MAX_JPEG_SCANS
from tests.media import bombs
from tests.media.generate import encode, jpeg, jpeg_scans, picture
from tests.unit.processor.conftest import BytesClient

GENEROUS = InspectionBudget(cpu_seconds=120, memory_mb=2048, wall_seconds=120)


@pytest.fixture(scope="module")
def costly_png() -> bytes:
    """Within every decoder limit, but seconds of CPU to decode: 100 MP of 16-bit RGBA."""
    return bombs.png_rgba16_zeros()


def workers_alive() -> int:
    return sum(worker.alive() for worker in budget_module._pool._idle)


def test_a_file_within_budget_is_examined_in_the_worker_and_the_worker_is_kept():
    # given
    photo = jpeg(640, 480)

    # when
    media, inspection = examine_within_budget(photo, AssetType.IMAGE, "jpg")
    again = examine_within_budget(photo, AssetType.IMAGE, "jpg")

    # then
    assert (media.format, inspection.width, inspection.height) == ("jpg", 640, 480)
    assert again[1] == inspection
    assert workers_alive() >= 1


def test_the_worker_answers_what_examining_in_process_answers():
    # given: a file the sniffing refuses
    pdf_as_png = encode(picture(32, 32), "PDF")

    # when
    with pytest.raises(Exception) as in_process:
        examine(pdf_as_png, AssetType.IMAGE, "png")
    with pytest.raises(Exception) as in_worker:
        examine_within_budget(pdf_as_png, AssetType.IMAGE, "png")

    # then
    assert (type(in_worker.value), str(in_worker.value)) == (type(in_process.value), str(in_process.value))


def test_a_jpeg_with_more_scans_than_encoders_write_is_refused_before_decoding():
    # given: 400 copies of a refinement scan of a 100 MP picture cost 30 s of CPU to decode
    bomb = jpeg_scans(10_000, 400)

    # when
    with pytest.raises(TooCostly) as refused:
        examine(bomb, AssetType.IMAGE, "jpg")

    # then
    assert str(refused.value) == f"Too costly to process: the JPEG has more than {MAX_JPEG_SCANS} scans (encoders write about ten)"


@pytest.mark.parametrize(
    ("bomb", "fmt", "reason"),
    [
        (bombs.jpeg_scans_under_cap, "jpg", "Too costly to process: 99 progressive scans over 10000×10000 pixels"),
        (bombs.jpeg_color_coefficients, "jpg", "Too costly to process: this progressive JPEG needs 572 MB to decode (at most 400)"),
        (lambda: bombs.webp_huge_canvas(5000), "webp", "Too many pixels to process: 5000×5000 is over the 24 megapixel limit"),
    ],
    ids=["jpeg-scans-times-pixels", "jpeg-coefficients", "webp-canvas"],
)
def test_decoder_limits_refuse_what_the_headers_say_is_too_costly(bomb, fmt, reason):
    # when
    with pytest.raises(Rejected) as refused:
        examine(bomb(), AssetType.IMAGE, fmt)

    # then
    assert str(refused.value) == reason


def test_an_mp3_claiming_more_audio_than_its_bytes_can_hold_is_broken():
    # given: 40 frames whose Xing table claims 4,294,967,295
    lying = bombs.mp3_xing_absurd_frames()

    # when
    with pytest.raises(Broken) as broken:
        examine(lying, AssetType.AUDIO, "mp3")

    # then
    assert "more than its" in str(broken.value) and "bytes can hold" in str(broken.value)


def test_a_legitimate_progressive_photo_passes_the_decoder_limits():
    # given: 24 MP, progressive, as cameras and web encoders write it
    photo = encode(picture(6000, 4000), "JPEG", progressive=True)

    # when
    _, inspection = examine(photo, AssetType.IMAGE, "jpg")

    # then
    assert (inspection.width, inspection.height) == (6000, 4000)


def test_a_file_over_its_cpu_budget_is_too_costly_and_the_next_file_gets_a_fresh_worker(costly_png):
    # given
    tight = InspectionBudget(cpu_seconds=1, memory_mb=2048, wall_seconds=120)

    # when
    with pytest.raises(TooCostly) as refused:
        examine_within_budget(costly_png, AssetType.IMAGE, "png", budget=tight)
    media, inspection = examine_within_budget(jpeg(64, 48), AssetType.IMAGE, "jpg")

    # then
    assert str(refused.value) == "Too costly to process: more than 1 s of CPU"
    assert (media.format, inspection.width) == ("jpg", 64)


def test_the_same_file_passes_with_the_budget_for_images(costly_png):
    # when
    _, inspection = examine_within_budget(costly_png, AssetType.IMAGE, "png", budget=GENEROUS)

    # then
    assert (inspection.width, inspection.height) == (10_000, 10_000)


def test_a_file_over_its_memory_budget_is_too_costly():
    # given: 4000×4000 RGBA is 64 MB decoded
    big = encode(picture(4000, 4000, mode="RGBA"), "PNG")
    small_memory = InspectionBudget(cpu_seconds=60, memory_mb=32, wall_seconds=60)

    # when
    with pytest.raises(TooCostly) as refused:
        examine_within_budget(big, AssetType.IMAGE, "png", budget=small_memory)

    # then
    assert str(refused.value).startswith("Too costly to process: ")
    assert "32 MB of memory" in str(refused.value)


def test_a_file_over_its_wall_clock_budget_is_too_costly(costly_png):
    # given
    short = InspectionBudget(cpu_seconds=120, memory_mb=2048, wall_seconds=1)

    # when
    with pytest.raises(TooCostly) as refused:
        examine_within_budget(costly_png, AssetType.IMAGE, "png", budget=short)

    # then
    assert str(refused.value) == "Too costly to process: more than 1 s to check"


def test_the_callers_deadline_is_out_of_time_not_a_rejection(costly_png):
    # when
    with pytest.raises(OutOfTime):
        examine_within_budget(
            costly_png, AssetType.IMAGE, "png", budget=GENEROUS, deadline=time.monotonic() + 0.5
        )


def test_a_failed_read_is_the_callers_error_and_the_worker_is_not_reused():
    # given: S3 refuses the GET
    photo = jpeg(2000, 1500)
    error = ClientError({"Error": {"Code": "SlowDown", "Message": "Reduce your request rate"}}, "GetObject")
    reader = RangedObjectReader(BytesClient(photo, fail_on_call=1, error=error), "bucket", "key", len(photo), block_size=4096)

    # when
    with pytest.raises(ClientError) as raised:
        examine_within_budget(reader, AssetType.IMAGE, "jpg")

    # then
    assert raised.value is error
    assert all(worker.alive() for worker in budget_module._pool._idle)


def test_concurrent_callers_each_get_a_worker_of_their_own():
    # given: a caller holding a worker, as while it examines a file
    pool = budget_module._pool
    held = pool.take()

    # when: another caller takes one
    other = pool.take()

    # then: a different process, so neither waits for the other
    assert held.process.pid != other.process.pid
    pool.give_back(held)
    pool.give_back(other)


def test_every_type_has_a_budget():
    assert set(INSPECTION_BUDGETS) == {asset_type.value for asset_type in AssetType if asset_type != AssetType.LINK}
