package dev.landscape.probe.inspect;

import dev.landscape.probe.metrics.TensorStats;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * {@code inspect} for people: one aligned row per tensor and a totals row, numbers in six significant digits,
 * non-finite counts made loud because they are usually why someone is looking.
 */
public final class InspectTable {

    private static final String[] HEADER = {"NAME", "GROUP", "DTYPE", "SHAPE", "L2", "MAXABS", "NONFINITE"};
    /** Columns right-aligned because they hold numbers. */
    private static final boolean[] NUMERIC = {false, false, false, false, true, true, true};

    private InspectTable() {
    }

    public static void write(InspectReport report, PrintWriter out) {
        out.println("path:   " + report.path());
        out.println("format: " + report.format());
        out.println("step:   " + (report.step().isPresent() ? Long.toString(report.step().getAsLong()) : "unknown"));
        if (!report.globals().isEmpty()) {
            out.println("pickle globals besides tensors: " + String.join(", ", report.globals()));
        }
        out.println();
        List<String[]> rows = new ArrayList<>();
        rows.add(HEADER);
        for (InspectReport.Row r : report.tensors()) {
            rows.add(new String[] {r.info().name(), r.info().group(), r.info().dtype().name(),
                    Arrays.stream(r.info().shape()).mapToObj(Long::toString).collect(Collectors.joining(", ", "[", "]")),
                    number(r.stats().l2()), number(r.stats().maxAbs()), Long.toString(r.stats().nonFinite())});
        }
        TensorStats t = report.totals();
        rows.add(new String[] {"total: " + report.tensors().size() + " tensors", "", "",
                t.elements() + " elements", number(t.l2()), number(t.maxAbs()), Long.toString(t.nonFinite())});
        int[] width = new int[HEADER.length];
        for (String[] row : rows) {
            for (int c = 0; c < row.length; c++) {
                width[c] = Math.max(width[c], row[c].length());
            }
        }
        for (int i = 0; i < rows.size(); i++) {
            if (i == rows.size() - 1) {
                out.println(rule(width));
            }
            out.println(line(rows.get(i), width));
        }
        if (t.nonFinite() > 0) {
            out.println();
            out.println("WARNING: " + t.nonFinite() + " NaN/Inf elements (l2 and maxAbs cover the finite ones only)");
        }
        out.flush();
    }

    private static String line(String[] cells, int[] width) {
        StringBuilder b = new StringBuilder();
        for (int c = 0; c < cells.length; c++) {
            if (c > 0) {
                b.append("  ");
            }
            String pad = " ".repeat(width[c] - cells[c].length());
            b.append(NUMERIC[c] ? pad + cells[c] : c == cells.length - 1 ? cells[c] : cells[c] + pad);
        }
        return b.toString().stripTrailing();
    }

    private static String rule(int[] width) {
        return "-".repeat(Arrays.stream(width).sum() + 2 * (width.length - 1));
    }

    private static String number(double v) {
        if (v == 0) {
            return "0";
        }
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.6g", v) : "overflow";
    }
}
