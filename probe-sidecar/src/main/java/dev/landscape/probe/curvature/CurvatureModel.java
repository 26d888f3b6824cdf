package dev.landscape.probe.curvature;

import onnx.Onnx;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An ONNX model with a loss head, bound to one batch and one set of weights: the {@link DifferentiableLoss} the
 * curvature algorithms probe, with the checkpoint's point in parameter space.
 */
public final class CurvatureModel {

    private final TranslatedGraph graph;
    private final ParameterLayout layout;
    private final SameDiffLoss loss;
    private final double[] point;
    private final Map<String, HostTensor> constants;
    private final String output;

    private CurvatureModel(TranslatedGraph graph, ParameterLayout layout, SameDiffLoss loss, double[] point, String output,
                           Map<String, HostTensor> constants) {
        this.constants = constants;
        this.graph = graph;
        this.layout = layout;
        this.loss = loss;
        this.point = point;
        this.output = output;
    }

    /**
     * @param batch  one tensor per graph input, plus {@code target} for mse and cross-entropy
     * @param output the graph output the loss head reads; {@code null} for the first one
     */
    public static CurvatureModel build(Onnx.ModelProto model, Map<String, HostTensor> batch, WeightBinding weights,
                                       LossHead head, String output) {
        TranslatedGraph g = OnnxGraphTranslator.translate(model, batch, weights.values(), weights.trainable());
        String out = output != null ? output : g.outputNames().get(0);
        if (!g.outputNames().contains(out)) {
            throw new CurvatureException("the model has no output named '" + out + "'; outputs: " + g.outputNames());
        }
        String lossName = head.attach(g, out, batch.get("target"));
        Map<String, long[]> shapes = new LinkedHashMap<>();
        Map<String, HostTensor> values = new LinkedHashMap<>();
        for (String name : g.variables().keySet()) {
            shapes.put(name, g.shape(name));
            values.put(name, weights.values().get(name));
        }
        ParameterLayout layout = new ParameterLayout(shapes);
        return new CurvatureModel(g, layout, new SameDiffLoss(g, lossName, batch, layout), layout.flatten(values), out,
                constants(weights));
    }

    /**
     * This model (graph, loss head, gradient graph: the costly part, built once) at another checkpoint's weights,
     * or empty when that checkpoint's non-trainable values (kept in the graph as constants, e.g. BatchNorm running
     * statistics) differ from the ones the graph was built with, and a new build is needed.
     */
    public java.util.Optional<CurvatureModel> at(WeightBinding weights) {
        if (!constants(weights).equals(constants)) {
            return java.util.Optional.empty();
        }
        Map<String, HostTensor> values = new LinkedHashMap<>();
        for (ParameterLayout.Slot s : layout.slots()) {
            values.put(s.name(), weights.values().get(s.name()));
        }
        return java.util.Optional.of(new CurvatureModel(graph, layout, loss, layout.flatten(values), output, constants));
    }

    private static Map<String, HostTensor> constants(WeightBinding weights) {
        Map<String, HostTensor> out = new LinkedHashMap<>(weights.values());
        out.keySet().removeAll(weights.trainable());
        return out;
    }

    public ParameterLayout layout() {
        return layout;
    }

    public SameDiffLoss loss() {
        return loss;
    }

    /** The weights the model was built with, flattened in layout order. */
    public double[] point() {
        return point.clone();
    }

    public String output() {
        return output;
    }

    TranslatedGraph graph() {
        return graph;
    }

    /** The output the loss head reads, at {@code w}, row-major (forward pass only); its shape is {@link #outputShape}. */
    public double[] outputValues(double[] w) {
        return loss.forward(w, graph.value(output).var().name());
    }

    public long[] outputShape() {
        return graph.value(output).shape();
    }
}
