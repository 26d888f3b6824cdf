package dev.landscape.probe.runtime;

import dev.landscape.contract.CheckpointReport;
import dev.landscape.probe.checkpoint.Checkpoint;
import dev.landscape.probe.checkpoint.CheckpointFormats;
import dev.landscape.probe.checkpoint.CompletionDetector;
import dev.landscape.probe.checkpoint.OptimizerHints;
import dev.landscape.probe.checkpoint.RunFolder;
import dev.landscape.probe.findings.Finding;
import dev.landscape.probe.findings.FindingMonitor;
import dev.landscape.probe.metrics.EvalLoss;
import dev.landscape.probe.metrics.Tier1Analyzer;
import dev.landscape.probe.metrics.Tier1Metrics;
import dev.landscape.probe.report.ReportSpool;
import dev.landscape.probe.report.SidecarTelemetry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One pass of the in-pod watch: find the checkpoints newer than the last analysed one, keep those that are
 * complete, analyse only the newest (latest wins: a sidecar that fell behind never builds a queue, it reports the
 * ones it skipped), spool the report for delivery and remember where it is. Tier 1 always; tier 2 through the
 * {@link Tier2Runner} it is given on a tier-2 rank (a failure there still reports tier 1, with a
 * {@code CurvatureUnavailable} finding held while tier 2 keeps failing; see {@link Finding#curvatureUnavailable}).
 * The checkpoint is read through the one format registry. Single-threaded by design: it is the only reader of the
 * checkpoint volume.
 *
 * <p>A checkpoint that cannot be read or analysed is skipped and reported as an {@code UnreadableCheckpoint}
 * finding on the next report. One that ends the process (an {@link Error}) is named in the state file before the
 * error goes on to end the sidecar, so that the restarted one skips it the same way instead of dying on it again
 * (see {@link WatchState}).
 */
public final class WatchLoop {

    private static final Logger LOG = Logger.getLogger(WatchLoop.class.getName());

    private final SidecarConfig config;
    private final CheckpointFormats formats;
    private final CompletionDetector detector;
    private final ReportSpool spool;
    private final SidecarTelemetry telemetry;
    private final Clock clock;
    private final Path stateFile;
    private final Tier1Analyzer analyzer;
    private final FindingMonitor monitor;
    private WatchState state;
    private Checkpoint prior;
    private final List<CheckpointReport.SkippedCheckpoint> skipped = new ArrayList<>();
    private final List<Finding> unreadable = new ArrayList<>();
    private volatile Instant lastTick = Instant.EPOCH;

    private final Tier2Runner tier2;
    /** The step tier 2 first failed at, while it keeps failing; -1 while it measures (or never ran). */
    private long tier2FailingSince = -1;

    public WatchLoop(SidecarConfig config, CheckpointFormats formats, ReportSpool spool, SidecarTelemetry telemetry,
                     Clock clock, Path stateFile) {
        this(config, formats, spool, telemetry, clock, stateFile, null);
    }

    /** @param tier2 curvature on the probe's model and batch, or {@code null} for tier 1 only */
    public WatchLoop(SidecarConfig config, CheckpointFormats formats, ReportSpool spool, SidecarTelemetry telemetry,
                     Clock clock, Path stateFile, Tier2Runner tier2) {
        this.tier2 = tier2;
        this.config = config;
        this.formats = formats;
        this.detector = new CompletionDetector(clock, config.quietPeriod());
        this.spool = spool;
        this.telemetry = telemetry;
        this.clock = clock;
        this.stateFile = stateFile;
        this.analyzer = new Tier1Analyzer(optimizerOverrides(config));
        this.monitor = new FindingMonitor(ProbeThresholds.from(config.thresholds()));
        this.state = WatchState.load(stateFile);
        resume();
    }

    /** When the loop last completed a pass (for liveness). */
    public Instant lastTick() {
        return lastTick;
    }

    public WatchState state() {
        return state;
    }

    /**
     * Looks once and analyses the newest complete checkpoint, if there is a new one.
     *
     * @return the report spooled, if any
     */
    public Optional<CheckpointReport> tick() throws IOException {
        try {
            List<Candidate> fresh = new ArrayList<>();
            for (RunFolder.Entry e : RunFolder.list(config.dir(), formats)) {
                if (!wanted(e.path())) {
                    continue;
                }
                OptionalLong step = e.stepFromName();
                if (step.isPresent() ? step.getAsLong() <= state.lastStep() : state.alreadyAnalysed(e.path())) {
                    detector.forget(e.path());
                    continue;
                }
                if (detector.observe(e.path()).isComplete()) {
                    fresh.add(new Candidate(e.path(), step));
                }
            }
            if (fresh.isEmpty()) {
                return Optional.empty();
            }
            fresh.sort(Comparator.comparingLong((Candidate c) -> c.step.orElse(Long.MIN_VALUE)).thenComparing(c -> c.path.toString()));
            Candidate newest = fresh.get(fresh.size() - 1);
            for (Candidate older : fresh.subList(0, fresh.size() - 1)) {
                skipped.add(new CheckpointReport.SkippedCheckpoint(older.step.isPresent() ? older.step.getAsLong() : null, older.path.toString()));
                detector.forget(older.path);
            }
            return analyse(newest);
        } finally {
            lastTick = Instant.now(clock);
        }
    }

    private Optional<CheckpointReport> analyse(Candidate c) throws IOException {
        long started = System.nanoTime();
        Optional<String> fatal = state.fatalReason(c.path);
        if (fatal.isPresent()) {
            return unreadable(c, "it ended an earlier sidecar process: " + fatal.get());
        }
        state = state.reading(c.path);
        state.save(stateFile);
        Checkpoint cp;
        try {
            cp = formats.open(c.path);
        } catch (IOException | RuntimeException e) {
            return unreadable(c, describe(e));
        } catch (Error e) {
            throw fatal(c, e);
        }
        long step = cp.step().isPresent() ? cp.step().getAsLong() : c.step.orElse(state.lastStep() + 1);
        Tier1Metrics m;
        dev.landscape.contract.Tier2Metrics curvature = null;
        Finding curvatureUnavailable = null;
        try {
            m = analyzer.analyze(cp, step, prior);
            if (tier2 != null) {
                try {
                    curvature = tier2.run(c.path, prior == null ? null : prior.path());
                    if (tier2FailingSince >= 0) {
                        LOG.log(Level.INFO, "tier 2 measures again at step {0} (failing since step {1}): CurvatureUnavailable cleared",
                                new Object[] {step, tier2FailingSince});
                    }
                    tier2FailingSince = -1;
                } catch (IOException | RuntimeException e) {
                    String why = describe(e);
                    curvatureUnavailable = Finding.curvatureUnavailable(c.path, step,
                            tier2FailingSince >= 0 ? tier2FailingSince : step, why);
                    tier2FailingSince = curvatureUnavailable.since();
                    LOG.log(Level.WARNING, "tier 2 failed on {0}, reporting tier 1 only: {1}", new Object[] {c.path, why});
                }
            }
        } catch (IOException | RuntimeException e) {
            cp.close();
            return unreadable(c, describe(e));
        } catch (Error e) {
            throw fatal(c, e);
        }
        List<Finding> findings = new ArrayList<>(monitor.observe(withEvalLoss(withMeasuredSharpness(m, curvature), curvature)));
        findings.addAll(unreadable);
        if (curvatureUnavailable != null) {
            findings.add(curvatureUnavailable);
        }
        Instant now = Instant.now(clock);
        Instant completedAt = Files.getLastModifiedTime(c.path).toInstant();
        CheckpointReport report = ReportFactory.build(config, step, c.path, cp.format(), completedAt, now, m, curvature, findings, List.copyOf(skipped));
        spool.add(report);
        skipped.clear();
        unreadable.clear();
        if (prior != null) {
            prior.close();
        }
        prior = cp;
        state = state.advance(step, c.path);
        state.save(stateFile);
        detector.forget(c.path);
        telemetry.analysed(report, (System.nanoTime() - started) / 1e9);
        LOG.log(Level.INFO, "analysed step {0} ({1}) in {2} ms: {3} finding(s)",
                new Object[] {step, c.path, (System.nanoTime() - started) / 1_000_000, findings.size()});
        return Optional.of(report);
    }

    /**
     * Skips a checkpoint that could not be read or analysed: counted, logged, and carried as an
     * {@code UnreadableCheckpoint} finding on the next report; the loop moves past it.
     */
    private Optional<CheckpointReport> unreadable(Candidate c, String why) throws IOException {
        telemetry.failed();
        Finding f = Finding.unreadableCheckpoint(c.path, c.step, why);
        LOG.log(Level.WARNING, "UnreadableCheckpoint: {0}", f.message());
        if (unreadable.size() < dev.landscape.contract.ReportValidator.MAX_FINDINGS / 2) {
            unreadable.add(f);
        }
        detector.forget(c.path);
        state = state.skip(c.step.orElse(state.lastStep()), c.path);
        state.save(stateFile);
        return Optional.empty();
    }

    /**
     * Names the checkpoint that raised {@code e} in the state file, so that the restarted process skips it, and
     * returns {@code e} for the caller to rethrow: the process ends (the kubelet restarts it).
     */
    private Error fatal(Candidate c, Error e) {
        try {
            state = state.fatal(c.path, e.toString());
            state.save(stateFile);
        } catch (Throwable unsaved) {
            e.addSuppressed(unsaved); // the "reading" mark saved before reading still names it
        }
        LOG.log(Level.SEVERE, "checkpoint {0} ended the sidecar ({1}); it will be skipped after the restart",
                new Object[] {c.path, e.toString()});
        return e;
    }

    private static String describe(Exception e) {
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    /** Tier 1's metrics judged with tier 2's λmax when tier 2 measured one (see {@link Tier1Metrics#withMeasuredSharpness}). */
    static Tier1Metrics withMeasuredSharpness(Tier1Metrics m, dev.landscape.contract.Tier2Metrics curvature) {
        if (curvature == null || curvature.eosRatio() == null || !Double.isFinite(curvature.eosRatio())) {
            return m;
        }
        Double sharpness = curvature.preconditionedSharpness() != null ? curvature.preconditionedSharpness()
                : curvature.eigenvalues() == null || curvature.eigenvalues().isEmpty() ? null : curvature.eigenvalues().get(0);
        return sharpness == null ? m : m.withMeasuredSharpness(sharpness, curvature.eosRatio());
    }

    /** Tier 1's metrics with tier 2's loss on the eval batch, class by class, when tier 2 ran (for ClassLossDrift). */
    static Tier1Metrics withEvalLoss(Tier1Metrics m, dev.landscape.contract.Tier2Metrics curvature) {
        if (curvature == null || curvature.loss() == null) {
            return m;
        }
        Map<Integer, Double> classes = new TreeMap<>();
        curvature.classLosses().forEach((k, v) -> classes.put(Integer.valueOf(k), v));
        return m.withEvalLoss(new EvalLoss(curvature.loss(), classes,
                curvature.lossP95() == null ? Double.NaN : curvature.lossP95()));
    }

    /** Re-opens the last analysed checkpoint (and warms the analyser on the pair before it) after a restart. */
    private void resume() {
        if (state.lastPath() == null || !Files.exists(Path.of(state.lastPath()))) {
            return;
        }
        try {
            Checkpoint last = formats.open(Path.of(state.lastPath()));
            if (state.beforePath() != null && Files.exists(Path.of(state.beforePath()))) {
                try (Checkpoint before = formats.open(Path.of(state.beforePath()))) {
                    analyzer.analyze(before, state.beforeStep(), null);
                    analyzer.analyze(last, state.lastStep(), before);
                }
            } else {
                analyzer.analyze(last, state.lastStep(), null);
            }
            prior = last;
            LOG.log(Level.INFO, "resumed after step {0}: update metrics continue from {1}", new Object[] {state.lastStep(), state.lastPath()});
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "could not resume from {0} ({1}); update metrics restart at the next checkpoint",
                    new Object[] {state.lastPath(), e.getMessage()});
        }
    }

    public void close() throws IOException {
        if (prior != null) {
            prior.close();
        }
    }

    private record Candidate(Path path, OptionalLong step) {
    }

    /** {@code spec.checkpoints.patterns}: globs on the checkpoint's name; none means every recognised checkpoint. */
    private boolean wanted(Path path) {
        if (config.patterns().isEmpty()) {
            return true;
        }
        Path name = path.getFileName();
        return config.patterns().stream().anyMatch(g -> java.nio.file.FileSystems.getDefault().getPathMatcher("glob:" + g).matches(name));
    }

    static OptimizerHints optimizerOverrides(SidecarConfig c) {
        java.util.Map<String, String> o = c.optimizer();
        return new OptimizerHints(o.getOrDefault("type", ""), decimal(o.get("learningRate")), decimal(o.get("beta1")),
                decimal(o.get("beta2")), decimal(o.get("momentum")), decimal(o.get("eps")), OptionalLong.empty());
    }

    private static java.util.OptionalDouble decimal(String s) {
        return s == null ? java.util.OptionalDouble.empty() : java.util.OptionalDouble.of(Double.parseDouble(s));
    }
}
