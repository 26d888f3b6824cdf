package dev.landscape.probe.curvature;

import dev.landscape.probe.curvature.linalg.DifferentiableLoss;
import dev.landscape.probe.curvature.onnx.OnnxGraphTranslator;
import dev.landscape.probe.curvature.onnx.TranslatedGraph;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.DoubleBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The loss of a translated graph on one batch, as a function of the flat parameter vector: parameters are written
 * straight into the variables' native DOUBLE buffers, one forward+backward pass runs, gradients are copied out in
 * {@link ParameterLayout} order. Not thread-safe (SameDiff sessions are not).
 */
public final class SameDiffLoss implements DifferentiableLoss {

    /** Elements per chunk when writing a perturbed point. */
    private static final int CHUNK = 1 << 14;

    private final SameDiff sd;
    private final String lossName;
    private final ParameterLayout layout;
    private final Map<String, INDArray> feeds = new HashMap<>();
    private final List<String> sdNames = new ArrayList<>();
    private final List<String> lossOnly;
    private int gradientEvaluations;
    private int lossEvaluations;

    public SameDiffLoss(TranslatedGraph g, String lossName, Map<String, HostTensor> batch, ParameterLayout layout) {
        NativeGarbage.watch();
        this.sd = g.sameDiff();
        this.lossName = lossName;
        this.layout = layout;
        this.lossOnly = List.of(lossName);
        g.placeholders().forEach((onnx, sdName) -> feeds.put(sdName, OnnxGraphTranslator.array(batch.get(onnx))));
        for (ParameterLayout.Slot s : layout.slots()) {
            String name = g.variables().get(s.name());
            if (name == null) {
                throw new CurvatureException("parameter '" + s.name() + "' is not a variable of the graph");
            }
            sdNames.add(name);
        }
    }

    @Override
    public int dimension() {
        return layout.dimension();
    }

    @Override
    public double loss(double[] w) {
        load(w);
        lossEvaluations++;
        Map<String, INDArray> out = sd.output(feeds, lossName);
        double loss = out.get(lossName).getDouble(0);
        free(out.values());
        return loss;
    }

    @Override
    public double lossAndGradient(double[] w, double[] grad) {
        load(w);
        return gradient(grad);
    }

    /** One forward and backward pass at the parameters already in the graph. */
    private double gradient(double[] grad) {
        OutAndGrad r;
        if (gradientEvaluations++ == 0) {
            // The first call builds the gradient graph, and SameDiff 1.0.0-M2.1 prints "Added differentiated op ..."
            // to System.out for every op; keep that off our stdout (the CLI's --json document goes there).
            PrintStream out = System.out;
            System.setOut(new PrintStream(OutputStream.nullOutputStream()));
            try {
                r = sd.calculateGradientsAndOutputs(feeds, lossOnly, sdNames);
            } finally {
                System.setOut(out);
            }
        } else {
            r = sd.calculateGradientsAndOutputs(feeds, lossOnly, sdNames);
        }
        for (int i = 0; i < sdNames.size(); i++) {
            ParameterLayout.Slot s = layout.slots().get(i);
            INDArray g = r.getGradients().get(sdNames.get(i));
            if (g == null) {
                java.util.Arrays.fill(grad, s.offset(), s.offset() + s.length(), 0);
                continue;
            }
            buffer(g.isView() || g.ordering() != 'c' ? g.dup('c') : g).get(grad, s.offset(), s.length());
        }
        double loss = r.getOutputs().get(lossName).getDouble(0);
        free(r.getGradients().values());
        free(r.getOutputs().values());
        return loss;
    }

    /**
     * Frees the native memory of the arrays SameDiff handed back, now that they are copied out, instead of leaving it
     * to the garbage collector ({@link NativeGarbage}).
     */
    private static void free(java.util.Collection<INDArray> arrays) {
        java.util.Set<INDArray> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (INDArray a : arrays) {
            if (a != null && seen.add(a) && a.closeable()) {
                a.close();
            }
        }
    }

    /**
     * The gradient at {@code w0 + t v}, written into the graph element by element without forming that point as a
     * vector (one n-vector less for the finite-difference HVP on a large model).
     */
    @Override
    public double lossAndGradientAlong(double[] w0, double t, double[] v, double[] grad) {
        double[] chunk = new double[Math.min(CHUNK, Math.max(1, w0.length))];
        for (int i = 0; i < sdNames.size(); i++) {
            ParameterLayout.Slot s = layout.slots().get(i);
            DoubleBuffer b = buffer(sd.getArrForVarName(sdNames.get(i)));
            for (int off = 0; off < s.length(); off += chunk.length) {
                int len = Math.min(chunk.length, s.length() - off);
                int base = s.offset() + off;
                for (int j = 0; j < len; j++) {
                    chunk[j] = w0[base + j] + t * v[base + j];
                }
                b.put(chunk, 0, len);
            }
        }
        return gradient(grad);
    }

    /** Writes {@code w} into the graph's parameters (those of this layout). */
    public void write(double[] w) {
        load(w);
    }

    /** The graph's current values of this layout's parameters, flattened. */
    public double[] read() {
        double[] w = new double[layout.dimension()];
        for (int i = 0; i < sdNames.size(); i++) {
            ParameterLayout.Slot s = layout.slots().get(i);
            buffer(sd.getArrForVarName(sdNames.get(i))).get(w, s.offset(), s.length());
        }
        return w;
    }

    /** The values of graph variable {@code name} at {@code w} on the batch (a forward pass), row-major. */
    public double[] forward(double[] w, String name) {
        load(w);
        INDArray a = sd.output(feeds, name).get(name);
        return a.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).dup('c').data().asDouble();
    }

    public int gradientEvaluations() {
        return gradientEvaluations;
    }

    public int lossEvaluations() {
        return lossEvaluations;
    }

    private void load(double[] w) {
        for (int i = 0; i < sdNames.size(); i++) {
            ParameterLayout.Slot s = layout.slots().get(i);
            INDArray arr = sd.getArrForVarName(sdNames.get(i));
            buffer(arr).put(w, s.offset(), s.length());
        }
    }

    /** The array's native storage as a buffer positioned at its first element. */
    static DoubleBuffer buffer(INDArray a) {
        DoubleBuffer b = a.data().asNioDouble();
        b.position((int) a.offset());
        return b;
    }
}
