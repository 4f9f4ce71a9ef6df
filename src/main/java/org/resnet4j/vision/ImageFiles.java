package org.resnet4j.vision;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import org.resnet4j.ResNet4jException;

/**
 * Expands command-line inputs into image files: a folder stands for the image files under it
 * (recursively, sorted by path, by extension: {@link #EXTENSIONS}; hidden files and folders, whose
 * names start with a dot, are left out); anything else is kept as given,
 * whatever its name, so that the decoder tries it and reports it by name when it is not an image.
 */
public final class ImageFiles {
    /** Extensions picked up in folders (lower case; matched case-insensitively). */
    public static final Set<String> EXTENSIONS = Set.of("jpg", "jpeg", "png", "bmp", "gif", "webp");

    private ImageFiles() {}

    /** The files to classify, in order: the arguments in the given order, each folder's images sorted. */
    public static List<Path> expand(List<Path> inputs) {
        List<Path> out = new ArrayList<>();
        for (Path p : inputs) {
            if (Files.isDirectory(p)) {
                out.addAll(imagesUnder(p));
            } else {
                out.add(p);
            }
        }
        return out;
    }

    /** {@link #expand}, failing when no file is left (an empty folder, say). */
    public static List<Path> expandOrFail(List<Path> inputs) {
        List<Path> files = expand(inputs);
        if (files.isEmpty()) {
            throw new ResNet4jException("no image files ("
                    + String.join(", ", EXTENSIONS.stream().sorted().toList()) + ") in "
                    + inputs.stream().map(Path::toString).toList());
        }
        return files;
    }

    /** The image files under {@code dir}, recursively, sorted by path. */
    public static List<Path> imagesUnder(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(p -> !hidden(dir.relativize(p)))
                    .filter(Files::isRegularFile)
                    .filter(ImageFiles::hasImageExtension)
                    .sorted()
                    .toList();
        } catch (IOException | UncheckedIOException e) {
            Throwable cause = e instanceof UncheckedIOException u ? u.getCause() : e;
            throw new ResNet4jException.FileAccessException(
                    "cannot list folder " + dir + ": " + cause.getMessage(), cause);
        }
    }

    /** Whether a path inside a folder is hidden: some name on it starts with a dot (.git, macOS ._ files). */
    private static boolean hidden(Path relative) {
        for (Path name : relative) {
            if (hiddenName(name.toString())) {
                return true;
            }
        }
        return false;
    }

    /** Whether a file or folder name is hidden, so that a folder listing leaves it (and what is under it) out. */
    public static boolean hiddenName(String name) {
        return name.startsWith(".");
    }

    /** Whether the file name ends in one of {@link #EXTENSIONS}. */
    public static boolean hasImageExtension(Path file) {
        return hasImageExtension(file.getFileName().toString());
    }

    /** Whether the file name ends in one of {@link #EXTENSIONS}. */
    public static boolean hasImageExtension(String name) {
        int dot = name.lastIndexOf('.');
        return dot > 0 && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }
}
