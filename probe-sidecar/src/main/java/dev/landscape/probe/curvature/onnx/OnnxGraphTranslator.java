package dev.landscape.probe.curvature.onnx;

import dev.landscape.probe.curvature.CurvatureException;
import dev.landscape.probe.curvature.HostTensor;
import onnx.Onnx;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
  * Translates an ONNX model into a SameDiff graph for a documented op subset (MLPs, CNNs, transformer exports; see
 * docs/curvature.md and {@link #supportedOps()}). Written here rather than using samediff-import-onnx 1.0.0-M2.1,
 * which maps MatMul to a zero-producing Mmul (alpha=0, beta=1) and drops Gemm's bias, and which would add a
 * kotlin-stdlib and commons-io downgrade to the build.
 *
  * <p>The graph is built for one concrete batch, entirely in DOUBLE. Float graph inputs become placeholders;
 * integer graph inputs (class targets, token ids, attention masks, the node tests' shape and axes inputs) are
 * folded in as constants, and so is every value computed from known values alone (positions, masks, shapes: see
 * {@link ValueOps}), so shape-like inputs are known while translating. Initializers named in {@code trainable} become
 * SameDiff variables (the parameters curvature is measured over); all others are constants.
 */
public final class OnnxGraphTranslator {

    private static final Map<String, OnnxOp> OPS = new HashMap<>();

    static {
        ElementwiseOps.register(OPS);
        LinearOps.register(OPS);
        ConvolutionOps.register(OPS);
        NormalizationOps.register(OPS);
        ShapeOps.register(OPS);
        IndexingOps.register(OPS);
        AttentionOps.register(OPS);
        ReductionOps.register(OPS);
        LossOps.register(OPS);
    }

    private OnnxGraphTranslator() {
    }

    /** The ONNX op types this translator handles (default domain). */
    public static Set<String> supportedOps() {
        return new TreeSet<>(OPS.keySet());
    }

    /**
     * @param feeds             a value for every graph input that is not an initializer
     * @param initializerValues replacement values for initializers (checkpoint weights); the rest keep their ONNX value
     * @param trainable         initializer names that become differentiable variables
     */
    public static TranslatedGraph translate(Onnx.ModelProto model, Map<String, HostTensor> feeds,
                                            Map<String, HostTensor> initializerValues, Set<String> trainable) {
        return translate(model, feeds, initializerValues, trainable, Set.of());
    }

    /**
     * @param filledLater trainable initializers created as zero variables of their ONNX shape, for the caller to fill
     *                    (weights streamed from a checkpoint into the native arrays, never whole on the Java heap)
     */
    public static TranslatedGraph translate(Onnx.ModelProto model, Map<String, HostTensor> feeds,
                                            Map<String, HostTensor> initializerValues, Set<String> trainable,
                                            Set<String> filledLater) {
        return translate(model, feeds, initializerValues, trainable, filledLater, Map.of());
    }

    /**
     * @param fixed values the graph's nodes read that no node, initializer or input defines (the frontier of a
     *              {@link GraphSplit}'s dependent part), bound as constants
     */
    public static TranslatedGraph translate(Onnx.ModelProto model, Map<String, HostTensor> feeds,
                                            Map<String, HostTensor> initializerValues, Set<String> trainable,
                                            Set<String> filledLater, Map<String, FixedValue> fixed) {
        Onnx.GraphProto g = model.getGraph();
        int opset = defaultOpset(model);
        SameDiff sd = SameDiff.create();
        Map<String, OnnxValue> values = new HashMap<>();
        Map<String, String> placeholders = new LinkedHashMap<>();
        Map<String, String> variables = new LinkedHashMap<>();
        Set<String> initNames = new TreeSet<>();
        int counter = 0;
        for (Onnx.TensorProto init : g.getInitializerList()) {
            String name = init.getName();
            initNames.add(name);
            if (filledLater.contains(name) && trainable.contains(name)) {
                long[] shape = init.getDimsList().stream().mapToLong(Long::longValue).toArray();
                String sdName = sanitize("w" + (counter++), name);
                INDArray zeros = shape.length == 0 ? Nd4j.scalar(DataType.DOUBLE, 0.0) : Nd4j.zeros(DataType.DOUBLE, shape);
                values.put(name, new OnnxValue(sd.var(sdName, zeros), shape, null));
                variables.put(name, sdName);
                continue;
            }
            HostTensor t = initializerValues.containsKey(name) ? initializerValues.get(name) : OnnxTensors.decode(init);
            INDArray arr = array(t);
            String sdName = sanitize("w" + (counter++), name);
            if (trainable.contains(name)) {
                if (t.integral()) {
                    throw new CurvatureException("initializer '" + name + "' is an integer tensor and cannot be a trainable parameter");
                }
                values.put(name, new OnnxValue(sd.var(sdName, arr), t.shape(), null));
                variables.put(name, sdName);
            } else {
                values.put(name, new OnnxValue(sd.constant(sdName, arr), t.shape(), t));
            }
        }
        for (String name : trainable) {
            if (!initNames.contains(name)) {
                throw new CurvatureException("'" + name + "' is marked trainable but is not an initializer of the graph");
            }
        }
        for (Onnx.ValueInfoProto in : g.getInputList()) {
            String name = in.getName();
            if (initNames.contains(name)) {
                continue;
            }
            HostTensor t = feeds.get(name);
            if (t == null) {
                throw new CurvatureException("graph input '" + name + "' has no value: the batch must hold a tensor "
                        + "named '" + name + "' (batch holds " + new TreeSet<>(feeds.keySet()) + ")");
            }
            checkDeclaredShape(in, t);
            String sdName = sanitize("in" + (counter++), name);
            if (t.integral()) {
                values.put(name, new OnnxValue(sd.constant(sdName, array(t)), t.shape(), t));
            } else {
                values.put(name, new OnnxValue(sd.placeHolder(sdName, DataType.DOUBLE, t.shape()), t.shape(), null));
                placeholders.put(name, sdName);
            }
        }
        for (Map.Entry<String, FixedValue> f : fixed.entrySet()) {
            SDVariable v = sd.constant(sanitize("f" + (counter++), f.getKey()), f.getValue().array());
            values.put(f.getKey(), new OnnxValue(v, f.getValue().shape(), f.getValue().host()));
        }
        TranslationContext ctx = new TranslationContext(sd, opset, values);
        for (int i = 0; i < g.getNodeCount(); i++) {
            OnnxNode node = new OnnxNode(g.getNode(i), i);
            String domain = node.proto().getDomain();
            if (!domain.isEmpty() && !domain.equals("ai.onnx")) {
                throw node.unsupported("domain '" + domain + "' is not supported (only the default ONNX domain is)");
            }
            OnnxOp op = OPS.get(node.opType());
            if (op == null) {
                throw node.unsupported("op type " + node.opType() + " is not supported; supported ops: " + supportedOps());
            }
            ctx.begin(node);
            op.translate(node, ctx);
        }
        Map<String, OnnxValue> outputs = new LinkedHashMap<>();
        for (Onnx.ValueInfoProto out : g.getOutputList()) {
            OnnxValue v = values.get(out.getName());
            if (v == null) {
                throw new CurvatureException("graph output '" + out.getName() + "' is not produced by any node");
            }
            outputs.put(out.getName(), v);
        }
        return new TranslatedGraph(sd, values, placeholders, variables, outputs);
    }

    public static INDArray array(HostTensor t) {
        if (t.rank() == 0) {
            return Nd4j.scalar(DataType.DOUBLE, t.values()[0]);
        }
        return Nd4j.create(t.values(), t.shape(), 'c');
    }

    private static int defaultOpset(Onnx.ModelProto model) {
        for (Onnx.OperatorSetIdProto o : model.getOpsetImportList()) {
            if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
                return (int) o.getVersion();
            }
        }
        throw new CurvatureException("the model imports no opset of the default ONNX domain");
    }

    private static void checkDeclaredShape(Onnx.ValueInfoProto in, HostTensor t) {
        if (!in.getType().hasTensorType() || !in.getType().getTensorType().hasShape()) {
            return;
        }
        var dims = in.getType().getTensorType().getShape().getDimList();
        long[] s = t.shape();
        boolean ok = dims.size() == s.length;
        for (int i = 0; ok && i < s.length; i++) {
            ok = !dims.get(i).hasDimValue() || dims.get(i).getDimValue() == s[i];
        }
        if (!ok) {
            StringBuilder declared = new StringBuilder("[");
            for (int i = 0; i < dims.size(); i++) {
                declared.append(i > 0 ? ", " : "").append(dims.get(i).hasDimValue()
                        ? String.valueOf(dims.get(i).getDimValue()) : dims.get(i).getDimParam().isEmpty() ? "?" : dims.get(i).getDimParam());
            }
            throw new CurvatureException("batch tensor '" + in.getName() + "' has shape " + Arrays.toString(s)
                    + " but the graph declares " + declared + "]");
        }
    }

    private static String sanitize(String prefix, String onnxName) {
        return prefix + "_" + onnxName.replaceAll("[^A-Za-z0-9_]", "_");
    }
}
