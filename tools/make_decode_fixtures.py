#!/usr/bin/python3
"""Decode-parity fixtures: files whose decoding went wrong once, and PIL's pixels for each.

For every image this writes NAME (the encoded file) and NAME.npy: numpy uint8 [H, W, 3], the array of
``PIL.Image.open(NAME).convert("RGB")``, which is what torchvision's ImageNet presets start from.
PilDecodeParityTest decodes each file with ImageLoader and requires the same bytes; for a file PIL
refuses (damaged on purpose) there is no .npy, the manifest gives PIL's error, and ImageLoader must
refuse it too. manifest.json lists the files, what each one tests, PIL's mode and size (or error),
and the Pillow/libwebp/libjpeg versions.

Cases (each was a mismatch between ImageLoader and PIL):
* JPEGs with an embedded ICC profile (Adobe RGB, gray, CMYK): PIL ignores the profile in convert();
* GIFs whose first frame does not cover the logical screen: PIL returns the whole screen, filled
  with palette index 0 (or the frame's transparency index), and grows it to hold a frame that
  extends past it;
* palette PNGs whose PLTE is shorter than the indices used: Pillow's palette starts as a gray ramp;
* lossy WebP (VP8, with and without alpha): libwebp's "fancy" chroma upsampling and its YUV->RGB.

Only Pillow and numpy are needed (Debian: python3-pil python3-numpy); ICC profiles, GIFs and PNGs
are written byte by byte here, so nothing depends on files of the machine. The output is the same
on every run for a given Pillow and libwebp (the WebP encoder is libwebp's). Usage, from anywhere:

    /usr/bin/python3 tools/make_decode_fixtures.py [OUT]      # OUT defaults to testdata/decode
"""
import io
import json
import os
import struct
import sys
import zlib

import numpy as np
import PIL
from PIL import Image, features

# ---------------------------------------------------------------------------------------------
# image content
# ---------------------------------------------------------------------------------------------


def pattern(w, h, seed):
    """Smooth gradients, hard edges and a fine texture: chroma upsampling and rounding show there."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    out = np.empty((h, w, 3), dtype=np.float64)
    for c in range(3):
        fx, fy, ph = rng.uniform(0.05, 0.4), rng.uniform(0.05, 0.4), rng.uniform(0, 6.3)
        out[..., c] = 128 + 100 * np.sin(x * fx + ph) * np.cos(y * fy)
    for _ in range(5):  # saturated discs: strong chroma edges
        cx, cy, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(2, max(3, min(w, h) / 3))
        out[(x - cx) ** 2 + (y - cy) ** 2 < r * r] = rng.choice([0, 255], size=3)
    tex = ((x.astype(np.int64) * 37) ^ (y.astype(np.int64) * 91)) & 0xFF
    out[: h // 4, : w // 4] = tex[: h // 4, : w // 4, None]
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


# ---------------------------------------------------------------------------------------------
# ICC profiles, written byte by byte (ICC.1:2001-04, version 2.1)
# ---------------------------------------------------------------------------------------------


def s15f16(v):
    return struct.pack(">i", int(round(v * 65536)))


def xyz_tag(x, y, z):
    return b"XYZ " + b"\0" * 4 + s15f16(x) + s15f16(y) + s15f16(z)


def curv_gamma(gamma):
    return b"curv" + b"\0" * 4 + struct.pack(">IH", 1, int(round(gamma * 256))) + b"\0\0"


def desc_tag(text):
    ascii_ = text.encode("ascii") + b"\0"
    return (b"desc" + b"\0" * 4 + struct.pack(">I", len(ascii_)) + ascii_
            + struct.pack(">II", 0, 0) + struct.pack(">HB", 0, 0) + b"\0" * 67)


def text_tag(text):
    return b"text" + b"\0" * 4 + text.encode("ascii") + b"\0"


def curv_identity():
    return b"curv" + b"\0" * 4 + struct.pack(">I", 0)


def aligned(b):
    return b + b"\0" * (-len(b) % 4)


def lut_ab(kind, in_chan, out_chan, grid, clut):
    """lutAtoBType ('mAB ') or lutBtoAType ('mBA '): identity curves and matrix around an 8-bit CLUT.

    Real profiles use these types in version 2 headers too; LittleCMS reads such a profile but cannot
    write it back as version 2, which made Java's ICC_Profile.getData() fail on it."""
    assert len(clut) == grid ** in_chan * out_chan
    curves = lambda n: aligned(b"".join(curv_identity() for _ in range(n)))
    matrix = b"".join(s15f16(1.0 if i == j else 0.0) for i in range(3) for j in range(3)) + s15f16(0) * 3
    table = aligned(bytes([grid] * in_chan + [0] * (16 - in_chan)) + bytes([1, 0, 0, 0]) + bytes(clut))
    # element order in the file: B curves, matrix, M curves, CLUT, A curves (offsets from the tag start)
    b_curves = curves(out_chan if kind == b"mAB " else in_chan)
    m_curves = curves(out_chan if kind == b"mAB " else in_chan)
    a_curves = curves(in_chan if kind == b"mAB " else out_chan)
    offsets, body, at = [], b"", 32
    for part in (b_curves, matrix, m_curves, table, a_curves):
        offsets.append(at + len(body))
        body += part
    return kind + b"\0" * 4 + bytes([in_chan, out_chan, 0, 0]) + struct.pack(">5I", *offsets) + body


