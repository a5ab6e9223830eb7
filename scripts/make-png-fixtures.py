#!/usr/bin/env python3
"""Writes the PNG fixtures of Tests/ImagingTests/Fixtures: one small image in every colour type,
bit depth and interlacing the reader must handle. All show the same grey pattern
g(x, y) = (x * 29 + y * 41) % 256 on a 13 x 9 grid (odd sizes exercise partial Adam7 passes)."""
import struct, zlib, os, sys

W, H = 13, 9
def g(x, y): return (x * 29 + y * 41) % 256

def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xffffffff)

def png(path, color_type, depth, rows_fn, interlace=False, extra=b""):
    """rows_fn(x_list, y) -> bytes of one (sub)row, unfiltered."""
    raw = b""
    if not interlace:
        for y in range(H):
            raw += b"\x00" + rows_fn(list(range(W)), y)
    else:
        passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
        for x0, y0, dx, dy in passes:
            xs = list(range(x0, W, dx))
            if not xs: continue
            for y in range(y0, H, dy):
                raw += b"\x00" + rows_fn(xs, y)
    ihdr = struct.pack(">IIBBBBB", W, H, depth, color_type, 0, 0, 1 if interlace else 0)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + extra + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    with open(path, "wb") as f: f.write(data)

def pack_bits(values, depth):
    out, acc, n = bytearray(), 0, 0
    for v in values:
        acc = (acc << depth) | v; n += depth
        if n == 8: out.append(acc); acc, n = 0, 0
    if n: out.append(acc << (8 - n))
    return bytes(out)

out = sys.argv[1] if len(sys.argv) > 1 else "Tests/ImagingTests/Fixtures"
os.makedirs(out, exist_ok=True)
png(f"{out}/gray8.png", 0, 8, lambda xs, y: bytes(g(x, y) for x in xs))
png(f"{out}/gray8-interlaced.png", 0, 8, lambda xs, y: bytes(g(x, y) for x in xs), interlace=True)
png(f"{out}/gray16.png", 0, 16, lambda xs, y: b"".join(struct.pack(">H", g(x, y) * 257) for x in xs))
png(f"{out}/gray1.png", 0, 1, lambda xs, y: pack_bits([1 if g(x, y) >= 128 else 0 for x in xs], 1))
png(f"{out}/rgb8.png", 2, 8, lambda xs, y: b"".join(bytes([g(x, y)] * 3) for x in xs))
png(f"{out}/rgb8-interlaced.png", 2, 8, lambda xs, y: b"".join(bytes([g(x, y)] * 3) for x in xs), interlace=True)
png(f"{out}/rgb16.png", 2, 16, lambda xs, y: b"".join(struct.pack(">HHH", *([g(x, y) * 257] * 3)) for x in xs))
# RGBA: the top-left pixel is fully transparent and must come out white.
png(f"{out}/rgba8.png", 6, 8, lambda xs, y: b"".join(bytes([g(x, y)] * 3 + [0 if (x, y) == (0, 0) else 255]) for x in xs))
png(f"{out}/graya8.png", 4, 8, lambda xs, y: b"".join(bytes([g(x, y), 0 if (x, y) == (0, 0) else 255]) for x in xs))
# Palette of all 256 greys, index = grey.
plte = chunk(b"PLTE", b"".join(bytes([i] * 3) for i in range(256)))
png(f"{out}/palette8.png", 3, 8, lambda xs, y: bytes(g(x, y) for x in xs), extra=plte)
plte4 = chunk(b"PLTE", b"".join(bytes([i * 17] * 3) for i in range(16)))
png(f"{out}/palette4-interlaced.png", 3, 4, lambda xs, y: pack_bits([g(x, y) // 17 if g(x, y) % 17 == 0 else (g(x, y) * 15 + 127) // 255 for x in xs], 4), interlace=True, extra=plte4)
