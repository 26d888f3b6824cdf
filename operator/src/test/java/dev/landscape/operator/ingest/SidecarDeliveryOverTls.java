package dev.landscape.operator.ingest;

import dev.landscape.contract.CheckpointReport;
import dev.landscape.operator.crd.LandscapeProbe;
import dev.landscape.operator.crd.ProbeReport;
import dev.landscape.operator.crd.RepositoryPaths;
import dev.landscape.operator.testing.TestingKubelet;
import dev.landscape.operator.testing.TestingObjects;
import dev.landscape.operator.testing.TestingServiceProxy;
import dev.landscape.operator.testing.TestingTokenReviews;
import dev.landscape.operator.webhook.tls.SelfSignedIssuer;
import dev.landscape.operator.webhook.tls.TlsMaterial;
import dev.landscape.probe.report.Backoff;
import dev.landscape.probe.report.Delivery;
import dev.landscape.probe.report.ReportSender;
import dev.landscape.probe.report.ReportSpool;
import dev.landscape.probe.report.TlsFailure;
import dev.landscape.probe.runtime.SidecarConfig;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The production path from an injected sidecar to the operator, in one TLS mode per subclass: the pod exactly as
 * the webhook's golden file says it is injected, its volumes filled the way the kubelet fills them (the CA file
 * from the ConfigMap the running operator published in the pod's namespace), the sidecar's own configuration loader
 * and delivery code, HTTPS to the operator's real ingest endpoint, certificate checked against the Service's DNS
 * name. What differs from a cluster: container paths are folders here ({@link TestingKubelet}) and the Service's
 * name and port reach the operator through a loopback tunnel ({@link TestingServiceProxy}).
 *
 * <p>Subclasses run on the strict embedded API server ({@code StrictKubernetesServer}): ingest and the reconciler
 * both write the rank's ProbeReport while a report is delivered (the reconciler its pod's infrastructure history,
 * from its informer's copy), and only there, as on kube-apiserver, is a status write from an outdated copy a 409
 * Conflict that the store retries. On Fabric8's mock server such a write was stored and could erase the checkpoint
 * ingest had just recorded, so the stored latestStep checked right after delivery could be missing.
 */
abstract class SidecarDeliveryOverTls {

    static final String GOLDEN = "operator/src/test/resources/webhook/golden/pytorchjob-worker";
    static final String NS = "ml-team";

    @Inject
    KubernetesClient client;

    @ConfigProperty(name = "quarkus.http.test-ssl-port")
    int httpsPort;

    @TempDir
    Path node;

    Pod pod;

    @BeforeEach
    void createTheProbeAndTheInjectedPod() throws Exception {
        String input = Files.readString(RepositoryPaths.root().resolve(GOLDEN + ".yaml"));
        LandscapeProbe probe = Serialization.unmarshal(input.split("\n---\n")[0], LandscapeProbe.class);
        client.resource(probe).create();
        Pod injected = Serialization.unmarshal(Files.readString(RepositoryPaths.root().resolve(GOLDEN + ".injected.yaml")), Pod.class);
        pod = client.resource(injected).create();
        await().atMost(Duration.ofSeconds(30)).until(() -> client.configMaps().inNamespace(NS).withName("landscape-probe-ca").get() != null);
    }

    @AfterEach
    void cleanUp() {
        client.resources(ProbeReport.class).inNamespace(NS).delete();
        client.resources(LandscapeProbe.class).inNamespace(NS).delete();
        client.pods().inNamespace(NS).delete();
    }

    private TestingKubelet.Started startSidecar() throws Exception {
        String token = TestingTokenReviews.token(NS, pod.getMetadata().getName(), pod.getMetadata().getUid());
        return new TestingKubelet(client, node).start(pod, "landscape-probe", token);
    }

    private CheckpointReport report(SidecarConfig config, long step) {
        Instant at = Instant.parse("2026-11-22T10:00:00Z").plusSeconds(step);
        return TestingObjects.report(config.namespace(), config.probe(), config.pod(), config.rank(), step, at, List.of(), List.of());
    }

    @Test
    void aSidecarConfiguredFromTheGoldenInjectedPodDeliversOverTlsAndIsStored() throws Exception {
        TestingKubelet.Started sidecar = startSidecar();
        SidecarConfig config = SidecarConfig.load(Map.of(), sidecar.env());

        assertThat(config.reportUrl()).hasScheme("https").hasHost("landscape-operator.landscape-system.svc");
        assertThat(config.caFile()).contains(sidecar.hostPath("/var/run/landscape/ca.crt"));
        try (TestingServiceProxy service = new TestingServiceProxy(config.reportUrl().getHost(), httpsPort)) {
            ReportSender.Outcome outcome = ReportSender.forOperator(config.reportUrl(), config.tokenFile(), config.caFile())
                    .send(report(config, 100));

            assertThat(outcome.result()).as(outcome.detail()).isEqualTo(ReportSender.Result.DELIVERED);
            assertThat(outcome.detail()).startsWith("200 ").contains("\"accepted\"");
        }
        ProbeReport stored = client.resources(ProbeReport.class).inNamespace(NS).withName("bert-finetune-rank-2").get();
        assertThat(stored.getStatus().getLatestStep()).isEqualTo(100L);
    }

    @Test
    void aCaFileWithAnotherCaIsATlsFailureNamingTheBundleNotAnOutage() throws Exception {
        TestingKubelet.Started sidecar = startSidecar();
        SidecarConfig config = SidecarConfig.load(Map.of(), sidecar.env());
        Path caFile = config.caFile().orElseThrow();
        Files.writeString(caFile, otherCa());
        ReportSpool spool = new ReportSpool(node.resolve("spool"));
        spool.add(report(config, 100));
        Delivery delivery = new Delivery(spool, ReportSender.forOperator(config.reportUrl(), config.tokenFile(), config.caFile()),
                new Backoff(Duration.ofMillis(10), Duration.ofMillis(50), new Random(1)), Duration.ofSeconds(1),
                Delivery.Limits.DEFAULT, java.time.Clock.systemUTC());

        try (TestingServiceProxy service = new TestingServiceProxy(config.reportUrl().getHost(), httpsPort)) {
            delivery.drainOnce();
        }

        assertThat(delivery.lastError()).startsWith("TLS handshake with landscape-operator.landscape-system.svc failed:"
                + " certificate not trusted by the CA from " + caFile).doesNotContain("unreachable");
        assertThat(delivery.tlsFailures()).containsExactly(Map.entry(TlsFailure.UNTRUSTED, 1L));
        assertThat(delivery.retries()).isZero();
        assertThat(spool.size()).isEqualTo(1);
        // Ingest stored nothing (the reconciler may have created the rank's report for its pods' infrastructure history).
        assertThat(client.resources(ProbeReport.class).inNamespace(NS).list().getItems())
                .allMatch(r -> r.getStatus() == null || r.getStatus().getCheckpoints().isEmpty());
    }

    /** The CA the operator published, to compare with what a mode should publish. */
    String publishedBundle() {
        ConfigMap map = client.configMaps().inNamespace(NS).withName("landscape-probe-ca").get();
        return map.getData().get("ca.crt");
    }

    /** A CA that signed nothing the operator serves. */
    static String otherCa() {
        return new SelfSignedIssuer().issueCa("elsewhere", "other", Instant.now(), Duration.ofDays(1)).toPem().get(TlsMaterial.CA_CRT);
    }
}
