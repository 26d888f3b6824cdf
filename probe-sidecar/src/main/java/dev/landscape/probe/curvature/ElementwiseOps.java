package dev.landscape.probe.curvature;

import org.nd4j.autodiff.samediff.SDVariable;

import java.util.Map;
import java.util.function.BinaryOperator;

/**
 * Arithmetic and activations. Composite activations (Gelu, LogSoftmax) are built from primitive SameDiff ops so
 * that their gradients are the primitives' well-tested ones: ND4J's own {@code gelu} is a sigmoid approximation,
 * not ONNX's erf form.
 */
final class ElementwiseOps {

    private ElementwiseOps() {
    }

    static void register(Map<String, OnnxOp> table) {
        table.put("Add", binary((x, y) -> x.add(y)));
        table.put("Sub", binary((x, y) -> x.sub(y)));
        table.put("Mul", binary((x, y) -> x.mul(y)));
        table.put("Div", binary((x, y) -> x.div(y)));
        table.put("Pow", (n, c) -> binaryWith(n, c, (x, y) -> c.sd.math.pow(x, y)));
        table.put("Relu", unary((c, x) -> c.sd.nn.relu(x, 0)));
        table.put("LeakyRelu", (n, c) -> unary((cc, x) -> cc.sd.nn.leakyRelu(x, n.floatAttr("alpha", 0.01))).translate(n, c));
        table.put("Sigmoid", unary((c, x) -> c.sd.nn.sigmoid(x)));
        table.put("Tanh", unary((c, x) -> c.sd.math.tanh(x)));
        table.put("Exp", unary((c, x) -> c.sd.math.exp(x)));
        table.put("Log", unary((c, x) -> c.sd.math.log(x)));
        table.put("Sqrt", unary((c, x) -> c.sd.math.sqrt(x)));
        table.put("Erf", unary((c, x) -> c.sd.math.erf(x)));
        table.put("Neg", unary((c, x) -> c.sd.math.neg(x)));
        table.put("Abs", unary((c, x) -> c.sd.math.abs(x)));
        table.put("Identity", unary((c, x) -> c.sd.identity(x)));
        table.put("Dropout", ElementwiseOps::dropout);
        table.put("Gelu", ElementwiseOps::gelu);
        table.put("Softmax", (n, c) -> softmax(n, c, false));
        table.put("LogSoftmax", (n, c) -> softmax(n, c, true));
    }

    interface Unary {
        SDVariable apply(TranslationContext c, SDVariable x);
    }

    static OnnxOp unary(Unary f) {
        return (n, c) -> {
            OnnxValue x = c.in(0);
            c.out(0, f.apply(c, x.var()), x.shape());
        };
    }

    static OnnxOp binary(BinaryOperator<SDVariable> f) {
        return (n, c) -> binaryWith(n, c, f);
    }

    /** Broadcasts explicitly (same rank, leading 1s) so libnd4j only ever sees equal-rank broadcasting. */
    static void binaryWith(OnnxNode n, TranslationContext c, BinaryOperator<SDVariable> f) {
        OnnxValue a = c.in(0);
        OnnxValue b = c.in(1);
        long[] shape = Shapes.broadcast(n, a.shape(), b.shape());
        SDVariable x = c.reshape(a, Shapes.padLeft(a.shape(), shape.length));
        SDVariable y = c.reshape(b, Shapes.padLeft(b.shape(), shape.length));
        c.out(0, f.apply(x, y), shape);
    }

    /** Inference semantics: Dropout is the identity (ratio and training_mode inputs are ignored; no mask output). */
    private static void dropout(OnnxNode n, TranslationContext c) {
        if (!n.output(1).isEmpty()) {
            throw n.unsupported("the mask output is not supported (Dropout is translated as the identity)");
        }
        OnnxValue x = c.in(0);
        c.out(0, c.sd.identity(c.name("dropout"), x.var()), x.shape());
    }

    /**
     * Gelu(x) = x/2 (1 + erf(x/sqrt 2)), or with {@code approximate="tanh"}
     * x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) (Hendrycks and Gimpel 2016; ONNX opset 20).
     */
    private static void gelu(OnnxNode n, TranslationContext c) {
        OnnxValue in = c.in(0);
        SDVariable x = in.var();
        String approx = n.stringAttr("approximate", "none");
        SDVariable inner;
        if (approx.equals("none")) {
            inner = c.sd.math.erf(x.mul(1.0 / Math.sqrt(2.0)));
        } else if (approx.equals("tanh")) {
            SDVariable cube = c.sd.math.pow(x, 3.0);
            inner = c.sd.math.tanh(x.add(cube.mul(0.044715)).mul(Math.sqrt(2.0 / Math.PI)));
        } else {
            throw n.unsupported("approximate='" + approx + "' is not one of none, tanh");
        }
        c.out(0, x.mul(0.5).mul(inner.add(1.0)), in.shape());
    }

    /**
     * Softmax and LogSoftmax along one axis, shifted by the (gradient-neutral) max for stability: the derivative
     * of {@code (x - m) - log sum exp(x - m)} with respect to {@code m} is {@code -1 + sum softmax = 0}. Before
     * opset 13 the input is coerced to 2-D at {@code axis} (default 1) and normalised over the flattened tail.
     */
    private static void softmax(OnnxNode n, TranslationContext c, boolean log) {
        OnnxValue in = c.in(0);
        int rank = in.rank();
        SDVariable x = in.var();
        int axis;
        if (c.opset >= 13) {
            axis = Shapes.axis(n, n.intAttr("axis", -1), rank);
        } else {
            int a = Shapes.axis(n, n.intAttr("axis", 1), rank);
            long[] two = {Shapes.product(in.shape(), 0, a), Shapes.product(in.shape(), a, rank)};
            x = c.reshape(in, two);
            axis = 1;
        }
        SDVariable shifted = x.sub(c.sd.max(c.name("max"), x, true, axis));
        SDVariable e = c.sd.math.exp(shifted);
        SDVariable sum = c.sd.sum(c.name("sum"), e, true, axis);
        SDVariable y = log ? shifted.sub(c.sd.math.log(sum)) : e.div(sum);
        if (c.opset < 13) {
            y = c.sd.reshape(c.name("reshape"), y, in.shape());
        }
        c.out(0, y, in.shape());
    }
}
