package dev.landscape.probe.curvature;

import onnx.Onnx;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import static dev.landscape.probe.curvature.TorchStyleGraph.attr;

/**
 * A BERT-style masked language model as {@code torch.onnx.export(BertForMaskedLM, ..., opset_version=17,
 * do_constant_folding=False)} writes Hugging Face's eager implementation: word + token-type + position embeddings
 * (Gather; token types and positions sliced from the model's integer buffers and expanded to the batch), the padding
 * mask {@code (1 - attention_mask[:, None, None, :]) * finfo(float32).min} added to the scores (Slice, Unsqueeze,
 * Cast, Sub, Mul), post-LayerNorm blocks whose {@code nn.Linear}s on 3-D inputs are MatMul with a transposed weight
 * plus Add, heads split with Shape/Slice/Concat/Reshape/Transpose, exact GELU written out with Erf, the MLM head
 * (dense, GELU, LayerNorm, decoder tied to the word embedding) and the loss: flattened logits and labels into
 * {@code SoftmaxCrossEntropyLoss(ignore_index=-100)}.
 *
 * <p>Parameter and buffer names are Hugging Face's ({@code bert.encoder.layer.0.attention.self.query.weight},
 * {@code cls.predictions.bias}, buffers {@code bert.embeddings.position_ids} and {@code .token_type_ids}).
 */
public final class BertModel {

    /** Float32's most negative value, which Hugging Face adds to the scores of padded keys. */
    static final double FLOAT_MIN = -3.4028234663852886e38;

    /**
     * @param vocab     vocabulary size (30522 for bert-base-uncased)
     * @param positions rows of the position embedding (512)
     * @param types     token types (2)
     * @param hidden    hidden size (768)
     * @param inner     intermediate size (3072)
     * @param layers    encoder layers (12)
     * @param heads     attention heads (12)
     * @param batch     sequences in the eval batch
     * @param seq       tokens per sequence
     */
    public record Config(int vocab, int positions, int types, int hidden, int inner, int layers, int heads,
                         int batch, int seq) {

        public Config {
            if (hidden % heads != 0 || seq > positions) {
                throw new IllegalArgumentException("heads must divide hidden and seq must not exceed positions");
            }
        }

        public Map<String, long[]> parameters() {
            Map<String, long[]> p = new LinkedHashMap<>();
            p.put("bert.embeddings.word_embeddings.weight", new long[] {vocab, hidden});
            p.put("bert.embeddings.position_embeddings.weight", new long[] {positions, hidden});
            p.put("bert.embeddings.token_type_embeddings.weight", new long[] {types, hidden});
            p.put("bert.embeddings.LayerNorm.weight", new long[] {hidden});
            p.put("bert.embeddings.LayerNorm.bias", new long[] {hidden});
            for (int i = 0; i < layers; i++) {
                String b = "bert.encoder.layer." + i + ".";
                for (String m : new String[] {"attention.self.query", "attention.self.key", "attention.self.value",
                        "attention.output.dense"}) {
                    p.put(b + m + ".weight", new long[] {hidden, hidden});
                    p.put(b + m + ".bias", new long[] {hidden});
                }
                p.put(b + "attention.output.LayerNorm.weight", new long[] {hidden});
                p.put(b + "attention.output.LayerNorm.bias", new long[] {hidden});
                p.put(b + "intermediate.dense.weight", new long[] {inner, hidden});
                p.put(b + "intermediate.dense.bias", new long[] {inner});
                p.put(b + "output.dense.weight", new long[] {hidden, inner});
                p.put(b + "output.dense.bias", new long[] {hidden});
                p.put(b + "output.LayerNorm.weight", new long[] {hidden});
                p.put(b + "output.LayerNorm.bias", new long[] {hidden});
            }
            p.put("cls.predictions.bias", new long[] {vocab});
            p.put("cls.predictions.transform.dense.weight", new long[] {hidden, hidden});
            p.put("cls.predictions.transform.dense.bias", new long[] {hidden});
            p.put("cls.predictions.transform.LayerNorm.weight", new long[] {hidden});
            p.put("cls.predictions.transform.LayerNorm.bias", new long[] {hidden});
            return p;
        }
    }

