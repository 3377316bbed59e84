package dev.purge.extracta.call;

import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.purge.extracta.call.DeleteBatchPipelineTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.purge.extracta.testsupport.JarProcess;
import dev.purge.extracta.testsupport.TestApp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hardening, SIGTERM to the packaged jar while rows wait: for their next retry, in the outage pause, for the rate
 * limit, for a Retry-After. Every waiting row ends INTERRUPTED: nothing dead-lettered by the stop, the file stays in the
 * inbox with its journal, the next start resumes it at once and sends nothing twice; {@code --once} exits 3 with a
 * summary of what was done and what was stopped.
 */
class StopWhileWaitingIT {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String SUCCESS = "{\"status\":\"success\",\"message\":\"Batch deleted\"}";
    private static final String NOT_FOUND = "{\"status\":\"error\",\"message\":\"Batch not found\"}";
    private WireMockServer api;
    private Path workDir;

    @BeforeEach
    void startApi() throws Exception {
        api = JarProcess.startApi();
        api.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH)).atPriority(10).willReturn(json(200, SUCCESS)));
        workDir = JarProcess.workDir("stop-wait");
    }

    @AfterEach
    void stopApi() {
        api.stop();
    }

    private Map<String, String> env(Map<String, String> settings) {
        Map<String, String> env = new HashMap<>(Map.of(
                "EXTRACTA_API_KEY", JarProcess.API_KEY,
                "EXTRACTA_BASE_URL", "http://127.0.0.1:" + api.port(),
                "EXTRACTA_CONCURRENCY", "2",
                "EXTRACTA_INBOX_STABLE_PERIOD", "200",
                "EXTRACTA_INBOX_POLL_DELAY", "100",
                "EXTRACTA_RATE_LIMIT", "0"));
        env.putAll(settings);
        return env;
    }

    private Path drop(String name, int rows) throws Exception {
        Path inbox = Files.createDirectories(workDir.resolve("data").resolve("inbox"));
        StringBuilder csv = new StringBuilder("classificationId,batchId\n");
        for (int i = 1; i <= rows; i++) {
            csv.append("c1,w").append(i).append('\n');
        }
        Path temp = inbox.resolve("." + name + ".part");
        Files.writeString(temp, csv);
        return Files.move(temp, inbox.resolve(name));
    }

    private int sent(String batch) {
        return api.findAll(deleteRequestedFor(urlEqualTo(TestApp.DELETE_PATH))
                .withRequestBody(matchingJsonPath("$.batchId", equalTo(batch)))).size();
    }

    private int sent() {
        return api.findAll(deleteRequestedFor(urlEqualTo(TestApp.DELETE_PATH))).size();
    }

    private List<JsonNode> deadLetters(String name) throws Exception {
        Path file = workDir.resolve("data/deadletter").resolve(name + ".jsonl");
        if (!Files.exists(file)) {
            return List.of();
        }
        return Files.readAllLines(file).stream().map(l -> {
            try {
                return MAPPER.readTree(l);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).toList();
    }

    /**
     * Starts the jar on a file of {@code rows} rows, waits for {@code waiting}, sends SIGTERM, checks that nothing
     * was made final or dead-lettered by the stop, then lets {@code fix} repair the API and restarts: every row ends
     * once, each batch sent as {@code expectedSends} says.
     */
    private void stopWhileWaiting(String name, int rows, Map<String, String> settings,
                                  java.util.concurrent.Callable<Boolean> waiting, Runnable fix,
                                  Consumer<JsonNode> checkFinalReport) throws Exception {
        drop(name, rows);
        Path log = workDir.resolve("app.log");
        Process first = JarProcess.start(workDir, log, env(settings));
        await().atMost(TestApp.TIMEOUT).until(() -> waiting.call() || !first.isAlive());
        assertThat(first.isAlive()).as("still running; log: %s", log).isTrue();
        int deadLettersBefore = deadLetters(name).size();
        first.destroy(); // SIGTERM
        assertThat(first.waitFor(60, TimeUnit.SECONDS)).as("exits on SIGTERM (its shutdown timeout is 20 s)").isTrue();

        Path inbox = workDir.resolve("data/inbox");
        assertThat(inbox.resolve(name)).as("the file stays in the inbox; log: %s", log).exists();
        assertThat(Files.exists(inbox.resolve(".failed"))).as("never .failed by a stop").isFalse();
        JsonNode stopped = MAPPER.readTree(workDir.resolve("data/reports/" + name + ".report.json").toFile());
        assertThat(stopped.get("status").asText()).isEqualTo("INTERRUPTED");
        assertThat(deadLetters(name)).as("nothing dead-lettered by the stop").hasSize(deadLettersBefore);
        assertThat(Files.list(workDir.resolve("data/state/files")).count()).as("its journal stays").isEqualTo(1);

        fix.run();
        Process second = JarProcess.start(workDir, log, env(Map.of()));
        try {
            await().atMost(TestApp.TIMEOUT).until(() -> !Files.exists(inbox.resolve(name)));
        } finally {
            second.destroy();
            second.waitFor(60, TimeUnit.SECONDS);
        }
        JsonNode report = MAPPER.readTree(workDir.resolve("data/reports/" + name + ".report.json").toFile());
        assertThat(report.get("status").asText()).isEqualTo("DONE");
        long finals = 0;
        for (JsonNode n : report.get("outcomes")) {
            finals += n.asLong();
        }
        assertThat(finals).as("every row ends once").isEqualTo(rows);
        checkFinalReport.accept(report);
    }

    @Test
    void sigtermWhileARowWaitsForItsNextRetry() throws Exception {
        api.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH)).atPriority(1)
                .withRequestBody(matchingJsonPath("$.batchId", equalTo("w1"))).willReturn(json(503, "{}")));
        stopWhileWaiting("retry.csv", 4, Map.of("EXTRACTA_RETRY_INITIAL_DELAY", "30000"),
                () -> sent("w1") == 1 && sent() == 4,
                () -> {
                    api.resetMappings();
                    TestApp.stubCredits(api);
                    api.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH)).willReturn(json(404, NOT_FOUND)));
                },
                report -> {
                    // the 503 may have deleted it: its 404 is ALREADY_ABSENT; the three others are not sent again
                    assertThat(report.get("outcomes").get("ALREADY_ABSENT").asLong()).isEqualTo(1);
                    assertThat(report.get("outcomes").get("DELETED").asLong()).isEqualTo(3);
                    assertThat(sent()).isEqualTo(5);
                });
    }

    @Test
    void sigtermWhileRowsWaitInTheOutagePause() throws Exception {
        // every row of the file is handed out at once; w1 fails fast and opens the pause, the others fail slowly and
        // then wait in the pause for their next attempt
        api.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH)).atPriority(2).willReturn(json(503, "{}")
                .withFixedDelay(400)));
        api.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH)).atPriority(1)
                .withRequestBody(matchingJsonPath("$.batchId", equalTo("w1"))).willReturn(json(503, "{}")));
        api.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get("/credits").atPriority(1)
                .willReturn(json(503, "{}")));
        stopWhileWaiting("pause.csv", 4, Map.of("EXTRACTA_CONCURRENCY", "4", "EXTRACTA_RETRY_MAX_ATTEMPTS", "3",
                        "EXTRACTA_RETRY_INITIAL_DELAY", "20", "EXTRACTA_CIRCUIT_FAILURE_THRESHOLD", "1",
                        "EXTRACTA_CIRCUIT_OPEN_DURATION", "60000"),
                () -> {
                    String log = Files.readString(workDir.resolve("app.log"));
                    return log.contains("API outage:") && log.contains("Retrying pause.csv line 3")
                            && log.contains("Retrying pause.csv line 4") && log.contains("Retrying pause.csv line 5");
                },
                () -> {
                    api.resetMappings();
                    TestApp.stubCredits(api);
                    api.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH)).willReturn(json(404, NOT_FOUND)));
                },
                report -> {
                    assertThat(report.get("outcomes").get("SERVER_ERROR").asLong()).as("w1 only").isEqualTo(1);
                    // their 503 may have deleted them: 404 is ALREADY_ABSENT
                    assertThat(report.get("outcomes").get("ALREADY_ABSENT").asLong()).isEqualTo(3);
                });
    }

    @Test
    void sigtermWhileRowsWaitForTheRateLimit() throws Exception {
        // every row handed out at once: two of them wait for a permit of the one-a-second limit
        stopWhileWaiting("rate.csv", 3, Map.of("EXTRACTA_RATE_LIMIT", "1", "EXTRACTA_CONCURRENCY", "4"),
                () -> sent() >= 1, () -> { },
                report -> {
                    assertThat(report.get("outcomes").get("DELETED").asLong()).isEqualTo(3);
                    for (int i = 1; i <= 3; i++) {
                        assertThat(sent("w" + i)).as("w%d", i).isEqualTo(1);
                    }
                });
    }

    @Test
    void sigtermWhileARetryAfterHoldsAllSending() throws Exception {
        api.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH)).atPriority(1)
                .withRequestBody(matchingJsonPath("$.batchId", equalTo("w1")))
                .willReturn(json(429, "{}").withHeader("Retry-After", "45")));
        stopWhileWaiting("slow.csv", 6, Map.of("EXTRACTA_RETRY_MAX_DELAY", "60000", "EXTRACTA_CONCURRENCY", "1"),
                () -> sent("w1") == 1,
                () -> {
                    api.resetMappings();
                    TestApp.stubCredits(api);
                    api.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH)).willReturn(json(200, SUCCESS)));
                },
                report -> {
                    assertThat(report.get("outcomes").get("DELETED").asLong()).isEqualTo(6);
                    assertThat(sent("w1")).as("the 429 did nothing: sent once more").isEqualTo(2);
                });
    }

    @Test
    void sigtermDuringAOneShotRunWhileARowWaitsExitsThreeWithAnAccurateSummary() throws Exception {
        api.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH)).atPriority(1)
                .withRequestBody(matchingJsonPath("$.batchId", equalTo("w2"))).willReturn(json(503, "{}")));
        Path exports = Files.createDirectories(workDir.resolve("exports"));
        Path file = Files.writeString(exports.resolve("once.csv"),
                "classificationId,batchId\nc1,w1\nc1,w2\nc1,w3\n");
        Path log = workDir.resolve("once.log");
        Process run = JarProcess.start(workDir, log, env(Map.of("EXTRACTA_RETRY_INITIAL_DELAY", "30000")), List.of(),
                List.of("--once", file.toString()));
        await().atMost(TestApp.TIMEOUT).until(() -> (sent("w2") == 1 && sent() == 3) || !run.isAlive());
        run.destroy(); // SIGTERM while w2 waits for its retry
        assertThat(run.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String output = Files.readString(log);
        assertThat(run.exitValue()).as("stopped before the end, resumable; output: %s", output).isEqualTo(3);
        assertThat(output).doesNotContain("NOT_READ").doesNotContain("RejectedExecutionException");
        assertThat(output).containsPattern("once\\.csv\\s+INTERRUPTED\\s+3\\s+2\\s+1\\s+DELETED=2");
        assertThat(output).contains("exit status 3");
        assertThat(deadLetters("once.csv")).isEmpty();
    }

    private long deadLettersNow(String name) {
        try {
            return deadLetters(name).size();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
