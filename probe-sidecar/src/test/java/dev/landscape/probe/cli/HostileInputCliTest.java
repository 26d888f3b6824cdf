package dev.landscape.probe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.landscape.probe.checkpoint.SafetensorsWriter;
import dev.landscape.probe.testing.NamedPipes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Files that are not regular files, and JVM Errors, through the commands as users run them: a named pipe named
 * like a checkpoint is refused at once (the timeout is the test: opening one for reading would block forever), and
 * an Error ends any command with exit 3 and one line.
 */
class HostileInputCliTest {

    private static final Duration PROMPTLY = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @Test
    void inspectRefusesANamedPipeNamedLikeACheckpoint() throws Exception {
        Path fifo = NamedPipes.make(dir.resolve("model.safetensors"));

        CliRun run = assertTimeoutPreemptively(PROMPTLY, () -> CliRun.of("inspect", fifo.toString(), "--json"));

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).contains(fifo.toString()).contains("a named pipe, socket or device, not a regular file");
    }

    @Test
    void inspectFollowsASymlinkAndRefusesThePipeBehindIt() throws Exception {
        Path fifo = NamedPipes.make(dir.resolve("pipe"));
        Path link = Files.createSymbolicLink(dir.resolve("step_1.pt"), fifo);

        CliRun run = assertTimeoutPreemptively(PROMPTLY, () -> CliRun.of("inspect", link.toString()));

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("not a regular file");
    }

    @Test
    void pipesInsideFolderLayoutsAndIndexesAreRefused() throws Exception {
        Path sharded = Files.createDirectories(dir.resolve("sharded"));
        Files.writeString(sharded.resolve("model.safetensors.index.json"),
                "{\"weight_map\": {\"w\": \"model-00001-of-00001.safetensors\"}}");
        NamedPipes.make(sharded.resolve("model-00001-of-00001.safetensors"));
        Path ds = Files.createDirectories(dir.resolve("global_step3"));
        NamedPipes.make(ds.resolve("mp_rank_00_model_states.pt"));
        Path index = NamedPipes.make(dir.resolve("x.safetensors.index.json"));
        Path hf = Files.createDirectories(dir.resolve("checkpoint-7"));
        new SafetensorsWriter().add("w", new long[] {1}, new double[] {1}).write(hf.resolve("model.safetensors"));
        NamedPipes.make(hf.resolve("trainer_state.json"));
        NamedPipes.make(hf.resolve("optimizer.pt"));

        for (Path p : new Path[] {sharded, ds, index}) {
            CliRun run = assertTimeoutPreemptively(PROMPTLY, () -> CliRun.of("inspect", p.toString()));

            assertThat(run.exitCode()).as(p + ": " + run.err()).isEqualTo(2);
            assertThat(run.err()).as(p.toString()).contains("not a regular file");
        }
        CliRun hfRun = assertTimeoutPreemptively(PROMPTLY, () -> CliRun.of("inspect", hf.toString(), "--json"));
        assertThat(hfRun.exitCode()).as("pipes beside a real model are not read: " + hfRun.err()).isZero();
    }

    @Test
    void analyzeReportsAPipeAsUnreadableAndGoesOn() throws Exception {
        new SafetensorsWriter().add("w", new long[] {2}, new double[] {1, 2}).write(dir.resolve("step_1.safetensors"));
        NamedPipes.make(dir.resolve("step_2.safetensors"));
        new SafetensorsWriter().add("w", new long[] {2}, new double[] {1, 3}).write(dir.resolve("step_3.safetensors"));

        CliRun run = assertTimeoutPreemptively(PROMPTLY, () -> CliRun.of("analyze", dir.toString(), "--json"));

        JsonNode cps = new ObjectMapper().readTree(run.out()).get("checkpoints");
        assertThat(cps).hasSize(3);
        assertThat(cps.get(1).get("findings").get(0).get("reason").asText()).isEqualTo("UnreadableCheckpoint");
        assertThat(cps.get(1).get("error").asText()).contains("not a regular file");
        assertThat(cps.get(2).get("metrics").get("updateNorm").asDouble()).isEqualTo(1.0);
    }

    @Test
    void anErrorInThePlainInspectPathIsExitThreeAndOneLine() throws IOException {
        Path file = dir.resolve("w.safetensors");
        new SafetensorsWriter().add("w", new long[] {1}, new double[] {1}).write(file);

        CliRun run = runWithFailingStdout("inspect", file.toString(), "--json");

        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(run.err().lines()).containsExactly("landscape-probe inspect: internal error: out of memory (stdout"
                + " ran out): an input limit failed to keep within the heap, a bug; please report it with the command line");
    }

    @Test
    void anErrorInAPicocliCommandIsExitThreeAndOneLine() throws IOException {
        new SafetensorsWriter().add("w", new long[] {1}, new double[] {1}).write(dir.resolve("step_1.safetensors"));

        CliRun run = runWithFailingStdout("analyze", dir.toString());

        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(run.err().lines()).hasSize(1).allSatisfy(l -> assertThat(l).startsWith("landscape-probe analyze: internal error: out of memory"));
    }

    /** Runs the CLI with a stdout whose first write throws an OutOfMemoryError, as a full heap would. */
    private static CliRun runWithFailingStdout(String... args) {
        OutputStream failing = new OutputStream() {
            @Override
            public void write(int b) {
                throw new OutOfMemoryError("stdout ran out");
            }

            @Override
            public void write(byte[] b, int off, int len) {
                throw new OutOfMemoryError("stdout ran out");
            }
        };
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = Main.run(new PrintStream(failing, false, StandardCharsets.UTF_8), e, args);
        }
        return new CliRun(code, "", err.toString(StandardCharsets.UTF_8));
    }
}
