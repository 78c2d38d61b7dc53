"""Read a TensorFlow 1.x checkpoint (``.index`` SSTable + ``.data-00000-of-00001``) in plain Python.

The index is a LevelDB-format table: blocks of prefix-compressed (key, value) entries, an index block
pointing at them and a 48-byte footer. Each value is a ``BundleEntryProto`` (dtype, shape, offset and
size of the tensor's raw little-endian bytes in the data file). Only what the musicnn checkpoints use
is decoded: uncompressed blocks, single shard, float32/int32/int64/float16 tensors.
"""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np

_DTYPES = {1: np.float32, 3: np.int32, 9: np.int64, 19: np.float16}


def _varint(b: bytes, i: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        c = b[i]
        i += 1
        result |= (c & 0x7F) << shift
        shift += 7
        if c < 0x80:
            return result, i


def _fields(b: bytes) -> list[tuple[int, int | bytes]]:
    """Protobuf wire format -> [(field number, int or bytes)]."""
    i = 0
    out: list[tuple[int, int | bytes]] = []
    while i < len(b):
        tag, i = _varint(b, i)
        num, wire = tag >> 3, tag & 7
        v: int | bytes
        if wire == 0:
            v, i = _varint(b, i)
        elif wire == 2:
            n, i = _varint(b, i)
            v, i = b[i : i + n], i + n
        elif wire == 5:
            v, i = b[i : i + 4], i + 4
        elif wire == 1:
            v, i = b[i : i + 8], i + 8
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        out.append((num, v))
    return out


def _block(data: bytes, offset: int, size: int) -> list[tuple[bytes, bytes]]:
    blk = data[offset : offset + size]
    restarts = struct.unpack("<I", blk[-4:])[0]
    end = len(blk) - 4 - 4 * restarts
    i, key, out = 0, b"", []
    while i < end:
        shared, i = _varint(blk, i)
        own, i = _varint(blk, i)
        vlen, i = _varint(blk, i)
        key = key[:shared] + blk[i : i + own]
        i += own
        out.append((key, blk[i : i + vlen]))
        i += vlen
    return out


def index_entries(path: Path) -> dict[str, bytes]:
    data = path.read_bytes()
    footer = data[-48:]
    if struct.unpack("<Q", footer[-8:])[0] != 0xDB4775248B80FB57:
        raise ValueError(f"{path} is not a TensorFlow checkpoint index (bad table magic)")
    i = 0
    for _ in range(2):  # metaindex handle: unused
        _, i = _varint(footer, i)
    idx_off, i = _varint(footer, i)
    idx_size, i = _varint(footer, i)
    entries: dict[str, bytes] = {}
    for _, handle in _block(data, idx_off, idx_size):
        off, j = _varint(handle, 0)
        size, _ = _varint(handle, j)
        for k, v in _block(data, off, size):
            entries[k.decode()] = v
    return entries


def load(folder: Path, stem: str = "") -> dict[str, np.ndarray]:
    """All tensors of the checkpoint `folder/stem.index` by variable name (musicnn's stem is empty)."""
    folder = Path(folder)
    entries = index_entries(folder / f"{stem}.index")
    raw = (folder / f"{stem}.data-00000-of-00001").read_bytes()
    out: dict[str, np.ndarray] = {}
    for name, value in entries.items():
        if not name:  # the bundle header
            continue
        meta: dict[int, int | bytes] = {}
        shape: list[int] = []
        for num, v in _fields(value):
            if num == 2 and isinstance(v, bytes):
                shape = [int(dict(_fields(d)).get(1, 0)) for n, d in _fields(v) if n == 2 and isinstance(d, bytes)]
            else:
                meta[num] = v
        dtype = _DTYPES.get(int(meta.get(1, 0)))
        if dtype is None or int(meta.get(3, 0)) != 0:
            continue
        off, size = int(meta.get(4, 0)), int(meta.get(5, 0))
        out[name] = np.frombuffer(raw[off : off + size], dtype).reshape(shape)
    return out
