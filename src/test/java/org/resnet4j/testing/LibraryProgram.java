package org.resnet4j.testing;

import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.resnet4j.Architecture;
import org.resnet4j.Prediction;
import org.resnet4j.ResNetModel;

/**
 * A small application of the library, for a child JVM: a checkpoint and its spec file, an engine, an
 * image; prints the top class. Run by NoWarningsTest with the one flag docs/LIBRARY.md tells applications to add.
 */
public final class LibraryProgram {
    private LibraryProgram() {}

    public static void main(String[] args) throws Exception {
        try (ResNetModel model = ResNetModel.builder()
                .weights(Path.of(args[0]))
                .architecture(Architecture.specFile(Path.of(args[1])))
                .engine(args[2])
                .build()) {
            Prediction top =
                    model.classify(ImageIO.read(Path.of(args[3]).toFile()), 1).get(0);
            System.out.println(top.index() + " " + top.probability());
        }
    }
}
