package dev.landscape.probe.curvature;

import dev.landscape.probe.curvature.linalg.Lanczos;
import dev.landscape.contract.Tier2Memory;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.Locale;

/**
 * Sizes a Lanczos run to the heap that is free: a double basis when every product the budget allows fits, else a
 * float basis (for tolerances of 1e-5 and looser, which float's 1e-7 orthogonality supports), restarted within the
 * vectors that fit; an error naming what is needed when not even k Ritz vectors and two blocks fit. The working
 * vectors are counted by {@link Tier2Memory#workingBytes}, the rule the webhook sizes the pod with.
 */
public final class LanczosPlanner {

    /** The loosest tolerance a float basis is used for. */
    static final double FLOAT_TOLERANCE = 1e-5;

    /** Heap kept free for everything else (SameDiff's Java side, reports): a fixed part and a fraction of the heap. */
    static final long RESERVE_BYTES = 48 * Tier2Memory.MIB;
    static final double RESERVE_FRACTION = 0.05;

    /** @param note a line for the report when the basis is not the plain one (float, restarted), else null */
    public record Plan(Lanczos.Settings settings, String note) {
    }

    private LanczosPlanner() {
    }

    /**
     * @param n           parameters (operator dimension)
     * @param maxProducts the product budget
     * @param freeBytes   heap available for this run's vectors (its working vectors and the basis)
     */
    public static Plan plan(int n, int k, int maxProducts, double tol, long freeBytes) {
        int b = Math.max(1, Math.min(Lanczos.defaultBlockSize(k), n));
        // the block and its products: 2b vectors (Tier2Memory counts the point and gradient on top)
        long working = 2L * b * 8 * n;
        long forBasis = freeBytes - working;
        int wanted = Math.min(n, maxProducts + b);
        int minimum = Math.min(n, Tier2Memory.minimumBasisVectors(k));
        if (forBasis >= (long) wanted * 8 * n) {
            return new Plan(new Lanczos.Settings(b, wanted, Lanczos.Precision.DOUBLE), null);
        }
        Lanczos.Precision precision = tol >= FLOAT_TOLERANCE ? Lanczos.Precision.FLOAT : Lanczos.Precision.DOUBLE;
        int bytes = precision == Lanczos.Precision.FLOAT ? 4 : 8;
        long fit = Math.max(0, forBasis) / ((long) bytes * n);
        int vectors = (int) Math.min(wanted, fit);
        if (vectors < minimum) {
            long need = working + (long) minimum * bytes * n;
            throw new CurvatureException(String.format(Locale.ROOT, "Lanczos on %,d parameters for the top %d needs "
                            + "%,d MiB of free heap (%d basis vectors in %s and %d working vectors), only %,d MiB are free: "
                            + "give the JVM more heap (-Xmx; in a pod, spec.metrics.modelParameters sizes it) or analyse "
                            + "fewer parameters (--parameters / spec.metrics.parameters)", n, k, need >> 20, minimum,
                    precision.name().toLowerCase(Locale.ROOT), 2 * b, Math.max(0, freeBytes) >> 20));
        }
        String note = String.format(Locale.ROOT, "Lanczos basis: %d vectors in %s (%,d MiB)%s", vectors,
                precision.name().toLowerCase(Locale.ROOT), ((long) vectors * bytes * n) >> 20,
                vectors < wanted ? ", restarted when full" : "");
        return new Plan(new Lanczos.Settings(b, vectors, precision), note);
    }

    /**
     * {@link #plan} for the heap free now. The heap in use counts garbage too, so when that estimate does not give
     * the plain double basis, the heap is collected once and measured again.
     */
    public static Plan planNow(int n, int k, int maxProducts, double tol) {
        Plan quick = null;
        try {
            quick = plan(n, k, maxProducts, tol, freeHeap());
        } catch (CurvatureException e) {
            // retried below after a collection
        }
        if (quick != null && quick.note() == null) {
            return quick;
        }
        System.gc();
        return plan(n, k, maxProducts, tol, freeHeap());
    }

    /**
     * Heap free for new long-lived vectors, less a reserve: room in the old generation where the collector has one
     * with a fixed maximum (Serial, Parallel: the Lanczos vectors outlive the young generation and end there), else
     * the maximum heap less what is in use (G1, whose old generation can take the whole heap).
     */
    static long freeHeap() {
        Runtime rt = Runtime.getRuntime();
        long reserve = RESERVE_BYTES + (long) (RESERVE_FRACTION * rt.maxMemory());
        long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            String name = pool.getName();
            if (pool.getType() == MemoryType.HEAP && (name.contains("Old Gen") || name.contains("Tenured"))
                    && pool.getUsage().getMax() > 0 && pool.getUsage().getMax() < rt.maxMemory()) {
                free = Math.min(free, pool.getUsage().getMax() - pool.getUsage().getUsed());
            }
        }
        return free - reserve;
    }
}
