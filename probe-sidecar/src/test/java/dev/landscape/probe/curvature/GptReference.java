package dev.landscape.probe.curvature;

import java.util.Map;

/**
 * GPT-2's language-model loss written out in plain Java from the model's definition (Hugging Face
 * {@code GPT2LMHeadModel}: pre-LayerNorm blocks, causal attention, tanh GELU, LM head tied to {@code wte},
 * cross-entropy of each position's logits against the next token, labels of -100 ignored). It shares nothing with
 * the ONNX graph or its translation, so curvature measured on the graph can be checked against Hessians of this.
 */
final class GptReference {

    /** The exported graph holds its constants as float32, as PyTorch's float32 model computes with them. */
    private static final double SQRT_2_OVER_PI = (float) Math.sqrt(2 / Math.PI);
    private static final double GELU_CUBIC = (float) 0.044715;
    private static final double EPS = (float) 1e-5;

    private final GptModel.Config c;
    private final Map<String, Integer> offsets;
    private final long[] ids;
    private final long[] labels;

    /**
     * @param offsets where each parameter (by Hugging Face name) starts in the flat vector
     * @param ids     [batch, seq] token ids
     * @param labels  [batch, seq] labels as Hugging Face takes them (the model shifts them), -100 ignored
     */
    GptReference(GptModel.Config c, Map<String, Integer> offsets, long[] ids, long[] labels) {
        this.c = c;
        this.offsets = offsets;
        this.ids = ids;
        this.labels = labels;
    }

    double loss(double[] w) {
        int d = c.embd();
        int t = c.seq();
        int heads = c.heads();
        int hd = d / heads;
        double total = 0;
        int count = 0;
        for (int b = 0; b < c.batch(); b++) {
            double[][] x = new double[t][d];
            int wte = offsets.get("transformer.wte.weight");
            int wpe = offsets.get("transformer.wpe.weight");
            for (int i = 0; i < t; i++) {
                int tok = (int) ids[b * t + i];
                for (int j = 0; j < d; j++) {
                    x[i][j] = w[wte + tok * d + j] + w[wpe + i * d + j];
                }
            }
            for (int l = 0; l < c.layers(); l++) {
                String p = "transformer.h." + l + ".";
                double[][] a = layerNorm(x, w, offsets.get(p + "ln_1.weight"), offsets.get(p + "ln_1.bias"), EPS);
                double[][] qkv = linear(a, w, offsets.get(p + "attn.c_attn.weight"), offsets.get(p + "attn.c_attn.bias"), 3 * d);
                double[][] o = new double[t][d];
                for (int h = 0; h < heads; h++) {
                    for (int i = 0; i < t; i++) {
                        double[] s = new double[i + 1];
                        double max = Double.NEGATIVE_INFINITY;
                        for (int j = 0; j <= i; j++) {
                            double dot = 0;
                            for (int e = 0; e < hd; e++) {
                                dot += qkv[i][h * hd + e] * qkv[j][d + h * hd + e];
                            }
                            s[j] = dot / Math.sqrt(hd);
                            max = Math.max(max, s[j]);
                        }
                        double z = 0;
                        for (int j = 0; j <= i; j++) {
                            s[j] = Math.exp(s[j] - max);
                            z += s[j];
                        }
                        for (int j = 0; j <= i; j++) {
                            for (int e = 0; e < hd; e++) {
                                o[i][h * hd + e] += s[j] / z * qkv[j][2 * d + h * hd + e];
                            }
                        }
                    }
                }
                add(x, linear(o, w, offsets.get(p + "attn.c_proj.weight"), offsets.get(p + "attn.c_proj.bias"), d));
                double[][] m = layerNorm(x, w, offsets.get(p + "ln_2.weight"), offsets.get(p + "ln_2.bias"), EPS);
                double[][] f = linear(m, w, offsets.get(p + "mlp.c_fc.weight"), offsets.get(p + "mlp.c_fc.bias"), c.inner());
                for (double[] row : f) {
                    for (int j = 0; j < row.length; j++) {
                        double v = row[j];
                        row[j] = 0.5 * v * (1 + Math.tanh(SQRT_2_OVER_PI * (v + GELU_CUBIC * v * v * v)));
                    }
                }
                add(x, linear(f, w, offsets.get(p + "mlp.c_proj.weight"), offsets.get(p + "mlp.c_proj.bias"), d));
            }
            double[][] hf = layerNorm(x, w, offsets.get("transformer.ln_f.weight"), offsets.get("transformer.ln_f.bias"), EPS);
            for (int i = 0; i + 1 < t; i++) {
                long target = labels[b * t + i + 1];
                if (target == -100) {
                    continue;
                }
                double[] logits = new double[c.vocab()];
                for (int v = 0; v < c.vocab(); v++) {
                    for (int j = 0; j < d; j++) {
                        logits[v] += hf[i][j] * w[wte + v * d + j];
                    }
                }
                total += crossEntropy(logits, (int) target);
                count++;
            }
        }
        return total / count;
    }

    /** -log softmax(logits)[target], shifted by the largest logit as torch's cross-entropy is. */
    static double crossEntropy(double[] logits, int target) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : logits) {
            max = Math.max(max, v);
        }
        double z = 0;
        for (double v : logits) {
            z += Math.exp(v - max);
        }
        return max + Math.log(z) - logits[target];
    }

    /** x W + b with W stored [in, out] (GPT-2's Conv1D). */
    static double[][] linear(double[][] x, double[] w, int weight, int bias, int out) {
        int in = x[0].length;
        double[][] y = new double[x.length][out];
        for (int i = 0; i < x.length; i++) {
            for (int o = 0; o < out; o++) {
                double s = w[bias + o];
                for (int k = 0; k < in; k++) {
                    s += x[i][k] * w[weight + k * out + o];
                }
                y[i][o] = s;
            }
        }
        return y;
    }

    static double[][] layerNorm(double[][] x, double[] w, int scale, int bias, double eps) {
        int d = x[0].length;
        double[][] y = new double[x.length][d];
        for (int i = 0; i < x.length; i++) {
            double mean = 0;
            for (double v : x[i]) {
                mean += v / d;
            }
            double var = 0;
            for (double v : x[i]) {
                var += (v - mean) * (v - mean) / d;
            }
            for (int j = 0; j < d; j++) {
                y[i][j] = (x[i][j] - mean) / Math.sqrt(var + eps) * w[scale + j] + w[bias + j];
            }
        }
        return y;
    }

    static void add(double[][] x, double[][] y) {
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < x[i].length; j++) {
                x[i][j] += y[i][j];
            }
        }
    }
}
