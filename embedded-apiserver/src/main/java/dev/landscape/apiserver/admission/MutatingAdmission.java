package dev.landscape.apiserver.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.landscape.apiserver.ApiPath;
import dev.landscape.apiserver.GoFormat;
import dev.landscape.apiserver.StatusErrors;
import dev.landscape.apiserver.network.ServiceEndpoints;
import io.fabric8.zjsonpatch.JsonPatch;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Mutating admission as kube-apiserver runs it ({@code apiserver/pkg/admission/plugin/webhook/mutating}), driven by
 * the MutatingWebhookConfigurations stored in this server: for each configuration (by name) and each of its webhooks
 * (in order) whose rules, scope, namespaceSelector and objectSelector match the request, an AdmissionReview is POSTed
 * over HTTPS (see {@link WebhookClient}) within {@code timeoutSeconds}; a JSON patch in the answer is applied, a
 * denial is returned as the webhook's Status, and a failed call fails the request ({@code failurePolicy: Fail}) or is
 * skipped ({@code Ignore}). Webhooks with {@code reinvocationPolicy: IfNeeded} are called once more when a later
 * webhook changed the object. A dry-run request is refused by webhooks whose {@code sideEffects} is neither None nor
 * NoneOnDryRun, and sent with {@code dryRun: true} to the others.
 *
 * <p>Not implemented (docs/development.md): {@code matchConditions}, {@code matchPolicy: Equivalent} across API
 * versions (every resource here has one version), validating webhooks, and the authenticated user (requests are
 * sent as {@code system:admin}, since this server does not authenticate its clients).
 */
public final class MutatingAdmission {

