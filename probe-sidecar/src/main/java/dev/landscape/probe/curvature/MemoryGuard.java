package dev.landscape.probe.curvature;

import dev.landscape.contract.Tier2Memory;

import java.util.Locale;
import java.util.OptionalLong;
import java.util.function.Supplier;

/**
 * Refuses a tier-2 model the process has no room for, before anything of it is translated or evaluated: the
 * webhook sized the pod from N and n ({@link Tier2Memory#of(long, long, int, int)}), but a subset early in the
 * graph leaves most of it differentiated, and the need follows D ({@link ModelFootprint}), which only the split knows.
 * A pod that started the Hessian products anyway would pass its memory limit and be OOM-killed, taking tier 1 with
 * it; refused, the checkpoint reports tier 1 only and the refusal says what to change.
 *
 * <p>The native part must fit beside the whole heap (the JVM may commit all of it): need.native + {@code -Xmx} &lt;=
 * the container's memory limit, when it has one. The heap is {@link LanczosPlanner}'s to check, on the heap actually
 * free, also before the first product.
 */
public final class MemoryGuard {

    /**
     * What this process may use.
     *
     * @param maxHeapBytes    the JVM's maximum heap
     * @param containerBytes  the container's memory limit, when there is one
     */
    public record Limits(long maxHeapBytes, OptionalLong containerBytes) {

        /** This JVM's heap and its container's cgroup limit. */
        public static Limits ofThisProcess() {
            return new Limits(maxHeapSize(), ContainerMemoryLimit.read(ContainerMemoryLimit.CGROUP_ROOT));
        }

        /**
         * The heap as {@code -Xmx} set it: what the JVM may commit, and what the webhook wrote. Runtime.maxMemory()
         * is that less a survivor space under a generational collector, which would read a pod sized to the formula's
         * heap as a few MiB short of it.
         */
        static long maxHeapSize() {
            try {
                return Long.parseLong(java.lang.management.ManagementFactory
                        .getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class)
                        .getVMOption("MaxHeapSize").getValue());
            } catch (RuntimeException e) {
                return Runtime.getRuntime().maxMemory();
            }
        }
    }

    /** Checks nothing: tests and benchmarks that measure past the formula. */
    public static final MemoryGuard NONE = new MemoryGuard(null, 1);

    private final Supplier<Limits> limits;
    private final int topK;

    /**
     * @param limits read at each check (null: no check); {@link Limits#ofThisProcess} in production
     * @param topK   eigenvalues asked for (the counts to set are given with the heap and limit the webhook then writes)
     */
    public MemoryGuard(Supplier<Limits> limits, int topK) {
        this.limits = limits;
        this.topK = Math.max(1, topK);
    }

    /** @throws CurvatureException naming the need, the room, the subset and the fix, when the model does not fit */
    public void check(ModelFootprint f, ParameterSubset subset) {
        if (limits == null) {
            return;
        }
        Limits has = limits.get();
        Tier2Memory need = f.need(topK, Tier2Memory.FLOAT_BYTES);
        if (has.containerBytes().isEmpty() || need.nativeBytes() + has.maxHeapBytes() <= has.containerBytes().getAsLong()) {
            return;
        }
        long limit = has.containerBytes().getAsLong();
        boolean partial = f.analysedParameters() < f.modelParameters();
        // what the webhook writes when told the differentiated count as the analysed one
        Tier2Memory sized = Tier2Memory.of(f.modelParameters(), f.differentiatedParameters(), topK, Tier2Memory.FLOAT_BYTES);
        String counts = "spec.metrics.modelParameters: " + f.modelParameters()
                + (f.differentiatedParameters() < f.modelParameters() ? " and subsetParameters: " + f.differentiatedParameters() : "");
        throw new CurvatureException(String.format(Locale.ROOT,
                "tier 2 refused before the Hessian products: %s (%,d of %,d parameters) leaves %,d parameters in the "
                        + "differentiated graph (%,d frozen weights a gradient passes through), which needs %,d MiB "
                        + "native beside the heap; this process has %,d MiB heap under a memory limit of %,d MiB "
                        + "(%,d MiB left beside the heap). Fix: set %s (the parameters tier 2 differentiates; the webhook "
                        + "then writes -Xmx%dm and a %d Mi limit), or with spec.sidecar.resources a memory limit of at "
                        + "least %d Mi together with those counts%s",
                partial ? "the subset " + subset.globs() : "the whole model", f.analysedParameters(), f.modelParameters(),
                f.differentiatedParameters(), f.frozenDifferentiated(), need.nativeBytes() >> 20,
                has.maxHeapBytes() >> 20, limit >> 20, (limit - has.maxHeapBytes()) >> 20, counts, sized.heapMiB(),
                sized.limitMiB(), sized.limitMiB(), f.frozenDifferentiated() > 0 ? "; or analyse a subset later in "
                        + "the model (the last blocks and the head), whose gradient does not run through the frozen "
                        + "blocks" : ""));
    }
}
