package dev.landscape.probe.curvature;

import org.nd4j.shade.protobuf.ByteString;
import onnx.Onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Builds small ONNX models in tests with the protobuf classes that ship inside nd4j-api. */
final class TestGraphs {

    private TestGraphs() {
    }

    static Onnx.GraphProto.Builder graph(String name) {
        return Onnx.GraphProto.newBuilder().setName(name);
    }

    static Onnx.ModelProto model(int opset, Onnx.GraphProto.Builder graph) {
        return Onnx.ModelProto.newBuilder().setIrVersion(8).setProducerName("test")
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
                .setGraph(graph).build();
    }

    static Onnx.ValueInfoProto input(String name, long... dims) {
        return valueInfo(name, Onnx.TensorProto.DataType.FLOAT, dims);
    }

    static Onnx.ValueInfoProto valueInfo(String name, Onnx.TensorProto.DataType type, long... dims) {
        Onnx.TensorShapeProto.Builder shape = Onnx.TensorShapeProto.newBuilder();
        for (long d : dims) {
            shape.addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return Onnx.ValueInfoProto.newBuilder().setName(name).setType(Onnx.TypeProto.newBuilder()
                .setTensorType(Onnx.TypeProto.Tensor.newBuilder().setElemType(type.getNumber()).setShape(shape))).build();
    }

    /** A float initializer of the given shape with no stored data (values come from the binding). */
    static Onnx.TensorProto floats(String name, long[] dims) {
        Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder().setName(name)
                .setDataType(Onnx.TensorProto.DataType.FLOAT.getNumber());
        for (long d : dims) {
            t.addDims(d);
        }
        return t.build();
    }

    static Onnx.TensorProto floats(String name, long[] dims, double... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : values) {
            b.putFloat((float) v);
        }
        Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder().setName(name)
                .setDataType(Onnx.TensorProto.DataType.FLOAT.getNumber()).setRawData(ByteString.copyFrom(b.array()));
        for (long d : dims) {
            t.addDims(d);
        }
        return t.build();
    }

    static Onnx.TensorProto longs(String name, long[] dims, long... values) {
        Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder().setName(name)
                .setDataType(Onnx.TensorProto.DataType.INT64.getNumber());
        for (long d : dims) {
            t.addDims(d);
        }
        for (long v : values) {
            t.addInt64Data(v);
        }
        return t.build();
    }

    static Onnx.NodeProto.Builder node(String op, String name, String[] inputs, String... outputs) {
        Onnx.NodeProto.Builder n = Onnx.NodeProto.newBuilder().setOpType(op).setName(name);
        for (String i : inputs) {
            n.addInput(i);
        }
        for (String o : outputs) {
            n.addOutput(o);
        }
        return n;
    }

    static Onnx.AttributeProto intAttr(String name, long v) {
        return Onnx.AttributeProto.newBuilder().setName(name).setType(Onnx.AttributeProto.AttributeType.INT).setI(v).build();
    }

    static Onnx.AttributeProto floatAttr(String name, double v) {
        return Onnx.AttributeProto.newBuilder().setName(name).setType(Onnx.AttributeProto.AttributeType.FLOAT)
                .setF((float) v).build();
    }
}
