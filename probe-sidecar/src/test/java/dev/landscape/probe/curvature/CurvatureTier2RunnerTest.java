package dev.landscape.probe.curvature;

import dev.landscape.contract.Tier2Metrics;
import dev.landscape.probe.checkpoint.CheckpointFormats;
import dev.landscape.probe.checkpoint.DType;
import dev.landscape.probe.checkpoint.SafetensorsWriter;
import dev.landscape.probe.runtime.SidecarConfig;
import dev.landscape.probe.runtime.WatchLoop;
import onnx.Onnx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Tier 2 as the watch loop runs it: model and batch from the probe's config, the report's tier2 filled. */
class CurvatureTier2RunnerTest {

    @Test
    void linearRegressionCurvatureReachesTheReport(@TempDir Path dir) throws Exception {
        int n = 4;
        double[] x = {1, 0, 0, 2, 1, 1, -1, 0.5};
        Onnx.ModelProto model = TestGraphs.model(13, TestGraphs.graph("linreg")
                .addInput(TestGraphs.input("x", n, 2))
                .addInitializer(TestGraphs.floats("w", new long[] {2, 1}, new double[2]))
                .addNode(TestGraphs.node("MatMul", "mm", new String[] {"x", "w"}, "y"))
                .addOutput(TestGraphs.input("y", n, 1)));
        Path onnx = dir.resolve("model.onnx");
        Files.write(onnx, model.toByteArray());
        Path batch = dir.resolve("batch.safetensors");
        new SafetensorsWriter().add("x", DType.F64, new long[] {n, 2}, x)
                .add("target", DType.F64, new long[] {n, 1}, new double[] {1, 0, 2, 1}).write(batch);
        Path checkpoint = dir.resolve("step_100.safetensors");
        new SafetensorsWriter().add("w", DType.F64, new long[] {2, 1}, new double[] {0.5, -0.25}).write(checkpoint);
        SidecarConfig config = config(dir, onnx, batch);

        Tier2Metrics t2 = new CurvatureTier2Runner(config, CheckpointFormats.standard()).run(checkpoint, null);

        // H = 2 XᵀX / n, a 2×2 matrix: top eigenvalue tr/2 + sqrt(tr²/4 − det).
        double h00 = 0, h01 = 0, h11 = 0;
        for (int r = 0; r < n; r++) {
            h00 += 2 * x[2 * r] * x[2 * r] / n;
            h01 += 2 * x[2 * r] * x[2 * r + 1] / n;
            h11 += 2 * x[2 * r + 1] * x[2 * r + 1] / n;
        }
        double tr = h00 + h11;
        double det = h00 * h11 - h01 * h01;
        double top = tr / 2 + Math.sqrt(tr * tr / 4 - det);
        assertThat(t2.eigenvalues()).hasSize(2);
        assertThat(t2.eigenvalues().get(0)).isCloseTo(top, org.assertj.core.data.Percentage.withPercentage(1e-4));
        assertThat(t2.trace()).isCloseTo(tr, org.assertj.core.data.Percentage.withPercentage(1e-4));
        assertThat(t2.eosRatio()).isCloseTo(top / (2 / 0.1), org.assertj.core.data.Percentage.withPercentage(1e-4));
        assertThat(t2.hvpCount()).isPositive();
    }

    @Test
    void theModelBuiltForOneCheckpointIsReusedAtTheNextCheckpointsWeights(@TempDir Path dir) throws Exception {
        Path onnx = dir.resolve("model.onnx");
        Path batch = dir.resolve("batch.safetensors");
        writeThreeRowRegression(onnx, batch);
        Path first = dir.resolve("step_1.safetensors");
        Path second = dir.resolve("step_2.safetensors");
        new SafetensorsWriter().add("w", DType.F64, new long[] {2, 1}, new double[] {0.5, -0.25}).write(first);
        new SafetensorsWriter().add("w", DType.F64, new long[] {2, 1}, new double[] {-1, 3}).write(second);
        SidecarConfig config = config(dir, onnx, batch);

        CurvatureTier2Runner watching = new CurvatureTier2Runner(config, CheckpointFormats.standard());
        Tier2Metrics atFirst = watching.run(first, null);
        Tier2Metrics atSecond = watching.run(second, first);
        Tier2Metrics fresh = new CurvatureTier2Runner(config, CheckpointFormats.standard()).run(second, null);

        // MSE loss at w: mean over rows of (x·w − t)²; the second checkpoint's by hand: rows give 2, 6, 0.
        assertThat(atSecond.loss()).isCloseTo((4 + 36 + 0) / 3.0, org.assertj.core.data.Percentage.withPercentage(1e-9));
        assertThat(atSecond.loss()).isEqualTo(fresh.loss()).isNotEqualTo(atFirst.loss());
        assertThat(atSecond.gradNorm()).isEqualTo(fresh.gradNorm());
        assertThat(atSecond.eigenvalues()).isEqualTo(fresh.eigenvalues());
    }

    @Test
    void aModelLargerThanTheStatedCountIsLoggedWithTheCountToSet(@TempDir Path dir) throws Exception {
        Path onnx = dir.resolve("model.onnx");
        Path batch = dir.resolve("batch.safetensors");
        writeThreeRowRegression(onnx, batch);
        Path checkpoint = dir.resolve("step_1.safetensors");
        new SafetensorsWriter().add("w", DType.F64, new long[] {2, 1}, new double[] {0.5, -0.25}).write(checkpoint);
        java.util.List<String> warnings;
        try (dev.landscape.probe.testing.CapturedLog log = dev.landscape.probe.testing.CapturedLog.of(CurvatureTier2Runner.class)) {
            CurvatureTier2Runner runner = new CurvatureTier2Runner(config(dir, onnx, batch), CheckpointFormats.standard());
            runner.run(checkpoint, null);
            runner.run(checkpoint, null);
            warnings = log.messages();
        }

        assertThat(warnings).singleElement().asString()
                .contains("the model has 2 parameters (2 analysed) but spec.metrics.modelParameters is not set")
                .contains("set modelParameters to 2");
    }

