package dev.purge.extracta.ingest;

import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.purge.extracta.call.DeleteBatchPipelineTest.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.purge.extracta.call.DeleteBatchPipelineTest;
import dev.purge.extracta.request.DeleteBatchRequest;
import dev.purge.extracta.request.IdValidator;
import dev.purge.extracta.request.RequestRow;
import dev.purge.extracta.run.FileRun;
import dev.purge.extracta.run.InboxFile;
import dev.purge.extracta.run.Outcome;
import dev.purge.extracta.run.UnreadableFileException;
import dev.purge.extracta.testsupport.TestApp;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;

/**
 * Random CSV-ish text (IDs, quotes, both delimiters, CR, LF, spaces, non-ASCII, NUL, invalid UTF-8, very long tokens):
 * at the reader level, many tries, the reader either refuses the whole file with a reason or yields rows that are
 * valid or carry a problem, each with an exact, increasing line inside the file; end to end, against the running
 * application, no file is ever stuck in the inbox, every dead-letter record names its file (and line), the
 * dead-lettered rows are exactly the rows the reader finds invalid, exactly the DELETED rows went over the wire, and
 * the same text behind a symbolic link out of the inbox is refused without being read.
 */
class RandomInputProperties {

    private static final String SUCCESS = "{\"status\":\"success\",\"message\":\"Batch deleted\"}";
    private static final Set<Outcome> FILE_OUTCOMES = EnumSet.of(Outcome.UNREADABLE_FILE);

    static TestApp app;
    static DefaultCamelContext camel;
    static Path scratch;
    private static final AtomicInteger COUNTER = new AtomicInteger();

