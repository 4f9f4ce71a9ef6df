package org.resnet4j.spark;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.BinaryType$;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.SerializableConfiguration;
import org.resnet4j.ResNet4jException;

/**
 * A Spark ML {@link Transformer} that classifies or embeds images held as encoded bytes (JPEG, PNG,
 * BMP, GIF, WebP) in a binary column, by default the {@code content} column of Spark's
 * {@code binaryFile} source, with a torchvision ResNet checkpoint:
 *
 * <pre>{@code
 * Dataset<Row> images = spark.read().format("binaryFile").load("hdfs:///photos");
 * Dataset<Row> scored = new ResNetTransformer()
 *         .setWeights("hdfs:///models/resnet50.pth").setPreset("v2").setTopK(5)
 *         .transform(images);   // + top: array<struct<index,label,probability>>, error: string
 * }</pre>
 *
 * <p>The weights path is opened by each executor through Hadoop's file systems (never read into the
 * driver and shipped); each executor JVM loads the model once ({@link ModelCache}) and its tasks
 * share it. Rows are decoded and preprocessed exactly as torchvision on PIL, and run in batches of
 * {@link #batchSize()} per partition. A row whose bytes are empty, not an image, truncated or too
 * large gets its message in {@code error} and a null result; it never fails the job.
 *
 * <p>Works in a {@code Pipeline} and saves and loads with Spark ML persistence
 * ({@link #save(String)}, {@link #load(String)}). Instances are not thread-safe while being
 * configured, as any Spark ML stage.
 */
public final class ResNetTransformer extends Transformer implements DefaultParamsWritable {
    private static final long serialVersionUID = 1L;

    private final String uid;

    private final Param<String> inputCol;
    private final Param<String> pathCol;
    private final Param<String> weights;
    private final Param<String> arch;
    private final Param<String> spec;
    private final Param<String> preset;
    private final Param<String> mode;
    private final IntParam topK;
    private final IntParam batchSize;
    private final Param<String> engine;
    private final IntParam threadsPerTask;

    public ResNetTransformer() {
        this(Identifiable$.MODULE$.randomUID("resnet4j"));
    }

    /** Spark ML's persistence and {@link #copy} create stages through this constructor. */
    public ResNetTransformer(String uid) {
        this.uid = uid;
        inputCol = new Param<>(this, "inputCol", "binary column of encoded images (default content)");
        pathCol = new Param<>(
                this, "pathCol", "string column naming each image in error messages, used when present (default path)");
        weights = new Param<>(
                this, "weights", "checkpoint (.pth, .safetensors, ...) as a Hadoop path, read by each executor");
        arch = new Param<>(
                this, "arch", "torchvision architecture name, e.g. resnet50 (default: inferred from the weights)");
        spec = new Param<>(this, "spec", "block spec as JSON text (default: inferred from the weights)");
        preset = new Param<>(
                this,
                "preset",
                "torchvision preprocessing: v1 (resize 256) or v2 (resize 232); crop 224",
                ParamValidators.inArray(new String[] {"v1", "v2"}));
        mode = new Param<>(
                this, "mode", "classify (adds top) or embed (adds embedding)", ParamValidators.inArray(new String[] {
                    "classify", "embed"
                }));
        topK = new IntParam(this, "topK", "classes per image in classify mode", ParamValidators.gtEq(1));
        batchSize = new IntParam(this, "batchSize", "images per inference batch", ParamValidators.gtEq(1));
        engine = new Param<>(
                this,
                "engine",
                "ort (ONNX Runtime) or java (the pure-Java engine)",
                ParamValidators.inArray(new String[] {"ort", "java"}));
        threadsPerTask = new IntParam(
                this,
                "threadsPerTask",
                "intra-op threads of each task's inference (0: all cores of the executor)",
                ParamValidators.gtEq(0));
        setDefault(inputCol, "content");
        setDefault(pathCol, "path");
        setDefault(preset, "v1");
        setDefault(mode, "classify");
        setDefault(topK, 5);
        setDefault(batchSize, 16);
        setDefault(engine, "ort");
        setDefault(threadsPerTask, 1);
    }

    @Override
    public String uid() {
        return uid;
    }

    // Spark ML finds params by reflection: public no-argument methods returning a Param.
    public Param<String> inputCol() {
        return inputCol;
    }

    public Param<String> pathCol() {
        return pathCol;
    }

    public Param<String> weights() {
        return weights;
    }

    public Param<String> arch() {
        return arch;
    }

    public Param<String> spec() {
        return spec;
    }

    public Param<String> preset() {
        return preset;
    }

    public Param<String> mode() {
        return mode;
    }

    public IntParam topK() {
        return topK;
    }

    public IntParam batchSize() {
        return batchSize;
    }

    public Param<String> engine() {
        return engine;
    }

    public IntParam threadsPerTask() {
        return threadsPerTask;
    }

    public ResNetTransformer setInputCol(String v) {
        set(inputCol, v);
        return this;
    }

    public ResNetTransformer setPathCol(String v) {
        set(pathCol, v);
        return this;
    }

    public ResNetTransformer setWeights(String v) {
        set(weights, v);
        return this;
    }

