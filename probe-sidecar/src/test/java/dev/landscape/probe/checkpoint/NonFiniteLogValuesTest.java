package dev.landscape.probe.checkpoint;

import dev.landscape.contract.Reason;
import dev.landscape.probe.cli.RunAnalysis;
import dev.landscape.probe.findings.Thresholds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A diverged run logs NaN and infinite losses and gradient norms, spelled as Python writes them: {@code str(float)}
 * in safetensors {@code __metadata__} ({@code nan}, {@code inf}, {@code -inf}) and {@code json.dumps} in
 * {@code trainer_state.json} (bare {@code NaN}, {@code Infinity}). They are values, read as such, and raise
 * NonFiniteValues; they never make the checkpoint unreadable.
 */
class NonFiniteLogValuesTest {

    @TempDir
    Path dir;

    private final CheckpointFormats formats = CheckpointFormats.standard();

    @ParameterizedTest
    @CsvSource({"nan, NaN", "inf, Infinity", "-inf, -Infinity", "NaN, NaN", "-Infinity, -Infinity", "INF, Infinity",
            "+inf, Infinity", "1e-3, 0.001"})
    void readsPythonAndJavaSpellingsAsValues(String written, double expected) throws IOException {
        Path file = dir.resolve("step_1.safetensors");
        new SafetensorsWriter().add("model.w", new long[] {1}, new double[] {1}).metadata("step", "1")
                .metadata("loss", written).metadata("grad_norm", written).write(file);

        try (Checkpoint cp = formats.open(file)) {
            assertThat(cp.log().latestLoss()).hasValue(expected);
            assertThat(cp.log().latestGradNorm()).hasValue(expected);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"nan", "inf", "-inf"})
    void nonFiniteLoggedLossIsANonFiniteValuesFindingNotAnUnreadableCheckpoint(String loss) throws IOException {
        new SafetensorsWriter().add("model.w", new long[] {2}, new double[] {1, 2}).metadata("step", "1")
                .metadata("loss", "2.5").write(dir.resolve("step_1.safetensors"));
        new SafetensorsWriter().add("model.w", new long[] {2}, new double[] {1, 2.5}).metadata("step", "2")
                .metadata("loss", loss).write(dir.resolve("step_2.safetensors"));

        List<RunAnalysis.Result> results = new RunAnalysis(formats, OptimizerHints.NONE, Thresholds.DEFAULTS).run(dir);

        assertThat(results).extracting(RunAnalysis.Result::error).containsOnlyNulls();
        assertThat(results.get(1).findings()).singleElement().satisfies(f -> {
            assertThat(f.reason()).isEqualTo(Reason.NonFiniteValues);
            assertThat(f.message()).contains("logged loss is " + Double.parseDouble(loss.replace("inf", "Infinity")
                    .replace("nan", "NaN")));
        });
    }

    @Test
    void trainerStateWithPythonsNonFiniteNumbersIsRead() throws IOException {
        Path cp = Files.createDirectory(dir.resolve("checkpoint-3"));
        new SafetensorsWriter().add("w", new long[] {1}, new double[] {1}).write(cp.resolve("model.safetensors"));
        Files.writeString(cp.resolve("trainer_state.json"), """
                {"global_step": 3, "log_history": [
                  {"loss": 2.5, "grad_norm": 1.5, "learning_rate": 0.001, "step": 2},
                  {"loss": NaN, "grad_norm": Infinity, "learning_rate": 0.001, "step": 3}]}""");

        try (Checkpoint c = formats.open(cp)) {
            assertThat(c.log().latestLoss()).hasValue(Double.NaN);
            assertThat(c.log().latestGradNorm()).hasValue(Double.POSITIVE_INFINITY);
        }
    }

    @Test
    void trainerStateWriterWritesNonFiniteNumbersAsPythonDoesAndTheReaderReadsThemBack() throws IOException {
        Path file = dir.resolve("trainer_state.json");
        TrainerStateWriter.write(file, new TrainerStateWriter.Run(1, 1, 500, 10, 1, 32, true), 2, 0.2, List.of(
                new TrainerStateWriter.LogEntry(1, 0.1, 2.5, 1.5, 1e-3),
                new TrainerStateWriter.LogEntry(2, 0.2, Double.NaN, Double.POSITIVE_INFINITY, 1e-3)));

        assertThat(Files.readString(file)).contains("\"loss\" : NaN").contains("\"grad_norm\" : Infinity");
        TrainerState state = TrainerState.read(file, MemoryBudget.ofThisHeap());
        assertThat(state.globalStep()).hasValue(2);
        assertThat(state.log().latestLoss()).hasValue(Double.NaN);
        assertThat(state.log().latestGradNorm()).hasValue(Double.POSITIVE_INFINITY);
    }

    @Test
    void aWordThatIsNoNumberStillNamesTheKey() throws IOException {
        Path file = dir.resolve("step_1.safetensors");
        new SafetensorsWriter().add("model.w", new long[] {1}, new double[] {1}).metadata("loss", "nano").write(file);

        assertThatThrownBy(() -> formats.open(file).close()).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("\"loss\" is \"nano\", not a decimal number");
    }
}
