package dev.landscape.probe.curvature;

import onnx.Onnx;
import org.nd4j.shade.protobuf.ByteString;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;

/**
 * Builds an ONNX graph node by node the way {@code torch.onnx.export} (TorchScript exporter, opset 17) writes one:
 * nodes named by module scope ({@code /transformer/h.0/attn/c_attn/Gemm}), values named after the node that makes
 * them ({@code ..._output_0}), literals as {@code Constant} nodes holding 0-d or 1-d tensors, parameters as
 * initializers named as in the module's {@code state_dict()}.
 */
public final class TorchStyleGraph {

    /** INT64_MAX, which the exporter writes as the end of an open slice such as {@code x[..., 1:]}. */
    public static final long OPEN_END = Long.MAX_VALUE;

    private final Onnx.GraphProto.Builder g;
    private final Map<String, Integer> used = new HashMap<>();
    private String scope = "";

    public TorchStyleGraph(String name) {
        this.g = Onnx.GraphProto.newBuilder().setName(name);
    }

    /** Sets the module scope of the nodes that follow, e.g. {@code /transformer/h.0/attn}. */
    public TorchStyleGraph scope(String s) {
        this.scope = s;
        return this;
    }

    public String scope() {
        return scope;
    }

    public String input(String name, Onnx.TensorProto.DataType type, long... dims) {
        g.addInput(TestGraphs.valueInfo(name, type, dims));
        return name;
    }

    public void output(String name, Onnx.TensorProto.DataType type, long... dims) {
        g.addOutput(TestGraphs.valueInfo(name, type, dims));
    }

    /** A float parameter without stored data: its value comes from the checkpoint, as with {@code export_params=False}. */
    public String parameter(String name, long... dims) {
        g.addInitializer(TestGraphs.floats(name, dims));
        return name;
    }

    /** An integer buffer stored in the graph (position ids, token type ids). */
    public String buffer(String name, long[] dims, long... values) {
        g.addInitializer(TestGraphs.longs(name, dims, values));
        return name;
    }

    /** One node with one output and attributes; returns the output's name. */
    public String node(String type, String[] inputs, Onnx.AttributeProto... attributes) {
        return ops(type, 1, inputs, attributes)[0];
    }

    public String[] ops(String type, int outputs, String[] inputs, Onnx.AttributeProto... attributes) {
        String base = scope + "/" + type;
        int k = used.merge(base, 1, Integer::sum) - 1;
        String name = k == 0 ? base : base + "_" + k;
        String[] outs = new String[outputs];
        for (int i = 0; i < outputs; i++) {
            outs[i] = name + "_output_" + i;
        }
        Onnx.NodeProto.Builder n = TestGraphs.node(type, name, inputs, outs);
        for (Onnx.AttributeProto a : attributes) {
            n.addAttribute(a);
        }
        g.addNode(n);
        return outs;
    }

    /** One node with one output and no attributes. */
    public String op(String type, String... inputs) {
        return node(type, inputs);
    }

    /** A Constant node with a 1-D INT64 tensor. */
    public String ints(long... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            b.putLong(v);
        }
        return constant(Onnx.TensorProto.DataType.INT64, new long[] {values.length}, b);
    }

    /** A Constant node with a 0-d INT64 tensor. */
    public String scalarInt(long value) {
        return constant(Onnx.TensorProto.DataType.INT64, new long[0],
                ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value));
    }

    /** A Constant node with a 0-d FLOAT tensor. */
    public String scalar(double value) {
        return constant(Onnx.TensorProto.DataType.FLOAT, new long[0],
                ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat((float) value));
    }

    /** A Constant node with a 1-D FLOAT tensor. */
    public String floats(double... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : values) {
            b.putFloat((float) v);
        }
        return constant(Onnx.TensorProto.DataType.FLOAT, new long[] {values.length}, b);
    }

    private String constant(Onnx.TensorProto.DataType type, long[] dims, ByteBuffer data) {
        Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder().setDataType(type.getNumber())
                .setRawData(ByteString.copyFrom(data.array()));
        for (long d : dims) {
            t.addDims(d);
        }
        return node("Constant", new String[0], Onnx.AttributeProto.newBuilder().setName("value")
                .setType(Onnx.AttributeProto.AttributeType.TENSOR).setT(t).build());
    }

    public static Onnx.AttributeProto attr(String name, long v) {
        return TestGraphs.intAttr(name, v);
    }

    public static Onnx.AttributeProto attr(String name, double v) {
        return TestGraphs.floatAttr(name, v);
    }

    public static Onnx.AttributeProto attr(String name, String v) {
        return Onnx.AttributeProto.newBuilder().setName(name).setType(Onnx.AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFromUtf8(v)).build();
    }

    public static Onnx.AttributeProto attr(String name, long... v) {
        Onnx.AttributeProto.Builder a = Onnx.AttributeProto.newBuilder().setName(name)
                .setType(Onnx.AttributeProto.AttributeType.INTS);
        for (long x : v) {
            a.addInts(x);
        }
        return a.build();
    }

    public Onnx.ModelProto model() {
        return Onnx.ModelProto.newBuilder().setIrVersion(8).setProducerName("pytorch").setProducerVersion("2.1.0")
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
                .setGraph(g).build();
    }
}
