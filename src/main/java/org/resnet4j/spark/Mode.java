package org.resnet4j.spark;

import java.util.Locale;

/** What a row gets: the top-k classes, or the pooled features before the classifier. */
enum Mode {
    CLASSIFY("top"),
    EMBED("embedding");

    private final String column;

    Mode(String column) {
        this.column = column;
    }

    /** The output column this mode adds: {@code top} or {@code embedding}. */
    public String column() {
        return column;
    }

    /** {@code classify} or {@code embed}, case-insensitive. */
    public static Mode parse(String name) {
        for (Mode m : values()) {
            if (m.name().equalsIgnoreCase(name.trim())) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown mode '" + name + "', expected classify or embed");
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
