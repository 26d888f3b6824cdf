package dev.landscape.operator.crd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluates a committed CRD's {@code x-kubernetes-validations} (CEL, with Google's CEL implementation) against an
 * object, the way kube-apiserver does: schema defaults are applied first, then every rule runs where the object has a
 * value, with {@code self} bound to it. Kubernetes' own CEL extensions ({@code quantity()}, {@code isSorted()},
 * transition rules with {@code oldSelf}) are not available; the project's rules use none.
 */
public final class TestingCrdValidation {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final CelCompiler COMPILER = CelCompilerFactory.standardCelCompilerBuilder()
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
            .addVar("self", SimpleType.DYN).build();
    private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder().build();

    private final JsonNode schema;

    private TestingCrdValidation(JsonNode schema) {
        this.schema = schema;
    }

    /** The schema of the first version of {@code crds/<file>}. */
    public static TestingCrdValidation of(String file) throws IOException {
        Path crd = RepositoryPaths.root().resolve("crds").resolve(file);
        return new TestingCrdValidation(YAML.readTree(crd.toFile()).at("/spec/versions/0/schema/openAPIV3Schema"));
    }

    /** The messages of the rules {@code object} (YAML or JSON text) breaks, each prefixed with the field path. */
    public List<String> violations(String object) throws IOException {
        JsonNode tree = YAML.readTree(object);
        Object value = withDefaults(schema, toJava(tree));
        List<String> out = new ArrayList<>();
        check(schema, value, "", out);
        return out;
    }

    private static void check(JsonNode schema, Object value, String path, List<String> out) {
        if (value == null) {
            return;
        }
        for (JsonNode rule : schema.path("x-kubernetes-validations")) {
            if (!passes(rule.path("rule").asText(), value)) {
                out.add((path.isEmpty() ? "<root>" : path.substring(1)) + ": " + rule.path("message").asText(rule.path("rule").asText()));
            }
        }
        if (value instanceof Map<?, ?> map) {
            for (Iterator<Map.Entry<String, JsonNode>> it = schema.path("properties").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> p = it.next();
                check(p.getValue(), map.get(p.getKey()), path + "." + p.getKey(), out);
            }
            JsonNode additional = schema.path("additionalProperties");
            if (additional.isObject()) {
                map.forEach((k, v) -> check(additional, v, path + "." + k, out));
            }
        } else if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                check(schema.path("items"), list.get(i), path + "[" + i + "]", out);
            }
        }
    }

    private static boolean passes(String rule, Object self) {
        try {
            CelAbstractSyntaxTree ast = COMPILER.compile(rule).getAst();
            return Boolean.TRUE.equals(RUNTIME.createProgram(ast).eval(Map.of("self", self)));
        } catch (CelValidationException e) {
            throw new AssertionError("rule does not compile: " + rule + ": " + e.getMessage(), e);
        } catch (CelEvaluationException e) {
            // kube-apiserver rejects an object whose rule cannot be evaluated on it (e.g. double() of a non-number).
            return false;
        }
    }

    /** Structural-schema defaulting: a missing property with a default gets it, inside objects that exist. */
    @SuppressWarnings("unchecked")
    private static Object withDefaults(JsonNode schema, Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>((Map<String, Object>) map);
            for (Iterator<Map.Entry<String, JsonNode>> it = schema.path("properties").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> p = it.next();
                if (!out.containsKey(p.getKey()) && p.getValue().has("default")) {
                    out.put(p.getKey(), toJava(p.getValue().get("default")));
                }
                if (out.containsKey(p.getKey())) {
                    out.put(p.getKey(), withDefaults(p.getValue(), out.get(p.getKey())));
                }
            }
            return out;
        }
        if (value instanceof List<?> list) {
            return list.stream().map(v -> withDefaults(schema.path("items"), v)).toList();
        }
        return value;
    }

    /** JSON → the values CEL expects: maps, lists, strings, longs, doubles, booleans. */
    private static Object toJava(JsonNode n) {
        if (n.isObject()) {
            Map<String, Object> m = new LinkedHashMap<>();
            n.fields().forEachRemaining(e -> m.put(e.getKey(), toJava(e.getValue())));
            return m;
        }
        if (n.isArray()) {
            List<Object> l = new ArrayList<>();
            n.forEach(e -> l.add(toJava(e)));
            return l;
        }
        if (n.isIntegralNumber()) {
            return n.asLong();
        }
        if (n.isNumber()) {
            return n.asDouble();
        }
        if (n.isBoolean()) {
            return n.asBoolean();
        }
        return n.isNull() ? null : n.asText();
    }
}
