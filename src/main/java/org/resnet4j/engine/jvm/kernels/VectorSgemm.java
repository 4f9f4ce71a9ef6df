package org.resnet4j.engine.jvm.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * SGEMM on {@code jdk.incubator.vector}, organised as in BLIS/GotoBLAS: A packed into MR-row panels
 * (once at load for weights), B packed per (KC x NC) block into NR-column panels, and a register
 * micro-kernel that keeps an MR x NR tile of C in vector accumulators while it runs over KC: 16 at
 * 512 bits, where AVX-512 has 32 registers (8 rows x 2 vectors, 8 x 32 floats), 8 at 256 and 128 bits
 * (4 rows x 2 vectors), where AVX2's 16 registers spilled the 16-accumulator tile (a 12-accumulator tile
 * ran at 37 GFLOP/s on one Zen 3 core, an 8-accumulator one at ~90). The tile follows the width, not
 * the CPU, so that a test run at each width runs each tile on any host: the 8-row tile at 256 bits on
 * an AVX-512 host (32 registers) was no faster than the 4-row one (resnet50 batch 8, 2 threads: 565-889
 * against 572-723 ms, where 512 bits took 327-449 ms). Blocking: a KC x NR panel of B (32 KiB) stays in L1
 * while the MR-row panels of an MC x KC block of A (128 KiB) stream from L2; the KC x NC block of B
 * (512 KiB) stays in L2 across MC blocks.
 *
 * <p>Edges: panels are zero-padded to MR rows and NR columns. A full tile accumulates in registers
 * straight from and into C; a tile on the last row or column panel sums each KC block from zero in a
 * scratch tile and adds it to C. Either way k runs ascending, blocks in order, and which path an
 * element takes depends only on its position; tiles are split between threads on panel boundaries.
 * Results are therefore bitwise independent of the thread count.
 *
 * <p>Threads: the MR x NR tiles of C are split over column panels when there are enough of them
 * (each thread packs its own columns of B), else B (small then) is packed once by all threads and
 * the tiles are split over row panels. Only the caller's thread touches the {@link Parallel} pool.
 */
public final class VectorSgemm implements Sgemm {
    static final VectorSpecies<Float> S = VectorWidth.FLOATS;
    static final int L = S.length();
    /** Rows per register tile: 8 at 512 bits (AVX-512's 32 registers), 4 below (AVX2's 16). */
    static final int MR = L >= 16 ? 8 : 4;
    /** Columns per register tile: two vectors. */
    static final int NR = 2 * L;
    /** Depth per block: a KC x NR panel of B is 32 KiB at NR = 32 (512 bits), 16 KiB at 256 (L1). */
    static final int KC = 256;
    /** Rows per L2 block of A: 128 x 256 floats = 128 KiB. */
    static final int MC = 128;
    /** Columns per block of B, 16 panels: 256 x 512 floats = 512 KiB at 512 bits (L2 of 1 MiB on Zen 4), half at 256. */
    static final int NC = 16 * NR;
    /**
     * Multiply-adds below which a task is not worth handing to another thread. GemmProbe measured a
     * hand-off (forRange over two no-op chunks, spinning workers) at 2.6 µs median, 5.6 µs p90 on the
     * loaded 2-core box; 2^21 multiply-adds take about 30 µs at the kernel's ~130 GFLOP/s, so a task
     * pays at most ~20 % at p90, and a GEMM is split only from twice that size.
     */
    static final long MIN_TASK_MACS = 1L << 21;

    public static final VectorSgemm INSTANCE = new VectorSgemm();

    /**
     * Rows of A below which {@link #gemm(int, int, int, float[], int, int, float[], int, int, float[],
     * int, int, boolean, Parallel)} streams B row by row instead of packing it: a classifier's fully
     * connected layer at batch 1 packed all of its B and ran an 8-row tile for 1 real row. Copying all of
     * B to multiply it by one row cost ResNet-50's fully connected layer 2.6 ms at batch 1, more than
     * reading B once (docs/PERFORMANCE.md, The GEMM).
     */
    static final int FEW_ROWS = 4;

