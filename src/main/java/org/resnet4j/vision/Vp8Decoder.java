package org.resnet4j.vision;

import java.util.Arrays;
import org.resnet4j.ResNet4jException.FormatException;

/**
 * Decodes a VP8 key frame (the image of a lossy WebP) into its Y, U and V planes exactly as libwebp
 * does (RFC 6386, with libwebp's handling of frame edges and its refusals of damaged data):
 * macroblocks are predicted from unfiltered neighbours, and the loop filter runs over the whole
 * frame afterwards in macroblock order, which is what libwebp's row-delayed filtering amounts to.
 * libwebp's optional dithering is off by default (and in PIL), so it is not done.
 */
final class Vp8Decoder {
    /** Luma and chroma planes of whole macroblocks; the picture is their top-left width x height. */
    record Planes(int width, int height, byte[] y, int yStride, byte[] u, byte[] v, int uvStride) {}

    /** The picture size from a VP8 frame header, as libwebp's {@code VP8GetInfo} checks it. */
    record Size(int width, int height) {}

    private static final int Y0 = Vp8Intra.BPS + 8; // work-buffer index of a macroblock's first pixel
    private static final int BPS = Vp8Intra.BPS;

    private final String file;
    private final int width;
    private final int height;
    private final int mbW;
    private final int mbH;
    private Vp8BoolDecoder header;
    private Vp8BoolDecoder[] partitions;

    // segment header
    private boolean useSegment;
    private boolean updateMap;
    private boolean absoluteDelta = true;
    private final int[] segQuant = new int[4];
    private final int[] segFilter = new int[4];
    private final int[] segProbs = {255, 255, 255};
    // filter header
    private boolean simple;
    private int level;
    private int sharpness;
    private boolean useLfDelta;
    private final int[] refLfDelta = new int[4];
    private final int[] modeLfDelta = new int[4];
    private int filterType; // 0 none, 1 simple, 2 normal

    private final Vp8Residuals.Quant[] quant = new Vp8Residuals.Quant[4];
    private final int[][][][] proba = new int[4][8][3][11];
    private boolean useSkipProba;
    private int skipProba;
    private final Vp8LoopFilter.Strength[][] strengths = new Vp8LoopFilter.Strength[4][2];

    // planes, work buffers, and the intra modes above / to the left
    private final byte[] yPlane;
    private final byte[] uPlane;
    private final byte[] vPlane;
    private final int yStride;
    private final int uvStride;
    private final int[] yb = new int[BPS * 17];
    private final int[] ub = new int[BPS * 9];
    private final int[] vb = new int[BPS * 9];
    private final int[] intraT;
    private final int[] intraL = new int[4];

    private Vp8Decoder(String file, Size size) {
        this.file = file;
        this.width = size.width();
        this.height = size.height();
        this.mbW = (width + 15) >> 4;
        this.mbH = (height + 15) >> 4;
        this.yStride = mbW * 16;
        this.uvStride = mbW * 8;
        this.yPlane = new byte[Math.multiplyExact(yStride, mbH * 16)];
        this.uPlane = new byte[uvStride * mbH * 8];
        this.vPlane = new byte[uvStride * mbH * 8];
        this.intraT = new int[4 * mbW];
    }

    /**
     * The picture size of the VP8 frame in {@code data[offset .. offset + length)}.
     *
     * @throws FormatException when the frame header is not a displayable key frame
     */
    static Size size(String file, byte[] data, int offset, int length) {
        if (length < 10) {
            throw bad(file, "the VP8 frame header is cut short");
        }
        int bits = (data[offset] & 0xff) | (data[offset + 1] & 0xff) << 8 | (data[offset + 2] & 0xff) << 16;
        if ((bits & 1) != 0) {
            throw bad(file, "the VP8 frame is not a key frame");
        }
        if (((bits >> 1) & 7) > 3) {
            throw bad(file, "unknown VP8 profile " + ((bits >> 1) & 7));
        }
        if (((bits >> 4) & 1) == 0) {
            throw bad(file, "the VP8 frame is not displayable");
        }
        if ((bits >>> 5) >= length) {
            throw bad(file, "the VP8 first partition (" + (bits >>> 5) + " bytes) does not fit in the frame");
        }
        if ((data[offset + 3] & 0xff) != 0x9d
                || (data[offset + 4] & 0xff) != 0x01
                || (data[offset + 5] & 0xff) != 0x2a) {
            throw bad(file, "bad VP8 start code");
        }
        int w = ((data[offset + 7] & 0xff) << 8 | (data[offset + 6] & 0xff)) & 0x3fff;
        int h = ((data[offset + 9] & 0xff) << 8 | (data[offset + 8] & 0xff)) & 0x3fff;
        if (w == 0 || h == 0) {
            throw bad(file, "the VP8 frame is empty (" + w + "x" + h + ")");
        }
        return new Size(w, h); // the two scaling bits above each are only a display hint
    }

