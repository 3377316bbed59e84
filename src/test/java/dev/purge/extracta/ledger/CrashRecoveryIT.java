package dev.purge.extracta.ledger;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.purge.extracta.testsupport.EmbeddedBroker;
import dev.purge.extracta.testsupport.JarProcess;
import dev.purge.extracta.testsupport.StatefulDeleteApi;
import dev.purge.extracta.testsupport.TestApp;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The packaged jar killed with SIGKILL, or stopped with SIGTERM, in the middle of a file, then started again, against
 * an API that deletes a batch once and answers 404 afterwards. Prints the figures RELIABILITY.md quotes.
 */
class CrashRecoveryIT {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int CONCURRENCY = 4;
    private WireMockServer api;
    private Path workDir;

    @BeforeEach
    void startApi() throws Exception {
        api = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort()
                .extensions(new StatefulDeleteApi()));
        api.start();
        workDir = Files.createDirectories(Path.of("target", "it-work", "crash-" + System.nanoTime()).toAbsolutePath());
    }

    @AfterEach
    void stopApi() {
        api.stop();
    }

    @Test
    void killedMidFileAndRestartedEveryRowEndsOnceNothingLost() throws Exception {
        stubApi(80);
        int rows = 200;
        int bad = 5;
        Path inbox = dropFile("big.csv", rows, bad);
        Path log = workDir.resolve("app.log");

        Process first = start(log);
        await().atMost(TestApp.TIMEOUT).until(() -> received() >= 60 || !first.isAlive());
        first.destroyForcibly(); // SIGKILL
        assertThat(first.waitFor(60, TimeUnit.SECONDS)).isTrue();
        int beforeKill = received();
        assertThat(beforeKill).as("killed mid-file").isBetween(60, rows - 20);
        assertThat(inbox.resolve("big.csv")).as("a killed run leaves its file in the inbox").exists();

        Process second = start(log);
        JsonNode report;
        try {
            report = awaitReport("big.csv");
        } finally {
            second.destroy();
            second.waitFor(60, TimeUnit.SECONDS);
        }

        Map<String, Long> perBatch = requestsPerBatch();
        long resent = perBatch.values().stream().filter(n -> n > 1).count();
        JsonNode outcomes = report.get("outcomes");
        long finals = outcomes.get("DELETED").asLong() + outcomes.get("ALREADY_ABSENT").asLong()
                + outcomes.get("SKIPPED_ALREADY_DELETED").asLong() + outcomes.get("REJECTED").asLong();
        System.out.printf("RELIABILITY kill-9: rows=%d kills=1 requestsBeforeKill=%d requests=%d resent=%d "
                        + "lost=%d outcomes=%s%n", rows, beforeKill, received(), resent, rows - finals, outcomes);

        assertThat(report.get("status").asText()).isEqualTo("DONE");
        assertThat(report.get("rowsRead").asLong()).isEqualTo(rows);
        assertThat(finals).as("every row has exactly one final outcome").isEqualTo(rows);
        assertThat(outcomes.get("REJECTED").asLong()).isEqualTo(bad);
        assertThat(perBatch).as("every batch was sent").hasSize(rows);
        assertThat(resent).as("only rows in flight at the kill are sent again").isLessThanOrEqualTo(CONCURRENCY);
        List<JsonNode> deadLetters = readJsonLines(workDir.resolve("data/deadletter/big.csv.jsonl"));
        assertThat(deadLetters).as("each refused row dead-lettered once, across both runs").hasSize(bad);
        assertThat(deadLetters).extracting(r -> r.get("line").asLong()).doesNotHaveDuplicates();
        assertThat(inbox.resolve("big.csv")).doesNotExist();
        assertThat(Files.list(inbox.resolve(".done")).count()).isEqualTo(1);
        assertThat(Files.list(workDir.resolve("data/state/files")).count()).as("journal removed").isZero();
    }

    @Test
    void sigtermMidFileFinishesInFlightRequestsAndResumesWithoutResending() throws Exception {
        stubApi(300);
        int rows = 60;
        Path inbox = dropFile("graceful.csv", rows, 0);
        Path log = workDir.resolve("app.log");

        Process first = start(log);
        await().atMost(TestApp.TIMEOUT).until(() -> received() >= 12 || !first.isAlive());
        long stopAsked = System.nanoTime();
        long stopAskedAt = System.currentTimeMillis();
        first.destroy(); // SIGTERM
        assertThat(first.waitFor(60, TimeUnit.SECONDS)).as("exits on SIGTERM (its shutdown timeout is 20 s)").isTrue();
        long stopMillis = (System.nanoTime() - stopAsked) / 1_000_000;
        int beforeStop = received();
        long startedAfterStop = api.findAll(deleteRequestedFor(urlEqualTo(TestApp.DELETE_PATH))).stream()
                .filter(r -> r.getLoggedDate().getTime() > stopAskedAt + 100).count();
        assertThat(startedAfterStop).as("requests that arrived after SIGTERM").isZero();
        assertThat(inbox.resolve("graceful.csv")).as("the file stays in the inbox").exists();
        JsonNode interrupted = MAPPER.readTree(workDir.resolve("data/reports/graceful.csv.report.json").toFile());
        assertThat(interrupted.get("status").asText()).isEqualTo("INTERRUPTED");
        assertThat(interrupted.get("outcomes").get("DELETED").asLong())
                .as("every request that started was answered and recorded").isEqualTo(beforeStop);
        assertThat(beforeStop).isLessThan(rows);

        Process second = start(log);
        JsonNode report;
        try {
            report = awaitReport("graceful.csv");
        } finally {
            second.destroy();
            second.waitFor(60, TimeUnit.SECONDS);
        }
        Map<String, Long> perBatch = requestsPerBatch();
        System.out.printf("RELIABILITY sigterm: rows=%d stops=1 stopMillis=%d requestsBeforeStop=%d requests=%d "
                + "resent=%d lost=%d%n", rows, stopMillis, beforeStop, received(),
                perBatch.values().stream().filter(n -> n > 1).count(),
                rows - report.get("outcomes").get("DELETED").asLong());
        assertThat(report.get("status").asText()).isEqualTo("DONE");
        assertThat(report.get("outcomes").get("DELETED").asLong()).isEqualTo(rows);
        assertThat(report.get("rowsFromEarlierRuns").asLong()).isEqualTo(beforeStop);
        assertThat(perBatch).hasSize(rows).allSatisfy((batch, n) -> assertThat(n).as(batch).isEqualTo(1L));
    }

    @Test
    void killedMidMessageTheBrokerRedeliversItAndNothingIsSentTwiceButTheRequestsInFlight() throws Exception {
        stubApi(80);
        int requests = 100;
        // the requests of a message run in parallel: at most this many are in flight at the kill
        int concurrency = 4;
        StringBuilder array = new StringBuilder("[");
        for (int i = 0; i < requests; i++) {
            array.append(i == 0 ? "" : ",").append("{\"classificationId\":\"cls-q\",\"batchId\":\"m").append(i)
                    .append("\"}");
        }
        array.append(']');
        try (EmbeddedBroker broker = EmbeddedBroker.start();
             jakarta.jms.Connection connection = new org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory(
                     broker.url).createConnection()) {
            connection.start();
            jakarta.jms.Session session = connection.createSession(false, jakarta.jms.Session.AUTO_ACKNOWLEDGE);
            jakarta.jms.TemporaryQueue replies = session.createTemporaryQueue();
            jakarta.jms.TextMessage message = session.createTextMessage(array.toString());
            message.setJMSReplyTo(replies);
            session.createProducer(session.createQueue("extracta.delete-batch")).send(message);

            Path log = workDir.resolve("app.log");
            Map<String, String> env = new java.util.HashMap<>(Map.of(
                    "EXTRACTA_API_KEY", JarProcess.API_KEY,
                    "EXTRACTA_BASE_URL", "http://127.0.0.1:" + api.port(),
                    "EXTRACTA_RATE_LIMIT", "0",
                    "EXTRACTA_QUEUE_ENABLED", "true",
                    "EXTRACTA_QUEUE_BROKER_URL", broker.url,
                    "EXTRACTA_CONCURRENCY", String.valueOf(concurrency)));
            Process first = JarProcess.start(workDir, log, env);
            await().atMost(TestApp.TIMEOUT).until(() -> received() >= 30 || !first.isAlive());
            first.destroyForcibly(); // SIGKILL mid-message: it was never acknowledged
            assertThat(first.waitFor(60, TimeUnit.SECONDS)).isTrue();
            int beforeKill = received();
            assertThat(beforeKill).isLessThan(requests);

            Process second = JarProcess.start(workDir, log, env);
            jakarta.jms.Message reply;
            try {
                reply = session.createConsumer(replies).receive(TestApp.TIMEOUT.toMillis());
            } finally {
                second.destroy();
                second.waitFor(60, TimeUnit.SECONDS);
            }
            assertThat(reply).as("the redelivered message was answered; log: %s", log).isNotNull();
            List<JsonNode> outcomes = MAPPER.readValue(((jakarta.jms.TextMessage) reply).getText(),
                    MAPPER.getTypeFactory().constructCollectionType(List.class, JsonNode.class));
            Map<String, Long> perBatch = requestsPerBatch();
            long resent = perBatch.values().stream().filter(n -> n > 1).count();
            System.out.printf("RELIABILITY queue-kill-9: requests=%d kills=1 sentBeforeKill=%d sent=%d resent=%d%n",
                    requests, beforeKill, received(), resent);

            assertThat(outcomes).hasSize(requests);
            assertThat(outcomes).extracting(o -> o.get("outcome").asText())
                    .allMatch(o -> o.equals("DELETED") || o.equals("SKIPPED_ALREADY_DELETED")
                            || o.equals("ALREADY_ABSENT"));
            assertThat(outcomes.stream().filter(o -> o.get("outcome").asText().equals("SKIPPED_ALREADY_DELETED")))
                    .as("requests deleted before the kill are not sent again")
                    .hasSizeGreaterThanOrEqualTo(beforeKill - concurrency);
            assertThat(perBatch).hasSize(requests);
            assertThat(resent).as("only the requests in flight at the kill are sent again")
                    .isLessThanOrEqualTo(concurrency);
        }
    }

    @Test
    void sigtermDuringAOneShotRunExitsNonZeroAndTheNextRunFinishesTheFile() throws Exception {
        stubApi(300);
        int rows = 40;
        Path exports = Files.createDirectories(workDir.resolve("exports"));
        StringBuilder csv = new StringBuilder("classificationId,batchId\n");
        for (int i = 0; i < rows; i++) {
            csv.append("cls-1,once").append(i).append('\n');
        }
        Path file = Files.writeString(exports.resolve("export.csv"), csv);
        Path log = workDir.resolve("app.log");

        Process first = JarProcess.start(workDir, log, env(), List.of(), List.of("--once", file.toString()));
        await().atMost(TestApp.TIMEOUT).until(() -> received() >= 8 || !first.isAlive());
        first.destroy(); // SIGTERM
        assertThat(first.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(first.exitValue()).as("a run stopped by a signal does not exit 0").isNotZero();
        int beforeStop = received();
        assertThat(beforeStop).isLessThan(rows);
        assertThat(file).as("named on the command line: stays where it is").exists();
        assertThat(MAPPER.readTree(workDir.resolve("data/reports/export.csv.report.json").toFile())
                .get("status").asText()).isEqualTo("INTERRUPTED");

        Process second = JarProcess.start(workDir, log, env(), List.of(), List.of("--once", file.toString()));
        assertThat(second.waitFor(TestApp.TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(second.exitValue()).as("the second run finishes the file").isZero();
        JsonNode report = MAPPER.readTree(workDir.resolve("data/reports/export.csv.report.json").toFile());
        assertThat(report.get("status").asText()).isEqualTo("DONE");
        assertThat(report.get("outcomes").get("DELETED").asLong()).isEqualTo(rows);
        assertThat(requestsPerBatch()).hasSize(rows).allSatisfy((batch, n) -> assertThat(n).as(batch).isEqualTo(1));
        assertThat(Files.readString(log)).contains("exit status 0");
        assertThat(file).exists();
    }

    private void stubApi(int latencyMillis) {
        TestApp.stubCredits(api);
        api.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH))
                .willReturn(aResponse().withFixedDelay(latencyMillis).withTransformers(StatefulDeleteApi.NAME)));
    }

    private Path dropFile(String name, int rows, int bad) throws Exception {
        Path inbox = Files.createDirectories(workDir.resolve("data").resolve("inbox"));
        StringBuilder csv = new StringBuilder("classificationId,batchId\n");
        for (int i = 0; i < rows; i++) {
            csv.append("cls-1,").append(i % (rows / Math.max(bad, 1)) == 7 && bad > 0 ? "bad" : "b").append(i)
                    .append('\n');
        }
        Path temp = inbox.resolve("." + name + ".part");
        Files.writeString(temp, csv, StandardCharsets.UTF_8);
        Files.move(temp, inbox.resolve(name));
        return inbox;
    }

    private Process start(Path log) throws Exception {
        return JarProcess.start(workDir, log, env());
    }

    private Map<String, String> env() {
        return Map.of(
                "EXTRACTA_API_KEY", JarProcess.API_KEY,
                "EXTRACTA_BASE_URL", "http://127.0.0.1:" + api.port(),
                "EXTRACTA_CONCURRENCY", String.valueOf(CONCURRENCY),
                "EXTRACTA_INBOX_STABLE_PERIOD", "300",
                "EXTRACTA_INBOX_POLL_DELAY", "100",
                "EXTRACTA_RETRY_INITIAL_DELAY", "50",
                "EXTRACTA_RATE_LIMIT", "0");
    }

    private JsonNode awaitReport(String name) throws Exception {
        Path report = workDir.resolve("data/reports/" + name + ".report.json");
        await().atMost(TestApp.TIMEOUT).until(() -> Files.exists(report)
                && MAPPER.readTree(report.toFile()).get("status").asText().equals("DONE"));
        return MAPPER.readTree(report.toFile());
    }

    private int received() {
        return api.findAll(deleteRequestedFor(urlEqualTo(TestApp.DELETE_PATH))).size();
    }

    private Map<String, Long> requestsPerBatch() throws Exception {
        Map<String, Long> counts = new HashMap<>();
        for (LoggedRequest request : api.findAll(deleteRequestedFor(urlEqualTo(TestApp.DELETE_PATH)))) {
            counts.merge(MAPPER.readTree(request.getBodyAsString()).get("batchId").asText(), 1L, Long::sum);
        }
        return counts;
    }

    private static List<JsonNode> readJsonLines(Path file) throws Exception {
        if (!Files.exists(file)) {
            return List.of();
        }
        try (Stream<String> lines = Files.lines(file)) {
            return lines.map(l -> {
                try {
                    return MAPPER.readTree(l);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }).collect(Collectors.toList());
        }
    }
}
