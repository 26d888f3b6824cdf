package dev.landscape.contract;

/**
 * The memory a tier-2 sidecar needs, written once for both sides: the webhook sizes a tier-2 rank's {@code -Xmx},
 * memory limit and scratch volume with it at admission, and the sidecar sizes its Lanczos basis from the heap it
 * got by the same terms, so that what the pod is given and what the sidecar uses cannot drift apart.
 *
 * <p>With N the model's parameters, n those analysed (N, or a subset), D those the differentiated graph reads (the
 * analysed ones and every frozen weight a gradient passes through: n &lt;= D &lt;= N), k the eigenvalues asked for,
 * b = {@link #blockSize(int) blockSize(k)}, m = {@link #basisVectors(int) basisVectors(k)} and beta the bytes of one
 * basis value (4: float, for tolerances of 1e-5 and looser; 8: double):
 * <pre>
 *   heap    = YOUNG_GEN + HEAP_BASE + 8 n max(2 + 2b, 6) + m beta n
 *   native  = ND4J_RESIDENT + 8 N + 8 D (GRAPH_COPIES - 1) + SAMEDIFF_CACHE + ACTIVATIONS + NATIVE_GARBAGE
 *   limit   = heap + native
 *   scratch = NATIVES + SPOOL
 * </pre>
 * Only the sidecar knows D: it is what is left of the graph once the part that depends on no analysed parameter is
 * folded into constants, so it depends on where in the graph the subset sits. For the last blocks and the head D = n;
 * for a subset early in the model (the first block, or a tied embedding the first node reads) the gradient runs
 * back through nearly every block and D is nearly N. The webhook, which knows N and n only, sizes the pod with
 * D = n ({@link #of(long, long, int, int)}): right for the subsets tier 2 is meant for, a lower bound for others;
 * the sidecar computes the need with its D before it starts the Hessian products and refuses, naming what to change,
 * when the pod it runs in is too small.
 * The heap holds the checkpoint's point and one gradient (the finite-difference HVP), the 2b vectors of a Lanczos
 * block and its products (6 vectors in the Adam-preconditioned phase), and the basis; weights never sit on the heap
 * (they are streamed into ND4J's arrays). Natively, ND4J holds every weight once in double (the whole graph; with a
 * subset, the frozen part while it is evaluated once, then the frozen values the differentiated part reads), and the
 * parameters the differentiated graph reads {@link #GRAPH_COPIES} - 1 times more (the perturbed point, the
 * gradients, the backward pass's weight-sized intermediates, which a frozen weight inside that graph needs as much
 * as an analysed one), plus the batch's activations, on top of its own resident set (libraries, OpenBLAS buffers, JVM
 * metaspace and code), and dead buffers up to the sidecar's collection threshold. Without a subset (n = D = N) that
 * is the model GRAPH_COPIES times. The scratch volume (an emptyDir on disk) holds javacpp's unpacked
 * natives and the report spool.
 */
public record Tier2Memory(long heapBytes, long nativeBytes, long limitBytes, long scratchBytes) {

    public static final long MIB = 1L << 20;

    /** The young generation of a tier-2 heap: SameDiff's short-lived objects; everything else is old. */
    public static final long YOUNG_GEN = 64 * MIB;

    /** Heap of the sidecar itself with tier 2 loaded: classes, SameDiff's graph objects, the batch, the reports. */
    public static final long HEAP_BASE = 192 * MIB;

    /**
     * The resident set of the JVM and ND4J beyond the heap, apart from the model's copies: native libraries,
     * OpenBLAS, metaspace, code cache, thread stacks, the collector's structures. ND4J alone is about 450 MB once
     * loaded; what a whole-model product adds on top was measured (bench/curvature-scale.sh, n = D = N): the resident
     * peak less the committed heap was 2,082 MiB for a 10.1 M-parameter GPT-2-shaped model and 7,265 MiB for GPT-2
     * small (124 M), which after {@link #GRAPH_COPIES} double copies of the model leaves 1,619 and 1,568 MiB for the
     * fixed terms (this, {@link #SAMEDIFF_CACHE}, {@link #ACTIVATIONS}, {@link #NATIVE_GARBAGE}); with 450 MiB here
     * they summed to 1,090 and both runs passed the native part the formula allowed. 1,024 MiB makes them 1,664.
     */
    public static final long ND4J_RESIDENT = 1024 * MIB;