def icc_profile(device_class, colour_space, pcs, tags):
    """A profile: 128-byte header, tag table, tag data (each 4-byte aligned)."""
    table = b""
    data = b""
    offset = 128 + 4 + 12 * len(tags)
    for sig, body in tags:
        while len(body) % 4:
            body += b"\0"
        table += sig + struct.pack(">II", offset + len(data), len(body))
        data += body
    size = offset + len(data)
    header = (struct.pack(">I", size) + b"\0" * 4 + struct.pack(">I", 0x02100000) + device_class
              + colour_space + pcs + struct.pack(">6H", 2020, 1, 1, 0, 0, 0) + b"acsp" + b"\0" * 4
              + struct.pack(">I", 0) + b"\0" * 8 + b"\0" * 8 + struct.pack(">I", 0)
              + s15f16(0.9642) + s15f16(1.0) + s15f16(0.8249) + b"\0" * 4)
    header += b"\0" * (128 - len(header))
    return header + struct.pack(">I", len(tags)) + table + data


D50 = (0.9642, 1.0, 0.8249)


def adobe_rgb_profile():
    """Adobe RGB (1998): its D50-adapted primaries and gamma 563/256, as a matrix/TRC profile."""
    trc = curv_gamma(2.19921875)
    return icc_profile(b"mntr", b"RGB ", b"XYZ ", [
        (b"desc", desc_tag("Adobe RGB (1998) compatible")),
        (b"cprt", text_tag("Public domain")),
        (b"wtpt", xyz_tag(*D50)),
        (b"rXYZ", xyz_tag(0.60974, 0.31111, 0.01947)),
        (b"gXYZ", xyz_tag(0.20528, 0.62567, 0.06087)),
        (b"bXYZ", xyz_tag(0.14919, 0.06322, 0.74457)),
        (b"rTRC", trc), (b"gTRC", trc), (b"bTRC", trc),
    ])


def gray_profile():
    return icc_profile(b"mntr", b"GRAY", b"XYZ ", [
        (b"desc", desc_tag("Gray gamma 1.8")),
        (b"cprt", text_tag("Public domain")),
        (b"wtpt", xyz_tag(*D50)),
        (b"kTRC", curv_gamma(1.8)),
    ])


def cmyk_profile():
    """A small output profile, version 2: CMYK <-> Lab through 2-point CLUTs (a naive ink model)."""
    a2b = []
    for c in (0, 1):
        for m in (0, 1):
            for y in (0, 1):
                for k in (0, 1):
                    light = 255 if not (c or m or y or k) else (0 if k else 255 - 80 * (c + m + y))
                    a2b += [max(light, 0), 128 + 60 * (m - c), 128 + 60 * (y - m)]
    b2a = []
    for L in (0, 1):
        for a in (0, 1):
            for b in (0, 1):
                b2a += [255 * (1 - L) // 2 + 60 * a, 60 * (1 - a), 60 * b, 255 * (1 - L)]
    return icc_profile(b"prtr", b"CMYK", b"Lab ", [
        (b"desc", desc_tag("Naive CMYK")),
        (b"cprt", text_tag("Public domain")),
        (b"wtpt", xyz_tag(*D50)),
        (b"A2B0", lut_ab(b"mAB ", 4, 3, 2, a2b)),
        (b"B2A0", lut_ab(b"mBA ", 3, 4, 2, b2a)),
    ])


# ---------------------------------------------------------------------------------------------
# GIF, written byte by byte (PIL cannot write a first frame smaller than the screen)
# ---------------------------------------------------------------------------------------------


def lzw(indices, min_code_size):
    """GIF's variable-width LZW of a list of palette indices."""
    clear, eoi = 1 << min_code_size, (1 << min_code_size) + 1
    out, acc, nbits = bytearray(), 0, 0
    width = min_code_size + 1

    def emit(code):
        nonlocal acc, nbits
        acc |= code << nbits
        nbits += width
        while nbits >= 8:
            out.append(acc & 0xFF)
            acc >>= 8
            nbits -= 8

    table = {(i,): i for i in range(clear)}
    next_code = eoi + 1
    emit(clear)
    prefix = ()
    for v in indices:
        if prefix + (v,) in table:
            prefix += (v,)
            continue
        emit(table[prefix])
        if next_code < 4096:
            table[prefix + (v,)] = next_code
            next_code += 1
            if next_code > (1 << width) and width < 12:
                width += 1
        else:
            emit(clear)
            table = {(i,): i for i in range(clear)}
            next_code, width = eoi + 1, min_code_size + 1
        prefix = (v,)
    if prefix:
        emit(table[prefix])
    emit(eoi)
    if nbits:
        out.append(acc & 0xFF)
    return bytes(out)


def sub_blocks(data):
    return b"".join(bytes([len(data[i:i + 255])]) + data[i:i + 255] for i in range(0, len(data), 255)) + b"\0"


def gif(screen, background, palette, frame_box, indices, transparency=None, local_palette=None):
    """One-frame GIF89a: logical screen `screen` (w, h), the frame at frame_box (x, y, w, h)."""
    bits = 3  # 8-entry tables: 2 ** (bits)
    table = lambda p: b"".join(bytes(c) for c in p) + b"\0" * (3 * (1 << bits) - 3 * len(p))
    out = b"GIF89a" + struct.pack("<HHBBB", screen[0], screen[1], 0x80 | 0x70 | (bits - 1), background, 0)
    out += table(palette)
    if transparency is not None:
        out += b"\x21\xF9\x04" + bytes([0x01]) + struct.pack("<HB", 0, transparency) + b"\0"
    x, y, w, h = frame_box
    flags = (0x80 | (bits - 1)) if local_palette else 0
    out += b"\x2C" + struct.pack("<HHHHB", x, y, w, h, flags)
    if local_palette:
        out += table(local_palette)
    out += bytes([bits]) + sub_blocks(lzw(list(indices), bits)) + b"\x3B"
    return out


# ---------------------------------------------------------------------------------------------
# PNG, written byte by byte (PIL always writes a PLTE long enough for its indices)
# ---------------------------------------------------------------------------------------------


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def palette_png(w, h, bit_depth, plte, indices):
    rows = []
    per_byte = 8 // bit_depth
    for r in range(h):
        row = indices[r * w:(r + 1) * w]
        packed = bytearray()
        for i in range(0, w, per_byte):
            b = 0
            for j, v in enumerate(row[i:i + per_byte]):
                b |= v << (8 - bit_depth * (j + 1))
            packed.append(b)
        rows.append(b"\0" + bytes(packed))
    return (b"\x89PNG\r\n\x1a\n"
            + png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, bit_depth, 3, 0, 0, 0))
            + png_chunk(b"PLTE", b"".join(bytes(c) for c in plte))
            + png_chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
            + png_chunk(b"IEND", b""))


