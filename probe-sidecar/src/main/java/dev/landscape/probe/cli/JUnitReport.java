package dev.landscape.probe.cli;

import dev.landscape.contract.Reason;
import dev.landscape.probe.findings.Finding;
import dev.landscape.contract.Severity;

import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@code analyze --junit FILE}: the run as a JUnit XML report, so a CI system shows an unstable retrain like a failed
 * test. One test case per checkpoint, named by step and path relative to the run folder; findings at or above the
 * gate's severity are its {@code <failure>} (one, listing them all: JUnit allows one per case), findings below it
 * go to {@code <system-out>}, and a checkpoint that could not be read is an {@code <error>}. Keeps one line per
 * finding in memory (the counts belong in the opening tag), never the metrics.
 */
final class JUnitReport implements Consumer<RunAnalysis.Result> {

    private record Case(String name, List<Finding> failing, List<Finding> other, String error) {
    }

    private final Path dir;
    private final Severity failAt;
    private final List<Case> cases = new ArrayList<>();

    JUnitReport(Path dir, Severity failAt) {
        this.dir = dir;
        this.failAt = failAt;
    }

    @Override
    public void accept(RunAnalysis.Result r) {
        String relative = dir.toAbsolutePath().normalize().relativize(r.path().toAbsolutePath().normalize()).toString();
        String name = (r.step().isPresent() ? "step " + r.step().getAsLong() : "step ?") + " (" + relative + ")";
        List<Finding> failing = new ArrayList<>();
        List<Finding> other = new ArrayList<>();
        for (Finding f : r.findings()) {
            if (r.error() == null && f.severity().compareTo(failAt) >= 0) {
                failing.add(f);
            } else if (r.error() == null) {
                other.add(f);
            }
        }
        cases.add(new Case(name, failing, other, r.error()));
    }

    void write(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (OutputStream out = Files.newOutputStream(file)) {
            XMLStreamWriter x = XMLOutputFactory.newFactory().createXMLStreamWriter(out, StandardCharsets.UTF_8.name());
            long failures = cases.stream().filter(c -> !c.failing().isEmpty()).count();
            long errors = cases.stream().filter(c -> c.error() != null).count();
            String suite = "landscape analyze " + dir.toAbsolutePath().normalize().getFileName();
            x.writeStartDocument(StandardCharsets.UTF_8.name(), "1.0");
            x.writeCharacters("\n");
            x.writeStartElement("testsuites");
            counts(x, suite, failures, errors);
            x.writeCharacters("\n  ");
            x.writeStartElement("testsuite");
            counts(x, suite, failures, errors);
            x.writeAttribute("skipped", "0");
            x.writeCharacters("\n    ");
            x.writeStartElement("properties");
            property(x, "dir", dir.toAbsolutePath().normalize().toString());
            property(x, "fail-on", failAt.label());
            x.writeEndElement();
            for (Case c : cases) {
                x.writeCharacters("\n    ");
                x.writeStartElement("testcase");
                x.writeAttribute("classname", "landscape.analyze");
                x.writeAttribute("name", c.name());
                if (c.error() != null) {
                    x.writeStartElement("error");
                    x.writeAttribute("type", Reason.UnreadableCheckpoint.name());
                    x.writeAttribute("message", c.error());
                    x.writeCharacters(c.error());
                    x.writeEndElement();
                }
                if (!c.failing().isEmpty()) {
                    Finding worst = c.failing().stream().max((a, b) -> a.severity().compareTo(b.severity())).orElseThrow();
                    x.writeStartElement("failure");
                    x.writeAttribute("type", worst.reason().name());
                    x.writeAttribute("message", c.failing().size() + " finding(s) at or above " + failAt.label() + ": "
                            + String.join(", ", c.failing().stream().map(f -> f.severity().label() + " " + f.reason()).toList()));
                    x.writeCharacters(lines(c.failing()));
                    x.writeEndElement();
                }
                if (!c.other().isEmpty()) {
                    x.writeStartElement("system-out");
                    x.writeCharacters(lines(c.other()));
                    x.writeEndElement();
                }
                x.writeEndElement();
            }
            x.writeCharacters("\n  ");
            x.writeEndElement();
            x.writeCharacters("\n");
            x.writeEndElement();
            x.writeCharacters("\n");
            x.writeEndDocument();
            x.close();
        } catch (XMLStreamException e) {
            throw new IOException("cannot write the JUnit report " + file + ": " + e.getMessage(), e);
        }
    }

    private void counts(XMLStreamWriter x, String name, long failures, long errors) throws XMLStreamException {
        x.writeAttribute("name", name);
        x.writeAttribute("tests", Integer.toString(cases.size()));
        x.writeAttribute("failures", Long.toString(failures));
        x.writeAttribute("errors", Long.toString(errors));
    }

    private static void property(XMLStreamWriter x, String name, String value) throws XMLStreamException {
        x.writeEmptyElement("property");
        x.writeAttribute("name", name);
        x.writeAttribute("value", value);
    }

    private static String lines(List<Finding> findings) {
        StringBuilder s = new StringBuilder();
        for (Finding f : findings) {
            s.append(f.severity().label()).append(' ').append(f.reason()).append(" at step ").append(f.step())
                    .append(": ").append(f.message()).append('\n');
        }
        return s.toString();
    }
}
