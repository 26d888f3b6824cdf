package dev.landscape.demo.report;

import java.time.Instant;
import java.util.Objects;

/**
 * One Kubernetes Event in the timeline.
 *
 * @param time    last timestamp of the event
 * @param type    {@code Normal} or {@code Warning}
 * @param reason  the event's reason
 * @param object  the involved object as {@code kind/name}, e.g. {@code Pod/train-2}
 * @param message the event's message
 */
public record EventRow(Instant time, String type, String reason, String object, String message) {
    public EventRow {
        Objects.requireNonNull(time, "time");
        type = type == null ? "" : type;
        reason = reason == null ? "" : reason;
        object = object == null ? "" : object;
        message = message == null ? "" : message;
    }
}
