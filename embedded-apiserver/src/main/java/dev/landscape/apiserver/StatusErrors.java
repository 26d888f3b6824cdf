package dev.landscape.apiserver;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code metav1.Status} bodies kube-apiserver answers errors with, built the way
 * {@code k8s.io/apimachinery/pkg/api/errors} builds them, so that clients (Fabric8's {@code KubernetesClientException},
 * kubectl) show the same message, reason and causes as on a real cluster.
 */
public final class StatusErrors {

    private static final ObjectMapper JSON = new ObjectMapper();

    private StatusErrors() {
    }

    /** An error answer: HTTP code and Status body. */
    public record Answer(int code, ObjectNode status) {
        public String message() {
            return status.path("message").asText();
        }
    }

    /**
     * {@code errors.NewInvalid}: 422, reason Invalid, one cause per field error, and the message
     * {@code <Kind>.<group> "<name>" is invalid: <errors>} (several errors in brackets, duplicates once).
     */
    public static Answer invalid(String group, String kind, String name, List<FieldError> errors) {
        ObjectNode status = base(422, "Invalid");
        ObjectNode details = details(status, name, group, kind);
        ArrayNode causes = details.putArray("causes");
        for (FieldError e : errors) {
            ObjectNode c = causes.addObject();
            c.put("reason", e.type().reason());
            c.put("message", e.body());
            c.put("field", e.field() == null ? "<nil>" : e.field());
        }
        String qualified = group.isEmpty() ? kind : kind + "." + group;
        status.put("message", qualified + " " + GoFormat.quote(name) + " is invalid" + (errors.isEmpty() ? "" : ": " + aggregate(errors)));
        return new Answer(422, status);
    }

    /**
     * {@code errors.NewConflict} for an update based on an outdated resourceVersion: 409, reason Conflict, and the
     * message {@code Operation cannot be fulfilled on <resource>.<group> "<name>": the object has been modified; ...}.
     */
    public static Answer conflict(String group, String resource, String name) {
        ObjectNode status = base(409, "Conflict");
        details(status, name, group, resource);
        String qualified = group.isEmpty() ? resource : resource + "." + group;
        status.put("message", "Operation cannot be fulfilled on " + qualified + " " + GoFormat.quote(name)
                + ": the object has been modified; please apply your changes to the latest version and try again");
        return new Answer(409, status);
    }

    /** {@code errors.NewBadRequest}: 400, reason BadRequest. */
    public static Answer badRequest(String message) {
        ObjectNode status = base(400, "BadRequest");
        status.put("message", message);
        return new Answer(400, status);
    }

    /** {@code errors.NewInternalError}: 500, reason InternalError, the error as the one cause. */
    public static Answer internal(String error) {
        ObjectNode status = base(500, "InternalError");
        status.put("message", "Internal error occurred: " + error);
        status.putObject("details").putArray("causes").addObject().put("message", error);
        return new Answer(500, status);
    }

    /** A Status a webhook (or another component) made, answered as it is. */
    public static Answer of(ObjectNode status) {
        return new Answer(status.path("code").asInt(500), status);
    }

    /** {@code utilerrors.NewAggregate(...).Error()} over {@code ErrorList.ToAggregate()}: one message, or several in brackets. */
    static String aggregate(List<FieldError> errors) {
        Set<String> messages = new LinkedHashSet<>();
        for (FieldError e : errors) {
            messages.add(e.message());
        }
        List<String> list = new ArrayList<>(messages);
        return list.size() == 1 ? list.get(0) : "[" + String.join(", ", list) + "]";
    }

    /** {@code details} as {@code StatusDetails} carries them: the object's name, its group unless core, and its kind. */
    private static ObjectNode details(ObjectNode status, String name, String group, String kind) {
        ObjectNode details = status.putObject("details");
        details.put("name", name);
        if (!group.isEmpty()) {
            details.put("group", group);
        }
        details.put("kind", kind);
        return details;
    }

    private static ObjectNode base(int code, String reason) {
        ObjectNode status = JSON.createObjectNode();
        status.put("kind", "Status");
        status.put("apiVersion", "v1");
        status.putObject("metadata");
        status.put("status", "Failure");
        status.put("reason", reason);
        status.put("code", code);
        return status;
    }
}