    private BertModel() {
    }

    /**
     * Inputs {@code input_ids}, {@code attention_mask} and {@code labels} [batch, seq] (INT64); outputs the
     * prediction scores [batch, seq, vocab] ({@link #scoresName()}) and the loss ({@link #lossName()}).
     */
    public static Onnx.ModelProto graph(Config c) {
        TorchStyleGraph g = new TorchStyleGraph("main_graph");
        String ids = g.input("input_ids", Onnx.TensorProto.DataType.INT64, c.batch(), c.seq());
        String mask = g.input("attention_mask", Onnx.TensorProto.DataType.INT64, c.batch(), c.seq());
        String labels = g.input("labels", Onnx.TensorProto.DataType.INT64, c.batch(), c.seq());
        c.parameters().forEach(g::parameter);
        long[] positions = new long[c.positions()];
        for (int i = 0; i < positions.length; i++) {
            positions[i] = i;
        }
        g.buffer("bert.embeddings.position_ids", new long[] {1, c.positions()}, positions);
        g.buffer("bert.embeddings.token_type_ids", new long[] {1, c.positions()}, new long[c.positions()]);
        long d = c.hidden();

        g.scope("/bert");
        String shape = g.op("Shape", ids);
        String batch = g.node("Gather", new String[] {shape, g.scalarInt(0)}, attr("axis", 0L));
        String seq = g.node("Gather", new String[] {shape, g.scalarInt(1)}, attr("axis", 0L));
        String types = g.op("Slice", "bert.embeddings.token_type_ids", g.ints(0), g.op("Unsqueeze", seq, g.ints(0)),
                g.ints(1));
        types = g.op("Expand", types, g.node("Concat", new String[] {g.op("Unsqueeze", batch, g.ints(0)),
                g.op("Unsqueeze", seq, g.ints(0))}, attr("axis", 0L)));
        String ext = g.op("Slice", mask, g.ints(0), g.ints(TorchStyleGraph.OPEN_END), g.ints(0), g.ints(1));
        ext = g.op("Unsqueeze", g.op("Unsqueeze", ext, g.ints(1)), g.ints(2));
        ext = g.node("Cast", new String[] {ext}, attr("to", (long) Onnx.TensorProto.DataType.FLOAT.getNumber()));
        ext = g.op("Mul", g.op("Sub", g.scalar(1.0), ext), g.scalar(FLOAT_MIN));

        g.scope("/bert/embeddings");
        String pos = g.op("Slice", "bert.embeddings.position_ids", g.ints(0), g.op("Unsqueeze",
                g.op("Add", seq, g.scalarInt(0)), g.ints(0)), g.ints(1));
        String e = g.op("Add", g.op("Gather", "bert.embeddings.word_embeddings.weight", ids),
                g.op("Gather", "bert.embeddings.token_type_embeddings.weight", types));
        e = g.op("Add", e, g.op("Gather", "bert.embeddings.position_embeddings.weight", pos));
        String h = layerNorm(g, e, "bert.embeddings.LayerNorm");

        for (int i = 0; i < c.layers(); i++) {
            String s = "/bert/encoder/layer." + i;
            String p = "bert.encoder.layer." + i + ".";
            g.scope(s + "/attention/self");
            String q = GptModel.splitHeads(g, linear(g, s + "/attention/self/query", h, p + "attention.self.query"),
                    c.heads(), d / c.heads());
            String k = GptModel.splitHeads(g, linear(g, s + "/attention/self/key", h, p + "attention.self.key"),
                    c.heads(), d / c.heads());
            String v = GptModel.splitHeads(g, linear(g, s + "/attention/self/value", h, p + "attention.self.value"),
                    c.heads(), d / c.heads());
            g.scope(s + "/attention/self");
            String scores = g.op("MatMul", q, g.node("Transpose", new String[] {k}, attr("perm", 0, 1, 3, 2)));
            scores = g.op("Add", g.op("Div", scores, g.scalar(Math.sqrt(d / c.heads()))), ext);
            String probs = g.node("Softmax", new String[] {scores}, attr("axis", -1L));
            String ctx = g.node("Transpose", new String[] {g.op("MatMul", probs, v)}, attr("perm", 0, 2, 1, 3));
            ctx = g.op("Reshape", ctx, g.node("Concat", new String[] {g.op("Slice", g.op("Shape", ctx), g.ints(0),
                    g.ints(-2), g.ints(0)), g.ints(d)}, attr("axis", 0L)));
            String a = linear(g, s + "/attention/output/dense", ctx, p + "attention.output.dense");
            g.scope(s + "/attention/output/LayerNorm");
            h = layerNorm(g, g.op("Add", a, h), p + "attention.output.LayerNorm");
            String f = gelu(g, s + "/intermediate/intermediate_act_fn",
                    linear(g, s + "/intermediate/dense", h, p + "intermediate.dense"));
            String o = linear(g, s + "/output/dense", f, p + "output.dense");
            g.scope(s + "/output/LayerNorm");
            h = layerNorm(g, g.op("Add", o, h), p + "output.LayerNorm");
        }
        String t = gelu(g, "/cls/predictions/transform/transform_act_fn",
                linear(g, "/cls/predictions/transform/dense", h, "cls.predictions.transform.dense"));
        g.scope("/cls/predictions/transform/LayerNorm");
        t = layerNorm(g, t, "cls.predictions.transform.LayerNorm");
        g.scope("/cls/predictions/decoder");
        String logits = g.op("Add", "cls.predictions.bias", g.op("MatMul", t, g.node("Transpose",
                new String[] {"bert.embeddings.word_embeddings.weight"}, attr("perm", 1, 0))));
        g.output(logits, Onnx.TensorProto.DataType.FLOAT, c.batch(), c.seq(), c.vocab());
        g.scope("");
        String loss = g.node("SoftmaxCrossEntropyLoss", new String[] {g.op("Reshape", logits, g.ints(-1, c.vocab())),
                g.op("Reshape", labels, g.ints(-1))}, attr("reduction", "mean"), attr("ignore_index", -100L));
        g.output(loss, Onnx.TensorProto.DataType.FLOAT);
        return g.model();
    }

