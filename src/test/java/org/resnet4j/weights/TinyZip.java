package org.resnet4j.weights;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/** A minimal zip writer for tests: lets us write ZIP64 records and hostile archives on purpose. */
final class TinyZip {
    /** One entry; {@code declaredSize}/{@code declaredCompressed} override the central directory's sizes when >= 0. */
    static final class E {
        String name;
        byte[] data;
        boolean deflate;
        long declaredSize = -1;
        long declaredCompressed = -1;

        E(String name, byte[] data) {
            this.name = name;
            this.data = data;
        }
    }

    private TinyZip() {}

    /** The entries of a real zip (read with java.util.zip), in order. */
    static List<E> entriesOf(java.nio.file.Path zip) {
        List<E> out = new ArrayList<>();
        try (ZipFile z = new ZipFile(zip.toFile())) {
            Enumeration<? extends ZipEntry> en = z.entries();
            while (en.hasMoreElements()) {
                ZipEntry ze = en.nextElement();
                out.add(new E(ze.getName(), z.getInputStream(ze).readAllBytes()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    static byte[] write(List<E> entries, boolean zip64) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream cd = new ByteArrayOutputStream();
        for (E e : entries) {
            byte[] name = e.name.getBytes(StandardCharsets.UTF_8);
            byte[] payload = e.deflate ? deflate(e.data) : e.data;
            CRC32 crc = new CRC32();
            crc.update(e.data);
            long offset = out.size();
            // pad so that data starts 64-aligned, as torch does (padding goes in the extra field)
            int pad = (int) ((64 - (offset + 30 + name.length + 4) % 64) % 64);
            ByteBuffer lh = le(30 + name.length + 4 + pad);
            lh.putInt(0x04034b50)
                    .putShort((short) 45)
                    .putShort((short) 0x800)
                    .putShort((short) (e.deflate ? 8 : 0))
                    .putShort((short) 0)
                    .putShort((short) 0)
                    .putInt((int) crc.getValue())
                    .putInt(payload.length)
                    .putInt(e.data.length)
                    .putShort((short) name.length)
                    .putShort((short) (4 + pad))
                    .put(name)
                    .putShort((short) 0xcafe)
                    .putShort((short) pad);
            out.writeBytes(lh.array());
            out.writeBytes(payload);
            long usize = e.declaredSize >= 0 ? e.declaredSize : e.data.length;
            long csize = e.declaredCompressed >= 0 ? e.declaredCompressed : payload.length;
            ByteBuffer ch = le(46 + name.length + (zip64 ? 28 : 0));
            ch.putInt(0x02014b50)
                    .putShort((short) 45)
                    .putShort((short) 45)
                    .putShort((short) 0x800)
                    .putShort((short) (e.deflate ? 8 : 0))
                    .putShort((short) 0)
                    .putShort((short) 0)
                    .putInt((int) crc.getValue())
                    .putInt(zip64 ? -1 : (int) csize)
                    .putInt(zip64 ? -1 : (int) usize)
                    .putShort((short) name.length)
                    .putShort((short) (zip64 ? 28 : 0))
                    .putShort((short) 0)
                    .putShort((short) 0)
                    .putShort((short) 0)
                    .putInt(0)
                    .putInt(zip64 ? -1 : (int) offset)
                    .put(name);
            if (zip64) {
                ch.putShort((short) 1)
                        .putShort((short) 24)
                        .putLong(usize)
                        .putLong(csize)
                        .putLong(offset);
            }
            cd.writeBytes(ch.array());
        }
        long cdOffset = out.size();
        out.writeBytes(cd.toByteArray());
        if (zip64) {
            long z64 = out.size();
            ByteBuffer z = le(56 + 20);
            z.putInt(0x06064b50)
                    .putLong(44)
                    .putShort((short) 45)
                    .putShort((short) 45)
                    .putInt(0)
                    .putInt(0)
                    .putLong(entries.size())
                    .putLong(entries.size())
                    .putLong(cd.size())
                    .putLong(cdOffset);
            z.putInt(0x07064b50).putInt(0).putLong(z64).putInt(1);
            out.writeBytes(z.array());
        }
        ByteBuffer end = le(22);
        end.putInt(0x06054b50)
                .putShort((short) 0)
                .putShort((short) 0)
                .putShort((short) (zip64 ? -1 : entries.size()))
                .putShort((short) (zip64 ? -1 : entries.size()))
                .putInt(zip64 ? -1 : cd.size())
                .putInt(zip64 ? -1 : (int) cdOffset)
                .putShort((short) 0);
        out.writeBytes(end.array());
        return out.toByteArray();
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static byte[] deflate(byte[] data) {
        Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        d.setInput(data);
        d.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        while (!d.finished()) {
            out.write(buf, 0, d.deflate(buf));
        }
        d.end();
        return out.toByteArray();
    }
}