# ---------------------------------------------------------------------------------------------
# VP8 key frames written bit by bit (RFC 6386), with random modes and coefficients under header
# options that Pillow's encoder never uses: simple loop filter, sharpness, a segment map with
# quantizer and filter deltas, loop-filter deltas, 4 and 8 token partitions, skip flags, huge
# coefficients (whose dequantized value overflows 16 bits). The pixels are noise-like; what matters
# is that libwebp (through PIL) decodes them, which makes its output the reference.
# ---------------------------------------------------------------------------------------------

# libwebp's order of the 4x4 intra modes: DC TM VE HE RD VR LD VL HD HU (0..9); the tables are
# RFC 6386's coeff_update_probs [4][8][3][11] and kf_bmode_probs [10][10][9] in that order.
COEFF_UPDATE_PROBS = bytes.fromhex(
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffb0f6ffffffffffffffffffdff1fcff"
    "fffffffffffffff9fdfdfffffffffffffffffff4fcffffffffffffffffeafefefffffffffffffffffdffffffffffffff"
    "fffffffff6feffffffffffffffffeffdfefffffffffffffffffefffefffffffffffffffffff8fefffffffffffffffffb"
    "fffefffffffffffffffffffffffffffffffffffffffffdfefffffffffffffffffbfefefffffffffffffffffefffeffff"
    "fffffffffffffffefdfffefffffffffffffafffefffefffffffffffffeffffffffffffffffffffffffffffffffffffff"
    "ffffffffffffffffffffffffffffffffffffffffffffffffd9ffffffffffffffffffffe1fcf1fdfffffeffffffffeafa"
    "f1fafdfffdfefffffffffeffffffffffffffffffdffefeffffffffffffffffeefdfefefffffffffffffffff8feffffff"
    "fffffffffff9fefffffffffffffffffffffffffffffffffffffffffffdfffffffffffffffffff7feffffffffffffffff"
    "fffffffffffffffffffffffffffdfefffffffffffffffffcfffffffffffffffffffffffffffffffffffffffffffffefe"
    "fffffffffffffffffdfffffffffffffffffffffffffffffffffffffffffffffefdfffffffffffffffffaffffffffffff"
    "fffffffffeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
    "bafbfaffffffffffffffffeafbf4fefffffffffffffffbfbf3fdfefffefffffffffffdfeffffffffffffffffecfdfeff"
    "fffffffffffffffbfdfdfefefffffffffffffffefefffffffffffffffffefefeffffffffffffffffffffffffffffffff"
    "fffffffffefffffffffffffffffffefefffffffffffffffffffefffffffffffffffffffffffffffffffffffffffffffe"
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
    "fffffffffffffffffffffffffffffffffffffffffffffffff8fffffffffffffffffffffafefcfefffffffffffffff8fe"
    "f9fdfffffffffffffffffdfdfffffffffffffffff6fdfdfffffffffffffffffcfefbfefefffffffffffffffefcffffff"
    "fffffffffff8fefdfffffffffffffffffdfffefefffffffffffffffffbfefffffffffffffffff5fbfeffffffffffffff"
    "fffdfdfefffffffffffffffffffbfdfffffffffffffffffcfdfefffffffffffffffffffefffffffffffffffffffffcff"
    "fffffffffffffffff9fffefffffffffffffffffffffefffffffffffffffffffffdfffffffffffffffffaffffffffffff"
    "fffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffffffffffffffffffffffffffffffffffffff")

