package dev.landscape.demo.training;

import dev.landscape.probe.checkpoint.DType;
import dev.landscape.probe.checkpoint.SafetensorsWriter;
import onnx.Onnx;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.protobuf.ByteString;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/**
 * The tier-2 inputs of the demo model: the ONNX graph {@code torch.onnx.export(model, x, input_names=["input"],
 * output_names=["logits"], opset_version=17, do_constant_folding=False)} produces for it (two {@code Gemm} with
 * {@code transB=1} around a {@code Tanh}; initializers named as the parameters, so that the sidecar binds each
 * checkpoint tensor by name), and the eval batch as a safetensors file: {@code input} (float32) and {@code target}
 * (int64 class indices), for {@code curvature --loss cross-entropy}.
 */
final class Tier2Export {

    static final String INPUT = "input";
    static final String OUTPUT = "logits";
    static final String TARGET = "target";
    private static final int OPSET = 17;

    private Tier2Export() {
    }

    static void writeModel(Map<String, INDArray> params, int batchSize, Path file) throws IOException {
        INDArray w1 = params.get("fc1.weight");
        INDArray w2 = params.get("fc2.weight");
        long inputs = w1.size(1);
        long classes = w2.size(0);
        Onnx.GraphProto.Builder g = Onnx.GraphProto.newBuilder().setName("main_graph")
                .addInput(valueInfo(INPUT, batchSize, inputs))
                .addOutput(valueInfo(OUTPUT, batchSize, classes));
        params.forEach((name, p) -> g.addInitializer(floats(name, p)));
        g.addNode(gemm("/fc1/Gemm", INPUT, "fc1", "/fc1/Gemm_output_0"));
        g.addNode(Onnx.NodeProto.newBuilder().setOpType("Tanh").setName("/act/Tanh")
                .addInput("/fc1/Gemm_output_0").addOutput("/act/Tanh_output_0"));
        g.addNode(gemm("/fc2/Gemm", "/act/Tanh_output_0", "fc2", OUTPUT));
        Onnx.ModelProto model = Onnx.ModelProto.newBuilder().setIrVersion(8).setProducerName("pytorch")
                .setProducerVersion("2.6.0")
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(g).build();
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.write(tmp, model.toByteArray());
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    static void writeBatch(SyntheticData.Batch batch, Path file) throws IOException {
        double[] target = new double[batch.size()];
        for (int i = 0; i < target.length; i++) {
            target[i] = batch.labels()[i];
        }
        new SafetensorsWriter()
                .add(INPUT, DType.F32, batch.inputs().shape(), HfCheckpointWriter.values(batch.inputs()))
                .add(TARGET, DType.I64, new long[] {batch.size()}, target)
                .write(file);
    }

    private static Onnx.NodeProto gemm(String name, String input, String layer, String output) {
        return Onnx.NodeProto.newBuilder().setOpType("Gemm").setName(name)
                .addInput(input).addInput(layer + ".weight").addInput(layer + ".bias").addOutput(output)
                .addAttribute(Onnx.AttributeProto.newBuilder().setName("alpha").setType(Onnx.AttributeProto.AttributeType.FLOAT).setF(1f))
                .addAttribute(Onnx.AttributeProto.newBuilder().setName("beta").setType(Onnx.AttributeProto.AttributeType.FLOAT).setF(1f))
                .addAttribute(Onnx.AttributeProto.newBuilder().setName("transB").setType(Onnx.AttributeProto.AttributeType.INT).setI(1))
                .build();
    }

    private static Onnx.ValueInfoProto valueInfo(String name, long... dims) {
        Onnx.TensorShapeProto.Builder shape = Onnx.TensorShapeProto.newBuilder();
        for (long d : dims) {
            shape.addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return Onnx.ValueInfoProto.newBuilder().setName(name).setType(Onnx.TypeProto.newBuilder()
                .setTensorType(Onnx.TypeProto.Tensor.newBuilder()
                        .setElemType(Onnx.TensorProto.DataType.FLOAT.getNumber()).setShape(shape))).build();
    }

    private static Onnx.TensorProto floats(String name, INDArray p) {
        double[] v = HfCheckpointWriter.values(p);
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (double x : v) {
            b.putFloat((float) x);
        }
        Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder().setName(name)
                .setDataType(Onnx.TensorProto.DataType.FLOAT.getNumber()).setRawData(ByteString.copyFrom(b.array()));
        for (long d : p.shape()) {
            t.addDims(d);
        }
        return t.build();
    }
}
