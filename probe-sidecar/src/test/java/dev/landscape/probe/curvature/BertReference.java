package dev.landscape.probe.curvature;

import java.util.Map;

/**
 * BERT's masked-LM loss written out in plain Java from the model's definition (Hugging Face
 * {@code BertForMaskedLM}, eager attention: embeddings + LayerNorm, post-LayerNorm encoder layers with the padding
 * mask added to the scores, exact GELU, MLM head tied to the word embedding, cross-entropy over labelled positions,
 * -100 ignored). Independent of the ONNX graph and its translation. Constants are float32, as in the export.
 */
final class BertReference {

    private static final double EPS = (float) 1e-12;
    private static final double SQRT2 = (float) Math.sqrt(2);

    private final BertModel.Config c;
    private final Map<String, Integer> offsets;
    private final long[] ids;
    private final long[] mask;
    private final long[] labels;

    BertReference(BertModel.Config c, Map<String, Integer> offsets, long[] ids, long[] mask, long[] labels) {
        this.c = c;
        this.offsets = offsets;
        this.ids = ids;
        this.mask = mask;
        this.labels = labels;
    }

    double loss(double[] w) {
        int d = c.hidden();
        int t = c.seq();
        int heads = c.heads();
        int hd = d / heads;
        double scale = (float) Math.sqrt(hd);
        double total = 0;
        int count = 0;
        int word = at("bert.embeddings.word_embeddings.weight");
        for (int b = 0; b < c.batch(); b++) {
            double[][] x = new double[t][d];
            int pos = at("bert.embeddings.position_embeddings.weight");
            int type = at("bert.embeddings.token_type_embeddings.weight");
            for (int i = 0; i < t; i++) {
                int tok = (int) ids[b * t + i];
                for (int j = 0; j < d; j++) {
                    x[i][j] = w[word + tok * d + j] + w[type + j] + w[pos + i * d + j];
                }
            }
            x = GptReference.layerNorm(x, w, at("bert.embeddings.LayerNorm.weight"), at("bert.embeddings.LayerNorm.bias"), EPS);
            for (int l = 0; l < c.layers(); l++) {
                String p = "bert.encoder.layer." + l + ".";
                double[][] q = linear(x, w, p + "attention.self.query", d);
                double[][] k = linear(x, w, p + "attention.self.key", d);
                double[][] v = linear(x, w, p + "attention.self.value", d);
                double[][] o = new double[t][d];
                for (int h = 0; h < heads; h++) {
                    for (int i = 0; i < t; i++) {
                        double[] s = new double[t];
                        double max = Double.NEGATIVE_INFINITY;
                        for (int j = 0; j < t; j++) {
                            double dot = 0;
                            for (int e = 0; e < hd; e++) {
                                dot += q[i][h * hd + e] * k[j][h * hd + e];
                            }
                            s[j] = dot / scale + (1 - mask[b * t + j]) * BertModel.FLOAT_MIN;
                            max = Math.max(max, s[j]);
                        }
                        double z = 0;
                        for (int j = 0; j < t; j++) {
                            s[j] = Math.exp(s[j] - max);
                            z += s[j];
                        }
                        for (int j = 0; j < t; j++) {
                            for (int e = 0; e < hd; e++) {
                                o[i][h * hd + e] += s[j] / z * v[j][h * hd + e];
                            }
                        }
                    }
                }
                double[][] a = linear(o, w, p + "attention.output.dense", d);
                GptReference.add(a, x);
                x = GptReference.layerNorm(a, w, at(p + "attention.output.LayerNorm.weight"),
                        at(p + "attention.output.LayerNorm.bias"), EPS);
                double[][] f = gelu(linear(x, w, p + "intermediate.dense", c.inner()));
                double[][] out = linear(f, w, p + "output.dense", d);
                GptReference.add(out, x);
                x = GptReference.layerNorm(out, w, at(p + "output.LayerNorm.weight"), at(p + "output.LayerNorm.bias"), EPS);
            }
            double[][] tr = gelu(linear(x, w, "cls.predictions.transform.dense", d));
            tr = GptReference.layerNorm(tr, w, at("cls.predictions.transform.LayerNorm.weight"),
                    at("cls.predictions.transform.LayerNorm.bias"), EPS);
            int bias = at("cls.predictions.bias");
            for (int i = 0; i < t; i++) {
                long target = labels[b * t + i];
                if (target == -100) {
                    continue;
                }
                double[] logits = new double[c.vocab()];
                for (int u = 0; u < c.vocab(); u++) {
                    logits[u] = w[bias + u];
                    for (int j = 0; j < d; j++) {
                        logits[u] += tr[i][j] * w[word + u * d + j];
                    }
                }
                total += GptReference.crossEntropy(logits, (int) target);
                count++;
            }
        }
        return total / count;
    }

    private int at(String name) {
        return offsets.get(name);
    }

    /** x W^T + b with W stored [out, in] ({@code nn.Linear}). */
    private double[][] linear(double[][] x, double[] w, String prefix, int out) {
        int weight = at(prefix + ".weight");
        int bias = at(prefix + ".bias");
        int in = x[0].length;
        double[][] y = new double[x.length][out];
        for (int i = 0; i < x.length; i++) {
            for (int o = 0; o < out; o++) {
                double s = w[bias + o];
                for (int k = 0; k < in; k++) {
                    s += x[i][k] * w[weight + o * in + k];
                }
                y[i][o] = s;
            }
        }
        return y;
    }

    private static double[][] gelu(double[][] x) {
        for (double[] row : x) {
            for (int j = 0; j < row.length; j++) {
                row[j] = row[j] * (org.apache.commons.math3.special.Erf.erf(row[j] / SQRT2) + 1) * 0.5;
            }
        }
        return x;
    }
}
