package dev.landscape.operator.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import dev.landscape.operator.crd.LandscapeProbe;
import dev.landscape.operator.rank.JobSetShapes;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * CPU cost of one admission in-process (parse, match, inject, diff, serialise), without HTTP: the floor under
 * {@link WebhookLatencyBench}'s figures. Run with {@code -Pbench}.
 */
@Tag("bench")
class AdmissionHandlerBench {

    @Test
    void handlerCostPerAdmission() {
        List<JsonNode> docs = AdmissionReviews.documents(InjectionGoldenTest.GOLDEN + "pytorchjob-worker.yaml");
        List<LandscapeProbe> probes = AdmissionReviews.probes(docs);
        AdmissionHandler handler = new AdmissionHandler(ns -> probes, () -> InjectionGoldenTest.settings(true),
                dryRun -> ProbeEvents.NONE, InjectionGoldenTest.OPERATOR_NAMESPACE, JobSetShapes.NONE);
        byte[] body = AdmissionReviews.podCreate("bench", "ml-team", AdmissionReviews.pod(docs));
        for (int i = 0; i < 20_000; i++) {
            handler.review(body);
        }
        long[] nanos = new long[20_000];
        for (int i = 0; i < nanos.length; i++) {
            long t = System.nanoTime();
            assertThat(handler.review(body).getResponse().getPatch()).isNotNull();
            nanos[i] = System.nanoTime() - t;
        }
        Arrays.sort(nanos);
        // Allocation per admission sets how often the young generation fills at a given rate (GC pauses).
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 1_000; i++) {
            handler.review(body);
        }
        double allocatedKiB = (threads.getCurrentThreadAllocatedBytes() - before) / 1_000 / 1024.0;
        System.out.printf(Locale.ROOT, "BENCH handler in-process: p50=%.3fms p99=%.3fms max=%.3fms allocated=%.0fKiB per admission"
                        + " (request body %d bytes) load=%s%n",
                nanos[nanos.length / 2] / 1e6, nanos[(int) (nanos.length * 0.99)] / 1e6, nanos[nanos.length - 1] / 1e6,
                allocatedKiB, body.length, ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }
}
