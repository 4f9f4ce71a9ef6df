package org.resnet4j.weights;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.resnet4j.ReaderLimits;
import org.resnet4j.ResNet4jException.FormatException;
import org.resnet4j.ResNet4jException.UnsafeContentException;
import org.resnet4j.ResNet4jException.UnsupportedModelException;

/**
 * Our own read-only zip reader, written for hostile input and zero-copy reads: it parses the end
 * of central directory (and its ZIP64 forms), the central directory, and each local header to
 * find where an entry's data starts, so that STORED entries can be memory-mapped in place.
 * DEFLATED entries are inflated onto the heap with a bound on the expansion. Every offset and
 * size is checked against the file; entry data may not overlap; names may not be absolute,
 * contain {@code ..}, or repeat.
 */
final class ZipArchive {
    static final int STORED = 0;
    static final int DEFLATED = 8;
    /** Deflate cannot expand more than about 1032:1; anything beyond is a bomb or a lie. */
    static final long MAX_DEFLATE_RATIO = 1100;

    private static final int EOCD_SIG = 0x06054b50;
    private static final int ZIP64_LOCATOR_SIG = 0x07064b50;
    private static final int ZIP64_EOCD_SIG = 0x06064b50;
    private static final int CENTRAL_SIG = 0x02014b50;
    private static final int LOCAL_SIG = 0x04034b50;
    private static final long U32 = 0xffffffffL;

    /** One entry, with the absolute offset of its (compressed) data. */
    record Entry(
            String name, int method, long compressedSize, long size, int crc, long headerOffset, long dataOffset) {}

    private final CheckpointFile file;
    private final Map<String, Entry> entries;
    /** Bytes all DEFLATED entries together may inflate to (zip.maxInflateRatio x file, at least zip.minInflateBudget). */
    private final long inflateBudget;

    private long inflated;

    private ZipArchive(CheckpointFile file, Map<String, Entry> entries, ReaderLimits limits) {
        this.file = file;
        this.entries = entries;
        long byRatio = file.size > Long.MAX_VALUE / limits.zipMaxInflateRatio()
                ? Long.MAX_VALUE
                : file.size * limits.zipMaxInflateRatio();
        this.inflateBudget = Math.max(byRatio, limits.zipMinInflateBudget());
    }

    /** Entries in central-directory order. */
    List<Entry> entries() {
        return List.copyOf(entries.values());
    }

    Entry get(String name) {
        return entries.get(name);
    }

