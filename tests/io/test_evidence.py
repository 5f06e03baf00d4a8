"""Evidence intake (issue 13): the fingerprint at intake, tampering, and what is refused."""

from __future__ import annotations

import hashlib
import os
import stat

import pytest

from planner import PlannerError
from planner.io import evidence as ev


def test_the_hash_at_intake_is_the_files_and_the_copy_matches(tmp_path):
    data = os.urandom(3 * 1024 * 1024 + 17)  # more than one read chunk
    src = tmp_path / "通话录音 0105.M4A"
    src.write_bytes(data)
    e = ev.store_evidence(src, tmp_path / "book-evidence")
    assert (e.file, e.sha256, e.size) == ("通话录音 0105.M4A", hashlib.sha256(data).hexdigest(), len(data))
    stored = ev.stored_path(e, tmp_path / "book-evidence")
    assert stored.name == e.sha256 + ".m4a" and stored.read_bytes() == data
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "book-evidence").stat().st_mode) == 0o700
    assert ev.verify(e, tmp_path / "book-evidence") and ev.same_file(src, e)


def test_an_altered_copy_is_detected(tmp_path):
    src = tmp_path / "shot.png"
    src.write_bytes(b"\x89PNG screenshot of a threat")
    e = ev.store_evidence(src, tmp_path / "ev")
    copy = tmp_path / "copy.png"
    copy.write_bytes(b"\x89PNG screenshot of a threaT")
    assert not ev.same_file(copy, e)
    ev.stored_path(e, tmp_path / "ev").write_bytes(b"changed")
    assert not ev.verify(e, tmp_path / "ev")


@pytest.mark.parametrize("make", ["missing", "folder", "device", "fifo", "too_large"])
def test_bad_evidence_is_refused_and_nothing_is_written(tmp_path, make):
    target = tmp_path / "ev"
    src = tmp_path / "x.mp3"
    if make == "folder":
        src.mkdir()
    elif make == "device":
        src = "/dev/zero"  # a character device: would never end
    elif make == "fifo":
        os.mkfifo(src)
    elif make == "too_large":
        src.write_bytes(b"x" * 2048)
    with pytest.raises(PlannerError) as info:
        ev.store_evidence(src, target, limit=1024)
    assert " / evidence file" in str(info.value)
    assert not target.exists() or list(target.iterdir()) == []


def test_a_failed_write_leaves_nothing_half_written(tmp_path, monkeypatch):
    src = tmp_path / "a.pdf"
    src.write_bytes(b"%PDF-1.7 letter")

    def broken(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ev.os, "replace", broken)
    with pytest.raises(PlannerError, match="Nothing was written"):
        ev.store_evidence(src, tmp_path / "ev")
    assert list((tmp_path / "ev").iterdir()) == []
