package dev.landscape.probe.curvature.onnx;

import dev.landscape.probe.curvature.HostTensor;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;
import java.util.Optional;

/**
 * What an {@link OnnxOp} sees while translating one node: its inputs as {@link OnnxValue}s, a way to define its
 * outputs, and the SameDiff graph being built. Every value is DOUBLE: curvature is computed by finite differences
 * of gradients, which need double precision (see {@link FiniteDifferenceHvp}).
 */
final class TranslationContext {

    final SameDiff sd;
    final int opset;
    private final Map<String, OnnxValue> values;
    private OnnxNode node;
    private int counter;

    TranslationContext(SameDiff sd, int opset, Map<String, OnnxValue> values) {
        this.sd = sd;
        this.opset = opset;
        this.values = values;
    }

    void begin(OnnxNode node) {
        this.node = node;
    }

    /** A fresh SameDiff name derived from the node, for intermediate variables. */
    String name(String suffix) {
        return "n" + node.index() + "_" + node.opType() + "_" + suffix + "_" + (counter++);
    }

    OnnxValue in(int i) {
        if (!node.hasInput(i)) {
            throw node.unsupported("required input #" + i + " is missing");
        }
        OnnxValue v = values.get(node.input(i));
        if (v == null) {
            throw node.unsupported("input '" + node.input(i) + "' is not produced by any earlier node, initializer "
                    + "or graph input");
        }
        return v;
    }

    Optional<OnnxValue> optIn(int i) {
        return node.hasInput(i) ? Optional.of(in(i)) : Optional.empty();
    }

    /** An input whose value must be known while translating (a shape, axes, indices, a mask, class targets). */
    HostTensor known(int i, String role) {
        OnnxValue v = in(i);
        if (!v.isKnown()) {
            throw node.unsupported("input '" + node.input(i) + "' (" + role + ") must be known while translating (a "
                    + "constant, an initializer, an integer batch input, or computed from those alone); it depends on a "
                    + "float batch input or a parameter, which is not supported");
        }
        return v.host();
    }

    void out(int i, SDVariable v, long[] shape) {
        out(i, v, shape, null);
    }

    void out(int i, SDVariable v, long[] shape, HostTensor host) {
        String name = node.output(i);
        if (!name.isEmpty()) {
            values.put(name, new OnnxValue(v, shape.clone(), host));
        }
    }

    void out(int i, OnnxValue v) {
        out(i, v.var(), v.shape(), v.host());
    }

    /** All inputs present on the node, in order (variadic ops: Sum, Max, Concat, ...). */
    java.util.List<OnnxValue> inputs() {
        java.util.List<OnnxValue> out = new java.util.ArrayList<>();
        for (int i = 0; i < node.inputCount(); i++) {
            if (node.hasInput(i)) {
                out.add(in(i));
            }
        }
        return out;
    }

    /** Defines an output whose value is known now (folded), so later shape-like inputs can read it. */
    void outKnown(int i, HostTensor t) {
        out(i, constant(t), t.shape(), t);
    }

    SDVariable constant(HostTensor t) {
        return sd.constant(name("const"), OnnxGraphTranslator.array(t));
    }

    SDVariable scalar(double v) {
        return sd.constant(name("scalar"), Nd4j.scalar(DataType.DOUBLE, v));
    }

    OnnxNode node() {
        return node;
    }

    /** Reshapes {@code v} to {@code shape} unless it already has it. */
    SDVariable reshape(OnnxValue v, long[] shape) {
        if (java.util.Arrays.equals(v.shape(), shape)) {
            return v.var();
        }
        return sd.reshape(name("reshape"), v.var(), shape);
    }
}