    private static final Logger LOG = Logger.getLogger(MutatingAdmission.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> DRY_RUN_SAFE = Set.of("None", "NoneOnDryRun");

    /** What the API server knows when it admits: the configurations and the namespaces' labels. */
    public interface Store {
        List<JsonNode> mutatingWebhookConfigurations();

        Optional<JsonNode> namespace(String name);
    }

    /** One webhook call and how it ended, for whoever watches admission (the demo prints these). */
    public record Call(String webhook, String pod, Result result, String detail, List<String> warnings, Duration took) {
        public enum Result { PATCHED, UNCHANGED, DENIED, FAILED_OPEN, FAILED_CLOSED }
    }

    /** The object as admitted with the webhooks' warnings, or the answer that rejects the request. */
    public record Outcome(JsonNode object, List<String> warnings, StatusErrors.Answer rejection) {
    }

    private record Hook(String configuration, JsonNode webhook) {
        String name() {
            return webhook.path("name").asText();
        }
    }

    private final Store store;
    private final ServiceEndpoints endpoints;
    private final Consumer<Call> listener;

    public MutatingAdmission(Store store, ServiceEndpoints endpoints, Consumer<Call> listener) {
        this.store = store;
        this.endpoints = endpoints;
        this.listener = listener;
    }

    /**
     * @param operation CREATE or UPDATE
     * @param object    the object as sent (for CREATE, before the API server gives it a UID)
     * @param old       the stored object for UPDATE, else null
     */
    public Outcome admit(String operation, ApiPath path, JsonNode object, JsonNode old) {
        List<Hook> hooks = matching(operation, path, object, old);
        if (hooks.isEmpty()) {
            return new Outcome(object, List.of(), null);
        }
        JsonNode current = object;
        List<String> warnings = new ArrayList<>();
        List<Hook> reinvoke = new ArrayList<>();
        List<Hook> invoked = new ArrayList<>();
        for (int round = 0; round < 2; round++) {
            List<Hook> toCall = round == 0 ? hooks : reinvoke;
            for (Hook hook : toCall) {
                if (path.dryRun() && !DRY_RUN_SAFE.contains(hook.webhook().path("sideEffects").asText("Unknown"))) {
                    return new Outcome(null, warnings, StatusErrors.badRequest("admission webhook "
                            + GoFormat.quote(hook.name()) + " does not support dry run"));
                }
                Attempt a = call(hook, operation, path, current, old);
                warnings.addAll(a.warnings());
                if (a.rejection() != null) {
                    return new Outcome(null, warnings, a.rejection());
                }
                if (a.object() != null && !a.object().equals(current)) {
                    current = a.object();
                    if (round == 0) {
                        for (Hook earlier : invoked) {
                            if (earlier.webhook().path("reinvocationPolicy").asText("Never").equals("IfNeeded") && !reinvoke.contains(earlier)) {
                                reinvoke.add(earlier);
                            }
                        }
                    }
                }
                if (round == 0) {
                    invoked.add(hook);
                }
            }
            if (reinvoke.isEmpty()) {
                break;
            }
            reinvoke.sort(Comparator.comparingInt(invoked::indexOf));
        }
        return new Outcome(current, warnings, null);
    }

    private record Attempt(JsonNode object, List<String> warnings, StatusErrors.Answer rejection) {
    }

    private Attempt call(Hook hook, String operation, ApiPath path, JsonNode object, JsonNode old) {
        long started = System.nanoTime();
        JsonNode webhook = hook.webhook();
        String podName = object.path("metadata").path("name").asText(object.path("metadata").path("generateName").asText(""));
        boolean failOpen = webhook.path("failurePolicy").asText("Fail").equals("Ignore");
        Duration timeout = Duration.ofSeconds(webhook.path("timeoutSeconds").asInt(10));
        String uid = UUID.randomUUID().toString();
        String url;
        InetSocketAddress address;
        JsonNode client = webhook.path("clientConfig");
        String failure = null;
        JsonNode admitted = null;
        List<String> warnings = new ArrayList<>();
        if (client.has("service")) {
            JsonNode svc = client.get("service");
            int port = svc.path("port").asInt(443);
            String p = svc.path("path").asText("/");
            url = "https://" + svc.path("name").asText() + "." + svc.path("namespace").asText() + ".svc:" + port
                    + (p.startsWith("/") ? p : "/" + p) + "?timeout=" + timeout.toSeconds() + "s";
            address = endpoints.resolve(svc.path("namespace").asText(), svc.path("name").asText(), port).orElse(null);
            if (address == null) {
                failure = "service " + GoFormat.quote(svc.path("name").asText()) + " not found";
            }
        } else {
            URI u = URI.create(client.path("url").asText());
            url = u + (u.getRawQuery() == null ? "?" : "&") + "timeout=" + timeout.toSeconds() + "s";
            address = new InetSocketAddress(u.getHost(), u.getPort() < 0 ? 443 : u.getPort());
        }
        if (failure == null) {
            try {
                byte[] ca = client.hasNonNull("caBundle") ? Base64.getDecoder().decode(client.get("caBundle").asText()) : null;
                WebhookClient.Response r = WebhookClient.post(URI.create(url), address, ca,
                        JSON.writeValueAsBytes(review(uid, operation, path, object, old)), timeout);
                if (r.code() != 200) {
                    failure = "an error on the server (" + GoFormat.quote(new String(r.body(), StandardCharsets.UTF_8).trim())
                            + ") has prevented the request from succeeding";
                } else {
                    JsonNode response = JSON.readTree(r.body()).path("response");
                    if (response.isMissingNode() || response.isNull()) {
                        failure = "webhook response was absent";
                    } else if (!response.path("uid").asText().equals(uid)) {
                        failure = "expected response.uid=" + GoFormat.quote(uid) + ", got " + GoFormat.quote(response.path("uid").asText());
                    } else {
                        response.path("warnings").forEach(w -> warnings.add(w.asText()));
                        if (!response.path("allowed").asBoolean(false)) {
                            StatusErrors.Answer denied = denied(hook.name(), response.path("status"));
                            report(hook, podName, Call.Result.DENIED, denied.message(), warnings, started);
                            return new Attempt(null, warnings, denied);
                        }
                        admitted = object;
                        if (response.hasNonNull("patch")) {
                            String type = response.path("patchType").asText("");
                            if (!type.equals("JSONPatch")) {
                                failure = "unsupported patch type " + GoFormat.quote(type);
                            } else {
                                try {
                                    JsonNode patch = JSON.readTree(Base64.getDecoder().decode(response.get("patch").asText()));
                                    admitted = JsonPatch.apply(patch, object);
                                } catch (RuntimeException e) {
                                    String message = "failed to apply the patch of admission webhook " + GoFormat.quote(hook.name()) + ": " + e.getMessage();
                                    report(hook, podName, Call.Result.FAILED_CLOSED, message, warnings, started);
                                    return new Attempt(null, warnings, StatusErrors.internal(message));
                                }
                            }
                        }
                    }
                }
            } catch (WebhookClient.CallFailure e) {
                failure = "Post " + GoFormat.quote(url) + ": " + e.getMessage();
            } catch (IOException e) {
                failure = "received invalid webhook response: " + e.getMessage();
            }
        }
        if (failure != null) {
            String message = "failed calling webhook " + GoFormat.quote(hook.name()) + ": failed to call webhook: " + failure;
            if (failOpen) {
                LOG.log(Level.WARNING, "Failed calling webhook, failing open {0}: {1}", new Object[] {hook.name(), message});
                report(hook, podName, Call.Result.FAILED_OPEN, message, warnings, started);
                return new Attempt(object, warnings, null);
            }
            report(hook, podName, Call.Result.FAILED_CLOSED, message, warnings, started);
            return new Attempt(null, warnings, StatusErrors.internal(message));
        }
        report(hook, podName, admitted.equals(object) ? Call.Result.UNCHANGED : Call.Result.PATCHED, "", warnings, started);
        return new Attempt(admitted, warnings, null);
    }

    private void report(Hook hook, String pod, Call.Result result, String detail, List<String> warnings, long started) {
        listener.accept(new Call(hook.name(), pod, result, detail, List.copyOf(warnings), Duration.ofNanos(System.nanoTime() - started)));
    }

    /** {@code webhookerrors.ToStatusErr}: the webhook's Status, its message prefixed, code at least 400. */
    private static StatusErrors.Answer denied(String webhook, JsonNode result) {
        ObjectNode status = result.isObject() ? (ObjectNode) result.deepCopy() : JsonNodeFactory.instance.objectNode();
        status.put("kind", "Status");
        status.put("apiVersion", "v1");
        if (status.path("code").asInt(0) < 400) {
            status.put("code", 400);
        }
        if (status.path("status").asText("").isEmpty() || status.path("status").asText().equals("Success")) {
            status.put("status", "Failure");
        }
        String deniedBy = "admission webhook " + GoFormat.quote(webhook) + " denied the request";
        if (!status.path("message").asText("").isEmpty()) {
            status.put("message", deniedBy + ": " + status.path("message").asText());
        } else if (!status.path("reason").asText("").isEmpty()) {
            status.put("message", deniedBy + ": " + status.path("reason").asText());
        } else {
            status.put("message", deniedBy + " without explanation");
        }
        return StatusErrors.of(status);
    }

    private static ObjectNode review(String uid, String operation, ApiPath path, JsonNode object, JsonNode old) {
        ObjectNode review = JsonNodeFactory.instance.objectNode();
        review.put("apiVersion", "admission.k8s.io/v1");
        review.put("kind", "AdmissionReview");
        ObjectNode request = review.putObject("request");
        request.put("uid", uid);
        String[] gv = object.path("apiVersion").asText().split("/", 2);
        ObjectNode kind = request.putObject("kind");
        kind.put("group", gv.length == 2 ? gv[0] : "");
        kind.put("version", gv.length == 2 ? gv[1] : gv[0]);
        kind.put("kind", object.path("kind").asText());
        ObjectNode resource = request.putObject("resource");
        resource.put("group", path.group());
        resource.put("version", path.version());
        resource.put("resource", path.resource());
        if (path.subresource() != null) {
            request.put("subResource", path.subresource());
        }
        request.set("requestKind", kind.deepCopy());
        request.set("requestResource", resource.deepCopy());
        String name = path.name() != null ? path.name() : object.path("metadata").path("name").asText("");
        if (!name.isEmpty()) {
            request.put("name", name);
        }
        if (path.namespace() != null) {
            request.put("namespace", path.namespace());
        }
        request.put("operation", operation);
        ObjectNode user = request.putObject("userInfo");
        user.put("username", "system:admin");
        user.putArray("groups").add("system:masters").add("system:authenticated");
        request.set("object", object);
        request.set("oldObject", old == null ? JsonNodeFactory.instance.nullNode() : old);
        request.put("dryRun", path.dryRun());
        ObjectNode options = request.putObject("options");
        options.put("kind", operation.equals("CREATE") ? "CreateOptions" : "UpdateOptions");
        options.put("apiVersion", "meta.k8s.io/v1");
        return review;
    }

    private List<Hook> matching(String operation, ApiPath path, JsonNode object, JsonNode old) {
        List<JsonNode> configurations = new ArrayList<>(store.mutatingWebhookConfigurations());
        configurations.sort(Comparator.comparing(c -> c.path("metadata").path("name").asText()));
        List<Hook> out = new ArrayList<>();
        for (JsonNode c : configurations) {
            for (JsonNode w : c.path("webhooks")) {
                if (rulesMatch(w, operation, path) && namespaceMatches(w, path, object) && objectMatches(w, object, old)) {
                    out.add(new Hook(c.path("metadata").path("name").asText(), w));
                }
            }
        }
        return out;
    }

    private static boolean rulesMatch(JsonNode webhook, String operation, ApiPath path) {
        for (JsonNode rule : webhook.path("rules")) {
            boolean ok = listed(rule.path("operations"), operation)
                    && listed(rule.path("apiGroups"), path.group())
                    && listed(rule.path("apiVersions"), path.version())
                    && resourceListed(rule.path("resources"), path.resource(), path.subresource());
            String scope = rule.path("scope").asText("*");
            boolean namespaced = path.namespace() != null;
            ok &= scope.equals("*") || (scope.equals("Namespaced") && namespaced) || (scope.equals("Cluster") && !namespaced);
            if (ok) {
                return true;
            }
        }
        return false;
    }

    private static boolean listed(JsonNode list, String value) {
        for (JsonNode v : list) {
            if (v.asText().equals("*") || v.asText().equals(value)) {
                return true;
            }
        }
        return false;
    }

    private static boolean resourceListed(JsonNode list, String resource, String subresource) {
        for (JsonNode v : list) {
            String[] rule = v.asText().split("/", 2);
            boolean resourceOk = rule[0].equals("*") || rule[0].equals(resource);
            boolean subOk = rule.length == 1 ? subresource == null : (rule[1].equals("*") || rule[1].equals(subresource));
            if (resourceOk && subOk) {
                return true;
            }
        }
        return false;
    }

    private boolean namespaceMatches(JsonNode webhook, ApiPath path, JsonNode object) {
        JsonNode selector = webhook.get("namespaceSelector");
        if (path.group().isEmpty() && path.resource().equals("namespaces")) {
            return ApiServerSelectors.matches(selector, object.path("metadata").path("labels"));
        }
        if (path.namespace() == null) {
            return true;
        }
        JsonNode labels = store.namespace(path.namespace()).map(n -> n.path("metadata").path("labels"))
                .orElse(JsonNodeFactory.instance.objectNode());
        return ApiServerSelectors.matches(selector, labels);
    }

    private static boolean objectMatches(JsonNode webhook, JsonNode object, JsonNode old) {
        JsonNode selector = webhook.get("objectSelector");
        return ApiServerSelectors.matches(selector, object.path("metadata").path("labels"))
                || (old != null && ApiServerSelectors.matches(selector, old.path("metadata").path("labels")));
    }
}
