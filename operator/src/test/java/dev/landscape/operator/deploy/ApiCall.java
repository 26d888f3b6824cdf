package dev.landscape.operator.deploy;

/**
 * One call to the API server in RBAC's terms.
 *
 * @param namespace null for a cluster-scoped resource or a request across all namespaces
 * @param name      the object named in the path, or null for a collection
 */
record ApiCall(String namespace, String group, String resource, String verb, String name) {

    @Override
    public String toString() {
        return verb + " " + (group.isEmpty() ? "" : group + "/") + resource + (name == null ? "" : "/" + name)
                + (namespace == null ? "" : " in " + namespace);
    }
}