    /** Columns of C per task of the few-rows path: four vectors in registers. */
    private static final int FEW_COLS = 4 * L;

    private static final String LAYOUT = "vector-mr" + MR + "-kc" + KC;

    /** Per-thread scratch: a packed block of B and one register tile; grown once, reused. */
    private static final class Scratch {
        float[] b = new float[KC * NC];
        final float[] tile = new float[MR * NR];
        final float[] row = new float[NC];
        float[] a = new float[0];
        /** The few-rows path's partial sums over one KC block, a task's columns wide. */
        float[] part = new float[0];
        /** All of a small B, packed once and shared by the threads that split M. */
        float[] shared = new float[0];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private VectorSgemm() {}

    @Override
    public String name() {
        return "vector-" + (L * 32) + "bit-" + MR + "x" + NR;
    }

    static int mPad(int m) {
        return (m + MR - 1) / MR * MR;
    }

    @Override
    public PackedA pack(int m, int k, float[] a, int aOff, int lda) {
        float[] data = new float[Math.max(1, mPad(m) * k)];
        packA(m, k, a, aOff, lda, data);
        return new PackedA(m, k, a, aOff, lda, data, LAYOUT);
    }

    // a (M,K) lda -> dst: per KC block kb, per MR panel ip, for p in the block: MR values (zero past M)
    static void packA(int m, int k, float[] a, int aOff, int lda, float[] dst) {
        int mp = mPad(m);
        for (int kb = 0; kb < k; kb += KC) {
            int kc = Math.min(KC, k - kb);
            for (int i0 = 0; i0 < mp; i0 += MR) {
                int o = kb * mp + i0 * kc;
                for (int r = 0; r < MR; r++) {
                    int i = i0 + r;
                    if (i < m) {
                        int src = aOff + i * lda + kb;
                        for (int p = 0; p < kc; p++) {
                            dst[o + p * MR + r] = a[src + p];
                        }
                    } else {
                        for (int p = 0; p < kc; p++) {
                            dst[o + p * MR + r] = 0f;
                        }
                    }
                }
            }
        }
    }

    @Override
    public void gemm(
            int m,
            int n,
            int k,
            float[] a,
            int aOff,
            int lda,
            float[] b,
            int bOff,
            int ldb,
            float[] c,
            int cOff,
            int ldc,
            boolean accumulate,
            Parallel par) {
        if (m == 0 || n == 0) {
            return;
        }
        if (m < FEW_ROWS) {
            // per row, per task's columns: sums over k ascending in a row of partial sums, B read row by row
            int blocks = (n + FEW_COLS - 1) / FEW_COLS;
            long perBlock = (long) m * k * FEW_COLS;
            // B streams from memory once (8 MB for ResNet-50's fc): split from 2^18 multiply-adds, a
            // quarter of the compute-bound threshold, so both threads' loads are in flight
            int grain = (int) Math.max(1, Math.min(blocks, (MIN_TASK_MACS / 8) / Math.max(1, perBlock)));
            par.forRange(blocks, grain, (b0, b1) -> {
                int j0 = b0 * FEW_COLS;
                int j1 = Math.min(n, b1 * FEW_COLS);
                Scratch s = SCRATCH.get();
                if (s.part.length < j1 - j0) {
                    s.part = new float[j1 - j0];
                }
                for (int i = 0; i < m; i++) {
                    fewRows(
                            k,
                            a,
                            aOff + i * lda,
                            b,
                            bOff + j0,
                            ldb,
                            j1 - j0,
                            c,
                            cOff + i * ldc + j0,
                            accumulate,
                            s.part);
                }
            });
            return;
        }
        // A packed on the caller's thread into its scratch (activations: the Gemm/MatMul ops)
        Scratch s = SCRATCH.get();
        int need = mPad(m) * k;
        if (s.a.length < need) {
            s.a = new float[need];
        }
        packA(m, k, a, aOff, lda, s.a);
        run(new Call(s.a, m, n, k, b, bOff, ldb, null, c, cOff, ldc, accumulate, Epilogue.NONE), par);
    }

