package dev.landscape.operator.observe;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;

import java.util.Map;

/** Kubernetes label-selector semantics (matchLabels AND every matchExpression), for selectors held in memory. */
public final class LabelSelectors {

    private LabelSelectors() {
    }

    /** Whether {@code labels} satisfy {@code selector}; an empty or null selector matches nothing (never everything). */
    public static boolean matches(LabelSelector selector, Map<String, String> labels) {
        if (selector == null) {
            return false;
        }
        Map<String, String> l = labels == null ? Map.of() : labels;
        boolean hasLabels = selector.getMatchLabels() != null && !selector.getMatchLabels().isEmpty();
        boolean hasExpressions = selector.getMatchExpressions() != null && !selector.getMatchExpressions().isEmpty();
        if (!hasLabels && !hasExpressions) {
            return false;
        }
        if (hasLabels) {
            for (Map.Entry<String, String> e : selector.getMatchLabels().entrySet()) {
                if (!e.getValue().equals(l.get(e.getKey()))) {
                    return false;
                }
            }
        }
        if (hasExpressions) {
            for (LabelSelectorRequirement r : selector.getMatchExpressions()) {
                if (!matches(r, l)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean matches(LabelSelectorRequirement r, Map<String, String> labels) {
        String value = labels.get(r.getKey());
        return switch (r.getOperator()) {
            case "In" -> value != null && r.getValues() != null && r.getValues().contains(value);
            case "NotIn" -> value == null || r.getValues() == null || !r.getValues().contains(value);
            case "Exists" -> labels.containsKey(r.getKey());
            case "DoesNotExist" -> !labels.containsKey(r.getKey());
            default -> false;
        };
    }
}
