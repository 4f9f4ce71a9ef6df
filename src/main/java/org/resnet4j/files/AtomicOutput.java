package org.resnet4j.files;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.resnet4j.ResNet4jException;

/**
 * Writes a file so that readers see either the old content or the complete new one: the bytes go to
 * a temporary file in the target's folder (same file system, so the move is a rename) and are moved
 * into place only after the writer returned normally. A failed write deletes the temporary file.
 * A target that exists but is not a regular file (a device, a FIFO, a folder) is refused before
 * anything is written; the new file's permissions follow the umask.
 *
 * <p>Stateless and thread-safe; two writers of the same target race, and the last move wins.
 */
public final class AtomicOutput {
    private AtomicOutput() {}

    /** Something that writes a whole file to a stream. */
    @FunctionalInterface
    public interface Writer {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Something that writes a whole file through a channel (for large zero-copy writes). */
    @FunctionalInterface
    public interface ChannelWriter {
        void writeTo(FileChannel channel) throws IOException;
    }

    public static void write(Path target, Writer writer) throws IOException {
        writeChannel(target, ch -> {
            try (OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16)) {
                writer.writeTo(out);
            }
        });
    }

    public static void writeChannel(Path target, ChannelWriter writer) throws IOException {
        try (Batch b = new Batch()) {
            b.writeChannel(target, writer);
            b.commit();
        }
    }

    /**
     * Several files committed together: each is written to its temporary file first, and only when
     * all were written does {@link #commit} move them into place, one rename each. A failure before
     * that (a writer throws, a target is refused) leaves every target as it was, and {@link #close}
     * deletes the temporary files. Two outputs to the same path are refused, rather than one silently
     * replacing the other. Not thread-safe: one command's outputs.
     */
    public static final class Batch implements AutoCloseable {
        /** A written temporary file, the absolute path it moves to, and the target as the caller named it. */
        private record Staged(Path tmp, Path absolute, Path target) {}

        private final List<Staged> staged = new ArrayList<>();
        private final Set<Path> targets = new HashSet<>();
        private boolean committed;

        /** Writes {@code target}'s content to a temporary file beside it, to be moved by {@link #commit}. */
        public void write(Path target, Writer writer) throws IOException {
            writeChannel(target, ch -> {
                try (OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16)) {
                    writer.writeTo(out);
                }
            });
        }

        /** Same, through a channel. */
        public void writeChannel(Path target, ChannelWriter writer) throws IOException {
            Path absolute = target.toAbsolutePath().normalize();
            Path dir = absolute.getParent();
            if (dir != null && !Files.isDirectory(dir)) {
                throw new IOException("cannot write " + target + ": folder " + dir + " does not exist");
            }
            Path key = Files.exists(absolute) ? absolute.toRealPath() : absolute;
            if (!targets.add(key)) {
                throw new IllegalArgumentException("two outputs are " + target + "; give each output its own file");
            }
            requireWritableTarget(target);
            Path tmp = createTemp(dir, absolute.getFileName().toString());
            staged.add(new Staged(tmp, absolute, target));
            try (FileChannel ch =
                    FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                writer.writeTo(ch);
            }
        }

        /** Moves every written file into place (after checking each target again: writing may take long). */
        public void commit() throws IOException {
            for (Staged s : staged) {
                requireWritableTarget(s.target());
            }
            for (Staged s : staged) {
                try {
                    Files.move(
                            s.tmp(), s.absolute(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(s.tmp(), s.absolute(), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            committed = true;
        }

        /** Deletes the temporary files of an uncommitted batch. */
        @Override
        public void close() throws IOException {
            if (committed) {
                return;
            }
            for (Staged s : staged) {
                Files.deleteIfExists(s.tmp());
            }
        }
    }

    /**
     * A target that exists must be a regular file (a link to one is fine): the rename would otherwise
     * replace a device node such as {@code /dev/null} (as root, the system's own) with a regular file,
     * or a FIFO that a reader waits on, and report success.
     */
    static void requireWritableTarget(Path target) {
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(target, BasicFileAttributes.class);
        } catch (IOException e) {
            return; // absent (or a dangling link, which the rename replaces): nothing to protect
        }
        if (!attrs.isRegularFile()) {
            throw new ResNet4jException.FileAccessException("output " + target + " exists and is not a regular file ("
                    + InputFiles.kind(target, attrs) + "); resnet4j writes only regular files");
        }
    }

    /**
     * A new, empty file beside the target. Created with CREATE_NEW and no explicit permissions, so the
     * process umask applies (0644 under umask 022), as for any file a command-line tool writes;
     * {@code Files.createTempFile} would force 0600 on the finished output.
     */
    private static Path createTemp(Path dir, String name) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path tmp = dir.resolve("." + name + "."
                    + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36) + ".tmp");
            try {
                FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)
                        .close();
                return tmp;
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 100) {
                    throw e;
                }
            }
        }
    }
}
