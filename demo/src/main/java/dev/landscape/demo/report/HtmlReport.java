package dev.landscape.demo.report;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Writes the report folder: {@code index.html} and the images beside it. The folder is self-contained: open
 * {@code index.html} from disk, attach the folder to a ticket, or serve it; nothing is fetched from anywhere else.
 */
public final class HtmlReport {

    /** The page's file name inside the report folder. */
    public static final String INDEX = "index.html";

    private static final Set<String> IMAGE_TYPES = Set.of("png", "jpg", "jpeg", "gif", "svg", "webp");

    private HtmlReport() {
    }

    /**
     * Writes {@code dir/index.html} and copies every image of the model into {@code dir} (as
     * {@code image-N-<name>}, so two images with the same file name do not overwrite each other). Creates
     * {@code dir} when missing; overwrites an earlier report's files of the same names.
     *
     * @return the written {@code index.html}
     * @throws NoSuchFileException      when an image file does not exist (the message names it)
     * @throws IllegalArgumentException when an image is not a PNG, JPEG, GIF, SVG or WebP file by its extension
     */
    public static Path write(ReportModel model, Path dir) throws IOException {
        Files.createDirectories(dir);
        List<String> imageNames = new ArrayList<>();
        for (int i = 0; i < model.images().size(); i++) {
            imageNames.add(copyImage(model.images().get(i), i + 1, dir));
        }
        String json = EmbeddedJson.write(ReportJson.of(model, imageNames));
        String page = ReportPage.render(model, imageNames, json, resource("report.css"), resource("report.js"));
        Path index = dir.resolve(INDEX);
        Files.writeString(index, page, StandardCharsets.UTF_8);
        return index;
    }

    private static String copyImage(ReportImage image, int number, Path dir) throws IOException {
        Path source = image.file();
        if (!Files.isRegularFile(source)) {
            throw new NoSuchFileException(source.toString(), null,
                    "report image '" + image.caption() + "' does not exist or is not a file");
        }
        String name = source.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String extension = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
        if (!IMAGE_TYPES.contains(extension)) {
            throw new IllegalArgumentException("report image " + source + " is not a browser image by its extension;"
                    + " expected one of " + IMAGE_TYPES);
        }
        String target = "image-" + number + "-" + name.replaceAll("[^A-Za-z0-9._-]", "_");
        Files.copy(source, dir.resolve(target), StandardCopyOption.REPLACE_EXISTING);
        return target;
    }

    private static String resource(String name) {
        try (InputStream in = HtmlReport.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("resource " + name + " is missing next to " + HtmlReport.class);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
