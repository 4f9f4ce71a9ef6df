package org.resnet4j.spark;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.resnet4j.ResNet4jException;
import org.resnet4j.files.InputFiles;
import org.resnet4j.vision.ImageFiles;

/** Reading files named by Hadoop paths ({@code file:}, {@code hdfs:}, {@code s3a:}, ...) where a task runs. */
final class HadoopFiles {
    private HadoopFiles() {}

    /**
     * A local file with the content of {@code path}: the file itself on the local file system, else a
     * copy in the temporary folder (deleted when the JVM exits). The checkpoint readers take local files.
     */
    static Path local(String path, Configuration conf) {
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
        try {
            FileSystem fs = p.getFileSystem(conf);
            FileStatus status = fs.getFileStatus(p);
            if (!status.isFile()) {
                throw new ResNet4jException.FileAccessException("weights " + path + " is not a file");
            }
            if (isLocal(fs)) {
                return Path.of(fs.makeQualified(p).toUri());
            }
            String name = p.getName();
            int dot = name.lastIndexOf('.');
            Path copy = Files.createTempFile("resnet4j-weights-", dot > 0 ? name.substring(dot) : "");
            copy.toFile().deleteOnExit();
            try (InputStream in = fs.open(p)) {
                Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
            }
            return copy;
        } catch (FileNotFoundException e) {
            throw new ResNet4jException.FileAccessException("weights file " + path + " does not exist");
        } catch (IOException e) {
            throw new ResNet4jException.FileAccessException("cannot read weights " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * The bytes of {@code path}, refusing a file longer than {@code maxBytes} before reading it.
     *
     * @throws ResNet4jException naming the file when it is too long or cannot be read
     */
    static byte[] read(String path, long maxBytes, Configuration conf) {
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
        try {
            FileSystem fs = p.getFileSystem(conf);
            if (isLocal(fs)) {
                // opening a FIFO blocks the task for ever, a device reads without end: refused unopened
                InputFiles.requireRegular(Path.of(fs.makeQualified(p).toUri()), "image");
            }
            long length = fs.getFileStatus(p).getLen();
            if (length > maxBytes) {
                throw new ResNet4jException.UnsafeContentException(
                        path + ": " + length + " bytes exceeds the limit of " + maxBytes + " bytes per image");
            }
            try (InputStream in = fs.open(p)) {
                byte[] data = in.readNBytes((int) length);
                if (data.length != length) {
                    throw new ResNet4jException.FileAccessException(
                            path + ": read " + data.length + " of its " + length + " bytes");
                }
                return data;
            }
        } catch (IOException e) {
            throw new ResNet4jException.FileAccessException("cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * The image files an input stands for, sorted: a folder's images under it (recursively; hidden names
     * left out, by extension), a file as given. On the local file system this is exactly the listing
     * {@code classify} makes ({@link ImageFiles#imagesUnder}): symbolic links to folders are not
     * followed, so a link loop cannot make the walk endless, and what is not a regular file (a FIFO) is
     * left out. Elsewhere (HDFS, object stores, which have no such links) Hadoop's recursive listing is
     * filtered by the same rules. The paths are qualified Hadoop paths ({@code file:/...}).
     */
    static List<String> imagesUnder(String input, Configuration conf) {
        org.apache.hadoop.fs.Path root = new org.apache.hadoop.fs.Path(input);
        try {
            FileSystem fs = root.getFileSystem(conf);
            root = fs.makeQualified(root);
            if (!fs.getFileStatus(root).isDirectory()) {
                return List.of(root.toString());
            }
            List<String> out = new ArrayList<>();
            if (isLocal(fs)) {
                for (Path f : ImageFiles.imagesUnder(Path.of(root.toUri()))) {
                    out.add(fs.makeQualified(new org.apache.hadoop.fs.Path(f.toUri()))
                            .toString());
                }
                return out;
            }
            int rootDepth = root.depth();
            RemoteIterator<LocatedFileStatus> files = fs.listFiles(root, true);
            while (files.hasNext()) {
                org.apache.hadoop.fs.Path f = files.next().getPath();
                if (ImageFiles.hasImageExtension(f.getName()) && !hiddenBelow(f, rootDepth)) {
                    out.add(f.toString());
                }
            }
            out.sort(null);
            return out;
        } catch (FileNotFoundException e) {
            throw new ResNet4jException.FileAccessException("input " + input + " does not exist");
        } catch (IOException e) {
            throw new ResNet4jException.FileAccessException("cannot list " + input + ": " + e.getMessage(), e);
        }
    }

    /** Whether some name on {@code f}'s path below the listed root is hidden. */
    private static boolean hiddenBelow(org.apache.hadoop.fs.Path f, int rootDepth) {
        for (org.apache.hadoop.fs.Path q = f; q != null && q.depth() > rootDepth; q = q.getParent()) {
            if (ImageFiles.hiddenName(q.getName())) {
                return true;
            }
        }
        return false;
    }

    private static boolean isLocal(FileSystem fs) {
        return "file".equals(fs.getScheme());
    }

    /** Whether {@code path} exists. */
    static boolean exists(String path, Configuration conf) {
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
        try {
            return p.getFileSystem(conf).exists(p);
        } catch (IOException e) {
            throw new ResNet4jException.FileAccessException("cannot check " + path + ": " + e.getMessage(), e);
        }
    }
}
