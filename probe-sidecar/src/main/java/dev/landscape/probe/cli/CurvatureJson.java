package dev.landscape.probe.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.landscape.contract.Tier2Memory;
import dev.landscape.probe.curvature.CurvatureReport;
import dev.landscape.probe.curvature.EdgeOfStability;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code curvature --json} document, as records Jackson writes (docs/analyser.md shows an example). It is the
 * command's own shape, fuller than the report's {@code tier2} object (report-contract's {@code Tier2Metrics}, which
 * the sidecar fills from the same {@link CurvatureReport}). Optional parts are absent, never null.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record CurvatureJson(int parameters, int modelParameters, double loss, double gradNorm, double[] eigenvalues,
                     double[] eigenvalueResiduals, boolean converged, ClassLoss classLoss, Trace trace, int hvpCount,
                     double hvpStep, Double preconditionedSharpness, EdgeOfStability edgeOfStability, Line line,
                     Slice slice, List<CurvatureReport.BlockSharpness> blocks, List<String> notes, double seconds,
                     Memory memory) {

    /** The eval batch's loss per class (keys are class indices); {@code worstClass*} only when one stands out. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ClassLoss(int examples, Map<String, Double> classes, Integer worstClass, Double worstClassLoss, double p95) {
    }

    /** Hutchinson's trace estimate with its 95 % interval. */
    record Trace(double mean, double sd, int probes, double halfWidth, double[] ci95, boolean exact) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Line(double[] alphas, double[] losses, String image) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Slice(double[] coordinates, double[][] losses, String image) {
    }

    /**
     * This run's peaks, and what the tier-2 formula gives a pod for this model (the spec values to write, the heap
     * and limit the webhook would set). A resident peak above that limit means the batch's activations need more
     * than the formula allows, and the pod wants {@code spec.sidecar.resources}.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Memory(Long residentPeakMiB, long heapPeakMiB, Pod pod) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Pod(int modelParameters, Integer subsetParameters, long heapMiB, long memoryLimitMiB, boolean fits) {
    }

    /** The document for {@code r}; {@code memory} is added by {@link #withMemory}. */
    static CurvatureJson of(CurvatureReport r) {
        ClassLoss classLoss = null;
        if (r.classLosses().examples() > 0) {
            Map<String, Double> classes = new LinkedHashMap<>();
            r.classLosses().classes().forEach((k, v) -> classes.put(Integer.toString(k), v));
            boolean worst = r.classLosses().worstClass() >= 0;
            classLoss = new ClassLoss(r.classLosses().examples(), classes, worst ? r.classLosses().worstClass() : null,
                    worst ? r.classLosses().worstClassLoss() : null, r.classLosses().p95());
        }
        Trace trace = r.trace() == null ? null : new Trace(r.trace().mean(), r.trace().sd(), r.trace().probes(),
                r.trace().halfWidth(), new double[] {r.trace().low(), r.trace().high()}, r.trace().exact());
        Line line = r.line() == null ? null
                : new Line(r.line().alphas(), r.line().losses(), r.line().image() == null ? null : r.line().image().toString());
        Slice slice = r.slice() == null ? null
                : new Slice(r.slice().coordinates(), r.slice().losses(), r.slice().image() == null ? null : r.slice().image().toString());
        return new CurvatureJson(r.parameters(), r.modelParameters(), r.loss(), r.gradNorm(), r.eigenvalues(),
                r.residuals(), r.converged(), classLoss, trace, r.hvpCount(), r.hvpStep(), r.preconditionedSharpness(),
                r.edgeOfStability(), line, slice, r.blocks().isEmpty() ? null : r.blocks(), r.notes(), r.seconds(), null);
    }

    /**
     * This document with the {@code memory} object for the run's peaks {@code m} and the pod formula {@code pod},
     * computed with {@code subsetParameters} as the spec's count (the parameters tier 2 differentiates).
     */
    CurvatureJson withMemory(ProcessMemory m, Tier2Memory pod, long subsetParameters) {
        Pod p = new Pod(modelParameters, subsetParameters < modelParameters ? (int) subsetParameters : null, pod.heapMiB(),
                pod.limitMiB(),
                m.residentPeakBytes() < 0 || m.residentPeakBytes() <= pod.limitBytes());
        Memory memory = new Memory(m.residentPeakBytes() >= 0 ? m.residentPeakBytes() / Tier2Memory.MIB : null,
                m.heapPeakBytes() / Tier2Memory.MIB, p);
        return new CurvatureJson(parameters, modelParameters, loss, gradNorm, eigenvalues, eigenvalueResiduals, converged,
                classLoss, trace, hvpCount, hvpStep, preconditionedSharpness, edgeOfStability, line, slice, blocks, notes,
                seconds, memory);
    }
}
