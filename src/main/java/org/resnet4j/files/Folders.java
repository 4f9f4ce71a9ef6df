package org.resnet4j.files;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Removing the temporary folders we made. Stateless and thread-safe. */
public final class Folders {
    private Folders() {}

    /**
     * Deletes a folder and everything under it, best effort: links are removed, never followed (so a
     * link planted in the folder cannot send the deletion elsewhere), and a file that cannot be deleted
     * is left without failing the caller, whose real work is done by then. Null or absent: nothing.
     */
    public static void deleteTree(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> {
                try {
                    Files.deleteIfExists(f);
                } catch (IOException e) {
                    // busy or not ours: left behind
                }
            });
        } catch (IOException e) {
            // absent already
        }
    }
}
