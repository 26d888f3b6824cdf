package dev.landscape.operator.store;

import dev.landscape.apiserver.StrictApiServer;
import dev.landscape.operator.crd.CheckpointSummary;
import dev.landscape.operator.crd.LandscapeProbe;
import dev.landscape.operator.crd.ProbeReport;
import dev.landscape.operator.crd.ProbeReportStatus;
import dev.landscape.operator.crd.RankPod;
import dev.landscape.operator.crd.RepositoryPaths;
import dev.landscape.operator.ingest.ReportRecorder;
import dev.landscape.operator.observe.InfraAccounting;
import dev.landscape.operator.testing.TestingObjects;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The two writers of a rank's ProbeReport, report ingest and the reconciler, on the strict embedded API server: the
 * reconciler writes infrastructure history from its informer's copy, which can be older than a report ingest has just
 * stored. The write must not take the older status back with it (a lost checkpoint is a lost checkpoint interval and
 * report deadline, while the probe's status still shows the newer report's findings).
 */
class ProbeReportStoreTest {

    private static final String NS = "store";
    private static final int KEEP = 10;
    private static StrictApiServer server;
    private static ProbeReportStore store;

    @BeforeAll
    static void start() {
        server = StrictApiServer.start();
        server.applyCrds(RepositoryPaths.root().resolve("crds"));
        server.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build()).create();
        store = new ProbeReportStore(server.client());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void infrastructureHistoryWrittenFromAnOlderCopyKeepsTheCheckpointsRecordedSince() {
        LandscapeProbe probe = server.client().resource(TestingObjects.probe(NS, "race", "race")).create();
        Pod pod = server.client().resource(TestingObjects.pod(NS, "race", 0)).create();
        Instant now = Instant.now();
        ProbeReport informerCopy = store.update(probe, 0, status -> record(status, pod, 100, now));
        store.update(probe, 0, status -> record(status, pod, 200, now));

        store.update(probe, 0, informerCopy, status -> InfraAccounting.account(status, List.of(pod), now));

        ProbeReport stored = server.client().resources(ProbeReport.class).inNamespace(NS).withName(ProbeReport.nameFor("race", 0)).get();
        assertThat(stored.getStatus().getCheckpoints()).extracting(CheckpointSummary::getStep).containsExactly(100L, 200L);
        assertThat(stored.getStatus().getPods()).extracting(RankPod::getUid).containsExactly(pod.getMetadata().getUid());
    }

    private static boolean record(ProbeReportStatus status, Pod pod, long step, Instant at) {
        return ReportRecorder.record(status, TestingObjects.report(NS, "race", pod.getMetadata().getName(), 0, step, at,
                List.of(), List.of()), KEEP, at) == ReportRecorder.Outcome.ACCEPTED;
    }
}
