package dev.landscape.probe.curvature.onnx;

import dev.landscape.probe.curvature.HostTensor;
import org.nd4j.autodiff.samediff.SDVariable;

import java.util.List;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;

/**
 * Arithmetic, comparisons, logic and activations. Composite activations (Gelu, LogSoftmax, Selu) are built from
 * primitive SameDiff ops so that their gradients are the primitives' well-tested ones: ND4J's own {@code gelu} is a
 * sigmoid approximation, not ONNX's erf form. Known operands fold (see {@link ValueOps}).
 */
final class ElementwiseOps {

    private ElementwiseOps() {
    }

    static void register(Map<String, OnnxOp> table) {
        table.put("Add", binary(ValueOps.Binary.ADD));
        table.put("Sub", binary(ValueOps.Binary.SUB));
        table.put("Mul", binary(ValueOps.Binary.MUL));
        table.put("Div", binary(ValueOps.Binary.DIV));
        table.put("Pow", binary(ValueOps.Binary.POW));
        table.put("Equal", binary(ValueOps.Binary.EQUAL));
        table.put("Less", binary(ValueOps.Binary.LESS));
        table.put("LessOrEqual", binary(ValueOps.Binary.LESS_OR_EQUAL));
        table.put("Greater", binary(ValueOps.Binary.GREATER));
        table.put("GreaterOrEqual", binary(ValueOps.Binary.GREATER_OR_EQUAL));
        table.put("And", binary(ValueOps.Binary.AND));
        table.put("Or", binary(ValueOps.Binary.OR));
        table.put("Xor", binary(ValueOps.Binary.XOR));
        table.put("Max", variadic(ValueOps.Binary.MAX));
        table.put("Min", variadic(ValueOps.Binary.MIN));
        table.put("Sum", variadic(ValueOps.Binary.ADD));
        table.put("Mean", ElementwiseOps::mean);
        table.put("Not", ElementwiseOps::not);
        table.put("Where", ElementwiseOps::where);
        table.put("Clip", ElementwiseOps::clip);
        table.put("Relu", unary((c, x) -> c.sd.nn.relu(x, 0), null));
        table.put("LeakyRelu", (n, c) -> unary((cc, x) -> cc.sd.nn.leakyRelu(x, n.floatAttr("alpha", 0.01)), null).translate(n, c));
        table.put("Selu", ElementwiseOps::selu);
        table.put("Sigmoid", unary((c, x) -> c.sd.nn.sigmoid(x), null));
        table.put("Tanh", unary((c, x) -> c.sd.math.tanh(x), Math::tanh));
        table.put("Exp", unary((c, x) -> c.sd.math.exp(x), Math::exp));
        table.put("Log", unary((c, x) -> c.sd.math.log(x), Math::log));
        table.put("Sqrt", unary((c, x) -> c.sd.math.sqrt(x), Math::sqrt));
        table.put("Reciprocal", unary((c, x) -> c.sd.math.reciprocal(x), x -> 1 / x));
        table.put("Erf", unary((c, x) -> c.sd.math.erf(x), null));
        table.put("Neg", unary((c, x) -> c.sd.math.neg(x), x -> -x, true));
        table.put("Abs", unary((c, x) -> c.sd.math.abs(x), Math::abs, true));
        table.put("Identity", unary((c, x) -> c.sd.identity(x), x -> x, true));
        table.put("Dropout", ElementwiseOps::dropout);
        table.put("Gelu", ElementwiseOps::gelu);
        table.put("Softmax", (n, c) -> softmax(n, c, false));
        table.put("LogSoftmax", (n, c) -> softmax(n, c, true));
    }

    interface Unary {
        SDVariable apply(TranslationContext c, SDVariable x);
    }

    /**
     * @param host the same function in Java, to fold a known input; null where the op is never needed on known values
     */
    static OnnxOp unary(Unary f, DoubleUnaryOperator host) {
        return unary(f, host, false);
    }

    /** @param keepsIntegers whether an integer input gives an integer output (Neg, Abs, Identity) */
    static OnnxOp unary(Unary f, DoubleUnaryOperator host, boolean keepsIntegers) {
        return (n, c) -> {
            OnnxValue x = c.in(0);
            if (host != null && x.isKnown()) {
                c.out(0, ValueOps.known(c, HostOps.map(x.host(), host, keepsIntegers && x.host().integral())));
                return;
            }
            c.out(0, f.apply(c, x.var()), x.shape());
        };
    }

    static OnnxOp binary(ValueOps.Binary op) {
        return (n, c) -> c.out(0, ValueOps.binary(c, op, c.in(0), legacyBroadcast(n, c, c.in(0), c.in(1))));
    }

