package dev.landscape.apiserver.crd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.landscape.apiserver.FieldError;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The uniqueness invariants of {@code x-kubernetes-list-type: set} (whole items) and {@code map} (the
 * {@code x-kubernetes-list-map-keys}), reported as kube-apiserver's {@code schema/listtype} reports them: a Duplicate
 * value at the index of each first repeat, printed as Go prints the key map.
 */
public final class ListTypes {

    private ListTypes() {
    }

    public static List<FieldError> validate(JsonNode root, Schema schema) {
        List<FieldError> out = new ArrayList<>();
        walk(root, schema, null, out);
        return out;
    }

    private static void walk(JsonNode value, Schema s, String path, List<FieldError> out) {
        if (value.isObject()) {
            Optional<Schema> additional = s.additionalProperties();
            value.fieldNames().forEachRemaining(k -> {
                Optional<Schema> sub = s.property(k);
                if (sub.isPresent()) {
                    walk(value.get(k), sub.get(), path == null ? k : path + "." + k, out);
                } else if (additional.isPresent()) {
                    walk(value.get(k), additional.get(), (path == null ? "" : path) + "[" + k + "]", out);
                }
            });
        } else if (value.isArray()) {
            Optional<String> type = s.listType();
            if (type.isPresent() && type.get().equals("set")) {
                for (int i : repeats(items(value))) {
                    out.add(FieldError.duplicate(path + "[" + i + "]", value.get(i)));
                }
            } else if (type.isPresent() && type.get().equals("map")) {
                listMap(value, s, path, out);
            }
            Optional<Schema> items = s.items();
            if (items.isPresent()) {
                for (int i = 0; i < value.size(); i++) {
                    walk(value.get(i), items.get(), path + "[" + i + "]", out);
                }
            }
        }
    }

    private static void listMap(JsonNode value, Schema s, String path, List<FieldError> out) {
        for (int i = 0; i < value.size(); i++) {
            JsonNode x = value.get(i);
            if (!x.isNull() && !x.isObject()) {
                out.add(FieldError.invalid(path + "[" + i + "]", x, "must be an object for an array of list-type map"));
                return;
            }
        }
        List<JsonNode> keys = new ArrayList<>();
        for (JsonNode x : value) {
            ObjectNode key = JsonNodeFactory.instance.objectNode();
            for (String k : s.listMapKeys()) {
                if (x.has(k)) {
                    key.set(k, x.get(k));
                }
            }
            keys.add(key);
        }
        for (int i : repeats(keys)) {
            out.add(FieldError.duplicate(path + "[" + i + "]", keys.get(i)));
        }
    }

    private static List<JsonNode> items(JsonNode array) {
        List<JsonNode> out = new ArrayList<>();
        array.forEach(out::add);
        return out;
    }

    /** Indices of the second occurrence of each repeated item (later repeats are not reported again). */
    private static List<Integer> repeats(List<JsonNode> items) {
        Map<JsonNode, Integer> seen = new HashMap<>();
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            int times = seen.merge(items.get(i), 1, Integer::sum);
            if (times == 2) {
                out.add(i);
            }
        }
        return out;
    }
}
