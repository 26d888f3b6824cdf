package dev.landscape.demo.training;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A classification task with a known answer, from a fixed seed: inputs are standard normal, labels are the argmax of
 * a random "teacher" tanh network, so a student MLP can fit them but not trivially (the boundary is curved). One
 * shard per rank, as a distributed sampler splits a dataset, and a held-out eval batch for tier 2.
 */
final class SyntheticData {

    /** Samples of one shard: inputs {@code [n, inputs]} (float32) and class labels. */
    record Batch(INDArray inputs, int[] labels) {
        int size() {
            return labels.length;
        }

        /** One-hot targets {@code [n, classes]}, float32. */
        INDArray oneHot(int classes) {
            INDArray out = Nd4j.zeros(DataType.FLOAT, labels.length, classes);
            for (int i = 0; i < labels.length; i++) {
                out.putScalar(i, labels[i], 1f);
            }
            return out;
        }
    }

    private static final int TEACHER_HIDDEN = 8;

    private final List<Batch> shards;
    private final Batch eval;

    SyntheticData(TrainingConfig c) {
        Random r = new Random(c.seed());
        double[][] w1 = gaussian(r, TEACHER_HIDDEN, c.inputs(), 2.0 / Math.sqrt(c.inputs()));
        double[][] w2 = gaussian(r, c.classes(), TEACHER_HIDDEN, 1.0);
        List<Batch> s = new ArrayList<>();
        for (int rank = 0; rank < c.ranks(); rank++) {
            s.add(sample(r, c.samplesPerRank(), c.inputs(), w1, w2));
        }
        shards = List.copyOf(s);
        eval = sample(r, c.evalSamples(), c.inputs(), w1, w2);
    }

    Batch shard(int rank) {
        return shards.get(rank);
    }

    Batch eval() {
        return eval;
    }

    private static Batch sample(Random r, int n, int inputs, double[][] w1, double[][] w2) {
        float[] x = new float[n * inputs];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            double[] xi = new double[inputs];
            for (int j = 0; j < inputs; j++) {
                xi[j] = (float) r.nextGaussian();
                x[i * inputs + j] = (float) xi[j];
            }
            double[] h = new double[w1.length];
            for (int k = 0; k < w1.length; k++) {
                double a = 0;
                for (int j = 0; j < inputs; j++) {
                    a += w1[k][j] * xi[j];
                }
                h[k] = Math.tanh(a);
            }
            int best = 0;
            double bestLogit = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < w2.length; c++) {
                double logit = 0;
                for (int k = 0; k < h.length; k++) {
                    logit += w2[c][k] * h[k];
                }
                if (logit > bestLogit) {
                    bestLogit = logit;
                    best = c;
                }
            }
            y[i] = best;
        }
        return new Batch(Nd4j.create(x, new long[] {n, inputs}, DataType.FLOAT), y);
    }

    private static double[][] gaussian(Random r, int rows, int cols, double scale) {
        double[][] m = new double[rows][cols];
        for (double[] row : m) {
            for (int j = 0; j < cols; j++) {
                row[j] = scale * r.nextGaussian();
            }
        }
        return m;
    }
}