    /** javacpp's unpacked native libraries in the scratch volume ({@code org.bytedeco.javacpp.cachedir}). */
    public static final long NATIVES = 400 * MIB;

    /** The report spool and headroom in the scratch volume. */
    public static final long SPOOL = 112 * MIB;

    /**
     * Double copies of the analysed parameters ND4J may hold at the peak of a Hessian-vector product: the weights,
     * the perturbed point (w ± hu), their gradients and the backward pass's weight-sized intermediates (transposes,
     * per-op gradients), with a margin. Measured (bench/curvature-scale.sh): a 10 M-parameter GPT-2-shaped model
     * peaked at 1,474 MiB of resident set beyond its whole heap; with 3 copies and no {@link #NATIVE_GARBAGE} the
     * formula gave it 1,077 MiB, with 6 copies it gives 1,554. Frozen parameters outside the differentiated graph
     * count once: the sidecar evaluates the part of the graph that does not depend on the analysed ones once and
     * differentiates only the rest; those the rest reads count as often as analysed ones.
     */
    public static final int GRAPH_COPIES = 6;

    /** SameDiff's cache of released arrays, capped by {@link #javaToolOptions} (natively, outside the heap). */
    public static final long SAMEDIFF_CACHE = 128 * MIB;

    /** Activations of a small evaluation batch (a few hundred tokens or images). */
    public static final long ACTIVATIONS = 256 * MIB;

    /**
     * Dead native buffers the sidecar lets accumulate before it asks for a collection (ND4J frees an array's buffer
     * only when its Java object is collected): the resident set's growth that triggers one.
     */
    public static final long NATIVE_GARBAGE = 256 * MIB;

    /** Bytes of a float basis value: the pod's tier 2 runs at tolerance 1e-3, which a float basis supports. */
    public static final int FLOAT_BYTES = 4;

    /** Lanczos basis vectors provisioned when k is small; longer runs restart thick within them. */
    public static final int BASIS_STEPS = 32;

    /**
     * The Lanczos block size for the top k eigenvalues: 1 for k = 1 (the top eigenvalue is the same however often
     * it repeats, and one vector spends the fewest products), k otherwise (a block of k vectors finds up to k copies
     * of a repeated eigenvalue, which a multi-output MSE head always has).
     */
    public static int blockSize(int topK) {
        return topK <= 1 ? 1 : topK;
    }

    /** Basis vectors provisioned for top-k: {@link #BASIS_STEPS}, or room for k Ritz vectors and four blocks. */
    public static int basisVectors(int topK) {
        return Math.max(BASIS_STEPS, topK + 4 * blockSize(topK));
    }

    /** The fewest basis vectors a restarted Lanczos for the top k works in: k Ritz vectors and two blocks. */
    public static int minimumBasisVectors(int topK) {
        return topK + 2 * blockSize(topK);
    }

    /** Heap for the vectors of an analysis of n parameters, besides the basis. */
    public static long workingBytes(long n, int blockSize) {
        return 8 * n * Math.max(2 + 2L * blockSize, 6);
    }

    /**
     * The need as the webhook can know it, from N and n alone: {@link #of(long, long, long, int, int)} with D = n,
     * which is exact for a subset of the last blocks and the head and a lower bound for a subset earlier in the graph.
     *
     * @param modelParameters    N, every parameter of the model; 0 when unknown, which sizes for ND4J and the
     *                           sidecar alone (a small model's vectors fit in the heap's base)
     * @param analysedParameters n, those curvature is measured over (N without a subset)
     * @param topK               eigenvalues asked for
     * @param bytesPerValue      4 (float basis) or 8 (double)
     */
    public static Tier2Memory of(long modelParameters, long analysedParameters, int topK, int bytesPerValue) {
        return of(modelParameters, analysedParameters, analysedParameters, topK, bytesPerValue);
    }

