package dev.landscape.apiserver.crd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Applies the schema's {@code default}s the way kube-apiserver does ({@code schema/defaulting/algorithm.go}): a
 * property that is absent (or null where not nullable) gets a deep copy of its default, then defaulting descends into
 * every property, map value and list item, including into defaults just inserted. Defaults live in the CRD only, so a
 * user's spec never carries them until the API server adds them.
 */
public final class Defaulting {

    private Defaulting() {
    }

    public static void apply(JsonNode value, Schema schema) {
        if (value instanceof ObjectNode o) {
            for (Map.Entry<String, Schema> p : schema.properties().entrySet()) {
                Optional<JsonNode> def = p.getValue().defaultValue();
                JsonNode current = o.get(p.getKey());
                if (def.isPresent() && (current == null || (current.isNull() && !p.getValue().nullable()))) {
                    o.set(p.getKey(), def.get().deepCopy());
                }
            }
            Optional<Schema> additional = schema.additionalProperties();
            List<String> keys = new ArrayList<>();
            o.fieldNames().forEachRemaining(keys::add);
            for (String k : keys) {
                Optional<Schema> sub = schema.property(k);
                if (sub.isPresent()) {
                    apply(o.get(k), sub.get());
                } else if (additional.isPresent()) {
                    Schema a = additional.get();
                    if (o.get(k).isNull() && !a.nullable() && a.defaultValue().isPresent()) {
                        o.set(k, a.defaultValue().get().deepCopy());
                    }
                    apply(o.get(k), a);
                }
            }
        } else if (value instanceof ArrayNode arr) {
            Optional<Schema> items = schema.items();
            if (items.isEmpty()) {
                return;
            }
            for (int i = 0; i < arr.size(); i++) {
                if (arr.get(i).isNull() && !items.get().nullable() && items.get().defaultValue().isPresent()) {
                    arr.set(i, items.get().defaultValue().get().deepCopy());
                }
                apply(arr.get(i), items.get());
            }
        }
    }
}
