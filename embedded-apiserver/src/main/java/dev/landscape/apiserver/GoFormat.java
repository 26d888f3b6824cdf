package dev.landscape.apiserver;

import java.math.BigDecimal;

/**
 * How kube-apiserver's messages print values: Go's {@code %q} for strings and {@code %v} for numbers. Messages are
 * compared character for character with what a real API server answers, so the quoting and the float format
 * (shortest representation, exponent from 1e+06 and below 1e-04) follow Go's {@code strconv}, not Java's.
 */
public final class GoFormat {

    private GoFormat() {
    }

    /** Go's {@code strconv.Quote}: double quotes, backslash escapes for quotes, backslashes and control characters. */
    public static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        b.append(String.format("\\x%02x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    /** Go's {@code %v} of a number: integers as they are, floats in the shortest form {@code strconv} gives. */
    public static String number(Number n) {
        if (n instanceof Double || n instanceof Float || n instanceof BigDecimal) {
            return floating(n.doubleValue());
        }
        return n.toString();
    }

    static String floating(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "+Inf" : "-Inf";
        }
        if (d == 0) {
            return (1 / d < 0) ? "-0" : "0";
        }
        BigDecimal exact = new BigDecimal(Double.toString(Math.abs(d))).stripTrailingZeros();
        String digits = exact.unscaledValue().toString();
        int exponent = digits.length() - 1 - exact.scale();
        String sign = d < 0 ? "-" : "";
        if (exponent >= -4 && exponent < 6) {
            return sign + exact.toPlainString();
        }
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + String.format("%02d", Math.abs(exponent));
    }
}