    @BeforeContainer
    static void start() throws Exception {
        camel = new DefaultCamelContext();
        camel.start(); // a stopped context stops the reader from handing out rows, as at a shutdown
        scratch = Files.createTempDirectory("random-input");
        // files are dropped by atomic rename: a short stable period keeps each try quick
        app = TestApp.start("random-input", Map.of("extracta.inbox.stable-period", "100"));
        app.wireMock.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH)).atPriority(10).willReturn(json(200, SUCCESS)));
    }

    @AfterContainer
    static void stop() throws IOException {
        try {
            if (app != null) {
                app.close();
            }
            camel.close();
        } finally {
            try (Stream<Path> files = Files.walk(scratch)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    // --- (a) reader level ------------------------------------------------------------------------------------------

    @Property(tries = 300)
    void theReaderRefusesTheWholeFileOrYieldsRowsWithExactLines(@ForAll("csvText") Text text,
                                                               @ForAll("extension") String extension,
                                                               @ForAll boolean defaultClassification)
            throws Exception {
        // the generator must reach both sides: whole files refused, and files whose rows are read
        Statistics.label("file").coverage(coverage -> {
            coverage.check("unreadable").percentage(p -> p > 3);
            coverage.check("valid rows").percentage(p -> p > 10);
        });
        String name = "r" + COUNTER.incrementAndGet() + extension;
        Path file = scratch.resolve(name);
        Files.write(file, text.bytes());
        try {
            ReadResult result = read(file, name, defaultClassification ? "dflt" : null);
            long lines = lineCount(text.bytes());
            if (result.unreadable != null) {
                Statistics.label("file").collect("unreadable");
                assertThat(result.unreadable.getMessage()).isNotBlank();
                if (result.unreadable.getLine() != null) {
                    assertThat(result.unreadable.getLine()).isBetween(1L, Math.max(lines, 1));
                }
                return;
            }
            Statistics.label("file").collect(result.rows.isEmpty() ? "no rows"
                    : result.rows.stream().anyMatch(RequestRow::valid) ? "valid rows" : "only invalid rows");
            long previous = 0;
            for (RequestRow row : result.rows) {
                DeleteBatchRequest request = row.request();
                assertThat(request.source()).isEqualTo(name);
                assertThat(request.line()).as("line of %s", row).isBetween(1L, lines).isGreaterThan(previous);
                previous = request.line();
                if (row.valid()) {
                    assertThat(IdValidator.problem("classificationId", request.classificationId())).isNull();
                    assertThat(IdValidator.problem("batchId", request.batchId())).isNull();
                } else {
                    assertThat(row.problem()).as("problem of %s", row).isNotBlank();
                    assertThat(row.duplicate()).isFalse();
                }
            }
            assertThat(result.rows.size()).isLessThanOrEqualTo((int) lines);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Inspects then reads the file exactly as the inbox route does: inspect, then the splitter's iterator. */
    private static ReadResult read(Path file, String name, String defaultClassificationId) throws Exception {
        RequestReader reader = new RequestReader();
        reader.setDefaultClassificationId(defaultClassificationId);
        Exchange exchange = new DefaultExchange(camel);
        FileRun run = new FileRun(name, file, false);
        exchange.setProperty(FileRun.PROPERTY, run);
        try {
            run.pin(InboxFile.open(file));
            try (java.io.InputStream bytes = run.file().openStream()) {
                Utf8FileScanner.scan(bytes); // as the tracker identifies the file before the reader inspects it
            }
            reader.inspect(exchange);
        } catch (UnreadableFileException e) {
            if (run.file() != null) {
                run.file().close();
            }
            return new ReadResult(e, List.of());
        }
        List<RequestRow> rows = new ArrayList<>();
        Iterator<RequestRow> iterator = reader.open(exchange);
        try {
            iterator.forEachRemaining(rows::add);
        } finally {
            ((Closeable) iterator).close();
            run.file().close();
        }
        return new ReadResult(null, rows);
    }

    private record ReadResult(UnreadableFileException unreadable, List<RequestRow> rows) {
    }

    /** Lines as the application counts them: ended by LF, CRLF or a lone CR; a last line without an end counts. */
    static long lineCount(byte[] bytes) {
        long breaks = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n' || (bytes[i] == '\r' && (i + 1 == bytes.length || bytes[i + 1] != '\n'))) {
                breaks++;
            }
        }
        boolean endsWithBreak = bytes.length > 0 && (bytes[bytes.length - 1] == '\n' || bytes[bytes.length - 1] == '\r');
        return breaks + (bytes.length == 0 || endsWithBreak ? 0 : 1);
    }

    // --- (b) end to end --------------------------------------------------------------------------------------------

    @Property(tries = 30)
    void theAppNeverLeavesAFileBehindAndDeadLettersEveryBadRowWithItsLine(@ForAll("csvText") Text text,
                                                                          @ForAll("asLink") boolean asLink)
            throws Exception {
        String name = "prop-" + COUNTER.incrementAndGet() + ".csv";
        int before = sentCount();
        Path target = null;
        if (asLink) {
            // the same text outside the inbox, behind a symbolic link in it
            target = Files.write(scratch.resolve("outside-" + name), text.bytes());
            Files.createSymbolicLink(app.inbox().resolve(name), target);
        } else {
            app.drop(name, text.bytes());
        }
        JsonNode report = app.awaitReport(name);
        int sent = sentCount() - before;
        if (asLink) {
            Statistics.label("status").collect("link");
            assertThat(report.get("status").asText()).isEqualTo("FAILED");
            assertThat(sent).as("nothing sent through a link").isZero();
            List<JsonNode> records = app.deadLetters(name);
            assertThat(records).hasSize(1);
            assertThat(records.get(0).get("reason").asText()).isEqualTo("UNREADABLE_FILE");
            assertThat(records.get(0).get("source").asText()).isEqualTo(name);
            assertThat(records.get(0).get("message").asText()).contains("symbolic link");
            Path moved = app.movedTo(".failed", name).orElseThrow(() -> new AssertionError("link not in .failed/"));
            assertThat(Files.isSymbolicLink(moved)).isTrue();
            assertThat(Files.isRegularFile(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)).isTrue();
            assertThat(Files.readAllBytes(target)).isEqualTo(text.bytes());
            return;
        }

        assertThat(app.inbox().resolve(name)).doesNotExist();
        String status = report.get("status").asText();
        assertThat(status).isIn("DONE", "FAILED");
        assertThat(app.movedTo(status.equals("DONE") ? ".done" : ".failed", name)).as("%s in its folder", name)
                .isPresent();
        assertThat(app.movedTo(status.equals("DONE") ? ".failed" : ".done", name)).isEmpty();
        Statistics.label("status").collect(status);

        long lines = lineCount(text.bytes());
        List<JsonNode> records = app.deadLetters(name);
        for (JsonNode r : records) {
            assertThat(r.get("source").asText()).isEqualTo(name);
            assertThat(r.get("message").asText()).isNotBlank();
            Outcome reason = Outcome.valueOf(r.get("reason").asText());
            assertThat(reason.isDeadLettered()).isTrue();
            if (!FILE_OUTCOMES.contains(reason) || r.has("line")) {
                assertThat(r.path("line").asLong()).as("line of %s", r).isBetween(1L, Math.max(lines, 1));
            }
        }
        JsonNode outcomes = report.get("outcomes");
        // what the reader finds, independently: the app must dead-letter exactly those lines
        ReadResult expected = read(writeScratch(name, text), name, null);
        if (status.equals("FAILED")) {
            assertThat(expected.unreadable).as("the reader refuses %s too", name).isNotNull();
            assertThat(records).hasSize(1);
            assertThat(records.get(0).get("reason").asText()).isEqualTo("UNREADABLE_FILE");
            assertThat(records.get(0).path("line").isMissingNode() ? null : records.get(0).get("line").asLong())
                    .isEqualTo(expected.unreadable.getLine());
            assertThat(outcomes.get("UNREADABLE_FILE").asLong()).isEqualTo(1);
            assertThat(sent).isZero();
            return;
        }
        assertThat(expected.unreadable).as("the reader accepts %s too", name).isNull();
        List<Long> invalidLines = expected.rows.stream().filter(r -> !r.valid()).map(r -> r.request().line()).toList();
        assertThat(records).allSatisfy(r -> assertThat(r.get("reason").asText()).isEqualTo("INVALID_INPUT"));
        assertThat(records).extracting(r -> r.get("line").asLong()).containsExactlyInAnyOrderElementsOf(invalidLines);
        long deleted = outcomes.get("DELETED").asLong();
        assertThat(sent).as("DELETE requests for %s", name).isEqualTo(deleted);
        long sum = 0;
        for (Outcome o : Outcome.values()) {
            sum += outcomes.path(o.name()).asLong();
        }
        assertThat(sum).as("every row of %s has one outcome", name).isEqualTo(report.get("rowsRead").asLong())
                .isEqualTo(expected.rows.size());
        assertThat(deleted + outcomes.get("SKIPPED_ALREADY_DELETED").asLong() + outcomes.get("DUPLICATE").asLong())
                .isEqualTo(expected.rows.stream().filter(RequestRow::valid).count());
    }

    private static Path writeScratch(String name, Text text) throws IOException {
        return Files.write(scratch.resolve("e2e-" + name), text.bytes());
    }

    private static int sentCount() {
        return app.wireMock.findAll(deleteRequestedFor(urlEqualTo(TestApp.DELETE_PATH))).size();
    }

    // --- generators ------------------------------------------------------------------------------------------------

    @Provide
    Arbitrary<Boolean> asLink() {
        return Arbitraries.frequency(Tuple.of(1, true), Tuple.of(5, false));
    }

    @Provide
    Arbitrary<String> extension() {
        return Arbitraries.frequency(Tuple.of(4, ".csv"), Tuple.of(1, ".jsonl"));
    }

    @Provide
    Arbitrary<Text> csvText() {
        Arbitrary<List<Fragment>> lines = line().list().ofMaxSize(25)
                .map(ls -> ls.stream().flatMap(List::stream).toList());
        Arbitrary<Fragment> header = Arbitraries.of("classificationId,batchId\n", "batchId;classificationId\r\n",
                "Batch ID,note,classification_id\n", "classificationId\n", "\"classificationId\",\"batchId\"\n")
                .map(Fragment::text);
        return Combinators.combine(Arbitraries.integers().between(0, 2), header, lines).as((h, first, rest) -> {
            List<Fragment> all = new ArrayList<>();
            if (h > 0) {
                all.add(first); // two tries in three start with a header
            }
            all.addAll(rest);
            return new Text(all);
        });
    }

    /** One physical line, mostly cells joined by a delimiter, sometimes blank, JSON or raw noise. */
    private static Arbitrary<List<Fragment>> line() {
        Arbitrary<List<Fragment>> cells = Arbitraries.frequencyOf(
                Tuple.of(10, cell().list().ofSize(2)),
                Tuple.of(2, cell().list().ofSize(1)),
                Tuple.of(2, cell().list().ofSize(3)),
                Tuple.of(1, cell().list().ofMinSize(4).ofMaxSize(12)));
        Arbitrary<String> delimiter = Arbitraries.frequency(Tuple.of(10, ","), Tuple.of(3, ";"), Tuple.of(1, " , "),
                Tuple.of(1, "\t"));
        Arbitrary<String> ending = Arbitraries.frequency(Tuple.of(10, "\n"), Tuple.of(4, "\r\n"), Tuple.of(2, "\r"),
                Tuple.of(1, ""));
        Arbitrary<List<Fragment>> row = Combinators.combine(cells, delimiter, delimiter, ending).as((cs, d, other, e) -> {
            List<Fragment> out = new ArrayList<>();
            for (int i = 0; i < cs.size(); i++) {
                if (i > 0) {
                    out.add(Fragment.text(i == 2 ? other : d)); // a third cell may use another delimiter
                }
                out.add(cs.get(i));
            }
            out.add(Fragment.text(e));
            return out;
        });
        Arbitrary<List<Fragment>> json = Arbitraries.of("{\"classificationId\":\"c1\",\"batchId\":\"j1\"}\n",
                "{\"batchId\":\"j2\"}\n", "[1]\n", "{\"classificationId\":1,\"batchId\":\"j3\"}\n",
                "{\"classificationId\":\"c1\",\"batchId\":\"j4\"} x\n").map(t -> List.of(Fragment.text(t)));
        Arbitrary<List<Fragment>> blank = Arbitraries.of("\n", "\r\n", "  \n", " , ;\n", "\n\n\n", ",\r")
                .map(t -> List.of(Fragment.text(t)));
        return Arbitraries.frequencyOf(
                Tuple.of(20, row),
                Tuple.of(2, blank),
                Tuple.of(1, json),
                Tuple.of(1, noise().list().ofMinSize(1).ofMaxSize(6)));
    }

    /** One CSV cell: usually a plausible ID, sometimes hostile. */
    private static Arbitrary<Fragment> cell() {
        Arbitrary<String> id = Arbitraries.strings().withCharRange('a', 'z').withCharRange('0', '9')
                .withChars("-_.:~+=@").ofMinLength(1).ofMaxLength(12);
        Arbitrary<String> pooled = Arbitraries.of("c1", "b1", "b2", "classificationId", "batchId");
        Arbitrary<String> nonAscii = Arbitraries.of("ä", "ñ", "測", "😀", "\u200B", "\u202E", "\uFEFF", "\u00A0",
                "\u0430", "\uFF11", "\u0085", "\u2028", "\u0007", "\u001B", "ß");
        return Arbitraries.frequencyOf(
                Tuple.of(30, id.map(Fragment::text)),
                Tuple.of(8, pooled.map(Fragment::text)),
                Tuple.of(2, Arbitraries.of("", "\"\"", "  ").map(Fragment::text)),
                Tuple.of(3, id.map(v -> Fragment.text(" " + v + "\t"))),
                Tuple.of(3, id.map(v -> Fragment.text("\"" + v + "\""))),
                Tuple.of(2, Arbitraries.of("\"a,b\"", "\"a\nb\"", "\"a\r\nb\"", "\"x\"\"y\"", "a\"b")
                        .map(Fragment::text)),
                Tuple.of(4, Combinators.combine(id, nonAscii, id).as((a, n, b) -> Fragment.text(a + n + b))),
                Tuple.of(1, noise()));
    }

    /** Raw trouble: quotes, delimiters, line breaks, NUL, invalid UTF-8, very long tokens. */
    private static Arbitrary<Fragment> noise() {
        // NUL and bytes that are not UTF-8 (lone lead, lone continuation, 0xFF, surrogate, overlong, beyond U+10FFFF)
        Arbitrary<Fragment> invalidUtf8 = Arbitraries.of(new byte[]{0}, new byte[]{(byte) 0xC3},
                new byte[]{(byte) 0xFF}, new byte[]{(byte) 0x80}, new byte[]{(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                new byte[]{(byte) 0xC0, (byte) 0xAF}, new byte[]{(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80})
                .map(Fragment::raw);
        Arbitrary<Fragment> longToken = Arbitraries.integers().between(129, 300_000)
                .map(n -> new Fragment(("z".repeat(n)).getBytes(StandardCharsets.UTF_8), "z*" + n));
        return Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.of("\"", "\"\"", ",", ";", "\n", "\r", "\r\n", " ", "\t").map(Fragment::text)),
                Tuple.of(1, invalidUtf8),
                Tuple.of(1, longToken));
    }

    /** A piece of the generated file, with a readable label for counterexamples. */
    record Fragment(byte[] bytes, String label) {
        static Fragment text(String s) {
            return new Fragment(s.getBytes(StandardCharsets.UTF_8), escape(s));
        }

        static Fragment raw(byte[] b) {
            StringBuilder label = new StringBuilder();
            for (byte x : b) {
                label.append(String.format("\\x%02X", x & 0xFF));
            }
            return new Fragment(b, label.toString());
        }

        private static String escape(String s) {
            StringBuilder out = new StringBuilder();
            s.codePoints().forEach(cp -> {
                if (cp == '\n') {
                    out.append("\\n");
                } else if (cp == '\r') {
                    out.append("\\r");
                } else if (cp == '\t') {
                    out.append("\\t");
                } else if (cp < 0x20 || cp > 0x7E) {
                    out.append(String.format("\\u{%X}", cp));
                } else {
                    out.append((char) cp);
                }
            });
            return out.toString();
        }

        @Override
        public String toString() {
            return label;
        }
    }

    /** The whole generated file. */
    record Text(List<Fragment> fragments) {
        byte[] bytes() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            fragments.forEach(f -> out.writeBytes(f.bytes()));
            return out.toByteArray();
        }

        @Override
        public String toString() {
            return fragments.stream().map(Fragment::label).collect(Collectors.joining("", "\"", "\""));
        }
    }
}
