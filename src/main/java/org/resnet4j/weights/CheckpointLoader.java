package org.resnet4j.weights;

import java.nio.file.Path;

/** Placeholder until the readers land (branch weights). */
public final class CheckpointLoader {
    private CheckpointLoader() {}

    public static LoadedCheckpoint load(Path file) {
        return load(file, null);
    }

    public static LoadedCheckpoint load(Path file, String key) {
        throw new UnsupportedOperationException("not yet");
    }
}
