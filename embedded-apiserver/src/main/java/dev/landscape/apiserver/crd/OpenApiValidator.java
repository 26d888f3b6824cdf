package dev.landscape.apiserver.crd;

import com.fasterxml.jackson.databind.JsonNode;
import dev.landscape.apiserver.FieldError;
import dev.landscape.apiserver.GoFormat;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The value validation kube-apiserver runs on a custom resource ({@code kube-openapi/pkg/validation/validate} as
 * {@code apiextensions-apiserver/pkg/apiserver/validation} converts its results into field errors): type, string,
 * format, number, array, enum and object checks per schema node, with kube-openapi's own wording ({@code "spec.x in
 * body should match '^a$'"}) inside the field error's detail. A type error ends the checks of its node, as the
 * object has no value of the declared shape to check further.
 *
 * <p>Known differences, listed in docs/development.md: properties are visited in the CRD's order (Go visits a map in
 * random order, so a real server lists several errors in varying order); of the formats kube-apiserver keeps,
 * {@code date-time}, {@code date}, {@code uuid}, {@code byte}, {@code int32} and {@code int64} are checked, the others
 * (email, hostname, ipv4, ...) pass.
 */
public final class OpenApiValidator {

    private static final String IN = " in body";
    private static final Pattern UUID_FORMAT = Pattern.compile("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");
    private static final Map<String, Pattern> PATTERNS = new java.util.concurrent.ConcurrentHashMap<>();

    private OpenApiValidator() {
    }

    public static List<FieldError> validate(JsonNode value, Schema schema) {
        List<FieldError> out = new ArrayList<>();
        node(value, schema, "", out);
        return out;
    }

    private static void node(JsonNode value, Schema s, String name, List<FieldError> out) {
        if (!typeMatches(value, s, name, out)) {
            return;
        }
        if (value.isNull()) {
            return;
        }
        composition(value, s, name, out);
        if (value.isTextual()) {
            string(value, s, name, out);
            format(value, s, name, out);
        }
        if (value.isNumber()) {
            number(value, s, name, out);
        }
        if (value.isArray()) {
            array(value, s, name, out);
        }
        enumeration(value, s, name, out);
        if (value.isObject()) {
            object(value, s, name, out);
        }
    }

    private static String jsonType(JsonNode v) {
        if (v.isObject()) {
            return "object";
        }
        if (v.isArray()) {
            return "array";
        }
        if (v.isTextual()) {
            return "string";
        }
        if (v.isBoolean()) {
            return "boolean";
        }
        if (v.isIntegralNumber()) {
            return "integer";
        }
        if (v.isNumber()) {
            return "number";
        }
        return "null";
    }

    private static boolean typeMatches(JsonNode value, Schema s, String name, List<FieldError> out) {
        List<String> types = s.types();
        if (types.isEmpty()) {
            return true;
        }
        String actual = jsonType(value);
        if (actual.equals("null")) {
            if (s.nullable()) {
                return true;
            }
            out.add(FieldError.typeInvalid(field(name), "null", name + IN + " must be of type " + String.join(",", types) + ": " + GoFormat.quote("null")));
            return false;
        }
        boolean floatInt = actual.equals("number") && types.contains("integer") && value.doubleValue() == Math.rint(value.doubleValue());
        boolean intFloat = actual.equals("integer") && types.contains("number");
        if (types.contains(actual) || floatInt || intFloat) {
            return true;
        }
        out.add(FieldError.typeInvalid(field(name), actual, name + IN + " must be of type " + String.join(",", types) + ": " + GoFormat.quote(actual)));
        return false;
    }