    /**
     * Decodes the frame in {@code data[offset .. offset + length)}; call {@link #size} first to check
     * its pixel count against the caller's limit.
     *
     * @throws FormatException when the frame is damaged or cut short (libwebp refuses it too)
     */
    static Planes decode(String file, byte[] data, int offset, int length) {
        Vp8Decoder d = new Vp8Decoder(file, size(file, data, offset, length));
        d.readHeaders(data, offset, length);
        d.decodeMacroblocks();
        return new Planes(d.width, d.height, d.yPlane, d.yStride, d.uPlane, d.vPlane, d.uvStride);
    }

    private static FormatException bad(String file, String what) {
        return new FormatException(file + ": cannot decode lossy WebP: " + what);
    }

    private FormatException truncated(String what) {
        return new FormatException(file + ": truncated lossy WebP image (" + what + " ends early)");
    }

    // ------------------------------------------------------------------------------------------
    // headers (RFC 6386 section 9)

    private void readHeaders(byte[] data, int offset, int length) {
        int bits = (data[offset] & 0xff) | (data[offset + 1] & 0xff) << 8 | (data[offset + 2] & 0xff) << 16;
        int first = bits >>> 5;
        int at = offset + 10;
        int left = length - 10;
        if (first > left) {
            throw truncated("the first partition");
        }
        header = new Vp8BoolDecoder(data, at, first);
        at += first;
        left -= first;
        Vp8BoolDecoder br = header;
        br.bit(0x80); // colour space: libwebp ignores it
        br.bit(0x80); // clamping type: results are always clamped
        readSegmentHeader(br);
        if (br.eof()) {
            throw truncated("the segment header");
        }
        readFilterHeader(br);
        if (br.eof()) {
            throw truncated("the filter header");
        }
        readPartitions(br, data, at, left);
        readQuantizers(br);
        br.bit(0x80); // "refresh entropy probabilities": meaningless for a single key frame
        for (int t = 0; t < 4; t++) {
            for (int b = 0; b < 8; b++) {
                for (int c = 0; c < 3; c++) {
                    for (int p = 0; p < 11; p++) {
                        proba[t][b][c][p] = br.bit(Vp8Tables.COEFFS_UPDATE_PROBA[t][b][c][p]) != 0
                                ? br.literal(8)
                                : Vp8Tables.COEFFS_PROBA0[t][b][c][p];
                    }
                }
            }
        }
        useSkipProba = br.bit(0x80) != 0;
        if (useSkipProba) {
            skipProba = br.literal(8);
        }
        computeFilterStrengths();
    }

    private void readSegmentHeader(Vp8BoolDecoder br) {
        useSegment = br.bit(0x80) != 0;
        if (!useSegment) {
            return;
        }
        updateMap = br.bit(0x80) != 0;
        if (br.bit(0x80) != 0) { // update the segment data
            absoluteDelta = br.bit(0x80) != 0;
            for (int s = 0; s < 4; s++) {
                segQuant[s] = br.optionalSigned(7);
            }
            for (int s = 0; s < 4; s++) {
                segFilter[s] = br.optionalSigned(6);
            }
        }
        if (updateMap) {
            for (int s = 0; s < 3; s++) {
                segProbs[s] = br.bit(0x80) != 0 ? br.literal(8) : 255;
            }
        }
    }

    private void readFilterHeader(Vp8BoolDecoder br) {
        simple = br.bit(0x80) != 0;
        level = br.literal(6);
        sharpness = br.literal(3);
        useLfDelta = br.bit(0x80) != 0;
        if (useLfDelta && br.bit(0x80) != 0) { // update the deltas
            for (int i = 0; i < 4; i++) {
                if (br.bit(0x80) != 0) {
                    refLfDelta[i] = br.signedLiteral(6);
                }
            }
            for (int i = 0; i < 4; i++) {
                if (br.bit(0x80) != 0) {
                    modeLfDelta[i] = br.signedLiteral(6);
                }
            }
        }
        filterType = level == 0 ? 0 : simple ? 1 : 2;
    }

