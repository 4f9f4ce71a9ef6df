package org.resnet4j.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.resnet4j.ResNet4jException;
import org.resnet4j.files.Folders;

/**
 * Spark's scratch folders ({@code spark-*}, {@code blockmgr-*}) for a job run on this machine
 * ({@code local[N]}), kept under one folder per process, {@code <java.io.tmpdir>/resnet4j-spark-<pid>}.
 * Spark deletes its folders when the JVM exits normally or on SIGINT/SIGTERM; a run killed outright
 * (SIGKILL, the OOM killer) cannot, and would leave them in /tmp for ever. So each run first removes
 * the folders of runs whose process no longer exists, and removes its own at exit.
 *
 * <p>Left alone: a {@code spark.local.dir} or {@code SPARK_LOCAL_DIRS} the user chose, and cluster
 * masters, whose executors keep their scratch space where the cluster manager says.
 */
final class LocalScratch {
    static final String PREFIX = "resnet4j-spark-";

    private LocalScratch() {}

    /** Points a local run's {@code spark.local.dir} at this process's folder (see the class comment). */
    static void configure(SparkSession.Builder builder, String master) {
        String m = master != null ? master : System.getProperty("spark.master", "");
        if (!m.startsWith("local")
                || System.getProperty("spark.local.dir") != null
                || System.getenv("SPARK_LOCAL_DIRS") != null) {
            return;
        }
        Path root = Path.of(System.getProperty("java.io.tmpdir"));
        sweep(root);
        Path mine = root.resolve(PREFIX + ProcessHandle.current().pid());
        try {
            Files.createDirectories(mine);
        } catch (IOException e) {
            throw new ResNet4jException.FileAccessException(
                    "cannot create Spark's scratch folder " + mine + ": " + e.getMessage(), e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> Folders.deleteTree(mine), "resnet4j-spark-scratch"));
        builder.config("spark.local.dir", mine.toString());
    }

    /** Removes the {@code resnet4j-spark-<pid>} folders under {@code root} whose process has ended. */
    static void sweep(Path root) {
        try (Stream<Path> entries = Files.list(root)) {
            entries.filter(p -> orphan(p.getFileName().toString())).forEach(Folders::deleteTree);
        } catch (IOException e) {
            // an unreadable temporary folder: nothing of ours to clean there
        }
    }

    private static boolean orphan(String name) {
        if (!name.startsWith(PREFIX)) {
            return false;
        }
        long pid;
        try {
            pid = Long.parseLong(name.substring(PREFIX.length()));
        } catch (NumberFormatException e) {
            return false;
        }
        return ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true);
    }
}