    @Override
    public void gemm(
            PackedA a,
            int n,
            float[] b,
            int bOff,
            int ldb,
            float[] c,
            int cOff,
            int ldc,
            Epilogue epilogue,
            Parallel par) {
        if (!LAYOUT.equals(a.layout())) {
            a = pack(a.m(), a.k(), a.a(), a.aOff(), a.lda());
        }
        if (a.m() == 0 || n == 0) {
            return;
        }
        run(new Call(a.data(), a.m(), n, a.k(), b, bOff, ldb, null, c, cOff, ldc, false, epilogue), par);
    }

    /*
     * c[co .. co+cols) (+)= sum over kk of a[ao+kk] · b[bo + kk·ldb ..]: each KC block of k summed from zero
     * in part and added to c, as the packed path's edge tiles do (one chain over ResNet-50's 2048 inputs
     * made its logits 3x further from torchvision's). Four rows of B at a time, each read along its
     * length: walking B down its columns instead (a register tile of 32 columns over all of k) crossed a
     * page at every row of a fully connected layer's 4 KB rows and ran at 2-5 GB/s, the prefetchers idle
     * (ResNet-18's fc at batch 1: 581 µs, a fifth of the model's time at 8x8 inputs, where reading along
     * the rows takes 142 µs; docs/PERFORMANCE.md, The GEMM).
     * Each element still sees one fma per kk in ascending order, so the sums are those of a register chain.
     */
    private static void fewRows(
            int k,
            float[] a,
            int ao,
            float[] b,
            int bo,
            int ldb,
            int cols,
            float[] c,
            int co,
            boolean acc,
            float[] part) {
        int vec = cols - cols % L;
        for (int kb = 0; kb < k; kb += KC) {
            int kEnd = Math.min(k, kb + KC);
            java.util.Arrays.fill(part, 0, cols, 0f);
            int kk = kb;
            for (; kk + 4 <= kEnd; kk += 4) {
                int r0 = bo + kk * ldb;
                FloatVector a0 = FloatVector.broadcast(S, a[ao + kk]);
                FloatVector a1 = FloatVector.broadcast(S, a[ao + kk + 1]);
                FloatVector a2 = FloatVector.broadcast(S, a[ao + kk + 2]);
                FloatVector a3 = FloatVector.broadcast(S, a[ao + kk + 3]);
                for (int j = 0; j < vec; j += L) {
                    FloatVector p = FloatVector.fromArray(S, part, j);
                    p = FloatVector.fromArray(S, b, r0 + j).fma(a0, p);
                    p = FloatVector.fromArray(S, b, r0 + ldb + j).fma(a1, p);
                    p = FloatVector.fromArray(S, b, r0 + 2 * ldb + j).fma(a2, p);
                    p = FloatVector.fromArray(S, b, r0 + 3 * ldb + j).fma(a3, p);
                    p.intoArray(part, j);
                }
                for (int j = vec; j < cols; j++) {
                    float p = part[j];
                    p = Math.fma(b[r0 + j], a[ao + kk], p);
                    p = Math.fma(b[r0 + ldb + j], a[ao + kk + 1], p);
                    p = Math.fma(b[r0 + 2 * ldb + j], a[ao + kk + 2], p);
                    p = Math.fma(b[r0 + 3 * ldb + j], a[ao + kk + 3], p);
                    part[j] = p;
                }
            }
            for (; kk < kEnd; kk++) {
                int r0 = bo + kk * ldb;
                FloatVector a0 = FloatVector.broadcast(S, a[ao + kk]);
                for (int j = 0; j < vec; j += L) {
                    FloatVector.fromArray(S, b, r0 + j)
                            .fma(a0, FloatVector.fromArray(S, part, j))
                            .intoArray(part, j);
                }
                for (int j = vec; j < cols; j++) {
                    part[j] = Math.fma(b[r0 + j], a[ao + kk], part[j]);
                }
            }
            if (kb == 0 && !acc) {
                System.arraycopy(part, 0, c, co, cols);
            } else {
                for (int j = 0; j < cols; j++) {
                    c[co + j] += part[j];
                }
            }
        }
    }

