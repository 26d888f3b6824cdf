package dev.landscape.probe.curvature;

import onnx.Onnx;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import static dev.landscape.probe.curvature.TorchStyleGraph.attr;

/**
 * A GPT-2-shaped language model as {@code torch.onnx.export(GPT2LMHeadModel, ..., opset_version=17,
 * do_constant_folding=False)} writes it: token + position embeddings (Gather; position ids from Shape/Gather/Range),
 * pre-LayerNorm blocks whose Conv1D layers are Reshape/Gemm/Reshape, heads split with Split/Reshape/Transpose, causal
 * self-attention in the exporter's {@code scaled_dot_product_attention(is_causal=True)} pattern (scale from
 * Shape/Slice/Cast/Sqrt/Div, mask from Shape/Slice/Concat/Expand/Trilu/Equal/Where), GPT-2's tanh GELU written
 * out, a final LayerNorm and the LM head tied to the token embedding (MatMul with the transposed {@code wte}).
 * With {@code labels} the graph also computes Hugging Face's loss: logits and labels shifted by one (Slice),
 * flattened, {@code SoftmaxCrossEntropyLoss(ignore_index=-100)}.
 *
 * <p>Parameter names are Hugging Face's ({@code transformer.h.0.attn.c_attn.weight}, Conv1D weights stored
 * [in, out]). {@link Config#gpt2Small} is GPT-2 small, 124,439,808 parameters; tests use tiny configurations.
 */
public final class GptModel {

    /**
     * @param vocab     vocabulary size (50257 for GPT-2)
     * @param positions rows of the position embedding (1024)
     * @param embd      hidden size (768)
     * @param inner     MLP width (Hugging Face's n_inner; 4 x embd = 3072 for GPT-2)
     * @param layers    blocks (12)
     * @param heads     attention heads (12)
     * @param batch     sequences in the eval batch
     * @param seq       tokens per sequence (at most {@code positions})
     */
    public record Config(int vocab, int positions, int embd, int inner, int layers, int heads, int batch, int seq) {

        public Config {
            if (embd % heads != 0 || seq > positions) {
                throw new IllegalArgumentException("heads must divide embd and seq must not exceed positions");
            }
        }

        public static Config gpt2Small(int batch, int seq) {
            return new Config(50257, 1024, 768, 3072, 12, 12, batch, seq);
        }

        /** Every parameter's Hugging Face name and shape, in graph order. */
        public Map<String, long[]> parameters() {
            Map<String, long[]> p = new LinkedHashMap<>();
            p.put("transformer.wte.weight", new long[] {vocab, embd});
            p.put("transformer.wpe.weight", new long[] {positions, embd});
            for (int i = 0; i < layers; i++) {
                String b = "transformer.h." + i + ".";
                p.put(b + "ln_1.weight", new long[] {embd});
                p.put(b + "ln_1.bias", new long[] {embd});
                p.put(b + "attn.c_attn.weight", new long[] {embd, 3L * embd});
                p.put(b + "attn.c_attn.bias", new long[] {3L * embd});
                p.put(b + "attn.c_proj.weight", new long[] {embd, embd});
                p.put(b + "attn.c_proj.bias", new long[] {embd});
                p.put(b + "ln_2.weight", new long[] {embd});
                p.put(b + "ln_2.bias", new long[] {embd});
                p.put(b + "mlp.c_fc.weight", new long[] {embd, inner});
                p.put(b + "mlp.c_fc.bias", new long[] {inner});
                p.put(b + "mlp.c_proj.weight", new long[] {inner, embd});
                p.put(b + "mlp.c_proj.bias", new long[] {embd});
            }
            p.put("transformer.ln_f.weight", new long[] {embd});
            p.put("transformer.ln_f.bias", new long[] {embd});
            return p;
        }

        public long parameterCount() {
            return parameters().values().stream().mapToLong(HostTensor::numel).sum();
        }
    }

    private GptModel() {
    }

