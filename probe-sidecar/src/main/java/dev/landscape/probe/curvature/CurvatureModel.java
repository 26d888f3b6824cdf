package dev.landscape.probe.curvature;

import dev.landscape.probe.curvature.onnx.FixedValue;
import dev.landscape.probe.curvature.onnx.GraphSplit;
import dev.landscape.probe.curvature.onnx.OnnxGraphTranslator;
import dev.landscape.probe.curvature.onnx.OnnxValue;
import dev.landscape.probe.curvature.onnx.TranslatedGraph;
import onnx.Onnx;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An ONNX model with a loss head, bound to one batch and one set of weights: the {@link DifferentiableLoss} the
 * curvature algorithms probe, over all trainable parameters or a {@link ParameterSubset} of them, with the
 * checkpoint's point in that parameter space. Every trainable initializer is a variable of the graph; those outside
 * the subset keep the checkpoint's values and are not differentiated. With a subset, the part of the graph that
 * depends on none of its parameters is evaluated once and bound as constants ({@link GraphSplit}), so each gradient
 * runs only through the layers from the first analysed one on. Weights are streamed from the checkpoint into
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
    private final boolean folded;
    private final ModelFootprint footprint;

    /** @param point the parameters' values, or null to read them from the graph */
    private CurvatureModel(TranslatedGraph graph, ParameterLayout all, ParameterLayout layout, SameDiffLoss loss,
                           String output, String lossName, Map<String, HostTensor> batch,
                           Map<String, HostTensor> constants, double[] point, boolean folded,
                           ModelFootprint footprint) {
        this.graph = graph;
        this.all = all;
        this.layout = layout;
        this.loss = loss;
        this.output = output;
        this.lossName = lossName;
        this.batch = batch;
        this.constants = constants;
        this.folded = folded;
        this.footprint = footprint;
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
        return build(model, batch, weights, head, output, subset, true, MemoryGuard.NONE);
    }

    /**
     * @param guard checks the memory the model will need ({@link ModelFootprint}) before any of it is translated or
     *              evaluated, and refuses a model the process has no room for
     */
    public static CurvatureModel build(Onnx.ModelProto model, Map<String, HostTensor> batch, WeightBinding weights,
                                       LossHead head, String output, ParameterSubset subset, MemoryGuard guard) {
        return build(model, batch, weights, head, output, subset, true, guard);
    }

    /**
     * @param foldFrozen with a subset, evaluate the part of the graph that depends on no analysed parameter once and
     *                   differentiate only the rest ({@link GraphSplit}); false translates the whole graph (the
     *                   reference the folded model is tested against)
     */
    static CurvatureModel build(Onnx.ModelProto model, Map<String, HostTensor> batch, WeightBinding weights,
                                LossHead head, String output, ParameterSubset subset, boolean foldFrozen,
                                MemoryGuard guard) {
        Set<String> streamed = new LinkedHashSet<>();
        for (String name : weights.trainable()) {
            if (weights.streamed(name)) {
                streamed.add(name);
            }
        }
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (Onnx.TensorProto init : model.getGraph().getInitializerList()) {
            if (weights.trainable().contains(init.getName())) {
                shapes.put(init.getName(), init.getDimsList().stream().mapToLong(Long::longValue).toArray());
            }
        }
        ParameterLayout all = new ParameterLayout(shapes);
        Set<String> selected = subset.select(new ArrayList<>(shapes.keySet()), weights.sources());
        Optional<GraphSplit> split = foldFrozen && !subset.isAll() ? GraphSplit.of(model, selected) : Optional.empty();
        ModelFootprint footprint = new ModelFootprint(all.dimension(), count(shapes, selected),
                split.isPresent() ? count(shapes, initializers(split.get().dependent())) : all.dimension());
        guard.check(footprint, subset);
        TranslatedGraph g;
        if (split.isPresent()) {
            Map<String, FixedValue> frontier = evaluate(split.get(), batch, weights, streamed);
            // the frozen part's graph is unreachable now: collect it, so that ND4J frees its weights' native copies
            System.gc();
            Onnx.ModelProto dependent = split.get().dependent();
            Set<String> read = initializers(dependent);
            g = OnnxGraphTranslator.translate(dependent, batch, weights.values(), intersection(weights.trainable(), read),
                    intersection(streamed, read), frontier);
        } else {
            g = OnnxGraphTranslator.translate(model, batch, weights.values(), weights.trainable(), streamed);
        }
        String out = output != null ? output : g.outputNames().get(0);
        if (!g.outputNames().contains(out)) {
            throw new CurvatureException("the model has no output named '" + out + "'; outputs: " + g.outputNames());
        }
        String lossName = head.attach(g, out, batch.get("target"));
        fill(g, weights, streamed);
        ParameterLayout layout = all.restrictedTo(selected);
        return new CurvatureModel(g, all, layout, new SameDiffLoss(g, lossName, batch, layout), out, lossName, batch,
                constants(weights), null, split.isPresent(), footprint);
    }

    /** Elements of the trainable parameters among {@code names}. */
    private static long count(Map<String, long[]> shapes, Set<String> names) {
        long n = 0;
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            if (names.contains(e.getKey())) {
                n += HostTensor.numel(e.getValue());
            }
        }
        return n;
    }

    /**
     * One forward pass of the split's frozen part at the checkpoint's weights: its frontier values, for the dependent
     * part to read as constants. The frozen part's graph, and with it the native copies of its weights, is garbage
     * once this returns.
     */
    private static Map<String, FixedValue> evaluate(GraphSplit split, Map<String, HostTensor> batch,
                                                    WeightBinding weights, Set<String> streamed) {
        Set<String> read = initializers(split.frozen());
        TranslatedGraph g = OnnxGraphTranslator.translate(split.frozen(), batch, weights.values(),
                intersection(weights.trainable(), read), intersection(streamed, read));
        fill(g, weights, streamed);
        Map<String, INDArray> feeds = new HashMap<>();
        g.placeholders().forEach((onnx, sdName) -> feeds.put(sdName, OnnxGraphTranslator.array(batch.get(onnx))));
        Map<String, String> computed = new LinkedHashMap<>();
        for (String name : split.frontier()) {
            if (!g.value(name).isKnown()) {
                computed.put(name, g.sameDiffName(name));
            }
        }
        Map<String, INDArray> values = computed.isEmpty() ? Map.of()
                : g.sameDiff().output(feeds, computed.values().toArray(new String[0]));
        Map<String, FixedValue> out = new LinkedHashMap<>();
        for (String name : split.frontier()) {
            OnnxValue v = g.value(name);
            INDArray a = v.isKnown() ? OnnxGraphTranslator.array(v.host()) : values.get(computed.get(name));
            out.put(name, new FixedValue(a, v.shape(), v.host()));
        }
        return out;
    }

    private static Set<String> initializers(Onnx.ModelProto model) {
        Set<String> out = new LinkedHashSet<>();
        model.getGraph().getInitializerList().forEach(t -> out.add(t.getName()));
        return out;
    }

    private static Set<String> intersection(Set<String> a, Set<String> b) {
        Set<String> out = new LinkedHashSet<>(a);
        out.retainAll(b);
        return out;
    }

    /**
     * This model (graph, loss head, gradient graph: the costly part, built once) at another checkpoint's weights,
     * or empty when that checkpoint's non-trainable values (kept in the graph as constants, e.g. BatchNorm running
     * statistics) differ from the ones the graph was built with, or when the graph holds the frozen part of a subset
     * as constants (they are the previous checkpoint's values), and a new build is needed.
     */
    public Optional<CurvatureModel> at(WeightBinding weights) {
        if (folded || !constants(weights).equals(constants)) {
            return Optional.empty();
        }
        fill(graph, weights, null);
        return Optional.of(new CurvatureModel(graph, all, layout, loss, output, lossName, batch, constants, null,
                false, footprint));
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
                batch, constants, p, folded, footprint);
    }

    /** Writes this model's point back into the graph (after evaluations elsewhere moved its parameters). */
    public void restore() {
        loss.write(point);
    }

    /** Writes every variable's checkpoint value into the graph; {@code only} limits it to those names (null: all). */
    private static void fill(TranslatedGraph g, WeightBinding weights, Set<String> only) {
        for (Map.Entry<String, String> v : g.variables().entrySet()) {
            if (only != null && !only.contains(v.getKey())) {
                continue;
            }
            java.nio.DoubleBuffer b = SameDiffLoss.buffer(g.sameDiff().getArrForVarName(v.getValue()));
            try {
                weights.writeInto(v.getKey(), b);
            } catch (IOException e) {
                throw new UncheckedIOException("reading parameter " + v.getKey() + " from the checkpoint", e);
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

    /** The parameter counts its memory need follows: the model's, the analysed and the differentiated ones. */
    public ModelFootprint footprint() {
        return footprint;
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