    @Override
    public boolean packsRowSources() {
        return true;
    }

    @Override
    public void gemm(PackedA a, RowSource b, int n, float[] c, int cOff, int ldc, Epilogue epilogue, Parallel par) {
        if (!LAYOUT.equals(a.layout())) {
            a = pack(a.m(), a.k(), a.a(), a.aOff(), a.lda());
        }
        if (a.m() == 0 || n == 0) {
            return;
        }
        run(new Call(a.data(), a.m(), n, a.k(), null, 0, 0, b, c, cOff, ldc, false, epilogue), par);
    }

    /**
     * One GEMM call: c (M,N) ldc = epilogue(a·b) (or c + a·b when accumulate), a packed panels, b dense
     * (b, bOff, ldb) or, when src is not null, a row source src (the implicit im2col matrix of a convolution).
     */
    private record Call(
            float[] ap,
            int m,
            int n,
            int k,
            float[] b,
            int bOff,
            int ldb,
            RowSource src,
            float[] c,
            int cOff,
            int ldc,
            boolean accumulate,
            Epilogue e) {
        /** The same call reading all of B already packed (per KC block kb at kb·nPad, as packB lays out a block). */
        Call prepacked(float[] packed) {
            return new Call(ap, m, n, k, packed, 0, 0, null, c, cOff, ldc, accumulate, e);
        }
    }

