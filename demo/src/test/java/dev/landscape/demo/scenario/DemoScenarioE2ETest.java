package dev.landscape.demo.scenario;

import dev.landscape.demo.cluster.Layout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The project's end-to-end test: the demo's scenario, shorter, with everything real that can be here (the operator
 * as built, one sidecar process per rank, the ND4J training job, the webhook, TokenReviews, HTTP reports) on the
 * embedded API server. Each injected fault must be published as the right finding on the right rank, the edge of
 * stability before the loss spike, and nothing else may be raised. The detection-quality table is printed.
 */
class DemoScenarioE2ETest {

    @Test
    void everyFaultIsFoundOnItsRankBeforeTheFailureAndCleanRanksStayQuiet(@TempDir Path out) throws Exception {
        DemoScenario.Outcome o = new DemoScenario(Layout.discover(), out, true, Timings.demo(), System.out).run();
        DetectionQuality.Result q = o.quality();

        assertThat(q.rows()).as("expected findings").isNotEmpty();
        assertThat(q.rows()).allSatisfy(r -> assertThat(r.found())
                .as("%s on rank %d (%s)", r.expected().reason(), r.expected().rank(), r.expected().fault()).isTrue());
        assertThat(q.falseAlarms()).as("findings no injected fault explains").isEmpty();
        DetectionQuality.Row eos = q.rows().stream().filter(r -> r.expected().reason().equals("EdgeOfStability"))
                .findFirst().orElseThrow();
        assertThat(eos.leadSteps()).as("EdgeOfStability's lead over the LossSpike, in steps").isNotNull().isPositive();
        assertThat(o.report()).exists();
        assertThat(Files.readString(o.report())).contains("EdgeOfStability", "WorkerDivergence", "InstabilityBeforeFailure");
    }
}
