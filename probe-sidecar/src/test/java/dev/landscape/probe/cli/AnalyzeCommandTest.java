package dev.landscape.probe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.landscape.probe.checkpoint.SafetensorsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class AnalyzeCommandTest {

    private record Run(int exit, String out, String err) {
    }

    private static Run analyze(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new AnalyzeCommand());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private static void checkpoint(Path file, double scale) throws IOException {
        new SafetensorsWriter()
                .add("model.fc.weight", new long[] {2, 2}, new double[] {scale, 2 * scale, 3, 4})
                .add("model.fc.bias", new long[] {2}, new double[] {0.5, scale})
                .metadata("loss", Double.toString(1 / scale))
                .write(file);
    }

    @Test
    void huggingFaceFoldersAreAnalysedInNumericStepOrderAsJson(@TempDir Path dir) throws IOException {
        for (int n : new int[] {10, 2, 9}) {
            Files.createDirectories(dir.resolve("checkpoint-" + n));
            checkpoint(dir.resolve("checkpoint-" + n).resolve("model.safetensors"), n);
        }
        Files.writeString(dir.resolve("README.txt"), "not a checkpoint");

        Run run = analyze(dir.toString(), "--json");

        assertThat(run.exit()).isZero();
        JsonNode root = new ObjectMapper().readTree(run.out());
        List<Long> steps = new ArrayList<>();
        root.get("checkpoints").forEach(c -> steps.add(c.get("step").asLong()));
        assertThat(steps).containsExactly(2L, 9L, 10L);
        JsonNode last = root.get("checkpoints").get(2);
        assertThat(last.get("path").asText()).endsWith("checkpoint-10");
        assertThat(last.get("format").asText()).isEqualTo("hf-trainer");
        assertThat(last.get("metrics").get("parameterNorm").asDouble())
                .isCloseTo(Math.sqrt(100 + 400 + 9 + 16 + 0.25 + 100), org.assertj.core.api.Assertions.within(1e-4));
        assertThat(last.get("metrics").get("stepsSincePrevious").asLong()).isEqualTo(1);
        assertThat(last.get("metrics").get("layers").has("model.fc")).isTrue();
        assertThat(last.get("sketches").get("model.fc.weight").get("values")).hasSize(256);
        assertThat(last.get("findings").isArray()).isTrue();
        assertThat(root.get("unreadable").asInt()).isZero();
    }

    @Test
    void unreadableCheckpointIsReportedByNameAndTheOthersAreStillAnalysed(@TempDir Path dir) throws IOException {
        checkpoint(dir.resolve("step_4.safetensors"), 4);
        Files.write(dir.resolve("step_5.safetensors"), new byte[] {1, 2, 3});
        checkpoint(dir.resolve("step_6.safetensors"), 6);

        Run run = analyze(dir.toString(), "--json");

        assertThat(run.exit()).isEqualTo(1);
        JsonNode cps = new ObjectMapper().readTree(run.out()).get("checkpoints");
        assertThat(cps).hasSize(3);
        assertThat(cps.get(1).get("error").asText()).contains("step_5.safetensors").contains("8-byte");
        assertThat(cps.get(1).get("findings").get(0).get("reason").asText()).isEqualTo("UnreadableCheckpoint");
        assertThat(cps.get(2).get("metrics").get("stepsSincePrevious").asLong()).isEqualTo(2);
    }

    @Test
    void tableSaysWhichCheckpointsCouldNotBeRead(@TempDir Path dir) throws IOException {
        checkpoint(dir.resolve("step_4.safetensors"), 4);
        Files.write(dir.resolve("step_5.safetensors"), new byte[] {1, 2, 3});

        Run run = analyze(dir.toString());

        assertThat(run.out()).contains("STEP").contains("ERROR").contains("step_5.safetensors")
                .contains("1 could not be read");
    }

    @Test
    void aFileInsteadOfAFolderIsAUsageError(@TempDir Path dir) throws IOException {
        checkpoint(dir.resolve("step_4.safetensors"), 4);

        Run run = analyze(dir.resolve("step_4.safetensors").toString());

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("step_4.safetensors").contains("not a folder");
    }

    @Test
    void badThresholdIsAUsageErrorNamingIt(@TempDir Path dir) {
        Run run = analyze(dir.toString(), "--threshold", "spikeZ=lots");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("thresholds.spikeZ");
    }
}
