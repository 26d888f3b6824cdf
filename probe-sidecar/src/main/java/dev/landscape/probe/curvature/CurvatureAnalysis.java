package dev.landscape.probe.curvature;

import dev.landscape.probe.curvature.linalg.FiniteDifferenceHvp;
import dev.landscape.probe.curvature.linalg.HutchinsonTrace;
import dev.landscape.probe.curvature.linalg.Lanczos;
import dev.landscape.probe.curvature.linalg.PreconditionedOperator;
import dev.landscape.probe.curvature.linalg.SymmetricOperator;
import dev.landscape.probe.curvature.linalg.Vectors;
import dev.landscape.probe.curvature.plot.ContourPlot;
import dev.landscape.probe.curvature.plot.LinePlot;
import dev.landscape.probe.checkpoint.Checkpoint;
import dev.landscape.probe.checkpoint.CheckpointFormats;
import onnx.Onnx;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Tier 2 for one checkpoint: loss and gradient on the eval batch, per-class and tail loss, top-k Hessian eigenvalues (Lanczos on
 * finite-difference HVPs), Hutchinson trace, Adam-preconditioned sharpness and the edge-of-stability ratio, and the
 * optional 1-D interpolation and 2-D slice images. Only the order of steps lives here; each step is its own class.
 */
public final class CurvatureAnalysis {

    /** What a built model depends on besides the weights: the files (as last modified) and the loss head. */
    private record ModelKey(Path model, FileTime modelTime, Path batch, FileTime batchTime, LossHead loss, String output,
                            List<String> parameters) {
        static ModelKey of(Path model, Path batch, CurvatureOptions o) throws IOException {
            return new ModelKey(model.toAbsolutePath(), Files.getLastModifiedTime(model), batch.toAbsolutePath(),
                    Files.getLastModifiedTime(batch), o.loss(), o.output(), o.parameters().globs());
        }
    }

    private final CheckpointFormats formats;
    private final java.util.function.Supplier<MemoryGuard.Limits> limits;
    private ModelKey builtFor;
    private Onnx.ModelProto builtModel;
    private Map<String, HostTensor> builtBatch;
    private CurvatureModel built;

    /** An analysis that refuses a model this process (its heap, its container's limit) has no room for. */
    public CurvatureAnalysis(CheckpointFormats formats) {
        this(formats, MemoryGuard.Limits::ofThisProcess);
    }

    /** @param limits what the process may use, read before each model is built ({@link MemoryGuard}); null: unchecked */
    public CurvatureAnalysis(CheckpointFormats formats, java.util.function.Supplier<MemoryGuard.Limits> limits) {
        this.formats = formats;
        this.limits = limits;
    }

