package dev.landscape.probe.findings;

import dev.landscape.contract.Severity;
import dev.landscape.probe.checkpoint.CheckpointFormats;
import dev.landscape.probe.checkpoint.OptimizerHints;
import dev.landscape.probe.cli.RunAnalysis;
import dev.landscape.probe.testing.TestTrainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.IntToDoubleFunction;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A 2-layer MLP trained for real (exact gradients, torch's SGD and Adam update rules) with one fault injected per
 * run; the analyser must report the fault's finding first at the step it was injected, and nothing on clean runs.
 */
class TrainingRunFindingsTest {

    private static final int STEPS = 60;

    private static List<RunAnalysis.Result> train(TestTrainer.Mlp mlp, TestTrainer.Optimizer opt, IntToDoubleFunction lr,
                                                  Path dir) throws IOException {
        new TestTrainer(mlp, mlp.initial(3), mlp.shapes(), opt, lr).run(STEPS, dir);
        return new RunAnalysis(CheckpointFormats.standard(), OptimizerHints.NONE, Thresholds.DEFAULTS).run(dir);
    }

    private static TestTrainer.Mlp mlp() {
        return new TestTrainer.Mlp(4, 8, 64, 5);
    }

    private static OptionalLong firstStepWith(List<RunAnalysis.Result> results, String reason) {
        return results.stream().filter(r -> r.findings().stream().anyMatch(f -> f.reason().name().equals(reason)))
                .mapToLong(r -> r.step().getAsLong()).findFirst();
    }

    private static List<String> allFindings(List<RunAnalysis.Result> results) {
        return results.stream().flatMap(r -> r.findings().stream()).map(f -> f.step() + " " + f.message()).toList();
    }

    @Test
    void cleanAdamRunHasNoFinding(@TempDir Path dir) throws IOException {
        assertThat(allFindings(train(mlp(), TestTrainer.Optimizer.ADAM, s -> 1e-2, dir))).isEmpty();
    }

    @Test
    void cleanSgdRunHasNoFinding(@TempDir Path dir) throws IOException {
        assertThat(allFindings(train(mlp(), TestTrainer.Optimizer.SGD, s -> 0.05, dir))).isEmpty();
    }

    @Test
    void injectedNanIsReportedCriticalAtTheStepItAppears(@TempDir Path dir) throws IOException {
        List<RunAnalysis.Result> results = train(mlp().nanAt(30), TestTrainer.Optimizer.ADAM, s -> 1e-2, dir);

        assertThat(firstStepWith(results, "NonFiniteValues")).hasValue(30);
        assertThat(results.get(30).findings()).anySatisfy(f -> {
            assertThat(f.severity()).isEqualTo(Severity.CRITICAL);
            assertThat(f.message()).contains("Step 30").contains("model.fc1.weight");
        });
        assertThat(allFindings(results.subList(0, 30))).isEmpty();
    }

    @Test
    void injectedNanUnderSgdIsReportedAtTheStepItAppears(@TempDir Path dir) throws IOException {
        List<RunAnalysis.Result> results = train(mlp().nanAt(25), TestTrainer.Optimizer.SGD, s -> 0.05, dir);

        assertThat(firstStepWith(results, "NonFiniteValues")).hasValue(25);
        assertThat(allFindings(results.subList(0, 25))).isEmpty();
    }

    @Test
    void badBatchIsReportedAsLossAndGradientSpikeAtItsStep(@TempDir Path dir) throws IOException {
        List<RunAnalysis.Result> results = train(mlp().targetScaleAt(40, 30), TestTrainer.Optimizer.ADAM, s -> 1e-2, dir);

        assertThat(firstStepWith(results, "LossSpike")).hasValue(40);
        assertThat(firstStepWith(results, "GradientSpike")).hasValue(40);
        assertThat(allFindings(results.subList(0, 40))).isEmpty();
    }

    @Test
    void learningRateDecayedToZeroIsReportedAsPlateauTenCheckpointsLater(@TempDir Path dir) throws IOException {
        List<RunAnalysis.Result> results = train(mlp(), TestTrainer.Optimizer.ADAM, s -> s >= 30 ? 0 : 1e-2, dir);

        // lr = 0 from step 30: the loss logged at step 30 (taken at θ_29) is the last that moves.
        assertThat(firstStepWith(results, "Plateau")).hasValue(40);
        assertThat(results.get(40).findings()).anySatisfy(f -> assertThat(f.severity()).isEqualTo(Severity.INFO));
        assertThat(allFindings(results.subList(0, 40))).isEmpty();
    }
}
