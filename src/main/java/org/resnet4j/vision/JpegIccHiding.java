package org.resnet4j.vision;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageInputStreamImpl;

/**
 * A JPEG's bytes with its embedded ICC profile hidden from the JPEG readers: the identifier of each
 * APP2 "ICC_PROFILE" segment before the first scan reads "XCC_PROFILE" instead, so the segment is
 * an unknown one to ImageIO's and TwelveMonkeys' readers alike. PIL's {@code convert("RGB")} never
 * applies an embedded profile, while the readers convert through it: an Adobe RGB JPEG came out
 * colour-managed into sRGB, and a CMYK profile that LittleCMS reads but cannot write back made the
 * whole file unreadable ("Can not access specified profile"). Hiding the profile leaves libjpeg's
 * plain YCbCr-to-RGB (or CMYK) output, which is PIL's. Bytes are patched as they are read; nothing
 * is copied.
 */
final class JpegIccHiding extends ImageInputStreamImpl {
    private static final byte[] ICC_PROFILE = "ICC_PROFILE\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final ImageInputStream in;
    private final long[] patches; // positions of the 'I' of each "ICC_PROFILE", ascending

    private JpegIccHiding(ImageInputStream in, long[] patches) {
        this.in = in;
        this.patches = patches;
    }

    /**
     * {@code in} itself unless it is a JPEG with ICC_PROFILE segments, which are then hidden; either
     * way positioned at 0.
     */
    static ImageInputStream wrap(ImageInputStream in) throws IOException {
        long[] patches = iccSegments(in);
        in.seek(0);
        return patches.length == 0 ? in : new JpegIccHiding(in, patches);
    }

    /** Where the identifiers of the ICC_PROFILE segments are; empty when not a JPEG or none. */
    private static long[] iccSegments(ImageInputStream in) throws IOException {
        in.seek(0);
        if (in.read() != 0xFF || in.read() != 0xD8) {
            return new long[0];
        }
        List<Long> found = new ArrayList<>();
        byte[] id = new byte[ICC_PROFILE.length];
        long pos = 2;
        try {
            collect(in, pos, id, found);
        } catch (java.io.EOFException e) {
            // a header cut short: the readers report it; the segments found so far are hidden
        }
        return found.stream().mapToLong(Long::longValue).toArray();
    }

    private static void collect(ImageInputStream in, long pos, byte[] id, List<Long> found) throws IOException {
        while (true) { // marker segments up to the first scan; a malformed header ends the search
            in.seek(pos);
            if (in.read() != 0xFF) {
                return;
            }
            int marker = in.read();
            while (marker == 0xFF) { // fill bytes
                marker = in.read();
            }
            if (marker < 0 || marker == 0xDA || marker == 0xD9) { // end of data, start of scan, end of image
                return;
            }
            pos = in.getStreamPosition();
            if ((marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) {
                continue; // markers without a segment
            }
            int length = in.readUnsignedShort();
            if (length < 2) {
                return;
            }
            if (marker == 0xE2 && length >= 2 + id.length) {
                in.readFully(id);
                if (java.util.Arrays.equals(id, ICC_PROFILE)) {
                    found.add(pos + 2);
                }
            }
            pos += length;
        }
    }

    @Override
    public int read() throws IOException {
        checkClosed();
        bitOffset = 0;
        sync();
        int b = in.read();
        if (b >= 0) {
            if (isPatched(streamPos)) {
                b = 'X';
            }
            streamPos++;
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        checkClosed();
        bitOffset = 0;
        sync();
        int n = in.read(b, off, len);
        if (n > 0) {
            for (long p : patches) {
                if (p >= streamPos && p < streamPos + n) {
                    b[off + (int) (p - streamPos)] = 'X';
                }
            }
            streamPos += n;
        }
        return n;
    }

    private void sync() throws IOException {
        if (in.getStreamPosition() != streamPos) {
            in.seek(streamPos);
        }
    }

    private boolean isPatched(long p) {
        for (long q : patches) {
            if (q == p) {
                return true;
            }
        }
        return false;
    }

    @Override
    public long length() {
        try {
            return in.length();
        } catch (IOException e) {
            return -1;
        }
    }

    @Override
    public void close() throws IOException {
        super.close();
        in.close();
    }
}
