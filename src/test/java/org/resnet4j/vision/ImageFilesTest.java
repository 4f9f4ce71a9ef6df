package org.resnet4j.vision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Command-line paths expanded into image files. */
class ImageFilesTest {
    @TempDir
    Path dir;

    @Test
    void foldersExpandRecursivelySortedByImageExtension() throws Exception {
        Files.createDirectories(dir.resolve("z/y"));
        Files.createDirectories(dir.resolve(".git"));
        for (String f : List.of(
                "b.PNG",
                "a.jpeg",
                "z/y/c.webp",
                "z/d.gif",
                "notes.txt",
                "z/noext",
                "e.bmp",
                ".hidden.jpg",
                ".git/f.png")) {
            Files.writeString(dir.resolve(f), "");
        }
        Path explicit = dir.resolve("notes.txt");
        List<Path> files = ImageFiles.expand(List.of(explicit, dir));
        assertEquals(
                List.of(
                        explicit,
                        dir.resolve("a.jpeg"),
                        dir.resolve("b.PNG"),
                        dir.resolve("e.bmp"),
                        dir.resolve("z/d.gif"),
                        dir.resolve("z/y/c.webp")),
                files);
        assertTrue(ImageFiles.hasImageExtension(Path.of("x.JPG")));
    }
}
