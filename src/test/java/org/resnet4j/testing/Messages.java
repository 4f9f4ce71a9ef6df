package org.resnet4j.testing;

import static org.junit.jupiter.api.Assertions.fail;

/** Assertions on messages and printed text that say which expected part is missing. */
public final class Messages {
    private Messages() {}

    /** Fails naming the first of {@code parts} that {@code text} does not contain, and showing the text. */
    public static void assertContains(String text, String... parts) {
        if (text == null) {
            fail("expected text containing " + String.join(", ", parts) + ", got null");
        }
        for (String p : parts) {
            if (!text.contains(p)) {
                fail("expected '" + p + "' in: " + text);
            }
        }
    }
}
