package dev.purge.extracta.ingest;

import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.purge.extracta.call.DeleteBatchPipelineTest.body;
import static dev.purge.extracta.call.DeleteBatchPipelineTest.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.purge.extracta.call.DeleteBatchPipelineTest;
import dev.purge.extracta.ops.DataFolderLock;
import dev.purge.extracta.testsupport.TestApp;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Hostile input: a corpus of malformed files dropped into one running application (real routes, WireMock on
 * loopback). Every whole-file problem ends in .failed/ with one UNREADABLE_FILE record naming the file and, where
 * there is one, the line; every bad row ends as an INVALID_INPUT record naming the file and the exact line; the good
 * rows of the same files are still sent, exactly; nothing stays in the inbox but the files that must be ignored; a
 * symbolic link out of the inbox is never followed; a file still being written is read once, complete; and the app
 * still consumes a normal file at the end.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileInputTest {

    private static final String SUCCESS = "{\"status\":\"success\",\"message\":\"Batch deleted\"}";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int TWO_MB = 2 * 1024 * 1024;

    private static final String SLOW = "slow-writer.csv";
    private static final int SLOW_ROWS = 30;
    private static final String LINK = "link-outside.csv";
    private static final String DANGLING = "dangling-link.csv";
    private static final String HIDDEN = ".hidden.csv";
    private static final String PART = "x.csv.part";
    private static final String SPACES_NAME = "Löschliste März ñ 測試 (v2).csv";

    static TestApp app;
    private static final List<Case> CORPUS = corpus();
    private static Path outsideTarget;
    private static byte[] outsideContent;
    private static FileTime outsideModified;
    private static final Map<String, JsonNode> REPORTS = new LinkedHashMap<>();
    private static int slowWriterTicksAtReport;
    private static boolean slowWriterFailed;
    private static int slowChunks;

    @BeforeAll
    static void dropEverything() throws Exception {
        app = TestApp.start("hostile", Map.of());
        app.wireMock.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH)).atPriority(10).willReturn(json(200, SUCCESS)));

        // files that must be ignored: hidden, and a temporary name
        Files.writeString(app.inbox().resolve(HIDDEN), "classificationId,batchId\nign,hidden1\n");
        Files.writeString(app.inbox().resolve(PART), "classificationId,batchId\nign,part1\n");

        // first, on its own, a file still being written: the app sees it while it grows and must wait for it
        writeSlowly();
        REPORTS.put(SLOW, app.awaitReport(SLOW));

        // a symbolic link from the inbox to a file of valid rows outside it
        Path outside = Files.createDirectories(app.dataDir.resolve("outside"));
        outsideTarget = outside.resolve("secret.csv");
        Files.writeString(outsideTarget, "classificationId,batchId\nsym,outside1\nsym,outside2\n");
        outsideContent = Files.readAllBytes(outsideTarget);
        outsideModified = Files.getLastModifiedTime(outsideTarget);
        Files.createSymbolicLink(app.inbox().resolve(LINK), outsideTarget);
        // and a link to nothing at all
        Files.createSymbolicLink(app.inbox().resolve(DANGLING), outside.resolve("missing.csv"));

        for (Case c : CORPUS) {
            app.drop(c.name, c.content);
        }
        REPORTS.put(LINK, app.awaitReport(LINK));
        for (Case c : CORPUS) {
            REPORTS.put(c.name, app.awaitReport(c.name));
        }
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
    }

    /**
     * Writes a header and 31 rows in 61 chunks 50 ms apart (well under the 300 ms stable period), each chunk ending
     * inside an ID, so a file taken before it is complete would send a truncated ID.
     */
    private static void writeSlowly() throws Exception {
        Path file = app.inbox().resolve(SLOW);
        List<String> chunks = new ArrayList<>();
        chunks.add("classificationId,batchId\nc40,sl");
        for (int i = 0; i < SLOW_ROWS; i++) {
            chunks.add("ow" + i + "\nc40");
            chunks.add(i == SLOW_ROWS - 1 ? ",slowEnd\n" : ",sl");
        }
        AtomicInteger next = new AtomicInteger();
        ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor();
        try {
            ScheduledFuture<?> writing = writer.scheduleAtFixedRate(() -> {
                int i = next.getAndIncrement();
                if (i < chunks.size()) {
                    try {
                        Files.writeString(file, chunks.get(i), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }, 0, 50, TimeUnit.MILLISECONDS);
            app.awaitReport(SLOW);
            // asserted in aFileStillBeingWrittenIsReadOnceAndComplete, so a failure here does not hide the corpus
            slowWriterTicksAtReport = next.get();
            slowWriterFailed = writing.isDone(); // a periodic task that threw is done, never to run again
            slowChunks = chunks.size();
        } finally {
            writer.shutdownNow();
        }
    }

    // --- the corpus -------------------------------------------------------------------------------------------------

    private static List<Case> corpus() {
        List<Case> cases = new ArrayList<>();
        String header = "classificationId,batchId\n";

        // whole-file problems: .failed/, one UNREADABLE_FILE record, nothing sent
        cases.add(Case.unreadable("empty.csv", new byte[0], null, "empty (0 bytes)"));
        cases.add(Case.unreadable("binary-png.csv", bytes(header, 0x89, "PNG\r\n", 0x1A, "\n", 0, 0, 0, 0x0D, "IHDR"),
                2L, "not valid UTF-8"));
        cases.add(Case.unreadable("binary-gzip.csv", bytes(0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03),
                1L, "not valid UTF-8"));
        cases.add(Case.unreadable("nul-bytes.csv", bytes(header, "c04,ok1\nc04,b", 0, "x\n", "c04,ok2\n"),
                3L, "NUL byte"));
        cases.add(Case.unreadable("invalid-utf8.csv", bytes(header, "c05,ok1\n\nc05,caf", 0xC3, 0x28, "\nc05,ok2\n"),
                4L, "not valid UTF-8"));
        cases.add(Case.unreadable("overlong-utf8.csv", bytes(header, "c05b,ok1\nc05b,a", 0xC0, 0xAF, "\n"),
                3L, "not valid UTF-8"));
        cases.add(Case.unreadable("utf16.csv", bytes(0xFF, 0xFE, "classificationId,batchId\r\n"
                .getBytes(StandardCharsets.UTF_16LE)), 1L, "not valid UTF-8"));
        cases.add(Case.unreadable("unbalanced-quote.csv", bytes(header, "c07,ok1\nc07,\"ok2\nc07,ok3\n"),
                3L, "malformed CSV"));
        cases.add(Case.unreadable("garbage-after-quote.csv", bytes(header, "c08,ok1\nc08,\"ok2\"x\nc08,ok3\n"),
                3L, "malformed CSV"));
        cases.add(Case.unreadable("ten-thousand-columns.csv",
                bytes(Stream.iterate(0, i -> i + 1).limit(10_000).map(i -> "v" + i).collect(Collectors.joining(","))
                        + "\nc10,ok1\n"), 1L, "found 10000"));
        cases.add(Case.unreadable("three-columns-headerless-first.csv", bytes("c29,ok1,extra\nc29,ok2\n"),
                1L, "found 3"));
        cases.add(Case.unreadable("single-2mb-token.csv", bytes("y".repeat(TWO_MB)), 1L,
                "line 1 is longer than 65536 characters"));
        cases.add(Case.unreadable("only-delimiters.csv", bytes(",,,\n;;;\n , ; \n\t,\n"), null, "only blank lines"));
        cases.add(Case.unreadable("bom-only.csv", bytes(0xEF, 0xBB, 0xBF), null, "only blank lines"));
        cases.add(Case.unreadable("header-without-batch.csv", bytes("classificationId,batch\nc37,ok1\n"),
                1L, "no batchId column"));
        // a look-alike letter in the header: only batchId is recognised, next to a column that is never guessed
        cases.add(Case.unreadable("cyrillic-header.csv", bytes("classificat\u0456onId,batchId\nc35,ok1\n"),
                1L, "an unknown column 'classificat\u0456onId'"));
        cases.add(Case.unreadable("csv-renamed.jsonl", bytes(header, "c31,ok1\n"), 1L, "not JSON lines"));
        cases.add(Case.unreadable("array-first.jsonl",
                bytes("\n \n[{\"classificationId\":\"c32\",\"batchId\":\"ok1\"}]\n"), 3L, "not JSON lines"));
        cases.add(Case.unreadable("blank.jsonl", bytes("\n \n\t\n"), null, "only blank lines"));

        // bad rows: INVALID_INPUT with the exact line, the good rows of the same file still sent
        cases.add(Case.rows("header-only.csv", "c02", bytes(header)));
        cases.add(Case.rows("two-mb-line.csv", "c09", bytes(header, "c09,ok1\nc09,", "x".repeat(TWO_MB), "\nc09,ok2\n"))
                .sent("ok1", "ok2").invalid(3, "line 3 is longer than 65536 characters"));
        cases.add(Case.rows("ten-thousand-char-ids.csv", "c17",
                        bytes(header, "X".repeat(10_000), ",ok0\nc17,", "Y".repeat(10_000), "\nc17,ok1\n"))
                .sent("ok1").invalid(2, "classificationId is longer than 128 characters (10000)")
                .invalid(3, "batchId is longer than 128 characters (10000)"));
        cases.add(Case.rows("mixed-delimiters.csv", "c12", bytes(header, "c12,ok1\nc12;bad1\nc12\tbad2\nc12,ok2\n"))
                .sent("ok1", "ok2").invalid(3, "expected 2 columns as in the header, found 1")
                .invalid(4, "expected 2 columns as in the header, found 1"));
        cases.add(Case.rows("mixed-delimiters-semicolon.csv", "c13",
                        bytes("classificationId;batchId\nc13;ok1\nc13,bad1\nc13;ok2\n"))
                .sent("ok1", "ok2").invalid(3, "expected 2 columns as in the header, found 1"));
        cases.add(Case.rows("three-columns-headerless.csv", "c14", bytes("c14,ok1\nc14,bad1,extra\nc14,ok2\n"))
                .sent("ok1", "ok2").invalid(2, "expected 2 columns, found 3"));
        cases.add(Case.rows("three-columns-with-header.csv", "c15", bytes(header, "c15,ok1\nc15,bad1,extra\nc15,ok2\n"))
                .sent("ok1", "ok2").invalid(3, ""));
        // an unquoted comma in a leading column shifts the IDs: (c16, c16) must not be sent as a pair
        cases.add(Case.rows("shifted-columns.csv", "c16",
                        bytes("note,classificationId,batchId\nkeep,c16,ok1\nold, c16,c16,bshift\n"))
                .sent("ok1").invalid(3, ""));
        cases.add(Case.rows("lookalikes.csv", "c18", bytes(header,
                        "c18,ok1\n",                        // 2
                        "c18,b\u0430tch\n",                 // 3 Cyrillic a
                        "c\u043e18,b1\n",                   // 4 Cyrillic o in classificationId
                        "c18,\uFF11\uFF12\uFF13\n",         // 5 fullwidth digits
                        "c18,b\u200B1\n",                   // 6 zero-width space
                        "c18,b1\u202Egnp.exe\n",            // 7 right-to-left override
                        "c18,b\uD83D\uDE001\n",             // 8 emoji
                        "c18,b\u00A01\n",                   // 9 no-break space
                        "c18,e\u0301\n",                    // 10 combining accent
                        "c18,\u0392\u0391\u03A4\u03A3\u0397\n", // 11 Greek capitals
                        "c18,ok2\n"))                       // 12
                .sent("ok1", "ok2").invalid(3, "U+0430").invalid(4, "U+043E").invalid(5, "U+FF11")
                .invalid(6, "U+200B").invalid(7, "U+202E").invalid(8, "U+1F600").invalid(9, "U+00A0")
                .invalid(10, "U+0301").invalid(11, "U+0392"));
        cases.add(Case.rows("control-chars.csv", "c19", bytes(header,
                        "c19,ok1\n",              // 2
                        "c19,b\u00071\n",         // 3 BEL
                        "c19,b\u001B[31m\n",      // 4 ESC (terminal colours)
                        "c\u000819,b2\n",         // 5 backspace in classificationId
                        "c19,\"b\r\n3\"\n",       // 6-7 quoted CRLF inside the ID
                        "c19,b\u007F4\n",         // 8 DEL
                        "c19,ok2\n"))             // 9
                .sent("ok1", "ok2").invalid(3, "control character (U+0007)").invalid(4, "U+001B")
                .invalid(5, "classificationId contains a control character (U+0008)").invalid(6, "U+000D")
                .invalid(8, "U+007F"));
        cases.add(Case.rows("csv-injection.csv", "c20", bytes(header,
                        "c20,=cmd|' /C calc'!A0\n",                                  // 2
                        "c20,@SUM(1+1)*cmd|' /C calc'!A0\n",                         // 3
                        "c20,\"=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\"\n", // 4
                        "c20,-2+3+cmd|x\n",                                          // 5
                        "c20,ok1\n"))                                                // 6
                .sent("ok1").invalid(2, "U+007C").invalid(3, "U+0028").invalid(4, "U+0028").invalid(5, "U+007C"));
        cases.add(Case.rows("empty-quoted.csv", "c21", bytes(header, "c21,\"\"\n\"\",ok0\nc21,\"   \"\nc21,ok1\n"))
                .sent("ok1").invalid(2, "batchId is missing or empty").invalid(3, "classificationId is missing or empty")
                .invalid(4, "batchId is missing or empty"));
        cases.add(Case.rows("header-repeated.csv", "c22", bytes(header, "c22,ok1\n", header, "c22,ok2\n"))
                .sent("ok1", "ok2").invalid(3, ""));
        cases.add(Case.rows("bom-in-the-middle.csv", "c25",
                        bytes(header, "c25,ok1\n\uFEFFc25,bad1\nc25,b\uFEFF2\n\uFEFF\nc25,ok2\n"))
                .sent("ok1", "ok2").invalid(3, "classificationId contains a character that is not allowed (U+FEFF)")
                .invalid(4, "batchId contains a character that is not allowed (U+FEFF)"));
        cases.add(Case.rows("cr-only.csv", "c26", bytes("classificationId,batchId\rc26,ok1\rc26,bad 1\rc26,ok2\r"))
                .sent("ok1", "ok2").invalid(3, "whitespace (U+0020)"));
        cases.add(Case.rows("mixed-line-endings.csv", "c27",
                        bytes("classificationId,batchId\r\nc27,ok1\rc27,bad 1\nc27,ok2\r\n\r\rc27,bad 2\n"))
                .sent("ok1", "ok2").invalid(3, "whitespace").invalid(7, "whitespace"));
        cases.add(Case.rows("blank-lines.csv", "c28", bytes(header, "\n".repeat(100_000), "c28,ok1\nc28,bad 1\n"))
                .sent("ok1").invalid(100_003, "whitespace"));
        cases.add(Case.rows("quote-inside-unquoted.csv", "c38", bytes(header, "c38,b\"1\nc38,ok1\n"))
                .sent("ok1").invalid(2, "quote (U+0022)"));
        cases.add(Case.rows(SPACES_NAME, "c34", bytes(header, "c34,ok1\nc34,bad 1\nc34,ok2\n"))
                .sent("ok1", "ok2").invalid(3, "whitespace"));
        cases.add(Case.rows("hostile.jsonl", "c30", bytes(
                        "{\"classificationId\":\"c30\",\"batchId\":\"ok1\"}\n",                        // 1
                        "[1,2]\n",                                                                   // 2
                        "42\n",                                                                      // 3
                        "{\"classificationId\":{\"nested\":\"c30\"},\"batchId\":\"bad1\"}\n",        // 4
                        "{\"classificationId\":\"c30\",\"batchId\":\"bad2\"} xyz\n",                 // 5
                        "{\"classificationId\":\"c30\",\"batchId\":\"bad3\"}"
                                + "{\"classificationId\":\"c30\",\"batchId\":\"bad4\"}\n",           // 6
                        "{\"classificationId\":\"c30\",\"batchId\":12345}\n",                        // 7
                        "{\"classificationId\":\"c30\",\"batchId\":null}\n",                         // 8
                        "{\"classificationId\":\"c30\",\"batchId\":\"ok2\",\"x\":[1,{\"y\":null}]}\n", // 9
                        "\n",                                                                        // 10
                        "{\"classificationId\":\"c30\",\"batchId\":\"b\\u0000x\"}\n",                // 11
                        "{\"classificationId\":\"c30\",\"batchId\":\"ok3\"\n",                       // 12 truncated
                        "{\"classificationId\":\"c30\",\"batchId\":\"b\u202Ex\"}\n",                 // 13
                        "{\"classificationId\":\"c30\",\"batchId\":true}\n"))                        // 14
                .sent("ok1", "ok2").invalid(2, "not a JSON object").invalid(3, "not a JSON object")
                .invalid(4, "classificationId is not a string").invalid(5, "not a JSON object")
                .invalid(6, "not a JSON object").invalid(7, "batchId is not a string")
                .invalid(8, "batchId is missing or empty").invalid(11, "U+0000").invalid(12, "not a JSON object")
                .invalid(13, "U+202E").invalid(14, "batchId is not a string"));
        return cases;
    }

    // --- per file ---------------------------------------------------------------------------------------------------

    @TestFactory
    @Order(1)
    Stream<DynamicTest> everyCorpusFileHasItsDocumentedOutcome() {
        assertThat(CORPUS).hasSizeGreaterThanOrEqualTo(25);
        return CORPUS.stream().map(c -> DynamicTest.dynamicTest(c.name, () -> assertOutcome(c)));
    }

    private static void assertOutcome(Case c) throws IOException {
        JsonNode report = REPORTS.get(c.name);
        List<JsonNode> records = app.deadLetters(c.name);
        assertThat(records).as("dead letters of %s", c.name).allSatisfy(r -> {
            assertThat(r.get("source").asText()).isEqualTo(c.name);
            assertThat(r.get("attempts").asInt()).isZero();
            assertThat(r.has("httpStatus")).isFalse();
        });
        assertThat(app.inbox().resolve(c.name)).doesNotExist();
        if (c.unreadable) {
            assertThat(records).as("one record for the whole file %s", c.name).hasSize(1);
            JsonNode record = records.get(0);
            assertThat(record.get("reason").asText()).isEqualTo("UNREADABLE_FILE");
            if (c.line == null) {
                assertThat(record.has("line")).as("no line for %s: %s", c.name, record).isFalse();
            } else {
                assertThat(record.path("line").asLong()).as("line of %s: %s", c.name, record).isEqualTo(c.line);
            }
            assertThat(record.get("message").asText()).contains(c.message);
            assertThat(record.has("classificationId")).isFalse();
            assertThat(record.has("batchId")).isFalse();
            assertThat(report.get("status").asText()).isEqualTo("FAILED");
            assertThat(report.get("outcomes").get("UNREADABLE_FILE").asLong()).isEqualTo(1);
            assertThat(report.get("outcomes").get("DELETED").asLong()).isZero();
            assertThat(report.get("rowsRead").asLong()).isZero();
            assertThat(app.movedTo(".failed", c.name)).as("%s in .failed/", c.name).isPresent();
            assertThat(app.movedTo(".done", c.name)).isEmpty();
            assertThat(sentWithClassification(c.tag())).as("nothing of %s sent", c.name).isEmpty();
            return;
        }
        assertThat(sentWithClassification(c.tag)).as("sent for %s", c.name)
                .containsExactlyInAnyOrderElementsOf(c.sent.stream().map(b -> body(c.tag, b)).toList());
        assertThat(records).as("reasons of %s", c.name)
                .allSatisfy(r -> assertThat(r.get("reason").asText()).isEqualTo("INVALID_INPUT"));
        assertThat(records).as("lines of the dead letters of %s", c.name).extracting(r -> r.path("line").asLong())
                .containsExactlyInAnyOrderElementsOf(c.invalid.keySet());
        c.invalid.forEach((line, message) -> assertThat(DeleteBatchPipelineTest.record(records, line)
                .get("message").asText()).as("%s line %d", c.name, line).contains(message));
        assertThat(report.get("status").asText()).isEqualTo("DONE");
        assertThat(report.get("rowsRead").asLong()).isEqualTo(c.sent.size() + c.invalid.size());
        assertThat(report.get("outcomes").get("DELETED").asLong()).isEqualTo(c.sent.size());
        assertThat(report.get("outcomes").get("INVALID_INPUT").asLong()).isEqualTo(c.invalid.size());
        assertThat(app.movedTo(".done", c.name)).as("%s in .done/", c.name).isPresent();
        assertThat(app.movedTo(".failed", c.name)).isEmpty();
    }

    @Test
    @Order(2)
    void tenThousandCharacterIdsAreCutInTheRecord() throws IOException {
        List<JsonNode> records = app.deadLetters("ten-thousand-char-ids.csv");
        String cut = DeleteBatchPipelineTest.record(records, 2).get("classificationId").asText();
        assertThat(cut).startsWith("X".repeat(1024)).endsWith("…(10000 characters)").hasSize(1024 + 19);
        String batch = DeleteBatchPipelineTest.record(records, 3).get("batchId").asText();
        assertThat(batch).startsWith("Y".repeat(1024)).endsWith("…(10000 characters)");
        // a line over the cap is never read whole: its record keeps its first characters, to be fixed and replayed
        String twoMb = DeleteBatchPipelineTest.record(app.deadLetters("two-mb-line.csv"), 3).get("raw").asText();
        assertThat(twoMb).startsWith("c09,xxxx").hasSize(LineCappedReader.HEAD_LENGTH);
    }

    @Test
    @Order(3)
    void aSymbolicLinkOutOfTheInboxIsNeverFollowed() throws IOException {
        JsonNode report = REPORTS.get(LINK);
        assertThat(report.get("status").asText()).isEqualTo("FAILED");
        assertThat(report.get("rowsRead").asLong()).isZero();
        List<JsonNode> records = app.deadLetters(LINK);
        assertThat(records).hasSize(1);
        assertThat(records.get(0).get("reason").asText()).isEqualTo("UNREADABLE_FILE");
        assertThat(records.get(0).get("source").asText()).isEqualTo(LINK);
        assertThat(records.get(0).get("message").asText()).contains("symbolic link");
        // the link itself moved, still a link to the same place; the target untouched and where it was
        Path moved = app.movedTo(".failed", LINK).orElseThrow(() -> new AssertionError("link not in .failed/"));
        assertThat(Files.isSymbolicLink(moved)).isTrue();
        assertThat(Files.readSymbolicLink(moved)).isEqualTo(outsideTarget);
        assertThat(app.movedTo(".done", LINK)).isEmpty();
        assertThat(Files.isSymbolicLink(outsideTarget)).isFalse();
        assertThat(Files.isRegularFile(outsideTarget)).isTrue();
        assertThat(Files.readAllBytes(outsideTarget)).isEqualTo(outsideContent);
        assertThat(Files.getLastModifiedTime(outsideTarget)).isEqualTo(outsideModified);
        try (Stream<Path> siblings = Files.list(outsideTarget.getParent())) {
            assertThat(siblings.map(p -> p.getFileName().toString())).containsExactly("secret.csv");
        }
        assertThat(sentWithClassification("sym")).isEmpty();
    }

    @Test
    @Order(4)
    void aFileStillBeingWrittenIsReadOnceAndComplete() throws IOException {
        JsonNode report = REPORTS.get(SLOW);
        // the report came only after the last chunk: the file was not taken while it was still growing
        assertThat(slowWriterTicksAtReport).as("chunks written when the report appeared").isGreaterThan(slowChunks);
        assertThat(slowWriterFailed).as("a write of the slow writer failed").isFalse();
        List<String> expected = new ArrayList<>();
        expected.addAll(slowWriterBodies());
        assertThat(report.get("status").asText()).isEqualTo("DONE");
        assertThat(report.get("rowsRead").asLong()).isEqualTo(SLOW_ROWS + 1);
        assertThat(report.get("outcomes").get("DELETED").asLong()).isEqualTo(SLOW_ROWS + 1);
        assertThat(sentWithClassification("c40")).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(app.deadLetters(SLOW)).isEmpty();
        // one run: exactly one copy in .done/, holding the complete file; nothing left behind in the inbox
        try (Stream<Path> done = Files.list(app.inbox().resolve(".done"))) {
            List<Path> copies = done.filter(p -> p.getFileName().toString().endsWith("-" + SLOW)).toList();
            assertThat(copies).hasSize(1);
            assertThat(Files.readAllLines(copies.get(0))).hasSize(SLOW_ROWS + 2).last().isEqualTo("c40,slowEnd");
        }
        assertThat(app.inbox().resolve(SLOW)).doesNotExist();
    }

    @Test
    @Order(5)
    void hiddenAndTemporaryFilesAreIgnoredAndNothingElseStaysInTheInbox() throws IOException {
        Set<String> left;
        try (Stream<Path> files = Files.list(app.inbox())) {
            left = files.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
        left.remove(DANGLING); // checked on its own below
        // and the lock that keeps a second process out of this inbox
        assertThat(left).containsExactlyInAnyOrder(".done", ".failed", HIDDEN, PART, DataFolderLock.FILE_NAME);
        assertThat(Files.readString(app.inbox().resolve(HIDDEN))).isEqualTo("classificationId,batchId\nign,hidden1\n");
        assertThat(Files.readString(app.inbox().resolve(PART))).isEqualTo("classificationId,batchId\nign,part1\n");
        assertThat(sentWithClassification("ign")).isEmpty();
        assertThat(Files.exists(app.dataDir.resolve("reports").resolve(HIDDEN + ".report.json"))).isFalse();
        assertThat(Files.exists(app.dataDir.resolve("reports").resolve(PART + ".report.json"))).isFalse();
    }

    @Test
    @Order(6)
    void everyRequestOnTheWireWasAnExpectedGoodRow() throws IOException {
        List<String> expected = new ArrayList<>();
        for (Case c : CORPUS) {
            c.sent.forEach(b -> expected.add(body(c.tag, b)));
        }
        expected.addAll(slowWriterBodies());
        assertThat(allSentBodies()).containsExactlyInAnyOrderElementsOf(expected);
        // every dead-letter record of every file names its source, and every row record its line
        try (Stream<Path> files = Files.list(app.dataDir.resolve("deadletter"))) {
            for (Path file : files.toList()) {
                String source = file.getFileName().toString().replaceFirst("\\.jsonl$", "");
                for (JsonNode r : app.deadLetters(source)) {
                    assertThat(r.get("source").asText()).isEqualTo(source);
                    assertThat(r.get("message").asText()).isNotBlank();
                    if (!"UNREADABLE_FILE".equals(r.get("reason").asText())) {
                        assertThat(r.path("line").asLong()).as("line of %s", r).isPositive();
                    }
                }
            }
        }
    }

    @Test
    @Order(7)
    void theAppStillConsumesANormalFileAfterAllOfThat() throws IOException {
        app.drop("sentinel.csv", "classificationId,batchId\nc99,ok1\nc99,ok2\n");
        JsonNode report = app.awaitReport("sentinel.csv");
        assertThat(report.get("status").asText()).isEqualTo("DONE");
        assertThat(report.get("outcomes").get("DELETED").asLong()).isEqualTo(2);
        assertThat(sentWithClassification("c99")).containsExactlyInAnyOrder(body("c99", "ok1"), body("c99", "ok2"));
        assertThat(app.movedTo(".done", "sentinel.csv")).isPresent();
    }

    /**
     * A symbolic link to nothing is not a file: Camel's file consumer never lists it, so it stays in the inbox,
     * untouched (documented in the README). What matters: nothing is created at its target, and it blocks nothing.
     */
    @Test
    @Order(8)
    void aDanglingSymbolicLinkIsIgnoredAndHarmless() throws IOException {
        assertThat(REPORTS).containsKey(LINK); // the corpus and the sentinel ran first
        assertThat(app.dataDir.resolve("reports").resolve("sentinel.csv.report.json")).exists();
        Path link = app.inbox().resolve(DANGLING);
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(Files.exists(Files.readSymbolicLink(link))).as("its target was never created").isFalse();
        assertThat(Files.exists(app.dataDir.resolve("reports").resolve(DANGLING + ".report.json"))).isFalse();
    }

    // --- helpers ----------------------------------------------------------------------------------------------------

    /** Rows slow0 to slow29, then slowEnd. */
    private static List<String> slowWriterBodies() {
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < SLOW_ROWS; i++) {
            bodies.add(body("c40", "slow" + i));
        }
        bodies.add(body("c40", "slowEnd"));
        return bodies;
    }

    private static List<String> allSentBodies() {
        return app.wireMock.findAll(deleteRequestedFor(urlEqualTo(TestApp.DELETE_PATH))).stream()
                .map(LoggedRequest::getBodyAsString).toList();
    }

    private static List<String> sentWithClassification(String classificationId) {
        return allSentBodies().stream().filter(b -> {
            try {
                return classificationId.equals(MAPPER.readTree(b).path("classificationId").asText());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).toList();
    }

    /** Strings as UTF-8, integers as single raw bytes, byte arrays as they are. */
    private static byte[] bytes(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object part : parts) {
            if (part instanceof String s) {
                out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
            } else if (part instanceof Integer b) {
                out.write(b);
            } else if (part instanceof byte[] raw) {
                out.writeBytes(raw);
            } else {
                throw new IllegalArgumentException(String.valueOf(part));
            }
        }
        return out.toByteArray();
    }

    /** One corpus file and its documented outcome. */
    private static final class Case {
        final String name;
        final byte[] content;
        final boolean unreadable;
        final Long line;
        final String message;
        private final String tag;
        final List<String> sent = new ArrayList<>();
        final Map<Long, String> invalid = new LinkedHashMap<>();

        private Case(String name, byte[] content, boolean unreadable, Long line, String message, String tag) {
            this.name = name;
            this.content = content;
            this.unreadable = unreadable;
            this.line = line;
            this.message = message;
            this.tag = tag;
        }

        static Case unreadable(String name, byte[] content, Long line, String message) {
            return new Case(name, content, true, line, message, null);
        }

        static Case rows(String name, String tag, byte[] content) {
            return new Case(name, content, false, null, null, tag);
        }

        /** The classificationId every row of this file uses: its requests are told apart by it. */
        String tag() {
            if (tag != null) {
                return tag;
            }
            // unreadable files use a c<nn> of their own in their rows, or none at all
            String text = new String(content, StandardCharsets.UTF_8);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\b(c\\d+b?),").matcher(text);
            return m.find() ? m.group(1) : "-none-";
        }

        Case sent(String... batchIds) {
            sent.addAll(Arrays.asList(batchIds));
            return this;
        }

        Case invalid(long line, String messagePart) {
            invalid.put(line, messagePart);
            return this;
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
