package dev.purge.extracta.ingest;

import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.purge.extracta.call.DeleteBatchPipelineTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.purge.extracta.ExtractaPurgeApplication;
import dev.purge.extracta.call.DeleteBatchPipelineTest;
import dev.purge.extracta.health.StateWrites;
import dev.purge.extracta.ops.OneShotRun;
import dev.purge.extracta.testsupport.LogCapture;
import dev.purge.extracta.testsupport.TestApp;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Hardening, input identity: a file is read whole exactly once whatever happens to its name (replaced by a rename,
 * appended to, written by a writer that pauses), two files never share progress, and a finished file that cannot
 * leave the inbox is said once and never read again.
 */
class InputIdentityTest {

    private static final String SUCCESS = "{\"status\":\"success\",\"message\":\"Batch deleted\"}";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static TestApp slowApi(String name, int latencyMillis, Map<String, String> settings) throws Exception {
        Map<String, String> p = new HashMap<>(Map.of("extracta.concurrency", "2"));
        p.putAll(settings);
        TestApp app = TestApp.start(name, p);
        app.wireMock.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH))
                .willReturn(json(200, SUCCESS).withFixedDelay(latencyMillis)));
        return app;
    }

    private static String rows(String prefix, int count) {
        StringBuilder csv = new StringBuilder("classificationId,batchId\n");
        for (int i = 0; i < count; i++) {
            csv.append("c1,").append(prefix).append(String.format("%03d", i)).append('\n');
        }
        return csv.toString();
    }

    static Map<String, Integer> sentPerBatch(TestApp app) throws Exception {
        return TestApp.sentPerBatch(app.wireMock);
    }

    private static List<Path> done(TestApp app) throws Exception {
        Path dir = app.inbox().resolve(".done");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.sorted().toList();
        }
    }

    @Test
    void aFileReplacedUnderTheSameNameWhileItIsReadIsReadToo() throws Exception {
        try (TestApp app = slowApi("replaced", 60, Map.of())) {
            String first = rows("old", 40);
            app.drop("batches.csv", first);
            await().atMost(TestApp.TIMEOUT).until(() -> sentPerBatch(app).size() >= 5);
            // an upstream job re-exports: mv new.csv batches.csv, while the first one is being read
            String second = rows("new", 20);
            Path temp = app.inbox().resolve(".batches.csv.part");
            Files.writeString(temp, second);
            Files.move(temp, app.inbox().resolve("batches.csv"), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);

            await().atMost(TestApp.TIMEOUT).until(() -> done(app).size() == 2
                    && !Files.exists(app.inbox().resolve("batches.csv")));
            Map<String, Integer> sent = sentPerBatch(app);
            assertThat(sent).hasSize(60).allSatisfy((batch, n) -> assertThat(n).as(batch).isEqualTo(1));
            // .done/ keeps what was read of each: the first one as a copy (its name went to the second)
            assertThat(done(app)).extracting(p -> readString(p)).containsExactlyInAnyOrder(first, second);
            assertThat(Files.list(app.dataDir.resolve("state").resolve("files")).count()).as("journals").isZero();
        }
    }

    @Test
    void withAMarkerSuffixAFileReplacedWhileItIsReadLeavesTheMarkerToTheNewFileWhichIsReadToo() throws Exception {
        try (TestApp app = slowApi("replaced-marked", 60, Map.of("extracta.inbox.marker-suffix", ".ready"))) {
            Files.writeString(app.inbox().resolve("marked.csv"), rows("mold", 60));
            Files.writeString(app.inbox().resolve("marked.csv.ready"), "");
            await().atMost(TestApp.TIMEOUT).until(() -> sentPerBatch(app).size() >= 5);
            // the producer re-exports under the same name and says it is done (its marker is there already)
            Path temp = app.inbox().resolve(".marked.csv.part");
            Files.writeString(temp, rows("mnew", 10));
            Files.move(temp, app.inbox().resolve("marked.csv"), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
            Files.writeString(app.inbox().resolve("marked.csv.ready"), "");

            await().atMost(TestApp.TIMEOUT).until(() -> done(app).size() == 2
                    && !Files.exists(app.inbox().resolve("marked.csv")));
            assertThat(sentPerBatch(app)).hasSize(70).allSatisfy((batch, n) -> assertThat(n).isEqualTo(1));
            assertThat(app.inbox().resolve("marked.csv.ready")).as("gone with the file it marked last")
                    .doesNotExist();
        }
    }

    @Test
    void theSameFileUnderTwoNamesIsReadUnderEachButItsPairsAreSentOnce() throws Exception {
        try (TestApp app = slowApi("hard-link", 20, Map.of())) {
            Path temp = Files.writeString(app.inbox().resolve(".linked.part"), rows("hl", 20));
            Files.createLink(app.inbox().resolve(".second.part"), temp);
            Files.move(temp, app.inbox().resolve("first.csv"), StandardCopyOption.ATOMIC_MOVE);
            Files.move(app.inbox().resolve(".second.part"), app.inbox().resolve("second.csv"),
                    StandardCopyOption.ATOMIC_MOVE);

            JsonNode first = app.awaitReport("first.csv");
            JsonNode second = app.awaitReport("second.csv");
            assertThat(sentPerBatch(app)).hasSize(20).allSatisfy((batch, n) -> assertThat(n).as(batch).isEqualTo(1));
            long deleted = first.get("outcomes").path("DELETED").asLong() + second.get("outcomes").path("DELETED")
                    .asLong();
            long skipped = first.get("outcomes").path("SKIPPED_ALREADY_DELETED").asLong()
                    + second.get("outcomes").path("SKIPPED_ALREADY_DELETED").asLong();
            assertThat(deleted).isEqualTo(20);
            assertThat(skipped).isEqualTo(20);
        }
    }

    @Test
    void aFileAppendedToWhileItIsReadIsReadAgainForItsNewRows() throws Exception {
        try (LogCapture logs = LogCapture.capture(); TestApp app = slowApi("appended", 60, Map.of())) {
            Path file = app.drop("growing.csv", rows("g", 30));
            await().atMost(TestApp.TIMEOUT).until(() -> sentPerBatch(app).size() >= 5);
            Files.writeString(file, "c1,late001\nc1,late002\n", StandardOpenOption.APPEND);

            await().atMost(TestApp.TIMEOUT).until(() -> done(app).size() == 1
                    && !Files.exists(app.inbox().resolve("growing.csv")));
            Map<String, Integer> sent = sentPerBatch(app);
            assertThat(sent).hasSize(32).containsKeys("late001", "late002")
                    .allSatisfy((batch, n) -> assertThat(n).as(batch).isEqualTo(1));
            assertThat(logs.lines()).anyMatch(l -> l.contains("growing.csv changed while it was read"));
            assertThat(readString(done(app).get(0))).endsWith("c1,late002\n");
        }
    }

    @Test
    void aCsvFileCutShorterInPlaceWhileItIsReadIsReadAgainAsItIsNowNeverFailedUnread() throws Exception {
        try (LogCapture logs = LogCapture.capture(); TestApp app = slowApi("cut-csv", 60, Map.of())) {
            // rows of 1 KB (a notes column), so the cut comes long before the reader's buffers have the whole file
            StringBuilder wide = new StringBuilder("classificationId,batchId,notes\n");
            for (int i = 0; i < 300; i++) {
                wide.append("c1,long").append(i).append(',').append("n".repeat(1000)).append('\n');
            }
            Path file = app.drop("cut.csv", wide.toString());
            await().atMost(TestApp.TIMEOUT).until(() -> sentPerBatch(app).size() >= 5);
            // cp new.csv cut.csv: the same inode, truncated, then the (shorter) new content
            String now = rows("short", 4);
            Files.writeString(file, now, StandardOpenOption.TRUNCATE_EXISTING);

            JsonNode report = app.awaitReport("cut.csv");
            assertThat(report.get("status").asText()).isEqualTo("DONE");
            Map<String, Integer> sent = sentPerBatch(app);
            assertThat(sent).containsKeys("short000", "short003")
                    .allSatisfy((batch, n) -> assertThat(n).as(batch).isEqualTo(1));
            assertThat(done(app)).singleElement().satisfies(p -> assertThat(readString(p)).isEqualTo(now));
            assertThat(app.inbox().resolve(".failed")).doesNotExist();
            assertThat(logs.lines()).anyMatch(l -> l.contains("cut.csv") && l.contains("cut shorter"))
                    .noneMatch(l -> l.startsWith("ERROR"));
        }
    }

    @Test
    void aJsonLinesFileCutShorterInPlaceWhileItIsReadEndsItsRowsInFlightThenIsReadAgain() throws Exception {
        try (LogCapture logs = LogCapture.capture(); TestApp app = slowApi("cut-jsonl", 150,
                Map.of("extracta.concurrency", "4"))) {
            StringBuilder lines = new StringBuilder();
            for (int i = 0; i < 300; i++) {
                lines.append("{\"classificationId\":\"c1\",\"batchId\":\"jl").append(i).append("\",\"note\":\"")
                        .append("n".repeat(1000)).append("\"}\n");
            }
            Path file = app.drop("cut.jsonl", lines.toString());
            await().atMost(TestApp.TIMEOUT).until(() -> sentPerBatch(app).size() >= 8);
            Files.writeString(file, "{\"classificationId\":\"c1\",\"batchId\":\"jnew\"}\n",
                    StandardOpenOption.TRUNCATE_EXISTING);

            JsonNode report = app.awaitReport("cut.jsonl");
            assertThat(report.get("status").asText()).isEqualTo("DONE");
            Map<String, Integer> sent = sentPerBatch(app);
            assertThat(sent).containsKey("jnew").allSatisfy((batch, n) -> assertThat(n).as(batch).isEqualTo(1));
            // the requests in flight at the cut ended with their outcome, not with a closed journal
            assertThat(logs.lines()).noneMatch(l -> l.startsWith("ERROR"))
                    .anyMatch(l -> l.startsWith("INFO Stopped cut.jsonl") && l.contains("0 stopped before"));
        }
    }

    @Test
    void aWriterThatPausesMidLineLongerThanTheStablePeriodIsNeverReadHalfWritten() throws Exception {
        ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor();
        try (TestApp app = slowApi("paused-writer", 0, Map.of("extracta.inbox.stable-period", "200",
                "extracta.inbox.last-line-wait", "20000"))) {
            Path file = app.inbox().resolve("paused.csv");
            // written in place (no rename), then the writer stalls in the middle of an ID for 6 stable periods
            Files.writeString(file, "classificationId,batchId\nc1,whole001\nc1,trunc");
            writer.schedule(() -> {
                Files.writeString(file, "ated002\n", StandardOpenOption.APPEND);
                return null;
            }, 3000, TimeUnit.MILLISECONDS); // the poller starts after 1 s, and sees the file stable after 200 ms
            app.awaitReport("paused.csv");
            assertThat(sentPerBatch(app)).containsOnlyKeys("whole001", "truncated002");
        } finally {
            writer.shutdownNow();
        }
    }

    @Test
    void withAMarkerSuffixAFileIsTakenOnlyOnceItsMarkerIsThereAndTheMarkerGoesWithIt() throws Exception {
        try (TestApp app = slowApi("marker", 0, Map.of("extracta.inbox.marker-suffix", ".ready",
                "extracta.inbox.stable-period", "200"))) {
            Path file = app.inbox().resolve("marked.csv");
            // a producer that writes in place, in pieces, and says when it is done
            Files.writeString(file, "classificationId,batchId\nc1,mk001\n");
            await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5)).until(() ->
                    sentPerBatch(app).isEmpty());
            Files.writeString(file, "c1,mk002\n", StandardOpenOption.APPEND);
            Files.writeString(app.inbox().resolve("marked.csv.ready"), "");
            app.awaitReport("marked.csv");
            assertThat(sentPerBatch(app)).containsOnlyKeys("mk001", "mk002");
            assertThat(app.inbox().resolve("marked.csv.ready")).as("the marker goes with its file").doesNotExist();
        }
    }

    @Test
    void aFileWithoutALineBreakWhoseModificationTimeIsInTheFutureIsTakenAfterTheWaitNotThen() throws Exception {
        try (TestApp app = slowApi("future-mtime", 0, Map.of(
                "extracta.inbox.stable-period", "200", "extracta.inbox.last-line-wait", "2000"))) {
            // a skewed clock on the producer's side, or a copy that kept a modification time from tomorrow
            Path tomorrow = app.inbox().resolve(".tomorrow.csv");
            Files.writeString(tomorrow, "classificationId,batchId\nc1,fm001");
            Files.setLastModifiedTime(tomorrow, FileTime.from(Instant.now().plus(Duration.ofDays(1))));
            Path later = app.inbox().resolve(".later.jsonl");
            Files.writeString(later, "{\"classificationId\":\"c1\",\"batchId\":\"fm002\"}");
            Files.setLastModifiedTime(later, FileTime.from(Instant.parse("2100-01-01T00:00:00Z")));
            Files.move(tomorrow, app.inbox().resolve("tomorrow.csv"), StandardCopyOption.ATOMIC_MOVE);
            Files.move(later, app.inbox().resolve("later.jsonl"), StandardCopyOption.ATOMIC_MOVE);

            assertThat(app.awaitReport("tomorrow.csv").get("status").asText()).isEqualTo("DONE");
            assertThat(app.awaitReport("later.jsonl").get("status").asText()).isEqualTo("DONE");
            assertThat(sentPerBatch(app)).containsOnlyKeys("fm001", "fm002");
        }
    }

    @Test
    void aFileWithoutALineBreakAtItsEndIsSetAsideNotReadAtEveryPollThenTaken() throws Exception {
        try (LogCapture logs = LogCapture.capture(); TestApp app = slowApi("no-final-break", 0, Map.of(
                "extracta.inbox.stable-period", "200", "extracta.inbox.last-line-wait", "3000"))) {
            app.drop("open-end.csv", "classificationId,batchId\nc1,oe001");
            await().atMost(TestApp.TIMEOUT).until(() -> waits(logs) == 1);
            await().during(Duration.ofMillis(1000)).atMost(Duration.ofSeconds(2)).until(() -> waits(logs) == 1
                    && sentPerBatch(app).isEmpty());
            app.awaitReport("open-end.csv");
            assertThat(sentPerBatch(app)).containsOnlyKeys("oe001");
            assertThat(waits(logs)).as("said once, not at every poll").isEqualTo(1);
        }
    }

    @Test
    void aFailedFileThatCannotLeaveTheInboxIsNotReadNorDeadLetteredAgain() throws Exception {
        try (LogCapture logs = LogCapture.capture(); TestApp app = slowApi("unmovable-failed", 0, Map.of())) {
            Path blocker = Files.writeString(app.inbox().resolve(".failed"), "a file where .failed/ should be");
            app.drop("binary.csv", new String(new char[] {'a', 0, 'b', '\n'}));
            await().atMost(TestApp.TIMEOUT).until(() -> logs.lines().stream()
                    .anyMatch(l -> l.startsWith("ERROR") && l.contains("binary.csv is finished")));
            // its next try (after 5 s) only tries the move: no second record
            await().atMost(TestApp.TIMEOUT).until(() -> logs.lines().stream()
                    .anyMatch(l -> l.contains("binary.csv is finished; it still cannot be moved")));
            assertThat(app.deadLetters("binary.csv")).hasSize(1);
            Files.delete(blocker);
            await().atMost(TestApp.TIMEOUT).until(() -> !Files.exists(app.inbox().resolve("binary.csv")));
            assertThat(app.movedTo(".failed", "binary.csv")).isPresent();
            assertThat(app.deadLetters("binary.csv")).as("one record in all").hasSize(1);
        }
    }

    private static long waits(LogCapture logs) {
        return logs.lines().stream().filter(l -> l.contains("open-end.csv: its last line has no line break yet"))
                .count();
    }

    @Test
    void twoFilesWhoseNamesLookAlikeWithTheSameSizeAndTimeNeverShareProgress() throws Exception {
        try (TestApp app = slowApi("lookalike", 80, Map.of("extracta.concurrency", "1"))) {
            Path first = app.drop("a b.csv", rows("x", 20));
            FileTime time = Files.getLastModifiedTime(first);
            await().atMost(TestApp.TIMEOUT).until(() -> sentPerBatch(app).size() >= 5);
            app.stopApp(); // the run stops part way: its progress stays
            assertThat(first).exists();
            // the operator takes that file away; another one arrives whose name sanitizes alike, same size and time
            Files.delete(first);
            Path temp = app.inbox().resolve(".a_b.csv.part");
            Files.writeString(temp, rows("y", 20));
            Files.setLastModifiedTime(temp, time);
            Files.move(temp, app.inbox().resolve("a_b.csv"), StandardCopyOption.ATOMIC_MOVE);
            Files.setLastModifiedTime(app.inbox().resolve("a_b.csv"), time);
            app.startApp(Map.of());

            app.awaitReport("a_b.csv");
            Map<String, Integer> sent = sentPerBatch(app);
            assertThat(sent.keySet().stream().filter(b -> b.startsWith("y")))
                    .as("every row of the second file sent, none skipped for the first one's progress").hasSize(20);
            assertThat(MAPPER.readTree(app.dataDir.resolve("reports/a_b.csv.report.json").toFile())
                    .get("rowsFromEarlierRuns").asLong()).isZero();
        }
    }

    @Test
    void aFileRewrittenInPlaceWithTheSameSizeAndTimeIsReadAsTheNewFileItIs() throws Exception {
        try (TestApp app = slowApi("rewritten", 80, Map.of("extracta.concurrency", "1"))) {
            Path file = app.drop("same.csv", rows("p", 20));
            FileTime time = Files.getLastModifiedTime(file);
            await().atMost(TestApp.TIMEOUT).until(() -> sentPerBatch(app).size() >= 5);
            app.stopApp();
            // the same inode, other content of the same length, the time put back (cp --preserve, rsync -t)
            Files.writeString(file, rows("q", 20), StandardOpenOption.TRUNCATE_EXISTING);
            Files.setLastModifiedTime(file, time);
            app.startApp(Map.of());

            app.awaitReport("same.csv");
            assertThat(sentPerBatch(app).keySet().stream().filter(b -> b.startsWith("q"))).hasSize(20);
        }
    }

    @Test
    void aFinishedFileThatCannotLeaveTheInboxIsSaidOnceNeverReadAgainAndMovedOnceItCan() throws Exception {
        try (LogCapture logs = LogCapture.capture(); TestApp app = slowApi("unmovable", 0, Map.of())) {
            Path blocker = Files.writeString(app.inbox().resolve(".done"), "a file where .done/ should be");
            app.drop("stuck.csv", rows("s", 3));
            await().atMost(TestApp.TIMEOUT).until(() -> logs.lines().stream()
                    .anyMatch(l -> l.startsWith("ERROR") && l.contains("stuck.csv is finished")));
            assertThat(MAPPER.readTree(app.dataDir.resolve("reports/stuck.csv.report.json").toFile())
                    .get("status").asText()).isEqualTo("DONE");
            StateWrites writes = app.camelContext().getRegistry().lookupByNameAndType("stateWrites",
                    StateWrites.class);
            assertThat(writes.healthy()).as("readiness DOWN, with the file named").isFalse();

            // not read again at every poll (100 ms), nothing sent again, said once
            await().during(Duration.ofMillis(2000)).atMost(Duration.ofSeconds(4)).until(() ->
                    starts(logs, "stuck.csv") == 1 && sentPerBatch(app).size() == 3);
            assertThat(logs.lines().stream().filter(l -> l.contains("stuck.csv is finished"))).hasSize(1);

            Files.delete(blocker);
            await().atMost(TestApp.TIMEOUT).until(() -> !Files.exists(app.inbox().resolve("stuck.csv")));
            assertThat(app.movedTo(".done", "stuck.csv")).isPresent();
            assertThat(sentPerBatch(app)).hasSize(3).allSatisfy((batch, n) -> assertThat(n).isEqualTo(1));
            await().atMost(TestApp.TIMEOUT).until(writes::healthy);
            assertThat(Files.list(app.dataDir.resolve("state").resolve("files")).count()).as("journals").isZero();
        }
    }

    @Test
    void aFinishedFileThatCannotLeaveTheInboxAndIsThenAppendedToIsReadForItsNewRowsNotMovedUnread() throws Exception {
        try (LogCapture logs = LogCapture.capture(); TestApp app = slowApi("unmovable-appended", 0, Map.of())) {
            Path blocker = Files.writeString(app.inbox().resolve(".done"), "a file where .done/ should be");
            Path file = app.drop("grown.csv", rows("s", 3));
            await().atMost(TestApp.TIMEOUT).until(() -> logs.lines().stream()
                    .anyMatch(l -> l.startsWith("ERROR") && l.contains("grown.csv is finished")));
            Files.writeString(file, "c1,added001\nc1,added002\n", StandardOpenOption.APPEND);
            await().atMost(TestApp.TIMEOUT).until(() -> sentPerBatch(app).containsKey("added002"));

            Files.delete(blocker);
            await().atMost(TestApp.TIMEOUT).until(() -> !Files.exists(app.inbox().resolve("grown.csv")));
            assertThat(readString(app.movedTo(".done", "grown.csv").orElseThrow())).endsWith("c1,added002\n");
            assertThat(sentPerBatch(app)).hasSize(5).allSatisfy((batch, n) -> assertThat(n).as(batch).isEqualTo(1));
            assertThat(MAPPER.readTree(app.dataDir.resolve("reports/grown.csv.report.json").toFile())
                    .get("rowsFromEarlierRuns").asLong()).as("the first three resumed from the journal").isEqualTo(3);
        }
    }

    @Test
    void aFailedFileThatCannotLeaveTheInboxAndIsThenFixedInPlaceIsReadAsFixed() throws Exception {
        try (LogCapture logs = LogCapture.capture(); TestApp app = slowApi("unmovable-fixed", 0, Map.of())) {
            Path blocker = Files.writeString(app.inbox().resolve(".failed"), "a file where .failed/ should be");
            Path file = app.drop("fixable.csv", new String(new char[] {'a', 0, 'b', '\n'}));
            await().atMost(TestApp.TIMEOUT).until(() -> logs.lines().stream()
                    .anyMatch(l -> l.startsWith("ERROR") && l.contains("fixable.csv is finished")));
            // the producer rewrites it in place (the same inode), now readable
            Files.writeString(file, rows("fx", 2), StandardOpenOption.TRUNCATE_EXISTING);

            JsonNode report = app.awaitReport("fixable.csv");
            assertThat(report.get("status").asText()).isEqualTo("DONE");
            assertThat(sentPerBatch(app)).containsOnlyKeys("fx000", "fx001");
            assertThat(app.movedTo(".done", "fixable.csv")).isPresent();
            Files.delete(blocker);
        }
    }

    @Test
    void aOneShotRunWhoseFileCannotLeaveTheInboxExitsNonZeroAndTheNextRunSendsNothingAgain() throws Exception {
        try (TestApp api = slowApi("unmovable-once-api", 0, Map.of())) {
            Path data = Files.createDirectories(api.dataDir.resolve("once"));
            Path inbox = Files.createDirectories(data.resolve("inbox"));
            Files.writeString(inbox.resolve("once.csv"), rows("o", 3));
            Path blocker = Files.writeString(inbox.resolve(".done"), "not a folder");
            Map<String, String> settings = new HashMap<>(TestApp.defaults());
            settings.put("extracta.base-url", "http://127.0.0.1:" + api.wireMock.port());
            settings.put("extracta.data-dir", data.toString());
            api.stopApp(); // only its API is used: one process per data folder

            assertThat(ExtractaPurgeApplication.run(new String[] {"--once"}, settings)).isEqualTo(OneShotRun.FATAL);
            assertThat(inbox.resolve("once.csv")).exists();
            assertThat(sentPerBatch(api)).hasSize(3);

            Files.delete(blocker);
            assertThat(ExtractaPurgeApplication.run(new String[] {"--once"}, settings))
                    .isEqualTo(OneShotRun.ALL_DONE);
            assertThat(inbox.resolve("once.csv")).doesNotExist();
            assertThat(sentPerBatch(api)).as("nothing sent again").hasSize(3)
                    .allSatisfy((batch, n) -> assertThat(n).isEqualTo(1));
        }
    }

    private static long starts(LogCapture logs, String file) {
        return logs.lines().stream().filter(l -> l.startsWith("INFO Started " + file)
                || l.startsWith("INFO Resuming " + file)).count();
    }

    private static String readString(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
