package dev.landscape.apiserver.admission;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/** {@code metav1.LabelSelector} semantics (matchLabels and In, NotIn, Exists, DoesNotExist); an absent or empty selector matches everything. */
final class ApiServerSelectors {

    private ApiServerSelectors() {
    }

    static boolean matches(JsonNode selector, JsonNode labels) {
        if (selector == null || selector.isNull() || selector.isEmpty()) {
            return true;
        }
        var it = selector.path("matchLabels").fields();
        while (it.hasNext()) {
            var e = it.next();
            if (!e.getValue().asText().equals(labels.path(e.getKey()).asText(null))) {
                return false;
            }
        }
        for (JsonNode expr : selector.path("matchExpressions")) {
            String key = expr.path("key").asText();
            List<String> values = new ArrayList<>();
            expr.path("values").forEach(v -> values.add(v.asText()));
            boolean has = labels.has(key);
            String value = labels.path(key).asText(null);
            boolean ok = switch (expr.path("operator").asText()) {
                case "In" -> has && values.contains(value);
                case "NotIn" -> !has || !values.contains(value);
                case "Exists" -> has;
                case "DoesNotExist" -> !has;
                default -> throw new IllegalArgumentException("unknown label selector operator " + expr.path("operator").asText());
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
