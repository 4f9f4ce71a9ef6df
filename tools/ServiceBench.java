import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.resnet4j.ResNetModel;

/**
 * A service's use of the library, for measuring its memory and rate from outside: one ResNetModel,
 * THREADS request threads each classifying whole image files (ResNetModel.classify(InputStream, 5)),
 * as a web service's handlers would, with whatever JVM flags the command line gives (none: the
 * service's defaults). Run under /usr/bin/time -v for the peak RSS:
 *
 *   java -cp target/resnet4j.jar tools/ServiceBench.java WEIGHTS IMAGE_DIR [THREADS (8)] [ROUNDS (1)]
 *
 * Prints the images, seconds and images/s of the whole run (model open excluded, stated apart).
 */
public class ServiceBench {
    public static void main(String[] args) throws Exception {
        Path weights = Path.of(args[0]);
        List<Path> files;
        try (Stream<Path> s = Files.walk(Path.of(args[1]))) {
            files = s.filter(p -> p.toString().toLowerCase().endsWith(".jpg")).sorted().toList();
        }
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        long t0 = System.nanoTime();
        try (ResNetModel model = ResNetModel.builder().weights(weights).build()) {
            long t1 = System.nanoTime();
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<Future<String>> done = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                for (Path f : files) {
                    done.add(pool.submit(() -> {
                        try (InputStream in = Files.newInputStream(f)) {
                            return model.classify(in, 5).get(0).label();
                        }
                    }));
                }
            }
            for (Future<String> d : done) {
                d.get();
            }
            pool.shutdown();
            long t2 = System.nanoTime();
            double s = (t2 - t1) / 1e9;
            System.out.printf(
                    "open %.2f s; %d images on %d threads in %.2f s: %.2f images/s%n",
                    (t1 - t0) / 1e9, done.size(), threads, s, done.size() / s);
        }
    }
}