    public CurvatureReport run(Path modelFile, Path batchFile, Path checkpointFile, CurvatureOptions o) throws IOException {
        long started = System.nanoTime();
        List<String> notes = new ArrayList<>();
        // The watch loop analyses checkpoint after checkpoint of one model: the graph, its loss head and gradient
        // graph are built once and re-pointed at each checkpoint's weights (see CurvatureModel#at).
        ModelKey key = ModelKey.of(modelFile, batchFile, o);
        boolean sameModel = key.equals(builtFor);
        Onnx.ModelProto model = sameModel ? builtModel : CurvatureInputs.readModel(modelFile);
        Map<String, HostTensor> batch = sameModel ? builtBatch : CurvatureInputs.readBatch(batchFile, formats);
        try (Checkpoint cp = formats.open(checkpointFile)) {
            WeightBinding binding = WeightBinder.bind(model, cp, o.allowMissing());
            if (!binding.keptFromModel().isEmpty()) {
                notes.add("initializers kept at their ONNX value (not in the checkpoint): " + binding.keptFromModel());
            }
            CurvatureModel m = sameModel ? built.at(binding).orElse(null) : null;
            if (m == null) {
                built = null;
                m = CurvatureModel.build(model, batch, binding, o.loss(), o.output(), o.parameters(),
                        new MemoryGuard(limits, o.topK()));
                builtFor = key;
                builtModel = model;
                builtBatch = batch;
                built = m;
            }
            if (!o.parameters().isAll()) {
                notes.add("curvature over the " + m.layout().dimension() + " of " + m.allParameters().dimension()
                        + " parameters matching " + o.parameters().globs() + " (the others held at the checkpoint)");
                long frozenRead = m.footprint().frozenDifferentiated();
                if (frozenRead > 0) {
                    notes.add("the gradient passes through " + frozenRead + " frozen parameters as well ("
                            + m.footprint().differentiatedParameters() + " differentiated): memory is sized by those, "
                            + "so a pod wants spec.metrics.subsetParameters " + m.footprint().differentiatedParameters());
                }
            }
            double[] w = m.pointView();
            double[] grad = new double[w.length];
            double loss = m.loss().lossAndGradient(w, grad);
            double gradNorm = Vectors.norm(grad);
            grad = null;
            if (!Double.isFinite(loss) || !Double.isFinite(gradNorm)) {
                throw new CurvatureException("loss " + loss + ", gradient norm " + gradNorm + " at checkpoint "
                        + checkpointFile + " on this batch: curvature is undefined where the loss is not finite "
                        + "(look for non-finite weights in `inspect`)");
            }
            ClassLosses classLosses = ClassLosses.of(o.loss(), m.outputValues(w), m.outputShape(), batch.get("target"));
            FiniteDifferenceHvp hvp = new FiniteDifferenceHvp(m.loss(), w);
            double[] eigenvalues = new double[0];
            double[] residuals = new double[0];
            boolean converged = true;
            if (o.topK() > 0) {
                Lanczos.Result r = topEigenvalues(hvp, o.topK(), o, o.seed(), notes);
                eigenvalues = r.eigenvalues();
                residuals = r.residuals();
                converged = r.converged();
                if (!converged) {
                    notes.add("Lanczos stopped after " + r.products() + " Hessian-vector products before every residual "
                            + "met tolerance " + o.tol());
                }
            }
            HutchinsonTrace.Estimate trace = o.traceProbes() > 0
                    ? HutchinsonTrace.estimate(hvp, o.traceProbes(), o.seed() + 1) : null;
            OptimizerSettings opt = o.optimizer().over(cp.optimizer());
            Double preconditioned = null;
            EdgeOfStability eos = null;
            boolean hasMoments = AdamPreconditioner.present(cp);
            boolean adam = opt.isAdam() || (opt.type() == null && hasMoments);
            if (adam && hasMoments) {
                AdamPreconditioner.Diagonal diag = AdamPreconditioner.fromCheckpoint(cp, binding, m.layout(),
                        opt.beta2OrDefault(notes), opt.epsOrDefault(notes), opt.step());
                preconditioned = topEigenvalues(new PreconditionedOperator(hvp, diag.inverseSqrt()), 1, o,
                        o.seed() + 2, notes).eigenvalues()[0];
                notes.add("Adam preconditioner: " + diag.note());
                if (opt.lr() != null) {
                    eos = EdgeOfStability.adam(preconditioned, opt.lr(), opt.beta1OrDefault(notes));
                }
            } else if (!adam && opt.type() != null && opt.lr() != null && eigenvalues.length > 0) {
                eos = opt.momentum() != null && opt.momentum() > 0
                        ? EdgeOfStability.momentum(eigenvalues[0], opt.lr(), opt.momentum())
                        : EdgeOfStability.sgd(eigenvalues[0], opt.lr());
            }
            if (eos == null) {
                notes.add("no edge-of-stability ratio: " + (adam && !hasMoments ? "Adam without exp_avg_sq in the checkpoint"
                        : opt.lr() == null ? "learning rate unknown (--lr)"
                        : eigenvalues.length == 0 ? "no eigenvalues asked for (--top-k 0)"
                        : "optimizer type unknown (--optimizer sgd|momentum|adam)"));
            }
            int products = hvp.products();
            double step = hvp.step();
            hvp = null;
            List<CurvatureReport.BlockSharpness> blocks = o.perBlock() ? perBlock(m, o, notes) : List.of();
            for (CurvatureReport.BlockSharpness b : blocks) {
                products += b.hvpCount();
            }
            CurvatureReport.Line line = o.previous() == null ? null : line(model, o, m, w, checkpointFile);
            CurvatureReport.Slice slice = o.slice() ? slice(m, w, o, checkpointFile) : null;
            return new CurvatureReport(w.length, loss, gradNorm, eigenvalues, residuals, converged, trace,
                    products, step, preconditioned, eos, line, slice, notes,
                    (System.nanoTime() - started) / 1e9, classLosses, m.allParameters().dimension(), blocks,
                    m.footprint().differentiatedParameters());
        }
    }

