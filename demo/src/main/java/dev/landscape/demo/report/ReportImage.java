package dev.landscape.demo.report;

import java.nio.file.Path;
import java.util.Objects;

/**
 * An image file to show in the report (loss along the line between two checkpoints, a 2-D loss-landscape slice). The
 * file is copied next to the page, so the report folder can be moved or attached to a ticket as a whole.
 *
 * @param file    a PNG, JPEG, GIF or SVG file that exists when the report is written
 * @param caption what it shows, e.g. {@code rank 2, loss on the plane around step 30 (filter-normalised)}
 */
public record ReportImage(Path file, String caption) {
    public ReportImage {
        Objects.requireNonNull(file, "file");
        caption = caption == null ? "" : caption;
    }
}
