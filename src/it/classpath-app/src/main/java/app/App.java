package app;

import com.google.protobuf.Timestamp;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.resnet4j.Prediction;
import org.resnet4j.ResNetModel;

/**
 * Classifies and embeds images with resnet4j while protobuf-java 3.25.5 is the application's own
 * protobuf. Usage: App WEIGHTS ENGINE IMAGE...; prints one JSON object per image.
 */
public final class App {
    public static void main(String[] args) throws Exception {
        // the application's own protobuf: 3.25.x, which has no RuntimeVersion$RuntimeDomain
        Timestamp now = Timestamp.newBuilder().setSeconds(1).build();
        String protobuf = Timestamp.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .getPath();
        System.out.println("{\"protobuf\": \"" + protobuf + "\", \"timestamp\": " + now.getSeconds() + "}");
        try (ResNetModel model = ResNetModel.builder()
                .weights(Path.of(args[0]))
                .engine(args[1])
                .threads(2)
                .build()) {
            for (int i = 2; i < args.length; i++) {
                List<Prediction> top;
                float[] features;
                try (InputStream in = Files.newInputStream(Path.of(args[i]))) {
                    top = model.classify(in, 5);
                }
                try (InputStream in = Files.newInputStream(Path.of(args[i]))) {
                    features = model.embed(in);
                }
                StringBuilder json =
                        new StringBuilder("{\"image\": \"").append(args[i]).append("\", \"top\": [");
                for (int k = 0; k < top.size(); k++) {
                    json.append(k == 0 ? "" : ", ")
                            .append("{\"index\": ")
                            .append(top.get(k).index())
                            .append(", \"probability\": ")
                            .append(top.get(k).probability())
                            .append('}');
                }
                json.append("], \"embedding\": [");
                for (int j = 0; j < features.length; j++) {
                    json.append(j == 0 ? "" : ", ").append(features[j]);
                }
                System.out.println(json.append("]}"));
            }
        }
    }
}
