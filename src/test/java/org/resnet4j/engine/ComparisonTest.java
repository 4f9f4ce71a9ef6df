package org.resnet4j.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.resnet4j.tensor.Tensor;

/** The parity measure on cases worked out by hand: max abs, argmax agreement, and rows that tie. */
class ComparisonTest {
    // reference rows: leads of 0.5 (row 0), 3.0 (row 1) and 0.1 (row 2); ours swaps the top of rows 0 and 2
    static final Tensor REF = Tensor.of(new int[] {3, 3}, new float[] {1.0f, 1.5f, 0f, 4f, 1f, 0f, 0f, 0.2f, 0.3f});
    static final Tensor OURS = Tensor.of(new int[] {3, 3}, new float[] {1.6f, 1.5f, 0f, 4f, 1f, 0f, 0f, 0.4f, 0.3f});

    @Test
    void everyRowCountsWithoutAMargin() {
        Comparison c = Comparison.of("hand", OURS, REF);
        assertEquals(0.6, c.maxAbs(), 1e-6, "row 0, column 0: 1.6 - 1.0");
        assertEquals(4.0, c.maxRef(), 0);
        assertEquals(3, c.rows());
        assertEquals(1, c.argmaxAgree(), "only row 1 keeps its top class");
        assertEquals(0, c.tied());
        assertFalse(c.within(1, 1), "two rows disagree");
        assertEquals("max abs 6.000e-01  rel 1.500e-01  argmax 1/3", c.describe());
    }

    @Test
    void rowsWhoseReferenceLeadsByNoMoreThanTheMarginTie() {
        // margin 0.5: row 0 (lead exactly 0.5) and row 2 (lead 0.1) tie, row 1 (lead 3) is compared
        Comparison c = Comparison.of("hand", OURS, REF, 0.5);
        assertEquals(1, c.rows());
        assertEquals(1, c.argmaxAgree());
        assertEquals(2, c.tied());
        assertTrue(c.within(0, 0.6 + 1e-6), "the one compared row agrees and max abs is 0.6");
        assertEquals("max abs 6.000e-01  rel 1.500e-01  argmax 1/1 (2 tied)", c.describe());

        // margin 0.4: row 0 (lead 0.5) counts again and disagrees
        c = Comparison.of("hand", OURS, REF, 0.4);
        assertEquals(2, c.rows());
        assertEquals(1, c.argmaxAgree());
        assertEquals(1, c.tied());
    }
}
