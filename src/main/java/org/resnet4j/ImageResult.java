package org.resnet4j;

import java.util.Objects;

/**
 * What became of one image of a batch: its {@code value} (a top-k list, an embedding) or, when it
 * could not be read or decoded, the {@code error} that says why and names it. A bad image is a value
 * here, not an exception, so that one file does not stop the others.
 *
 * @param image the image's name: its file path, or the name it was given
 * @param value the result, null when the image failed
 * @param error the failure, naming the image, null when it succeeded
 * @param <T>   {@code List<Prediction>} for classification, {@code float[]} for embeddings
 */
public record ImageResult<T>(String image, T value, String error) {
    public ImageResult {
        Objects.requireNonNull(image, "image");
        if ((value == null) == (error == null)) {
            throw new IllegalArgumentException("an image result holds either a value or an error");
        }
    }

    static <T> ImageResult<T> of(String image, T value) {
        return new ImageResult<>(image, Objects.requireNonNull(value, "value"), null);
    }

    static <T> ImageResult<T> failed(String image, String error) {
        return new ImageResult<>(image, null, Objects.requireNonNull(error, "error"));
    }

    /** True when the image was scored. */
    public boolean ok() {
        return error == null;
    }
}
