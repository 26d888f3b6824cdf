package dev.landscape.probe.curvature;

import dev.landscape.probe.curvature.onnx.OnnxGraphTranslator;
import dev.landscape.probe.curvature.onnx.TranslatedGraph;
import onnx.Onnx;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An ONNX model with a loss head, bound to one batch and one set of weights: the {@link DifferentiableLoss} the
 * curvature algorithms probe, over all trainable parameters or a {@link ParameterSubset} of them, with the
 * checkpoint's point in that parameter space. Every trainable initializer is a variable of the graph; those outside
 * the subset keep the checkpoint's values and are not differentiated. Weights are streamed from the checkpoint into
 * the graph's native arrays ({@link WeightBinding#writeInto}), never held whole on the Java heap.
 */
public final class CurvatureModel {

    private final TranslatedGraph graph;
    private final ParameterLayout all;
    private final ParameterLayout layout;
    private final SameDiffLoss loss;
    private final double[] point;
    private final Map<String, HostTensor> constants;
    private final String output;
    private final String lossName;
    private final Map<String, HostTensor> batch;

    /** @param point the parameters' values, or null to read them from the graph */
    private CurvatureModel(TranslatedGraph graph, ParameterLayout all, ParameterLayout layout, SameDiffLoss loss,
                           String output, String lossName, Map<String, HostTensor> batch,
                           Map<String, HostTensor> constants, double[] point) {
        this.graph = graph;
        this.all = all;
        this.layout = layout;
        this.loss = loss;
        this.output = output;
        this.lossName = lossName;
        this.batch = batch;
        this.constants = constants;
        this.point = point != null ? point : loss.read();
    }

    /** The model over every trainable parameter. */
    public static CurvatureModel build(Onnx.ModelProto model, Map<String, HostTensor> batch, WeightBinding weights,
                                       LossHead head, String output) {
        return build(model, batch, weights, head, output, ParameterSubset.ALL);
    }

    /**
     * @param batch  one tensor per graph input, plus {@code target} for mse and cross-entropy
     * @param output the graph output the loss head reads; {@code null} for the first one
     * @param subset the parameters differentiated (the others are held at the checkpoint's values)
     */
    public static CurvatureModel build(Onnx.ModelProto model, Map<String, HostTensor> batch, WeightBinding weights,
                                       LossHead head, String output, ParameterSubset subset) {
        Set<String> streamed = new java.util.LinkedHashSet<>();
        for (String name : weights.trainable()) {
            if (weights.streamed(name)) {
                streamed.add(name);
            }
        }
        TranslatedGraph g = OnnxGraphTranslator.translate(model, batch, weights.values(), weights.trainable(), streamed);
        String out = output != null ? output : g.outputNames().get(0);
        if (!g.outputNames().contains(out)) {
            throw new CurvatureException("the model has no output named '" + out + "'; outputs: " + g.outputNames());
        }
        String lossName = head.attach(g, out, batch.get("target"));
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (String name : g.variables().keySet()) {
            shapes.put(name, g.shape(name));
        }
        ParameterLayout all = new ParameterLayout(shapes);
        fill(g, all, weights, streamed);
        Set<String> selected = subset.select(new ArrayList<>(shapes.keySet()), weights.sources());
        ParameterLayout layout = all.restrictedTo(selected);
        return new CurvatureModel(g, all, layout, new SameDiffLoss(g, lossName, batch, layout), out, lossName, batch,
                constants(weights), null);
    }

    /**
     * This model (graph, loss head, gradient graph: the costly part, built once) at another checkpoint's weights,
     * or empty when that checkpoint's non-trainable values (kept in the graph as constants, e.g. BatchNorm running
     * statistics) differ from the ones the graph was built with, and a new build is needed.
     */
    public Optional<CurvatureModel> at(WeightBinding weights) {
        if (!constants(weights).equals(constants)) {
            return Optional.empty();
        }
        fill(graph, all, weights, null);
        return Optional.of(new CurvatureModel(graph, all, layout, loss, output, lossName, batch, constants, null));
    }

    /**
     * The same graph over fewer parameters (one layer, for the per-block mode), at this model's point: its Hessian is
     * the diagonal block of this model's on those coordinates. Evaluations of either model leave their parameters
     * at the last point evaluated, so {@link #restore()} this model before using the restricted one, and the
     * restricted one when done with it.
     */
    public CurvatureModel restrictedTo(Set<String> names) {
        ParameterLayout sub = layout.restrictedTo(names);
        double[] p = new double[sub.dimension()];
        for (ParameterLayout.Slot s : sub.slots()) {
            System.arraycopy(point, layout.slot(s.name()).offset(), p, s.offset(), s.length());
        }
        return new CurvatureModel(graph, all, sub, new SameDiffLoss(graph, lossName, batch, sub), output, lossName,
                batch, constants, p);
    }

    /** Writes this model's point back into the graph (after evaluations elsewhere moved its parameters). */
    public void restore() {
        loss.write(point);
    }

    /** Writes every variable's checkpoint value into the graph; {@code only} limits it to those names (null: all). */
    private static void fill(TranslatedGraph g, ParameterLayout layout, WeightBinding weights, Set<String> only) {
        for (ParameterLayout.Slot s : layout.slots()) {
            if (only != null && !only.contains(s.name())) {
                continue;
            }
            INDArray arr = g.sameDiff().getArrForVarName(g.variables().get(s.name()));
            java.nio.DoubleBuffer b = SameDiffLoss.buffer(arr);
            try {
                weights.writeInto(s.name(), b);
            } catch (IOException e) {
                throw new UncheckedIOException("reading parameter " + s.name() + " from the checkpoint", e);
            }
        }
    }

    private static Map<String, HostTensor> constants(WeightBinding weights) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (String name : weights.values().keySet()) {
            if (!weights.trainable().contains(name)) {
                out.put(name, weights.values().get(name));
            }
        }
        return out;
    }

    /** The parameters differentiated (all trainable ones, or the subset). */
    public ParameterLayout layout() {
        return layout;
    }

    /** Every trainable parameter of the model, whether differentiated or not. */
    public ParameterLayout allParameters() {
        return all;
    }

    public SameDiffLoss loss() {
        return loss;
    }

    /** The weights the model was built with, flattened in layout order. */
    public double[] point() {
        return point.clone();
    }

    /** {@link #point()} without the copy, for callers that only read it. */
    public double[] pointView() {
        return point;
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

    /** The layers of the differentiated parameters ({@link ParameterSubset#layers}), in layout order. */
    public Map<String, List<String>> layers() {
        List<String> names = new ArrayList<>();
        layout.slots().forEach(s -> names.add(s.name()));
        return ParameterSubset.layers(names);
    }
}
