package dev.landscape.probe.curvature;

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
     * numpy.matmul semantics for the cases models use: 2-D x 2-D, batched N-D x N-D with equal batch dimensions,
     * N-D x 2-D (a linear layer applied to a sequence: leading axes flattened into rows) and 1-D operands
     * (promoted to matrices, the added axis removed again).
     */
    private static void matmul(OnnxNode n, TranslationContext c) {
        OnnxValue a = c.in(0);
        OnnxValue b = c.in(1);
        long[] as = a.shape();
        long[] bs = b.shape();
        SDVariable x = a.var();
        SDVariable y = b.var();
        boolean aVec = as.length == 1;
        boolean bVec = bs.length == 1;
        if (aVec) {
            as = new long[] {1, as[0]};
            x = c.sd.reshape(c.name("reshape"), x, as);
        }
        if (bVec) {
            bs = new long[] {bs[0], 1};
            y = c.sd.reshape(c.name("reshape"), y, bs);
        }
        if (as[as.length - 1] != bs[bs.length - 2]) {
            throw n.unsupported("inner dimensions differ: " + Arrays.toString(a.shape()) + " x " + Arrays.toString(b.shape()));
        }
        SDVariable out;
        long[] shape;
        if (as.length == bs.length) {
            if (!Arrays.equals(Arrays.copyOf(as, as.length - 2), Arrays.copyOf(bs, bs.length - 2))) {
                throw n.unsupported("batch dimensions must be equal (no broadcasting of batch dimensions): "
                        + Arrays.toString(a.shape()) + " x " + Arrays.toString(b.shape()));
            }
            out = c.sd.mmul(c.name("mmul"), x, y);
            shape = as.clone();
            shape[shape.length - 1] = bs[bs.length - 1];
        } else if (bs.length == 2) {
            // [..., K] x [K, N]: flatten the leading axes, one 2-D product, restore them (SameDiff's tensorMmul
            // has no working backward pass for this case in 1.0.0-M2.1).
            long rows = Shapes.product(as, 0, as.length - 1);
            SDVariable flat = c.sd.reshape(c.name("reshape"), x, rows, as[as.length - 1]);
            shape = as.clone();
            shape[shape.length - 1] = bs[1];
            out = c.sd.reshape(c.name("reshape"), c.sd.mmul(c.name("mmul"), flat, y), shape);
        } else {
            throw n.unsupported("operand ranks " + as.length + " and " + bs.length + " are not supported "
                    + "(equal ranks, or a 2-D right operand, are)");
        }
        if (aVec || bVec) {
            long[] squeezed = squeeze(shape, aVec ? shape.length - 2 : -1, bVec ? shape.length - 1 : -1);
            out = c.sd.reshape(c.name("reshape"), out, squeezed);
            shape = squeezed;
        }
        c.out(0, out, shape);
    }

    private static long[] squeeze(long[] shape, int d1, int d2) {
        return java.util.stream.IntStream.range(0, shape.length).filter(i -> i != d1 && i != d2)
                .mapToLong(i -> shape[i]).toArray();
    }
}
