package dev.landscape.probe.groundtruth;

import dev.landscape.probe.checkpoint.CheckpointFormats;
import dev.landscape.probe.checkpoint.OptimizerHints;
import dev.landscape.probe.cli.RunAnalysis;
import dev.landscape.probe.findings.Thresholds;
import dev.landscape.probe.groundtruth.Tier1Case.Fault;
import dev.landscape.probe.groundtruth.Tier1Case.Noise;
import dev.landscape.probe.groundtruth.Tier1Case.Optimizer;
import dev.landscape.probe.groundtruth.Tier1Case.Schedule;
import dev.landscape.probe.metrics.Tier1Metrics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The tier-1 ground truth, small: the harness's checkpoints read back through the production readers as what the
 * generator did, and a subset of the bench's cases (bench/results/tier1-signals.md) scored on two seeds.
 */
class Tier1SignalsTest {

    /** Seeds of the unit test; the bench uses 1..10. */
    static final List<Long> SEEDS = List.of(1L, 2L);

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Optimizer.class)
    void analyserReadsTheHarnessCheckpointsAsTheGeneratorWroteThem(Optimizer optimizer) throws IOException {
        Schedule schedule = optimizer.adaptive() ? Schedule.ramp(2, 0.01, 3, 12, 0.02) : Schedule.ramp(0, 0.2, 1, 12, 0.4);
        Tier1Case c = new Tier1Case("read-back", optimizer, schedule, Noise.HIGH, Fault.NONE, 12);

        GroundTruthRun.generate(c, 3, dir);
        List<RunAnalysis.Result> results =
                new RunAnalysis(CheckpointFormats.standard(), OptimizerHints.NONE, Thresholds.DEFAULTS).run(dir);

        assertThat(results).hasSize(12).allSatisfy(r -> assertThat(r.error()).isNull());
        Tier1Metrics m = results.get(9).metrics();
        assertThat(m.step()).isEqualTo(10);
        assertThat(m.optimizer()).isEqualTo(optimizer.adaptive() ? "adam" : optimizer == Optimizer.SGD ? "sgd" : "momentum");
        assertThat(m.learningRate()).isCloseTo(schedule.lr(10), within(1e-12));
        assertThat(m.stepsSincePrevious()).isEqualTo(1);
        // The gradient recovered from two consecutive checkpoints is the minibatch gradient of that step, whose
        // norm the trainer logged (float32 storage: a few parts in 10^6 for SGD, 10× that through Adam's moments).
        assertThat(m.gradientNorm()).isCloseTo(m.loggedGradNorm().getAsDouble(), within(1e-4 * m.gradientNorm()));
    }

    /**
     * Tier1Cases.quick on two seeds through the whole harness (files written, read back by {@code analyze}'s path,
     * scored): every fault found in its window and no finding on any control. The bench runs all cases on ten
     * seeds; this keeps a regression in any of these rules from passing the build.
     */
    @Test
    void quickCasesAreFoundInTheirWindowAndControlsStaySilent() throws IOException {
        Tier1Harness harness = new Tier1Harness(dir, Thresholds.DEFAULTS);
        List<Tier1Scorer.Score> scores = harness.run(Tier1Cases.quick(), SEEDS);

        assertThat(harness.skipped()).isEmpty();
        assertThat(scores).filteredOn(s -> !s.c().isControl())
                .allSatisfy(s -> assertThat(s.found()).as("%s seed %d: lag %s", s.c().name(), s.seed(), s.lag()).isTrue());
        assertThat(scores).allSatisfy(s -> assertThat(s.falseAlarms()).as("%s seed %d", s.c().name(), s.seed()).isEmpty());
    }
}
