package dev.landscape.apiserver.crd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Drops the fields a structural schema does not declare, as kube-apiserver does before it stores a custom resource
 * ({@code apiextensions-apiserver/pkg/apiserver/schema/pruning}): everything unknown goes except under
 * {@code x-kubernetes-preserve-unknown-fields}; {@code apiVersion}, {@code kind} and {@code metadata} stay at the root
 * and in embedded resources. Returns the paths it dropped (for the "unknown field" warning or strict rejection),
 * and then drops nulls of fields that are neither nullable nor defaulted, as {@code PruneNonNullableNullsWithoutDefaults}.
 */
public final class Pruning {

    private static final Set<String> TYPE_META = Set.of("apiVersion", "kind", "metadata");

    private Pruning() {
    }

    /** Prunes {@code root} in place; returns the dropped fields' paths ({@code spec.a.b}, {@code spec.list[0].c}). */
    public static List<String> prune(ObjectNode root, Schema schema) {
        List<String> dropped = new ArrayList<>();
        object(root, schema, "", true, dropped);
        return dropped;
    }

    private static void walk(JsonNode value, Schema schema, String path, List<String> dropped) {
        if (value instanceof ObjectNode o) {
            object(o, schema, path, schema.embeddedResource(), dropped);
        } else if (value instanceof ArrayNode a) {
            Optional<Schema> items = schema.items();
            for (int i = 0; i < a.size(); i++) {
                if (items.isPresent()) {
                    walk(a.get(i), items.get(), path + "[" + i + "]", dropped);
                }
            }
        }
    }

    private static void object(ObjectNode o, Schema schema, String path, boolean resourceRoot, List<String> dropped) {
        Map<String, Schema> props = schema.properties();
        Optional<Schema> additional = schema.additionalProperties();
        for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            String child = path.isEmpty() ? key : path + "." + key;
            if (resourceRoot && TYPE_META.contains(key)) {
                continue;
            }
            Schema sub = props.get(key);
            if (sub == null && additional.isPresent()) {
                sub = additional.get();
            }
            if (sub == null) {
                if (!schema.preserveUnknownFields()) {
                    dropped.add(child);
                    it.remove();
                }
                continue;
            }
            walk(e.getValue(), sub, child, dropped);
        }
    }

    /** Removes object fields whose value is null when their schema is neither nullable nor has a default. */
    public static void pruneNonNullableNullsWithoutDefaults(JsonNode value, Schema schema) {
        if (value instanceof ObjectNode o) {
            Map<String, Schema> props = schema.properties();
            Optional<Schema> additional = schema.additionalProperties();
            for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                Schema sub = props.containsKey(e.getKey()) ? props.get(e.getKey()) : additional.orElse(null);
                if (sub == null) {
                    continue;
                }
                if (e.getValue().isNull() && !sub.nullable() && sub.defaultValue().isEmpty()) {
                    it.remove();
                } else {
                    pruneNonNullableNullsWithoutDefaults(e.getValue(), sub);
                }
            }
        } else if (value instanceof ArrayNode a) {
            schema.items().ifPresent(items -> a.forEach(v -> pruneNonNullableNullsWithoutDefaults(v, items)));
        }
    }
}