BMODE_PROBS = bytes.fromhex(
    "e7783059737178987098b3407eaa762e465faf458f505552489b67383a0aabdabd110d98721a11a32cc3150aad791850"
    "c31a3e2c405590470a26abd590221aaa2e371388a021ce473f14087272d00c09e251280b60b6541d102486b759896265"
    "6aa59448bb64829d6f204b504266a7634a3e28ea80293509b2f18d1a086b4a2b1a9249a631179d412669a033341f7380"
    "684f0c1bd9ff5711075744472c72330fba172f290e6eb6b71511c2422d1966c5bd171216585893962a2e2dc4cd2b61b7"
    "75552623b33d2735c8571a152be8ab3822336872661d5d4d271c55ab3aa55a6240221674ce17222ba6496b36201a3301"
    "512b1f44196a1640ab24e1722213156684bc104c7c3e124e5f5539323033c165239fd76f592e6f3c941facdbe415126f"
    "70714d55b3ff267872282a01c4f5d10a196d582b1d8ca6d5252b9a3d3f1e9b432d4401d16450082b9a01331a478e4e4e"
    "10ff8022c5ab29280566d3b70401dd333211a8d1c01719528a1f24ab1ba6262ce543573aa952731a3bb33f3b5ab43ba6"
    "5d499a282815748fd12227af2f0f10b722df312db72e1121b706620f20b7392e16188001361125412049731c801780cd"
    "2803097333c01206df572509733b4d40152f68372cda09363582e2405a46cd2829171a39363970b8052926a6d51e221a"
    "8598740a2086271335dd1a722049ff1f0941ea020f0176494b200c33c0ffa02b33581f2343665537ba553815176f3bcd"
    "2d25c03726467c49660122627d622a58685575af525f543559806471652d4b4f7b2f338051ab01391105476639352931"
    "26210d7939491a0155290a438a4d6e5a2f727315020a66ffa61706651d100a558065c41a39120a6666d522142b75140f"
    "24a38044011a663d472522351ff3c0453c472649771cde25442d8022012f0bf5ab3e1113469255373e46252b259a64a3"
    "55a0013f095c881c4020c9554b0f090940ffb8771056061c0540ff19f8013808118489ff3774803a0f145287391a7928"
    "a4321f899a851923da33672c83837b1f069e5628408794e02db780161a1183f09a0e01d12d10155b40de0701c5381527"
    "9b3c8a1766d5530c0d36c0ff442f1c551a555580802092ab120b073f90ab0404f6231b0a92aeab0c1a80be502363b450"
    "7e362d557e2f57b033291420654b808b769274805538290fb0ec5525093e471e117776ff11128a65263c8a37462b1a8e"
    "9224131eabff611b148a2d3d3edb0151bc4020291475978e1415a370130c3dc380300418")


# the 4x4 mode tree: for each mode, its (bit, index of the probability) path
BMODE_PATHS = [
    [(0, 0)], [(1, 0), (0, 1)], [(1, 0), (1, 1), (0, 2)],
    [(1, 0), (1, 1), (1, 2), (0, 3), (0, 4)],
    [(1, 0), (1, 1), (1, 2), (0, 3), (1, 4), (0, 5)], [(1, 0), (1, 1), (1, 2), (0, 3), (1, 4), (1, 5)],
    [(1, 0), (1, 1), (1, 2), (1, 3), (0, 6)], [(1, 0), (1, 1), (1, 2), (1, 3), (1, 6), (0, 7)],
    [(1, 0), (1, 1), (1, 2), (1, 3), (1, 6), (1, 7), (0, 8)],
    [(1, 0), (1, 1), (1, 2), (1, 3), (1, 6), (1, 7), (1, 8)],
]
BANDS = [0, 1, 2, 3, 6, 4, 5, 6, 6, 6, 6, 6, 6, 6, 6, 7, 0]
CAT_PROBS = [[173, 148, 140], [176, 155, 140, 135], [180, 157, 141, 134, 130],
             [254, 254, 243, 230, 196, 177, 153, 140, 133, 130, 129]]


class BoolWriter:
    """RFC 6386 section 7.3's boolean entropy encoder."""

    def __init__(self):
        self.out, self.range, self.bottom, self.bit_count = bytearray(), 255, 0, 24

    def put(self, bit, prob):
        split = 1 + (((self.range - 1) * prob) >> 8)
        if bit:
            self.bottom, self.range = self.bottom + split, self.range - split
        else:
            self.range = split
        while self.range < 128:
            self.range <<= 1
            if self.bottom & (1 << 31):
                self._carry()
            self.bottom = (self.bottom << 1) & 0xFFFFFFFF
            self.bit_count -= 1
            if self.bit_count == 0:
                self.out.append(self.bottom >> 24)
                self.bottom &= (1 << 24) - 1
                self.bit_count = 8

    def _carry(self):
        i = len(self.out) - 1
        while self.out[i] == 255:
            self.out[i] = 0
            i -= 1
        self.out[i] += 1

    def literal(self, v, n):
        for i in reversed(range(n)):
            self.put((v >> i) & 1, 128)

    def optional_signed(self, v, n):
        self.put(v != 0, 128)
        if v:
            self.literal(abs(v), n)
            self.put(v < 0, 128)

    def finish(self):
        c, v = self.bit_count, self.bottom
        if v & (1 << (32 - c)):
            self._carry()
        v = (v << (c & 7)) << (8 * (c >> 3))
        for _ in range(4):
            self.out.append((v >> 24) & 0xFF)
            v = (v << 8) & 0xFFFFFFFF
        return bytes(self.out) + b"\0\0"  # padding: the decoder may look a byte or two ahead


