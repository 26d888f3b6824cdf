package dev.landscape.probe.metrics;

import dev.landscape.probe.checkpoint.Checkpoint;
import dev.landscape.probe.checkpoint.CheckpointFormats;
import dev.landscape.probe.checkpoint.DType;
import dev.landscape.probe.checkpoint.OptimizerHints;
import dev.landscape.probe.checkpoint.SafetensorsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Tier-1 figures against the same quantities computed directly from the arrays written. */
class Tier1AnalyzerTest {

    private static final CheckpointFormats FORMATS = CheckpointFormats.standard();
    private static final int BIG = 3 * Tier1Pass.CHUNK + 17; // spans several chunks, ends mid-chunk

    private final Random random = new Random(42);

    private double[] randoms(int n, double scale) {
        return random.doubles(n).map(x -> (x - 0.5) * scale).toArray();
    }

    private record State(double[] w1, double[] b1, double[] w2, double[] m, double[] v) {
    }

    private State state() {
        return new State(randoms(BIG, 2), randoms(3, 2), randoms(6, 2), randoms(6, 0.1), random.doubles(6).toArray());
    }

    private static void write(Path file, long step, State s) throws IOException {
        new SafetensorsWriter()
                .add("model.fc1.weight", DType.F64, new long[] {BIG}, s.w1)
                .add("model.fc1.bias", DType.F64, new long[] {3}, s.b1)
                .add("model.fc2.weight", DType.F64, new long[] {2, 3}, s.w2)
                .add("optimizer.exp_avg.model.fc2.weight", DType.F64, new long[] {2, 3}, s.m)
                .add("optimizer.exp_avg_sq.model.fc2.weight", DType.F64, new long[] {2, 3}, s.v)
                .metadata("step", Long.toString(step)).metadata("optimizer", "adam").metadata("optimizer.lr", "0.001")
                .metadata("optimizer.beta1", "0.9").metadata("optimizer.beta2", "0.99")
                .metadata("optimizer.step", Long.toString(step))
                .write(file);
    }

    private static double sq(double[]... arrays) {
        double s = 0;
        for (double[] a : arrays) {
            for (double x : a) {
                s += x * x;
            }
        }
        return s;
    }

    private static double[] minus(double[] a, double[] b) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i] - b[i];
        }
        return d;
    }

    @Test
    void normsUpdatesAndAdamMomentsMatchDirectComputation(@TempDir Path dir) throws IOException {
        State before = state();
        State after = state();
        write(dir.resolve("a.safetensors"), 10, before);
        write(dir.resolve("b.safetensors"), 11, after);

        Tier1Metrics m;
        try (Checkpoint a = FORMATS.open(dir.resolve("a.safetensors"));
             Checkpoint b = FORMATS.open(dir.resolve("b.safetensors"))) {
            Tier1Analyzer analyzer = new Tier1Analyzer(OptimizerHints.NONE);
            analyzer.analyze(a, 10, null);
            m = analyzer.analyze(b, 11, a);
        }

        double bc1 = 1 - Math.pow(0.9, 11);
        double bc2 = 1 - Math.pow(0.99, 11);
        assertThat(m.parameterNorm()).isCloseTo(Math.sqrt(sq(after.w1, after.b1, after.w2)), within(1e-9));
        double update = Math.sqrt(sq(minus(after.w1, before.w1), minus(after.b1, before.b1), minus(after.w2, before.w2)));
        assertThat(m.updateNorm()).isCloseTo(update, within(1e-9));
        assertThat(m.relativeUpdate()).isCloseTo(update / Math.sqrt(sq(before.w1, before.b1, before.w2)), within(1e-9));
        assertThat(m.layers().get("model.fc1").parameterNorm()).isCloseTo(Math.sqrt(sq(after.w1, after.b1)), within(1e-9));
        assertThat(m.firstMomentNorm()).isCloseTo(Math.sqrt(sq(after.m)) / bc1, within(1e-9));
        double fisher = 0;
        for (double x : after.v) {
            fisher += x / bc2;
        }
        assertThat(m.fisherTrace()).isCloseTo(fisher, within(1e-9));
        assertThat(m.layers().get("model.fc2").fisherShare()).isCloseTo(1.0, within(1e-12));
        assertThat(m.stepsSincePrevious()).isEqualTo(1);
        assertThat(m.stabilityThreshold()).isCloseTo(38 / 0.001, within(1e-6));
    }

    @Test
    void nonFiniteValuesAreCountedPerTensorIncludingOptimizerState(@TempDir Path dir) throws IOException {
        State s = state();
        s.w1[BIG - 1] = Double.NaN;
        s.v[2] = Double.POSITIVE_INFINITY;
        write(dir.resolve("a.safetensors"), 5, s);

        Tier1Metrics m;
        try (Checkpoint a = FORMATS.open(dir.resolve("a.safetensors"))) {
            m = new Tier1Analyzer(OptimizerHints.NONE).analyze(a, 5, null);
        }

        assertThat(m.nonFinite()).isEqualTo(2);
        assertThat(m.nonFiniteTensors()).containsEntry("model.fc1.weight", 1L)
                .containsEntry("optimizer.exp_avg_sq.model.fc2.weight", 1L);
        assertThat(m.tensors().get("model.fc1.weight").parameterNorm())
                .isCloseTo(Math.sqrt(sq(java.util.Arrays.copyOf(s.w1, BIG - 1))), within(1e-9));
    }

    private Tier1Metrics analyzeAlone(Path file) throws IOException {
        try (Checkpoint c = FORMATS.open(file)) {
            return new Tier1Analyzer(OptimizerHints.NONE).analyze(c, 7, null);
        }
    }

    /** The operator's WorkerDivergence compares these fingerprints across ranks (correlate/DivergenceDetector). */
    @Test
    void perturbingOneRanksCopyMovesOnlyThatTensorsFingerprintByItsRelativeDistance(@TempDir Path dir) throws IOException {
        State s = state();
        write(dir.resolve("rank0.safetensors"), 7, s);
        double[] w2 = s.w2.clone();
        w2[4] += 0.01 * Math.sqrt(sq(s.w2));
        write(dir.resolve("rank1.safetensors"), 7, new State(s.w1, s.b1, w2, s.m, s.v));

        Tier1Metrics a = analyzeAlone(dir.resolve("rank0.safetensors"));
        Tier1Metrics b = analyzeAlone(dir.resolve("rank1.safetensors"));

        double relative = a.fingerprints().get("model.fc2.weight").distance(b.fingerprints().get("model.fc2.weight"))
                / a.tensors().get("model.fc2.weight").parameterNorm();
        assertThat(relative).isCloseTo(0.01, within(0.01 * 4 * Math.sqrt(1.0 / 512)));
        assertThat(a.fingerprints().get("model.fc1.weight").distance(b.fingerprints().get("model.fc1.weight")))
                .isZero();
    }

    @Test
    void identicalRankCopiesHaveIdenticalFingerprints(@TempDir Path dir) throws IOException {
        State s = state();
        write(dir.resolve("rank0.safetensors"), 7, s);
        write(dir.resolve("rank1.safetensors"), 7, s);

        Tier1Metrics a = analyzeAlone(dir.resolve("rank0.safetensors"));
        Tier1Metrics b = analyzeAlone(dir.resolve("rank1.safetensors"));

        assertThat(a.fingerprints()).isNotEmpty();
        a.fingerprints().forEach((name, sketch) -> assertThat(sketch.distance(b.fingerprints().get(name))).as(name).isZero());
    }
}
