package org.resnet4j.engine;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.resnet4j.EngineType;
import org.resnet4j.ResNet4jException.DeadlineException;
import org.resnet4j.graph.RandomInit;
import org.resnet4j.onnx.GraphProto;
import org.resnet4j.onnx.ModelProto;
import org.resnet4j.onnx.Onnx;
import org.resnet4j.tensor.Tensor;
import org.resnet4j.testing.TestModels;

/**
 * A run its caller gave up on stops: an interrupted thread ({@code Future.cancel(true)}) gets a
 * {@link CancellationException} and keeps its interrupt flag, a run past its timeout a
 * {@link DeadlineException}, on both engines. The model is 200 chained 1024x1024 MatMuls, seconds of
 * work on any machine, so a run that ends early ended because it was stopped.
 */
class CancellationTest {
    static final int N = 1024;
    static final int NODES = 200;

    static ModelProto chain() {
        GraphProto.Builder g = GraphProto.newBuilder().setName("chain");
        String prev = "x";
        for (int i = 0; i < NODES; i++) {
            String out = i == NODES - 1 ? "y" : "h" + i;
            g.addNode(TestModels.node("MatMul", List.of(prev, "w"), out));
            prev = out;
        }
        g.addInitializer(Onnx.floatTensor("w", RandomInit.normal(3, N, N)));
        g.addInput(Onnx.floatValueInfo("x", N, N));
        g.addOutput(Onnx.floatValueInfo("y", N, N));
        return TestModels.of(g.build(), 13);
    }

    static Engine open(EngineType kind, Duration timeout) {
        return Engines.open(kind, chain(), EngineOptions.defaults().withTimeout(timeout), "chain");
    }

    @ParameterizedTest
    @EnumSource(EngineType.class)
    @Timeout(120)
    void anInterruptedRunStopsWithCancellation(EngineType kind) throws Exception {
        try (Engine e = open(kind, null)) {
            Map<String, Tensor> x = Map.of("x", Tensor.zeros(N, N));
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            AtomicBoolean flagKept = new AtomicBoolean();
            CountDownLatch started = new CountDownLatch(1);
            Thread t = new Thread(() -> {
                started.countDown();
                try {
                    e.run(x);
                } catch (Throwable ex) {
                    thrown.set(ex);
                    flagKept.set(Thread.currentThread().isInterrupted());
                }
            });
            t.start();
            started.await();
            Thread.sleep(200);
            t.interrupt();
            t.join();
            assertInstanceOf(CancellationException.class, thrown.get(), String.valueOf(thrown.get()));
            assertTrue(flagKept.get(), "the interrupt flag is kept");
            Thread.interrupted(); // this thread was not interrupted; the engine serves the next run
        }
    }

    @ParameterizedTest
    @EnumSource(EngineType.class)
    @Timeout(120)
    void aRunPastItsTimeoutStops(EngineType kind) {
        try (Engine e = open(kind, Duration.ofMillis(100))) {
            List<Throwable> thrown = new ArrayList<>();
            try {
                e.run(Map.of("x", Tensor.zeros(N, N)));
            } catch (RuntimeException ex) {
                thrown.add(ex);
            }
            assertTrue(thrown.size() == 1 && thrown.get(0) instanceof DeadlineException, thrown.toString());
        }
    }
}
