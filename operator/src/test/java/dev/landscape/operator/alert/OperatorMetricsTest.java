package dev.landscape.operator.alert;

import dev.landscape.contract.Severity;
import dev.landscape.operator.config.MetricsConfig;
import dev.landscape.operator.config.ReconcileConfig;
import dev.landscape.operator.crd.FindingStatus;
import dev.landscape.operator.crd.LandscapeProbe;
import dev.landscape.operator.crd.LandscapeProbeStatus;
import dev.landscape.operator.ingest.IngestCounters;
import dev.landscape.operator.observe.UninjectedCause;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The operator's Prometheus endpoint for one probe, with the clock under the test's control. */
class OperatorMetricsTest {

    /** A clock the test moves. */
    private static final class TestClock extends Clock {
        Instant now = Instant.parse("2026-12-07T12:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final TestClock clock = new TestClock();
    private final OperatorMetrics metrics = new OperatorMetrics(new MetricsConfig() {
        @Override
        public int prometheusPort() {
            return 0;
        }

        @Override
        public Optional<String> otlpEndpoint() {
            return Optional.empty();
        }

        @Override
        public int otlpIntervalSeconds() {
            return 30;
        }
    }, new IngestCounters(), clock, new ReconcileConfig() {
        @Override
        public Duration rescanInterval() {
            return Duration.ofSeconds(30);
        }

        @Override
        public Duration podListInterval() {
            return Duration.ofMinutes(2);
        }
    });

    @AfterEach
    void stop() {
        metrics.stop(null);
    }

    private static LandscapeProbe probe(String silencedUntil) {
        LandscapeProbe p = new LandscapeProbe();
        p.setMetadata(new ObjectMetaBuilder().withName("bert").withNamespace("ml").build());
        LandscapeProbeStatus s = new LandscapeProbeStatus();
        FindingStatus f = new FindingStatus();
        f.setReason("NonFiniteValues");
        f.setSeverity(Severity.CRITICAL);
        f.setRank(3);
        f.setPod("bert-3");
        f.setSilencedUntil(silencedUntil);
        s.setFindings(List.of(f));
        p.setStatus(s);
        return p;
    }

    private static ProbeGauges gauges() {
        return new ProbeGauges(Map.of(3, new ProbeGauges.Rank(0.5, Instant.parse("2026-12-07T11:58:00Z"), Duration.ofMinutes(10),
                Instant.parse("2026-12-07T12:28:00Z"))), 4, Map.of(UninjectedCause.MISSED, 2), 0.995);
    }

    private String scrape() throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://localhost:" + metrics.prometheusPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static List<String> lines(String scrape, String metric) {
        return scrape.lines().filter(l -> l.startsWith(metric + "{")).toList();
    }

    @Test
    void aSilenceEndsOnTheEndpointAtItsEndEvenBetweenReconciles() throws Exception {
        metrics.start(null);
        metrics.observed(probe("2026-12-07T12:01:00Z"), gauges());

        String before = scrape();
        clock.now = Instant.parse("2026-12-07T12:01:00Z");
        String after = scrape();

        assertThat(lines(before, "landscape_findings_active")).singleElement().satisfies(l -> assertThat(l)
                .contains("silenced=\"true\"", "landscape_family=\"training\"", "landscape_severity=\"critical\"", "landscape_rank=\"3\"",
                        "k8s_namespace_name=\"ml\"", "landscape_probe=\"bert\""));
        assertThat(lines(after, "landscape_findings_active")).singleElement().satisfies(l -> assertThat(l).contains("silenced=\"false\""));
        assertThat(lines(before, "landscape_rank_report_due_timestamp_seconds")).singleElement()
                .satisfies(l -> assertThat(Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).isEqualTo(Instant.parse("2026-12-07T12:28:00Z").getEpochSecond()));
        assertThat(lines(before, "landscape_rank_checkpoint_interval_seconds")).singleElement().satisfies(l -> assertThat(l).endsWith(" 600.0"));
        assertThat(lines(before, "landscape_pods_uninjected")).hasSize(3).anySatisfy(l -> assertThat(l).contains("landscape_cause=\"missed\"").endsWith(" 2.0"));
        assertThat(lines(before, "landscape_slo_objective")).singleElement().satisfies(l -> assertThat(l).endsWith(" 0.995"));
    }

    @Test
    void aProbeNoLongerReconciledIsNoLongerExported() throws Exception {
        metrics.start(null);
        metrics.observed(probe(null), gauges());

        clock.now = clock.now.plus(Duration.ofSeconds(30 * OperatorMetrics.STALE_RESCANS - 1));
        String fresh = scrape();
        clock.now = clock.now.plus(Duration.ofSeconds(2));
        String stale = scrape();

        assertThat(lines(fresh, "landscape_findings_active")).hasSize(1);
        assertThat(lines(fresh, "landscape_ranks_running")).hasSize(1);
        assertThat(lines(stale, "landscape_findings_active")).isEmpty();
        assertThat(lines(stale, "landscape_ranks_running")).isEmpty();
        assertThat(lines(stale, "landscape_rank_report_due_timestamp_seconds")).isEmpty();
    }
}
