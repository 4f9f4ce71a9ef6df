package org.resnet4j.engine;

import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where ONNX Runtime's native libraries are loaded from. Left to itself, ONNX Runtime's Java binding
 * copies its 28 MB of {@code .so} files into a new {@code /tmp/onnxruntime-java*} folder in every
 * process, deletes the files at exit but not the folder (the folder's delete-on-exit runs first, while
 * it is still full), and leaves everything after a crash or a kill. So, before ONNX Runtime first
 * loads, the libraries of the jar on the class path are copied once into a per-user cache folder named
 * for their size and CRC ({@code $XDG_CACHE_HOME/resnet4j} or {@code ~/.cache/resnet4j}, mode 0700), and
 * {@code onnxruntime.native.path} points there; ONNX Runtime's own temporary folder then stays empty and
 * is removed at exit. A user who set {@code onnxruntime.native.path} keeps it; when the cache cannot be
 * written (a read-only home), ONNX Runtime's default is kept. Each file is written under a temporary
 * name and moved into place, so a process killed while copying leaves no truncated library behind.
 * Thread-safe (one preparation per class loader).
 */
final class OrtNativeLibraries {
    static final String PROPERTY = "onnxruntime.native.path";

    private static final Logger LOG = LoggerFactory.getLogger(OrtNativeLibraries.class);
    private static boolean prepared;

    private OrtNativeLibraries() {}

    /** Points ONNX Runtime at the cached copy of its libraries, making it first if needed. Idempotent. */
    static synchronized void prepare() {
        if (prepared) {
            return;
        }
        prepared = true;
        if (System.getProperty(PROPERTY) != null) {
            return;
        }
        try {
            Path dir = cached(cacheRoot());
            if (dir != null) {
                System.setProperty(PROPERTY, dir.toString());
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("ONNX Runtime's libraries not cached ({}); it extracts them to a temporary folder", e.toString());
        }
    }

    static Path cacheRoot() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("resnet4j");
    }

    /** The folder under {@code root} holding this jar's libraries, or null when they are not in a jar. */
    static Path cached(Path root) throws IOException {
        String prefix = "ai/onnxruntime/native/" + platform() + "/";
        URL any = ai.onnxruntime.OrtEnvironment.class.getResource("/" + prefix + System.mapLibraryName("onnxruntime"));
        if (any == null) {
            return null;
        }
        URLConnection c = any.openConnection();
        if (!(c instanceof JarURLConnection jc)) {
            return null; // an exploded class path: ONNX Runtime's default
        }
        jc.setUseCaches(false);
        try (JarFile jar = jc.getJarFile()) {
            List<JarEntry> libs = new ArrayList<>();
            long key = 17;
            for (Enumeration<JarEntry> en = jar.entries(); en.hasMoreElements(); ) {
                JarEntry e = en.nextElement();
                String name = e.getName();
                if (name.startsWith(prefix) && !e.isDirectory() && name.indexOf('/', prefix.length()) < 0) {
                    libs.add(e);
                    key = key * 31 + name.hashCode();
                    key = key * 31 + e.getSize();
                    key = key * 31 + e.getCrc();
                }
            }
            Path dir = root.resolve("onnxruntime-" + platform() + "-" + Long.toHexString(key));
            Path done = dir.resolve(".complete");
            if (Files.isRegularFile(done)) {
                return dir;
            }
            Files.createDirectories(root);
            try {
                Files.createDirectory(
                        dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // another process is copying or copied: each file below is moved into place whole
            }
            for (JarEntry e : libs) {
                Path target = dir.resolve(e.getName().substring(prefix.length()));
                if (Files.isRegularFile(target) && Files.size(target) == e.getSize()) {
                    continue;
                }
                Path tmp = Files.createTempFile(dir, ".part-", ".tmp");
                try (InputStream in = jar.getInputStream(e)) {
                    Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                    move(tmp, target);
                } finally {
                    Files.deleteIfExists(tmp);
                }
            }
            Path tmp = Files.createTempFile(dir, ".part-", ".tmp");
            move(tmp, done);
            return dir;
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** The folder name ONNX Runtime's jar uses for this machine, e.g. {@code linux-x64}. */
    static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String o = os.contains("mac") || os.contains("darwin") ? "osx" : os.contains("win") ? "win" : "linux";
        String a = arch.equals("amd64") || arch.equals("x86_64") ? "x64" : arch;
        return o + "-" + a;
    }
}