    /**
     * Before opset 7, arithmetic broadcast only with {@code broadcast=1}, and then B's shape matched a contiguous run
     * of A's axes starting at {@code axis} (default: its trailing axes). B is reshaped to that alignment so that
     * numpy broadcasting gives the same result.
     */
    private static OnnxValue legacyBroadcast(OnnxNode n, TranslationContext c, OnnxValue a, OnnxValue b) {
        if (c.opset >= 7 || java.util.Arrays.equals(a.shape(), b.shape())) {
            return b;
        }
        if (n.intAttr("broadcast", 0) == 0) {
            throw n.unsupported("shapes " + java.util.Arrays.toString(a.shape()) + " and "
                    + java.util.Arrays.toString(b.shape()) + " differ and broadcast=0 (opset " + c.opset + ")");
        }
        long axis = n.intAttr("axis", a.rank() - b.rank());
        if (axis < 0 || axis + b.rank() > a.rank()) {
            throw n.unsupported("axis " + axis + " does not place B " + java.util.Arrays.toString(b.shape())
                    + " inside A " + java.util.Arrays.toString(a.shape()));
        }
        long[] aligned = new long[(int) (a.rank() - axis)];
        java.util.Arrays.fill(aligned, 1);
        System.arraycopy(b.shape(), 0, aligned, 0, b.rank());
        return ValueOps.reshape(c, b, aligned);
    }

    /** Max, Min, Sum: one or more inputs, broadcast together, combined left to right. */
    static OnnxOp variadic(ValueOps.Binary op) {
        return (n, c) -> c.out(0, fold(c, op, c.inputs()));
    }

    private static OnnxValue fold(TranslationContext c, ValueOps.Binary op, List<OnnxValue> in) {
        OnnxValue acc = in.get(0);
        for (int i = 1; i < in.size(); i++) {
            acc = ValueOps.binary(c, op, acc, in.get(i));
        }
        if (in.size() == 1 && !acc.isKnown()) {
            acc = ValueOps.computed(c.sd.identity(c.name("identity"), acc.var()), acc.shape());
        }
        return acc;
    }

    private static void mean(OnnxNode n, TranslationContext c) {
        List<OnnxValue> in = c.inputs();
        OnnxValue sum = fold(c, ValueOps.Binary.ADD, in);
        c.out(0, ValueOps.scale(c, sum, 1.0 / in.size()));
    }

    private static void not(OnnxNode n, TranslationContext c) {
        OnnxValue x = c.in(0);
        if (x.isKnown()) {
            c.out(0, ValueOps.known(c, HostOps.map(x.host(), v -> v == 0 ? 1 : 0, true)));
            return;
        }
        c.out(0, x.var().rsub(1.0), x.shape());
    }

    /** The condition must be known (masks are built from the batch); see {@link ValueOps#where}. */
    private static void where(OnnxNode n, TranslationContext c) {
        HostTensor cond = c.known(0, "condition");
        c.out(0, ValueOps.where(c, cond, c.in(1), c.in(2)));
    }

    /**
     * Clip(x, min, max) = Min(Max(x, min), max); bounds from attributes before opset 11, optional scalar inputs
     * after. The gradient is 1 inside the range and 0 where clipped.
     */
    private static void clip(OnnxNode n, TranslationContext c) {
        OnnxValue x = c.in(0);
        OnnxValue lo = null;
        OnnxValue hi = null;
        if (c.opset < 11) {
            if (n.attribute("min").isPresent()) {
                lo = ValueOps.known(c, HostTensor.of(new long[0], n.floatAttr("min", 0)));
            }
            if (n.attribute("max").isPresent()) {
                hi = ValueOps.known(c, HostTensor.of(new long[0], n.floatAttr("max", 0)));
            }
        } else {
            lo = c.optIn(1).orElse(null);
            hi = c.optIn(2).orElse(null);
        }
        OnnxValue y = x;
        if (lo != null) {
            y = ValueOps.binary(c, ValueOps.Binary.MAX, y, lo);
        }
        if (hi != null) {
            y = ValueOps.binary(c, ValueOps.Binary.MIN, y, hi);
        }
        c.out(0, y == x ? ValueOps.computed(c.sd.identity(c.name("clip"), x.var()), x.shape()) : y);
    }

    /** Selu(x) = gamma (relu(x) + alpha (exp(-relu(-x)) - 1)): exp of the negative part only, no overflow. */
    private static void selu(OnnxNode n, TranslationContext c) {
        OnnxValue in = c.in(0);
        double alpha = n.floatAttr("alpha", 1.67326319217681884765625);
        double gamma = n.floatAttr("gamma", 1.05070102214813232421875);
        SDVariable x = in.var();
        SDVariable negPart = c.sd.math.neg(c.sd.nn.relu(c.sd.math.neg(x), 0));
        SDVariable y = c.sd.nn.relu(x, 0).add(c.sd.math.exp(negPart).sub(1.0).mul(alpha)).mul(gamma);
        c.out(0, y, in.shape());
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
        SDVariable y = softmax(c, x, axis, log);
        if (c.opset < 13) {
            y = c.sd.reshape(c.name("reshape"), y, in.shape());
        }
        c.out(0, y, in.shape());
    }

    static SDVariable softmax(TranslationContext c, SDVariable x, int axis, boolean log) {
        SDVariable shifted = x.sub(c.sd.max(c.name("max"), x, true, axis));
        SDVariable e = c.sd.math.exp(shifted);
        SDVariable sum = c.sd.sum(c.name("sum"), e, true, axis);
        return log ? shifted.sub(c.sd.math.log(sum)) : e.div(sum);
    }
}
