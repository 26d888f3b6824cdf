package dev.landscape.probe.curvature;

import dev.landscape.probe.curvature.linalg.HutchinsonTrace;
import java.nio.file.Path;
import java.util.List;

/**
 * The result of one tier-2 analysis; {@code CurvatureCommand} writes it as the {@code curvature --json} document
 * and the report wire format's {@code tier2}. Absent parts are null.
 *
 * @param eigenvalues             top Hessian eigenvalues, descending
 * @param residuals               Lanczos residual norms of those eigenvalues
 * @param hvpCount                Hessian-vector products spent in total (eigenvalues, trace, preconditioned)
 * @param preconditionedSharpness lambda_max(P^-1/2 H P^-1/2) with Adam's P, when the checkpoint has exp_avg_sq
 * @param line                    loss along the segment from the previous checkpoint (alpha 0) to this one (1)
 * @param slice                   the 2-D filter-normalised slice
 * @param classLosses             the eval batch's loss per class and its 95th percentile per example
 * @param modelParameters         every trainable parameter of the model ({@code parameters} counts those analysed)
 * @param blocks                  lambda_max of each layer's diagonal Hessian block (per-block mode), else empty
 * @param differentiatedParameters the trainable parameters the differentiated graph reads (the memory need follows
 *                                 them: {@link ModelFootprint})
 */
public record CurvatureReport(int parameters, double loss, double gradNorm, double[] eigenvalues, double[] residuals,
                              boolean converged, HutchinsonTrace.Estimate trace, int hvpCount, double hvpStep,
                              Double preconditionedSharpness, EdgeOfStability edgeOfStability, Line line,
                              Slice slice, List<String> notes, double seconds, ClassLosses classLosses, int modelParameters,
                              List<BlockSharpness> blocks, long differentiatedParameters) {

    /**
     * The top eigenvalue of one layer's diagonal Hessian block: the curvature along that layer's parameters with
     * every other parameter held, which says which layer is sharp.
     *
     * @param name       the layer ({@link ParameterSubset#layers})
     * @param parameters its parameter count
     * @param lambdaMax  top eigenvalue of its block
     * @param residual   its Lanczos residual bound
     * @param hvpCount   Hessian-vector products spent on it
     */
    public record BlockSharpness(String name, int parameters, double lambdaMax, double residual, boolean converged,
                                 int hvpCount) {
    }

    public record Line(double[] alphas, double[] losses, Path image) {
    }

    /** Losses on a grid over [-range, range]^2 along two filter-normalised directions. */
    public record Slice(double[] coordinates, double[][] losses, Path image) {
    }
}
