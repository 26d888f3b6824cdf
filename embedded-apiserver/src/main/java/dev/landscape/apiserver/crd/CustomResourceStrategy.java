package dev.landscape.apiserver.crd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.landscape.apiserver.FieldError;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What kube-apiserver does to a custom resource between decoding a write and storing it
 * ({@code apiextensions-apiserver/pkg/registry/customresource/strategy.go} and its decoder): prune unknown fields,
 * drop non-nullable nulls, apply defaults, set {@code metadata.generation} (1 on create, +1 when anything outside
 * {@code metadata} changed), and validate: kind and apiVersion, {@code metadata.name}, the openAPIV3Schema, list
 * types, and then the CEL rules unless an earlier error leaves the object without the shape the rules assume.
 * The status subresource split (status ignored on the resource, only status taken on {@code /status}) happens before,
 * in the mock server's handlers, exactly as the strategy's PrepareForCreate/PrepareForUpdate do.
 */
public final class CustomResourceStrategy {

    private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final String DNS_SUBDOMAIN_MESSAGE = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric"
            + " characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used"
            + " for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
    private static final String BLOCKED = "some validation rules were not checked because the object was invalid;"
            + " correct the existing errors to complete validation";

    private final CustomResourceDefinition definition;
    private final CelRules cel = new CelRules();

    public CustomResourceStrategy(CustomResourceDefinition definition) {
        this.definition = definition;
    }

    public CustomResourceDefinition definition() {
        return definition;
    }

    /** The object to store, the fields pruned from it, and the validation errors (none: it may be stored). */
    public record Outcome(ObjectNode object, List<String> prunedFields, List<FieldError> errors) {
    }

    /**
     * @param object the object the write would store (status already handled for the subresource), modified in place
     * @param old    the stored object for an update, null for a create
     * @param status whether this is a write to the status subresource, which never changes the generation
     */
    public Outcome prepare(ObjectNode object, JsonNode old, boolean status) {
        Schema schema = definition.schema();
        List<String> pruned = Pruning.prune(object, schema);
        Pruning.pruneNonNullableNullsWithoutDefaults(object, schema);
        Defaulting.apply(object, schema);
        ObjectNode metadata = object.with("metadata");
        if (old == null) {
            metadata.put("generation", 1);
        } else {
            long generation = old.path("metadata").path("generation").asLong(1);
            boolean changed = !status && !nonMetadata(object).equals(nonMetadata(old));
            metadata.put("generation", changed ? generation + 1 : generation);
        }
        return new Outcome(object, pruned, validate(object, old));
    }

    private List<FieldError> validate(ObjectNode object, JsonNode old) {
        List<FieldError> errors = new ArrayList<>();
        String kind = object.path("kind").asText();
        String apiVersion = object.path("apiVersion").asText();
        if (!kind.equals(definition.kind())) {
            errors.add(FieldError.invalid("kind", kind, "must be " + definition.kind()));
        }
        if (!apiVersion.equals(definition.group() + "/" + definition.version())) {
            errors.add(FieldError.invalid("apiVersion", apiVersion, "must be " + definition.group() + "/" + definition.version()));
        }
        if (!errors.isEmpty()) {
            return errors;
        }
        String name = object.path("metadata").path("name").asText("");
        if (old == null) {
            if (name.length() > 253) {
                errors.add(FieldError.invalid("metadata.name", name, "must be no more than 253 characters"));
            } else if (!DNS_SUBDOMAIN.matcher(name).matches()) {
                errors.add(FieldError.invalid("metadata.name", name, DNS_SUBDOMAIN_MESSAGE));
            }
        }
        Schema schema = definition.schema();
        errors.addAll(OpenApiValidator.validate(object, schema));
        if (old == null || ListTypes.validate(old, schema).isEmpty()) {
            errors.addAll(ListTypes.validate(object, schema));
        }
        if (schema.hasRulesBelow()) {
            boolean blocked = errors.stream().anyMatch(e -> switch (e.type()) {
                case NOT_SUPPORTED, REQUIRED, TOO_LONG, TOO_MANY, TYPE_INVALID -> true;
                default -> false;
            });
            if (blocked) {
                errors.add(FieldError.invalid(null, null, BLOCKED));
            } else {
                errors.addAll(cel.validate(object, old, schema));
            }
        }
        return errors;
    }

    private static ObjectNode nonMetadata(JsonNode object) {
        ObjectNode copy = ((ObjectNode) object).deepCopy();
        copy.remove("metadata");
        return copy;
    }

    /** One served version of a CRD: its names, scope, schema and whether it has the status subresource. */
    public record CustomResourceDefinition(String group, String version, String kind, String plural, boolean statusSubresource,
                                           Schema schema) {

        /** The version of {@code crd} named {@code version}, if the CRD serves it. */
        public static Optional<CustomResourceDefinition> of(JsonNode crd, String version) {
            JsonNode spec = crd.path("spec");
            for (Iterator<JsonNode> it = spec.path("versions").elements(); it.hasNext(); ) {
                JsonNode v = it.next();
                if (v.path("name").asText().equals(version)) {
                    JsonNode schema = v.path("schema").path("openAPIV3Schema");
                    return Optional.of(new CustomResourceDefinition(spec.path("group").asText(), version,
                            spec.path("names").path("kind").asText(), spec.path("names").path("plural").asText(),
                            v.path("subresources").has("status"), new Schema(schema)));
                }
            }
            return Optional.empty();
        }
    }
}
