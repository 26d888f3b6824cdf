package dev.landscape.probe.curvature.onnx;

import org.nd4j.autodiff.samediff.SDVariable;

import java.util.Arrays;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * LayerNormalization and inference-mode BatchNormalization, composed from elementwise ops and means so that
 * every parameter (scale, bias) gets an exact gradient, whatever ND4J's fused kernels support in double.
 */
final class NormalizationOps {

    private NormalizationOps() {
    }

    static void register(Map<String, OnnxOp> table) {
        table.put("LayerNormalization", NormalizationOps::layerNorm);
        table.put("BatchNormalization", NormalizationOps::batchNorm);
        table.put("RMSNormalization", NormalizationOps::rmsNorm);
    }

    /**
     * Y = (X - mean) / sqrt(var + epsilon) * Scale + B over the axes from {@code axis} to the last, with the
     * optional Mean and InvStdDev outputs (kept-dims shapes) of opset 17.
     */
    private static void layerNorm(OnnxNode n, TranslationContext c) {
        OnnxValue x = c.in(0);
        int rank = x.rank();
        int axis = Shapes.axis(n, n.intAttr("axis", -1), rank);
        double eps = n.floatAttr("epsilon", 1e-5);
        int[] axes = IntStream.range(axis, rank).toArray();
        long[] reduced = x.shape();
        for (int a : axes) {
            reduced[a] = 1;
        }
        SDVariable mean = c.sd.mean(c.name("mean"), x.var(), true, axes);
        SDVariable centred = x.var().sub(mean);
        SDVariable variance = c.sd.mean(c.name("var"), c.sd.math.square(centred), true, axes);
        SDVariable invStd = c.sd.math.pow(variance.add(eps), -0.5);
        SDVariable y = centred.mul(invStd);
        y = y.mul(c.reshape(c.in(1), Shapes.padLeft(c.in(1).shape(), rank)));
        if (c.optIn(2).isPresent()) {
            y = y.add(c.reshape(c.in(2), Shapes.padLeft(c.in(2).shape(), rank)));
        }
        c.out(0, y, x.shape());
        c.out(1, mean, reduced);
        c.out(2, invStd, reduced);
    }

    /**
     * RMSNormalization (opset 23): Y = X / sqrt(mean(X^2) + epsilon) * Scale over the axes from {@code axis} to the
     * last; Scale broadcasts against the normalised axes. {@code stash_type} only picks the precision of the
     * intermediate, which is double here anyway.
     */
    private static void rmsNorm(OnnxNode n, TranslationContext c) {
        OnnxValue x = c.in(0);
        int rank = x.rank();
        int axis = Shapes.axis(n, n.intAttr("axis", -1), rank);
        double eps = n.floatAttr("epsilon", 1e-5);
        int[] axes = IntStream.range(axis, rank).toArray();
        SDVariable meanSquare = c.sd.mean(c.name("ms"), c.sd.math.square(x.var()), true, axes);
        SDVariable y = x.var().mul(c.sd.math.pow(meanSquare.add(eps), -0.5));
        OnnxValue scaled = ValueOps.binary(c, ValueOps.Binary.MUL, ValueOps.computed(y, x.shape()), c.in(1));
        if (!Arrays.equals(scaled.shape(), x.shape())) {
            throw n.unsupported("scale " + Arrays.toString(c.in(1).shape()) + " does not broadcast to the input "
                    + Arrays.toString(x.shape()));
        }
        c.out(0, scaled);
    }

    /** Inference mode: Y = (X - running_mean) * scale / sqrt(running_var + epsilon) + B, per channel (axis 1). */
    private static void batchNorm(OnnxNode n, TranslationContext c) {
        n.requireIntAttr("training_mode", 0, "only inference-mode BatchNormalization (running statistics) is translated");
        if (!n.output(1).isEmpty() || !n.output(2).isEmpty()) {
            throw n.unsupported("running-statistics outputs are training-mode only and not supported");
        }
        OnnxValue x = c.in(0);
        if (x.rank() < 2) {
            throw n.unsupported("input must be at least 2-D (N, C, ...), got " + Arrays.toString(x.shape()));
        }
        long channels = x.shape()[1];
        double eps = n.floatAttr("epsilon", 1e-5);
        long[] perChannel = new long[x.rank()];
        Arrays.fill(perChannel, 1);
        perChannel[1] = channels;
        SDVariable[] p = new SDVariable[4];
        String[] roles = {"scale", "B", "input_mean", "input_var"};
        for (int i = 0; i < 4; i++) {
            OnnxValue v = c.in(i + 1);
            if (v.rank() != 1 || v.shape()[0] != channels) {
                throw n.unsupported(roles[i] + " must have shape [" + channels + "], got " + Arrays.toString(v.shape()));
            }
            p[i] = c.reshape(v, perChannel);
        }
        SDVariable y = x.var().sub(p[2]).mul(p[0].mul(c.sd.math.pow(p[3].add(eps), -0.5))).add(p[1]);
        c.out(0, y, x.shape());
    }
}