    public static String scoresName() {
        return "/cls/predictions/decoder/Add_output_0";
    }

    public static String lossName() {
        return "/SoftmaxCrossEntropyLoss_output_0";
    }

    private static String layerNorm(TorchStyleGraph g, String x, String prefix) {
        return g.node("LayerNormalization", new String[] {x, prefix + ".weight", prefix + ".bias"},
                attr("axis", -1L), attr("epsilon", 1e-12));
    }

    /** {@code nn.Linear} on a 3-D input as the exporter writes it: Add(bias, MatMul(x, Transpose(weight))). */
    private static String linear(TorchStyleGraph g, String scope, String x, String prefix) {
        g.scope(scope);
        String wt = g.node("Transpose", new String[] {prefix + ".weight"}, attr("perm", 1, 0));
        return g.op("Add", prefix + ".bias", g.op("MatMul", x, wt));
    }

    /** The exporter's exact GELU: x (erf(x / sqrt 2) + 1) 0.5. */
    private static String gelu(TorchStyleGraph g, String scope, String x) {
        g.scope(scope);
        String erf = g.op("Erf", g.op("Div", x, g.scalar(Math.sqrt(2))));
        return g.op("Mul", g.op("Mul", x, g.op("Add", erf, g.scalar(1.0))), g.scalar(0.5));
    }

    /**
     * Weights drawn from N(0, std) (LayerNorm scales 1 + N(0, std)), rounded to float as a float32 checkpoint
     * holds them.
     */
    public static Map<String, HostTensor> weights(Config c, double std, long seed) {
        Map<String, HostTensor> w = new LinkedHashMap<>();
        c.parameters().forEach((name, shape) -> {
            Random rng = new Random(seed * 31 + name.hashCode());
            double[] v = new double[Math.toIntExact(HostTensor.numel(shape))];
            boolean scale = name.contains("LayerNorm.weight");
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) ((scale ? 1 : 0) + std * rng.nextGaussian());
            }
            w.put(name, HostTensor.of(shape, v));
        });
        return w;
    }
}
