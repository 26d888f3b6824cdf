package dev.landscape.operator.webhook;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.landscape.operator.crd.SchemaDefaults;
import io.fabric8.generator.annotation.Default;

import java.lang.reflect.Field;

/**
 * A spec section as JSON with every schema default filled in, read through {@link SchemaDefaults} from the same
 * {@code @Default} annotations that generate the CRD. The sidecar gets effective values, while the user's spec is
 * never written to.
 */
final class EffectiveSpec {

    private EffectiveSpec() {
    }

    static ObjectNode of(ObjectMapper json, Object section, Class<?> type) {
        ObjectNode node = section == null ? json.createObjectNode() : json.valueToTree(section);
        for (Field field : type.getDeclaredFields()) {
            if (field.getAnnotation(Default.class) == null || node.has(field.getName())) {
                continue;
            }
            String value = SchemaDefaults.of(type, field.getName());
            if (field.getType() == Integer.class) {
                node.put(field.getName(), Integer.parseInt(value));
            } else if (field.getType() == Boolean.class) {
                node.put(field.getName(), Boolean.parseBoolean(value));
            } else {
                node.put(field.getName(), value);
            }
        }
        return node;
    }
}
