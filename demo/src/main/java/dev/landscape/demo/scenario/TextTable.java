package dev.landscape.demo.scenario;

import java.util.ArrayList;
import java.util.List;

/** A plain-text table with columns as wide as their widest cell, as {@code kubectl get} prints them. */
final class TextTable {

    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();
    private final int maxCell;

    TextTable(int maxCell, String... header) {
        this.header = List.of(header);
        this.maxCell = maxCell;
    }

    TextTable row(Object... cells) {
        List<String> r = new ArrayList<>();
        for (Object c : cells) {
            String s = c == null ? "<none>" : c.toString().replace('\n', ' ');
            r.add(s.length() > maxCell ? s.substring(0, maxCell - 1) + "…" : s);
        }
        rows.add(r);
        return this;
    }

    @Override
    public String toString() {
        int[] width = new int[header.size()];
        for (int i = 0; i < width.length; i++) {
            width[i] = header.get(i).length();
            for (List<String> r : rows) {
                width[i] = Math.max(width[i], i < r.size() ? r.get(i).length() : 0);
            }
        }
        StringBuilder sb = new StringBuilder();
        line(sb, header, width);
        for (List<String> r : rows) {
            line(sb, r, width);
        }
        return sb.toString();
    }

    private static void line(StringBuilder sb, List<String> cells, int[] width) {
        StringBuilder l = new StringBuilder();
        for (int i = 0; i < width.length; i++) {
            String c = i < cells.size() ? cells.get(i) : "";
            l.append(c);
            if (i < width.length - 1) {
                l.append(" ".repeat(width[i] - c.length() + 3));
            }
        }
        sb.append(l.toString().stripTrailing()).append('\n');
    }
}