    /**
     * @param modelParameters          N, every parameter of the model
     * @param analysedParameters       n, those curvature is measured over (N without a subset)
     * @param differentiatedParameters D, the parameters the differentiated graph reads (n, and the frozen weights
     *                                 a gradient passes through)
     * @param topK                     eigenvalues asked for
     * @param bytesPerValue            4 (float basis) or 8 (double)
     */
    public static Tier2Memory of(long modelParameters, long analysedParameters, long differentiatedParameters, int topK,
                                 int bytesPerValue) {
        if (modelParameters < 0 || analysedParameters < 0 || analysedParameters > differentiatedParameters
                || differentiatedParameters > modelParameters) {
            throw new IllegalArgumentException("need 0 <= analysed (" + analysedParameters + ") <= differentiated ("
                    + differentiatedParameters + ") <= model parameters (" + modelParameters + ")");
        }
        long n = analysedParameters;
        long heap = YOUNG_GEN + HEAP_BASE + workingBytes(n, blockSize(topK)) + (long) basisVectors(topK) * bytesPerValue * n;
        long nativeBytes = ND4J_RESIDENT + 8 * modelParameters + 8 * differentiatedParameters * (GRAPH_COPIES - 1)
                + SAMEDIFF_CACHE + ACTIVATIONS + NATIVE_GARBAGE;
        return new Tier2Memory(roundUp(heap), roundUp(nativeBytes), roundUp(heap) + roundUp(nativeBytes),
                NATIVES + SPOOL);
    }

    /**
     * The sidecar's {@code JAVA_TOOL_OPTIONS}. The webhook writes it, and the test that runs tier 2 under a pod's
     * sizing starts its JVM with it. Always the heap and where javacpp unpacks its natives; for a tier-2 rank also a
     * young generation of {@link #youngMiB} and SameDiff's array cache capped at {@link #SAMEDIFF_CACHE}: SameDiff
     * keeps released arrays for reuse up to a quarter of javacpp's {@code maxBytes}, which defaults to the heap (a
     * 20 GB heap would let it keep 5 GB natively) and which ND4J's own buffers are not counted against, so it is set
     * to four times the cap; {@code maxPhysicalBytes=0} turns off javacpp's check of the resident set on its own
     * allocations, which would otherwise refuse one once the process passes {@code maxBytes} + 3 x heap.
     */
    public static String javaToolOptions(long heapMiB, boolean tier2, String javacppCacheDir) {
        StringBuilder b = new StringBuilder("-Xmx").append(heapMiB).append('m');
        if (tier2) {
            long young = youngMiB(heapMiB);
            if (young > 0) {
                b.append(" -Xmn").append(young).append('m');
            }
            b.append(" -Dorg.bytedeco.javacpp.maxBytes=").append(4 * SAMEDIFF_CACHE / MIB).append('m')
                    .append(" -Dorg.bytedeco.javacpp.maxPhysicalBytes=0");
        }
        return b.append(" -Dorg.bytedeco.javacpp.cachedir=").append(javacppCacheDir).toString();
    }

    /**
     * Environment for a tier-2 rank's sidecar: ND4J's OpenMP and OpenBLAS threads pinned to the CPU limit (they would
     * start one thread, and buffer, per core of the node), and glibc's allocator made to return freed buffers to the
     * system: with its default, adaptive mmap threshold, buffers of up to 32 MB come from arenas that keep freed
     * memory resident, and the resident set of a 10 M-parameter GPT grew by ~270 MB per gradient (1.9 GB after five
     * instead of 2.5 GB and rising, with a fixed 128 KiB threshold and two arenas).
     */
    public static java.util.Map<String, String> environment(int threads) {
        java.util.Map<String, String> env = new java.util.LinkedHashMap<>();
        env.put("OMP_NUM_THREADS", String.valueOf(Math.max(1, threads)));
        env.put("MALLOC_MMAP_THRESHOLD_", "131072");
        env.put("MALLOC_ARENA_MAX", "2");
        return env;
    }

    /**
     * The young generation for a tier-2 heap of {@code heapMiB}: {@link #YOUNG_GEN}, so that the long-lived Lanczos
     * vectors find room in the old generation, which a generational collector (Serial, the JVM's choice at a 1-CPU
     * limit) otherwise caps at two thirds of the heap; 0 (the JVM's choice) for heaps too small to split so.
     */
    public static long youngMiB(long heapMiB) {
        return heapMiB >= 4 * YOUNG_GEN / MIB ? YOUNG_GEN / MIB : 0;
    }

    /** {@code -Xmx} in MiB. */
    public long heapMiB() {
        return heapBytes / MIB;
    }

    public long limitMiB() {
        return limitBytes / MIB;
    }

    public long scratchMiB() {
        return scratchBytes / MIB;
    }

    private static long roundUp(long bytes) {
        return (bytes + MIB - 1) / MIB * MIB;
    }
}