    private static void composition(JsonNode value, Schema s, String name, List<FieldError> out) {
        for (Schema all : s.list("allOf")) {
            node(value, all, name, out);
        }
        List<Schema> anyOf = s.list("anyOf");
        if (!anyOf.isEmpty() && anyOf.stream().noneMatch(a -> validate(value, a, name).isEmpty())) {
            out.add(FieldError.invalid(field(name), value, name + IN + " must validate at least one schema (anyOf)"));
        }
        List<Schema> oneOf = s.list("oneOf");
        if (!oneOf.isEmpty()) {
            long passing = oneOf.stream().filter(o -> validate(value, o, name).isEmpty()).count();
            if (passing != 1) {
                out.add(FieldError.invalid(field(name), value, name + IN + " must validate one and only one schema (oneOf)"));
            }
        }
        JsonNode not = s.node().get("not");
        if (not != null && validate(value, new Schema(not), name).isEmpty()) {
            out.add(FieldError.invalid(field(name), value, name + IN + " shouldn't validate the schema (not)"));
        }
    }

    private static List<FieldError> validate(JsonNode value, Schema s, String name) {
        List<FieldError> out = new ArrayList<>();
        node(value, s, name, out);
        return out;
    }

    private static void string(JsonNode value, Schema s, String name, List<FieldError> out) {
        String v = value.asText();
        long length = v.codePointCount(0, v.length());
        JsonNode max = s.node().get("maxLength");
        if (max != null && length > max.asLong()) {
            out.add(FieldError.tooLong(field(name), v, max.asLong()));
        }
        JsonNode min = s.node().get("minLength");
        if (min != null && length < min.asLong()) {
            out.add(FieldError.invalid(field(name), v, name + IN + " should be at least " + min.asLong() + " chars long"));
        }
        JsonNode pattern = s.node().get("pattern");
        if (pattern != null && !compiled(pattern.asText()).matcher(v).find()) {
            out.add(FieldError.invalid(field(name), v, name + IN + " should match '" + pattern.asText() + "'"));
        }
    }

    private static Pattern compiled(String regex) {
        return PATTERNS.computeIfAbsent(regex, r -> {
            try {
                return Pattern.compile(r);
            } catch (PatternSyntaxException e) {
                throw new IllegalStateException("the CRD's pattern " + r + " is not a valid regular expression: " + e.getMessage(), e);
            }
        });
    }

    private static void format(JsonNode value, Schema s, String name, List<FieldError> out) {
        JsonNode f = s.node().get("format");
        if (f == null) {
            return;
        }
        String v = value.asText();
        boolean ok = switch (f.asText()) {
            case "date-time", "datetime" -> parses(() -> OffsetDateTime.parse(v));
            case "date" -> parses(() -> LocalDate.parse(v));
            case "uuid" -> UUID_FORMAT.matcher(v).matches() && parses(() -> UUID.fromString(v));
            case "byte" -> parses(() -> Base64.getDecoder().decode(v));
            default -> true;
        };
        if (!ok) {
            out.add(FieldError.typeInvalid(field(name), v, name + IN + " must be of type " + f.asText() + ": " + GoFormat.quote(v)));
        }
    }

    private static boolean parses(Runnable parse) {
        try {
            parse.run();
            return true;
        } catch (DateTimeParseException | IllegalArgumentException e) {
            return false;
        }
    }

    private static void number(JsonNode value, Schema s, String name, List<FieldError> out) {
        Number data = value.isIntegralNumber() ? (Number) value.longValue() : (Number) value.doubleValue();
        double d = value.doubleValue();
        JsonNode f = s.node().get("format");
        if (f != null && f.asText().equals("int32") && value.isIntegralNumber() && (d > Integer.MAX_VALUE || d < Integer.MIN_VALUE)) {
            out.add(FieldError.typeInvalid(field(name), data, name + IN + " must be of type int32: " + GoFormat.quote(GoFormat.number(data))));
        }
        JsonNode multipleOf = s.node().get("multipleOf");
        if (multipleOf != null && multipleOf.asDouble() > 0) {
            double q = d / multipleOf.asDouble();
            if (q != Math.rint(q)) {
                out.add(FieldError.invalid(field(name), data, name + IN + " should be a multiple of " + bound(multipleOf, value)));
            }
        }
        JsonNode max = s.node().get("maximum");
        if (max != null) {
            boolean exclusive = s.node().path("exclusiveMaximum").asBoolean(false);
            if (exclusive ? d >= max.asDouble() : d > max.asDouble()) {
                out.add(FieldError.invalid(field(name), data, name + IN + " should be less than " + (exclusive ? "" : "or equal to ") + bound(max, value)));
            }
        }
        JsonNode min = s.node().get("minimum");
        if (min != null) {
            boolean exclusive = s.node().path("exclusiveMinimum").asBoolean(false);
            if (exclusive ? d <= min.asDouble() : d < min.asDouble()) {
                out.add(FieldError.invalid(field(name), data, name + IN + " should be greater than " + (exclusive ? "" : "or equal to ") + bound(min, value)));
            }
        }
    }

