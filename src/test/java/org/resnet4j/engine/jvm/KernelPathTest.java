package org.resnet4j.engine.jvm;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.resnet4j.engine.jvm.kernels.Kernels;

/** The surefire run with -Dresnet4j.scalar=true really runs the scalar path, and the default run the vector one. */
class KernelPathTest {
    @Test
    void pathFollowsTheProperty() {
        String path = JavaEngine.kernelPath();
        if (Boolean.getBoolean(Kernels.SCALAR_PROPERTY)) {
            assertTrue(path.startsWith("scalar (forced"), path);
        } else {
            assertTrue(path.startsWith("vector"), "tests run with --add-modules jdk.incubator.vector, got " + path);
        }
    }
}
