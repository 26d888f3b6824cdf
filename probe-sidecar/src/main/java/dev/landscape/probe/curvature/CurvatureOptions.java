package dev.landscape.probe.curvature;

import java.nio.file.Path;

/**
 * Everything a curvature analysis is asked to do, in one place (the CLI and the watch loop both build one).
 *
 * @param output          graph output the loss head reads; null for the first
 * @param topK            Hessian eigenvalues wanted (0 for none)
 * @param tol             Lanczos residual tolerance relative to the spectral scale
 * @param maxIterations   Lanczos step limit (= HVP budget for eigenvalues)
 * @param traceProbes     Hutchinson probes; 0 for no trace
 * @param previous        an earlier checkpoint for the 1-D interpolation plot, or null
 * @param slice           whether to compute the 2-D filter-normalised slice
 * @param plotDir         where PNG images go (null: no images)
 * @param grid            points per axis of the 2-D slice and the 1-D line
 * @param optimizer       overrides for the checkpoint's optimizer hyper-parameters
 * @param parameters      the parameters curvature is measured over (all, or those matching globs)
 * @param perBlock        also lambda_max of each layer's diagonal Hessian block
 */
public record CurvatureOptions(LossHead loss, String output, int topK, double tol, int maxIterations,
                               int traceProbes, long seed, boolean allowMissing, Path previous, boolean slice,
                               Path plotDir, int grid, OptimizerSettings optimizer, ParameterSubset parameters,
                               boolean perBlock) {

    /** Over every parameter, without the per-block mode. */
    public CurvatureOptions(LossHead loss, String output, int topK, double tol, int maxIterations, int traceProbes,
                            long seed, boolean allowMissing, Path previous, boolean slice, Path plotDir, int grid,
                            OptimizerSettings optimizer) {
        this(loss, output, topK, tol, maxIterations, traceProbes, seed, allowMissing, previous, slice, plotDir, grid,
                optimizer, ParameterSubset.ALL, false);
    }

    public static CurvatureOptions defaults(LossHead loss) {
        return new CurvatureOptions(loss, null, 3, 1e-3, 100, 0, 0, false, null, false, null, 21,
                OptimizerSettings.NONE, ParameterSubset.ALL, false);
    }
}