    /** Lanczos sized to the heap that is free ({@link LanczosPlanner}); a note when the basis had to be bounded. */
    private static Lanczos.Result topEigenvalues(SymmetricOperator op, int k, CurvatureOptions o, long seed,
                                                 List<String> notes) {
        LanczosPlanner.Plan plan = LanczosPlanner.planNow(op.dimension(), k, o.maxIterations(), o.tol());
        Lanczos.Result r = Lanczos.topEigenvalues(op, k, o.tol(), o.maxIterations(), seed, plan.settings(), (i, v) -> { });
        if (plan.note() != null) {
            notes.add(plan.note() + (r.restarts() > 0 ? " (" + r.restarts() + " restarts)" : ""));
        }
        return r;
    }

    /**
     * lambda_max of each layer's diagonal Hessian block, one Lanczos run per layer on that layer's parameters with
     * every other parameter held (each product still costs a forward and backward pass of the whole model).
     */
    static List<CurvatureReport.BlockSharpness> perBlock(CurvatureModel m, CurvatureOptions o, List<String> notes) {
        List<CurvatureReport.BlockSharpness> out = new ArrayList<>();
        int notConverged = 0;
        // the whole model's last evaluation left its parameters perturbed: every other layer must sit at the point
        m.restore();
        for (Map.Entry<String, List<String>> layer : m.layers().entrySet()) {
            CurvatureModel block = m.restrictedTo(new java.util.LinkedHashSet<>(layer.getValue()));
            try {
                FiniteDifferenceHvp h = new FiniteDifferenceHvp(block.loss(), block.pointView());
                Lanczos.Result r = topEigenvalues(h, 1, o, o.seed() + 4, notes);
                notConverged += r.converged() ? 0 : 1;
                out.add(new CurvatureReport.BlockSharpness(layer.getKey(), h.dimension(), r.eigenvalues()[0],
                        r.residuals()[0], r.converged(), r.products()));
            } finally {
                block.restore();
            }
        }
        if (notConverged > 0) {
            notes.add("per-block: Lanczos stopped before tolerance " + o.tol() + " on " + notConverged + " of "
                    + out.size() + " layers");
        }
        return out;
    }

    private CurvatureReport.Line line(Onnx.ModelProto model, CurvatureOptions o,
                                      CurvatureModel m, double[] w, Path checkpointFile) throws IOException {
        double[] from;
        try (Checkpoint prev = formats.open(o.previous())) {
            WeightBinding b = WeightBinder.bind(model, prev, o.allowMissing());
            Map<String, HostTensor> values = new LinkedHashMap<>();
            for (ParameterLayout.Slot s : m.layout().slots()) {
                HostTensor t = b.values().get(s.name());
                if (t == null) {
                    throw new CurvatureException("previous checkpoint " + o.previous() + " has no value for parameter " + s.name());
                }
                values.put(s.name(), t);
            }
            from = m.layout().flatten(values);
        }
        double[] alphas = LossLandscape.linspace(-0.5, 1.5, 2 * o.grid() - 1);
        double[] losses = LossLandscape.line(m.loss(), from, w, alphas);
        Path image = null;
        if (o.plotDir() != null) {
            image = o.plotDir().resolve("loss-line.png");
            LinePlot.render(alphas, losses, "Loss between consecutive checkpoints",
                    name(o.previous()), name(checkpointFile), image);
        }
        return new CurvatureReport.Line(alphas, losses, image);
    }

    private CurvatureReport.Slice slice(CurvatureModel m, double[] w, CurvatureOptions o, Path checkpointFile)
            throws IOException {
        Random rng = new Random(o.seed() + 3);
        double[] d1 = LossLandscape.filterNormalisedDirection(m.layout(), w, rng);
        double[] d2 = LossLandscape.filterNormalisedDirection(m.layout(), w, rng);
        double[] coords = LossLandscape.linspace(-1, 1, o.grid() | 1);
        double[][] losses = LossLandscape.plane(m.loss(), w, d1, d2, coords);
        Path image = null;
        if (o.plotDir() != null) {
            image = o.plotDir().resolve("loss-slice.png");
            ContourPlot.render(coords, losses, "Loss around " + name(checkpointFile) + " (Li et al. 2018)", image);
        }
        return new CurvatureReport.Slice(coords, losses, image);
    }

    private static String name(Path p) {
        return p.getFileName() == null ? p.toString() : p.getFileName().toString();
    }
}
