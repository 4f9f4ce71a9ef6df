package org.resnet4j;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.resnet4j.ResNet4jException.FileAccessException;
import org.resnet4j.ResNet4jException.UnsafeContentException;
import org.resnet4j.files.Folders;

/**
 * Models handed over as streams: read with the same bound ({@code model.maxStreamBytes}) before any
 * reader sees them. A checkpoint is copied to a private file (mode 0700 folder, the stream's name as
 * the file's, so messages still name it) because the readers map checkpoints from disk; an ONNX model
 * is read into memory, as a file would be. Stateless.
 */
final class ModelStreams {
    private ModelStreams() {}

    /** The ONNX model of {@code in}, read to its end, at most protobuf's 2 GiB and {@code model.maxStreamBytes}. */
    static byte[] readOnnx(InputStream in, String name) {
        long limit = Math.min(ReaderLimits.current().modelMaxStreamBytes(), Integer.MAX_VALUE - 8);
        try {
            byte[] bytes = in.readNBytes((int) limit);
            if (bytes.length == limit && in.read() >= 0) {
                throw tooLong(name, limit);
            }
            return bytes;
        } catch (IOException e) {
            throw new FileAccessException("cannot read " + name + ": " + e.getMessage(), e);
        }
    }

    /** {@code in} copied to a new private file named after {@code name}; delete it with {@link #delete}. */
    static Path copyCheckpoint(InputStream in, String name) {
        long limit = ReaderLimits.current().modelMaxStreamBytes();
        Path dir = null;
        try {
            dir = Files.createTempDirectory(
                    "resnet4j-stream-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path file = dir.resolve(fileName(name));
            try (OutputStream out = Files.newOutputStream(file)) {
                byte[] buf = new byte[1 << 16];
                long total = 0;
                for (int n; (n = in.read(buf)) >= 0; ) {
                    total += n;
                    if (total > limit) {
                        throw tooLong(name, limit);
                    }
                    out.write(buf, 0, n);
                }
            }
            return file;
        } catch (IOException e) {
            delete(dir);
            throw new FileAccessException("cannot copy " + name + " to a temporary file: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            delete(dir);
            throw e;
        }
    }

    /** Removes a copy made by {@link #copyCheckpoint} (its folder too). */
    static void delete(Path copy) {
        if (copy != null) {
            Folders.deleteTree(Files.isDirectory(copy) ? copy : copy.getParent());
        }
    }

    // the stream's name as a file name: its last path segment, with nothing a file name cannot hold
    private static String fileName(String name) {
        String last = name.substring(name.lastIndexOf('/') + 1);
        String safe = last.replaceAll("[^A-Za-z0-9._-]", "_");
        return safe.isEmpty() || safe.startsWith(".") ? "checkpoint" + safe : safe;
    }

    private static UnsafeContentException tooLong(String name, long limit) {
        return new UnsafeContentException(name + ": the stream holds more than " + limit + " bytes, "
                + ReaderLimits.hint("model.maxStreamBytes"));
    }
}