    public ResNetTransformer setArch(String v) {
        set(arch, v);
        return this;
    }

    public ResNetTransformer setSpec(String v) {
        set(spec, v);
        return this;
    }

    public ResNetTransformer setPreset(String v) {
        set(preset, v);
        return this;
    }

    public ResNetTransformer setMode(String v) {
        set(mode, v);
        return this;
    }

    public ResNetTransformer setTopK(int v) {
        set(topK, v);
        return this;
    }

    public ResNetTransformer setBatchSize(int v) {
        set(batchSize, v);
        return this;
    }

    public ResNetTransformer setEngine(String v) {
        set(engine, v);
        return this;
    }

    public ResNetTransformer setThreadsPerTask(int v) {
        set(threadsPerTask, v);
        return this;
    }

    public String getInputCol() {
        return getOrDefault(inputCol);
    }

    public String getWeights() {
        return getOrDefault(weights);
    }

    public String getMode() {
        return getOrDefault(mode);
    }

    public int getTopK() {
        return (Integer) getOrDefault(topK);
    }

    public int getBatchSize() {
        return (Integer) getOrDefault(batchSize);
    }

    /** The model these params describe; fails naming what is missing or wrong. */
    public ModelSettings modelSettings() {
        if (!isDefined(weights)) {
            throw new IllegalArgumentException(
                    "ResNetTransformer " + uid + ": the weights param is not set (setWeights)");
        }
        return new ModelSettings(
                getOrDefault(weights),
                isDefined(arch) ? getOrDefault(arch) : null,
                isDefined(spec) ? getOrDefault(spec) : null,
                getOrDefault(preset),
                getOrDefault(engine),
                (Integer) getOrDefault(threadsPerTask));
    }

    @Override
    public StructType transformSchema(StructType schema) {
        String in = getInputCol();
        if (!Arrays.asList(schema.fieldNames()).contains(in)) {
            throw new IllegalArgumentException(
                    "input column '" + in + "' is not in the schema; columns: " + Arrays.toString(schema.fieldNames()));
        }
        StructField field = schema.apply(in);
        if (!field.dataType().equals(BinaryType$.MODULE$)) {
            throw new IllegalArgumentException(
                    "input column '" + in + "' has type " + field.dataType().simpleString()
                            + ", expected binary (encoded image bytes, as the content column of the binaryFile source)");
        }
        Mode m = Mode.parse(getMode());
        for (String out : List.of(m.column(), ImageRows.ERROR)) {
            if (Arrays.asList(schema.fieldNames()).contains(out)) {
                throw new IllegalArgumentException("the input already has a column '" + out + "'");
            }
        }
        return ImageRows.withOutputs(schema, m);
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType schema = dataset.schema();
        StructType out = transformSchema(schema);
        ModelSettings settings = modelSettings();
        SerializableConfiguration conf = new SerializableConfiguration(
                dataset.sparkSession().sparkContext().hadoopConfiguration());
        // Fail here, on the driver, rather than in every task, when the weights path names nothing.
        if (!HadoopFiles.exists(settings.weights(), conf.value())) {
            throw new ResNet4jException.FileAccessException("weights file " + settings.weights() + " does not exist");
        }
        int content = schema.fieldIndex(getInputCol());
        List<String> names = Arrays.asList(schema.fieldNames());
        String path = getOrDefault(pathCol);
        int pathIndex = names.contains(path) && schema.apply(path).dataType().equals(DataTypes.StringType)
                ? schema.fieldIndex(path)
                : -1;
        Mode m = Mode.parse(getMode());
        int k = getTopK();
        int batch = getBatchSize();
        MapPartitionsFunction<Row, Row> score = rows -> {
            ImageScorer scorer = new ImageScorer(ModelCache.get(settings, conf.value()), m, k);
            return new BatchedIterator<>(rows, batch, chunk -> {
                List<ImageScorer.Input> inputs = new ArrayList<>(chunk.size());
                for (Row r : chunk) {
                    String name = pathIndex >= 0 && !r.isNullAt(pathIndex) ? r.getString(pathIndex) : null;
                    inputs.add(new ImageScorer.Input(name, r.isNullAt(content) ? null : (byte[]) r.get(content), null));
                }
                List<ImageScorer.Scored> scored = scorer.score(inputs);
                List<Row> result = new ArrayList<>(chunk.size());
                for (int i = 0; i < chunk.size(); i++) {
                    Row r = chunk.get(i);
                    Object[] values = new Object[r.length() + 2];
                    for (int c = 0; c < r.length(); c++) {
                        values[c] = r.get(c);
                    }
                    values[r.length()] = ImageRows.value(scored.get(i));
                    values[r.length() + 1] = scored.get(i).error();
                    result.add(RowFactory.create(values));
                }
                return result;
            });
        };
        return dataset.toDF().mapPartitions(score, Encoders.row(out));
    }

    @Override
    public ResNetTransformer copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    /** Reads a transformer saved with {@link #save(String)} or {@code write().save(path)}. */
    public static MLReader<ResNetTransformer> read() {
        return new DefaultParamsReader<>();
    }

    public static ResNetTransformer load(String path) {
        return read().load(path);
    }
}
