package dev.landscape.operator.reconcile;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The one place conditions are written, with {@code metav1.Condition}'s semantics: every condition set here carries
 * the generation it was evaluated at ({@code observedGeneration}); {@code lastTransitionTime} moves only when the
 * status moves (True, False, Unknown), never because the reason or message changed, since messages name the current
 * step and would otherwise churn the time on every checkpoint; conditions come in the order {@link ConditionType}
 * declares them.
 */
public final class ConditionAggregator {

    private final Map<String, Condition> previous = new LinkedHashMap<>();
    private final Map<String, Condition> next = new LinkedHashMap<>();
    private final long generation;
    private final Clock clock;

    public ConditionAggregator(List<Condition> previous, Long generation, Clock clock) {
        if (previous != null) {
            previous.forEach(c -> this.previous.put(c.getType(), c));
        }
        this.generation = generation == null ? 0 : generation;
        this.clock = clock;
    }

    /** Sets a condition; {@code reason} must be one CamelCase word, {@code message} a sentence. */
    public ConditionAggregator set(ConditionType type, boolean status, String reason, String message) {
        return set(type, status ? "True" : "False", reason, message);
    }

    public ConditionAggregator unknown(ConditionType type, String reason, String message) {
        return set(type, "Unknown", reason, message);
    }

    /**
     * Leaves a condition exactly as it was, its {@code observedGeneration} included (it was not evaluated at this
     * generation), or sets it Unknown with {@code reason} when it was never set.
     */
    public ConditionAggregator keepOrUnknown(ConditionType type, String reason, String message) {
        Condition old = previous.get(type.value());
        if (old == null) {
            return unknown(type, reason, message);
        }
        next.put(type.value(), old);
        return this;
    }

    private ConditionAggregator set(ConditionType type, String status, String reason, String message) {
        if (!reason.matches("[A-Z][A-Za-z0-9]*")) {
            throw new IllegalArgumentException("condition reason must be one CamelCase word: " + reason);
        }
        Condition old = previous.get(type.value());
        boolean transitioned = old == null || !Objects.equals(old.getStatus(), status);
        String transition = transitioned || old.getLastTransitionTime() == null
                ? Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString()
                : old.getLastTransitionTime();
        next.put(type.value(), new ConditionBuilder()
                .withType(type.value())
                .withStatus(status)
                .withReason(reason)
                .withMessage(message)
                .withObservedGeneration(generation)
                .withLastTransitionTime(transition)
                .build());
        return this;
    }

    /** The conditions in declaration order; types never set are carried over unchanged. */
    public List<Condition> conditions() {
        List<Condition> out = new ArrayList<>();
        for (ConditionType t : ConditionType.values()) {
            Condition c = next.containsKey(t.value()) ? next.get(t.value()) : previous.get(t.value());
            if (c != null) {
                out.add(c);
            }
        }
        return out;
    }
}
