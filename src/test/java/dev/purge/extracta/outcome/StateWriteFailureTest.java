package dev.purge.extracta.outcome;

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
import dev.purge.extracta.testsupport.FaultInjection;
import dev.purge.extracta.testsupport.LogCapture;
import dev.purge.extracta.testsupport.TestApp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Hardening, the application's own writes: a report that cannot be written never leaves a file DONE in silence (nor
 * exit 0), and the file is not read again at every poll; a deleted pair that cannot be remembered right after the API
 * confirmed it still counts as deleted and is never sent again.
 */
class StateWriteFailureTest {

    private static final String SUCCESS = "{\"status\":\"success\",\"message\":\"Batch deleted\"}";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void aReportThatCannotBeWrittenKeepsTheFileForLaterAndSaysSo() throws Exception {
        Path blocker = Files.createTempFile("extracta-reports-blocker", ".txt");
        try (LogCapture logs = LogCapture.capture();
             TestApp app = TestApp.start("no-reports", Map.of("extracta.reports-dir",
                     blocker.resolve("reports").toString()))) {
            app.wireMock.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH)).willReturn(json(200, SUCCESS)));
            app.drop("all-ok.csv", "classificationId,batchId\nc1,rp1\nc1,rp2\n");
            await().atMost(TestApp.TIMEOUT).until(() -> logs.lines().stream()
                    .anyMatch(l -> l.startsWith("ERROR Cannot write") && l.contains("all-ok.csv.report.json")));
            assertThat(app.inbox().resolve("all-ok.csv")).as("not DONE without its report: it stays").exists();
            assertThat(app.movedTo(".done", "all-ok.csv")).isEmpty();
            StateWrites writes = app.camelContext().getRegistry().lookupByNameAndType("stateWrites",
                    StateWrites.class);
            assertThat(writes.healthy()).isFalse();
            // not read again at every poll (100 ms); nothing sent again
            await().during(Duration.ofMillis(2000)).atMost(Duration.ofSeconds(4)).until(() ->
                    logs.lines().stream().filter(l -> l.startsWith("INFO Started all-ok.csv")
                            || l.startsWith("INFO Resuming all-ok.csv")).count() == 1);

            // the folder can be written again: the file is finished after its delay, with nothing sent twice
            Files.delete(blocker);
            await().atMost(TestApp.TIMEOUT).until(() -> !Files.exists(app.inbox().resolve("all-ok.csv")));
            JsonNode report = MAPPER.readTree(blocker.resolve("reports").resolve("all-ok.csv.report.json").toFile());
            assertThat(report.get("status").asText()).isEqualTo("DONE");
            assertThat(report.get("outcomes").get("DELETED").asLong()).isEqualTo(2);
            assertThat(app.wireMock.findAll(deleteRequestedFor(urlEqualTo(TestApp.DELETE_PATH)))).hasSize(2);
            assertThat(writes.healthy()).isTrue();
        } finally {
            deleteTree(blocker);
        }
    }

    @Test
    void aOneShotRunWhoseReportCannotBeWrittenExitsNonZero() throws Exception {
        Path blocker = Files.createTempFile("extracta-reports-blocker", ".txt");
        try (TestApp api = TestApp.start("no-reports-once-api", Map.of())) {
            api.wireMock.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH)).willReturn(json(200, SUCCESS)));
            api.stopApp();
            Path exports = Files.createDirectories(api.dataDir.resolve("exports"));
            Path file = Files.writeString(exports.resolve("once.csv"), "classificationId,batchId\nc1,ro1\n");
            Map<String, String> settings = new HashMap<>(TestApp.defaults());
            settings.put("extracta.base-url", "http://127.0.0.1:" + api.wireMock.port());
            settings.put("extracta.data-dir", api.dataDir.toString());
            settings.put("extracta.reports-dir", blocker.resolve("reports").toString());
            assertThat(ExtractaPurgeApplication.run(new String[] {"--once", file.toString()}, settings))
                    .as("an all-OK file without its report is not a success").isEqualTo(OneShotRun.FATAL);
        } finally {
            deleteTree(blocker);
        }
    }

    @Test
    void aDeletedPairThatCannotBeRememberedCountsAsDeletedAndIsNeverSentAgain() throws Exception {
        try (LogCapture logs = LogCapture.capture();
             TestApp app = TestApp.start("unremembered", Map.of(
                     "camel.beans.flakyPairs", "#class:dev.purge.extracta.testsupport.FaultInjection$FailingOnceRepository",
                     "camel.beans.flakyPairs.file", "{{extracta.idempotency.file}}",
                     "camel.beans.flakyPairs.failFor", "forgotten",
                     "extracta.idempotency.repository", "flakyPairs"))) {
            app.wireMock.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH)).willReturn(json(200, SUCCESS)));
            app.drop("first.csv", "classificationId,batchId\nc1,forgotten1\nc1,kept1\n");
            JsonNode first = app.awaitReport("first.csv");
            assertThat(first.get("outcomes").get("DELETED").asLong()).as("not INTERNAL_ERROR, not dead-lettered")
                    .isEqualTo(2);
            assertThat(app.deadLetters("first.csv")).isEmpty();
            assertThat(logs.lines()).anyMatch(l -> l.startsWith("WARN first.csv line 2: the API confirmed the delete, "
                    + "but it could not be remembered") && l.contains("counts as DELETED"));

            // the same pair again, in this run: not sent
            app.drop("again.csv", "classificationId,batchId\nc1,forgotten1\nc1,new1\n");
            JsonNode again = app.awaitReport("again.csv");
            assertThat(again.get("outcomes").get("SKIPPED_ALREADY_DELETED").asLong()).isEqualTo(1);
            assertThat(TestApp.sentPerBatch(app.wireMock)).containsEntry("forgotten1", 1);

            // and it was written once the repository took writes again: after a restart it is still known
            app.restart();
            app.drop("after-restart.csv", "classificationId,batchId\nc1,forgotten1\n");
            JsonNode afterRestart = app.awaitReport("after-restart.csv");
            assertThat(afterRestart.get("outcomes").get("SKIPPED_ALREADY_DELETED").asLong()).isEqualTo(1);
            assertThat(TestApp.sentPerBatch(app.wireMock)).containsEntry("forgotten1", 1);
        }
    }

    @Test
    void aDeletedPairNeverRememberedBeforeTheStopKeepsItsMaybeMarkSoItsResendIsAlreadyAbsent() throws Exception {
        try (TestApp app = TestApp.start("unremembered-stop", Map.of(
                "camel.beans.flakyPairs", "#class:dev.purge.extracta.testsupport.FaultInjection$FailingOnceRepository",
                "camel.beans.flakyPairs.file", "{{extracta.idempotency.file}}",
                "camel.beans.flakyPairs.failFor", "lost1",
                "camel.beans.flakyPairs.always", "true",
                "extracta.idempotency.repository", "flakyPairs"))) {
            app.wireMock.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH)).willReturn(json(200, SUCCESS)));
            app.drop("lost.csv", "classificationId,batchId\nc1,lost1\n");
            assertThat(app.awaitReport("lost.csv").get("outcomes").get("DELETED").asLong()).isEqualTo(1);
            // the repository still refuses it at the stop: the pair is never written
            app.stopApp();

            app.wireMock.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH)).atPriority(1).willReturn(json(404,
                    "{\"status\":\"error\",\"message\":\"Batch not found\"}")));
            app.startApp(Map.of("camel.beans.flakyPairs.always", "false", "camel.beans.flakyPairs.failFor", "none"));
            app.drop("lost-again.csv", "classificationId,batchId\nc1,lost1\n");
            JsonNode again = app.awaitReport("lost-again.csv");
            assertThat(again.get("outcomes").get("ALREADY_ABSENT").asLong())
                    .as("its delete was confirmed once: the 404 is not a rejection").isEqualTo(1);
            assertThat(app.deadLetters("lost-again.csv")).isEmpty();
        }
    }

    @Test
    void aRepositoryWriteThatFailsBeforeTheSendStopsTheRowGivesItsClaimBackAndTheFileFinishesLater() throws Exception {
        try (LogCapture logs = LogCapture.capture();
             TestApp app = TestApp.start("unmarked", Map.of(
                     "camel.beans.flakyPairs", "#class:dev.purge.extracta.testsupport.FaultInjection$FailingOnceRepository",
                     "camel.beans.flakyPairs.file", "{{extracta.idempotency.file}}",
                     "camel.beans.flakyPairs.failFor", "unmarked",
                     "camel.beans.flakyPairs.beforeSend", "true",
                     "extracta.idempotency.repository", "flakyPairs", "extracta.concurrency", "1"))) {
            app.wireMock.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH)).willReturn(json(200, SUCCESS)));
            app.drop("marks.csv", "classificationId,batchId\nc1,unmarked1\nc1,other1\nc1,unmarked1\n");
            // stopped before anything was sent for it; taken up again after its delay; never stalls on its claim
            JsonNode report = app.awaitReport("marks.csv");
            assertThat(report.get("status").asText()).isEqualTo("DONE");
            assertThat(report.get("outcomes").get("DELETED").asLong()).isEqualTo(2);
            assertThat(report.get("outcomes").get("DUPLICATE").asLong()).isEqualTo(1);
            assertThat(TestApp.sentPerBatch(app.wireMock)).containsEntry("unmarked1", 1)
                    .containsEntry("other1", 1);
            assertThat(logs.lines()).anyMatch(l -> l.startsWith("ERROR Cannot write the deleted-pairs repository"));
        }
    }

    static void deleteTree(Path path) throws Exception {
        if (!Files.exists(path)) {
            return;
        }
        try (var files = Files.walk(path)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
