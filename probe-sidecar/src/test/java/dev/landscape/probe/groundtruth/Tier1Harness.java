package dev.landscape.probe.groundtruth;

import dev.landscape.probe.checkpoint.CheckpointFormats;
import dev.landscape.probe.checkpoint.OptimizerHints;
import dev.landscape.probe.cli.RunAnalysis;
import dev.landscape.probe.findings.Thresholds;

import dev.landscape.probe.metrics.Tier1Metrics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Generates each case's runs, one folder of HF Trainer checkpoints per seed, analyses each folder with
 * {@link RunAnalysis} (what {@code landscape analyze DIR} runs: default thresholds, no optimizer hints, everything
 * read from the files) and scores it. Folders are deleted once scored. With {@link #tracingTo} it also writes one
 * CSV line per checkpoint: the exact stability ratio beside tier 1's estimates ({@link #TRACE_HEADER}), which
 * {@code bench/tier1_replay.py} replays edge-of-stability rules on.
 */
final class Tier1Harness {

    static final String TRACE_HEADER = "case,seed,step,exact,learningRate,ratio,secant,preconditioned,bound,"
            + "preconditionedBound,threshold,trajectory,trajectoryError,loss,spikeGradNorm";

    private final Path work;
    private final Thresholds thresholds;
    private Appendable traces;
    private final List<String> skipped = new ArrayList<>();

    Tier1Harness(Path work, Thresholds thresholds) {
        this.work = work;
        this.thresholds = thresholds;
    }

    /** Writes {@link #TRACE_HEADER} to {@code out} now and a line per analysed checkpoint from then on. */
    Tier1Harness tracingTo(Appendable out) throws IOException {
        out.append(TRACE_HEADER).append('\n');
        this.traces = out;
        return this;
    }

    /** A run whose physics does not make the case (Tier1Cases.violation): it measures the case, not the analyser. */
    static final class BrokenCase extends IllegalStateException {
        BrokenCase(String message) {
            super(message + ": the case's physics is broken, nothing to score");
        }
    }

    /** Scores every case on every seed; a seed whose run breaks its case is left out and named in {@link #skipped}. */
    List<Tier1Scorer.Score> run(List<Tier1Case> cases, List<Long> seeds) throws IOException {
        List<Tier1Scorer.Score> out = new ArrayList<>();
        for (Tier1Case c : cases) {
            for (long seed : seeds) {
                try {
                    out.add(run(c, seed));
                } catch (BrokenCase e) {
                    skipped.add(e.getMessage());
                }
            }
        }
        return out;
    }

    /** The runs {@link #run(List, List)} left out, and why. */
    List<String> skipped() {
        return List.copyOf(skipped);
    }

    Tier1Scorer.Score run(Tier1Case c, long seed) throws IOException {
        Path dir = Files.createTempDirectory(work, "run-");
        try {
            GroundTruthRun.Truth truth = GroundTruthRun.generate(c, seed, dir);
            Tier1Cases.violation(c, seed, truth).ifPresent(v -> {
                throw new BrokenCase(v);
            });
            List<RunAnalysis.Result> results =
                    new RunAnalysis(CheckpointFormats.standard(), OptimizerHints.NONE, thresholds).run(dir);
            if (traces != null) {
                trace(c, seed, truth, results);
            }
            return Tier1Scorer.score(c, seed, truth, results);
        } finally {
            delete(dir);
        }
    }

    private void trace(Tier1Case c, long seed, GroundTruthRun.Truth truth, List<RunAnalysis.Result> results)
            throws IOException {
        for (RunAnalysis.Result r : results) {
            Tier1Metrics m = r.metrics();
            if (m == null) {
                continue;
            }
            traces.append(String.format(Locale.ROOT, "%s,%d,%d,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g%n", c.name(), seed,
                    m.step(), truth.ratio()[(int) m.step()], m.learningRate(), m.stabilityRatio(), m.secantSharpness(),
                    m.preconditionedSharpness(), m.curvatureBound(), m.preconditionedCurvatureBound(),
                    m.stabilityThreshold(), m.trajectoryRatio(), m.trajectoryRatioError(), m.loss().orElse(Double.NaN),
                    m.spikeGradNorm()));
        }
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
