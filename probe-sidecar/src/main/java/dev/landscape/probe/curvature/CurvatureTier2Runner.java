package dev.landscape.probe.curvature;

import dev.landscape.contract.ReportValidator;
import dev.landscape.contract.Tier2Memory;
import dev.landscape.contract.Tier2Metrics;
import dev.landscape.probe.checkpoint.CheckpointFormats;
import dev.landscape.probe.runtime.SidecarConfig;
import dev.landscape.probe.runtime.Tier2Runner;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Tier 2 in the watch loop: the probe's model and batch, the checkpoint's weights, top-k eigenvalues, Hutchinson
 * trace and the edge-of-stability ratio, mapped to the report's {@code tier2}. No images in the pod (they are for
 * people, on demand, with {@code curvature --plot-dir}).
 */
public final class CurvatureTier2Runner implements Tier2Runner {

    /** Hutchinson probes per checkpoint when the probe asks for the trace: a ±10 % interval on typical spectra. */
    static final int TRACE_PROBES = 30;

    private static final Logger LOG = Logger.getLogger(CurvatureTier2Runner.class.getName());

    private final SidecarConfig config;
    private final CurvatureAnalysis analysis;
    private boolean warnedSize;

    /**
     * A pod sized from a stated parameter count is checked against its memory ({@link MemoryGuard}); one whose probe
     * leaves {@code modelParameters} unset was sized for ND4J and the sidecar alone, on purpose for small models, which
     * the formula would refuse there: it is warned to state the count instead (see {@link #run}).
     */
    public CurvatureTier2Runner(SidecarConfig config, CheckpointFormats formats) {
        this(config, formats, guardedLimits(config));
    }

    /** This process's limits when the pod was sized from a stated parameter count; null (no check) otherwise. */
    static java.util.function.Supplier<MemoryGuard.Limits> guardedLimits(SidecarConfig config) {
        return config.modelParameters() > 0 ? MemoryGuard.Limits::ofThisProcess : null;
    }

    /**
     * @param limits the heap and container limit the model must fit ({@link MemoryGuard}): a model that does not is
     *               refused before the Hessian products, as this checkpoint's tier-2 failure; null: not checked
     */
    CurvatureTier2Runner(SidecarConfig config, CheckpointFormats formats,
                         java.util.function.Supplier<MemoryGuard.Limits> limits) {
        this.config = config;
        this.analysis = new CurvatureAnalysis(formats, limits);
    }

    @Override
    public Tier2Metrics run(Path checkpoint, Path previous) throws IOException {
        Map<String, String> o = config.optimizer();
        OptimizerSettings optimizer = new OptimizerSettings(o.get("type"), decimal(o.get("learningRate")),
                decimal(o.get("beta1")), decimal(o.get("beta2")), decimal(o.get("eps")), decimal(o.get("momentum")), null);
        CurvatureOptions base = CurvatureOptions.defaults(LossHead.parse(config.loss()));
        CurvatureOptions options = new CurvatureOptions(base.loss(), base.output(), config.topK(), base.tol(),
                base.maxIterations(), config.trace() ? TRACE_PROBES : 0, base.seed(), false, null, false, null, base.grid(),
                optimizer, ParameterSubset.of(config.parameters()), false);
        CurvatureReport r;
        try {
            r = analysis.run(config.model().orElseThrow(), config.batch().orElseThrow(), checkpoint, options);
        } catch (OutOfMemoryError e) {
            // ND4J or the heap ran out: fail this checkpoint's tier 2 with what to change, rather than the sidecar
            throw new CurvatureException("tier 2 ran out of memory on " + checkpoint + " (" + e.getMessage() + "); the "
                    + "pod was sized for " + (config.modelParameters() > 0 ? config.modelParameters() + " parameters"
                    : "an unstated model size") + ": set spec.metrics.modelParameters to the model's parameter count "
                    + "or analyse fewer with spec.metrics.parameters", e);
        }
        if (r.modelParameters() > config.modelParameters() && !warnedSize) {
            warnedSize = true;
            // the webhook sizes by the spec's subsetParameters: the parameters tier 2 differentiates (MemoryGuard)
            Tier2Memory need = Tier2Memory.of(r.modelParameters(), r.differentiatedParameters(), config.topK(),
                    Tier2Memory.FLOAT_BYTES);
            LOG.log(Level.WARNING, "the model has {0} parameters ({1} analysed) but spec.metrics.modelParameters {2}, "
                    + "which sized this pod''s memory: set modelParameters to {0}{3} (the tier-2 formula asks {4} MiB "
                    + "heap, {5} MiB memory limit)", new Object[] {Long.toString(r.modelParameters()),
                    Long.toString(r.parameters()), config.modelParameters() == 0 ? "is not set"
                    : "says " + config.modelParameters(), r.differentiatedParameters() < r.modelParameters()
                    ? " and subsetParameters to " + r.differentiatedParameters() : "", Long.toString(need.heapMiB()),
                    Long.toString(need.limitMiB())});
        }
        ClassLosses c = r.classLosses();
        return new Tier2Metrics(r.loss(), r.gradNorm(), Arrays.stream(r.eigenvalues()).boxed().toList(),
                r.trace() == null ? null : r.trace().mean(), r.trace() == null ? null : r.trace().halfWidth(),
                r.preconditionedSharpness(), r.edgeOfStability() == null ? null : r.edgeOfStability().ratio(), r.hvpCount(),
                classLosses(c), c.worstClass() < 0 ? null : c.worstClass(), c.examples() > 0 ? c.p95() : null);
    }

    /** Every class's mean loss while they fit in a report; beyond, none (the worst class and p95 still go). */
    static Map<String, Double> classLosses(ClassLosses c) {
        if (c.classes().size() > ReportValidator.MAX_CLASS_LOSSES) {
            Map<String, Double> worst = new java.util.TreeMap<>();
            worst.put(Integer.toString(c.worstClass()), c.worstClassLoss());
            return worst;
        }
        Map<String, Double> out = new java.util.TreeMap<>();
        c.classes().forEach((k, v) -> out.put(Integer.toString(k), v));
        return out;
    }

    private static Double decimal(String s) {
        return s == null ? null : Double.valueOf(s);
    }
}
