package dev.landscape.operator.crd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.crdv2.generator.v1.SchemaCustomizer;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

import java.util.Iterator;
import java.util.Map;

/**
 * A JSON merge patch (RFC 7386) on a generated schema, for what no schema annotation can say. The generator's own
 * {@code MergePatchCustomizer} replaces nested maps wholesale (Jackson's update semantics), which would drop every
 * property the patch does not name; this one merges objects at every depth. Used by the CRD generator only, through
 * {@link SchemaCustomizer}; the operator never loads it at run time.
 */
public final class SchemaMerge implements SchemaCustomizer.Customizer {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public JSONSchemaProps apply(JSONSchemaProps schema, String patch, KubernetesSerialization serialization) {
        try {
            JsonNode target = JSON.readTree(serialization.asJson(schema));
            merge((ObjectNode) target, JSON.readTree(patch));
            return serialization.unmarshal(target.toString(), JSONSchemaProps.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("schema patch is not valid JSON: " + patch, e);
        }
    }

    static void merge(ObjectNode target, JsonNode patch) {
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode existing = target.get(e.getKey());
            if (e.getValue().isNull()) {
                target.remove(e.getKey());
            } else if (e.getValue().isObject() && existing != null && existing.isObject()) {
                merge((ObjectNode) existing, e.getValue());
            } else {
                target.set(e.getKey(), e.getValue());
            }
        }
    }
}
