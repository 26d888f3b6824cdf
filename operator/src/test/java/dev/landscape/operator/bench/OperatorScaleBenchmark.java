package dev.landscape.operator.bench;

import dev.landscape.operator.crd.LandscapeProbe;
import dev.landscape.operator.testing.TestingObjects;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.common.QuarkusTestResource;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Not a test: {@code ./mvnw -B -pl operator -am test -Pbench -Dtest=OperatorScaleBenchmark}. The mock API server runs
 * in a JVM of its own holding 50,000 running pods that no probe selects (-Dbench.unrelatedPods); then 100 probes × 20
 * selected pods = 2,000 pods, labelled as the webhook labels them; then one pod per probe is OOM-killed, paced at 10
 * per second, and we measure the time from the pod's status update to (a) the probe's status counting the OOM kill
 * and (b) the OOMKilled Event on the probe. Prints p50/p99 (timestamps taken by watches, not polling), reconcile
 * throughput, and the heap of this JVM (the operator, its informers and the test harness; not the API server), and
 * writes them to operator/target/bench-operator.txt. Run it with the Deployment's heap ceiling to show it fits:
 * {@code -Dbench.jvm="-Xmx256m"}.
 */
@QuarkusTest
@QuarkusTestResource(value = StandaloneApiServerResource.class, restrictToAnnotatedClass = true)
@Tag("bench")
class OperatorScaleBenchmark {

    static final int PROBES = 100;
    static final int PODS_PER_PROBE = 20;

    @Inject
    KubernetesClient client;

    @Inject
    dev.landscape.operator.alert.OperatorMetrics metrics;

    @Test
    void oomKillToStatusAndEventLatency() throws Exception {
        String ns = client.getNamespace();
        client.resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
        Instant setupStart = Instant.now();
        for (int p = 0; p < PROBES; p++) {
            client.resource(TestingObjects.probe(ns, "job-" + p, "job-" + p)).create();
            for (int r = 0; r < PODS_PER_PROBE; r++) {
                client.resource(TestingObjects.pod(ns, "job-" + p, r)).create();
            }
        }
        awaitAllReady(ns);
        Duration setup = Duration.between(setupStart, Instant.now());
        long setupReconciles = metrics.reconciles();

        ConcurrentHashMap<String, Long> statusAt = new ConcurrentHashMap<>();
        ConcurrentHashMap<String, Long> eventAt = new ConcurrentHashMap<>();
        ConcurrentHashMap<String, Long> killedAt = new ConcurrentHashMap<>();
        var probeWatch = client.resources(LandscapeProbe.class).inNamespace(ns).inform(new ResourceEventHandler<>() {
            public void onAdd(LandscapeProbe lp) {
                onUpdate(null, lp);
            }

            public void onUpdate(LandscapeProbe old, LandscapeProbe lp) {
                if (lp.getStatus() != null && lp.getStatus().getOomKills() != null && lp.getStatus().getOomKills() > 0) {
                    statusAt.putIfAbsent(lp.getMetadata().getName(), System.nanoTime());
                }
            }

            public void onDelete(LandscapeProbe lp, boolean unknown) {
            }
        });
        var eventWatch = client.v1().events().inNamespace(ns).inform(new ResourceEventHandler<>() {
            public void onAdd(Event e) {
                if ("OOMKilled".equals(e.getReason()) && "LandscapeProbe".equals(e.getInvolvedObject().getKind())) {
                    eventAt.putIfAbsent(e.getInvolvedObject().getName(), System.nanoTime());
                }
            }

            public void onUpdate(Event old, Event e) {
                onAdd(e);
            }

            public void onDelete(Event e, boolean unknown) {
            }
        });

        Instant killStart = Instant.now();
        for (int p = 0; p < PROBES; p++) {
            Pod pod = client.pods().inNamespace(ns).withName("job-" + p + "-" + (p % PODS_PER_PROBE)).get();
            pod.getStatus().setContainerStatuses(List.of(new ContainerStatusBuilder().withName("trainer").withRestartCount(1)
                    .withNewState().withNewRunning().endRunning().endState()
                    .withNewLastState().withNewTerminated().withReason("OOMKilled").withExitCode(137)
                    .withFinishedAt(Instant.now().toString()).endTerminated().endLastState().build()));
            killedAt.put("job-" + p, System.nanoTime());
            client.pods().inNamespace(ns).resource(pod).updateStatus();
            Thread.sleep(100);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while ((statusAt.size() < PROBES || eventAt.size() < PROBES) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        probeWatch.close();
        eventWatch.close();
        Duration killPhase = Duration.between(killStart, Instant.now());

        List<Double> toStatus = latencies(killedAt, statusAt);
        List<Double> toEvent = latencies(killedAt, eventAt);
        System.gc();
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        long maxHeap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getMax();
        int cluster = StandaloneApiServerResource.UNRELATED_PODS + PROBES * PODS_PER_PROBE;
        String report = String.format(Locale.ROOT, """
                        operator scale benchmark (mock API server in its own JVM)
                        pods on the API server %d (%d selected by %d probes, the rest unrelated), setup (create + all observed) %.1f s, load average %.2f
                        OOM kill -> probe status : n=%d p50 %.0f ms  p99 %.0f ms  max %.0f ms
                        OOM kill -> probe Event  : n=%d p50 %.0f ms  p99 %.0f ms  max %.0f ms
                        reconciles while 2,000 pods were created and observed: %d in %.1f s (%.0f reconciles/s)
                        kill phase %.1f s for %d kills (%.1f reconciled kills/s)
                        heap used after GC (operator + test harness; API server excluded): %d MiB of max %d MiB
                        """, cluster, PROBES * PODS_PER_PROBE, PROBES, setup.toMillis() / 1000.0,
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                toStatus.size(), pct(toStatus, 50), pct(toStatus, 99), pct(toStatus, 100),
                toEvent.size(), pct(toEvent, 50), pct(toEvent, 99), pct(toEvent, 100),
                setupReconciles, setup.toMillis() / 1000.0, setupReconciles / (setup.toMillis() / 1000.0),
                killPhase.toMillis() / 1000.0, PROBES, PROBES / (killPhase.toMillis() / 1000.0), heap >> 20, maxHeap >> 20);
        System.out.println(report);
        Files.writeString(Path.of("target/bench-operator.txt"), report);
    }

    private void awaitAllReady(String ns) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < deadline) {
            long ready = client.resources(LandscapeProbe.class).inNamespace(ns).list().getItems().stream()
                    .filter(lp -> lp.getStatus() != null && lp.getStatus().getPodsInjected() != null
                            && lp.getStatus().getPodsInjected() == PODS_PER_PROBE).count();
            if (ready == PROBES) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("probes did not all observe their pods within 180 s");
    }

    private static List<Double> latencies(ConcurrentHashMap<String, Long> from, ConcurrentHashMap<String, Long> to) {
        List<Double> out = new ArrayList<>();
        from.forEach((k, start) -> {
            Long end = to.get(k);
            if (end != null) {
                out.add((end - start) / 1e6);
            }
        });
        out.sort(Double::compare);
        return out;
    }

    private static double pct(List<Double> sorted, int p) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }
}
