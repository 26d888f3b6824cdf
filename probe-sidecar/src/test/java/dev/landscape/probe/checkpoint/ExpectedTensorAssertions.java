package dev.landscape.probe.checkpoint;

import dev.landscape.probe.testing.Fixtures.ExpectedTensor;

import java.io.IOException;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Compares an opened checkpoint with EXPECTED.json: names, dtypes, shapes, L2 over finite elements, non-finite counts. */
final class ExpectedTensorAssertions {

    private ExpectedTensorAssertions() {
    }

    static void assertMatches(String where, Checkpoint cp, Map<String, ExpectedTensor> expected) throws IOException {
        assertThat(cp.tensors()).extracting(t -> t.info().name()).as(where).containsExactlyInAnyOrderElementsOf(expected.keySet());
        for (Tensor t : cp.tensors()) {
            ExpectedTensor e = expected.get(t.info().name());
            assertThat(t.info().dtype().name()).as(where + " " + e.name()).isEqualTo(e.dtype());
            assertThat(t.info().shape()).as(where + " " + e.name()).containsExactly(e.shape());
            double sum = 0;
            long nonFinite = 0;
            for (double v : values(t)) {
                if (Double.isFinite(v)) {
                    sum += v * v;
                } else {
                    nonFinite++;
                }
            }
            assertThat(Math.sqrt(sum)).as(where + " " + e.name() + " l2").isCloseTo(e.l2(), within(1e-9 * Math.max(1, e.l2())));
            assertThat(nonFinite).as(where + " " + e.name() + " nonFinite").isEqualTo(e.nonFinite());
        }
    }

    static double[] values(Tensor t) throws IOException {
        double[] out = new double[(int) t.info().numel()];
        try (ElementStream s = t.open()) {
            int pos = 0;
            int n;
            while (pos < out.length && (n = s.read(out, pos, Math.min(7, out.length - pos))) > 0) {
                pos += n;
            }
            assertThat(pos).as(t.info().name() + " elements").isEqualTo(out.length);
            assertThat(s.read(new double[1], 0, 1)).as(t.info().name() + " end of stream").isEqualTo(-1);
        }
        return out;
    }
}
