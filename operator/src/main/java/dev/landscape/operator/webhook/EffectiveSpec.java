package dev.landscape.operator.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.landscape.operator.crd.SchemaDefaults;
import io.fabric8.generator.annotation.Default;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;

/**
 * A spec section as JSON with every schema default filled in, read through {@link SchemaDefaults} from the same
 * {@code @Default} annotations that generate the CRD. The sidecar gets effective values, while the user's spec is
 * never written to.
 *
 * <p>The defaults of a class are read by reflection once and kept as JSON values: this runs on every admission.
 */
final class EffectiveSpec {

    /** A field with a schema default, and that default as the JSON value the field's type serialises to. */
    private record Defaulted(String name, JsonNode value) {
    }

    private static final ClassValue<List<Defaulted>> DEFAULTS = new ClassValue<>() {
        @Override
        protected List<Defaulted> computeValue(Class<?> type) {
            List<Defaulted> defaults = new ArrayList<>();
            for (Field field : type.getDeclaredFields()) {
                if (field.getAnnotation(Default.class) == null) {
                    continue;
                }
                String value = SchemaDefaults.of(type, field.getName());
                JsonNode json;
                if (field.getType() == Integer.class) {
                    json = IntNode.valueOf(Integer.parseInt(value));
                } else if (field.getType() == Boolean.class) {
                    json = BooleanNode.valueOf(Boolean.parseBoolean(value));
                } else {
                    json = TextNode.valueOf(value);
                }
                defaults.add(new Defaulted(field.getName(), json));
            }
            return List.copyOf(defaults);
        }
    };

    private EffectiveSpec() {
    }

    static ObjectNode of(ObjectMapper json, Object section, Class<?> type) {
        ObjectNode node = section == null ? json.createObjectNode() : json.valueToTree(section);
        for (Defaulted field : DEFAULTS.get(type)) {
            if (!node.has(field.name())) {
                node.set(field.name(), field.value());
            }
        }
        return node;
    }
}
