package dev.landscape.operator.ingest;

import dev.landscape.contract.CheckpointReport;
import dev.landscape.contract.Tier2Metrics;
import dev.landscape.operator.crd.CheckpointSummary;
import dev.landscape.operator.crd.ProbeReportStatus;
import dev.landscape.operator.testing.TestingObjects;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Tier 2's eval-batch loss (mean, per class, worst class, tail) is kept in the rank's checkpoint history. */
class ReportRecorderTier2Test {

    @Test
    void classLossesAndTheTailAreKeptWithTheCheckpoint() {
        Instant at = Instant.parse("2026-11-22T10:00:00Z");
        CheckpointReport tier1 = TestingObjects.report("ml", "p", "p-0", 0, 40, at, List.of(), List.of());
        Tier2Metrics tier2 = new Tier2Metrics(0.7, 0.1, List.of(3.0), null, null, 2.5, 0.4, 12,
                Map.of("0", 0.5, "1", 0.6, "2", 1.0), 2, 1.9);
        CheckpointReport report = new CheckpointReport(tier1.apiVersion(), tier1.probe(), tier1.namespace(), tier1.pod(),
                tier1.rank(), tier1.step(), tier1.checkpoint(), tier1.observedAt(), tier1.tier1(), tier2, tier1.sketches(),
                tier1.findings(), tier1.skipped());
        ProbeReportStatus status = new ProbeReportStatus();

        ReportRecorder.record(status, report, 20, at);

        CheckpointSummary c = status.getCheckpoints().get(0);
        assertThat(c.getEvalLoss()).isEqualTo(0.7);
        assertThat(c.getEvalLossP95()).isEqualTo(1.9);
        assertThat(c.getWorstClass()).isEqualTo(2);
        assertThat(c.getClassLosses()).isEqualTo(Map.of("0", 0.5, "1", 0.6, "2", 1.0));
        assertThat(c.getEosRatio()).isEqualTo(0.4);
    }
}