    static ZipArchive read(CheckpointFile f) {
        ReaderLimits limits = ReaderLimits.current();
        // ---- end of central directory: 22 bytes + comment, at the very end of the file ----
        int tail = (int) Math.min(f.size, 22 + 0xffff);
        ByteBuffer end = f.read(f.size - tail, tail, "zip end of central directory");
        int eocd = -1;
        for (int i = tail - 22; i >= 0; i--) {
            if (end.getInt(i) == EOCD_SIG && i + 22 + (end.getShort(i + 20) & 0xffff) == tail) {
                eocd = i;
                break;
            }
        }
        if (eocd < 0) {
            throw new FormatException(f.name + ": no zip end-of-central-directory record in the last " + tail
                    + " bytes (file truncated or not a zip)");
        }
        long eocdPos = f.size - tail + eocd;
        long count = end.getShort(eocd + 10) & 0xffff;
        long cdSize = end.getInt(eocd + 12) & U32;
        long cdOffset = end.getInt(eocd + 16) & U32;
        if ((end.getShort(eocd + 4) & 0xffff) != 0 && (end.getShort(eocd + 4) & 0xffff) != 0xffff) {
            throw new UnsupportedModelException(f.name + ": multi-disk zip archives are not supported");
        }
        long cdLimit = eocdPos;
        // ---- ZIP64 locator right before the EOCD ----
        if (eocdPos >= 20) {
            ByteBuffer loc = f.read(eocdPos - 20, 20, "zip64 locator");
            if (loc.getInt(0) == ZIP64_LOCATOR_SIG) {
                long z64Pos = loc.getLong(8);
                ByteBuffer z = f.read(z64Pos, 56, "zip64 end of central directory");
                if (z.getInt(0) != ZIP64_EOCD_SIG) {
                    throw new FormatException(f.name + ": zip64 locator points at offset " + z64Pos
                            + " but no zip64 end-of-central-directory record is there");
                }
                count = z.getLong(32);
                cdSize = z.getLong(40);
                cdOffset = z.getLong(48);
                cdLimit = z64Pos;
            }
        }
        if (cdOffset < 0 || cdSize < 0 || cdOffset > cdLimit || cdSize > cdLimit - cdOffset) {
            throw new FormatException(f.name + ": zip central directory at " + cdOffset + " of " + cdSize
                    + " bytes does not fit before offset " + cdLimit + " (file of " + f.size + " bytes)");
        }
        if (cdSize > Integer.MAX_VALUE || count < 0 || count > cdSize / 46) {
            throw new FormatException(f.name + ": zip central directory claims " + count + " entries in " + cdSize
                    + " bytes (each needs at least 46)");
        }
        if (count > limits.zipMaxEntries()) {
            throw new UnsafeContentException(f.name + ": zip has " + count + " entries, more than the limit of "
                    + limits.zipMaxEntries() + " (" + ReaderLimits.hint("zip.maxEntries") + ")");
        }
        ByteBuffer cd = f.read(cdOffset, (int) cdSize, "zip central directory");

        // ---- central directory entries ----
        Map<String, Entry> entries = new LinkedHashMap<>();
        int p = 0;
        for (long n = 0; n < count; n++) {
            if (p + 46 > cd.limit() || cd.getInt(p) != CENTRAL_SIG) {
                throw new FormatException(f.name + ": zip central directory entry " + n + " of " + count
                        + " is missing or corrupt at offset " + (cdOffset + p));
            }
            int flags = cd.getShort(p + 8) & 0xffff;
            int method = cd.getShort(p + 10) & 0xffff;
            int crc = cd.getInt(p + 16);
            long csize = cd.getInt(p + 20) & U32;
            long usize = cd.getInt(p + 24) & U32;
            int nameLen = cd.getShort(p + 28) & 0xffff;
            int extraLen = cd.getShort(p + 30) & 0xffff;
            int commentLen = cd.getShort(p + 32) & 0xffff;
            long lho = cd.getInt(p + 42) & U32;
            int next = p + 46 + nameLen + extraLen + commentLen;
            if (next > cd.limit()) {
                throw new FormatException(f.name + ": zip central directory entry " + n + " runs past the directory");
            }
            String name = decodeName(f, cd, p + 46, nameLen, (flags & 0x800) != 0);
            // ZIP64 extended information: 8-byte values for the fields saturated at 0xffffffff, in this order
            int e = p + 46 + nameLen;
            int extraEnd = e + extraLen;
            while (e + 4 <= extraEnd) {
                int id = cd.getShort(e) & 0xffff;
                int len = cd.getShort(e + 2) & 0xffff;
                int q = e + 4;
                if (q + len > extraEnd) {
                    throw new FormatException(f.name + ": zip entry '" + name + "' has a truncated extra field");
                }
                if (id == 0x0001) {
                    if (usize == U32) {
                        usize = z64(f, cd, q, q + len, name);
                        q += 8;
                    }
                    if (csize == U32) {
                        csize = z64(f, cd, q, q + len, name);
                        q += 8;
                    }
                    if (lho == U32) {
                        lho = z64(f, cd, q, q + len, name);
                    }
                }
                e += 4 + len;
            }
            if ((flags & 1) != 0) {
                throw new UnsupportedModelException(f.name + ": zip entry '" + name + "' is encrypted");
            }
            if (method != STORED && method != DEFLATED) {
                throw new UnsupportedModelException(f.name + ": zip entry '" + name + "' uses compression method "
                        + method + ", supported: 0 (stored), 8 (deflated)");
            }
            if (method == STORED && csize != usize) {
                throw new FormatException(f.name + ": stored zip entry '" + name + "' has compressed size " + csize
                        + " != size " + usize);
            }
            checkName(f, name);
            if (entries.containsKey(name)) {
                throw new UnsafeContentException(f.name + ": zip entry '" + name + "' appears twice");
            }
            long dataOffset = localData(f, lho, name, cd, p + 46, nameLen);
            f.checkRange(dataOffset, csize, "zip entry '" + name + "' (" + csize + " bytes at " + dataOffset + ")");
            if (dataOffset + csize > cdOffset) {
                throw new FormatException(f.name + ": zip entry '" + name + "' data (" + dataOffset + ".."
                        + (dataOffset + csize) + ") overlaps the central directory at " + cdOffset);
            }
            entries.put(name, new Entry(name, method, csize, usize, crc, lho, dataOffset));
            p = next;
        }
        checkNoOverlap(f, entries);
        return new ZipArchive(f, Collections.unmodifiableMap(entries), limits);
    }

    /**
     * The entry's uncompressed bytes, little-endian, position 0: a read-only mapping for STORED
     * entries, a heap buffer for DEFLATED ones. The CRC is checked either way.
     */
    ByteBuffer data(Entry e) {
        ByteBuffer raw = file.map(e.dataOffset(), e.compressedSize(), "zip entry '" + e.name() + "'");
        ByteBuffer out;
        if (e.method() == STORED) {
            out = raw;
        } else {
            out = ByteBuffer.wrap(inflate(e, raw)).order(ByteOrder.LITTLE_ENDIAN);
        }
        CRC32 crc = new CRC32();
        crc.update(out.duplicate());
        if ((int) crc.getValue() != e.crc()) {
            throw new FormatException(String.format(
                    "%s: zip entry '%s' is corrupt: CRC-32 %08x, expected %08x",
                    file.name, e.name(), (int) crc.getValue(), e.crc()));
        }
        return out;
    }

