package dev.landscape.operator.reconcile;

import dev.landscape.contract.Reason;
import dev.landscape.operator.correlate.Correlator;
import dev.landscape.operator.correlate.FirstSeen;
import dev.landscape.operator.crd.FindingStatus;
import dev.landscape.operator.crd.LandscapeProbeStatus;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;

class StatusFactoryTest {

    @Test
    void theNextReconcileReadsEachFindingsStartAndFirstStepBackFromStatus() {
        LandscapeProbeStatus status = new LandscapeProbeStatus();
        status.setFindings(List.of(
                finding("WorkerDivergence", 2, 55L, "2026-12-06T10:00:00Z"),
                finding("RestartLoop", 1, null, "2026-12-06T10:05:00Z"),
                finding("WorkerDivergence", null, 40L, "not a time")));

        assertThat(StatusFactory.firstSeenByIdentity(status)).containsOnly(
                org.assertj.core.api.Assertions.entry(Correlator.identity(Reason.WorkerDivergence, OptionalInt.of(2)),
                        new FirstSeen(Instant.parse("2026-12-06T10:00:00Z"), OptionalLong.of(55))),
                org.assertj.core.api.Assertions.entry(Correlator.identity(Reason.RestartLoop, OptionalInt.of(1)),
                        new FirstSeen(Instant.parse("2026-12-06T10:05:00Z"), OptionalLong.empty())));
    }

    private static FindingStatus finding(String reason, Integer rank, Long step, String since) {
        FindingStatus f = new FindingStatus();
        f.setReason(reason);
        f.setRank(rank);
        f.setStep(step);
        f.setSince(since);
        return f;
    }
}
