package org.resnet4j.security;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.resnet4j.engine.EngineOptions;
import org.resnet4j.engine.OrtEngine;
import org.resnet4j.engine.jvm.JavaEngine;

/** Short version of the soak test: 8 threads on one engine give bitwise the single-thread answers. */
class ConcurrencyTest {
    @Test
    void eightThreadsOnOneOrtEngineAreBitwiseIdentical() throws Exception {
        try (OrtEngine engine =
                new OrtEngine(EngineHammer.tinyModel().toByteArray(), EngineOptions.defaults(), "tiny_basic")) {
            EngineHammer.Result r = EngineHammer.hammer(engine, EngineHammer.inputs(12), 8, 25);
            assertEquals(200, r.inferences());
            assertEquals(0, r.mismatches(), "outputs that differ from the single-thread answer");
        }
    }

    @Test
    void eightThreadsOnOneJavaEngineAreBitwiseIdentical() throws Exception {
        try (JavaEngine engine = new JavaEngine(EngineHammer.tinyModel(), 0)) {
            EngineHammer.Result r = EngineHammer.hammer(engine, EngineHammer.inputs(12), 8, 10);
            assertEquals(80, r.inferences());
            assertEquals(0, r.mismatches(), "outputs that differ from the single-thread answer");
        }
    }
}
