package dev.landscape.apiserver.crd;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Duration;
import com.google.protobuf.NullValue;
import com.google.protobuf.Timestamp;
import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.SimpleType;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.landscape.apiserver.FieldError;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Evaluates a CRD's {@code x-kubernetes-validations} with Google's CEL for Java, walking the object the way
 * kube-apiserver's {@code schema/cel/validation.go} does: the rules of a node with {@code self} (and {@code oldSelf}
 * on updates, where an old value correlates: same property, same map key, same list-map key), then map values and
 * properties. Failures are reported as Kubernetes 1.31 reports them: {@code Invalid value: "<schema type>": <message>}
 * (or the rule's {@code reason}), at the node's path plus the rule's {@code fieldPath}; {@code messageExpression} is
 * evaluated when given.
 *
 * <p>Rules are read from whatever CRD is stored, never coded per rule. What differs from kube-apiserver (see
 * docs/development.md): {@code self} is typed {@code dyn}, so a rule that would not type-check against the schema
 * fails when evaluated rather than when the CRD is created; Kubernetes' own CEL libraries (quantity, IP/CIDR, URL,
 * authz, lists, regex find, semver, format) are absent, CEL's strings, sets, math and optional extensions are
 * present; there is no cost budget; {@code optionalOldSelf} and validation ratcheting are not implemented.
 */
public final class CelRules {

    private static final String SELF = "self";
    private static final String OLD_SELF = "oldSelf";
    private static final CelOptions OPTIONS = CelOptions.current()
            .enableHeterogeneousNumericComparisons(true)
            .enableOptionalSyntax(true)
            .build();
    private static final Cel WITHOUT_OLD = environment(false);
    private static final Cel WITH_OLD = environment(true);
    private static final Pattern BAD_TIMESTAMP = Pattern.compile("Failed to parse timestamp: invalid timestamp \"(.*)\"$");
    private static final Pattern NO_SUCH_KEY = Pattern.compile("key '([^']*)' is not present in map\\.?");

    private final Map<String, Compiled> compiled = new ConcurrentHashMap<>();

    /**
     * Loads the CEL environments (a second or more of class initialisation) on the caller's thread, so that the first
     * custom-resource write does not stall the server's event loop.
     */
    public static void warmUp() {
        compile(com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("rule", "self == oldSelf"));
    }

    /** A rule as compiled: its program, whether it is a transition rule, its message program, or why it did not compile. */
    private record Compiled(CelRuntime.Program program, boolean usesOldSelf, CelRuntime.Program message, String error) {
    }

    private static Cel environment(boolean withOld) {
        var b = CelFactory.standardCelBuilder()
                .setOptions(OPTIONS)
                .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
                .addCompilerLibraries(CelExtensions.strings(), CelExtensions.sets(OPTIONS), CelExtensions.math(OPTIONS),
                        CelExtensions.optional())
                .addRuntimeLibraries(CelExtensions.strings(), CelExtensions.sets(OPTIONS), CelExtensions.math(OPTIONS),
                        CelExtensions.optional())
                .addVar(SELF, SimpleType.DYN);
        if (withOld) {
            b.addVar(OLD_SELF, SimpleType.DYN);
        }
        return b.build();
    }

    /**
     * Every rule of {@code schema} and below, against {@code object} (and {@code old} for an update, else null).
     */
    public List<FieldError> validate(JsonNode object, JsonNode old, Schema schema) {
        List<FieldError> out = new ArrayList<>();
        node(object, old, schema, null, true, out);
        return out;
    }

    private void node(JsonNode value, JsonNode old, Schema s, String path, boolean resourceRoot, List<FieldError> out) {
        if (value == null || value.isNull()) {
            return;
        }
        expressions(value, old, s, path, resourceRoot, out);
        if (value.isArray()) {
            Optional<Schema> items = s.items();
            if (items.isEmpty() || !items.get().hasRulesBelow()) {
                return;
            }
            boolean listMap = s.listType().filter("map"::equals).isPresent();
            for (int i = 0; i < value.size(); i++) {
                JsonNode oldItem = listMap && old != null ? matchingItem(old, value.get(i), s.listMapKeys()) : null;
                node(value.get(i), oldItem, items.get(), index(path, i), items.get().embeddedResource(), out);
            }
        } else if (value.isObject()) {
            Optional<Schema> additional = s.additionalProperties();
            Map<String, Schema> props = s.properties();
            if (additional.isPresent() && additional.get().hasRulesBelow()) {
                value.fieldNames().forEachRemaining(k -> {
                    if (!props.containsKey(k)) {
                        node(value.get(k), old == null ? null : old.get(k), additional.get(), key(path, k),
                                additional.get().embeddedResource(), out);
                    }
                });
            }
            value.fieldNames().forEachRemaining(k -> {
                Schema p = props.get(k);
                if (p != null && p.hasRulesBelow()) {
                    node(value.get(k), old == null ? null : old.get(k), p, child(path, k), p.embeddedResource(), out);
                }
            });
        }
    }

