package dev.landscape.operator.deploy;

import io.fabric8.mockwebserver.http.RecordedRequest;

import java.util.Optional;

/** Requests recorded by the mock API server, read as RBAC sees them (verb, group, resource/subresource, namespace, name). */
final class ApiCalls {

    private ApiCalls() {
    }

    /** Empty for non-resource URLs (/version, discovery), which every authenticated user may read. */
    static Optional<ApiCall> of(RecordedRequest request) {
        String full = request.getPath();
        int q = full.indexOf('?');
        String path = q < 0 ? full : full.substring(0, q);
        String query = q < 0 ? "" : full.substring(q + 1);
        String[] p = path.replaceFirst("^/", "").split("/");
        int i;
        String group;
        if (p.length >= 3 && p[0].equals("api")) {
            group = "";
            i = 2;
        } else if (p.length >= 4 && p[0].equals("apis")) {
            group = p[1];
            i = 3;
        } else {
            return Optional.empty();
        }
        String namespace = null;
        if (p.length > i + 2 && p[i].equals("namespaces")) {
            namespace = p[i + 1];
            i += 2;
        }
        String resource = p[i];
        String name = p.length > i + 1 ? p[i + 1] : null;
        if (p.length > i + 2) {
            resource = resource + "/" + p[i + 2];
        }
        String verb = switch (request.getMethod()) {
            case "GET" -> query.contains("watch=true") ? "watch" : name == null ? "list" : "get";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> name == null ? "deletecollection" : "delete";
            default -> request.getMethod().toLowerCase(java.util.Locale.ROOT);
        };
        return Optional.of(new ApiCall(namespace, group, resource, verb, name));
    }
}