def put_coefficients(w, levels, first, ctx, probs):
    """One 4x4 block's tokens (levels in zigzag order); returns what the decoder's 'nz' will be."""
    last = max([i for i in range(first, 16) if levels[i]], default=-1)
    n, p = first, probs[BANDS[first]][ctx]
    while n < 16:
        if last < n:
            w.put(0, p[0])  # end of block
            return n
        w.put(1, p[0])
        while levels[n] == 0:
            w.put(0, p[1])
            n += 1
            p = probs[BANDS[n]][0]
        w.put(1, p[1])
        v = abs(levels[n])
        if v == 1:
            w.put(0, p[2])
            next_ctx = 1
        else:
            w.put(1, p[2])
            if v <= 4:
                w.put(0, p[3])
                w.put(v != 2, p[4])
                if v != 2:
                    w.put(v - 3, p[5])
            elif v <= 10:
                w.put(1, p[3])
                w.put(0, p[6])
                w.put(v >= 7, p[7])
                if v < 7:
                    w.put(v - 5, 159)
                else:
                    w.put((v - 7) >> 1, 165)
                    w.put((v - 7) & 1, 145)
            else:
                cat = 0 if v <= 18 else 1 if v <= 34 else 2 if v <= 66 else 3
                w.put(1, p[3])
                w.put(1, p[6])
                w.put(cat >> 1, p[8])
                w.put(cat & 1, p[9 + (cat >> 1)])
                extra, tab = v - (3 + (8 << cat)), CAT_PROBS[cat]
                for i, prob in enumerate(tab):
                    w.put((extra >> (len(tab) - 1 - i)) & 1, prob)
            next_ctx = 2
        w.put(levels[n] < 0, 128)
        n += 1
        p = probs[BANDS[n]][next_ctx]
    return 16


def random_levels(rng, first, big, big_max):
    """A block's levels: often none, mostly small, a fraction `big` of them in 11..big_max."""
    levels = [0] * 16
    if rng.random() < 0.45:
        return levels
    for i in range(first, 16):
        if rng.random() < (0.7 if i < 3 else 0.12):
            v = int(rng.integers(1, 4)) if rng.random() >= big else int(rng.integers(11, big_max + 1))
            levels[i] = v if rng.random() < 0.5 else -v
    return levels


