package dev.landscape.operator.crd;

/** Regular expressions shared by the CRD schema (OpenAPI {@code pattern}) and the operator's own parsing. */
public final class Patterns {

    /** RFC 1123 label, as Kubernetes volume and container names require. */
    public static final String DNS_LABEL = "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$";

    /** A decimal number as a string, e.g. {@code 6}, {@code -0.5}, {@code 1e-4}; floats never appear in a spec. */
    public static final String DECIMAL = "^[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+)?$";

    /** A positive Go-style duration made of whole units, e.g. {@code 30s}, {@code 1h30m}, {@code 500ms}. */
    public static final String DURATION = "^([0-9]+(ms|s|m|h))+$";

    /** An RFC 3339 timestamp with a zone, e.g. {@code 2026-12-07T22:00:00Z} or {@code 2026-12-07T23:00:00+01:00}. */
    public static final String TIMESTAMP = "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$";

    private Patterns() {
    }
}
