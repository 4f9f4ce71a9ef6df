package org.resnet4j;

import java.util.Objects;

/**
 * An encoded image (JPEG, PNG, BMP, GIF, WebP) held in memory, with the name its messages use: a row
 * of a Spark table, an object fetched from storage, an upload. The bytes are read, not copied or kept.
 *
 * @param name  how messages name the image (a path, a key)
 * @param bytes the encoded file
 */
public record ImageBytes(String name, byte[] bytes) {
    public ImageBytes {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(bytes, "bytes");
    }
}
