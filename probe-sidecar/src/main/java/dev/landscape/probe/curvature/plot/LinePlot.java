package dev.landscape.probe.curvature.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.geom.Path2D;
import java.io.IOException;
import java.nio.file.Path;

/** The 1-D interpolation plot: loss against alpha, with the two checkpoints (alpha 0 and 1) marked and labelled. */
public final class LinePlot {

    private LinePlot() {
    }

    public static void render(double[] alphas, double[] losses, String title, String fromLabel, String toLabel,
                              Path file) throws IOException {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double l : losses) {
            if (Double.isFinite(l)) {
                lo = Math.min(lo, l);
                hi = Math.max(hi, l);
            }
        }
        if (!Double.isFinite(lo)) {
            lo = 0;
            hi = 1;
        }
        double pad = (hi - lo) * 0.08 + 1e-12;
        PlotCanvas c = new PlotCanvas(820, 520, 30, alphas[0], alphas[alphas.length - 1], lo - pad, hi + pad);
        c.g.setColor(new Color(225, 225, 225));
        for (double t : PlotCanvas.ticks(c.yMin, c.yMax)) {
            c.g.drawLine(PlotCanvas.LEFT, (int) c.py(t), PlotCanvas.LEFT + c.plotW, (int) c.py(t));
        }
        Path2D.Double path = new Path2D.Double();
        boolean started = false;
        for (int i = 0; i < alphas.length; i++) {
            if (!Double.isFinite(losses[i])) {
                started = false;
                continue;
            }
            if (started) {
                path.lineTo(c.px(alphas[i]), c.py(losses[i]));
            } else {
                path.moveTo(c.px(alphas[i]), c.py(losses[i]));
                started = true;
            }
        }
        c.g.setColor(new Color(31, 119, 180));
        c.g.setStroke(new BasicStroke(2.2f));
        c.g.draw(path);
        c.g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        mark(c, alphas, losses, 0, new Color(214, 39, 40), fromLabel);
        mark(c, alphas, losses, 1, new Color(44, 160, 44), toLabel);
        c.axes(title, "alpha (0 = " + fromLabel + ", 1 = " + toLabel + ")", "loss on the eval batch");
        c.write(file);
    }

    private static void mark(PlotCanvas c, double[] alphas, double[] losses, double alpha, Color color, String label) {
        int best = 0;
        for (int i = 1; i < alphas.length; i++) {
            if (Math.abs(alphas[i] - alpha) < Math.abs(alphas[best] - alpha)) {
                best = i;
            }
        }
        if (!Double.isFinite(losses[best])) {
            return;
        }
        int x = (int) c.px(alphas[best]);
        int y = (int) c.py(losses[best]);
        c.g.setColor(color);
        c.g.fillOval(x - 6, y - 6, 12, 12);
        c.g.setColor(Color.BLACK);
        c.g.drawOval(x - 6, y - 6, 12, 12);
        c.g.drawString(label + " (" + PlotCanvas.format(losses[best]) + ")", x + 9, y - 9);
    }
}
