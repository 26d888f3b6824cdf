package dev.landscape.probe.runtime;

import dev.landscape.contract.CheckpointReport;
import dev.landscape.probe.checkpoint.CheckpointFormats;
import dev.landscape.probe.checkpoint.DType;
import dev.landscape.probe.checkpoint.SafetensorsWriter;
import dev.landscape.probe.report.ReportSpool;
import dev.landscape.probe.report.SidecarTelemetry;
import dev.landscape.probe.testing.CapturedLog;
import dev.landscape.probe.testing.NamedPipes;
import dev.landscape.probe.testing.TestingFormats;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

class WatchLoopTest {

    @TempDir
    Path tmp;
    private Path ckpt;
    private MutableClock clock;
    private SidecarConfig config;

    static final class MutableClock extends Clock {
        Instant now = Instant.parse("2026-11-22T10:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneId.of("UTC");
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        ckpt = Files.createDirectories(tmp.resolve("ckpt"));
        clock = new MutableClock();
        Path cfg = Files.writeString(tmp.resolve("empty.json"), "{}");
        Map<String, String> env = new HashMap<>(Map.of("LANDSCAPE_CONFIG_FILE", cfg.toString()));
        config = SidecarConfig.load(Map.of("probe", "p", "namespace", "ns", "pod", "pod-0", "rank", "0",
                "dir", ckpt.toString(), "report-url", "http://127.0.0.1:1/r", "spool", tmp.resolve("state/spool").toString(),
                "quiet-period", "5s", "optimizer", "{\"type\":\"sgd\",\"learningRate\":\"0.1\"}"), env);
    }

    private WatchLoop loop() throws IOException {
        return loop(CheckpointFormats.standard());
    }

    private WatchLoop loop(CheckpointFormats formats) throws IOException {
        return loop(formats, null);
    }

    private WatchLoop loop(CheckpointFormats formats, Tier2Runner tier2) throws IOException {
        SidecarTelemetry telemetry = new SidecarTelemetry(SdkMeterProvider.builder().build().get("t"), "ns", "pod-0", "p", 0,
                () -> 0, () -> 0, () -> 0, () -> 0, () -> 0);
        return new WatchLoop(config, formats, new ReportSpool(config.spoolDir()), telemetry, clock,
                tmp.resolve("state/watch-state.json"), tier2);
    }

    /** Plain SGD on f(w) = ½·10·w₀² + ½·w₁²: the weights after {@code step} steps of lr 0.19 from (1, 1). */
    private void writeCheckpoint(long step) throws IOException {
        double w0 = Math.pow(1 - 0.19 * 10, step / 100.0);
        double w1 = Math.pow(1 - 0.19, step / 100.0);
        new SafetensorsWriter().add("model.w", DType.F64, new long[] {2}, new double[] {w0, w1})
                .metadata("step", Long.toString(step)).metadata("loss", Double.toString(5 * w0 * w0 + 0.5 * w1 * w1))
                .write(ckpt.resolve("step_" + step + ".safetensors"));
    }

    private Optional<CheckpointReport> tickAfterQuiet(WatchLoop loop) throws IOException {
        loop.tick();
        clock.advance(Duration.ofSeconds(6));
        return loop.tick();
    }

    /** A tier-2 failure (a refusal for memory, an unsupported op) costs that checkpoint its curvature, not its report. */
    @Test
    void aTier2FailureStillReportsTier1AndLogsWhy() throws Exception {
        WatchLoop loop = loop(CheckpointFormats.standard(), (checkpoint, previous) -> {
            throw new IllegalStateException("tier 2 refused before the Hessian products: needs 9 MiB");
        });
        writeCheckpoint(100);
        Optional<CheckpointReport> report;
        java.util.List<String> warnings;
        try (CapturedLog log = CapturedLog.of(WatchLoop.class)) {
            report = tickAfterQuiet(loop);
            warnings = log.messages();
        }

        assertThat(report).hasValueSatisfying(r -> {
            assertThat(r.tier1().paramNorm()).isGreaterThan(0);
            assertThat(r.tier2()).isNull();
        });
        assertThat(warnings).anySatisfy(w -> assertThat(w).startsWith("tier 2 failed on ")
                .endsWith("reporting tier 1 only: tier 2 refused before the Hessian products: needs 9 MiB"));
    }

