package dev.landscape.probe.curvature.onnx;

import dev.landscape.probe.curvature.CurvatureException;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.List;
import java.util.Map;

/**
 * A translated ONNX graph: the SameDiff graph plus how ONNX names map onto it. {@code placeholders} are the float
 * graph inputs to feed, {@code variables} the trainable initializers (ONNX name to SameDiff name, in graph order).
 */
public final class TranslatedGraph {

    private final SameDiff sd;
    private final Map<String, OnnxValue> values;
    private final Map<String, String> placeholders;
    private final Map<String, String> variables;
    private final Map<String, OnnxValue> outputs;

    TranslatedGraph(SameDiff sd, Map<String, OnnxValue> values, Map<String, String> placeholders,
                    Map<String, String> variables, Map<String, OnnxValue> outputs) {
        this.sd = sd;
        this.values = values;
        this.placeholders = Map.copyOf(placeholders);
        this.variables = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(variables));
        this.outputs = outputs;
    }

    public SameDiff sameDiff() {
        return sd;
    }

    /** ONNX input name to SameDiff placeholder name. */
    public Map<String, String> placeholders() {
        return placeholders;
    }

    /** ONNX initializer name to SameDiff variable name, for the trainable parameters. */
    public Map<String, String> variables() {
        return variables;
    }

    public List<String> outputNames() {
        return List.copyOf(outputs.keySet());
    }

    /** SameDiff name of an ONNX value. */
    public String sameDiffName(String onnxName) {
        return value(onnxName).var().name();
    }

    public long[] shape(String onnxName) {
        return value(onnxName).shape();
    }

    public OnnxValue value(String onnxName) {
        OnnxValue v = values.get(onnxName);
        if (v == null) {
            throw new CurvatureException("the graph has no value named '" + onnxName + "'");
        }
        return v;
    }
}
