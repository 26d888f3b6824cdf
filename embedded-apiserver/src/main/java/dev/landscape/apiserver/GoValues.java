package dev.landscape.apiserver;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** JSON values as Go's {@code %#v} prints the {@code interface{}} they decode to (maps with their keys sorted). */
final class GoValues {

    private GoValues() {
    }

    static String goSharpV(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return "interface {}(nil)";
        }
        if (n.isObject()) {
            List<String> keys = new ArrayList<>();
            for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
                keys.add(it.next());
            }
            keys.sort(null);
            StringBuilder b = new StringBuilder("map[string]interface {}{");
            for (int i = 0; i < keys.size(); i++) {
                b.append(i == 0 ? "" : ", ").append(GoFormat.quote(keys.get(i))).append(':').append(goSharpV(n.get(keys.get(i))));
            }
            return b.append('}').toString();
        }
        if (n.isArray()) {
            StringBuilder b = new StringBuilder("[]interface {}{");
            for (int i = 0; i < n.size(); i++) {
                b.append(i == 0 ? "" : ", ").append(goSharpV(n.get(i)));
            }
            return b.append('}').toString();
        }
        if (n.isTextual()) {
            return GoFormat.quote(n.asText());
        }
        if (n.isIntegralNumber()) {
            return n.bigIntegerValue().toString();
        }
        if (n.isNumber()) {
            return GoFormat.number(n.doubleValue());
        }
        return n.asText();
    }
}
