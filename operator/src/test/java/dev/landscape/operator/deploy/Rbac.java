package dev.landscape.operator.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;

import java.util.ArrayList;
import java.util.List;

/** The RBAC grants of rendered manifests, flattened to one (namespace, group, resource, verb, name) each. */
final class Rbac {

    /**
     * @param namespace    where it applies; null for a ClusterRole (every namespace, and cluster-scoped resources)
     * @param resourceName the one object it is limited to, or null
     */
    record Grant(String namespace, String group, String resource, String verb, String resourceName) {

        boolean allows(ApiCall call) {
            return (namespace == null || namespace.equals(call.namespace())) && group.equals(call.group())
                    && resource.equals(call.resource()) && verb.equals(call.verb())
                    && (resourceName == null || resourceName.equals(call.name()));
        }
    }

    private Rbac() {
    }

    /** Grants of the Roles and ClusterRoles in {@code docs} (bindings are checked to name the operator separately). */
    static List<Grant> grants(List<JsonNode> docs) {
        List<Grant> out = new ArrayList<>();
        for (JsonNode d : docs) {
            switch (d.path("kind").asText()) {
                case "ClusterRole" -> add(out, null, Manifests.SERIALIZATION.unmarshal(d.toString(), ClusterRole.class).getRules());
                case "Role" -> add(out, d.at("/metadata/namespace").asText(),
                        Manifests.SERIALIZATION.unmarshal(d.toString(), Role.class).getRules());
                default -> { }
            }
        }
        return out;
    }

    private static void add(List<Grant> out, String namespace, List<PolicyRule> rules) {
        for (PolicyRule r : rules) {
            List<String> names = r.getResourceNames() == null || r.getResourceNames().isEmpty() ? java.util.Collections.singletonList(null) : r.getResourceNames();
            for (String g : r.getApiGroups()) {
                for (String res : r.getResources()) {
                    for (String v : r.getVerbs()) {
                        for (String n : names) {
                            out.add(new Grant(namespace, g, res, v, n));
                        }
                    }
                }
            }
        }
    }
}
