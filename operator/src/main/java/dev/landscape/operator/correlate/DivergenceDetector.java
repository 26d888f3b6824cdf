package dev.landscape.operator.correlate;

import dev.landscape.operator.correlate.RankTimeline.Sketch;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * WorkerDivergence from the ranks' CountSketch fingerprints. CountSketch is linear and its squared distances are
 * unbiased estimates of squared L2 distances, so ‖S(x_r) − median_r S(x)‖ / ‖x_r‖ estimates how far rank r's copy
 * of a replicated tensor is from the others without moving any tensor.
 *
 * <p>Only comparable evidence is compared: ranks at the same latest step (data-parallel replicas are identical
 * only at the same step), tensors sketched on every one of those ranks with equal seed and width (a tensor
 * present on some ranks only is sharded — ZeRO/FSDP — not replicated). With three or more ranks the elementwise
 * median is a robust reference and the rank furthest from it is named; with two, both are named.
 */
final class DivergenceDetector {

    private DivergenceDetector() {
    }

    /**
     * The largest relative distance found, whatever the threshold.
     *
     * @param group the ranks compared (all at {@code step})
     */
    record Measurement(double worst, RankTimeline culprit, String tensor, List<RankTimeline> group, long step) {
    }

    static List<Finding> detect(List<RankTimeline> ranks, CorrelationThresholds thresholds) {
        java.util.Optional<Measurement> m = measure(ranks);
        if (m.isEmpty() || m.get().worst() < thresholds.divergence()) {
            return List.of();
        }
        return List.of(finding(m.get(), thresholds));
    }

    static java.util.Optional<Measurement> measure(List<RankTimeline> ranks) {
        Map<Long, List<RankTimeline>> byStep = new TreeMap<>();
        for (RankTimeline r : ranks) {
            if (!r.sketches().isEmpty()) {
                byStep.computeIfAbsent(r.sketchStep(), s -> new ArrayList<>()).add(r);
            }
        }
        List<RankTimeline> group = byStep.values().stream().filter(g -> g.size() >= 2)
                .max((a, b) -> a.size() != b.size() ? Integer.compare(a.size(), b.size())
                        : Long.compare(a.get(0).sketchStep(), b.get(0).sketchStep()))
                .orElse(List.of());
        if (group.isEmpty()) {
            return java.util.Optional.empty();
        }
        Map<String, List<Sketch>> byTensor = new HashMap<>();
        for (RankTimeline r : group) {
            for (Sketch s : r.sketches()) {
                byTensor.computeIfAbsent(s.tensor(), t -> new ArrayList<>()).add(s);
            }
        }
        double worst = 0;
        int worstIndex = -1;
        String worstTensor = null;
        for (Map.Entry<String, List<Sketch>> e : byTensor.entrySet()) {
            List<Sketch> sketches = e.getValue();
            if (sketches.size() != group.size() || !comparable(sketches)) {
                continue;
            }
            double[] median = median(sketches);
            for (int i = 0; i < sketches.size(); i++) {
                Sketch s = sketches.get(i);
                double d = distance(s.values(), median) / Math.max(s.norm(), Double.MIN_NORMAL);
                if (d > worst || (d == worst && worstTensor != null && e.getKey().compareTo(worstTensor) < 0)) {
                    worst = d;
                    worstIndex = i;
                    worstTensor = e.getKey();
                }
            }
        }
        if (worstTensor == null) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new Measurement(worst, group.get(worstIndex), worstTensor, group, group.get(0).sketchStep()));
    }

    private static Finding finding(Measurement m, CorrelationThresholds thresholds) {
        RankTimeline culprit = m.culprit();
        List<RankTimeline> group = m.group();
        double worst = m.worst();
        String worstTensor = m.tensor();
        Instant since = culprit.latest().map(RankTimeline.CheckpointPoint::observedAt).orElse(Instant.EPOCH);
        String who = group.size() == 2
                ? "Ranks " + group.get(0).rank() + " and " + group.get(1).rank() + " differ"
                : "Rank " + culprit.rank() + " (pod " + culprit.currentPod() + ") differs from the other " + (group.size() - 1) + " ranks";
        String message = String.format(Locale.ROOT, "%s on replicated tensor %s at step %d: relative distance %.3g (threshold %.3g).",
                who, worstTensor, culprit.sketchStep(), worst, thresholds.divergence());
        return new Finding(Reason.WorkerDivergence, Severity.CRITICAL,
                group.size() == 2 ? OptionalInt.empty() : OptionalInt.of(culprit.rank()), culprit.currentPod(),
                OptionalLong.of(culprit.sketchStep()), since, message, Map.of("relativeDistance", worst));
    }

    private static boolean comparable(List<Sketch> sketches) {
        Sketch first = sketches.get(0);
        return sketches.stream().allMatch(s -> s.seed() == first.seed() && s.values().length == first.values().length);
    }

    private static double[] median(List<Sketch> sketches) {
        int width = sketches.get(0).values().length;
        double[] out = new double[width];
        double[] column = new double[sketches.size()];
        for (int j = 0; j < width; j++) {
            for (int i = 0; i < column.length; i++) {
                column[i] = sketches.get(i).values()[j];
            }
            Arrays.sort(column);
            int n = column.length;
            out[j] = n % 2 == 1 ? column[n / 2] : 0.5 * (column[n / 2 - 1] + column[n / 2]);
        }
        return out;
    }

    private static double distance(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - b[i];
            sum += d * d;
        }
        return Math.sqrt(sum);
    }
}