    private void expressions(JsonNode value, JsonNode old, Schema s, String path, boolean resourceRoot, List<FieldError> out) {
        List<JsonNode> rules = s.rules();
        if (rules.isEmpty()) {
            return;
        }
        String type = s.type().orElse("");
        Map<String, Object> vars = new HashMap<>();
        vars.put(SELF, resourceRoot ? rootValue(value, s) : toCel(value, s));
        if (old != null && !old.isNull()) {
            vars.put(OLD_SELF, resourceRoot ? rootValue(old, s) : toCel(old, s));
        }
        for (JsonNode rule : rules) {
            String source = rule.path("rule").asText().trim();
            String ruleString = ruleErrorString(rule);
            Compiled c = compiled.computeIfAbsent(rule.toString(), k -> compile(rule));
            if (c.error() != null) {
                out.add(FieldError.invalid(path, type, "rule compile error: " + c.error()));
                continue;
            }
            if (source.isEmpty() || (c.usesOldSelf() && !vars.containsKey(OLD_SELF))) {
                continue;
            }
            Object result;
            try {
                result = c.program().eval(vars);
            } catch (CelEvaluationException e) {
                String message = goError(e);
                if (message.startsWith("no such overload") || message.contains("No matching overload")) {
                    out.add(FieldError.invalid(path, type, "'" + message + "': call arguments did not match a supported"
                            + " operator, function or macro signature for rule: " + ruleString));
                } else {
                    out.add(FieldError.invalid(path, type, message + " evaluating rule: " + ruleString));
                }
                continue;
            }
            if (Boolean.TRUE.equals(result)) {
                continue;
            }
            String at = rule.hasNonNull("fieldPath") ? child(path, normalizeFieldPath(rule.get("fieldPath").asText())) : path;
            String detail = messageOrDefault(rule);
            if (c.message() != null) {
                try {
                    Object m = c.message().eval(vars);
                    if (m instanceof String str && !str.isBlank() && !str.contains("\n")) {
                        detail = str.trim();
                    }
                } catch (CelEvaluationException ignored) {
                    // kube-apiserver falls back to the rule's message when its messageExpression fails
                }
            }
            out.add(forReason(rule.path("reason").asText(""), at, type, detail));
        }
    }

    private static Compiled compile(JsonNode rule) {
        String source = rule.path("rule").asText();
        if (source.isBlank()) {
            return new Compiled(null, false, null, null);
        }
        boolean usesOld = false;
        CelRuntime.Program program;
        try {
            try {
                program = WITHOUT_OLD.createProgram(WITHOUT_OLD.compile(source).getAst());
            } catch (CelValidationException e) {
                if (!e.getMessage().contains("'" + OLD_SELF + "'")) {
                    throw e;
                }
                program = WITH_OLD.createProgram(WITH_OLD.compile(source).getAst());
                usesOld = true;
            }
            CelRuntime.Program message = null;
            if (rule.hasNonNull("messageExpression")) {
                message = WITH_OLD.createProgram(WITH_OLD.compile(rule.get("messageExpression").asText()).getAst());
            }
            return new Compiled(program, usesOld, message, null);
        } catch (CelValidationException | CelEvaluationException e) {
            return new Compiled(null, false, null, e.getMessage()
                    + " (the embedded API server has CEL's standard library with the strings, sets, math and optional"
                    + " extensions; Kubernetes' own CEL libraries are not implemented, see docs/development.md)");
        }
    }

    private static FieldError forReason(String reason, String path, String type, String detail) {
        return switch (reason) {
            case "FieldValueForbidden" -> FieldError.forbidden(path, detail);
            case "FieldValueRequired" -> FieldError.required(path, detail);
            case "FieldValueDuplicate" -> FieldError.duplicate(path, type);
            default -> FieldError.invalid(path, type, detail);
        };
    }

