package dev.landscape.probe.bench;

import dev.landscape.probe.checkpoint.Checkpoint;
import dev.landscape.probe.checkpoint.CheckpointFormats;
import dev.landscape.probe.checkpoint.OptimizerHints;
import dev.landscape.probe.checkpoint.Tensor;
import dev.landscape.probe.metrics.Tier1Analyzer;
import dev.landscape.probe.metrics.Tier1Metrics;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Benchmark, not a test: the full tier-1 pass of checkpoint {@code cur} against {@code prev} (run by
 * {@code bench/tier1-throughput.sh} with {@code -Xmx64m}). Prints one JSON line with the timing and the figures
 * the numpy baseline also computes, so both can be compared number for number.
 */
public final class Tier1Throughput {

    public static void main(String[] args) throws Exception {
        Path prev = Path.of(args[0]);
        Path cur = Path.of(args[1]);
        int repeats = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        CheckpointFormats formats = CheckpointFormats.standard();
        double best = Double.POSITIVE_INFINITY;
        Tier1Metrics m = null;
        long bytes = 0;
        for (int r = 0; r < repeats; r++) {
            try (Checkpoint a = formats.open(prev); Checkpoint b = formats.open(cur)) {
                Tier1Analyzer analyzer = new Tier1Analyzer(OptimizerHints.NONE);
                analyzer.analyze(a, a.step().getAsLong(), null);
                long t0 = System.nanoTime();
                m = analyzer.analyze(b, b.step().getAsLong(), a);
                best = Math.min(best, (System.nanoTime() - t0) / 1e9);
                bytes = 0;
                for (Tensor t : b.tensors()) {
                    bytes += t.info().byteSize();
                }
                for (Tensor t : a.tensors()) {
                    if (!t.info().group().equals("optimizer.exp_avg_sq")) {
                        bytes += t.info().byteSize();
                    }
                }
            }
        }
        double[] fp = m.fingerprints().get("model.layers.0.weight").buckets();
        System.out.printf(Locale.ROOT, "{\"seconds\": %.3f, \"bytesRead\": %d, \"MiBPerSecond\": %.1f, "
                        + "\"maxHeapMiB\": %d, \"parameterNorm\": %.10g, \"updateNorm\": %.10g, \"relativeUpdate\": %.10g, "
                        + "\"firstMomentNorm\": %.10g, \"fisherTrace\": %.10g, \"gradientNorm\": %.10g, \"nonFinite\": %d, "
                        + "\"fingerprint0\": [%.10g, %.10g, %.10g]}%n",
                best, bytes, bytes / best / (1 << 20), Runtime.getRuntime().maxMemory() >> 20, m.parameterNorm(),
                m.updateNorm(), m.relativeUpdate(), m.firstMomentNorm(), m.fisherTrace(), m.gradientNorm(),
                m.nonFinite(), fp[0], fp[1], fp[2]);
    }
}
