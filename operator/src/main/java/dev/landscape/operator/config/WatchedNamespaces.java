package dev.landscape.operator.config;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The namespaces whose probes this operator acts on, read from the one setting the controller itself uses
 * ({@code quarkus.operator-sdk.namespaces}, env {@code QUARKUS_OPERATOR_SDK_NAMESPACES}), so that the webhook's probe
 * cache watches exactly what the reconciler does and what RBAC grants: with a list, Roles in those namespaces only.
 *
 * @param all        every namespace (cluster-wide RBAC)
 * @param namespaces the namespaces otherwise
 */
public record WatchedNamespaces(boolean all, Set<String> namespaces) {

    public static final String SETTING = "quarkus.operator-sdk.namespaces";
    static final String ALL = "JOSDK_ALL_NAMESPACES";
    static final String CURRENT = "JOSDK_WATCH_CURRENT";

    /** @param setting the setting's values; empty means the SDK's default, every namespace */
    public static WatchedNamespaces of(List<String> setting, String currentNamespace) {
        TreeSet<String> names = new TreeSet<>();
        for (String value : setting) {
            String v = value.trim();
            if (v.equals(ALL)) {
                return new WatchedNamespaces(true, Set.of());
            }
            if (!v.isEmpty()) {
                names.add(v.equals(CURRENT) ? currentNamespace : v);
            }
        }
        return names.isEmpty() ? new WatchedNamespaces(true, Set.of()) : new WatchedNamespaces(false, Set.copyOf(names));
    }

    public boolean contains(String namespace) {
        return all || namespaces.contains(namespace);
    }
}
