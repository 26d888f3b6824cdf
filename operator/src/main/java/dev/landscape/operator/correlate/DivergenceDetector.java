package dev.landscape.operator.correlate;

import dev.landscape.contract.Severity;
import dev.landscape.contract.Reason;
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

    /**
     * The divergence measured now, and any raised before that the present evidence cannot confirm or clear. Ranks
     * reach a step one after another, and only ranks at the same step are compared, so between two checkpoints the
     * rank that diverged is often not in the group compared (it is a step ahead or behind). A finding is therefore
     * cleared only when its rank was compared again and found within the threshold; until then it stands, with its
     * original start. Without this the finding, its condition, Events and alert flapped at every checkpoint.
     *
     * @param previous active findings of the last evaluation, by {@link Correlator#identity}
     */
    static List<CorrelatedFinding> detect(List<RankTimeline> ranks, CorrelationThresholds thresholds,
                                Map<String, FirstSeen> previous) {
        java.util.Optional<Measurement> m = measure(ranks);
        List<CorrelatedFinding> out = new ArrayList<>();
        OptionalInt flagged = OptionalInt.empty();
        if (m.isPresent() && m.get().worst() >= thresholds.divergence()) {
            CorrelatedFinding now = finding(m.get(), thresholds, flaggedBefore(m.get().group(), previous));
            out.add(now);
            flagged = now.rank();
        }
        for (RankTimeline r : ranks) {
            FirstSeen first = previous.get(Correlator.identity(Reason.WorkerDivergence, OptionalInt.of(r.rank())));
            boolean comparedAgain = m.isPresent() && m.get().group().stream().anyMatch(g -> g.rank() == r.rank());
            if (first != null && !comparedAgain && !(flagged.isPresent() && flagged.getAsInt() == r.rank())) {
                out.add(unconfirmed(r, first.since(), m));
            }
        }
        FirstSeen job = previous.get(Correlator.identity(Reason.WorkerDivergence, OptionalInt.empty()));
        if (job != null && m.isEmpty()) {
            out.add(new CorrelatedFinding(Reason.WorkerDivergence, Severity.CRITICAL, OptionalInt.empty(), "", OptionalLong.empty(),
                    job.since(), "Ranks differed on replicated tensors when last compared; no two ranks have fingerprints of"
                    + " the same step now, so the finding stands until they are compared again.", Map.of()));
        }
        return out;
    }

    /** A rank flagged before that has not been compared since: no evidence either way, so the finding stands. */
    private static CorrelatedFinding unconfirmed(RankTimeline r, Instant since, java.util.Optional<Measurement> m) {
        String others = m.map(x -> "the others were last compared at step " + x.step())
                .orElse("no ranks share a step now");
        String message = String.format(Locale.ROOT, "Rank %d (pod %s) differed from the other ranks when last compared;"
                        + " its latest fingerprints (step %d) have no counterpart at that step on the other ranks yet (%s),"
                        + " so the finding stands until rank %d is compared again.",
                r.rank(), r.currentPod(), r.sketchStep(), others, r.rank());
        return new CorrelatedFinding(Reason.WorkerDivergence, Severity.CRITICAL, OptionalInt.of(r.rank()), r.currentPod(),
                r.sketches().isEmpty() ? OptionalLong.empty() : OptionalLong.of(r.sketchStep()), since, message, Map.of());
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
        double worst = -1; // identical copies measure 0, which is a measurement (and clears a finding), not none
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

    /**
     * In a pair, the rank already flagged on its own (when more ranks were compared), if exactly one of the two was:
     * two copies alone cannot say which one moved, the earlier comparison could.
     */
    private static java.util.Optional<RankTimeline> flaggedBefore(List<RankTimeline> group, Map<String, FirstSeen> previous) {
        if (group.size() != 2) {
            return java.util.Optional.empty();
        }
        List<RankTimeline> flagged = group.stream().filter(r -> previous.containsKey(
                Correlator.identity(Reason.WorkerDivergence, OptionalInt.of(r.rank())))).toList();
        return flagged.size() == 1 ? java.util.Optional.of(flagged.get(0)) : java.util.Optional.empty();
    }

    private static CorrelatedFinding finding(Measurement m, CorrelationThresholds thresholds, java.util.Optional<RankTimeline> pairCulprit) {
        List<RankTimeline> group = m.group();
        RankTimeline culprit = pairCulprit.orElse(m.culprit());
        double worst = m.worst();
        String worstTensor = m.tensor();
        Instant since = culprit.latest().map(RankTimeline.CheckpointPoint::observedAt).orElse(Instant.EPOCH);
        String who;
        if (group.size() > 2) {
            who = "Rank " + culprit.rank() + " (pod " + culprit.currentPod() + ") differs from the other " + (group.size() - 1) + " ranks";
        } else if (pairCulprit.isPresent()) {
            RankTimeline other = group.get(0) == culprit ? group.get(1) : group.get(0);
            who = "Rank " + culprit.rank() + " (pod " + culprit.currentPod() + ", named when more ranks were compared)"
                    + " differs from rank " + other.rank();
        } else {
            who = "Ranks " + group.get(0).rank() + " and " + group.get(1).rank() + " differ";
        }
        String message = String.format(Locale.ROOT, "%s on replicated tensor %s at step %d: relative distance %.3g (threshold %.3g).",
                who, worstTensor, culprit.sketchStep(), worst, thresholds.divergence());
        return new CorrelatedFinding(Reason.WorkerDivergence, Severity.CRITICAL,
                group.size() == 2 && pairCulprit.isEmpty() ? OptionalInt.empty() : OptionalInt.of(culprit.rank()),
                culprit.currentPod(), OptionalLong.of(culprit.sketchStep()), since, message, Map.of("relativeDistance", worst));
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
