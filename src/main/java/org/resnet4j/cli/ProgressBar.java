package org.resnet4j.cli;

import java.io.PrintWriter;
import java.util.Locale;
import org.resnet4j.vision.Classifier;

/**
 * A one-line progress bar on standard error, redrawn in place with {@code \r}:
 * {@code [##########..........]  120/240 images  35.2/s  eta 3 s}. It draws nothing for
 * {@link #MIN_ITEMS} items or fewer (a handful of images needs no bar) and ends its line when done.
 */
final class ProgressBar implements Classifier.Progress {
    static final int MIN_ITEMS = 8;
    private static final int WIDTH = 30;

    private final PrintWriter err;
    private final String unit;
    private final long start = System.nanoTime();
    private boolean finished;

    ProgressBar(PrintWriter err, String unit) {
        this.err = err;
        this.unit = unit;
    }

    @Override
    public void update(int done, int total) {
        if (total <= MIN_ITEMS || finished) {
            return;
        }
        double seconds = Math.max(1e-9, (System.nanoTime() - start) / 1e9);
        double rate = done / seconds;
        int filled = (int) ((long) WIDTH * done / total);
        String bar = "#".repeat(filled) + ".".repeat(WIDTH - filled);
        String eta = done < total && rate > 0 ? String.format(Locale.ROOT, "  eta %.0f s", (total - done) / rate) : "";
        err.printf(Locale.ROOT, "\r[%s] %d/%d %s  %.1f/s%s   ", bar, done, total, unit, rate, eta);
        if (done >= total) {
            err.println();
            finished = true;
        }
        err.flush();
    }
}
