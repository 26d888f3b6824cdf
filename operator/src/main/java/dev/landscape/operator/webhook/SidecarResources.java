package dev.landscape.operator.webhook;

import dev.landscape.contract.SidecarSettings;
import dev.landscape.contract.Tier2Memory;
import dev.landscape.operator.crd.LandscapeProbeSpec;
import dev.landscape.operator.crd.MetricsSpec;
import dev.landscape.operator.crd.SchemaDefaults;
import dev.landscape.operator.crd.SidecarSpec;
import dev.landscape.operator.rank.RankResolution;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The sidecar's resources and JVM heap. Tier 1 only: the probe's resources, else low defaults that cannot starve a
 * trainer, with a quarter of the memory limit as heap. A rank that runs tier 2 (ND4J, a model in double, Lanczos
 * vectors) without resources of its own is sized by {@link Tier2Memory} from the model's parameter count
 * ({@code spec.metrics.modelParameters}, {@code subsetParameters}, {@code topK}): heap and memory limit (requested
 * in full, so that the node does not evict it for using what it was given) and a scratch volume that holds javacpp's
 * unpacked natives. The parameter count comes from the spec because at admission nothing else knows it: the model
 * file lies on the pod's own volume, which the operator cannot read, and a count the sidecar measures arrives only
 * after the first pod has been sized; the sidecar compares the model it loads with the stated count and warns.
 */
public final class SidecarResources {

    static final String DEFAULT_CPU_REQUEST = "50m";
    static final String DEFAULT_MEMORY_REQUEST = "192Mi";
    static final String DEFAULT_CPU_LIMIT = "1";
    static final String DEFAULT_MEMORY_LIMIT = "512Mi";
    private static final long MIN_HEAP_MIB = 64;

    /**
     * What one sidecar is given.
     *
     * @param resources        requests and limits (GPU placement is applied on top)
     * @param heapMiB          {@code -Xmx}
     * @param scratchSizeLimit sizeLimit of the scratch emptyDir
     * @param tier2            how tier 2 was sized, for the injection-status annotation; null for a tier-1 sidecar
     *                         and for explicit resources without a stated parameter count (nothing was sized)
     * @param tier2Rank        whether this rank runs tier 2 (its JVM options then shape heap and SameDiff's cache)
     */
    record Sizing(ResourceRequirements resources, long heapMiB, boolean tier2Rank, String scratchSizeLimit,
                  Map<String, Object> tier2) {

        /** Threads for ND4J: the CPU limit rounded up, else the request, at least 1. */
        int threads() {
            Quantity cpu = pick(resources.getLimits(), "cpu");
            if (cpu == null) {
                cpu = pick(resources.getRequests(), "cpu");
            }
            if (cpu == null) {
                return 1;
            }
            return Math.max(1, cpu.getNumericalAmount().setScale(0, java.math.RoundingMode.CEILING).intValue());
        }
    }

    private SidecarResources() {
    }

    static Sizing size(LandscapeProbeSpec spec, RankResolution rank, String scratchSizeLimit) {
        SidecarSpec sidecar = spec.getSidecar();
        MetricsSpec metrics = spec.getMetrics();
        if (!runsTier2(metrics, rank)) {
            ResourceRequirements r = of(sidecar);
            return new Sizing(r, heapMiB(r), false, scratchSizeLimit, null);
        }
        Long model = metrics.getModelParameters();
        long analysed = metrics.getSubsetParameters() != null ? metrics.getSubsetParameters() : model == null ? 0 : model;
        int topK = metrics.getTopK() != null ? metrics.getTopK()
                : Integer.parseInt(SchemaDefaults.of(MetricsSpec.class, "topK"));
        Tier2Memory need = Tier2Memory.of(model == null ? 0 : model, analysed, topK, Tier2Memory.FLOAT_BYTES);
        String scratch = bytes(scratchSizeLimit) >= need.scratchBytes() ? scratchSizeLimit : need.scratchMiB() + "Mi";
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("modelParameters", model == null ? "unstated: sized for ND4J and the sidecar alone" : model);
        status.put("analysedParameters", analysed);
        if (sidecar != null && sidecar.getResources() != null) {
            ResourceRequirements r = sidecar.getResources();
            long heap = model == null ? heapMiB(r) : Math.max(MIN_HEAP_MIB, limitMiB(r) - need.nativeBytes() / Tier2Memory.MIB);
            status.put("resources", "spec.sidecar.resources; the formula asks " + need.heapMiB() + "Mi heap, "
                    + need.limitMiB() + "Mi limit");
            return new Sizing(r, heap, true, scratch, model == null ? null : status);
        }
        ResourceRequirements r = new ResourceRequirements();
        String memory = need.limitMiB() + "Mi";
        r.setRequests(map("cpu", DEFAULT_CPU_REQUEST, "memory", memory));
        r.setLimits(map("cpu", DEFAULT_CPU_LIMIT, "memory", memory));
        status.put("resources", "sized by the tier-2 formula: " + need.heapMiB() + "Mi heap, " + memory + " limit");
        return new Sizing(r, need.heapMiB(), true, scratch, status);
    }

    /**
     * Whether this rank's sidecar may run tier 2 ({@link SidecarSettings#runsTier2}); a rank not known at admission
     * might, and is sized as if it did (more memory than a tier-1 rank needs, rather than too little for tier 2).
     */
    static boolean runsTier2(MetricsSpec metrics, RankResolution rank) {
        boolean configured = metrics != null && metrics.getModel() != null && metrics.getBatch() != null;
        List<Integer> ranks = metrics == null || metrics.getRanks() == null ? List.of() : metrics.getRanks();
        return rank.number().isEmpty() ? configured : SidecarSettings.runsTier2(configured, ranks, rank.number().getAsInt());
    }

    public static ResourceRequirements of(SidecarSpec sidecar) {
        if (sidecar != null && sidecar.getResources() != null) {
            return sidecar.getResources();
        }
        ResourceRequirements defaults = new ResourceRequirements();
        defaults.setRequests(map("cpu", DEFAULT_CPU_REQUEST, "memory", DEFAULT_MEMORY_REQUEST));
        defaults.setLimits(map("cpu", DEFAULT_CPU_LIMIT, "memory", DEFAULT_MEMORY_LIMIT));
        return defaults;
    }

    /** {@code -Xmx} in MiB: a quarter of the memory limit (else request, else the default limit), at least 64. */
    public static long heapMiB(ResourceRequirements resources) {
        return Math.max(MIN_HEAP_MIB, limitMiB(resources) / 4);
    }

    /** The memory limit in MiB, else the request, else the default limit. */
    private static long limitMiB(ResourceRequirements resources) {
        Quantity memory = pick(resources.getLimits(), "memory");
        if (memory == null) {
            memory = pick(resources.getRequests(), "memory");
        }
        if (memory == null) {
            memory = new Quantity(DEFAULT_MEMORY_LIMIT);
        }
        return memory.getNumericalAmount().divide(BigDecimal.valueOf(Tier2Memory.MIB), java.math.RoundingMode.DOWN).longValue();
    }

    private static long bytes(String quantity) {
        return new Quantity(quantity).getNumericalAmount().longValue();
    }

    private static Quantity pick(Map<String, Quantity> map, String key) {
        return map == null ? null : map.get(key);
    }

    private static Map<String, Quantity> map(String k1, String v1, String k2, String v2) {
        Map<String, Quantity> m = new LinkedHashMap<>();
        m.put(k1, new Quantity(v1));
        m.put(k2, new Quantity(v2));
        return m;
    }
}
