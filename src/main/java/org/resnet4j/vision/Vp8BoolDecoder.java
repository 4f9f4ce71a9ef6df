package org.resnet4j.vision;

/**
 * VP8's boolean entropy decoder (RFC 6386 section 7) over one partition, kept as libwebp keeps it
 * (range minus one, a value window {@code bits} above the unread bits) so that running out of data
 * is noticed exactly when libwebp notices it: one zero byte is supplied past the end and
 * {@link #eof()} turns true. libwebp then refuses the frame, and so does {@link Vp8Decoder}.
 */
final class Vp8BoolDecoder {
    private final byte[] buf;
    private int pos;
    private final int end;
    private int range = 255 - 1;
    private long value;
    private int bits = -8;
    private boolean eof;

    Vp8BoolDecoder(byte[] buf, int offset, int length) {
        this.buf = buf;
        this.pos = offset;
        this.end = offset + length;
        load();
    }

    boolean eof() {
        return eof;
    }

    private void load() {
        if (pos < end) {
            bits += 8;
            value = (value << 8) | (buf[pos++] & 0xff);
        } else if (!eof) {
            value <<= 8;
            bits += 8;
            eof = true;
        } else {
            bits = 0; // past the end already: the frame is refused, the value no longer matters
        }
    }

    /** One bit whose probability of being 0 is {@code prob / 256}. */
    int bit(int prob) {
        int r = range;
        if (bits < 0) {
            load();
        }
        int split = (r * prob) >>> 8;
        int window = (int) (value >>> bits);
        int bit;
        if (window > split) {
            r -= split;
            value -= (long) (split + 1) << bits;
            bit = 1;
        } else {
            r = split + 1;
            bit = 0;
        }
        int shift = 7 ^ (31 - Integer.numberOfLeadingZeros(r)); // renormalise r into 128..255
        r <<= shift;
        bits -= shift;
        range = r - 1;
        return bit;
    }

    /** An unsigned {@code n}-bit literal, most significant bit first, each bit at probability 1/2. */
    int literal(int n) {
        int v = 0;
        while (n-- > 0) {
            v |= bit(0x80) << n;
        }
        return v;
    }

    /** An {@code n}-bit magnitude followed by its sign bit. */
    int signedLiteral(int n) {
        int v = literal(n);
        return bit(0x80) != 0 ? -v : v;
    }

    /** A flag, then (when set) a signed {@code n}-bit value; 0 when the flag is clear. */
    int optionalSigned(int n) {
        return bit(0x80) != 0 ? signedLiteral(n) : 0;
    }

    /** {@code v} with a sign read at probability 1/2 (libwebp's shortcut for it decodes the same). */
    int signed(int v) {
        return bit(0x80) != 0 ? -v : v;
    }
}
