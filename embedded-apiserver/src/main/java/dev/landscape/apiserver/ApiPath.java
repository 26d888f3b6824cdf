package dev.landscape.apiserver;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A REST path of the Kubernetes API taken apart: {@code /api/v1/namespaces/ns/pods/name/status?dryRun=All} is group
 * "", version v1, namespace ns, resource pods, name, subresource status, and its query.
 */
public record ApiPath(String group, String version, String namespace, String resource, String name, String subresource,
                      Map<String, String> query) {

    public static Optional<ApiPath> parse(String path) {
        String raw = path;
        Map<String, String> query = new LinkedHashMap<>();
        int q = raw.indexOf('?');
        if (q >= 0) {
            for (String kv : raw.substring(q + 1).split("&")) {
                if (!kv.isEmpty()) {
                    int eq = kv.indexOf('=');
                    query.put(decode(eq < 0 ? kv : kv.substring(0, eq)), eq < 0 ? "" : decode(kv.substring(eq + 1)));
                }
            }
            raw = raw.substring(0, q);
        }
        List<String> s = List.of(raw.replaceAll("^/+|/+$", "").split("/"));
        String group;
        String version;
        int at;
        if (s.size() >= 2 && s.get(0).equals("api")) {
            group = "";
            version = s.get(1);
            at = 2;
        } else if (s.size() >= 3 && s.get(0).equals("apis")) {
            group = s.get(1);
            version = s.get(2);
            at = 3;
        } else {
            return Optional.empty();
        }
        List<String> rest = s.subList(at, s.size());
        if (rest.isEmpty()) {
            return Optional.empty();
        }
        String namespace = null;
        if (rest.get(0).equals("namespaces") && rest.size() >= 3 && !rest.get(2).equals("status") && !rest.get(2).equals("finalize")) {
            namespace = rest.get(1);
            rest = rest.subList(2, rest.size());
        }
        return Optional.of(new ApiPath(group, version, namespace, rest.get(0), rest.size() > 1 ? rest.get(1) : null,
                rest.size() > 2 ? rest.get(2) : null, Map.copyOf(query)));
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    public boolean dryRun() {
        return query.containsKey("dryRun");
    }

    /** {@code fieldValidation}: Strict, Warn (kube-apiserver's default) or Ignore. */
    public String fieldValidation() {
        return query.getOrDefault("fieldValidation", "Warn");
    }
}
