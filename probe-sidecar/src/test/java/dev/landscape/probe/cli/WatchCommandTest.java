package dev.landscape.probe.cli;

import dev.landscape.probe.runtime.Sidecar;
import dev.landscape.probe.runtime.SidecarConfig;
import dev.landscape.probe.runtime.WatchState;
import dev.landscape.probe.testing.TestingFormats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * {@code watch}'s exit codes. An Error on the analysis thread ends the sidecar with exit 3 and one line instead of
 * leaving a live process whose loop is dead (the OutOfMemoryError of issue 17 left {@code watch} running and then
 * exiting 0), and the checkpoint is named in the state file for the restarted process. An invalid configuration
 * is exit 1.
 */
class WatchCommandTest {

    @TempDir
    Path tmp;

    @Test
    void anErrorWhileAnalysingEndsWatchWithExitThreeAndTheCheckpointRemembered() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("ckpt"));
        Files.write(dir.resolve("step_1.bomb"), new byte[] {1});
        Path cfg = Files.writeString(tmp.resolve("empty.json"), "{}");
        Map<String, String> flags = new java.util.HashMap<>(Map.of("probe", "p", "namespace", "ns", "pod", "pod-0",
                "rank", "0", "dir", dir.toString(), "report-url", "http://127.0.0.1:1/r",
                "spool", tmp.resolve("state/spool").toString(), "quiet-period", "0s", "poll-interval", "50ms"));
        flags.put("metrics-port", "-1");
        flags.put("health-port", "-1");
        SidecarConfig config = SidecarConfig.load(flags, Map.of("LANDSCAPE_CONFIG_FILE", cfg.toString()));
        Sidecar sidecar = new Sidecar(config, Clock.systemUTC(), TestingFormats.outOfMemoryOn(".bomb"), null);
        StringWriter err = new StringWriter();

        int exit = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> WatchCommand.runUntilStopped(sidecar, new PrintWriter(err, true)));
        sidecar.close();

        assertThat(exit).isEqualTo(Main.INTERNAL);
        assertThat(err.toString().lines()).singleElement().asString()
                .startsWith("landscape-probe watch: internal error: out of memory");
        assertThat(sidecar.fatal()).isInstanceOf(OutOfMemoryError.class);
        assertThat(WatchState.load(tmp.resolve("state/watch-state.json")).fatal())
                .containsOnlyKeys(dir.resolve("step_1.bomb").toAbsolutePath().normalize().toString());
    }

    @Test
    void anInvalidConfigurationIsExitOneListingEveryProblem() {
        CliRun run = CliRun.of("watch", "--probe", "p", "--rank", "minus-one");

        assertThat(run.exitCode()).isEqualTo(Main.USAGE);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).contains("the sidecar configuration is invalid").contains("namespace is required")
                .contains("report-url is required");
    }
}