    /** The entry's bytes on the heap (for pickles). */
    byte[] bytes(Entry e) {
        ByteBuffer b = data(e);
        if (b.hasArray() && b.arrayOffset() == 0 && b.array().length == b.remaining()) {
            return b.array();
        }
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    private byte[] inflate(Entry e, ByteBuffer compressed) {
        long bound = e.compressedSize() * MAX_DEFLATE_RATIO + 1024;
        if (e.size() > bound || e.size() > Integer.MAX_VALUE - 8) {
            throw new UnsafeContentException(file.name + ": zip entry '" + e.name() + "' claims " + e.size()
                    + " bytes from " + e.compressedSize() + " compressed (limit "
                    + Math.min(bound, Integer.MAX_VALUE - 8)
                    + "): refused as a decompression bomb");
        }
        if (e.size() > inflateBudget - inflated) {
            throw new UnsafeContentException(file.name + ": zip entry '" + e.name() + "' inflates to " + e.size()
                    + " bytes; with the " + inflated + " already inflated that exceeds the limit of " + inflateBudget
                    + " bytes for a file of " + file.size + " (refused as a decompression bomb; "
                    + ReaderLimits.hint("zip.maxInflateRatio") + ")");
        }
        inflated += e.size();
        byte[] out = new byte[(int) e.size()];
        Inflater inf = new Inflater(true);
        try {
            inf.setInput(compressed);
            int n = 0;
            while (n < out.length && !inf.finished()) {
                int k = inf.inflate(out, n, out.length - n);
                if (k == 0 && (inf.needsInput() || inf.needsDictionary())) {
                    break;
                }
                n += k;
            }
            byte[] probe = new byte[1];
            if (n != out.length || (!inf.finished() && inf.inflate(probe) > 0)) {
                throw new FormatException(file.name + ": zip entry '" + e.name() + "' inflates to "
                        + (n == out.length ? "more than " : "") + n + " bytes, expected " + e.size());
            }
            return out;
        } catch (DataFormatException ex) {
            throw new FormatException(
                    file.name + ": zip entry '" + e.name() + "' has corrupt deflate data: " + ex.getMessage(), ex);
        } finally {
            inf.end();
        }
    }

    private static long z64(CheckpointFile f, ByteBuffer cd, int q, int limit, String name) {
        if (q + 8 > limit) {
            throw new FormatException(f.name + ": zip entry '" + name + "' has a short ZIP64 extra field");
        }
        long v = cd.getLong(q);
        if (v < 0) {
            throw new FormatException(f.name + ": zip entry '" + name + "' has a ZIP64 size beyond 2^63");
        }
        return v;
    }

    private static long localData(CheckpointFile f, long lho, String name, ByteBuffer cd, int nameAt, int nameLen) {
        ByteBuffer lh = f.read(lho, 30, "local header of zip entry '" + name + "'");
        if (lh.getInt(0) != LOCAL_SIG) {
            throw new FormatException(f.name + ": zip entry '" + name + "': no local header at offset " + lho);
        }
        int ln = lh.getShort(26) & 0xffff;
        int le = lh.getShort(28) & 0xffff;
        ByteBuffer localName = f.read(lho + 30, ln, "local name of zip entry '" + name + "'");
        if (!localName.equals(cd.duplicate().position(nameAt).limit(nameAt + nameLen))) {
            throw new FormatException(
                    f.name + ": zip entry '" + name + "': local header at " + lho + " names a different entry");
        }
        return lho + 30 + ln + le;
    }

    private static String decodeName(CheckpointFile f, ByteBuffer cd, int at, int len, boolean utf8) {
        ByteBuffer b = cd.duplicate().position(at).limit(at + len);
        if (!utf8) {
            return StandardCharsets.ISO_8859_1.decode(b).toString();
        }
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(b)
                    .toString();
        } catch (CharacterCodingException e) {
            throw new FormatException(f.name + ": zip entry name at central offset " + at + " is not valid UTF-8");
        }
    }

    /** Names are relative paths without {@code ..}, empty segments or backslashes. */
    private static void checkName(CheckpointFile f, String name) {
        boolean bad = name.isEmpty()
                || name.startsWith("/")
                || name.indexOf('\\') >= 0
                || name.indexOf('\0') >= 0
                || (name.length() > 1 && name.charAt(1) == ':');
        for (String seg : name.split("/", -1)) {
            bad |= seg.equals("..") || seg.equals(".");
        }
        if (bad) {
            throw new UnsafeContentException(
                    f.name + ": zip entry name '" + name + "' is absolute or escapes the archive folder");
        }
    }

    private static void checkNoOverlap(CheckpointFile f, Map<String, Entry> entries) {
        List<Entry> sorted = new ArrayList<>(entries.values());
        sorted.sort(Comparator.comparingLong(Entry::headerOffset));
        for (int i = 1; i < sorted.size(); i++) {
            Entry a = sorted.get(i - 1);
            Entry b = sorted.get(i);
            if (a.dataOffset() + a.compressedSize() > b.headerOffset()) {
                throw new UnsafeContentException(f.name + ": zip entries '" + a.name() + "' and '" + b.name()
                        + "' overlap (" + (a.dataOffset() + a.compressedSize()) + " > " + b.headerOffset() + ")");
            }
        }
    }
}