    private void readPartitions(Vp8BoolDecoder br, byte[] data, int at, int size) {
        int last = (1 << br.literal(2)) - 1;
        if (size < 3 * last) {
            throw truncated("the table of partition sizes");
        }
        int sizes = at;
        int start = at + 3 * last;
        int left = size - 3 * last;
        partitions = new Vp8BoolDecoder[last + 1];
        for (int p = 0; p < last; p++) {
            int s = sizes + 3 * p;
            int psize = (data[s] & 0xff) | (data[s + 1] & 0xff) << 8 | (data[s + 2] & 0xff) << 16;
            psize = Math.min(psize, left);
            partitions[p] = new Vp8BoolDecoder(data, start, psize);
            start += psize;
            left -= psize;
        }
        if (left <= 0) {
            throw truncated("the last token partition");
        }
        partitions[last] = new Vp8BoolDecoder(data, start, left);
    }

    private void readQuantizers(Vp8BoolDecoder br) {
        int base = br.literal(7);
        int dqY1Dc = br.optionalSigned(4);
        int dqY2Dc = br.optionalSigned(4);
        int dqY2Ac = br.optionalSigned(4);
        int dqUvDc = br.optionalSigned(4);
        int dqUvAc = br.optionalSigned(4);
        for (int s = 0; s < 4; s++) {
            int q;
            if (useSegment) {
                q = segQuant[s] + (absoluteDelta ? 0 : base);
            } else if (s > 0) {
                quant[s] = quant[0];
                continue;
            } else {
                q = base;
            }
            int y2Ac = (Vp8Tables.AC_TABLE[clip(q + dqY2Ac, 127)] * 101581) >> 16; // x 155 / 100
            quant[s] = new Vp8Residuals.Quant(
                    Vp8Tables.DC_TABLE[clip(q + dqY1Dc, 127)],
                    Vp8Tables.AC_TABLE[clip(q, 127)],
                    Vp8Tables.DC_TABLE[clip(q + dqY2Dc, 127)] * 2,
                    Math.max(y2Ac, 8),
                    Vp8Tables.DC_TABLE[clip(q + dqUvDc, 117)],
                    Vp8Tables.AC_TABLE[clip(q + dqUvAc, 127)]);
        }
    }

    private static int clip(int v, int max) {
        return v < 0 ? 0 : Math.min(v, max);
    }

