package dev.landscape.demo.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import dev.landscape.contract.Reason;

import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;

/**
 * The detection section of docs/demo.md as one run produced it: the detection table and the edge-of-stability
 * figures behind its first row (the stability ratio tier 2 measured on rank 0, and what tier 1's secant saw on the
 * other ranks). The scenario writes it next to its report; {@code DemoScenarioE2ETest} checks docs/demo.md against
 * it, or rewrites it there with {@code -Dlandscape.docs.update=true}, so that the figures in the docs come from a
 * run and are never typed in.
 */
final class DetectionDoc {

    private DetectionDoc() {
    }

    static String markdown(DetectionQuality.Result quality, Map<Integer, TreeMap<Long, JsonNode>> history, long lrFaultStep) {
        StringBuilder sb = new StringBuilder(quality.markdown()).append("\n\n");
        Long eos = step(quality, Reason.EdgeOfStability, 0);
        Long spike = step(quality, Reason.LossSpike, 0);
        if (eos != null && spike != null) {
            TreeMap<Long, JsonNode> rank0 = history.getOrDefault(0, new TreeMap<>());
            OptionalDouble tier1 = history.entrySet().stream().filter(e -> e.getKey() != 0)
                    .flatMap(e -> e.getValue().subMap(lrFaultStep, true, spike, true).values().stream())
                    .filter(c -> c.hasNonNull("eosRatio")).mapToDouble(c -> c.get("eosRatio").asDouble()).max();
            sb.append(String.format(Locale.ROOT, "Edge of stability: on rank 0, tier 2 (λmax(P⁻¹H) by Lanczos on the eval "
                            + "batch) put the stability ratio at %s at step %d, the first EdgeOfStability, and at %s at step "
                            + "%d, rank 0's loss spike. On ranks 1–3, which run tier 1 only, its estimate along the update (the "
                            + "larger of the secant and the gradient-difference bound) read at most %s between steps %d "
                            + "and %d.%n", ratio(rank0.get(eos)), eos, ratio(rank0.get(spike)),
                    spike, tier1.isPresent() ? String.format(Locale.ROOT, "%.2f", tier1.getAsDouble()) : "nothing",
                    lrFaultStep, spike));
        }
        return sb.toString();
    }

    private static Long step(DetectionQuality.Result quality, Reason reason, int rank) {
        return quality.rows().stream().filter(r -> r.expected().reason() == reason && r.expected().rank() == rank)
                .map(DetectionQuality.Row::step).findFirst().orElse(null);
    }

    private static String ratio(JsonNode checkpoint) {
        return checkpoint != null && checkpoint.hasNonNull("eosRatio")
                ? String.format(Locale.ROOT, "%.3g×", checkpoint.get("eosRatio").asDouble()) : "(not reported)";
    }
}