    /**
     * The failure reaches the report, not only the log: a CurvatureUnavailable warning with what failed and where,
     * held (same first step) while tier 2 keeps failing, and gone at the first checkpoint tier 2 measures again.
     */
    @Test
    void aFailingTier2IsAHeldCurvatureUnavailableUntilItMeasuresAgain() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean fails = new java.util.concurrent.atomic.AtomicBoolean(true);
        WatchLoop loop = loop(CheckpointFormats.standard(), (checkpoint, previous) -> {
            if (fails.get()) {
                throw new IllegalStateException("ONNX node 'mm' (MatMul): input x has 3 columns, weight w has 2 rows");
            }
            return new dev.landscape.contract.Tier2Metrics(0.5, 0.1, java.util.List.of(4.0), null, null, null, 0.2, 12,
                    Map.of(), null, null);
        });

        writeCheckpoint(100);
        CheckpointReport first = tickAfterQuiet(loop).orElseThrow();
        writeCheckpoint(200);
        CheckpointReport second = tickAfterQuiet(loop).orElseThrow();
        fails.set(false);
        writeCheckpoint(300);
        CheckpointReport measured = tickAfterQuiet(loop).orElseThrow();

        assertThat(first.findings()).filteredOn(f -> f.reason().equals("CurvatureUnavailable")).singleElement()
                .satisfies(f -> {
                    assertThat(f.severity()).isEqualTo("warning");
                    assertThat(f.step()).isEqualTo(100L);
                    assertThat(f.message()).isEqualTo("Tier 2 (curvature) failed on checkpoint "
                            + ckpt.resolve("step_100.safetensors") + " at step 100; tier 1 is still reported: ONNX node "
                            + "'mm' (MatMul): input x has 3 columns, weight w has 2 rows");
                });
        assertThat(first.tier2()).isNull();
        assertThat(first.tier1()).isNotNull();
        assertThat(second.findings()).filteredOn(f -> f.reason().equals("CurvatureUnavailable")).singleElement()
                .satisfies(f -> assertThat(f.message()).contains("step_200.safetensors at step 200 (failing since step 100)"));
        assertThat(measured.findings()).extracting(dev.landscape.contract.ReportedFinding::reason)
                .doesNotContain("CurvatureUnavailable");
        assertThat(measured.tier2().eigenvalues()).containsExactly(4.0);
    }

    @Test
    void aCheckpointIsReportedOnlyAfterItsQuietPeriod() throws Exception {
        WatchLoop loop = loop();
        writeCheckpoint(100);

        assertThat(loop.tick()).isEmpty();
        clock.advance(Duration.ofSeconds(3));
        assertThat(loop.tick()).isEmpty();
        clock.advance(Duration.ofSeconds(3));
        Optional<CheckpointReport> report = loop.tick();

        assertThat(report).hasValueSatisfying(r -> {
            assertThat(r.step()).isEqualTo(100L);
            assertThat(r.rank()).isEqualTo(0);
            assertThat(r.tier1().paramNorm()).isGreaterThan(0);
            assertThat(r.sketches()).extracting(s -> s.tensor()).containsExactly("model.w");
        });
        assertThat(new ReportSpool(config.spoolDir()).pending()).hasSize(1);
    }

