package org.resnet4j.engine;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ONNX Runtime's optimised form of a model, kept between processes. Opening a session on an ONNX
 * model parses its protobuf, copies every initializer and runs the graph optimisers (for resnet50 at
 * level {@code all}: about 0.7 s of a cold 1.0-1.9 s on a 2-core Zen 4); opening the same model
 * already optimised and saved in ORT's own flatbuffer format, with the session reading the weights
 * straight from the buffer ({@code session.use_ort_model_bytes_directly}), takes about 0.2 s and no
 * second copy of the weights (docs/PERFORMANCE.md, "Start-up"). So the first session of a model saves
 * its optimised graph here, and later sessions of the same model open that.
 *
 * <p>An entry is used only for the model it was made from, by the ONNX Runtime that made it, on a
 * CPU with the same features: its name is the SHA-256 of the model's bytes, ORT's version, the
 * optimisation settings (level, disabled rules) and the CPU's feature flags (level {@code all}
 * rewrites convolutions into blocked layouts sized for the vector width it finds). A hash that
 * differs is a miss, never a near match. The entry's own length and CRC-32C are in its file name and
 * checked on every read, so a truncated or damaged file is a miss (and is removed), not a crash in
 * native code. The folder is private ({@code rwx------}, owned by the user): an entry is trusted the
 * way ONNX Runtime's cached native libraries beside it are ({@link OrtNativeLibraries}), and a folder
 * that others can write is not used. Entries are written under a temporary name and moved into
 * place, so concurrent processes and a kill mid-write leave whole files or none. Least recently used
 * entries beyond a size ({@link #MAX_BYTES} by default) are removed after each write.
 *
 * <p>Anything that goes wrong here (a read-only home, a full disk, ORT refusing to save a model in
 * its format) only costs the speed-up: the session is opened from the ONNX bytes as without a cache.
 * Thread-safe: instances hold no mutable state.
 */
final class OrtSessionCache {
    /** Room the entries may take by default: ten ResNet-50s (102 MB each), the least recently used go first. */
    static final long MAX_BYTES = 1L << 30;

    private static final Logger LOG = LoggerFactory.getLogger(OrtSessionCache.class);
    private static final String SUFFIX = ".ort";
    private static final String FORMAT = "resnet4j ORT session cache 1";

    private final Path dir;
    private final long maxBytes;

    /** A cache in {@code dir} (made private on first write) keeping at most {@code maxBytes} of entries. */
    OrtSessionCache(Path dir, long maxBytes) {
        this.dir = dir;
        this.maxBytes = maxBytes;
    }

    /** The default folder: {@code $XDG_CACHE_HOME/resnet4j/ort-sessions} or {@code ~/.cache/resnet4j/ort-sessions}. */
    static Path defaultDir() {
        return OrtNativeLibraries.cacheRoot().resolve("ort-sessions");
    }

    /**
     * A session open on an entry's bytes, which must outlive the session (ORT reads the weights from
     * them): free {@code buffer} only after closing {@code session}.
     */
    record Opened(OrtSession session, ByteBuffer buffer, boolean hit) {}

    /** Makes a new set of session options (ORT's options cannot be copied): the caller's settings. */
    @FunctionalInterface
    interface Options {
        OrtSession.SessionOptions make() throws OrtException;
    }

    /**
     * Opens {@code model} with the options {@code options} makes (whose optimisation settings
     * {@code settings} names), from the cache when it holds the model, else from the bytes, saving
     * the optimised model for the next time.
     */
    Opened open(OrtEnvironment env, byte[] model, Options options, String settings) throws OrtException {
        String key = key(env, model, settings);
        if (key == null || !usable()) {
            try (OrtSession.SessionOptions so = options.make()) {
                return new Opened(env.createSession(model, so), null, false);
            }
        }
        ByteBuffer cached = read(key);
        if (cached != null) {
            try (OrtSession.SessionOptions fromCache = options.make()) {
                fromCache.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
                fromCache.addConfigEntry("session.load_model_format", "ORT");
                fromCache.addConfigEntry("session.use_ort_model_bytes_directly", "1");
                fromCache.addConfigEntry("session.use_ort_model_bytes_for_initializers", "1");
                return new Opened(env.createSession(cached, fromCache), cached, true);
            } catch (OrtException | RuntimeException e) {
                DirectBuffers.free(cached);
                LOG.debug("cached session {} not opened ({}); opening the model", key, e.toString());
            }
        }
        Path tmp = null;
        try {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PRIVATE));
            tmp = Files.createTempFile(dir, ".part-", SUFFIX);
        } catch (IOException | UnsupportedOperationException e) {
            LOG.debug("session cache {} not writable ({})", dir, e.toString());
        }
        try (OrtSession.SessionOptions saving = options.make()) {
            if (tmp == null) {
                return new Opened(env.createSession(model, saving), null, false);
            }
            saving.setOptimizedModelFilePath(tmp.toString());
            saving.addConfigEntry("session.save_model_format", "ORT");
            OrtSession session = env.createSession(model, saving);
            store(key, tmp);
            return new Opened(session, null, false);
        } finally {
            deleteQuietly(tmp);
        }
    }

    /** The entry name for {@code model} under {@code settings}, or null where the CPU cannot be told. */
    private static String key(OrtEnvironment env, byte[] model, String settings) {
        String cpu = CpuFeatures.signature();
        if (cpu == null) {
            return null;
        }
        MessageDigest md = sha256();
        // fed in blocks: one update of 100 MB stays in the interpreter, blocks reach the SHA intrinsic
        for (int off = 0; off < model.length; off += 1 << 16) {
            md.update(model, off, Math.min(1 << 16, model.length - off));
        }
        byte[] modelHash = md.digest();
        md.update((FORMAT + '\n' + env.getVersion() + '\n' + settings + '\n' + cpu + '\n')
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        md.update(modelHash);
        return HexFormat.of().formatHex(md.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }

    private static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rwx------");

    /** True when the folder is absent (made private on write) or private and ours. */
    private boolean usable() {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return true;
        }
        try {
            PosixFileAttributes a = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            UserPrincipal me = dir.getFileSystem()
                    .getUserPrincipalLookupService()
                    .lookupPrincipalByName(System.getProperty("user.name"));
            boolean ok =
                    a.isDirectory() && a.owner().equals(me) && a.permissions().equals(PRIVATE);
            if (!ok) {
                LOG.debug("session cache {} not used: not a private folder of {}", dir, me);
            }
            return ok;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** The entry for {@code key} in a new direct buffer, or null when there is none or it is damaged. */
    private ByteBuffer read(String key) {
        Path entry = find(key);
        if (entry == null) {
            return null;
        }
        String[] parts = entry.getFileName().toString().split("[-.]");
        ByteBuffer b = null;
        try (FileChannel ch = FileChannel.open(entry, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            long length = Long.parseLong(parts[1], 16);
            if (ch.size() != length || length > Integer.MAX_VALUE) {
                throw new IOException("length " + ch.size() + ", expected " + length);
            }
            b = ByteBuffer.allocateDirect((int) length);
            while (b.hasRemaining() && ch.read(b) >= 0) {
                // reads until full
            }
            b.flip();
            CRC32C crc = new CRC32C();
            crc.update(b.duplicate());
            if (b.remaining() != length || crc.getValue() != Long.parseLong(parts[2], 16)) {
                throw new IOException("CRC-32C differs");
            }
            Files.setLastModifiedTime(entry, FileTime.fromMillis(System.currentTimeMillis()));
            return b;
        } catch (IOException | RuntimeException e) {
            LOG.debug("session cache entry {} dropped ({})", entry, e.toString());
            if (b != null) {
                DirectBuffers.free(b);
            }
            deleteQuietly(entry);
            return null;
        }
    }

    private Path find(String key) {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, key + "-*" + SUFFIX)) {
            for (Path p : s) {
                return p;
            }
        } catch (IOException e) {
            // no folder yet
        }
        return null;
    }

    /** Moves the optimised model ORT wrote to {@code tmp} into place as the entry for {@code key}. */
    private void store(String key, Path tmp) {
        try {
            long length = Files.size(tmp);
            if (length == 0) {
                return; // this ORT saved nothing in its format
            }
            CRC32C crc = new CRC32C();
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.READ)) {
                ByteBuffer buf = ByteBuffer.allocate(1 << 20);
                while (ch.read(buf) > 0) {
                    buf.flip();
                    crc.update(buf);
                    buf.clear();
                }
            }
            Path entry =
                    dir.resolve(key + "-" + Long.toHexString(length) + "-" + Long.toHexString(crc.getValue()) + SUFFIX);
            try {
                Files.move(tmp, entry, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, entry, StandardCopyOption.REPLACE_EXISTING);
            }
            evict(entry);
        } catch (IOException | RuntimeException e) {
            LOG.debug("session not cached ({})", e.toString());
        }
    }

    /** Removes the least recently used entries (by the time a read touched them) beyond {@code maxBytes}. */
    private void evict(Path keep) throws IOException {
        List<Path> entries = new ArrayList<>();
        long hourAgo = System.currentTimeMillis() - 3_600_000;
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path p : s) {
                if (!p.getFileName().toString().startsWith(".")) {
                    entries.add(p);
                } else if (lastUse(p).toMillis() < hourAgo) {
                    deleteQuietly(p); // left by a process killed while ORT was writing it
                }
            }
        }
        entries.sort((a, b) -> lastUse(b).compareTo(lastUse(a)));
        long total = 0;
        for (Path p : entries) {
            total += sizeOf(p);
            if (total > maxBytes && !p.equals(keep)) {
                deleteQuietly(p);
            }
        }
    }

    private static FileTime lastUse(Path p) {
        try {
            return Files.getLastModifiedTime(p);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    private static long sizeOf(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0;
        }
    }

    private static void deleteQuietly(Path p) {
        if (p == null) {
            return;
        }
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // gone already, or not ours to delete: a later eviction tries again
        }
    }
}
