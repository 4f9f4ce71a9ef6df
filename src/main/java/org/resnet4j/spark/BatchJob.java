package org.resnet4j.spark;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.SerializableConfiguration;
import org.resnet4j.ResNet4jException;
import org.resnet4j.console.OneLineErrors;
import org.resnet4j.console.VersionLine;
import org.resnet4j.vision.ImageFiles;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The batch job: classify or embed every image under a folder (any Hadoop path) and write one row
 * per file, {@code path}, then {@code top} or {@code embedding}, then {@code error}, with Spark's
 * writers. Run it with {@code spark-submit --class org.resnet4j.spark.BatchJob resnet4j.jar ...}
 * or, on one machine, {@code ./resnet4j spark --master local[N] ...}.
 *
 * <p>What it guarantees: an existing output is refused and left alone; missing or invalid weights
 * fail on the driver, before any task; a file that is empty, not an image, truncated or too large
 * gives an error row; the rows are written to a hidden folder beside the output and renamed into
 * place when the job has succeeded, so a failed job leaves no output at all; a task or executor lost
 * midway is retried by Spark and its rows are committed once.
 */
@Command(
        name = "spark",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        versionProvider = VersionLine.class,
        description = {
            "Classify or embed every image under a folder on Apache Spark and write one row per file: "
                    + "path, then top (classify) or embedding (embed), then error (null when the file was scored).",
            "Folders are read recursively for .jpg/.jpeg/.png/.bmp/.gif/.webp files; hidden files and folders "
                    + "(names starting with . or _) are skipped. Files that are empty, not images, truncated or "
                    + "larger than --max-bytes get an error row."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:the rows were written",
            "1:bad input (the output exists, the weights are missing or invalid, "
                    + "...) or the job failed; nothing was written",
            "2:usage error",
            "3:internal error (a bug in resnet4j)"
        })
public final class BatchJob implements Callable<Integer> {
    @Option(
            names = "--master",
            paramLabel = "URL",
            description = "Spark master, e.g. local[2] (default: the one spark-submit or spark.master gives).")
    String master;

    @Option(
            names = "--weights",
            required = true,
            paramLabel = "PATH",
            description =
                    "The checkpoint (.pth, .safetensors, ...), any Hadoop path (file:, hdfs:, s3a:); each executor reads it.")
    String weights;

    @Option(
            names = "--input",
            required = true,
            paramLabel = "PATH",
            description = "An image folder (read recursively) or file; any Hadoop path.")
    String input;

    @Option(names = "--output", required = true, paramLabel = "DIR", description = "The output folder; must not exist.")
    String output;

    @Option(
            names = "--mode",
            required = true,
            paramLabel = "classify|embed",
            description = "classify: top-k classes per image; embed: the pooled features before the classifier.")
    String mode;

    @Option(
            names = "--top",
            defaultValue = "5",
            paramLabel = "K",
            description = "Classes per image in classify mode (default ${DEFAULT-VALUE}).")
    int top;

    @Option(
            names = "--format",
            defaultValue = "parquet",
            paramLabel = "parquet|json",
            description = "Output format (default ${DEFAULT-VALUE}).")
    String format;

    @Option(
            names = "--arch",
            paramLabel = "NAME",
            description = "torchvision architecture, e.g. resnet50 (default: inferred from the weights).")
    String arch;

    @Option(
            names = "--spec",
            paramLabel = "FILE.json",
            description = "A block spec file on the driver (default: inferred from the weights).")
    Path spec;

    @Option(
            names = "--preset",
            defaultValue = "v1",
            paramLabel = "v1|v2",
            description =
                    "torchvision preprocessing: v1 (resize 256) or v2 (resize 232); both crop 224. Default ${DEFAULT-VALUE}.")
    String preset;

    @Option(
            names = "--engine",
            defaultValue = "ort",
            paramLabel = "ort|java",
            description = "ort: ONNX Runtime (default); java: the pure-Java engine.")
    String engine;

