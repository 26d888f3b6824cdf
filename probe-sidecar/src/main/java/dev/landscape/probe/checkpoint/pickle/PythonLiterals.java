package dev.landscape.probe.checkpoint.pickle;

/** Decoding of protocol 0's text arguments: quoted {@code STRING} reprs and raw-unicode-escaped {@code UNICODE}. */
final class PythonLiterals {

    private PythonLiterals() {
    }

    /** A Python 2 {@code repr()} of a byte string, quotes included, as {@code STRING} writes it. */
    static String unquote(String s) throws PickleValueException {
        if (s.length() < 2 || s.charAt(0) != s.charAt(s.length() - 1) || (s.charAt(0) != '\'' && s.charAt(0) != '"')) {
            throw new PickleValueException("STRING argument is not a quoted string");
        }
        String body = s.substring(1, s.length() - 1);
        StringBuilder out = new StringBuilder(body.length());
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c != '\\' || i + 1 == body.length()) {
                out.append(c);
                continue;
            }
            char e = body.charAt(++i);
            switch (e) {
                case 'n' -> out.append('\n');
                case 't' -> out.append('\t');
                case 'r' -> out.append('\r');
                case '0', '1', '2', '3', '4', '5', '6', '7' -> {
                    int end = i;
                    while (end < body.length() && end < i + 3 && body.charAt(end) >= '0' && body.charAt(end) <= '7') {
                        end++;
                    }
                    out.append((char) (Integer.parseInt(body.substring(i, end), 8) & 0xFF));
                    i = end - 1;
                }
                case 'x' -> {
                    out.append((char) hex(body, i + 1, 2));
                    i += 2;
                }
                default -> out.append(e == '\\' || e == '\'' || e == '"' ? String.valueOf(e) : "\\" + e);
            }
        }
        return out.toString();
    }

    /** Python's {@code raw-unicode-escape}: only {@code \\uXXXX} and {@code \\UXXXXXXXX} are escapes. */
    static String rawUnicodeEscape(String s) throws PickleValueException {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length() && (s.charAt(i + 1) == 'u' || s.charAt(i + 1) == 'U')) {
                int digits = s.charAt(i + 1) == 'u' ? 4 : 8;
                int cp = hex(s, i + 2, digits);
                if (!Character.isValidCodePoint(cp)) {
                    throw new PickleValueException("invalid code point in UNICODE argument");
                }
                out.appendCodePoint(cp);
                i += 1 + digits;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static int hex(String s, int from, int digits) throws PickleValueException {
        if (from + digits > s.length()) {
            throw new PickleValueException("truncated escape in a text argument");
        }
        try {
            return (int) Long.parseLong(s.substring(from, from + digits), 16);
        } catch (NumberFormatException e) {
            throw new PickleValueException("bad hex escape in a text argument");
        }
    }
}
