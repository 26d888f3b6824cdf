package dev.landscape.probe.curvature;

import dev.landscape.probe.checkpoint.Checkpoint;
import dev.landscape.probe.checkpoint.Tensor;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam's diagonal preconditioner at a checkpoint, P = diag(sqrt(v_hat) + eps) with v_hat = v / (1 - beta2^t) the
 * bias-corrected second moment ({@code exp_avg_sq}) — the matrix Adam divides its step by (Kingma and Ba 2015) —
 * returned as the diagonal of P^(-1/2) for {@link PreconditionedOperator}. When the step count t is unknown the
 * correction is taken as 1 (exact once beta2^t is negligible: t > 7000 for beta2 = 0.999 gives under 0.1 %).
 */
public final class AdamPreconditioner {

    /** @param inverseSqrt diag of P^(-1/2) in layout order; @param note how it was built (for the report) */
    public record Diagonal(double[] inverseSqrt, String note) {
    }

    private AdamPreconditioner() {
    }

    /** Whether the checkpoint holds any Adam second moments. */
    public static boolean present(Checkpoint cp) {
        return cp.tensors().stream().anyMatch(t -> t.info().group().equals("optimizer.exp_avg_sq"));
    }

    /**
     * Finds each parameter's {@code exp_avg_sq} in the checkpoint (by {@code TensorInfo.parameter}, or the name after
     * {@code optimizer.exp_avg_sq.}), matching the checkpoint tensor the parameter was bound from.
     *
     * @return null when the checkpoint holds no {@code exp_avg_sq} at all; an error when it holds some but not all
     */
    public static Diagonal fromCheckpoint(Checkpoint cp, WeightBinding binding, ParameterLayout layout, double beta2,
                                          double eps, Long step) throws IOException {
        Map<String, Tensor> byParam = new HashMap<>();
        for (Tensor t : cp.tensors()) {
            if (!t.info().group().equals("optimizer.exp_avg_sq")) {
                continue;
            }
            String p = t.info().parameter();
            if (p.isEmpty()) {
                String prefix = "optimizer.exp_avg_sq.";
                p = t.info().name().startsWith(prefix) ? t.info().name().substring(prefix.length()) : t.info().name();
            }
            byParam.put(p, t);
        }
        if (byParam.isEmpty()) {
            return null;
        }
        double correction = step == null ? 1.0 : 1 - Math.pow(beta2, step);
        double[] d = new double[layout.dimension()];
        List<String> missing = new ArrayList<>();
        for (ParameterLayout.Slot s : layout.slots()) {
            String source = binding.sources().getOrDefault(s.name(), s.name());
            Tensor t = byParam.get(source);
            for (String alt : WeightBinder.strippedNames(source)) {
                t = t != null ? t : byParam.get(alt);
            }
            if (t == null) {
                missing.add(source);
                continue;
            }
            if (!Arrays.equals(t.info().shape(), s.shape())) {
                throw new CurvatureException("exp_avg_sq " + t.info().name() + " has shape " + Arrays.toString(t.info().shape())
                        + ", parameter " + source + " has " + Arrays.toString(s.shape()));
            }
            double[] v = WeightBinder.read(t, false).values();
            for (int i = 0; i < v.length; i++) {
                double p = Math.sqrt(Math.max(v[i], 0) / correction) + eps;
                d[s.offset() + i] = 1 / Math.sqrt(p);
            }
        }
        if (!missing.isEmpty()) {
            throw new CurvatureException("checkpoint " + cp.path() + " has Adam exp_avg_sq for some parameters but not for "
                    + missing);
        }
        String note = step == null ? "bias correction unknown (no step count): taken as 1"
                : "bias-corrected with t = " + step;
        return new Diagonal(d, note);
    }
}
