package org.resnet4j.spark;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.resnet4j.ResNet4jException;

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
                throw new ResNet4jException("weights " + path + " is not a file");
            }
            if ("file".equals(fs.getScheme())) {
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
            throw new ResNet4jException("weights file " + path + " does not exist");
        } catch (IOException e) {
            throw new ResNet4jException("cannot read weights " + path + ": " + e.getMessage(), e);
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
            long length = fs.getFileStatus(p).getLen();
            if (length > maxBytes) {
                throw new ResNet4jException(
                        path + ": " + length + " bytes exceeds the limit of " + maxBytes + " bytes per image");
            }
            try (InputStream in = fs.open(p)) {
                byte[] data = in.readNBytes((int) length);
                if (data.length != length) {
                    throw new ResNet4jException(path + ": read " + data.length + " of its " + length + " bytes");
                }
                return data;
            }
        } catch (IOException e) {
            throw new ResNet4jException("cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    /** Whether {@code path} exists. */
    static boolean exists(String path, Configuration conf) {
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
        try {
            return p.getFileSystem(conf).exists(p);
        } catch (IOException e) {
            throw new ResNet4jException("cannot check " + path + ": " + e.getMessage(), e);
        }
    }
}
