package dev.landscape.operator.webhook;

import dev.landscape.operator.crd.SidecarSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The sidecar's resources (the probe's, else low defaults that cannot starve a trainer) and the JVM heap derived
 * from them: a quarter of the memory limit, because ND4J and javacpp keep most of their memory off-heap.
 */
public final class SidecarResources {

    static final String DEFAULT_CPU_REQUEST = "50m";
    static final String DEFAULT_MEMORY_REQUEST = "192Mi";
    static final String DEFAULT_CPU_LIMIT = "1";
    static final String DEFAULT_MEMORY_LIMIT = "512Mi";
    private static final long MIN_HEAP_MIB = 64;

    private SidecarResources() {
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
        Quantity memory = pick(resources.getLimits(), "memory");
        if (memory == null) {
            memory = pick(resources.getRequests(), "memory");
        }
        if (memory == null) {
            memory = new Quantity(DEFAULT_MEMORY_LIMIT);
        }
        long mib = memory.getNumericalAmount().divide(BigDecimal.valueOf(1024L * 1024L), java.math.RoundingMode.DOWN).longValue();
        return Math.max(MIN_HEAP_MIB, mib / 4);
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
