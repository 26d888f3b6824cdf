package dev.landscape.operator.crd;

/** Regular expressions shared by the CRD schema (OpenAPI {@code pattern}) and the operator's own parsing. */
public final class Patterns {

    /** RFC 1123 label, as Kubernetes volume and container names require. */
    public static final String DNS_LABEL = "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$";

    /** A decimal number as a string, e.g. {@code 6}, {@code -0.5}, {@code 1e-4}; floats never appear in a spec. */
    public static final String DECIMAL = "^[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+)?$";

    /** A positive Go-style duration made of whole units, e.g. {@code 30s}, {@code 1h30m}, {@code 500ms}. */
    public static final String DURATION = "^([0-9]+(ms|s|m|h))+$";

    private Patterns() {
    }
}
