/**
 * resnet4j: torchvision ResNets in Java. The API is three packages: {@code org.resnet4j} (the front
 * door, {@link org.resnet4j.ResNetModel}, and the generic runner {@link org.resnet4j.OnnxModel}),
 * {@code org.resnet4j.tensor} (the tensor type) and {@code org.resnet4j.spec} (architectures).
 * Everything else (readers, graph building, engines, kernels, the generated ONNX protobuf classes,
 * the command line) is kept inside. The Spark transformer ({@code org.resnet4j.spark}) is used on the
 * class path, where Spark runs; Spark's jars are not modules.
 *
 * <p>This descriptor is compiled on its own, after the classes (see the pom): the classes compile on
 * the class path because Spark's jars have no valid automatic module names.
 */
module org.resnet4j {
    exports org.resnet4j;
    exports org.resnet4j.tensor;
    exports org.resnet4j.spec;

    requires java.desktop; // ImageIO and BufferedImage for decoding
    requires jdk.unsupported; // sun.misc.Unsafe: freeing direct buffers; the relocated protobuf
    requires java.logging; // the relocated protobuf and Jackson log through java.util.logging
    requires com.microsoft.onnxruntime;
    requires org.slf4j;
    requires com.twelvemonkeys.imageio.jpeg; // CMYK and YCCK JPEGs, as PIL reads them
    requires com.twelvemonkeys.imageio.webp;
    // the Java engine's kernels: add it with --add-modules jdk.incubator.vector (ONNX Runtime needs none)
    requires static jdk.incubator.vector;
    // the command line, which the launcher runs on the class path
    requires static info.picocli;
    requires static me.tongfei.progressbar;

    opens org.resnet4j.cli to
            info.picocli;
}
