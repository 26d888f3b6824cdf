package dev.landscape.probe.curvature.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.geom.Line2D;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The 2-D slice as a heatmap (viridis, bilinearly interpolated) with contour lines (marching squares), a colour
 * bar and the checkpoint marked at the origin. Losses spanning more than a factor of 20 are coloured on a log
 * scale, as loss surfaces usually are, and the colour bar says so.
 */
public final class ContourPlot {

    private static final int[][] VIRIDIS = {
            {68, 1, 84}, {72, 40, 120}, {62, 73, 137}, {49, 104, 142}, {38, 130, 142},
            {31, 158, 137}, {53, 183, 121}, {109, 205, 89}, {180, 222, 44}, {253, 231, 37}};
    private static final int LEVELS = 12;

    private ContourPlot() {
    }

    /** @param losses losses[i][j] at (coords[j], coords[i]) */
    public static void render(double[] coords, double[][] losses, String title, Path file) throws IOException {
        int n = coords.length;
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double[] row : losses) {
            for (double v : row) {
                if (Double.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        if (!Double.isFinite(lo)) {
            lo = 0;
            hi = 1;
        }
        boolean log = lo > 0 && hi / lo > 20;
        double sLo = scale(lo, log);
        double sHi = scale(hi, log) == sLo ? sLo + 1 : scale(hi, log);
        double[][] s = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                s[i][j] = Double.isFinite(losses[i][j]) ? scale(losses[i][j], log) : sHi;
            }
        }
        PlotCanvas c = new PlotCanvas(780, 680, 150, coords[0], coords[n - 1], coords[0], coords[n - 1]);
        for (int y = 0; y < c.plotH; y++) {
            double gi = (1 - (y + 0.5) / c.plotH) * (n - 1);
            for (int x = 0; x < c.plotW; x++) {
                double gj = (x + 0.5) / c.plotW * (n - 1);
                double v = bilinear(s, gi, gj);
                c.image.setRGB(PlotCanvas.LEFT + x, PlotCanvas.TOP + y, colour((v - sLo) / (sHi - sLo)).getRGB());
            }
        }
        c.g.setStroke(new BasicStroke(1.1f));
        c.g.setColor(new Color(255, 255, 255, 170));
        for (int k = 1; k < LEVELS; k++) {
            contour(c, s, coords, sLo + (sHi - sLo) * k / LEVELS);
        }
        int ox = (int) c.px(0);
        int oy = (int) c.py(0);
        c.g.setStroke(new BasicStroke(3f));
        c.g.setColor(Color.BLACK);
        c.g.drawLine(ox - 9, oy - 9, ox + 9, oy + 9);
        c.g.drawLine(ox - 9, oy + 9, ox + 9, oy - 9);
        c.g.setStroke(new BasicStroke(1.6f));
        c.g.setColor(Color.WHITE);
        c.g.drawLine(ox - 8, oy - 8, ox + 8, oy + 8);
        c.g.drawLine(ox - 8, oy + 8, ox + 8, oy - 8);
        c.g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        c.g.drawString("checkpoint (" + PlotCanvas.format(losses[n / 2][n / 2]) + ")", ox + 12, oy - 10);
        colourBar(c, lo, hi, log);
        c.axes(title, "direction 1 (filter-normalised)", "direction 2 (filter-normalised)");
        c.write(file);
    }

    private static double scale(double v, boolean log) {
        return log ? Math.log10(v) : v;
    }

    private static double bilinear(double[][] s, double gi, double gj) {
        int n = s.length;
        int i0 = Math.min((int) Math.floor(gi), n - 2);
        int j0 = Math.min((int) Math.floor(gj), n - 2);
        double fi = gi - i0;
        double fj = gj - j0;
        return (1 - fi) * ((1 - fj) * s[i0][j0] + fj * s[i0][j0 + 1]) + fi * ((1 - fj) * s[i0 + 1][j0] + fj * s[i0 + 1][j0 + 1]);
    }

    static Color colour(double t) {
        double x = Math.max(0, Math.min(1, t)) * (VIRIDIS.length - 1);
        int k = Math.min((int) x, VIRIDIS.length - 2);
        double f = x - k;
        int[] a = VIRIDIS[k];
        int[] b = VIRIDIS[k + 1];
        return new Color((int) Math.round(a[0] + f * (b[0] - a[0])), (int) Math.round(a[1] + f * (b[1] - a[1])),
                (int) Math.round(a[2] + f * (b[2] - a[2])));
    }

    /** Marching squares on the grid cells; each crossing edge is interpolated linearly. */
    private static void contour(PlotCanvas c, double[][] s, double[] coords, double level) {
        int n = s.length;
        for (int i = 0; i < n - 1; i++) {
            for (int j = 0; j < n - 1; j++) {
                double[] v = {s[i][j], s[i][j + 1], s[i + 1][j + 1], s[i + 1][j]};
                double[][] corner = {{coords[j], coords[i]}, {coords[j + 1], coords[i]},
                        {coords[j + 1], coords[i + 1]}, {coords[j], coords[i + 1]}};
                double[][] pts = new double[4][];
                int m = 0;
                for (int e = 0; e < 4; e++) {
                    double a = v[e];
                    double b = v[(e + 1) % 4];
                    if ((a < level) != (b < level)) {
                        double t = (level - a) / (b - a);
                        double[] p = corner[e];
                        double[] q = corner[(e + 1) % 4];
                        pts[m++] = new double[] {p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])};
                    }
                }
                for (int k = 0; k + 1 < m; k += 2) {
                    c.g.draw(new Line2D.Double(c.px(pts[k][0]), c.py(pts[k][1]), c.px(pts[k + 1][0]), c.py(pts[k + 1][1])));
                }
            }
        }
    }

    private static void colourBar(PlotCanvas c, double lo, double hi, boolean log) {
        int x = PlotCanvas.LEFT + c.plotW + 30;
        int w = 22;
        for (int y = 0; y < c.plotH; y++) {
            c.g.setColor(colour(1 - (double) y / c.plotH));
            c.g.fillRect(x, PlotCanvas.TOP + y, w, 1);
        }
        c.g.setColor(Color.BLACK);
        c.g.drawRect(x, PlotCanvas.TOP, w, c.plotH);
        c.g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        FontMetrics fm = c.g.getFontMetrics();
        double sLo = scale(lo, log);
        double sHi = scale(hi, log) == sLo ? sLo + 1 : scale(hi, log);
        for (int k = 0; k <= 5; k++) {
            double sv = sLo + (sHi - sLo) * k / 5;
            int y = (int) Math.round(PlotCanvas.TOP + c.plotH - (double) k / 5 * c.plotH);
            c.g.drawLine(x + w, y, x + w + 4, y);
            c.g.drawString(PlotCanvas.format(log ? Math.pow(10, sv) : sv), x + w + 7, y + fm.getAscent() / 2 - 1);
        }
        String label = log ? "loss (log scale)" : "loss";
        java.awt.geom.AffineTransform old = c.g.getTransform();
        c.g.rotate(Math.PI / 2);
        c.g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        c.g.drawString(label, PlotCanvas.TOP + c.plotH / 2 - c.g.getFontMetrics().stringWidth(label) / 2, -(x + w + 80));
        c.g.setTransform(old);
    }
}
