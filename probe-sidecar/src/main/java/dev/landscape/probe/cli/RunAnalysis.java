package dev.landscape.probe.cli;

import dev.landscape.probe.checkpoint.Checkpoint;
import dev.landscape.probe.checkpoint.CheckpointFormats;
import dev.landscape.probe.checkpoint.OptimizerHints;
import dev.landscape.probe.checkpoint.RunFolder;
import dev.landscape.probe.findings.Finding;
import dev.landscape.probe.findings.FindingMonitor;
import dev.landscape.probe.findings.Thresholds;
import dev.landscape.probe.metrics.Tier1Analyzer;
import dev.landscape.probe.metrics.Tier1Metrics;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * Analyses a run folder checkpoint by checkpoint in step order, holding at most two checkpoints open. A checkpoint
 * that cannot be read becomes a result with an error (and an {@code UnreadableCheckpoint} finding) and the run goes
 * on: the next readable checkpoint is compared with the last readable one.
 */
public final class RunAnalysis {

    /** One checkpoint's outcome: metrics and findings, or the error that kept it from being read. */
    public record Result(Path path, OptionalLong step, String format, Tier1Metrics metrics, List<Finding> findings,
                  String error) {
    }

    private record Candidate(Path path, OptionalLong step, String error) {
    }

    private final CheckpointFormats formats;
    private final OptimizerHints overrides;
    private final Thresholds thresholds;

    public RunAnalysis(CheckpointFormats formats, OptimizerHints overrides, Thresholds thresholds) {
        this.formats = formats;
        this.overrides = overrides;
        this.thresholds = thresholds;
    }

    /** Analyses the run and returns every result (for tests and small runs; holds them all in memory). */
    public List<Result> run(Path dir) throws IOException {
        List<Result> all = new ArrayList<>();
        run(dir, all::add);
        return all;
    }

    /**
     * Analyses the run, handing each checkpoint's result to {@code sink} as soon as it is known, so that memory
     * does not grow with the number of checkpoints.
     */
    public void run(Path dir, Consumer<Result> sink) throws IOException {
        List<Candidate> candidates = new ArrayList<>();
        for (RunFolder.Entry e : RunFolder.list(dir, formats)) {
            candidates.add(probe(e));
        }
        candidates.sort(Comparator.comparingLong((Candidate c) -> c.step.orElse(Long.MAX_VALUE))
                .thenComparing(c -> c.path.toString()));
        Tier1Analyzer analyzer = new Tier1Analyzer(overrides);
        FindingMonitor monitor = new FindingMonitor(thresholds);
        Checkpoint prior = null;
        try {
            for (Candidate c : candidates) {
                if (c.error != null) {
                    sink.accept(failed(c.path, c.step, c.error));
                    continue;
                }
                Checkpoint cp = null;
                Tier1Metrics m;
                try {
                    cp = formats.open(c.path);
                    m = analyzer.analyze(cp, c.step.getAsLong(), prior);
                } catch (IOException | RuntimeException ex) {
                    if (cp != null) {
                        cp.close();
                    }
                    sink.accept(failed(c.path, c.step, describe(ex)));
                    continue;
                }
                if (prior != null) {
                    prior.close();
                }
                prior = cp;
                sink.accept(new Result(c.path, c.step, cp.format(), m, monitor.observe(m), null));
            }
        } finally {
            if (prior != null) {
                prior.close();
            }
        }
    }

    /** Opens a candidate once to learn its step (the checkpoint's own, else the name's) and whether it reads. */
    private Candidate probe(RunFolder.Entry e) {
        try (Checkpoint cp = formats.open(e.path())) {
            OptionalLong step = cp.step().isPresent() ? cp.step() : e.stepFromName();
            if (step.isEmpty()) {
                return new Candidate(e.path(), step, "cannot tell the step: neither the name (checkpoint-N, "
                        + "global_stepN, step_N, epoch=E-step=S) nor the checkpoint records it");
            }
            return new Candidate(e.path(), step, null);
        } catch (IOException | RuntimeException ex) {
            return new Candidate(e.path(), e.stepFromName(), describe(ex));
        }
    }

    private static String describe(Exception ex) {
        String msg = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
        return ex instanceof java.nio.file.NoSuchFileException ? "no such file: " + msg : msg;
    }

    private static Result failed(Path path, OptionalLong step, String error) {
        return new Result(path, step, null, null, List.of(Finding.unreadableCheckpoint(path, step, error)), error);
    }
}
