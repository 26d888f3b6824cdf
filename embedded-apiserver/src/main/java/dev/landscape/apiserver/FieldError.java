package dev.landscape.apiserver;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Objects;

/**
 * One field error as {@code k8s.io/apimachinery/pkg/util/validation/field.Error} has it: a type, the field's path,
 * the bad value and a detail, printed exactly as the Go type prints itself ({@code "<field>: <type>: <value>:
 * <detail>"}), because that text is the message a user of a real cluster reads.
 *
 * @param badValue a {@link String}, {@link Number}, {@link Boolean}, {@link JsonNode}, {@link GoLiteral},
 *                 {@code null} (printed {@code "null"}) or {@link #OMIT} (not printed)
 */
public record FieldError(Type type, String field, Object badValue, String detail) {

    /** A value the message leaves out, as Go's {@code field.OmitValueType}. */
    public static final Object OMIT = new Object() {
        @Override
        public String toString() {
            return "<omitted>";
        }
    };

    /** A value printed as given (what Go's {@code %#v} makes of a map, for instance). */
    public record GoLiteral(String text) {
    }

    /** {@code field.ErrorType}: the reason in a Status cause and the words in the message. */
    public enum Type {
        NOT_FOUND("FieldValueNotFound", "Not found"),
        REQUIRED("FieldValueRequired", "Required value"),
        DUPLICATE("FieldValueDuplicate", "Duplicate value"),
        INVALID("FieldValueInvalid", "Invalid value"),
        NOT_SUPPORTED("FieldValueNotSupported", "Unsupported value"),
        FORBIDDEN("FieldValueForbidden", "Forbidden"),
        TOO_LONG("FieldValueTooLong", "Too long"),
        TOO_MANY("FieldValueTooMany", "Too many"),
        INTERNAL("InternalError", "Internal error"),
        TYPE_INVALID("FieldValueTypeInvalid", "Invalid value");

        private final String reason;
        private final String words;

        Type(String reason, String words) {
            this.reason = reason;
            this.words = words;
        }

        public String reason() {
            return reason;
        }

        public String words() {
            return words;
        }
    }

    public static FieldError invalid(String field, Object value, String detail) {
        return new FieldError(Type.INVALID, field, value, detail);
    }

    public static FieldError typeInvalid(String field, Object value, String detail) {
        return new FieldError(Type.TYPE_INVALID, field, value, detail);
    }

    public static FieldError required(String field, String detail) {
        return new FieldError(Type.REQUIRED, field, "", detail);
    }

    public static FieldError forbidden(String field, String detail) {
        return new FieldError(Type.FORBIDDEN, field, "", detail);
    }

    public static FieldError duplicate(String field, Object value) {
        return new FieldError(Type.DUPLICATE, field, value, "");
    }

    /** {@code field.NotSupported}: the detail lists the supported values, each quoted. */
    public static FieldError notSupported(String field, Object value, Iterable<String> supported) {
        StringBuilder d = new StringBuilder();
        for (String s : supported) {
            d.append(d.length() == 0 ? "supported values: " : ", ").append(GoFormat.quote(s));
        }
        return new FieldError(Type.NOT_SUPPORTED, field, value, d.toString());
    }

    /** {@code field.TooLongMaxLength}, as kube-openapi's maxLength failures are reported (Kubernetes 1.31). */
    public static FieldError tooLong(String field, Object value, long max) {
        return new FieldError(Type.TOO_LONG, field, value, max >= 0 ? "may not be longer than " + max : "value is too long");
    }

    public static FieldError tooMany(String field, long actual, long max) {
        return new FieldError(Type.TOO_MANY, field, actual >= 0 ? (Object) actual : OMIT,
                max >= 0 ? "must have at most " + max + " items" : "has too many items");
    }

    /** The message without the field: {@code field.Error.ErrorBody()}. */
    public String body() {
        String s;
        if (type == Type.REQUIRED || type == Type.FORBIDDEN || type == Type.TOO_LONG || type == Type.INTERNAL
                || badValue == OMIT) {
            s = type.words();
        } else {
            s = type.words() + ": " + value(badValue);
        }
        return detail == null || detail.isEmpty() ? s : s + ": " + detail;
    }

    /** {@code field.Error.Error()}: a nil path prints as {@code <nil>}. */
    public String message() {
        return (field == null ? "<nil>" : field) + ": " + body();
    }

    private static String value(Object v) {
        if (v == null) {
            return GoFormat.quote("null");
        }
        if (v instanceof String s) {
            return GoFormat.quote(s);
        }
        if (v instanceof Number n) {
            return GoFormat.number(n);
        }
        if (v instanceof Boolean b) {
            return b.toString();
        }
        if (v instanceof GoLiteral l) {
            return l.text();
        }
        if (v instanceof JsonNode n) {
            return n.isNull() || n.isMissingNode() ? GoFormat.quote("null") : GoValues.goSharpV(n);
        }
        return Objects.toString(v);
    }
}
