package dev.landscape.probe.curvature.onnx;

import org.nd4j.autodiff.samediff.SDVariable;

import java.util.Arrays;
import java.util.Map;

/**
 * Gemm and MatMul. Both are written out here rather than taken from samediff-import-onnx, whose 1.0.0-M2.1 mapping
 * turns MatMul into an Mmul with alpha=0, beta=1 (all zeros) and drops Gemm's bias C.
 */
final class LinearOps {

    private LinearOps() {
    }

    static void register(Map<String, OnnxOp> table) {
        table.put("Gemm", LinearOps::gemm);
        table.put("MatMul", LinearOps::matmul);
    }

    /** Y = alpha * op(A) op(B) + beta * C, C broadcast to [M, N]. */
    private static void gemm(OnnxNode n, TranslationContext c) {
        OnnxValue a = c.in(0);
        OnnxValue b = c.in(1);
        if (a.rank() != 2 || b.rank() != 2) {
            throw n.unsupported("A and B must be 2-D, got " + Arrays.toString(a.shape()) + " and "
                    + Arrays.toString(b.shape()));
        }
        boolean ta = n.intAttr("transA", 0) != 0;
        boolean tb = n.intAttr("transB", 0) != 0;
        double alpha = n.floatAttr("alpha", 1.0);
        double beta = n.floatAttr("beta", 1.0);
        long m = ta ? a.shape()[1] : a.shape()[0];
        long ka = ta ? a.shape()[0] : a.shape()[1];
        long kb = tb ? b.shape()[1] : b.shape()[0];
        long nn = tb ? b.shape()[0] : b.shape()[1];
        if (ka != kb) {
            throw n.unsupported("inner dimensions differ: op(A) is [" + m + "," + ka + "], op(B) is [" + kb + "," + nn + "]");
        }
        SDVariable y = c.sd.mmul(c.name("mmul"), a.var(), b.var(), ta, tb, false);
        if (alpha != 1.0) {
            y = y.mul(alpha);
        }
        long[] shape = {m, nn};
        if (c.optIn(2).isPresent()) {
            OnnxValue cv = c.in(2);
            Shapes.broadcast(n, shape, cv.shape());
            SDVariable bias = c.reshape(cv, Shapes.padLeft(cv.shape(), 2));
            y = y.add(beta == 1.0 ? bias : bias.mul(beta));
        }
        c.out(0, y, shape);
    }

    /**
     * numpy.matmul semantics: 1-D operands are promoted to matrices (the added axis removed again), batch axes
     * broadcast. A right operand without real batch axes (a weight) is one 2-D product over the flattened leading
     * axes of the left; otherwise both are expanded to the common batch shape and multiplied batch by batch.
     */
    private static void matmul(OnnxNode n, TranslationContext c) {
        c.out(0, matmul(c, c.in(0), c.in(1)));
    }

    static OnnxValue matmul(TranslationContext c, OnnxValue a, OnnxValue b) {
        OnnxNode n = c.node();
        long[] given = a.shape();
        long[] givenB = b.shape();
        boolean aVec = a.rank() == 1;
        boolean bVec = b.rank() == 1;
        if (aVec) {
            a = ValueOps.reshape(c, a, new long[] {1, a.shape()[0]});
        }
        if (bVec) {
            b = ValueOps.reshape(c, b, new long[] {b.shape()[0], 1});
        }
        long[] as = a.shape();
        long[] bs = b.shape();
        if (as[as.length - 1] != bs[bs.length - 2]) {
            throw n.unsupported("inner dimensions differ: " + Arrays.toString(given) + " x " + Arrays.toString(givenB));
        }
        long[] batch = Shapes.broadcast(n, Arrays.copyOf(as, as.length - 2), Arrays.copyOf(bs, bs.length - 2));
        long m = as[as.length - 2];
        long k = as[as.length - 1];
        long cols = bs[bs.length - 1];
        long[] shape = Arrays.copyOf(batch, batch.length + 2);
        shape[batch.length] = m;
        shape[batch.length + 1] = cols;
        SDVariable out;
        if (Shapes.product(bs, 0, bs.length - 2) == 1) {
            // [..., M, K] x [K, N] (a linear layer applied to a sequence): flatten the leading axes, one 2-D
            // product, restore them (SameDiff's tensorMmul has no working backward pass for this in 1.0.0-M2.1).
            long[] aFull = Arrays.copyOf(batch, batch.length + 2);
            aFull[batch.length] = m;
            aFull[batch.length + 1] = k;
            OnnxValue left = ValueOps.broadcastTo(c, ValueOps.reshape(c, a, Shapes.padLeft(as, aFull.length)), aFull);
            SDVariable flat = c.reshape(left, new long[] {Shapes.product(aFull, 0, aFull.length - 1), k});
            SDVariable right = c.reshape(b, new long[] {k, cols});
            out = c.sd.mmul(c.name("mmul"), flat, right);
            if (shape.length != 2) {
                out = c.sd.reshape(c.name("reshape"), out, shape);
            }
        } else {
            long[] aFull = Arrays.copyOf(batch, batch.length + 2);
            aFull[batch.length] = m;
            aFull[batch.length + 1] = k;
            long[] bFull = Arrays.copyOf(batch, batch.length + 2);
            bFull[batch.length] = k;
            bFull[batch.length + 1] = cols;
            OnnxValue left = ValueOps.broadcastTo(c, ValueOps.reshape(c, a, Shapes.padLeft(as, aFull.length)), aFull);
            OnnxValue right = ValueOps.broadcastTo(c, ValueOps.reshape(c, b, Shapes.padLeft(bs, bFull.length)), bFull);
            out = c.sd.mmul(c.name("mmul"), left.var(), right.var());
        }
        if (aVec || bVec) {
            long[] squeezed = squeeze(shape, aVec ? shape.length - 2 : -1, bVec ? shape.length - 1 : -1);
            out = c.sd.reshape(c.name("reshape"), out, squeezed);
            shape = squeezed;
        }
        return ValueOps.computed(out, shape);
    }

    private static long[] squeeze(long[] shape, int d1, int d2) {
        return java.util.stream.IntStream.range(0, shape.length).filter(i -> i != d1 && i != d2)
                .mapToLong(i -> shape[i]).toArray();
    }
}
