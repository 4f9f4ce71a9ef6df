/**
 * The pure-Java ONNX executor: {@link org.resnet4j.engine.jvm.JavaEngine}.
 *
 * <p>How it is put together, so that a faster version replaces parts rather than the whole:
 * <ul>
 *   <li>{@code JavaEngine} checks and compiles the graph once (order, definitions, ops, attributes,
 *       element types, initializer shapes), assigns every value a slot, and plans lifetimes: after
 *       each node it hands the arrays whose last reader was that node back to the run's
 *       {@link org.resnet4j.engine.jvm.ops.BufferPool}. Views (Reshape, Flatten, Unsqueeze,
 *       Identity) share their source's array and extend its life. Before that, {@link
 *       org.resnet4j.engine.jvm.ops.Fusion} folds BatchNormalization into the preceding Conv and
 *       fuses Conv+Add+Relu / Conv+Relu into one Conv whose GEMM writes each activation once, and
 *       a QDQ model's QuantizeLinear → DequantizeLinear pairs into one float op (no int8 value
 *       held) (graphs that do not match keep the unfused ops), and each Conv repacks its constant
 *       weights once for the engine's GEMM.</li>
 *   <li>{@code ops} holds one class per op family; {@link org.resnet4j.engine.jvm.ops.Registry}
 *       is the table of op types. An op parses and checks its attributes in its constructor
 *       (through {@link org.resnet4j.engine.jvm.ops.NodeSpec}, one message form), is immutable
 *       afterwards, and at run time infers its output shapes, takes output buffers from the pool
 *       and calls a kernel. Values are flat {@code float[]} (or {@code long[]} for shape
 *       arithmetic) in C order.</li>
 *   <li>{@code kernels} holds the arithmetic over flat arrays, each with a shape comment: the naive
 *       oracles ({@link org.resnet4j.engine.jvm.kernels.NaiveSgemm},
 *       {@link org.resnet4j.engine.jvm.kernels.ConvKernels#naive}), convolution as GEMM (1x1 stride 1
 *       straight on the input; others through an implicit im2col the GEMM packs from, or im2col for
 *       the scalar kernels), the pools. {@link org.resnet4j.engine.jvm.kernels.Kernels} picks the
 *       GEMM: {@link org.resnet4j.engine.jvm.kernels.VectorSgemm} (Vector API, packed panels, 8x32
 *       register tiles at 512 bits, 4x16 at 256) when {@code jdk.incubator.vector} is present, at the
 *       width {@link org.resnet4j.engine.jvm.kernels.VectorWidth} reads once, else (or with
 *       {@code -Dresnet4j.scalar=true}) {@link org.resnet4j.engine.jvm.kernels.BlockedSgemm};
 *       {@link org.resnet4j.engine.jvm.kernels.Parallel} is the fixed worker pool. Every output element is computed by one thread in a fixed order, so results
 *       do not depend on the thread count.</li>
 *   <li>{@code kernels.nchwc} holds the channel-blocked path (the default with the Vector API):
 *       {@link org.resnet4j.engine.jvm.ops.NchwcRewrite} moves the fused graph's convolutions, max
 *       pools, Relus and global pools to the (N, C/L, H, W, L) layout at load, and
 *       {@link org.resnet4j.engine.jvm.kernels.nchwc.DirectConv} convolves directly on it (4 output
 *       blocks x 2 pixels in registers, weights re-laid-out once; per input size, tables that cut
 *       the taps no pixel reads inside the input, so a 3x3 on a 1x1 input streams its centre);
 *       {@link org.resnet4j.engine.jvm.kernels.nchwc.Winograd} runs the stride-1 3x3 convolutions
 *       where F(2x2, 3x3) saves work, its 16 products on DirectConv. The GEMM path above stays as the
 *       reference it is tested against, and runs with {@code -Dresnet4j.nchwc=false}.</li>
 * </ul>
 */
package org.resnet4j.engine.jvm;