    /** The loop filter parameters per segment and per kind of macroblock (16x16 or 4x4 modes). */
    private void computeFilterStrengths() {
        for (int s = 0; s < 4; s++) {
            int base = useSegment ? segFilter[s] + (absoluteDelta ? 0 : level) : level;
            for (int i4 = 0; i4 <= 1; i4++) {
                int lvl = base;
                if (useLfDelta) {
                    lvl += refLfDelta[0]; // key frames: the intra reference frame
                    if (i4 == 1) {
                        lvl += modeLfDelta[0]; // the 4x4 ("B_PRED") mode
                    }
                }
                lvl = lvl < 0 ? 0 : Math.min(lvl, 63);
                if (lvl > 0) {
                    int ilevel = lvl;
                    if (sharpness > 0) {
                        ilevel >>= sharpness > 4 ? 2 : 1;
                        ilevel = Math.min(ilevel, 9 - sharpness);
                    }
                    ilevel = Math.max(ilevel, 1);
                    int hev = lvl >= 40 ? 2 : lvl >= 15 ? 1 : 0;
                    strengths[s][i4] = new Vp8LoopFilter.Strength(2 * lvl + ilevel, ilevel, hev, i4 == 1);
                } else {
                    strengths[s][i4] = Vp8LoopFilter.Strength.NONE;
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // macroblocks

    private void decodeMacroblocks() {
        Vp8Residuals residuals = new Vp8Residuals(proba, mbW);
        Vp8LoopFilter.Strength[] filter = new Vp8LoopFilter.Strength[mbW * mbH];
        int[] segment = new int[mbW];
        boolean[] skip = new boolean[mbW];
        boolean[] i4x4 = new boolean[mbW];
        int[][] modes = new int[mbW][16];
        int[] uvMode = new int[mbW];
        short[] coeffs = new short[384];
        int[] codes = new int[24];
        for (int mbY = 0; mbY < mbH; mbY++) {
            Arrays.fill(intraL, Vp8Intra.B_DC);
            for (int mbX = 0; mbX < mbW; mbX++) {
                readModes(mbX, segment, skip, i4x4, modes[mbX], uvMode);
            }
            if (header.eof()) {
                throw truncated("the first partition");
            }
            Vp8BoolDecoder tokens = partitions[mbY & (partitions.length - 1)];
            residuals.startRow();
            for (int mbX = 0; mbX < mbW; mbX++) {
                boolean noCoefficients;
                if (useSkipProba && skip[mbX]) {
                    residuals.skip(mbX, i4x4[mbX]);
                    noCoefficients = true;
                } else {
                    noCoefficients = residuals.read(tokens, mbX, i4x4[mbX], quant[segment[mbX]], coeffs, codes);
                }
                if (tokens.eof()) {
                    throw truncated("a token partition");
                }
                Vp8LoopFilter.Strength s = strengths[segment[mbX]][i4x4[mbX] ? 1 : 0];
                if (!noCoefficients && !s.inner()) {
                    s = new Vp8LoopFilter.Strength(s.limit(), s.innerLimit(), s.hevThreshold(), true);
                }
                filter[mbY * mbW + mbX] = s;
                reconstruct(mbX, mbY, i4x4[mbX], modes[mbX], uvMode[mbX], noCoefficients ? null : coeffs, codes);
            }
        }
        if (filterType > 0) {
            for (int mbY = 0; mbY < mbH; mbY++) {
                for (int mbX = 0; mbX < mbW; mbX++) {
                    Vp8LoopFilter.filterMacroblock(
                            filterType == 1,
                            filter[mbY * mbW + mbX],
                            mbX > 0,
                            mbY > 0,
                            yPlane,
                            16 * (mbY * yStride + mbX),
                            yStride,
                            uPlane,
                            vPlane,
                            8 * (mbY * uvStride + mbX),
                            uvStride);
                }
            }
        }
    }

    /** The first partition's part of macroblock {@code mbX}: segment, skip flag, intra modes. */
    private void readModes(int mbX, int[] segment, boolean[] skip, boolean[] i4x4, int[] modes, int[] uvMode) {
        Vp8BoolDecoder br = header;
        segment[mbX] = !updateMap ? 0 : br.bit(segProbs[0]) == 0 ? br.bit(segProbs[1]) : 2 + br.bit(segProbs[2]);
        skip[mbX] = useSkipProba && br.bit(skipProba) != 0;
        i4x4[mbX] = br.bit(145) == 0;
        if (!i4x4[mbX]) {
            int ymode = br.bit(156) != 0
                    ? (br.bit(128) != 0 ? Vp8Intra.TM : Vp8Intra.HE)
                    : (br.bit(163) != 0 ? Vp8Intra.VE : Vp8Intra.DC);
            modes[0] = ymode;
            Arrays.fill(intraT, 4 * mbX, 4 * mbX + 4, ymode);
            Arrays.fill(intraL, ymode);
        } else {
            for (int y = 0; y < 4; y++) {
                int ymode = intraL[y];
                for (int x = 0; x < 4; x++) {
                    int[] prob = Vp8Tables.BMODES_PROBA[intraT[4 * mbX + x]][ymode];
                    ymode = subblockMode(br, prob);
                    intraT[4 * mbX + x] = ymode;
                    modes[4 * y + x] = ymode;
                }
                intraL[y] = ymode;
            }
        }
        uvMode[mbX] = br.bit(142) == 0
                ? Vp8Intra.DC
                : br.bit(114) == 0 ? Vp8Intra.VE : br.bit(183) != 0 ? Vp8Intra.TM : Vp8Intra.HE;
    }

    /** The 4x4 mode tree (section 11.2), in libwebp's mode numbering. */
    private static int subblockMode(Vp8BoolDecoder br, int[] p) {
        if (br.bit(p[0]) == 0) {
            return Vp8Intra.B_DC;
        }
        if (br.bit(p[1]) == 0) {
            return Vp8Intra.B_TM;
        }
        if (br.bit(p[2]) == 0) {
            return Vp8Intra.B_VE;
        }
        if (br.bit(p[3]) == 0) {
            if (br.bit(p[4]) == 0) {
                return Vp8Intra.B_HE;
            }
            return br.bit(p[5]) == 0 ? Vp8Intra.B_RD : Vp8Intra.B_VR;
        }
        if (br.bit(p[6]) == 0) {
            return Vp8Intra.B_LD;
        }
        if (br.bit(p[7]) == 0) {
            return Vp8Intra.B_VL;
        }
        return br.bit(p[8]) == 0 ? Vp8Intra.B_HD : Vp8Intra.B_HU;
    }

    /**
     * Predicts macroblock (mbX, mbY) in the work buffers, adds its residuals ({@code coeffs}, null
     * when it has none; {@code codes} per block) and stores it in the planes. The borders are libwebp's: 127 above the
     * frame, 129 left of it (also above-left, below the top row), and for 4x4 prediction the four
     * pixels above-right of the macroblock stand in for the unknown ones right of it.
     */
    private void reconstruct(int mbX, int mbY, boolean i4x4, int[] modes, int uvMode, short[] coeffs, int[] codes) {
        loadBorders(mbX, mbY, i4x4);
        if (!i4x4) {
            Vp8Intra.predictBlock(Vp8Intra.edgeMode(mbX, mbY, modes[0]), 16, yb, Y0);
        }
        for (int n = 0; n < 16; n++) {
            int at = Y0 + 4 * (n & 3) + 4 * (n >> 2) * BPS;
            if (i4x4) { // each 4x4 block predicts from the ones reconstructed before it
                Vp8Intra.predict4(modes[n], yb, at);
            }
            if (coeffs != null) {
                Vp8Transforms.add(codes[n], coeffs, 16 * n, yb, at, BPS);
            }
        }
        int uvPred = Vp8Intra.edgeMode(mbX, mbY, uvMode);
        Vp8Intra.predictBlock(uvPred, 8, ub, Y0);
        Vp8Intra.predictBlock(uvPred, 8, vb, Y0);
        if (coeffs != null) {
            Vp8Transforms.addChroma(codes, 16, coeffs, 256, ub, Y0, BPS);
            Vp8Transforms.addChroma(codes, 20, coeffs, 320, vb, Y0, BPS);
        }
        store(yb, 16, yPlane, 16 * (mbY * yStride + mbX), yStride);
        store(ub, 8, uPlane, 8 * (mbY * uvStride + mbX), uvStride);
        store(vb, 8, vPlane, 8 * (mbY * uvStride + mbX), uvStride);
    }

    private void loadBorders(int mbX, int mbY, boolean i4x4) {
        loadBorders(yb, 16, yPlane, yStride, mbX, mbY);
        loadBorders(ub, 8, uPlane, uvStride, mbX, mbY);
        loadBorders(vb, 8, vPlane, uvStride, mbX, mbY);
        if (i4x4) {
            int top = Y0 - BPS;
            if (mbY > 0) {
                int row = (16 * mbY - 1) * yStride + 16 * mbX;
                for (int x = 16; x < 20; x++) {
                    yb[top + x] = yPlane[row + (mbX == mbW - 1 ? 15 : x)] & 0xff;
                }
            } else {
                Arrays.fill(yb, top + 16, top + 20, 127);
            }
            for (int r = 3; r < 12; r += 4) { // the right column of 4x4 blocks reuses them
                System.arraycopy(yb, top + 16, yb, Y0 + r * BPS + 16, 4);
            }
        }
    }

    private static void loadBorders(int[] b, int size, byte[] plane, int stride, int mbX, int mbY) {
        int top = Y0 - BPS;
        if (mbY == 0) {
            Arrays.fill(b, top - 1, top + size, 127);
        } else {
            int row = (size * mbY - 1) * stride + size * mbX;
            for (int x = 0; x < size; x++) {
                b[top + x] = plane[row + x] & 0xff;
            }
            b[top - 1] = mbX == 0 ? 129 : plane[row - 1] & 0xff;
        }
        for (int j = 0; j < size; j++) {
            b[Y0 + j * BPS - 1] = mbX == 0 ? 129 : plane[(size * mbY + j) * stride + size * mbX - 1] & 0xff;
        }
    }

    private static void store(int[] b, int size, byte[] plane, int at, int stride) {
        for (int j = 0; j < size; j++) {
            for (int x = 0; x < size; x++) {
                plane[at + j * stride + x] = (byte) b[Y0 + j * BPS + x];
            }
        }
    }
}
