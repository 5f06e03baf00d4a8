"""numpy arrays to pyarrow and back by their buffers.

``pa.array(ndarray)`` and ``Array.to_numpy()`` ask pyarrow's pandas shim about
their argument, and that question imports pandas (0.3-0.4 s). ``planner batch``
on a Parquet book has no other use for pandas, so its columns cross between
numpy and Arrow by their buffers: :meth:`pyarrow.Array.from_buffers` one way,
:meth:`pyarrow.Array.buffers` and ``np.frombuffer`` the other (public APIs; the
memory is shared, not copied, where there are no nulls).
"""

from __future__ import annotations

import numpy as np

_TYPES = {
    np.dtype(np.bool_): "bool_", np.dtype(np.int8): "int8", np.dtype(np.int16): "int16", np.dtype(np.int32): "int32",
    np.dtype(np.int64): "int64", np.dtype(np.float64): "float64",
}


def arrow_array(values: np.ndarray, valid: np.ndarray | None = None):
    """``values`` (a 1-D numpy array of bool, int8-int64 or float64) as a pyarrow Array;
    ``valid`` (bool, optional) marks the cells that are not null."""
    import pyarrow as pa

    values = np.ascontiguousarray(values)
    kind = getattr(pa, _TYPES[values.dtype])()
    n = len(values)
    data = pa.py_buffer(np.packbits(values, bitorder="little") if values.dtype == np.bool_ else values)
    mask = None
    nulls = 0
    if valid is not None:
        nulls = n - int(np.count_nonzero(valid))
        if nulls:
            mask = pa.py_buffer(np.packbits(np.asarray(valid, dtype=bool), bitorder="little"))
    return pa.Array.from_buffers(kind, n, [mask, data], null_count=nulls)


def arrow_strings(texts) -> object:
    """A few Python strings (labels, not millions) as a pyarrow ``large_string`` Array."""
    import pyarrow as pa

    encoded = [str(t).encode("utf-8") for t in texts]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(b) for b in encoded], out=offsets[1:])
    return pa.Array.from_buffers(pa.large_string(), len(encoded), [None, pa.py_buffer(offsets), pa.py_buffer(b"".join(encoded))])




#: numpy dtypes of Arrow's number types, by the type's name.
_NUMPY = {"int8": np.int8, "int16": np.int16, "int32": np.int32, "int64": np.int64, "uint8": np.uint8, "uint16": np.uint16,
          "uint32": np.uint32, "uint64": np.uint64, "halffloat": np.float16, "float": np.float32, "double": np.float64}


def _bits(buffer, offset: int, n: int) -> np.ndarray:
    """``n`` bits of an Arrow bitmap from ``offset``, as bools."""
    raw = np.frombuffer(buffer, dtype=np.uint8, count=(offset + n + 7) // 8)
    return np.unpackbits(raw, bitorder="little", count=offset + n)[offset:].astype(bool)


def array_numpy(arr) -> np.ndarray:
    """One pyarrow Array of numbers or bools as numpy, read from its buffers.

    Like ``Array.to_numpy(zero_copy_only=False)`` (which imports pandas): numbers are a
    read-only view where there are no nulls; with nulls, integers become float64 and
    nulls NaN; null bools are False.
    """
    import pyarrow as pa

    n, offset = len(arr), arr.offset
    validity, data = arr.buffers()[:2]
    if pa.types.is_boolean(arr.type):
        values = _bits(data, offset, n) if n else np.zeros(0, dtype=bool)
        if arr.null_count:
            values &= _bits(validity, offset, n)
        return values
    dtype = np.dtype(_NUMPY[str(arr.type)])
    values = np.frombuffer(data, dtype=dtype, count=offset + n)[offset:] if n else np.zeros(0, dtype=dtype)
    if arr.null_count:
        values = values.astype(np.float64) if dtype.kind in "iu" else values.copy()
        values[~_bits(validity, offset, n)] = np.nan
    return values


def column_numpy(col) -> np.ndarray:
    """A pyarrow ChunkedArray (or Array) of numbers or bools as one numpy array (:func:`array_numpy`)."""
    import pyarrow as pa

    if isinstance(col, pa.Array):
        return array_numpy(col)
    chunks = [array_numpy(c) for c in col.chunks]
    if len(chunks) == 1:
        return chunks[0]
    if not chunks:
        return array_numpy(pa.chunked_array([], type=col.type).combine_chunks())
    return np.concatenate(chunks)


__all__ = ["array_numpy", "arrow_array", "arrow_strings", "column_numpy"]
