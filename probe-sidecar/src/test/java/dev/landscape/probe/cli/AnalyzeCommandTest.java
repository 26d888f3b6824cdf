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

    // --- the CI gate: --fail-on and --junit ---

    /** Three checkpoints: clean, then NaN in the weights at step 3 (a critical NonFiniteValues). */
    private static Path runWithNaN(Path dir) throws IOException {
        checkpoint(dir.resolve("step_1.safetensors"), 1);
        checkpoint(dir.resolve("step_2.safetensors"), 2);
        new SafetensorsWriter()
                .add("model.fc.weight", new long[] {2, 2}, new double[] {Double.NaN, 2, 3, 4})
                .add("model.fc.bias", new long[] {2}, new double[] {0.5, 3})
                .metadata("loss", "0.3")
                .write(dir.resolve("step_3.safetensors"));
        return dir;
    }

    @Test
    void aCleanRunPassesTheGate(@TempDir Path dir) throws IOException {
        checkpoint(dir.resolve("step_1.safetensors"), 1);
        checkpoint(dir.resolve("step_2.safetensors"), 2);

        Run run = analyze(dir.toString(), "--fail-on", "warning");

        assertThat(run.exit()).isZero();
        assertThat(run.err()).isEmpty();
    }

    @Test
    void aCriticalFindingFailsTheGateWithExit4AtEitherSeverity(@TempDir Path dir) throws IOException {
        runWithNaN(dir);

        Run critical = analyze(dir.toString(), "--fail-on", "critical");
        Run warning = analyze(dir.toString(), "--fail-on", "warning", "--json");

        assertThat(critical.exit()).isEqualTo(Main.FINDINGS).isEqualTo(4);
        assertThat(critical.err()).contains("1 finding(s) at or above critical (critical NonFiniteValues at step 3)").endsWith("exit 4\n");
        assertThat(warning.exit()).isEqualTo(4);
        assertThat(new ObjectMapper().readTree(warning.out()).get("checkpoints")).as("stdout stays JSON").hasSize(3);
        assertThat(analyze(dir.toString()).exit()).as("without --fail-on findings do not fail").isZero();
    }

    @Test
    void aWarningFailsAWarningGateButNotACriticalOne(@TempDir Path dir) throws IOException {
        checkpoint(dir.resolve("step_4.safetensors"), 4);
        Files.write(dir.resolve("step_5.safetensors"), new byte[] {1, 2, 3});   // UnreadableCheckpoint, a warning

        assertThat(analyze(dir.toString(), "--fail-on", "warning").exit()).isEqualTo(4);
        assertThat(analyze(dir.toString(), "--fail-on", "critical").exit()).as("only unreadable: exit 1").isEqualTo(1);
    }

    @Test
    void anUnknownSeverityIsAUsageErrorThroughTheCli(@TempDir Path dir) throws IOException {
        checkpoint(dir.resolve("step_1.safetensors"), 1);

        CliRun run = CliRun.of("analyze", dir.toString(), "--fail-on", "error");

        assertThat(run.exitCode()).isEqualTo(Main.USAGE);
        assertThat(run.err()).contains("--fail-on \"error\" is not a severity: use warning");
    }

    @Test
    void theGateExitCodeComesThroughTheCli(@TempDir Path dir) throws IOException {
        runWithNaN(dir);

        assertThat(CliRun.of("analyze", dir.toString(), "--fail-on", "critical").exitCode()).isEqualTo(4);
    }

    @Test
    void junitHasOneTestCasePerCheckpointWithFindingsAsFailures(@TempDir Path dir, @TempDir Path out) throws Exception {
        runWithNaN(dir);
        Files.write(dir.resolve("step_4.safetensors"), new byte[] {1, 2, 3});
        Path xml = out.resolve("reports/landscape.xml");

        Run run = analyze(dir.toString(), "--junit", xml.toString(), "--fail-on", "critical");

        assertThat(run.exit()).isEqualTo(4);
        org.w3c.dom.Document doc = javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(xml.toFile());
        org.w3c.dom.Element suite = (org.w3c.dom.Element) doc.getElementsByTagName("testsuite").item(0);
        assertThat(suite.getAttribute("tests")).isEqualTo("4");
        assertThat(suite.getAttribute("failures")).isEqualTo("1");
        assertThat(suite.getAttribute("errors")).isEqualTo("1");
        org.w3c.dom.NodeList cases = doc.getElementsByTagName("testcase");
        List<String> names = new ArrayList<>();
        for (int i = 0; i < cases.getLength(); i++) {
            names.add(((org.w3c.dom.Element) cases.item(i)).getAttribute("name"));
        }
        assertThat(names).containsExactly("step 1 (step_1.safetensors)", "step 2 (step_2.safetensors)",
                "step 3 (step_3.safetensors)", "step 4 (step_4.safetensors)");
        org.w3c.dom.Element third = (org.w3c.dom.Element) cases.item(2);
        org.w3c.dom.Element failure = (org.w3c.dom.Element) third.getElementsByTagName("failure").item(0);
        assertThat(failure.getAttribute("type")).isEqualTo("NonFiniteValues");
        assertThat(failure.getAttribute("message")).isEqualTo("1 finding(s) at or above critical: critical NonFiniteValues");
        assertThat(failure.getTextContent()).startsWith("critical NonFiniteValues at step 3: ").contains("model.fc.weight");
        assertThat(((org.w3c.dom.Element) cases.item(0)).getElementsByTagName("failure").getLength()).isZero();
        org.w3c.dom.Element error = (org.w3c.dom.Element) ((org.w3c.dom.Element) cases.item(3)).getElementsByTagName("error").item(0);
        assertThat(error.getAttribute("message")).contains("step_4.safetensors");
    }
}
