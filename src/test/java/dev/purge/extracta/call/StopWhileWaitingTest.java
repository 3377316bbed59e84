package dev.purge.extracta.call;

import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.purge.extracta.call.DeleteBatchPipelineTest.forBatch;
import static dev.purge.extracta.call.DeleteBatchPipelineTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.purge.extracta.testsupport.TestApp;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Hardening, a stop (SIGTERM) while rows wait: for a retry, in an outage pause, for the rate limit, for a Retry-After.
 * Every waiting row ends INTERRUPTED at once: no dead letter, its claim given back, the file stays in the inbox with
 * its journal, and the next start resumes it at once, sending nothing twice.
 */
class StopWhileWaitingTest {

    private static final String SUCCESS = "{\"status\":\"success\",\"message\":\"Batch deleted\"}";
    private static final String NOT_FOUND = "{\"status\":\"error\",\"message\":\"Batch not found\"}";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static TestApp app(String name, Map<String, String> settings) throws Exception {
        Map<String, String> p = new HashMap<>(Map.of("extracta.concurrency", "1"));
        p.putAll(settings);
        TestApp app = TestApp.start(name, p);
        app.wireMock.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH)).atPriority(10).willReturn(json(200, SUCCESS)));
        return app;
    }

    /** Stops the application as SIGTERM does; returns how long the stop took (ms). */
    private static long stop(TestApp app) {
        long start = System.nanoTime();
        app.stopApp();
        return (System.nanoTime() - start) / 1_000_000;
    }

    /** What a stop while a row waits must leave: nothing final for it, nothing dead-lettered for it, file in place. */
    private static void assertStoppedCleanly(TestApp app, String file, long stopMillis) throws Exception {
        assertThat(stopMillis).as("the stop does not wait for the waiting row (ms)").isLessThan(10_000);
        assertThat(app.inbox().resolve(file)).as("the file stays in the inbox").exists();
        assertThat(app.movedTo(".failed", file)).isEmpty();
        JsonNode report = MAPPER.readTree(app.dataDir.resolve("reports").resolve(file + ".report.json").toFile());
        assertThat(report.get("status").asText()).isEqualTo("INTERRUPTED");
        assertThat(report.get("error").asText()).contains("stopped by a shutdown");
        try (Stream<Path> journals = Files.list(app.dataDir.resolve("state").resolve("files"))) {
            assertThat(journals.count()).as("its journal stays").isEqualTo(1);
        }
    }

    private static int sent(TestApp app, String batch) {
        return app.wireMock.findAll(deleteRequestedFor(urlEqualTo(TestApp.DELETE_PATH))
                .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath("$.batchId",
                        com.github.tomakehurst.wiremock.client.WireMock.equalTo(batch)))).size();
    }

    @Test
    void aRowWaitingForItsRetryIsInterruptedAndResumedAtOnceAfterTheRestart() throws Exception {
        try (TestApp app = app("stop-backoff", Map.of("extracta.retry.initial-delay", "20000",
                "extracta.retry.max-delay", "60000"))) {
            var down = app.wireMock.stubFor(forBatch("w1").willReturn(json(503, "{\"status\":\"error\"}")));
            app.drop("wait.csv", "classificationId,batchId\nc1,w1\nc1,w2\n");
            await().atMost(TestApp.TIMEOUT).until(() -> sent(app, "w1") == 1 && sent(app, "w2") == 1);
            long stopMillis = stop(app);
            assertStoppedCleanly(app, "wait.csv", stopMillis);
            assertThat(app.deadLetters("wait.csv")).as("not dead-lettered by the stop").isEmpty();

            // the 503 may have deleted it: after the restart its 404 is ALREADY_ABSENT, and it goes at once
            app.wireMock.removeStub(down);
            app.wireMock.stubFor(forBatch("w1").willReturn(json(404, NOT_FOUND)));
            long restarted = System.currentTimeMillis();
            app.startApp(Map.of());
            JsonNode report = app.awaitReport("wait.csv");
            assertThat(System.currentTimeMillis() - restarted).as("resumed at once, no claim left to wait for (ms)").isLessThan(60_000);
            assertThat(report.get("status").asText()).isEqualTo("DONE");
            assertThat(report.get("outcomes").get("ALREADY_ABSENT").asLong()).isEqualTo(1);
            assertThat(report.get("outcomes").get("DELETED").asLong()).isEqualTo(1);
            assertThat(sent(app, "w2")).as("the row final before the stop is not sent again").isEqualTo(1);
            assertThat(app.deadLetters("wait.csv")).isEmpty();
        }
    }

    @Test
    void aRequestStillUnansweredAtTheShutdownTimeoutLeavesAnInterruptedReportAndIsResentAtTheNextStart()
            throws Exception {
        try (TestApp app = app("stop-on-the-wire", Map.of("camel.main.shutdown-timeout", "2",
                "extracta.http.response-timeout", "120000"))) {
            // the API takes longer to answer than the shutdown waits
            var slow = app.wireMock.stubFor(forBatch("wire2").willReturn(json(200, SUCCESS).withFixedDelay(90_000)));
            app.drop("wire.csv", "classificationId,batchId\nc1,wire1\nc1,wire2\nc1,wire3\n");
            await().atMost(TestApp.TIMEOUT).until(() -> sent(app, "wire2") == 1);
            long stopMillis = stop(app);

            assertThat(stopMillis).as("the stop is cut at its timeout (ms)").isLessThan(60_000);
            assertThat(app.inbox().resolve("wire.csv")).as("the file stays in the inbox").exists();
            JsonNode report = MAPPER.readTree(app.dataDir.resolve("reports/wire.csv.report.json").toFile());
            assertThat(report.get("status").asText()).isEqualTo("INTERRUPTED");
            assertThat(report.get("error").asText()).contains("stopped by a shutdown")
                    .contains("requests still unanswered");
            try (Stream<Path> journals = Files.list(app.dataDir.resolve("state").resolve("files"))) {
                assertThat(journals.count()).as("its journal stays").isEqualTo(1);
            }

            // the cut request may have landed: its 404 after the restart is ALREADY_ABSENT
            app.wireMock.removeStub(slow);
            app.wireMock.stubFor(forBatch("wire2").willReturn(json(404, NOT_FOUND)));
            app.startApp(Map.of());
            JsonNode again = app.awaitReport("wire.csv");
            assertThat(again.get("status").asText()).isEqualTo("DONE");
            assertThat(again.get("outcomes").get("ALREADY_ABSENT").asLong()).isEqualTo(1);
            assertThat(sent(app, "wire1")).as("final before the stop, not sent again").isEqualTo(1);
            assertThat(sent(app, "wire2")).isEqualTo(2);
            assertThat(sent(app, "wire3")).isEqualTo(1);
            assertThat(app.deadLetters("wire.csv")).isEmpty();
        }
    }

    @Test
    void rowsWaitingInTheOutagePauseAreInterruptedNotDeadLettered() throws Exception {
        try (TestApp app = app("stop-outage", Map.of("extracta.retry.max-attempts", "1",
                "extracta.circuit.failure-threshold", "1", "extracta.circuit.open-duration", "60000"))) {
            // the API is down: the first row to fail opens the pause (a row already on its way may fail too)
            app.wireMock.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH)).atPriority(1)
                    .willReturn(json(503, "{\"status\":\"error\"}")));
            app.wireMock.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get("/credits").atPriority(1)
                    .willReturn(json(503, "{\"status\":\"error\"}")));
            StringBuilder csv = new StringBuilder("classificationId,batchId\n");
            for (int i = 1; i <= 10; i++) {
                csv.append("c1,p").append(i).append('\n');
            }
            app.drop("pause.csv", csv.toString());
            OutageBreaker breaker = app.camelContext().getRegistry().lookupByNameAndType("outageBreaker",
                    OutageBreaker.class);
            await().atMost(TestApp.TIMEOUT).until(breaker::isPaused);
            int failedBeforeThePause = app.wireMock.findAll(deleteRequestedFor(urlEqualTo(TestApp.DELETE_PATH)))
                    .size();
            assertThat(failedBeforeThePause).isBetween(1, 3);
            long stopMillis = stop(app);
            assertStoppedCleanly(app, "pause.csv", stopMillis);
            assertThat(app.deadLetters("pause.csv")).as("only rows that failed before the pause")
                    .hasSize(failedBeforeThePause);

            app.wireMock.resetMappings();
            TestApp.stubCredits(app.wireMock);
            app.wireMock.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH)).willReturn(json(200, SUCCESS)));
            app.startApp(Map.of());
            JsonNode report = app.awaitReport("pause.csv");
            assertThat(report.get("outcomes").get("DELETED").asLong()).isEqualTo(10 - failedBeforeThePause);
            assertThat(report.get("outcomes").get("SERVER_ERROR").asLong()).isEqualTo(failedBeforeThePause);
            for (int i = 1; i <= 10; i++) {
                assertThat(sent(app, "p" + i)).as("p%d", i).isEqualTo(1);
            }
            assertThat(app.deadLetters("pause.csv")).hasSize(failedBeforeThePause);
        }
    }

    @Test
    void rowsWaitingForTheRateLimitAreInterruptedAndEachSentOnceAfterTheRestart() throws Exception {
        try (TestApp app = app("stop-rate", Map.of("extracta.rate-limit", "1", "extracta.concurrency", "4"))) {
            StringBuilder csv = new StringBuilder("classificationId,batchId\n");
            for (int i = 1; i <= 8; i++) {
                csv.append("c1,r").append(i).append('\n');
            }
            app.drop("rate.csv", csv.toString());
            await().atMost(TestApp.TIMEOUT).until(() -> app.wireMock.findAll(
                    deleteRequestedFor(urlEqualTo(TestApp.DELETE_PATH))).size() >= 2);
            long stopMillis = stop(app);
            assertStoppedCleanly(app, "rate.csv", stopMillis);
            assertThat(app.deadLetters("rate.csv")).isEmpty();

            app.startApp(Map.of("extracta.rate-limit", "0"));
            JsonNode report = app.awaitReport("rate.csv");
            assertThat(report.get("outcomes").get("DELETED").asLong()).isEqualTo(8);
            for (int i = 1; i <= 8; i++) {
                assertThat(sent(app, "r" + i)).as("r%d", i).isEqualTo(1);
            }
        }
    }

    @Test
    void rowsHeldByARetryAfterAreInterruptedAndTheOneThatGotThe429IsSentAgain() throws Exception {
        try (TestApp app = app("stop-retry-after", Map.of("extracta.retry.max-delay", "60000",
                "extracta.concurrency", "2"))) {
            var slowDown = app.wireMock.stubFor(forBatch("a1").willReturn(json(429, "{\"status\":\"error\"}")
                    .withHeader("Retry-After", "40")));
            app.drop("slow.csv", "classificationId,batchId\nc1,a1\nc1,a2\nc1,a3\nc1,a4\n");
            await().atMost(TestApp.TIMEOUT).until(() -> sent(app, "a1") == 1);
            long stopMillis = stop(app);
            assertStoppedCleanly(app, "slow.csv", stopMillis);
            assertThat(app.deadLetters("slow.csv")).isEmpty();

            app.wireMock.removeStub(slowDown);
            app.startApp(Map.of());
            JsonNode report = app.awaitReport("slow.csv");
            assertThat(report.get("outcomes").get("DELETED").asLong()).isEqualTo(4);
            assertThat(sent(app, "a1")).as("a 429 did nothing: sent again once").isEqualTo(2);
            for (String batch : new String[] {"a2", "a3", "a4"}) {
                assertThat(sent(app, batch)).as(batch).isEqualTo(1);
            }
        }
    }

    @Test
    void withTheSharedRepositoryEveryClaimIsGivenBackAtTheStop() throws Exception {
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
             TestApp app = app("stop-claims", Map.of("extracta.retry.initial-delay", "20000",
                     "extracta.retry.max-delay", "60000",
                     "extracta.idempotency.repository", "deletedPairsJdbc",
                     "extracta.jdbc.url", postgres.getJdbcUrl("postgres", "postgres"),
                     "extracta.jdbc.username", "postgres"))) {
            app.wireMock.stubFor(forBatch("j1").willReturn(json(503, "{\"status\":\"error\"}")));
            app.drop("claims.csv", "classificationId,batchId\nc1,j1\n");
            await().atMost(TestApp.TIMEOUT).until(() -> sent(app, "j1") == 1);
            assertThat(claims(postgres)).as("held while the row waits for its retry").isEqualTo(1);
            long stopMillis = stop(app);
            assertStoppedCleanly(app, "claims.csv", stopMillis);
            assertThat(claims(postgres)).as("given back: another instance need not wait for the lease").isZero();
            assertThat(maybeMarks(postgres)).as("the 503 may have deleted it: remembered").isEqualTo(1);
        }
    }

    private static long claims(EmbeddedPostgres postgres) throws Exception {
        return count(postgres, "select count(*) from extracta_claims");
    }

    private static long maybeMarks(EmbeddedPostgres postgres) throws Exception {
        return count(postgres, "select count(*) from CAMEL_MESSAGEPROCESSED where messageId like 'maybe:%'");
    }

    private static long count(EmbeddedPostgres postgres, String sql) throws Exception {
        try (var db = postgres.getPostgresDatabase().getConnection(); var s = db.createStatement();
             ResultSet rows = s.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
