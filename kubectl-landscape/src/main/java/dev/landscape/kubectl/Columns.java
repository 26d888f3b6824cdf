package dev.landscape.kubectl;

import java.util.ArrayList;
import java.util.List;

/** Rows of cells printed as kubectl prints tables: upper-case headers, left-aligned, three spaces apart. */
final class Columns {

    private final List<String[]> rows = new ArrayList<>();

    Columns(String... headers) {
        rows.add(headers);
    }

    Columns row(String... cells) {
        if (cells.length != rows.get(0).length) {
            throw new IllegalArgumentException("a row of " + cells.length + " cells in a table of " + rows.get(0).length + " columns");
        }
        rows.add(cells);
        return this;
    }

    @Override
    public String toString() {
        int[] width = new int[rows.get(0).length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                line.append(r[i]);
                if (i < r.length - 1) {
                    line.append(" ".repeat(width[i] - r[i].length() + 3));
                }
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }
}