def vp8_frame(width, height, seed, simple=False, level=0, sharpness=0, segments=None, lf_deltas=None,
              log2_parts=0, q=40, q_deltas=(0, 0, 0, 0, 0), skip_prob=None, big=0.0, big_max=250):
    """A VP8 key frame: header, per-macroblock modes, random residuals (see the section comment).

    Keep level * dequantizer within +-2047 (big levels with q=0 only): past that, libwebp's C and
    SIMD inverse transforms overflow differently, so no single decoding is "libwebp's"."""
    rng = np.random.default_rng(seed)
    mbw, mbh = (width + 15) // 16, (height + 15) // 16
    w = BoolWriter()
    w.put(0, 128)  # colour space
    w.put(0, 128)  # clamping type
    w.put(segments is not None, 128)
    if segments:
        w.put(1, 128)  # update the map
        w.put(1, 128)  # update the data
        w.put(segments["absolute"], 128)
        for v in segments["quant"]:
            w.optional_signed(v, 7)
        for v in segments["filter"]:
            w.optional_signed(v, 6)
        for prob in segments["tree"]:
            w.put(1, 128)
            w.literal(prob, 8)
    w.put(simple, 128)
    w.literal(level, 6)
    w.literal(sharpness, 3)
    w.put(lf_deltas is not None, 128)
    if lf_deltas:
        w.put(1, 128)
        for v in lf_deltas:  # 4 reference-frame deltas, then 4 mode deltas
            w.optional_signed(v, 6)
    w.literal(log2_parts, 2)
    w.literal(q, 7)
    for v in q_deltas:  # y1 dc, y2 dc, y2 ac, uv dc, uv ac
        w.optional_signed(v, 4)
    w.put(0, 128)  # refresh entropy probs
    probs = [[[[int(rng.integers(1, 256)) for _ in range(11)] for _ in range(3)] for _ in range(8)]
             for _ in range(4)]
    for t in range(4):
        for b in range(8):
            for c in range(3):
                for k in range(11):
                    w.put(1, COEFF_UPDATE_PROBS[((t * 8 + b) * 3 + c) * 11 + k])
                    w.literal(probs[t][b][c][k], 8)
    w.put(skip_prob is not None, 128)
    if skip_prob is not None:
        w.literal(skip_prob, 8)

    parts = [BoolWriter() for _ in range(1 << log2_parts)]
    top_modes = [[0] * 4 for _ in range(mbw)]
    top_nz = [dict(y=[0] * 4, u=[0] * 2, v=[0] * 2, dc=0) for _ in range(mbw)]
    for mby in range(mbh):
        left_modes = [0] * 4
        left_nz = dict(y=[0] * 4, u=[0] * 2, v=[0] * 2, dc=0)
        tokens = parts[mby & ((1 << log2_parts) - 1)]
        for mbx in range(mbw):
            if segments:
                s = int(rng.integers(0, 4))
                w.put(s >= 2, segments["tree"][0])
                w.put(s & 1, segments["tree"][1 + (s >> 1)])
            skip = skip_prob is not None and rng.random() < 0.25
            if skip_prob is not None:
                w.put(skip, skip_prob)
            i4 = rng.random() < 0.5
            w.put(not i4, 145)
            if not i4:
                ymode = int(rng.integers(0, 4))  # DC TM V H = 0 1 2 3
                if ymode in (1, 3):
                    w.put(1, 156)
                    w.put(ymode == 1, 128)
                else:
                    w.put(0, 156)
                    w.put(ymode == 2, 163)
                top_modes[mbx] = [ymode] * 4
                left_modes = [ymode] * 4
            else:
                for y in range(4):
                    for x in range(4):
                        m = int(rng.integers(0, 10))
                        prob = BMODE_PROBS[(top_modes[mbx][x] * 10 + left_modes[y]) * 9:][:9]
                        for bit, i in BMODE_PATHS[m]:
                            w.put(bit, prob[i])
                        top_modes[mbx][x] = left_modes[y] = m
            uv = int(rng.integers(0, 4))  # DC TM V H
            w.put(uv != 0, 142)
            if uv:
                w.put(uv != 2, 114)
                if uv != 2:
                    w.put(uv == 1, 183)
            top, left = top_nz[mbx], left_nz
            if skip:
                for k in ("y", "u", "v"):
                    top[k] = [0] * len(top[k])
                    left[k] = [0] * len(left[k])
                if not i4:
                    top["dc"] = left["dc"] = 0
                continue
            if not i4:
                nz = put_coefficients(tokens, random_levels(rng, 0, big, min(big_max, 60)), 0,
                                      top["dc"] + left["dc"], probs[1])
                top["dc"] = left["dc"] = int(nz > 0)
            first, kind = (1, 0) if not i4 else (0, 3)
            for y in range(4):
                for x in range(4):
                    nz = put_coefficients(tokens, random_levels(rng, first, big, big_max), first,
                                          top["y"][x] + left["y"][y], probs[kind])
                    top["y"][x] = left["y"][y] = int(nz > first)
            for k in ("u", "v"):
                for y in range(2):
                    for x in range(2):
                        nz = put_coefficients(tokens, random_levels(rng, 0, big, big_max), 0,
                                              top[k][x] + left[k][y], probs[2])
                        top[k][x] = left[k][y] = int(nz > 0)
    first_part = w.finish()
    token_parts = [t.finish() for t in parts]
    sizes = b"".join(struct.pack("<I", len(t))[:3] for t in token_parts[:-1])
    tag = struct.pack("<I", 0 | (0 << 1) | (1 << 4) | (len(first_part) << 5))[:3]
    return (tag + b"\x9d\x01\x2a" + struct.pack("<HH", width, height) + first_part + sizes
            + b"".join(token_parts))


def riff(chunks):
    body = b"WEBP"
    for kind, data in chunks:
        body += kind + struct.pack("<I", len(data)) + data + b"\0" * (len(data) & 1)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def vp8_chunk(webp_bytes):
    """The 'VP8 ' chunk's payload of a simple-format lossy WebP."""
    assert webp_bytes[12:16] == b"VP8 ", webp_bytes[12:16]
    return webp_bytes[20:20 + struct.unpack("<I", webp_bytes[16:20])[0]]