    /**
     * The exported graph: input {@code input_ids} [batch, seq] (INT64), output {@code logits} [batch, seq, vocab];
     * with {@code withLoss} also input {@code labels} [batch, seq] and output {@code loss} (scalar).
     */
    public static Onnx.ModelProto graph(Config c, boolean withLoss) {
        TorchStyleGraph g = new TorchStyleGraph("main_graph");
        String ids = g.input("input_ids", Onnx.TensorProto.DataType.INT64, c.batch(), c.seq());
        String labels = withLoss ? g.input("labels", Onnx.TensorProto.DataType.INT64, c.batch(), c.seq()) : null;
        c.parameters().forEach(g::parameter);
        long d = c.embd();

        g.scope("/transformer");
        String seqLen = g.node("Gather", new String[] {g.op("Shape", ids), g.scalarInt(-1)}, attr("axis", 0L));
        String flatIds = g.op("Reshape", ids, g.node("Concat", new String[] {g.ints(-1),
                g.op("Unsqueeze", seqLen, g.ints(0))}, attr("axis", 0L)));
        String positions = g.op("Unsqueeze", g.op("Range", g.scalarInt(0), g.op("Add", seqLen, g.scalarInt(0)),
                g.scalarInt(1)), g.ints(0));
        g.scope("/transformer/wte");
        String tokens = g.node("Gather", new String[] {"transformer.wte.weight", flatIds});
        g.scope("/transformer/wpe");
        String pos = g.node("Gather", new String[] {"transformer.wpe.weight", positions});
        g.scope("/transformer");
        String h = g.op("Add", tokens, pos);

        for (int i = 0; i < c.layers(); i++) {
            String s = "/transformer/h." + i;
            String p = "transformer.h." + i + ".";
            g.scope(s + "/ln_1");
            String x = layerNorm(g, h, p + "ln_1");
            String qkv = conv1d(g, s + "/attn/c_attn", x, p + "attn.c_attn", 3 * d);
            g.scope(s + "/attn");
            String[] split = g.ops("Split", 3, new String[] {qkv, g.ints(d, d, d)}, attr("axis", 2L));
            String q = splitHeads(g, split[0], c.heads(), d / c.heads());
            String k = splitHeads(g, split[1], c.heads(), d / c.heads());
            String v = splitHeads(g, split[2], c.heads(), d / c.heads());
            String attn = causalAttention(g, q, k, v);
            g.scope(s + "/attn");
            String merged = g.node("Transpose", new String[] {attn}, attr("perm", 0, 2, 1, 3));
            String mergedShape = g.node("Concat", new String[] {g.op("Slice", g.op("Shape", merged), g.ints(0),
                    g.ints(-2), g.ints(0)), g.ints(d)}, attr("axis", 0L));
            String a = conv1d(g, s + "/attn/c_proj", g.op("Reshape", merged, mergedShape), p + "attn.c_proj", d);
            g.scope(s);
            h = g.op("Add", a, h);
            g.scope(s + "/ln_2");
            String y = layerNorm(g, h, p + "ln_2");
            String fc = conv1d(g, s + "/mlp/c_fc", y, p + "mlp.c_fc", c.inner());
            String act = newGelu(g, s + "/mlp/act", fc);
            String m = conv1d(g, s + "/mlp/c_proj", act, p + "mlp.c_proj", d);
            g.scope(s);
            h = g.op("Add", h, m);
        }
        g.scope("/transformer/ln_f");
        h = layerNorm(g, h, "transformer.ln_f");
        g.scope("/transformer");
        h = g.op("Reshape", h, g.node("Concat", new String[] {g.ints(-1), g.op("Unsqueeze", seqLen, g.ints(0)),
                g.ints(d)}, attr("axis", 0L)));
        g.scope("/lm_head");
        String logits = g.op("MatMul", h, g.node("Transpose", new String[] {"transformer.wte.weight"}, attr("perm", 1, 0)));
        g.output(logits, Onnx.TensorProto.DataType.FLOAT, c.batch(), c.seq(), c.vocab());
        if (withLoss) {
            g.scope("");
            String shiftLogits = g.op("Slice", logits, g.ints(0), g.ints(-1), g.ints(1), g.ints(1));
            String shiftLabels = g.op("Slice", labels, g.ints(1), g.ints(TorchStyleGraph.OPEN_END), g.ints(1), g.ints(1));
            String flatLogits = g.op("Reshape", shiftLogits, g.node("Concat", new String[] {g.ints(-1),
                    g.op("Unsqueeze", g.node("Gather", new String[] {g.op("Shape", shiftLogits), g.scalarInt(-1)},
                            attr("axis", 0L)), g.ints(0))}, attr("axis", 0L)));
            String flatLabels = g.op("Reshape", shiftLabels, g.ints(-1));
            String loss = g.node("SoftmaxCrossEntropyLoss", new String[] {flatLogits, flatLabels},
                    attr("reduction", "mean"), attr("ignore_index", -100L));
            g.output(loss, Onnx.TensorProto.DataType.FLOAT);
        }
        return g.model();
    }

    /** The export's output names: logits, and the loss when built with labels. */
    public static String logitsName() {
        return "/lm_head/MatMul_output_0";
    }

    public static String lossName() {
        return "/SoftmaxCrossEntropyLoss_output_0";
    }

    static String layerNorm(TorchStyleGraph g, String x, String prefix) {
        return g.node("LayerNormalization", new String[] {x, prefix + ".weight", prefix + ".bias"},
                attr("axis", -1L), attr("epsilon", 1e-5));
    }