    private static String messageOrDefault(JsonNode rule) {
        String message = rule.path("message").asText("").trim();
        return message.isEmpty() ? "failed rule: " + ruleErrorString(rule) : message;
    }

    private static String ruleErrorString(JsonNode rule) {
        String message = rule.path("message").asText("").trim();
        return message.isEmpty() ? rule.path("rule").asText().trim() : message;
    }

    /** cel-java's wording of a runtime error, turned into cel-go's where the two differ in a way users see. */
    private static String goError(CelEvaluationException e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        m = m.replaceFirst("^evaluation error(?: at \\S*)?: ", "");
        Matcher k = NO_SUCH_KEY.matcher(m);
        if (k.find()) {
            return "no such key: " + k.group(1);
        }
        Matcher t = BAD_TIMESTAMP.matcher(m);
        if (t.find() && !t.group(1).matches("^[0-9]{4}.*")) {
            // cel-go parses with Go's time.Parse(RFC3339) and returns its error as is.
            return "parsing time \"" + t.group(1) + "\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"" + t.group(1) + "\" as \"2006\"";
        }
        return m;
    }

    /** {@code .a.b} and {@code .a['b.c']} as kube-apiserver's normalized field path: {@code a.b}, {@code a[b.c]}. */
    static String normalizeFieldPath(String fieldPath) {
        String p = fieldPath.startsWith(".") ? fieldPath.substring(1) : fieldPath;
        return p.replaceAll("\\['((?:[^'\\\\]|\\\\.)*)'\\]", "[$1]");
    }

    private static JsonNode matchingItem(JsonNode oldList, JsonNode item, List<String> keys) {
        for (JsonNode o : oldList) {
            boolean same = true;
            for (String k : keys) {
                same &= java.util.Objects.equals(o.get(k), item.get(k));
            }
            if (same) {
                return o;
            }
        }
        return null;
    }

    /** The root of a resource as CEL sees it: apiVersion, kind, metadata.name and metadata.generateName, and the rest. */
    private static Object rootValue(JsonNode object, Schema s) {
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) toCel(object, s);
        Map<String, Object> meta = new LinkedHashMap<>();
        JsonNode metadata = object.path("metadata");
        if (metadata.hasNonNull("name")) {
            meta.put("name", metadata.get("name").asText());
        }
        if (metadata.hasNonNull("generateName")) {
            meta.put("generateName", metadata.get("generateName").asText());
        }
        m.put("metadata", meta);
        return m;
    }

    /** A JSON value as the CEL value its schema makes of it (integer, number, date-time and duration included). */
    static Object toCel(JsonNode v, Schema s) {
        if (v == null || v.isNull()) {
            return NullValue.NULL_VALUE;
        }
        if (v.isTextual()) {
            String format = s == null ? "" : s.node().path("format").asText("");
            if (format.equals("date-time")) {
                try {
                    Instant t = OffsetDateTime.parse(v.asText()).toInstant();
                    return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
                } catch (RuntimeException notATime) {
                    return v.asText();
                }
            }
            if (format.equals("duration")) {
                try {
                    java.time.Duration d = GoDurations.parse(v.asText());
                    return Duration.newBuilder().setSeconds(d.getSeconds()).setNanos(d.getNano()).build();
                } catch (RuntimeException notADuration) {
                    return v.asText();
                }
            }
            return v.asText();
        }
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        if (v.isNumber()) {
            boolean number = s != null && s.type().filter("number"::equals).isPresent();
            if (number) {
                return v.doubleValue();
            }
            return v.isIntegralNumber() || v.doubleValue() == Math.rint(v.doubleValue()) ? (Object) v.longValue() : (Object) v.doubleValue();
        }
        if (v.isArray()) {
            Schema items = s == null ? null : s.items().orElse(null);
            List<Object> out = new ArrayList<>();
            v.forEach(i -> out.add(toCel(i, items)));
            return out;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        v.fields().forEachRemaining(e -> {
            Schema sub = s == null ? null : s.property(e.getKey()).or(s::additionalProperties).orElse(null);
            out.put(e.getKey(), toCel(e.getValue(), sub));
        });
        return out;
    }

    private static String child(String path, String name) {
        return path == null ? name : path + "." + name;
    }

    private static String key(String path, String key) {
        return (path == null ? "" : path) + "[" + key + "]";
    }

    private static String index(String path, int i) {
        return (path == null ? "" : path) + "[" + i + "]";
    }
}