def animated(canvas, frame_box, vp8, anim_chunk=True):
    """VP8X + ANIM + one ANMF holding a VP8 frame at frame_box (x, y even; w, h of the frame)."""
    (cw, ch), (x, y, fw, fh) = canvas, frame_box
    u24 = lambda v: struct.pack("<I", v)[:3]
    vp8x = bytes([0x02]) + b"\0\0\0" + u24(cw - 1) + u24(ch - 1)  # animation flag
    anim = struct.pack("<IH", 0xFF204060, 0)  # background colour (ignored by the decoder), loop count
    anmf = u24(x // 2) + u24(y // 2) + u24(fw - 1) + u24(fh - 1) + u24(100) + bytes([0x02])  # no blend
    anmf += b"VP8 " + struct.pack("<I", len(vp8)) + vp8 + b"\0" * (len(vp8) & 1)
    return riff([(b"VP8X", vp8x)] + ([(b"ANIM", anim)] if anim_chunk else []) + [(b"ANMF", anmf)])


def palette_bmp(w, h, plte, indices):
    """An 8-bit BMP whose colour table (biClrUsed entries) is shorter than the indices used."""
    stride = (w + 3) & ~3
    rows = b"".join(bytes(indices[r * w:(r + 1) * w]) + b"\0" * (stride - w) for r in reversed(range(h)))
    table = b"".join(bytes((c[2], c[1], c[0], 0)) for c in plte)
    offset = 14 + 40 + len(table)
    return (b"BM" + struct.pack("<IHHI", offset + len(rows), 0, 0, offset)
            + struct.pack("<IiiHHIIiiII", 40, w, h, 1, 8, 0, len(rows), 2835, 2835, len(plte), 0)
            + table + rows)


# ---------------------------------------------------------------------------------------------


def jpeg(img, **kw):
    buf = io.BytesIO()
    img.save(buf, format="JPEG", **kw)
    return buf.getvalue()


def webp(img, **kw):
    buf = io.BytesIO()
    img.save(buf, format="WEBP", **kw)
    return buf.getvalue()


def cases():
    """(file name, encoded bytes, what it tests)"""
    rgb = lambda w, h, s: Image.fromarray(pattern(w, h, s), "RGB")
    yield ("jpeg_adobe_rgb.jpg", jpeg(rgb(61, 43, 1), quality=92, icc_profile=adobe_rgb_profile()),
           "RGB JPEG with an Adobe RGB ICC profile: PIL does not colour-convert")
    gray = Image.fromarray(pattern(45, 37, 2)[..., 1], "L")
    yield ("jpeg_gray_icc.jpg", jpeg(gray, quality=92, icc_profile=gray_profile()),
           "gray JPEG with a gray ICC profile")
    cmyk = rgb(53, 41, 3).convert("CMYK")
    yield ("jpeg_cmyk_icc.jpg", jpeg(cmyk, quality=92, icc_profile=cmyk_profile()),
           "Adobe CMYK JPEG with a CMYK ICC profile: PIL's cmyk2rgb, no ICC")

    palette = [(200, 30, 40), (10, 220, 30), (20, 40, 230), (250, 250, 10), (90, 0, 90), (0, 130, 130),
               (255, 255, 255), (0, 0, 0)]
    rng = np.random.default_rng(4)
    frame = rng.integers(1, 8, size=13 * 9)
    yield ("gif_small_frame.gif", gif((31, 23), 5, palette, (7, 4, 13, 9), frame),
           "first frame smaller than the logical screen: the rest is palette index 0")
    yield ("gif_small_frame_transparent.gif", gif((31, 23), 5, palette, (0, 11, 13, 9), frame, transparency=3),
           "first frame smaller than the screen, with a transparency index: the rest is that index")
    local = [(c[2], c[0], c[1]) for c in palette]
    yield ("gif_frame_past_screen.gif", gif((20, 12), 2, palette, (9, 6, 13, 9), frame, local_palette=local),
           "first frame reaching past the logical screen, with a local palette: the screen grows")

    rng = np.random.default_rng(5)
    yield ("png_short_palette8.png",
           palette_png(23, 17, 8, palette[:6], list(rng.integers(0, 256, size=23 * 17))),
           "8-bit palette PNG with 6 PLTE entries and indices up to 255")
    yield ("png_short_palette4.png",
           palette_png(19, 11, 4, palette[:3], list(rng.integers(0, 16, size=19 * 11))),
           "4-bit palette PNG with 3 PLTE entries and indices up to 15")
    yield ("bmp_short_palette.bmp", palette_bmp(21, 13, palette[:5], list(rng.integers(0, 256, size=21 * 13))),
           "8-bit BMP with a 5-colour table and indices up to 255")

    # lossy WebP: Pillow's encoder (libwebp's defaults: strong filter, segments), then hand-made frames
    yield ("webp_lossy.webp", webp(rgb(61, 43, 6), quality=80), "lossy WebP, odd width and height")
    yield ("webp_lossy_even.webp", webp(rgb(64, 48, 7), quality=90, method=6), "lossy WebP, whole macroblocks")
    yield ("webp_lossy_q5.webp", webp(rgb(40, 37, 8), quality=5), "lossy WebP at quality 5: strong filtering")
    rgba = np.dstack([pattern(47, 33, 9), np.tile(np.arange(47, dtype=np.uint8) * 5, (33, 1))])
    yield ("webp_lossy_alpha.webp", webp(Image.fromarray(rgba, "RGBA"), quality=70),
           "lossy WebP with alpha (VP8X + ALPH + VP8): the alpha dropped, colours as decoded")
    yield ("webp_lossy_1x1.webp", webp(Image.new("RGB", (1, 1), (200, 90, 30)), quality=80),
           "lossy WebP of one pixel")
    yield ("webp_lossy_2x3.webp", webp(rgb(2, 3, 11), quality=80), "lossy WebP of 2x3 pixels")
    yield ("webp_lossy_anim.webp", animated((40, 30), (6, 8, 23, 17), vp8_chunk(webp(rgb(23, 17, 12), quality=80))),
           "animated WebP, first frame lossy and smaller than the canvas: black around it")
    small = vp8_chunk(webp(rgb(23, 17, 12), quality=80))
    yield ("webp_lossy_anim_no_anim.webp", animated((40, 30), (6, 8, 23, 17), small, anim_chunk=False),
           "animated WebP without its ANIM chunk: libwebp's demuxer, so PIL, refuses it")
    trailer = riff([(b"VP8 ", small)]) + b"JUNK" + struct.pack("<I", 1 << 20)  # a chunk past the RIFF end
    trailer = trailer[:4] + struct.pack("<I", len(trailer) - 8) + trailer[8:]
    yield ("webp_lossy_bad_trailer.webp", trailer,
           "lossy WebP followed by a chunk header whose size runs past the file: PIL refuses it")
    even = vp8_chunk(webp(rgb(64, 48, 7), quality=90, method=6))
    yield ("webp_lossy_cut.webp", riff([(b"VP8 ", even[:len(even) * 6 // 10])]),
           "lossy WebP whose VP8 data stops at 60% (container sizes consistent): PIL refuses it")
    yield ("webp_lossy_tail2.webp", riff([(b"VP8 ", even[:-2])]),
           "lossy WebP missing its last 2 bytes: libwebp's end-of-data rule still decodes it")
    yield ("webp_lossy_tail3.webp", riff([(b"VP8 ", even[:-3])]),
           "lossy WebP missing its last 3 bytes: PIL refuses it")
    yield ("webp_vp8_complex.webp", riff([(b"VP8 ", vp8_frame(
        61, 45, 13, level=24, sharpness=2, log2_parts=1, q=40, q_deltas=(2, -3, 4, -2, 1), skip_prob=100,
        segments=dict(absolute=0, quant=(-5, 3, 10, -12), filter=(-4, 6, 0, 20), tree=(120, 60, 200)),
        lf_deltas=(3, 0, 0, 0, -2, 0, 0, 0)))]),
        "hand-made VP8: normal loop filter, segment map, deltas, 2 partitions, skip flags")
    yield ("webp_vp8_simple.webp", riff([(b"VP8 ", vp8_frame(
        50, 38, 14, simple=True, level=30, sharpness=5, log2_parts=2, q=20))]),
        "hand-made VP8: simple loop filter, sharpness 5, 4 partitions")
    yield ("webp_vp8_nofilter.webp", riff([(b"VP8 ", vp8_frame(
        35, 70, 15, level=0, log2_parts=3, q=100, q_deltas=(-8, 15, -15, 15, 7),
        segments=dict(absolute=1, quant=(127, 0, -20, 60), filter=(0, 0, 0, 0), tree=(255, 1, 128))))]),
        "hand-made VP8: no loop filter, 8 partitions, quantizers clipped at 0, 117 and 127")
    yield ("webp_vp8_bigcoeffs.webp", riff([(b"VP8 ", vp8_frame(
        45, 29, 17, level=10, q=0, big=0.2, big_max=250, skip_prob=200))]),
        "hand-made VP8: large coefficients (every token category), quantizer index 0")
    yield ("webp_vp8_strong.webp", riff([(b"VP8 ", vp8_frame(
        64, 48, 16, level=63, sharpness=7, q=10, skip_prob=40,
        segments=dict(absolute=1, quant=(10, 30, 50, 5), filter=(63, 40, 15, 3), tree=(128, 128, 128)),
        lf_deltas=(-10, 0, 0, 0, 12, 0, 0, 0)))]),
        "hand-made VP8: loop filter levels 3 to 63, sharpness 7, mode delta")


def npy_bytes(arr):
    buf = io.BytesIO()
    np.save(buf, np.ascontiguousarray(arr))
    return buf.getvalue()


def write(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def main(argv):
    out = os.path.normpath(argv[0] if argv else os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                             os.pardir, "testdata", "decode"))
    os.makedirs(out, exist_ok=True)
    manifest = {
        "generator": "tools/make_decode_fixtures.py",
        "pillow": PIL.__version__,
        "libwebp": features.version("webp"),
        "libjpeg": features.version("jpg"),
        "expected": "NAME.npy: uint8 [H, W, 3] = numpy.asarray(PIL.Image.open(NAME).convert('RGB'))",
        "images": [],
    }
    for name, data, what in cases():
        path = os.path.join(out, name)
        write(path, data)
        try:
            with Image.open(path) as im:
                mode, size = im.mode, im.size
                rgb = np.asarray(im.convert("RGB"))
        except OSError as e:  # a file PIL refuses: ImageLoader must refuse it too
            if os.path.exists(path + ".npy"):
                os.remove(path + ".npy")
            manifest["images"].append({"file": name, "pil_error": f"{type(e).__name__}: {e}", "tests": what})
            continue
        assert rgb.dtype == np.uint8 and rgb.shape == (size[1], size[0], 3), (name, rgb.shape)
        write(path + ".npy", npy_bytes(rgb))
        manifest["images"].append({"file": name, "pil_mode": mode, "width": size[0], "height": size[1],
                                   "tests": what})
    write(os.path.join(out, "manifest.json"), (json.dumps(manifest, indent=1) + "\n").encode())
    total = sum(os.path.getsize(os.path.join(out, f)) for f in os.listdir(out))
    refused = sum("pil_error" in e for e in manifest["images"])
    print(f"wrote {len(manifest['images'])} images to {out}, PIL's RGB of each but the {refused} it refuses"
          f" ({total} bytes)")


if __name__ == "__main__":
    main(sys.argv[1:])