    /** A bound prints as an integer for integer data (kube-openapi converts it to int64) and as Go's %v otherwise. */
    private static String bound(JsonNode bound, JsonNode data) {
        if (data.isIntegralNumber()) {
            return Long.toString((long) bound.asDouble());
        }
        return GoFormat.number(bound.asDouble());
    }

    private static void array(JsonNode value, Schema s, String name, List<FieldError> out) {
        Optional<Schema> items = s.items();
        if (items.isPresent()) {
            for (int i = 0; i < value.size(); i++) {
                node(value.get(i), items.get(), name + "[" + i + "]", out);
            }
        }
        JsonNode min = s.node().get("minItems");
        if (min != null && value.size() < min.asLong()) {
            out.add(FieldError.invalid(field(name), (long) value.size(), name + IN + " should have at least " + min.asLong() + " items"));
        }
        JsonNode max = s.node().get("maxItems");
        if (max != null && value.size() > max.asLong()) {
            out.add(FieldError.tooMany(field(name), value.size(), max.asLong()));
        }
        if (s.node().path("uniqueItems").asBoolean(false)) {
            Set<JsonNode> seen = new HashSet<>();
            for (JsonNode item : value) {
                if (!seen.add(item)) {
                    out.add(FieldError.invalid(field(name), "", name + IN + " shouldn't contain duplicates"));
                    break;
                }
            }
        }
    }

    private static void enumeration(JsonNode value, Schema s, String name, List<FieldError> out) {
        JsonNode allowed = s.node().get("enum");
        if (allowed == null || !allowed.isArray() || allowed.isEmpty()) {
            return;
        }
        for (JsonNode a : allowed) {
            if (a.equals(value) || (a.isNumber() && value.isNumber() && a.doubleValue() == value.doubleValue())) {
                return;
            }
        }
        List<String> names = new ArrayList<>();
        allowed.forEach(a -> names.add(a.isTextual() ? a.asText() : a.toString()));
        out.add(FieldError.notSupported(field(name), value, names));
    }

    private static void object(JsonNode value, Schema s, String name, List<FieldError> out) {
        int keys = value.size();
        JsonNode minP = s.node().get("minProperties");
        if (minP != null && keys < minP.asLong()) {
            out.add(FieldError.invalid(field(name), (long) keys, name + IN + " should have at least " + minP.asLong() + " properties"));
            return;
        }
        JsonNode maxP = s.node().get("maxProperties");
        if (maxP != null && keys > maxP.asLong()) {
            out.add(FieldError.tooMany(field(name), keys, maxP.asLong()));
            return;
        }
        Map<String, Schema> props = s.properties();
        Optional<Schema> additional = s.additionalProperties();
        if (additional.isPresent()) {
            value.fieldNames().forEachRemaining(k -> {
                if (!props.containsKey(k)) {
                    node(value.get(k), additional.get(), name + "." + k, out);
                }
            });
        }
        for (Map.Entry<String, Schema> p : props.entrySet()) {
            JsonNode v = value.get(p.getKey());
            if (v != null) {
                node(v, p.getValue(), name.isEmpty() ? p.getKey() : name + "." + p.getKey(), out);
            }
        }
        for (String r : s.required()) {
            if (!value.has(r)) {
                out.add(FieldError.required(field(name + "." + r), ""));
            }
        }
    }

    /** The field of a kube-openapi error: its name without a leading dot; no name is the nil path. */
    private static String field(String name) {
        String trimmed = name.startsWith(".") ? name.substring(1) : name;
        return trimmed.isEmpty() ? null : trimmed;
    }
}
