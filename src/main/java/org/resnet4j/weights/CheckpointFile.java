package org.resnet4j.weights;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import org.resnet4j.ResNet4jException;
import org.resnet4j.ResNet4jException.FormatException;
import org.resnet4j.ResNet4jException.UnsupportedModelException;
import org.resnet4j.files.InputFiles;

/**
 * A checkpoint file opened for positional reads and memory mapping, with every range checked
 * against the file size so that a truncated or lying file fails with a {@link FormatException}
 * naming it. Closing the channel does not unmap buffers already handed out.
 */
final class CheckpointFile implements AutoCloseable {
    final Path path;
    final String name;
    final long size;
    private final FileChannel channel;

    private CheckpointFile(Path path, FileChannel channel, long size) {
        this.path = path;
        this.name = path.toString();
        this.channel = channel;
        this.size = size;
    }

    static CheckpointFile open(Path path) {
        try {
            FileChannel ch = InputFiles.open(path, "checkpoint"); // a FIFO would block in open
            return new CheckpointFile(path, ch, ch.size());
        } catch (IOException e) {
            throw new ResNet4jException.FileAccessException("cannot open checkpoint " + path + ": " + e, e);
        }
    }

    /** Checks that {@code [position, position + length)} lies inside the file. */
    void checkRange(long position, long length, String what) {
        if (position < 0 || length < 0 || position > size || length > size - position) {
            throw new FormatException(name + ": " + what + " needs bytes " + position + ".." + (position + length)
                    + " but the file has " + size + " bytes (truncated or corrupt)");
        }
    }

    /** Reads {@code length} bytes at {@code position} into a little-endian heap buffer. */
    ByteBuffer read(long position, int length, String what) {
        checkRange(position, length, what);
        ByteBuffer buf = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        try {
            while (buf.hasRemaining()) {
                int n = channel.read(buf, position + buf.position());
                if (n < 0) {
                    throw new FormatException(name + ": unexpected end of file reading " + what);
                }
            }
        } catch (IOException e) {
            throw new ResNet4jException.FileAccessException(name + ": I/O error reading " + what + ": " + e, e);
        }
        return buf.flip();
    }

    /** Maps {@code length} bytes at {@code position} read-only, little-endian. */
    ByteBuffer map(long position, long length, String what) {
        checkRange(position, length, what);
        if (length > Integer.MAX_VALUE) {
            throw new UnsupportedModelException(
                    name + ": " + what + " is " + length + " bytes; a single storage over 2 GiB is not supported");
        }
        if (length == 0) {
            return ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN);
        }
        try {
            return channel.map(FileChannel.MapMode.READ_ONLY, position, length).order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new ResNet4jException.FileAccessException(name + ": cannot map " + what + ": " + e, e);
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // read-only channel: nothing was lost
        }
    }
}
