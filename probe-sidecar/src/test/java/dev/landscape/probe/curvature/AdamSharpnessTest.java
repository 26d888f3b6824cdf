package dev.landscape.probe.curvature;

import dev.landscape.probe.curvature.linalg.SymmetricEigen;
import dev.landscape.probe.checkpoint.CheckpointFormats;
import dev.landscape.probe.checkpoint.DType;
import dev.landscape.probe.checkpoint.SafetensorsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Adam-preconditioned sharpness through files, checkpoint moments and the analysis, against the closed form for
 * linear regression: lambda_max(D H D), H = (2/n) A^T A, D = diag((sqrt(v / (1 - beta2^t)) + eps)^(-1/2)).
 */
class AdamSharpnessTest {

    private static final int N = 30;
    private static final int D = 3;

    @Test
    void preconditionedSharpnessAndEosRatioMatchTheClosedForm(@TempDir Path dir) throws IOException {
        Random rng = new Random(8);
        double[] x = ClosedFormCurvatureTest.gaussian(rng, N * D);
        double[] y = ClosedFormCurvatureTest.gaussian(rng, N);
        double[] vw = {4e-4, 1e-6, 9e-5};
        double[] vb = {2.5e-5};
        Files.write(dir.resolve("m.onnx"), TestGraphs.model(13, TestGraphs.graph("lin")
                .addInput(TestGraphs.input("x", N, D))
                .addInitializer(TestGraphs.floats("fc.weight", new long[] {1, D}))
                .addInitializer(TestGraphs.floats("fc.bias", new long[] {1}))
                .addNode(TestGraphs.node("Gemm", "fc", new String[] {"x", "fc.weight", "fc.bias"}, "y")
                        .addAttribute(TestGraphs.intAttr("transB", 1)))
                .addOutput(TestGraphs.input("y", N, 1))).toByteArray());
        new TestBatchFiles().add("x", HostTensor.of(new long[] {N, D}, x))
                .add("target", HostTensor.of(new long[] {N, 1}, y)).write(dir.resolve("b.safetensors"));
        new SafetensorsWriter()
                .add("model.fc.weight", DType.F64, new long[] {1, D}, new double[] {0.2, -0.1, 0.4})
                .add("model.fc.bias", DType.F64, new long[] {1}, new double[] {0.3})
                .add("optimizer.exp_avg_sq.model.fc.weight", DType.F64, new long[] {1, D}, vw)
                .add("optimizer.exp_avg_sq.model.fc.bias", DType.F64, new long[] {1}, vb)
                .write(dir.resolve("c.safetensors"));
        CurvatureOptions o = new CurvatureOptions(LossHead.MSE, null, 1, 1e-10, 50, 0, 0, false, null, false, null, 5,
                new OptimizerSettings("adam", 0.01, 0.9, 0.999, 1e-8, null, 10L));

        CurvatureReport r = new CurvatureAnalysis(CheckpointFormats.standard())
                .run(dir.resolve("m.onnx"), dir.resolve("b.safetensors"), dir.resolve("c.safetensors"), o);

        double[] v = {vw[0], vw[1], vw[2], vb[0]};
        double[] d = new double[D + 1];
        for (int i = 0; i <= D; i++) {
            d[i] = 1 / Math.sqrt(Math.sqrt(v[i] / (1 - Math.pow(0.999, 10))) + 1e-8);
        }
        double[][] h = new double[D + 1][D + 1];
        for (int r0 = 0; r0 < N; r0++) {
            for (int i = 0; i <= D; i++) {
                for (int j = 0; j <= D; j++) {
                    double ai = i < D ? x[r0 * D + i] : 1;
                    double aj = j < D ? x[r0 * D + j] : 1;
                    h[i][j] += 2 * ai * aj / N * d[i] * d[j];
                }
            }
        }
        double expected = SymmetricEigen.jacobi(h).values()[0];
        assertThat(r.preconditionedSharpness() / expected - 1).isCloseTo(0, within(1e-6));
        assertThat(r.edgeOfStability().rule()).isEqualTo("adam");
        assertThat(r.edgeOfStability().ratio()).isCloseTo(expected / 3800, within(1e-6 * expected / 3800));
    }
}
