package org.resnet4j.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.zip.CRC32;
import org.resnet4j.vision.Preprocessing;

/** Hand-made image files for tests of hostile inputs. */
public final class TestImages {
    /** torchvision's ImageNet preprocessing at {@code resizeSize} (256: v1, 232: v2), crop 224. */
    public static Preprocessing imagenet(int resizeSize) {
        return new Preprocessing(resizeSize, 224, Preprocessing.IMAGENET_MEAN, Preprocessing.IMAGENET_STD);
    }

    /** The presets' names and resize sizes, as the fixtures name them. */
    public static final java.util.Map<String, Integer> PRESETS = java.util.Map.of("v1", 256, "v2", 232);

    private TestImages() {}

    /** A PNG with only a header chunk claiming {@code w x h}: a bomb is refused before any decoding. */
    public static byte[] pngHeaderOnly(int w, int h) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(ihdr);
        d.writeBytes("IHDR");
        d.writeInt(w);
        d.writeInt(h);
        d.write(new byte[] {8, 2, 0, 0, 0});
        byte[] chunk = ihdr.toByteArray();
        out.writeInt(chunk.length - 4);
        out.write(chunk);
        CRC32 crc = new CRC32();
        crc.update(chunk);
        out.writeInt((int) crc.getValue());
        return bytes.toByteArray();
    }
}
