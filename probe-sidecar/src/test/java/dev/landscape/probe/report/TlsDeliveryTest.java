package dev.landscape.probe.report;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Delivery over TLS as an injected sidecar does it: trusting exactly the CA bundle in its CA file, re-read when the
 * kubelet refreshes it, with every TLS failure told apart from an outage in the log message and in
 * {@code landscape.reports.tls_failures}.
 */
class TlsDeliveryTest {

    @TempDir
    Path dir;

    private final InMemoryMetricReader metrics = InMemoryMetricReader.create();

    private Delivery delivery(URI uri, Path caFile, ReportSpool spool) throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "token-1\n");
        ReportSender sender = new ReportSender(OperatorTrust.of(Optional.of(caFile), Duration.ofSeconds(5)), uri, token,
                Duration.ofSeconds(5));
        Delivery delivery = new Delivery(spool, sender, new Backoff(Duration.ofMillis(10), Duration.ofMillis(50), new Random(1)),
                Duration.ofSeconds(1));
        SidecarTelemetry telemetry = new SidecarTelemetry(SdkMeterProvider.builder().registerMetricReader(metrics).build().get("t"),
                "ns", "pod-0", "probe", 0, () -> 0, delivery::delivered, delivery::rejected, delivery::retries);
        telemetry.observeTlsFailures(delivery::tlsFailures);
        return delivery;
    }

    private long tlsFailures(String reason) {
        return metrics.collectAllMetrics().stream().filter(m -> m.getName().equals("landscape.reports.tls_failures"))
                .map(MetricData::getLongSumData).flatMap(d -> d.getPoints().stream())
                .filter(p -> reason.equals(p.getAttributes().get(SidecarTelemetry.TLS_REASON)))
                .mapToLong(LongPointData::getValue).sum();
    }

    @Test
    void aCertificateFromAnotherCaIsATlsFailureNamingTheBundleAndCountedByReason() throws Exception {
        TestingPki.Issued operatorCa = TestingPki.ca("operator CA");
        TestingPki.Issued otherCa = TestingPki.ca("some other CA");
        Path caFile = Files.writeString(dir.resolve("ca.crt"), TestingPki.pem(otherCa));
        ReportSpool spool = new ReportSpool(dir.resolve("spool"));
        spool.add(DeliveryTest.report(100));
        try (TestingReceiver operator = TestingReceiver.https(0, TestingPki.server(TestingPki.serving(operatorCa, "localhost"), operatorCa))) {
            Delivery d = delivery(operator.uri(), caFile, spool);

            d.drainOnce();

            assertThat(d.lastError()).startsWith("TLS handshake with localhost failed: certificate not trusted by the CA from "
                    + caFile + " (CN=some other CA)").doesNotContain("unreachable");
            assertThat(d.tlsFailures()).containsExactly(java.util.Map.entry(TlsFailure.UNTRUSTED, 1L));
            assertThat(d.retries()).isZero();
            assertThat(tlsFailures(TlsFailure.UNTRUSTED)).isEqualTo(1);
            assertThat(operator.accepted()).isEmpty();
            assertThat(spool.size()).as("kept for when the trust is fixed").isEqualTo(1);
        }
    }

    @Test
    void aCertificateForAnotherNameFailsHostnameVerification() throws Exception {
        TestingPki.Issued ca = TestingPki.ca("operator CA");
        Path caFile = Files.writeString(dir.resolve("ca.crt"), TestingPki.pem(ca));
        ReportSpool spool = new ReportSpool(dir.resolve("spool"));
        spool.add(DeliveryTest.report(100));
        try (TestingReceiver operator = TestingReceiver.https(0,
                TestingPki.server(TestingPki.serving(ca, "landscape-operator.elsewhere.svc"), ca))) {
            Delivery d = delivery(operator.uri(), caFile, spool);

            d.drainOnce();

            assertThat(d.lastError()).contains("does not name localhost (hostname verification");
            assertThat(tlsFailures(TlsFailure.HOSTNAME)).isEqualTo(1);
            assertThat(operator.accepted()).isEmpty();
        }
    }

    @Test
    void noCaFileYetIsReportedAndDeliveryResumesWhenTheKubeletProjectsIt() throws Exception {
        TestingPki.Issued ca = TestingPki.ca("operator CA");
        Path caFile = dir.resolve("ca.crt");
        ReportSpool spool = new ReportSpool(dir.resolve("spool"));
        spool.add(DeliveryTest.report(100));
        try (TestingReceiver operator = TestingReceiver.https(0, TestingPki.server(TestingPki.serving(ca, "localhost"), ca))) {
            Delivery d = delivery(operator.uri(), caFile, spool);

            d.drainOnce();
            assertThat(d.lastError()).contains("no CA to verify the operator's certificate with: the CA file " + caFile + " does not exist");
            assertThat(tlsFailures(TlsFailure.CA_UNAVAILABLE)).isEqualTo(1);

            Files.writeString(caFile, TestingPki.pem(ca));
            d.drainOnce();
            assertThat(operator.accepted()).extracting(r -> r.step()).containsExactly(100L);
        }
    }

    /**
     * A pod created before a CA rotation holds the old CA only. The operator first adds the new CA to the published
     * bundle and keeps serving with the old one; the kubelet refreshes the pod's file; only then does the operator
     * serve a certificate from the new CA. The same sidecar, never restarted, delivers before, during and after.
     * Without the refresh (the control at the end) the switch would strand it.
     */
    @Test
    void aPodCreatedBeforeACaRotationKeepsDeliveringThroughIt() throws Exception {
        TestingPki.Issued oldCa = TestingPki.ca("operator CA 1");
        TestingPki.Issued newCa = TestingPki.ca("operator CA 2");
        Path caFile = Files.writeString(dir.resolve("ca.crt"), TestingPki.pem(oldCa));
        ReportSpool spool = new ReportSpool(dir.resolve("spool"));
        int port;
        Delivery d;
        try (TestingReceiver before = TestingReceiver.https(0, TestingPki.server(TestingPki.serving(oldCa, "localhost"), oldCa))) {
            port = before.port();
            d = delivery(before.uri(), caFile, spool);
            spool.add(DeliveryTest.report(100));
            d.drainOnce();
            assertThat(before.accepted()).hasSize(1);

            Files.writeString(caFile, TestingPki.pem(newCa, oldCa)); // rotation begins: both CAs published
            spool.add(DeliveryTest.report(200));
            d.drainOnce();
            assertThat(before.accepted()).hasSize(2);
        }
        try (TestingReceiver after = TestingReceiver.https(port, TestingPki.server(TestingPki.serving(newCa, "localhost"), newCa))) {
            spool.add(DeliveryTest.report(300));
            d.drainOnce();
            assertThat(after.accepted()).extracting(r -> r.step()).containsExactly(300L);
            assertThat(d.tlsFailures()).isEmpty();

            Files.writeString(caFile, TestingPki.pem(oldCa)); // control: a bundle that never got the new CA
            spool.add(DeliveryTest.report(400));
            d.drainOnce();
            assertThat(d.tlsFailures()).containsEntry(TlsFailure.UNTRUSTED, 1L);
            assertThat(after.accepted()).hasSize(1);
        }
    }
}