    @Option(
            names = "--threads",
            defaultValue = "1",
            paramLabel = "T",
            description =
                    "Intra-op threads per task (default ${DEFAULT-VALUE}: one per task, as Spark gives each task one core; 0: all cores).")
    int threads;

    @Option(
            names = "--batch",
            defaultValue = "16",
            paramLabel = "N",
            description = "Images per inference batch (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(
            names = "--max-bytes",
            defaultValue = "67108864",
            paramLabel = "B",
            description = "Larger files get an error row without being read (default ${DEFAULT-VALUE}, 64 MiB).")
    long maxBytes;

    @Option(
            names = "--partitions",
            defaultValue = "0",
            paramLabel = "N",
            description = "Spread the files over N tasks (default 0: enough for every core, at most 256 files a task).")
    int partitions;

    @Option(names = "--verbose", description = "Print stack traces with errors.")
    boolean verbose;

    private PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);

    public static void main(String[] args) {
        System.exit(execute(
                new PrintWriter(System.out, true, StandardCharsets.UTF_8),
                new PrintWriter(System.err, true, StandardCharsets.UTF_8),
                args));
    }

    /** Runs the job with these arguments and returns the exit code (for tests and embedding). */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        BatchJob job = new BatchJob();
        job.err = err;
        CommandLine cl = new CommandLine(job);
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler(new OneLineErrors(Arrays.asList(args).contains("--verbose")));
        try {
            return cl.execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** The schema of the rows written: path, then the mode's column, then error. */
    static StructType schema(Mode mode) {
        return ImageRows.withOutputs(new StructType().add("path", DataTypes.StringType, false), mode);
    }

    @Override
    public Integer call() throws Exception {
        Mode m = Mode.parse(mode);
        checkOptions();
        String specJson = spec == null ? null : Files.readString(spec);
        ModelSettings settings = new ModelSettings(weights, arch, specJson, preset, engine, threads);

        SparkSession.Builder builder = SparkSession.builder().appName("resnet4j " + m.label() + " " + input);
        if (master != null) {
            builder.master(master);
        }
        LocalScratch.configure(builder, master);
        SparkSession spark = builder.getOrCreate();
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        if (HadoopFiles.exists(output, conf)) {
            throw new ResNet4jException(
                    "output " + output + " already exists; give a new folder (it was left untouched)");
        }
        if (!HadoopFiles.exists(input, conf)) {
            throw new ResNet4jException.FileAccessException("input " + input + " does not exist");
        }
        long start = System.nanoTime();
        // Load the model here first: missing or invalid weights stop the job before any task runs. In
        // local mode the tasks then reuse this very model (same JVM, same cache key).
        ModelCache.get(settings, conf);

        Dataset<Row> files = listImages(spark);
        SerializableConfiguration shipped = new SerializableConfiguration(conf);
        int k = top;
        int size = batch;
        long limit = maxBytes;
        MapPartitionsFunction<Row, Row> score = rows -> {
            ImageScorer scorer = new ImageScorer(ModelCache.get(settings, shipped.value()), m, k);
            return new BatchedIterator<>(rows, size, chunk -> {
                List<ImageScorer.Input> inputs = new ArrayList<>(chunk.size());
                for (Row r : chunk) {
                    String path = r.getString(0);
                    try {
                        inputs.add(new ImageScorer.Input(path, HadoopFiles.read(path, limit, shipped.value()), null));
                    } catch (ResNet4jException e) {
                        inputs.add(new ImageScorer.Input(path, null, e.getMessage()));
                    }
                }
                List<ImageScorer.Scored> scored = scorer.score(inputs);
                List<Row> out = new ArrayList<>(chunk.size());
                for (int i = 0; i < chunk.size(); i++) {
                    out.add(RowFactory.create(
                            chunk.get(i).getString(0),
                            ImageRows.value(scored.get(i)),
                            scored.get(i).error()));
                }
                return out;
            });
        };
        Dataset<Row> rows = files.mapPartitions(score, Encoders.row(schema(m)));
        write(spark, rows, conf);

        // with the schema: the JSON writer leaves out null fields, so an all-success output has no error key
        Dataset<Row> written = spark.read().schema(schema(m)).format(format).load(output);
        long total = written.count();
        long failed = written.filter(written.col(ImageRows.ERROR).isNotNull()).count();
        err.printf(
                Locale.ROOT,
                "%s: %d images, %d with an error row, written to %s (%s) in %.1f s%n",
                m.label(),
                total,
                failed,
                output,
                format,
                (System.nanoTime() - start) / 1e9);
        return 0;
    }

    private void checkOptions() {
        if (!format.equals("parquet") && !format.equals("json")) {
            throw new IllegalArgumentException("--format is '" + format + "', expected parquet or json");
        }
        if (top < 1) {
            throw new IllegalArgumentException("--top is " + top + ", expected 1 or more");
        }
        if (batch < 1) {
            throw new IllegalArgumentException("--batch is " + batch + ", expected 1 or more");
        }
        if (maxBytes < 1) {
            throw new IllegalArgumentException("--max-bytes is " + maxBytes + ", expected 1 or more");
        }
        if (partitions < 0) {
            throw new IllegalArgumentException(
                    "--partitions is " + partitions + ", expected 0 (Spark's split) or more");
        }
        if (threads < 0) {
            throw new IllegalArgumentException("--threads is " + threads + ", expected 0 (all cores) or more");
        }
    }

    /**
     * The image files under the input, sorted, as a dataset of paths in {@code partitions} slices (0:
     * enough for every core, 256 files a slice at most). The listing ({@link HadoopFiles#imagesUnder})
     * is taken on the driver and keeps empty files, which must get their error row.
     */
    private Dataset<Row> listImages(SparkSession spark) {
        List<Row> images = HadoopFiles.imagesUnder(input, spark.sparkContext().hadoopConfiguration()).stream()
                .map(p -> RowFactory.create(p))
                .toList();
        if (images.isEmpty()) {
            throw new ResNet4jException("no image files ("
                    + String.join(", ", ImageFiles.EXTENSIONS.stream().sorted().toList()) + ") under " + input);
        }
        int slices = partitions > 0
                ? partitions
                : Math.max(spark.sparkContext().defaultParallelism(), (images.size() + 255) / 256);
        StructType schema = new StructType().add("path", DataTypes.StringType, false);
        // parallelize cuts the sorted list into contiguous slices: the output files follow the path order
        return spark.createDataFrame(
                JavaSparkContext.fromSparkContext(spark.sparkContext())
                        .parallelize(images, Math.min(slices, images.size())),
                schema);
    }

    /** Writes to a hidden folder beside the output, then renames it into place: all rows or nothing. */
    private void write(SparkSession spark, Dataset<Row> rows, Configuration conf) throws Exception {
        org.apache.hadoop.fs.Path out = new org.apache.hadoop.fs.Path(output);
        FileSystem fs = out.getFileSystem(conf);
        out = fs.makeQualified(out);
        org.apache.hadoop.fs.Path tmp =
                new org.apache.hadoop.fs.Path(out.getParent(), "." + out.getName() + ".resnet4j-" + UUID.randomUUID());
        boolean done = false;
        try {
            rows.write().format(format).save(tmp.toString());
            if (fs.exists(out)) {
                throw new ResNet4jException(
                        "output " + output + " appeared while the job ran; the rows are left in " + tmp);
            }
            if (!fs.rename(tmp, out)) {
                throw new ResNet4jException.FileAccessException("cannot rename " + tmp + " to " + output);
            }
            done = true;
        } catch (Exception e) {
            // Scala declares no checked exceptions: a failed job surfaces as SparkException all the same.
            if (e instanceof SparkException) {
                throw new ResNet4jException("the Spark job failed, nothing was written: " + e.getMessage(), e);
            }
            throw e;
        } finally {
            if (!done && fs.exists(tmp) && !fs.exists(out)) {
                fs.delete(tmp, true);
            }
        }
    }
}
