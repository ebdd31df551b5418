#!/usr/bin/env python3
"""Writes the gzip-compressed IDX fixtures of SproutFormatsTests (data/gzip/), as MNIST distributes its files.

Run from this folder: `python3 make_gzip_fixtures.py`. Deterministic (gzip mtime 0), standard library only.

- images-idx3-ubyte.gz, labels-idx1-ubyte.gz: 3 images of 2x3 u8 pixels and their labels 7 2 1, as MNIST's own
  train-images-idx3-ubyte.gz / train-labels-idx1-ubyte.gz are laid out (magic 00 00 08 03 / 00 00 08 01).
- f32-idx2.gz: a 2x2 big-endian float32 array (type 0x0D).
- truncated.gz: images-idx3-ubyte.gz cut in the middle of its deflate stream.
- bad-crc.gz: images-idx3-ubyte.gz with its CRC-32 flipped.
- isize.gz: images-idx3-ubyte.gz with its ISIZE trailer changed (claims 4 bytes more).
- short-data.gz: a valid gzip of an IDX file whose data stops 2 bytes early (ISIZE agrees with the bytes, not
  the header).
- bomb.gz: a header announcing 2x2x2 u8 followed by 4 MB of zeros, ISIZE patched to the 20 bytes the header
  announces, so only inflating finds the excess (must stop after the announced bytes).
- huge.gz: a header announcing 60000x1000x1000 u8 (60 GB) and a few bytes: refused from the header.
- trailing.gz: images-idx3-ubyte.gz followed by 4 garbage bytes and a copy of its ISIZE (so that the trailer read
  from the end of the file agrees and only inflating finds the bytes after the member).
- cut.gz: images stored uncompressed (level 0), cut 20 bytes into the stored block (past the IDX header), the original CRC and ISIZE
  appended: the trailer agrees, the deflate stream ends early.
- not-idx.gz: gzip of plain text.
"""
import gzip
import struct


def idx(type_code, shape, payload):
    return bytes([0, 0, type_code, len(shape)]) + b"".join(struct.pack(">I", d) for d in shape) + payload


def gz(data):
    return gzip.compress(data, compresslevel=9, mtime=0)


def write(name, data):
    with open(f"data/gzip/{name}", "wb") as f:
        f.write(data)


images = idx(0x08, [3, 2, 3], bytes(range(0, 180, 10)))
labels = idx(0x08, [3], bytes([7, 2, 1]))
floats = idx(0x0D, [2, 2], struct.pack(">4f", 0.5, -1.25, 3.0, 1e-3))
write("images-idx3-ubyte.gz", gz(images))
write("labels-idx1-ubyte.gz", gz(labels))
write("f32-idx2.gz", gz(floats))

good = gz(images)
write("truncated.gz", good[: len(good) // 2 + 2])
crc = bytearray(good)
crc[-8] ^= 0xFF
write("bad-crc.gz", bytes(crc))
isize = bytearray(good)
isize[-4:] = struct.pack("<I", len(images) + 4)
write("isize.gz", bytes(isize))
write("short-data.gz", gz(images[:-2]))

bomb = bytearray(gz(idx(0x08, [2, 2, 2], bytes(4 * 1000 * 1000 + 8))))
bomb[-4:] = struct.pack("<I", 4 + 4 * 3 + 8)
write("bomb.gz", bytes(bomb))
write("huge.gz", gz(idx(0x08, [60000, 1000, 1000], bytes(16))))
write("trailing.gz", good + b"junk" + struct.pack("<I", len(images)))
stored = gzip.compress(images, compresslevel=0, mtime=0)
write("cut.gz", stored[: 10 + 5 + 20] + stored[-8:])
write("not-idx.gz", gz(b"hello, this is not an IDX file\n"))