    @Test
    void aFileStillGrowingIsNeverReadHalfWay() throws Exception {
        WatchLoop loop = loop();
        Path growing = ckpt.resolve("step_100.safetensors");
        try (OutputStream out = Files.newOutputStream(growing)) {
            out.write(new byte[] {16, 0, 0, 0, 0, 0, 0, 0});
            out.flush();
            for (int i = 0; i < 3; i++) {
                assertThat(loop.tick()).isEmpty();
                clock.advance(Duration.ofSeconds(6));
                out.write('{');
                out.flush();
            }
        }
        assertThat(loop.tick()).isEmpty();
        assertThat(new ReportSpool(config.spoolDir()).pending()).isEmpty();
    }

    @Test
    void temporaryNamesAreIgnored() throws Exception {
        WatchLoop loop = loop();
        writeCheckpoint(100);
        Files.move(ckpt.resolve("step_100.safetensors"), ckpt.resolve("step_100.safetensors.tmp"));

        assertThat(tickAfterQuiet(loop)).isEmpty();
    }

    @Test
    void whenCheckpointsArriveFasterThanAnalysisTheNewestWinsAndTheOthersAreReportedSkipped() throws Exception {
        WatchLoop loop = loop();
        writeCheckpoint(100);
        writeCheckpoint(200);
        writeCheckpoint(300);

        Optional<CheckpointReport> report = tickAfterQuiet(loop);

        assertThat(report).hasValueSatisfying(r -> {
            assertThat(r.step()).isEqualTo(300L);
            assertThat(r.skipped()).extracting(CheckpointReport.SkippedCheckpoint::step).containsExactly(100L, 200L);
        });
        assertThat(tickAfterQuiet(loop)).isEmpty();
    }

    @Test
    void aCheckpointOverwrittenUnderOneNameIsAnalysedOncePerVersion() throws Exception {
        WatchLoop loop = loop();
        Path latest = ckpt.resolve("latest.safetensors");
        writeCheckpoint(100);
        Files.move(ckpt.resolve("step_100.safetensors"), latest);

        assertThat(tickAfterQuiet(loop)).hasValueSatisfying(r -> assertThat(r.step()).isEqualTo(100L));
        assertThat(tickAfterQuiet(loop)).as("unchanged since it was analysed").isEmpty();

        writeCheckpoint(200);
        Files.move(ckpt.resolve("step_200.safetensors"), latest, StandardCopyOption.REPLACE_EXISTING);
        Files.setLastModifiedTime(latest, FileTime.fromMillis(Files.getLastModifiedTime(latest).toMillis() + 1000));
        assertThat(tickAfterQuiet(loop)).hasValueSatisfying(r -> assertThat(r.step()).isEqualTo(200L));
        assertThat(tickAfterQuiet(loop)).isEmpty();
    }

    @Test
    void anUnreadableCheckpointIsSkippedAndTheNextOneIsAnalysed() throws Exception {
        WatchLoop loop = loop();
        Files.write(ckpt.resolve("step_100.safetensors"), new byte[] {(byte) 0xff, 1, 2});

        assertThat(tickAfterQuiet(loop)).isEmpty();
        writeCheckpoint(200);
        assertThat(tickAfterQuiet(loop)).hasValueSatisfying(r -> assertThat(r.step()).isEqualTo(200L));
    }

    @Test
    void aNamedPipeNeverBlocksTheLoopAndIsReportedWithTheNextCheckpoint() throws Exception {
        WatchLoop loop = loop();
        NamedPipes.make(ckpt.resolve("step_100.safetensors"));

        assertThat(assertTimeoutPreemptively(Duration.ofSeconds(20), () -> tickAfterQuiet(loop))).isEmpty();
        writeCheckpoint(200);
        Optional<CheckpointReport> next = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> tickAfterQuiet(loop));

