"""Arrays shared with worker processes through :mod:`multiprocessing.shared_memory`.

The parent copies a book's arrays (and one output array per total) into named shared-memory
segments; each worker attaches to them by name when it starts
(:func:`attach_book`, :func:`attach_arrays`), whatever the start method (fork, spawn or
forkserver): nothing depends on module globals inherited across ``fork``. The segments are
made and unlinked by the parent only (:class:`Segments`, a context manager: unlinked also
when a worker fails or dies).
"""

from __future__ import annotations

import dataclasses
import os
from multiprocessing import shared_memory

import numpy as np

#: Names of the planner's segments start with this (``/dev/shm/planner-…`` on Linux).
PREFIX = "planner-"


@dataclasses.dataclass(frozen=True)
class Spec:
    """How to find arrays in a segment: its name and, per key, ``(dtype, shape, offset)``."""

    segment: str
    layout: dict


class Segments:
    """The shared-memory segments of one run: made by :meth:`share`, all unlinked at :meth:`close`
    (or at the end of a ``with`` block, whatever happened inside it)."""

    def __init__(self) -> None:
        self._made: list[shared_memory.SharedMemory] = []

    def share(self, arrays: dict[str, np.ndarray]) -> tuple[Spec, dict[str, np.ndarray]]:
        """Copy ``arrays`` into one new segment; its :class:`Spec` and the arrays as views over it."""
        layout, size = {}, 0
        for key, array in arrays.items():
            array = np.asarray(array)
            layout[key] = (array.dtype.str, array.shape, size)
            size += -(-array.nbytes // 8) * 8  # each array starts on an 8-byte boundary
        block = shared_memory.SharedMemory(name=f"{PREFIX}{os.getpid()}-{os.urandom(6).hex()}", create=True, size=max(size, 1))
        self._made.append(block)
        views = _views(block, layout)
        for key, array in arrays.items():
            _copy_nonzero(np.asarray(array), views[key])
        return Spec(block.name, layout), views

    def empty(self, shapes: dict[str, tuple[np.dtype, int]]) -> tuple[Spec, dict[str, np.ndarray]]:
        """A new segment of zeroed arrays (``key: (dtype, length)``) for the workers to fill."""
        return self.share({k: np.zeros(n, dtype=dtype) for k, (dtype, n) in shapes.items()})

    def release(self, spec: Spec) -> None:
        """Unmap and unlink one segment now (its views must be gone), e.g. a strategy's totals once copied out."""
        for block in [b for b in self._made if b.name == spec.segment]:
            self._made.remove(block)
            _drop(block)

    def close(self) -> None:
        """Unmap and unlink every segment made here (each at most once)."""
        while self._made:
            _drop(self._made.pop())

    def __enter__(self) -> Segments:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _drop(block: shared_memory.SharedMemory) -> None:
    """Unlink (first: the name goes whatever happens next) and unmap a segment."""
    try:
        block.unlink()  # first: the name goes whatever happens next
    except FileNotFoundError:
        pass
    try:
        block.close()
    except BufferError:  # a view is still in use: keep the mapping until the process ends
        _lingering.append(block)


#: Elements per block of :func:`_copy_nonzero` (1 MB of int64).
_BLOCK = 1 << 17


def _copy_nonzero(source: np.ndarray, target: np.ndarray) -> None:
    """Copy ``source`` into a new segment's ``target`` (zero-filled): only blocks with a value other
    than zero, so the all-zero columns of a book (no deferral, no settlement, no fees) cost no memory
    and no copying, as their ``np.zeros`` pages cost none in the book itself."""
    flat_source, flat_target = source.reshape(-1), target.reshape(-1)
    for lo in range(0, flat_source.size, _BLOCK):
        block = flat_source[lo:lo + _BLOCK]
        if block.any():
            flat_target[lo:lo + _BLOCK] = block


def _views(block: shared_memory.SharedMemory, layout: dict) -> dict[str, np.ndarray]:
    return {
        key: np.ndarray(shape, dtype=np.dtype(dtype), buffer=block.buf, offset=offset)
        for key, (dtype, shape, offset) in layout.items()
    }


#: Segments unlinked while a view of them was still in use (their mapping lives on, nameless).
_lingering: list[shared_memory.SharedMemory] = []

#: Segments this worker process attached to (kept open while the views are in use).
_attached: list[shared_memory.SharedMemory] = []


def attach_arrays(spec: Spec) -> dict[str, np.ndarray]:
    """In a worker: the arrays of ``spec`` as views over the parent's segment (writes are seen by the parent).

    The segment belongs to the parent, which unlinks it. Python 3.13+ attaches untracked; before,
    attaching registers the name again with the resource tracker, which every start method shares
    with the parent on POSIX, so the parent's unlink still clears it (and nothing is unlinked twice).
    """
    try:
        block = shared_memory.SharedMemory(name=spec.segment, track=False)  # Python 3.13+
    except TypeError:
        block = shared_memory.SharedMemory(name=spec.segment)
    _attached.append(block)
    return _views(block, spec.layout)


# ---------------------------------------------------------------------------
# a book in shared memory


def share_book(book, segments: Segments) -> tuple:
    """``book`` for the workers: its numpy arrays copied into one segment, the rest (names, rates,
    portfolios with changing terms, the per-book cache of small tables) carried as is.

    Returns what :func:`attach_book` rebuilds the book from (small: pickled once per worker).
    """
    arrays, rest = {}, {}
    for f in dataclasses.fields(book):
        value = getattr(book, f.name)
        if f.name == "cache":
            rest[f.name] = {k: v for k, v in value.items() if _small_tables(v)}
        elif _shareable(value):
            arrays[f.name] = value
        elif f.name == "detail" and value is not None:
            rest[f.name] = {k: v for k, v in value.items() if not _shareable(v)}
            arrays.update({f"detail.{k}": v for k, v in value.items() if _shareable(v)})
        else:
            rest[f.name] = value
    spec, _ = segments.share(arrays)
    return type(book), spec, rest


def attach_book(shared: tuple):
    """In a worker: the book :func:`share_book` shared, its arrays views over the parent's segment."""
    kind, spec, rest = shared
    arrays = attach_arrays(spec)
    fields = dict(rest)
    if any(k.startswith("detail.") for k in arrays):
        fields["detail"] = dict(rest.get("detail") or {})
    for key, array in arrays.items():
        if key.startswith("detail."):
            fields["detail"][key[len("detail."):]] = array
        else:
            fields[key] = array
    return kind(**fields)


def _shareable(value) -> bool:
    return isinstance(value, np.ndarray) and value.dtype != object


def _small_tables(value) -> bool:
    """Per-book work the workers would otherwise redo: tuples or dicts of numpy arrays (per rate or name code)."""
    if isinstance(value, np.ndarray):
        return True
    if isinstance(value, tuple):
        return all(_small_tables(v) for v in value)
    if isinstance(value, dict):
        return all(_small_tables(v) for v in value.values())
    return False


__all__ = ["PREFIX", "Segments", "Spec", "attach_arrays", "attach_book", "share_book"]
