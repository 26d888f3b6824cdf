package dev.landscape.demo.report;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Real headless Chromium (the Debian package) driven from the command line: render a page, let its scripts and image
 * loads finish within a virtual-time budget, then dump the DOM or take a screenshot.
 */
public final class TestingChromium {

    static final String INSTALL_HINT = "headless Chromium is not installed; the report rendering test needs it:"
            + " apt-get install -y chromium (Debian), or set CHROMIUM=/path/to/chromium";

    /** The window every run uses, so a dumped DOM's layout boxes match the screenshot's pixels. */
    static final int WIDTH = 1280;
    static final int HEIGHT = 2000;

    private final Path binary;
    private final Path profiles;

    private TestingChromium(Path binary, Path profiles) {
        this.binary = binary;
        this.profiles = profiles;
    }

    /**
     * Chromium from {@code $CHROMIUM} when set (and only there), else the first of chromium, chromium-browser,
     * google-chrome on the PATH.
     */
    public static Optional<TestingChromium> find(Path workDir) {
        List<Path> candidates = new ArrayList<>();
        String configured = System.getenv("CHROMIUM");
        if (configured != null && !configured.isBlank()) {
            return Optional.of(Path.of(configured)).filter(Files::isExecutable)
                    .map(binary -> new TestingChromium(binary, workDir));
        }
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
                candidates.add(Path.of(dir, name));
            }
        }
        return candidates.stream().filter(Files::isExecutable).findFirst()
                .map(binary -> new TestingChromium(binary, workDir));
    }

    /** The DOM after the page's scripts ran, as Chromium serialises it. */
    public String dumpDom(Path page) throws IOException, InterruptedException {
        Path out = Files.createTempFile(profiles, "dom", ".html");
        run(out, "--dump-dom", page.toUri().toString());
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    /** A PNG of the page's top {@link #WIDTH} x {@link #HEIGHT} pixels, laid out as for {@link #dumpDom}. */
    Path screenshot(Path page) throws IOException, InterruptedException {
        Path png = Files.createTempFile(profiles, "screenshot", ".png");
        run(Files.createTempFile(profiles, "stdout", ".txt"), "--screenshot=" + png, page.toUri().toString());
        return png;
    }

    private void run(Path stdout, String... args) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory(profiles, "profile");
        List<String> command = new ArrayList<>(List.of(binary.toString(), "--headless=new", "--no-sandbox",
                "--disable-gpu", "--no-first-run", "--disable-extensions", "--disable-background-networking",
                "--user-data-dir=" + profile, "--virtual-time-budget=5000", "--window-size=" + WIDTH + "," + HEIGHT,
                "--force-device-scale-factor=1", "--hide-scrollbars"));
        command.addAll(List.of(args));
        Path stderr = Files.createTempFile(profiles, "stderr", ".txt");
        Process process = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile())
                .start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new IllegalStateException("chromium did not finish in 60 s: " + command);
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException("chromium exited " + process.exitValue() + ": " + command + "\n"
                    + Files.readString(stderr, StandardCharsets.UTF_8));
        }
    }
}