        assertThat(next).hasValueSatisfying(r -> {
            assertThat(r.step()).isEqualTo(200L);
            assertThat(r.findings()).filteredOn(f -> f.reason().equals("UnreadableCheckpoint")).singleElement()
                    .satisfies(f -> assertThat(f.message()).contains("step_100.safetensors").contains("not a regular file"));
        });
    }

    @Test
    void anErrorIsRecordedInTheStateAndTheRestartedLoopSkipsThatCheckpoint() throws Exception {
        WatchLoop dying = loop(TestingFormats.outOfMemoryOn(".bomb"));
        writeCheckpoint(100);
        tickAfterQuiet(dying);
        Files.write(ckpt.resolve("step_200.bomb"), new byte[] {1});

        dying.tick();
        clock.advance(Duration.ofSeconds(6));
        assertThatThrownBy(dying::tick).isInstanceOf(OutOfMemoryError.class);
        WatchState saved = WatchState.load(tmp.resolve("state/watch-state.json"));
        assertThat(saved.fatal()).containsOnlyKeys(ckpt.resolve("step_200.bomb").toAbsolutePath().normalize().toString());

        WatchLoop restarted = loop(TestingFormats.outOfMemoryOn(".bomb"));
        assertThat(tickAfterQuiet(restarted)).as("the bomb is skipped, not read again").isEmpty();
        writeCheckpoint(300);
        CheckpointReport next = tickAfterQuiet(restarted).orElseThrow();

        assertThat(next.step()).isEqualTo(300L);
        assertThat(next.findings()).filteredOn(f -> f.reason().equals("UnreadableCheckpoint")).singleElement()
                .satisfies(f -> assertThat(f.message()).contains("step_200.bomb").contains("ended an earlier sidecar process")
                        .contains("OutOfMemoryError"));
        assertThat(next.tier1().updateNorm()).as("compared with step 100, the last one analysed").isNotNull();
        assertThat(WatchState.load(tmp.resolve("state/watch-state.json")).fatal()).isEmpty();
    }

    @Test
    void aCheckpointThatKilledTwoProcessesSilentlyIsSkippedToo() throws Exception {
        writeCheckpoint(100);
        Path killer = ckpt.resolve("step_100.safetensors").toAbsolutePath().normalize();
        Path stateFile = tmp.resolve("state/watch-state.json");
        // Two processes marked it as being read and were then killed (the kernel's OOM killer gives no warning).
        WatchState.EMPTY.reading(killer).reading(killer).save(stateFile);

        WatchLoop restarted = loop();

        assertThat(tickAfterQuiet(restarted)).isEmpty();
        writeCheckpoint(200);
        assertThat(tickAfterQuiet(restarted)).hasValueSatisfying(r -> assertThat(r.findings())
                .anySatisfy(f -> assertThat(f.message()).contains("killed 2 times while reading it")));
    }

    @Test
    void oneKillIsRetried() throws Exception {
        writeCheckpoint(100);
        WatchState.EMPTY.reading(ckpt.resolve("step_100.safetensors").toAbsolutePath().normalize())
                .save(tmp.resolve("state/watch-state.json"));

        assertThat(tickAfterQuiet(loop())).hasValueSatisfying(r -> assertThat(r.step()).isEqualTo(100L));
    }

    @Test
    void updateMetricsContinueAfterASidecarRestart() throws Exception {
        WatchLoop first = loop();
        writeCheckpoint(100);
        tickAfterQuiet(first);
        writeCheckpoint(200);
        CheckpointReport second = tickAfterQuiet(first).orElseThrow();
        assertThat(second.tier1().updateNorm()).isNotNull();
        first.close();

        WatchLoop restarted = loop();
        writeCheckpoint(300);
        CheckpointReport third = tickAfterQuiet(restarted).orElseThrow();

        assertThat(third.step()).isEqualTo(300L);
        assertThat(third.tier1().updateNorm()).as("update vs step 200").isNotNull();
        assertThat(third.tier1().updateCosine()).as("cosine needs the update before, rebuilt on restart").isNotNull();
        assertThat(third.tier1().updateCosine()).isLessThan(-0.5);
    }
}
