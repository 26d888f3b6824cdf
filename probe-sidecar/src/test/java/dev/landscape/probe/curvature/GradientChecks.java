package dev.landscape.probe.curvature;

import dev.landscape.probe.curvature.linalg.Vectors;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The backward pass of a translated graph against central differences of its own forward pass, on up to six random
 * coordinates of every parameter tensor: every op's backward is exercised, at modest cost.
 */
final class GradientChecks {

    private GradientChecks() {
    }

    static void assertMatchesCentralDifferences(String what, CurvatureModel m, Random rng) {
        double[] w = m.point();
        double[] grad = new double[w.length];
        m.loss().lossAndGradient(w, grad);
        double h = 1e-6;
        double worst = 0;
        int worstAt = -1;
        double scale = Vectors.norm(grad) / Math.sqrt(w.length);
        int[] coords = m.layout().slots().stream().flatMapToInt(s -> rng.ints(Math.min(6, s.length()), 0, s.length())
                .map(i -> s.offset() + i)).distinct().toArray();
        for (int i : coords) {
            double[] p = w.clone();
            p[i] += h;
            double up = m.loss().loss(p);
            p[i] -= 2 * h;
            double down = m.loss().loss(p);
            double fd = (up - down) / (2 * h);
            double err = Math.abs(fd - grad[i]) / (Math.abs(fd) + scale + 1e-300);
            if (err > worst) {
                worst = err;
                worstAt = i;
            }
        }
        assertThat(worst).as(what + ": worst relative gradient error (coordinate " + worstAt + ")").isLessThan(1e-6);
    }
}