    @Test
    void onlyAPodSizedFromAStatedParameterCountIsCheckedAgainstItsMemory(@TempDir Path dir) throws Exception {
        Path onnx = dir.resolve("model.onnx");
        Path batch = dir.resolve("batch.safetensors");
        writeThreeRowRegression(onnx, batch);

        assertThat(CurvatureTier2Runner.guardedLimits(config(dir, onnx, batch, Map.of()))).isNull();
        assertThat(CurvatureTier2Runner.guardedLimits(config(dir, onnx, batch,
                Map.of(dev.landscape.contract.SidecarSettings.MODEL_PARAMETERS, "124439808")))).isNotNull();
    }

    /**
     * The memory guard's refusal in the watching sidecar: the checkpoint is reported with tier 1 and a
     * CurvatureUnavailable finding whose message is the refusal itself (the need, the limit and the counts to set).
     */
    @Test
    void aMemoryRefusalReachesTheReportAsCurvatureUnavailable(@TempDir Path dir) throws Exception {
        Path onnx = dir.resolve("model.onnx");
        Path batch = dir.resolve("batch.safetensors");
        writeThreeRowRegression(onnx, batch);
        Path checkpoints = Files.createDirectories(dir.resolve("ckpt"));
        new SafetensorsWriter().add("w", DType.F64, new long[] {2, 1}, new double[] {0.5, -0.25})
                .metadata("step", "100").write(checkpoints.resolve("step_100.safetensors"));
        SidecarConfig config = config(dir, onnx, batch, Map.of("dir", checkpoints.toString(),
                "spool", dir.resolve("state/spool").toString(), "quiet-period", "0s"));
        long heap = 1L << 30;
        CurvatureTier2Runner refusing = new CurvatureTier2Runner(config, CheckpointFormats.standard(),
                () -> new MemoryGuard.Limits(heap, java.util.OptionalLong.of(heap + (1L << 20))));
        dev.landscape.probe.report.SidecarTelemetry telemetry = new dev.landscape.probe.report.SidecarTelemetry(
                io.opentelemetry.sdk.metrics.SdkMeterProvider.builder().build().get("t"), "ns", "pod-0", "p", 0,
                () -> 0, () -> 0, () -> 0, () -> 0, () -> 0);
        WatchLoop loop = new WatchLoop(config, CheckpointFormats.standard(),
                new dev.landscape.probe.report.ReportSpool(config.spoolDir()), telemetry,
                java.time.Clock.fixed(java.time.Instant.parse("2026-12-06T18:00:00Z"), java.time.ZoneOffset.UTC),
                dir.resolve("state/watch-state.json"), refusing);

        loop.tick();
        dev.landscape.contract.CheckpointReport report = loop.tick().orElseThrow();

        assertThat(report.tier2()).isNull();
        assertThat(report.findings()).filteredOn(f -> f.reason().equals("CurvatureUnavailable")).singleElement()
                .satisfies(f -> assertThat(f.message())
                        .startsWith("Tier 2 (curvature) failed on checkpoint " + checkpoints.resolve("step_100.safetensors")
                                + " at step 100; tier 1 is still reported: tier 2 refused before the Hessian products: "
                                + "the whole model (2 of 2 parameters)")
                        .contains("under a memory limit of 1,025 MiB")
                        .contains("Fix: set spec.metrics.modelParameters: 2"));
    }

    /** y = x w with MSE on three rows: x = [[1, 0], [0, 2], [1, 1]], targets 1, 0, 2. */
    private static void writeThreeRowRegression(Path onnx, Path batch) throws java.io.IOException {
        int n = 3;
        Onnx.ModelProto model = TestGraphs.model(13, TestGraphs.graph("linreg")
                .addInput(TestGraphs.input("x", n, 2))
                .addInitializer(TestGraphs.floats("w", new long[] {2, 1}, new double[2]))
                .addNode(TestGraphs.node("MatMul", "mm", new String[] {"x", "w"}, "y"))
                .addOutput(TestGraphs.input("y", n, 1)));
        Files.write(onnx, model.toByteArray());
        new SafetensorsWriter().add("x", DType.F64, new long[] {n, 2}, new double[] {1, 0, 0, 2, 1, 1})
                .add("target", DType.F64, new long[] {n, 1}, new double[] {1, 0, 2}).write(batch);
    }

    private static SidecarConfig config(Path dir, Path onnx, Path batch) throws Exception {
        return config(dir, onnx, batch, Map.of());
    }

    private static SidecarConfig config(Path dir, Path onnx, Path batch, Map<String, String> more) throws Exception {
        Path cfg = Files.writeString(dir.resolve("empty.json"), "{}");
        Map<String, String> flags = new java.util.HashMap<>(Map.of("probe", "p", "namespace", "ns", "pod", "pod-0", "rank", "0",
                "dir", dir.toString(), "report-url", "http://127.0.0.1:1/r", "model", onnx.toString(), "batch", batch.toString()));
        flags.putAll(Map.of("loss", "mse", "top-k", "2", "optimizer", "{\"type\":\"sgd\",\"learningRate\":\"0.1\"}"));
        flags.putAll(more);
        return SidecarConfig.load(flags, Map.of("LANDSCAPE_CONFIG_FILE", cfg.toString()));
    }
}