    private static void run(Call call, Parallel par) {
        float[] ap = call.ap();
        int m = call.m();
        int n = call.n();
        int k = call.k();
        float[] b = call.b();
        int bOff = call.bOff();
        int ldb = call.ldb();
        RowSource src = call.src();
        float[] c = call.c();
        int cOff = call.cOff();
        int ldc = call.ldc();
        boolean accumulate = call.accumulate();
        Epilogue e = call.e();
        if (k == 0) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    float v = accumulate ? c[cOff + i * ldc + j] : 0f;
                    c[cOff + i * ldc + j] = e.apply(v, i, j);
                }
            }
            return;
        }
        int mPanels = (m + MR - 1) / MR;
        int nPanels = (n + NR - 1) / NR;
        long macs = (long) mPanels * MR * nPanels * NR * k;
        int threads = macs < 2 * MIN_TASK_MACS ? 1 : par.threads();
        if (threads == 1) {
            region(call, 0, mPanels, 0, nPanels, false);
        } else if (nPanels >= 4 * threads) {
            int grain = (int) Math.max(1, MIN_TASK_MACS / ((long) mPanels * MR * NR * k));
            par.forRange(nPanels, grain, (j0, j1) -> region(call, 0, mPanels, j0, j1, false));
        } else {
            // few columns: B is small. Packed once, split over K blocks, into a buffer the threads then
            // share while they split the rows of C.
            int nPad = nPanels * NR;
            Scratch s = SCRATCH.get();
            if (s.shared.length < nPad * k) {
                s.shared = new float[nPad * k];
            }
            float[] pre = s.shared;
            // items: (KC block, column panel) pairs, so that even a single K block is packed in parallel
            par.forRange((k + KC - 1) / KC * nPanels, 1, (t0, t1) -> {
                Scratch ws = SCRATCH.get();
                for (int t = t0; t < t1; t++) {
                    int kb = t / nPanels * KC;
                    int j = t % nPanels * NR;
                    int kc = Math.min(KC, k - kb);
                    int dst = kb * nPad + j * kc;
                    if (src == null) {
                        packB(b, bOff + kb * ldb + j, ldb, kc, Math.min(NR, n - j), pre, dst);
                    } else {
                        packRows(src, kb, j, kc, Math.min(NR, n - j), pre, dst, ws.row);
                    }
                }
            });
            int grain = (int) Math.max(1, MIN_TASK_MACS / ((long) nPanels * MR * NR * k));
            Call shared = call.prepacked(pre);
            par.forRange(mPanels, grain, (i0, i1) -> region(shared, i0, i1, 0, nPanels, true));
        }
    }

    // row panels [ip0,ip1) x column panels [jp0,jp1) of c (M,N) = a packed (M,K) · b (K,N), then the epilogue;
    // prepacked: the call's b is all of B already packed (Call.prepacked)
    private static void region(Call call, int ip0, int ip1, int jp0, int jp1, boolean prepacked) {
        float[] ap = call.ap();
        int m = call.m();
        int n = call.n();
        int k = call.k();
        float[] b = call.b();
        int bOff = call.bOff();
        int ldb = call.ldb();
        RowSource src = call.src();
        float[] c = call.c();
        int cOff = call.cOff();
        int ldc = call.ldc();
        boolean accumulate = call.accumulate();
        Epilogue e = call.e();
        Scratch s = SCRATCH.get();
        float[] bp = prepacked ? b : s.b;
        int nPad = (n + NR - 1) / NR * NR;
        float[] tile = s.tile;
        int mp = mPad(m);
        for (int jc = jp0; jc < jp1; jc += NC / NR) {
            int jcEnd = Math.min(jp1, jc + NC / NR);
            int j0 = jc * NR;
            int cols = Math.min(n, jcEnd * NR) - j0;
            for (int kb = 0; kb < k; kb += KC) {
                int kc = Math.min(KC, k - kb);
                int bBase = 0;
                if (prepacked) {
                    bBase = kb * nPad + jc * NR * kc;
                } else if (src == null) {
                    packB(b, bOff + kb * ldb + j0, ldb, kc, cols, bp, 0);
                } else {
                    packRows(src, kb, j0, kc, cols, bp, 0, s.row);
                }
                boolean first = kb == 0 && !accumulate;
                boolean last = kb + kc >= k;
                for (int ic = ip0; ic < ip1; ic += MC / MR) {
                    int icEnd = Math.min(ip1, ic + MC / MR);
                    for (int jp = jc; jp < jcEnd; jp++) {
                        int bo = bBase + (jp - jc) * NR * kc;
                        int j = jp * NR;
                        int nc = Math.min(NR, n - j);
                        for (int ip = ic; ip < icEnd; ip++) {
                            int i = ip * MR;
                            int rows = Math.min(MR, m - i);
                            int co = cOff + i * ldc + j;
                            if (rows == MR && nc == NR) {
                                // a full tile accumulates straight into C
                                kernel(ap, kb * mp + i * kc, bp, bo, kc, c, co, ldc, first);
                                if (last && !e.isNone()) {
                                    epilogue(c, co, ldc, e, i, j);
                                }
                            } else {
                                kernel(ap, kb * mp + i * kc, bp, bo, kc, tile, 0, NR, true);
                                storeEdge(tile, rows, nc, c, co, ldc, first, last, e, i, j);
                            }
                        }
                    }
                }
            }
        }
    }

    // b (kc, cols) ldb at bOff -> dst at dOff: NR-column panels, each kc x NR row-major, zero past cols
    static void packB(float[] b, int bOff, int ldb, int kc, int cols, float[] dst, int dOff) {
        int o = dOff;
        for (int j0 = 0; j0 < cols; j0 += NR) {
            int w = Math.min(NR, cols - j0);
            if (w == NR) {
                for (int p = 0; p < kc; p++) {
                    int src = bOff + p * ldb + j0;
                    FloatVector.fromArray(S, b, src).intoArray(dst, o);
                    FloatVector.fromArray(S, b, src + L).intoArray(dst, o + L);
                    o += NR;
                }
            } else {
                for (int p = 0; p < kc; p++) {
                    int src = bOff + p * ldb + j0;
                    System.arraycopy(b, src, dst, o, w);
                    java.util.Arrays.fill(dst, o + w, o + NR, 0f);
                    o += NR;
                }
            }
        }
    }

    // rows [kb, kb+kc), columns [j0, j0+cols) of src -> dst at dOff as packB; row: scratch of cols floats
    static void packRows(RowSource src, int kb, int j0, int kc, int cols, float[] dst, int dOff, float[] row) {
        int full = cols / NR * NR;
        for (int p = 0; p < kc; p++) {
            src.row(kb + p, j0, cols, row);
            int o = dOff + p * NR;
            int j = 0;
            for (; j < full; j += NR, o += NR * kc) {
                FloatVector.fromArray(S, row, j).intoArray(dst, o);
                FloatVector.fromArray(S, row, j + L).intoArray(dst, o + L);
            }
            if (j < cols) {
                System.arraycopy(row, j, dst, o, cols - j);
                java.util.Arrays.fill(dst, o + cols - j, o + NR, 0f);
            }
        }
    }

    // a panel (kc, MR) at ao, b panel (kc, NR) at bo, t (MR, NR) ldt at to -> t = (zero ? 0 : t) + a^T·b
    static void kernel(float[] ap, int ao, float[] bp, int bo, int kc, float[] t, int to, int ldt, boolean zero) {
        if (MR == 8) {
            kernel8(ap, ao, bp, bo, kc, t, to, ldt, zero);
        } else {
            kernel4(ap, ao, bp, bo, kc, t, to, ldt, zero);
        }
    }

    // kernel for MR = 4: 8 accumulators
    private static void kernel4(
            float[] ap, int ao, float[] bp, int bo, int kc, float[] t, int to, int ldt, boolean zero) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = zero ? z : FloatVector.fromArray(S, t, to);
        FloatVector c01 = zero ? z : FloatVector.fromArray(S, t, to + L);
        FloatVector c10 = zero ? z : FloatVector.fromArray(S, t, to + ldt);
        FloatVector c11 = zero ? z : FloatVector.fromArray(S, t, to + ldt + L);
        FloatVector c20 = zero ? z : FloatVector.fromArray(S, t, to + 2 * ldt);
        FloatVector c21 = zero ? z : FloatVector.fromArray(S, t, to + 2 * ldt + L);
        FloatVector c30 = zero ? z : FloatVector.fromArray(S, t, to + 3 * ldt);
        FloatVector c31 = zero ? z : FloatVector.fromArray(S, t, to + 3 * ldt + L);
        for (int p = 0; p < kc; p++, ao += 4, bo += NR) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bo);
            FloatVector b1 = FloatVector.fromArray(S, bp, bo + L);
            FloatVector a = FloatVector.broadcast(S, ap[ao]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(S, ap[ao + 1]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(S, ap[ao + 2]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(S, ap[ao + 3]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
        }
        c00.intoArray(t, to);
        c01.intoArray(t, to + L);
        c10.intoArray(t, to + ldt);
        c11.intoArray(t, to + ldt + L);
        c20.intoArray(t, to + 2 * ldt);
        c21.intoArray(t, to + 2 * ldt + L);
        c30.intoArray(t, to + 3 * ldt);
        c31.intoArray(t, to + 3 * ldt + L);
    }

    // kernel for MR = 8: 16 accumulators
    private static void kernel8(
            float[] ap, int ao, float[] bp, int bo, int kc, float[] t, int to, int ldt, boolean zero) {
        if (zero) {
            // cleared here rather than by a branch on the accumulators: C2 keeps them unboxed
            FloatVector z = FloatVector.zero(S);
            for (int r = 0; r < MR; r++) {
                z.intoArray(t, to + r * ldt);
                z.intoArray(t, to + r * ldt + L);
            }
        }
        FloatVector c00 = FloatVector.fromArray(S, t, to);
        FloatVector c01 = FloatVector.fromArray(S, t, to + L);
        FloatVector c10 = FloatVector.fromArray(S, t, to + ldt);
        FloatVector c11 = FloatVector.fromArray(S, t, to + ldt + L);
        FloatVector c20 = FloatVector.fromArray(S, t, to + 2 * ldt);
        FloatVector c21 = FloatVector.fromArray(S, t, to + 2 * ldt + L);
        FloatVector c30 = FloatVector.fromArray(S, t, to + 3 * ldt);
        FloatVector c31 = FloatVector.fromArray(S, t, to + 3 * ldt + L);
        FloatVector c40 = FloatVector.fromArray(S, t, to + 4 * ldt);
        FloatVector c41 = FloatVector.fromArray(S, t, to + 4 * ldt + L);
        FloatVector c50 = FloatVector.fromArray(S, t, to + 5 * ldt);
        FloatVector c51 = FloatVector.fromArray(S, t, to + 5 * ldt + L);
        FloatVector c60 = FloatVector.fromArray(S, t, to + 6 * ldt);
        FloatVector c61 = FloatVector.fromArray(S, t, to + 6 * ldt + L);
        FloatVector c70 = FloatVector.fromArray(S, t, to + 7 * ldt);
        FloatVector c71 = FloatVector.fromArray(S, t, to + 7 * ldt + L);
        for (int p = 0; p < kc; p++, ao += 8, bo += NR) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bo);
            FloatVector b1 = FloatVector.fromArray(S, bp, bo + L);
            FloatVector a = FloatVector.broadcast(S, ap[ao]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(S, ap[ao + 1]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(S, ap[ao + 2]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(S, ap[ao + 3]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
            a = FloatVector.broadcast(S, ap[ao + 4]);
            c40 = a.fma(b0, c40);
            c41 = a.fma(b1, c41);
            a = FloatVector.broadcast(S, ap[ao + 5]);
            c50 = a.fma(b0, c50);
            c51 = a.fma(b1, c51);
            a = FloatVector.broadcast(S, ap[ao + 6]);
            c60 = a.fma(b0, c60);
            c61 = a.fma(b1, c61);
            a = FloatVector.broadcast(S, ap[ao + 7]);
            c70 = a.fma(b0, c70);
            c71 = a.fma(b1, c71);
        }
        c00.intoArray(t, to);
        c01.intoArray(t, to + L);
        c10.intoArray(t, to + ldt);
        c11.intoArray(t, to + ldt + L);
        c20.intoArray(t, to + 2 * ldt);
        c21.intoArray(t, to + 2 * ldt + L);
        c30.intoArray(t, to + 3 * ldt);
        c31.intoArray(t, to + 3 * ldt + L);
        c40.intoArray(t, to + 4 * ldt);
        c41.intoArray(t, to + 4 * ldt + L);
        c50.intoArray(t, to + 5 * ldt);
        c51.intoArray(t, to + 5 * ldt + L);
        c60.intoArray(t, to + 6 * ldt);
        c61.intoArray(t, to + 6 * ldt + L);
        c70.intoArray(t, to + 7 * ldt);
        c71.intoArray(t, to + 7 * ldt + L);
    }

    // c (MR, NR) ldc at cOff, a full tile at row i0, column j0 -> relu?(c + bias + residual)
    private static void epilogue(float[] c, int cOff, int ldc, Epilogue e, int i0, int j0) {
        float[] bias = e.bias();
        float[] res = e.residual();
        FloatVector zero = FloatVector.zero(S);
        for (int r = 0; r < MR; r++) {
            int co = cOff + r * ldc;
            float bv = bias == null ? 0f : bias[e.biasOff() + i0 + r];
            int ro = e.resOff() + (i0 + r) * e.ldr() + j0;
            for (int v = 0; v < NR; v += L) {
                FloatVector acc = FloatVector.fromArray(S, c, co + v);
                if (bias != null) {
                    acc = acc.add(bv);
                }
                if (res != null) {
                    acc = acc.add(FloatVector.fromArray(S, res, ro + v));
                }
                if (e.relu()) {
                    acc = acc.max(zero);
                }
                acc.intoArray(c, co + v);
            }
        }
    }

    // t (MR, NR) -> c (rows, cols) ldc at cOff: c = t (first) or c + t, then the epilogue (last block)
    private static void storeEdge(
            float[] t,
            int rows,
            int cols,
            float[] c,
            int cOff,
            int ldc,
            boolean first,
            boolean last,
            Epilogue e,
            int i0,
            int j0) {
        boolean epi = last && !e.isNone();
        for (int r = 0; r < rows; r++) {
            int co = cOff + r * ldc;
            for (int j = 0; j < cols; j++) {
                float v = first ? t[r * NR + j] : c[co + j] + t[r * NR + j];
                c[co + j] = epi ? e.apply(v, i0 + r, j0 + j) : v;
            }
        }
    }
}
