package dev.landscape.probe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.landscape.probe.checkpoint.DType;
import dev.landscape.probe.checkpoint.SafetensorsWriter;
import dev.landscape.probe.testing.Fixtures;
import dev.landscape.probe.testing.Fixtures.ExpectedTensor;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class InspectCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void jsonOfEverySafetensorsFixtureMatchesTheIndependentReader() throws IOException {
        int files = 0;
        for (var file : Fixtures.expected().entrySet()) {
            if (!file.getKey().endsWith(".safetensors")) {
                continue;
            }
            files++;
            Path path = Fixtures.file(file.getKey());

            CliRun run = CliRun.of("inspect", path.toString(), "--json");

            assertThat(run.exitCode()).as(run.err()).isZero();
            assertThat(run.err()).isEmpty();
            assertContract(file.getKey(), path, JSON.readTree(run.out()), file.getValue());
        }
        assertThat(files).isGreaterThanOrEqualTo(20);
    }

    @Test
    void tableIsAlignedAndEndsWithTotals() {
        Path path = Fixtures.file("safetensors/samples/overall.safetensors");

        CliRun run = CliRun.of("inspect", path.toString());

        assertThat(run.exitCode()).isZero();
        List<String> lines = run.out().lines().toList();
        assertThat(lines.get(0)).isEqualTo("path:   " + path);
        assertThat(lines.get(1)).isEqualTo("format: safetensors");
        assertThat(lines.get(2)).isEqualTo("step:   unknown");
        List<String> table = lines.subList(4, lines.size());
        assertThat(table.get(0)).startsWith("NAME").contains("GROUP", "DTYPE", "SHAPE", "L2", "MAXABS").endsWith("NONFINITE");
        assertThat(table).hasSize(1 + 9 + 2);
        assertThat(table).extracting(String::length).containsOnly(table.get(0).length());
        assertThat(table.get(table.size() - 1)).startsWith("total: 9 tensors").endsWith(" 0");
        int l2Column = table.get(0).indexOf("L2") + 1;
        assertThat(table.subList(1, 10)).allSatisfy(row -> assertThat(row.charAt(l2Column)).isNotEqualTo(' '));
    }

    @Test
    void tableWarnsAboutNonFiniteValues(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("nan.safetensors");
        new SafetensorsWriter().add("w", DType.F32, new long[] {3}, new double[] {1, Double.NaN, Double.NEGATIVE_INFINITY}).write(file);

        CliRun run = CliRun.of("inspect", file.toString());

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("WARNING: 2 NaN/Inf elements");
    }

    @Test
    void normBeyondDoubleRangeIsNullInJsonNotInfinity(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("huge.safetensors");
        new SafetensorsWriter().add("w", DType.F64, new long[] {2}, new double[] {Double.MAX_VALUE, -Double.MAX_VALUE}).write(file);

        CliRun run = CliRun.of("inspect", file.toString(), "--json");

        assertThat(run.exitCode()).isZero();
        JsonNode root = JSON.readTree(run.out());
        assertThat(root.get("tensors").get(0).get("l2").isNull()).isTrue();
        assertThat(root.get("tensors").get(0).get("maxAbs").asDouble()).isEqualTo(Double.MAX_VALUE);
        assertThat(root.get("totals").get("l2").isNull()).isTrue();
    }

    @Test
    void jsonListsThePickleGlobalsBesidesTensorMachinery() throws IOException {
        Path path = Fixtures.file("burn/crates/burn-store/src/pytorch/tests/reader/test_data/checkpoint.pt");

        CliRun run = CliRun.of("inspect", path.toString(), "--json");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(JSON.readTree(run.out()).get("globals").toString()).isEqualTo("[\"collections.OrderedDict\"]");
    }

    @Test
    void aGlobalOffTheAllowlistIsExitTwoUnlessTrustedOnTheCommandLine(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("hparams.pt");
        Files.write(file, dev.landscape.probe.checkpoint.TorchSaveWriter.zip("hparams", new dev.landscape.probe.checkpoint.pickle.PickleWriter()
                .proto().op('}').string("config").global("mytrainer.config", "TrainConfig").op(')').op('R').op('s')
                .stop().bytes(), Map.of()));

        CliRun refused = CliRun.of("inspect", file.toString(), "--json");
        CliRun trusted = CliRun.of("inspect", file.toString(), "--json", "--trust-global", "mytrainer.config.TrainConfig");
        CliRun malformed = CliRun.of("inspect", file.toString(), "--trust-global", "os");

        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.out()).isEmpty();
        assertThat(refused.err()).contains("global mytrainer.config.TrainConfig at offset").contains("is not on the allowlist");
        assertThat(refused.err().lines()).hasSize(1);
        assertThat(trusted.exitCode()).as(trusted.err()).isZero();
        assertThat(JSON.readTree(trusted.out()).get("globals").toString()).isEqualTo("[\"mytrainer.config.TrainConfig\"]");
        assertThat(malformed.exitCode()).isEqualTo(1);
        assertThat(malformed.err()).contains("--trust-global").contains("not a dotted name");
    }

    @Test
    void missingFileIsExitTwoWithTheFileNamedAndNothingOnStdout(@TempDir Path dir) {
        Path missing = dir.resolve("nope.safetensors");

        CliRun run = CliRun.of("inspect", missing.toString(), "--json");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).contains(missing.toString()).contains("no such checkpoint");
    }

    @Test
    void malformedCheckpointIsExitTwoWithTheReadersMessage(@TempDir Path dir) throws IOException {
        Path bad = dir.resolve("bad.safetensors");
        Files.write(bad, new byte[] {(byte) 0xff, (byte) 0xff, 0, 0, 0, 0, 0, 0, '{', '}'});

        CliRun run = CliRun.of("inspect", bad.toString(), "--json");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).contains(bad + " at offset 0: header length 65535");
    }

    @Test
    void unrecognisedFileIsExitTwoNamingTheFormatsTried(@TempDir Path dir) throws IOException {
        Path notes = Files.writeString(dir.resolve("notes.txt"), "hello");

        CliRun run = CliRun.of("inspect", notes.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("not a recognised checkpoint").contains("safetensors");
    }

    @Test
    void missingPathIsAUsageErrorExitOne() {
        CliRun run = CliRun.of("inspect", "--json");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).contains("Missing required parameter: 'PATH'").contains("Usage:");
    }

    @Test
    void unknownOptionIsAUsageErrorExitOne() {
        CliRun run = CliRun.of("inspect", "x.safetensors", "--jsno");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("--jsno");
    }

    @Test
    void noCommandIsAUsageErrorExitOne() {
        CliRun run = CliRun.of();

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("Missing command").contains("inspect");
    }

    @Test
    void helpIsExitZeroOnStdout() {
        CliRun run = CliRun.of("inspect", "--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("Usage: landscape-probe inspect").contains("--json");
    }

    @Test
    void plainFormTakenWithoutPicocliGivesWhatPicocliGives(@TempDir Path dir) throws IOException {
        Path nan = dir.resolve("nan.safetensors");
        new SafetensorsWriter().add("w", DType.F32, new long[] {3}, new double[] {1, Double.NaN, -2}).write(nan);
        Path bad = Files.write(dir.resolve("bad.safetensors"), new byte[] {(byte) 0xff, (byte) 0xff, 0, 0, 0, 0, 0, 0, '{', '}'});
        Path notes = Files.writeString(dir.resolve("notes.txt"), "hello");
        String fixture = Fixtures.file("safetensors/samples/overall.safetensors").toString();
        List<String[]> commandLines = List.of(
                new String[] {"inspect", fixture, "--json"}, new String[] {"inspect", "--json", fixture},
                new String[] {"inspect", fixture}, new String[] {"inspect", nan.toString()},
                new String[] {"inspect", dir.resolve("missing.safetensors").toString(), "--json"},
                new String[] {"inspect", bad.toString()}, new String[] {"inspect", notes.toString(), "--json"},
                new String[] {"inspect", dir.toString()});

        for (String[] args : commandLines) {
            assertThat(InspectCommand.Plain.of(args)).as(String.join(" ", args)).isNotNull();

            assertThat(CliRun.of(args)).as(String.join(" ", args)).isEqualTo(CliRun.viaPicocli(args));
        }
    }

    @Test
    void anythingButThePlainFormIsLeftToPicocli() {
        for (String[] args : List.of(new String[] {"inspect"}, new String[] {"inspect", "--json"},
                new String[] {"inspect", "a", "--jsno"}, new String[] {"inspect", "--help", "a"},
                new String[] {"inspect", "-h"}, new String[] {"inspect", "@args.txt"}, new String[] {"inspect", "a", "b"},
                new String[] {"inspect", "--json", "--json"}, new String[] {"inspect", ""},
                new String[] {"inspect", "a", "--json", "x"}, new String[] {"analyze", "a"}, new String[] {"inspect", "a\0"})) {
            assertThat(InspectCommand.Plain.of(args)).as(String.join(" ", args)).isNull();
        }
    }

    /** The inspect --json contract (docs/analyser.md), field for field, against EXPECTED.json. */
    static void assertContract(String where, Path path, JsonNode root, Map<String, ExpectedTensor> expected) {
        assertThat(fieldNames(root)).as(where).containsExactly("path", "format", "step", "tensors", "totals", "globals");
        assertThat(root.get("globals").isArray() && root.get("globals").isEmpty()).as(where + " globals").isTrue();
        assertThat(root.get("path").asText()).isEqualTo(path.toString());
        assertThat(root.get("format").asText()).isEqualTo("safetensors");
        assertThat(root.get("step").isNull()).as(where + " step").isTrue();
        JsonNode tensors = root.get("tensors");
        assertThat(tensors).as(where).hasSize(expected.size());
        long elements = 0;
        long nonFinite = 0;
        double squares = 0;
        for (JsonNode t : tensors) {
            String name = t.get("name").asText();
            ExpectedTensor e = expected.get(name);
            assertThat(e).as(where + " unexpected tensor " + name).isNotNull();
            assertThat(fieldNames(t)).containsExactly("name", "group", "dtype", "shape", "l2", "maxAbs", "nonFinite");
            assertThat(t.get("group").asText()).isEqualTo("model");
            assertThat(t.get("dtype").asText()).as(where + " " + name).isEqualTo(e.dtype());
            long[] shape = new long[t.get("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = t.get("shape").get(i).asLong();
            }
            assertThat(shape).as(where + " " + name).containsExactly(e.shape());
            assertThat(t.get("l2").asDouble()).as(where + " " + name + " l2").isCloseTo(e.l2(), within(1e-9 * Math.max(1, e.l2())));
            assertThat(t.get("nonFinite").asLong()).as(where + " " + name).isEqualTo(e.nonFinite());
            double maxAbs = t.get("maxAbs").asDouble();
            long numel = Arrays.stream(e.shape()).reduce(1, Math::multiplyExact);
            assertThat(maxAbs).as(where + " " + name + " maxAbs").isBetween(e.l2() / Math.sqrt(Math.max(1, numel)) - 1e-12, e.l2() + 1e-12);
            elements += numel;
            nonFinite += e.nonFinite();
            squares += e.l2() * e.l2();
        }
        JsonNode totals = root.get("totals");
        assertThat(fieldNames(totals)).containsExactly("tensors", "elements", "l2", "nonFinite");
        assertThat(totals.get("tensors").asInt()).isEqualTo(expected.size());
        assertThat(totals.get("elements").asLong()).isEqualTo(elements);
        assertThat(totals.get("nonFinite").asLong()).isEqualTo(nonFinite);
        assertThat(totals.get("l2").asDouble()).isCloseTo(Math.sqrt(squares), within(1e-9 * Math.max(1, Math.sqrt(squares))));
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
