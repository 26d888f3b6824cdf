package dev.landscape.apiserver.crd;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One node of a CRD's structural {@code openAPIV3Schema}, read-only, with the accessors the pruning, defaulting,
 * validation and CEL passes need. It wraps the schema as the CRD carries it, so nothing is lost in translation and
 * fields added to the CRDs later (new rules, list types, formats) are seen without changing this class.
 */
public final class Schema {

    private final JsonNode node;

    public Schema(JsonNode node) {
        this.node = node;
    }

    public JsonNode node() {
        return node;
    }

    public Optional<String> type() {
        return node.hasNonNull("type") ? Optional.of(node.get("type").asText()) : Optional.empty();
    }

    /** The types a value may have: int-or-string is both integer and string, as kube-openapi treats it. */
    public List<String> types() {
        if (intOrString()) {
            return List.of("integer", "string");
        }
        return type().map(List::of).orElse(List.of());
    }

    public boolean intOrString() {
        return node.path("x-kubernetes-int-or-string").asBoolean(false);
    }

    public boolean preserveUnknownFields() {
        return node.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
    }

    public boolean embeddedResource() {
        return node.path("x-kubernetes-embedded-resource").asBoolean(false);
    }

    public boolean nullable() {
        return node.path("nullable").asBoolean(false);
    }

    public Optional<JsonNode> defaultValue() {
        return node.has("default") ? Optional.of(node.get("default")) : Optional.empty();
    }

    /** Properties in the order the CRD lists them. */
    public Map<String, Schema> properties() {
        Map<String, Schema> out = new LinkedHashMap<>();
        JsonNode props = node.path("properties");
        for (Iterator<Map.Entry<String, JsonNode>> it = props.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            out.put(e.getKey(), new Schema(e.getValue()));
        }
        return out;
    }

    public boolean hasProperties() {
        return node.path("properties").isObject();
    }

    public Optional<Schema> property(String name) {
        JsonNode p = node.path("properties").get(name);
        return p == null ? Optional.empty() : Optional.of(new Schema(p));
    }

    /** {@code additionalProperties} as a schema; {@code additionalProperties: true} is an empty schema. */
    public Optional<Schema> additionalProperties() {
        JsonNode a = node.get("additionalProperties");
        if (a == null || (a.isBoolean() && !a.asBoolean())) {
            return Optional.empty();
        }
        return Optional.of(new Schema(a.isObject() ? a : com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()));
    }

    public Optional<Schema> items() {
        JsonNode i = node.get("items");
        return i != null && i.isObject() ? Optional.of(new Schema(i)) : Optional.empty();
    }

    public List<Schema> list(String keyword) {
        List<Schema> out = new ArrayList<>();
        node.path(keyword).forEach(n -> out.add(new Schema(n)));
        return out;
    }

    public List<String> required() {
        List<String> out = new ArrayList<>();
        node.path("required").forEach(n -> out.add(n.asText()));
        return out;
    }

    public Optional<String> listType() {
        return node.hasNonNull("x-kubernetes-list-type") ? Optional.of(node.get("x-kubernetes-list-type").asText()) : Optional.empty();
    }

    public List<String> listMapKeys() {
        List<String> out = new ArrayList<>();
        node.path("x-kubernetes-list-map-keys").forEach(n -> out.add(n.asText()));
        return out;
    }

    /** The x-kubernetes-validations rules of this node, in order. */
    public List<JsonNode> rules() {
        List<JsonNode> out = new ArrayList<>();
        node.path("x-kubernetes-validations").forEach(out::add);
        return out;
    }

    public boolean hasRulesBelow() {
        return node.toString().contains("\"x-kubernetes-validations\"");
    }
}
