package org.resnet4j.cli;

import java.io.PrintWriter;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * classify's and embed's progress on standard error, drawn by the progressbar library
 * ({@code classify 50% [=====     ] 120/240 images (0:00:03 / 0:00:03)}), redrawn in place with
 * {@code \r}. Nothing is drawn for {@link #MIN_ITEMS} items or fewer: a handful of images needs no
 * bar. The line is ended when the last item is done.
 */
final class ProgressBar {
    static final int MIN_ITEMS = 8;
    private static final int MAX_WIDTH = 100;

    private final PrintWriter err;
    private final String task;
    private final String unit;
    private me.tongfei.progressbar.ProgressBar bar;

    ProgressBar(PrintWriter err, String task, String unit) {
        this.err = err;
        this.task = task;
        this.unit = unit;
    }

    /** {@code done} of {@code total} items are processed (or failed). */
    synchronized void update(int done, int total) {
        if (total <= MIN_ITEMS) {
            return;
        }
        if (bar == null) {
            bar = new ProgressBarBuilder()
                    .setTaskName(task)
                    .setInitialMax(total)
                    .setUnit(" " + unit, 1)
                    .setStyle(ProgressBarStyle.ASCII)
                    .setConsumer(new DelegatingProgressBarConsumer(
                            line -> {
                                err.print("\r" + line);
                                err.flush();
                            },
                            MAX_WIDTH))
                    .build();
        }
        bar.stepTo(done);
        if (done >= total) {
            bar.close(); // renders the final state
            bar = null;
            err.println();
            err.flush();
        }
    }
}
