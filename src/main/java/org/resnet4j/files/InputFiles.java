package org.resnet4j.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import org.resnet4j.ResNet4jException;
import org.resnet4j.ResNet4jException.UnsafeContentException;

/**
 * Opening a file we did not make, for every reader (models, checkpoints, tensors, images): what is not a
 * regular file is refused <em>before</em> it is opened, because opening a FIFO blocks until someone writes
 * to it, a character device such as {@code /dev/zero} reads without end, and a folder fails obscurely.
 * Symbolic links are followed (the target is what is checked).
 *
 * <p>The check and the open are two system calls, so a file swapped for a FIFO in between still blocks;
 * what matters for safety is that a reader validates and uses the same bytes, which {@link #readAll}
 * gives it (one read, into memory, checked not to grow while read).
 *
 * <p>Stateless and thread-safe.
 */
public final class InputFiles {
    private static final int S_IFMT = 0170000;

    private InputFiles() {}

    /**
     * Refuses a path that does not exist or is not a regular file, without opening it.
     *
     * @param what how the message names the file: "model file", "input file", "checkpoint"
     * @throws ResNet4jException naming the file and what it is instead
     */
    public static void requireRegular(Path file, String what) {
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new ResNet4jException.FileAccessException(what + " " + file + " does not exist");
        } catch (IOException e) {
            throw new ResNet4jException.FileAccessException(
                    "cannot read " + what + " " + file + ": " + e.getMessage(), e);
        }
        if (!attrs.isRegularFile()) {
            throw new ResNet4jException.FileAccessException(
                    what + " " + file + " is not a regular file (" + kind(file, attrs) + ")");
        }
    }

    /** {@link #requireRegular}, then opens the file for reading. The caller closes the channel. */
    public static FileChannel open(Path file, String what) {
        requireRegular(file, what);
        try {
            return FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new ResNet4jException.FileAccessException(what + " " + file + " does not exist");
        } catch (IOException e) {
            throw new ResNet4jException.FileAccessException(
                    "cannot read " + what + " " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads a whole regular file into memory with one open: the bytes a caller validates are the bytes it
     * uses (never reopen the path afterwards). A file larger than {@code maxBytes} is refused before
     * anything is allocated, naming {@code limitName}'s property; a file that grows or shrinks while it is
     * read is refused.
     *
     * @param limitName the {@code resnet4j.limit.} name that raises {@code maxBytes}, or null if it is fixed
     */
    public static byte[] readAll(Path file, String what, long maxBytes, String limitName) {
        try (FileChannel ch = open(file, what)) {
            long size = ch.size();
            long max = Math.min(maxBytes, Integer.MAX_VALUE - 8);
            if (size > max) {
                throw new UnsafeContentException(what + " " + file + " has " + size + " bytes, more than the limit of "
                        + max + (limitName == null ? "" : " (" + org.resnet4j.ReaderLimits.hint(limitName) + ")"));
            }
            ByteBuffer buf = ByteBuffer.allocate((int) size);
            while (buf.hasRemaining()) {
                if (ch.read(buf) < 0) {
                    throw new ResNet4jException.FileAccessException(what + " " + file + " shrank while it was read ("
                            + buf.position() + " of " + size + " bytes)");
                }
            }
            if (ch.read(ByteBuffer.allocate(1)) > 0) {
                throw new ResNet4jException.FileAccessException(
                        what + " " + file + " grew while it was read (more than " + size + " bytes)");
            }
            return buf.array();
        } catch (IOException e) {
            throw new ResNet4jException.FileAccessException(
                    "cannot read " + what + " " + file + ": " + e.getMessage(), e);
        }
    }

    /** "a FIFO", "a character device", ...: what the file is instead of a regular file. */
    static String kind(Path file, BasicFileAttributes attrs) {
        if (attrs.isDirectory()) {
            return "a folder";
        }
        try {
            Object mode = Files.getAttribute(file, "unix:mode");
            if (mode instanceof Integer m) {
                switch (m & S_IFMT) {
                    case 0010000:
                        return "a FIFO";
                    case 0020000:
                        return "a character device";
                    case 0060000:
                        return "a block device";
                    case 0140000:
                        return "a socket";
                    default:
                        break;
                }
            }
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            // no unix view on this platform: fall through to the generic description
        }
        return "a special file";
    }
}
