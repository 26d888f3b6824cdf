package dev.landscape.probe.curvature.onnx;

import dev.landscape.probe.curvature.CurvatureException;
import onnx.Onnx;

import java.util.List;
import java.util.Optional;

/** One ONNX node with typed attribute access; its {@link #describe()} is how every error names the node. */
record OnnxNode(Onnx.NodeProto proto, int index) {

    public String opType() {
        return proto.getOpType();
    }

    public int inputCount() {
        return proto.getInputCount();
    }

    /** Input name, or {@code ""} when the input is absent (ONNX marks optional inputs with an empty name). */
    public String input(int i) {
        return i < proto.getInputCount() ? proto.getInput(i) : "";
    }

    public boolean hasInput(int i) {
        return !input(i).isEmpty();
    }

    public int outputCount() {
        return proto.getOutputCount();
    }

    public String output(int i) {
        return i < proto.getOutputCount() ? proto.getOutput(i) : "";
    }

    public String describe() {
        String name = proto.getName().isEmpty() ? "#" + index : "'" + proto.getName() + "' (#" + index + ")";
        return proto.getOpType() + " node " + name;
    }

    public Optional<Onnx.AttributeProto> attribute(String name) {
        for (Onnx.AttributeProto a : proto.getAttributeList()) {
            if (a.getName().equals(name)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    public long intAttr(String name, long dflt) {
        return attribute(name).map(Onnx.AttributeProto::getI).orElse(dflt);
    }

    public double floatAttr(String name, double dflt) {
        return attribute(name).map(a -> (double) a.getF()).orElse(dflt);
    }

    public String stringAttr(String name, String dflt) {
        return attribute(name).map(a -> a.getS().toStringUtf8()).orElse(dflt);
    }

    public Optional<long[]> intsAttr(String name) {
        return attribute(name).map(a -> a.getIntsList().stream().mapToLong(Long::longValue).toArray());
    }

    /** Throws when an attribute that changes the maths and is not implemented has a non-default value. */
    public void requireIntAttr(String name, long expected, String why) {
        long v = intAttr(name, expected);
        if (v != expected) {
            throw unsupported("attribute " + name + "=" + v + " is not supported (" + why + ")");
        }
    }

    public void rejectAttributes(List<String> names) {
        for (String n : names) {
            if (attribute(n).isPresent()) {
                throw unsupported("attribute '" + n + "' is not supported");
            }
        }
    }

    public CurvatureException unsupported(String what) {
        return new CurvatureException(describe() + ": " + what);
    }
}
