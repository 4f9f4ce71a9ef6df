package org.resnet4j.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.resnet4j.Device;
import org.resnet4j.EngineType;
import org.resnet4j.graph.GraphBuilder;
import org.resnet4j.graph.ModelAssembler;
import org.resnet4j.graph.RandomInit;
import org.resnet4j.graph.ResNetGraph;
import org.resnet4j.onnx.ModelProto;
import org.resnet4j.onnx.Onnx;
import org.resnet4j.spec.Presets;
import org.resnet4j.tensor.Tensor;

/**
 * A service's shutdown: the engine is closed while four threads run it. Before {@link RunGate}, ONNX
 * Runtime freed its session under a run in flight and the JVM died (SIGSEGV, the whole suite with it)
 * on the first of 15 cycles. Now every run that started returns the right numbers, every run after the
 * close throws {@link IllegalStateException}, and nothing else happens.
 */
class CloseUnderLoadTest {
    static final int THREADS = 4;
    static final int CYCLES = 15;
    static final long CLOSE_AFTER_MILLIS = 150;

    @ParameterizedTest
    @EnumSource(EngineType.class)
    void closeWhileRunningWaitsForTheRunsInFlight(EngineType kind) throws Exception {
        ResNetGraph g = GraphBuilder.build(Presets.get("resnet18").withNumClasses(10), false);
        ModelProto model = ModelAssembler.assemble(g, RandomInit.weights(g, 3), Onnx.DEFAULT_OPSET, "test");
        Tensor x = RandomInit.normal(4, 1, 3, 64, 64);
        EngineOptions options = new EngineOptions(Device.CPU, 2, "all");
        float[] want;
        try (Engine e = Engines.open(kind, model, options, "resnet18")) {
            want = e.run(x).toArray();
        }
        int finished = 0;
        int refused = 0;
        for (int cycle = 0; cycle < CYCLES; cycle++) {
            Engine engine = Engines.open(kind, model, options, "resnet18");
            AtomicInteger ok = new AtomicInteger();
            AtomicInteger closed = new AtomicInteger();
            ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
            CountDownLatch started = new CountDownLatch(THREADS);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                Thread th = new Thread(() -> {
                    started.countDown();
                    while (true) {
                        try {
                            float[] got = engine.run(x).toArray();
                            double diff = 0;
                            for (int i = 0; i < want.length; i++) {
                                diff = Math.max(diff, Math.abs(got[i] - want[i]));
                            }
                            if (diff > 1e-4) {
                                wrong.add("a run gave logits " + diff + " away from the engine's own");
                            }
                            ok.incrementAndGet();
                        } catch (IllegalStateException e) {
                            closed.incrementAndGet();
                            return;
                        } catch (RuntimeException e) {
                            wrong.add(e.toString());
                            return;
                        }
                    }
                });
                threads.add(th);
                th.start();
            }
            started.await();
            Thread.sleep(CLOSE_AFTER_MILLIS);
            engine.close();
            for (Thread th : threads) {
                th.join(60_000);
                assertTrue(!th.isAlive(), kind + " cycle " + cycle + ": a run never ended");
            }
            assertTrue(wrong.isEmpty(), kind + " cycle " + cycle + ": " + wrong);
            assertEquals(THREADS, closed.get(), kind + " cycle " + cycle + ": every thread ends on the closed engine");
            assertThrows(IllegalStateException.class, () -> engine.run(x), "a run after close");
            engine.close(); // idempotent
            finished += ok.get();
            refused += closed.get();
        }
        System.out.printf(
                "close under load, %s: %d cycles, %d runs finished, %d refused after close%n",
                kind, CYCLES, finished, refused);
    }
}
