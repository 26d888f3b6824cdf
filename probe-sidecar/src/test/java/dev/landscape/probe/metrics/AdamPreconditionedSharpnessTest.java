package dev.landscape.probe.metrics;

import dev.landscape.probe.checkpoint.Checkpoint;
import dev.landscape.probe.checkpoint.CheckpointFormats;
import dev.landscape.probe.checkpoint.DType;
import dev.landscape.probe.checkpoint.ElementStream;
import dev.landscape.probe.checkpoint.OptimizerHints;
import dev.landscape.probe.checkpoint.Tensor;
import dev.landscape.probe.cli.RunAnalysis;
import dev.landscape.probe.findings.Thresholds;
import dev.landscape.probe.testing.TestTrainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Adam on a rotated quadratic: the gradient recovered from consecutive {@code exp_avg} is exact at one step per
 * checkpoint, so the preconditioned secant must equal {@code ⟨HΔθ, Δθ⟩ / Σ(√v̂ + ε)Δθ²} over the previous update,
 * computed here directly from the weights and second moments the checkpoints hold.
 */
class AdamPreconditionedSharpnessTest {

    private static final double[] EIGENVALUES = {50, 8, 3, 1, 0.5, 0.2};
    private static final CheckpointFormats FORMATS = CheckpointFormats.standard();

    private static double[] read(Checkpoint cp, String name) throws IOException {
        double[] out = null;
        for (Tensor t : cp.tensors()) {
            if (t.info().name().equals(name)) {
                out = new double[(int) t.info().numel()];
                try (ElementStream in = t.open()) {
                    int off = 0;
                    int got;
                    while (off < out.length && (got = in.read(out, off, out.length - off)) > 0) {
                        off += got;
                    }
                }
            }
        }
        return out;
    }

    private static double[] concat(Checkpoint cp, String prefix) throws IOException {
        double[] a = read(cp, prefix + "model.a.weight");
        double[] b = read(cp, prefix + "model.b.weight");
        double[] x = new double[a.length + b.length];
        System.arraycopy(a, 0, x, 0, a.length);
        System.arraycopy(b, 0, x, a.length, b.length);
        return x;
    }

    @Test
    void preconditionedSecantEqualsTheRayleighQuotientOfTheAdamPencilAlongTheLastUpdate(@TempDir Path dir)
            throws IOException {
        TestTrainer.Quadratic q = new TestTrainer.Quadratic(EIGENVALUES, 3);
        new TestTrainer(q, q.initial(4), q.shapes(), TestTrainer.Optimizer.ADAM, s -> 0.01).dtype(DType.F64).run(40, dir);

        List<RunAnalysis.Result> results =
                new RunAnalysis(FORMATS, OptimizerHints.NONE, Thresholds.DEFAULTS).run(dir);

        for (int t = 3; t <= 40; t++) {
            double[] before;
            double[] after;
            double[] v;
            try (Checkpoint a = FORMATS.open(dir.resolve("step_" + (t - 2) + ".safetensors"));
                 Checkpoint b = FORMATS.open(dir.resolve("step_" + (t - 1) + ".safetensors"))) {
                before = concat(a, "");
                after = concat(b, "");
                v = concat(b, "optimizer.exp_avg_sq.");
            }
            double bc2 = 1 - Math.pow(0.999, t - 1);
            double num = 0;
            double den = 0;
            for (int i = 0; i < after.length; i++) {
                double di = after[i] - before[i];
                double hd = 0;
                for (int j = 0; j < after.length; j++) {
                    hd += q.hessian[i][j] * (after[j] - before[j]);
                }
                num += di * hd;
                den += (Math.sqrt(v[i] / bc2) + 1e-8) * di * di;
            }
            Tier1Metrics m = results.get(t).metrics();
            assertThat(m.preconditionedSharpness()).as("step %d", t).isCloseTo(num / den, within(1e-6 * Math.abs(num / den)));
            assertThat(m.stabilityThreshold()).isCloseTo(38 / 0.01, within(1e-9));
        }
    }
}