    /** GPT-2's Conv1D: {@code addmm(bias, x.view(-1, x.size(-1)), weight).view(x.size()[:-1] + (nf,))}. */
    private static String conv1d(TorchStyleGraph g, String scope, String x, String prefix, long nf) {
        g.scope(scope);
        String outShape = g.node("Concat", new String[] {g.op("Slice", g.op("Shape", x), g.ints(0), g.ints(-1),
                g.ints(0)), g.ints(nf)}, attr("axis", 0L));
        String last = g.node("Gather", new String[] {g.op("Shape", x), g.scalarInt(-1)}, attr("axis", 0L));
        String flat = g.op("Reshape", x, g.node("Concat", new String[] {g.ints(-1), g.op("Unsqueeze", last,
                g.ints(0))}, attr("axis", 0L)));
        String y = g.node("Gemm", new String[] {flat, prefix + ".weight", prefix + ".bias"},
                attr("alpha", 1.0), attr("beta", 1.0));
        return g.op("Reshape", y, outShape);
    }

    /** {@code x.view(x.size()[:-1] + (heads, size)).permute(0, 2, 1, 3)}. */
    static String splitHeads(TorchStyleGraph g, String x, long heads, long size) {
        String shape = g.node("Concat", new String[] {g.op("Slice", g.op("Shape", x), g.ints(0), g.ints(-1),
                g.ints(0)), g.ints(heads, size)}, attr("axis", 0L));
        return g.node("Transpose", new String[] {g.op("Reshape", x, shape)}, attr("perm", 0, 2, 1, 3));
    }

    /**
     * The TorchScript exporter's {@code scaled_dot_product_attention(q, k, v, is_causal=True)}: q and k^T each
     * scaled by sqrt(1/sqrt(size)), a causal mask of 0 and -inf added to the scores, softmax, times v.
     */
    private static String causalAttention(TorchStyleGraph g, String q, String k, String v) {
        String last = g.op("Slice", g.op("Shape", q), g.ints(-1), g.ints(TorchStyleGraph.OPEN_END));
        String size = g.node("Cast", new String[] {last}, attr("to", (long) Onnx.TensorProto.DataType.FLOAT.getNumber()));
        String scale = g.node("Cast", new String[] {g.op("Div", g.floats(1.0), g.op("Sqrt", size))},
                attr("to", (long) Onnx.TensorProto.DataType.FLOAT.getNumber()));
        String target = g.op("Slice", g.op("Shape", q), g.ints(-2), g.ints(-1));
        String source = g.op("Slice", g.op("Shape", k), g.ints(-2), g.ints(-1));
        String ones = g.op("Expand", g.floats(1.0), g.node("Concat", new String[] {target, source}, attr("axis", 0L)));
        String lower = g.node("Trilu", new String[] {ones}, attr("upper", 0L));
        String mask = g.op("Where", g.op("Equal", lower, g.floats(0.0)), g.floats(Double.NEGATIVE_INFINITY), g.floats(0.0));
        String kt = g.node("Transpose", new String[] {k}, attr("perm", 0, 1, 3, 2));
        String root = g.op("Sqrt", scale);
        String scores = g.op("MatMul", g.op("Mul", q, root), g.op("Mul", kt, root));
        String probs = g.node("Softmax", new String[] {g.op("Add", scores, mask)}, attr("axis", -1L));
        return g.op("MatMul", probs, v);
    }

    /** GPT-2's NewGELUActivation: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), op by op. */
    private static String newGelu(TorchStyleGraph g, String scope, String x) {
        g.scope(scope);
        String half = g.op("Mul", g.scalar(0.5), x);
        String cube = g.op("Pow", x, g.scalar(3.0));
        String inner = g.op("Add", x, g.op("Mul", g.scalar(0.044715), cube));
        String t = g.op("Tanh", g.op("Mul", g.scalar(Math.sqrt(2.0 / Math.PI)), inner));
        return g.op("Mul", half, g.op("Add", g.scalar(1.0), t));
    }

    /**
     * Weights as GPT-2 initialises them when {@code std} is 0.02 (normal weights, the residual projections scaled by
     * 1/sqrt(2 layers)); LayerNorm scales 1 + N(0, std) and biases N(0, std) rather than exact ones and zeros, so that
     * no parameter sits at a symmetric point. Values are rounded to float, as a float32 checkpoint holds them.
     */
    public static HostTensor weight(Config c, String name, long[] shape, double std, long seed) {
        Random rng = new Random(seed * 31 + name.hashCode());
        double s = name.endsWith("c_proj.weight") ? std / Math.sqrt(2.0 * c.layers()) : std;
        double[] v = new double[Math.toIntExact(HostTensor.numel(shape))];
        boolean scale = name.contains("ln_") && name.endsWith(".weight");
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) ((scale ? 1 : 0) + s * rng.nextGaussian());
        }
        return HostTensor.of(shape, v);
    }

    public static Map<String, HostTensor> weights(Config c, double std, long seed) {
        Map<String, HostTensor> w = new LinkedHashMap<>();
        c.parameters().forEach((n, s) -> w.put(n, weight(c, n, s, std, seed)));
        return w;
    }
}
