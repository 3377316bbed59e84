package dev.purge.extracta.health;

import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static dev.purge.extracta.call.DeleteBatchPipelineTest.forBatch;
import static dev.purge.extracta.call.DeleteBatchPipelineTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.purge.extracta.call.DeleteBatchPipelineTest;
import dev.purge.extracta.ops.SendingReadinessCheck;
import dev.purge.extracta.testsupport.TestApp;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The management port of the real application, scraped over HTTP as a platform and Prometheus do: health, readiness
 * through an outage pause and a refused key, and the extracta_* metrics moving with real requests against WireMock.
 * The tests build on each other's counters, hence the order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HealthAndMetricsTest {

    private static final String SUCCESS = "{\"status\":\"success\",\"message\":\"Batch deleted\"}";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static TestApp app;
    private static String management;

    @BeforeAll
    static void start() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        management = "http://127.0.0.1:" + port;
        app = TestApp.start("health-metrics", Map.of(
                "extracta.management.enabled", "true",
                "extracta.management.port", String.valueOf(port),
                // one failing row pauses sending, for a short while
                "extracta.circuit.failure-threshold", "1",
                "extracta.circuit.open-duration", "1000"));
        app.wireMock.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH)).atPriority(10).willReturn(json(200, SUCCESS)));
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    @Order(1)
    void countersMoveWithDeletedRejectedAndRetriedRows() throws Exception {
        assertThat(scrape()).contains("extracta_requests_total{outcome=\"DELETED\"} 0.0");
        app.wireMock.stubFor(forBatch("m2").willReturn(json(400, "{\"status\":\"error\",\"message\":\"Bad batch\"}")));
        app.wireMock.stubFor(forBatch("m3").inScenario("flaky").whenScenarioStateIs(STARTED)
                .willReturn(json(500, "{\"status\":\"error\",\"message\":\"Internal\"}")).willSetStateTo("fine"));
        app.wireMock.stubFor(forBatch("m3").inScenario("flaky").whenScenarioStateIs("fine")
                .willReturn(json(200, SUCCESS)));
        app.drop("metrics.csv", "classificationId,batchId\nc1,m1\nc1,m2\nc1,m3\n");
        app.awaitReport("metrics.csv");

        HttpResponse<String> health = get("/observe/health");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(MAPPER.readTree(health.body()).get("status").asText()).isEqualTo("UP");
        HttpResponse<String> ready = get("/observe/health/ready");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(MAPPER.readTree(ready.body()).get("status").asText()).isEqualTo("UP");

        String metrics = scrape();
        assertThat(sample(metrics, "extracta_requests_total", "outcome=\"DELETED\"")).isEqualTo(2);
        assertThat(sample(metrics, "extracta_requests_total", "outcome=\"REJECTED\"")).isEqualTo(1);
        assertThat(sample(metrics, "extracta_retries_total", "outcome=\"SERVER_ERROR\"")).isEqualTo(1);
        assertThat(sample(metrics, "extracta_dead_letters_total", "")).isEqualTo(1);
        // four attempts: m1, m2, and m3 twice; each answered, none on the wire any more
        assertThat(sample(metrics, "extracta_delete_attempt_seconds_count", "")).isEqualTo(4);
        assertThat(sample(metrics, "extracta_delete_attempt_seconds_count", "answer=\"5xx\"")).isEqualTo(1);
        assertThat(sample(metrics, "extracta_delete_attempt_seconds_bucket", "le=\"+Inf\"")).isEqualTo(4);
        assertThat(sample(metrics, "extracta_requests_in_flight", "")).isZero();
        assertThat(sample(metrics, "extracta_inbox_files_waiting", "")).isZero();
        assertThat(sample(metrics, "extracta_inbox_rows_waiting", "")).isZero();
        assertThat(metrics).doesNotContain(TestApp.API_KEY).doesNotContain("m1").doesNotContain("c1");
    }

    @Test
    @Order(2)
    void gaugesShowAFileInProgress() throws Exception {
        app.wireMock.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH)).atPriority(5)
                .willReturn(json(200, SUCCESS).withFixedDelay(400)));
        StringBuilder csv = new StringBuilder("classificationId,batchId\n");
        for (int i = 0; i < 20; i++) {
            csv.append("c1,slow").append(i).append('\n');
        }
        app.drop("slow.csv", csv.toString());
        // extracta.concurrency (4) attempts on the wire, and rows of the file still to go
        await().atMost(TestApp.TIMEOUT).untilAsserted(() -> {
            String metrics = scrape();
            assertThat(sample(metrics, "extracta_requests_in_flight", "")).isEqualTo(4);
            assertThat(sample(metrics, "extracta_inbox_rows_waiting", "")).isGreaterThan(4);
        });
        app.awaitReport("slow.csv");
        String metrics = scrape();
        assertThat(sample(metrics, "extracta_requests_in_flight", "")).isZero();
        assertThat(sample(metrics, "extracta_inbox_rows_waiting", "")).isZero();
        app.wireMock.removeStub(app.wireMock.getStubMappings().stream()
                .filter(s -> s.getPriority() != null && s.getPriority() == 5).findFirst().orElseThrow());
    }

    @Test
    @Order(3)
    void readinessIsDownDuringAnOutagePauseUntilTheProbeFindsTheApiBack() throws Exception {
        // the API is down (GET /credits too): the row fails on every attempt; with a threshold of 1 it opens the pause
        app.wireMock.stubFor(forBatch("o1").willReturn(json(503, "{\"status\":\"error\",\"message\":\"Down\"}")));
        var creditsDown = app.wireMock.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get("/credits")
                .atPriority(1).willReturn(json(503, "{\"status\":\"error\",\"message\":\"Down\"}")));
        app.drop("outage.csv", "classificationId,batchId\nc1,o1\n");
        app.awaitReport("outage.csv");
        await().atMost(TestApp.TIMEOUT).untilAsserted(() -> assertDown("outage-pause",
                SendingReadinessCheck.OUTAGE_PAUSE));
        assertThat(get("/observe/health/live").statusCode()).isEqualTo(200);
        // the probe keeps finding the API down: readiness stays DOWN, with no row needed to find out
        await().atMost(TestApp.TIMEOUT).until(() -> app.wireMock.findAll(
                com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor(urlEqualTo("/credits"))).size() >= 3);
        assertDown("outage-pause", SendingReadinessCheck.OUTAGE_PAUSE);

        // the API is back: the probe finds it, readiness is UP again before any row is sent
        app.wireMock.removeStub(creditsDown);
        await().atMost(TestApp.TIMEOUT).untilAsserted(() ->
                assertThat(get("/observe/health/ready").statusCode()).isEqualTo(200));
        app.drop("after-outage.csv", "classificationId,batchId\nc1,o2\n");
        JsonNode report = app.awaitReport("after-outage.csv");
        assertThat(report.get("outcomes").get("DELETED").asLong()).isEqualTo(1);
        HttpResponse<String> ready = get("/observe/health/ready");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(MAPPER.readTree(ready.body()).get("status").asText()).isEqualTo("UP");
    }

    @Test
    @Order(5)
    void readinessIsDownOnceTheKeyIsRefusedAndLivenessStaysUp() throws Exception {
        app.wireMock.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH)).atPriority(1)
                .willReturn(json(401, "{\"status\":\"error\",\"message\":\"Invalid API key\"}")));
        app.drop("refused.csv", "classificationId,batchId\nc1,r1\n");
        await().atMost(TestApp.TIMEOUT).untilAsserted(() -> assertDown("halted", SendingReadinessCheck.HALTED));

        HttpResponse<String> live = get("/observe/health/live");
        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(MAPPER.readTree(live.body()).get("status").asText()).isEqualTo("UP");
        // the stopped file stays in the inbox, and a new one is not taken while halted: both wait
        app.drop("after-halt.csv", "classificationId,batchId\nc1,r2\n");
        await().atMost(TestApp.TIMEOUT).untilAsserted(() -> assertThat(
                sample(scrape(), "extracta_inbox_files_waiting", "")).isEqualTo(2));
        assertThat(Files.exists(app.inbox().resolve("refused.csv"))).isTrue();
        assertThat(get("/observe/health?exposureLevel=full&data=true").body()).doesNotContain(TestApp.API_KEY)
                .doesNotContain("Invalid API key");
    }

    @Test
    @Order(4)
    void readinessIsDownWhileAFolderItWritesToIsNoWritableFolderAndUpOnceItIs() throws Exception {
        Path deadLetters = app.dataDir.resolve("deadletter");
        Path aside = app.dataDir.resolve("deadletter.aside");
        if (Files.exists(deadLetters)) {
            Files.move(deadLetters, aside);
        }
        Files.writeString(deadLetters, "a file where the dead-letter folder should be");
        try {
            HttpResponse<String> ready = get("/observe/health/ready?data=true");
            assertThat(ready.statusCode()).isEqualTo(503);
            JsonNode writes = null;
            for (JsonNode c : MAPPER.readTree(ready.body()).get("checks")) {
                if (StateWrites.ID.equals(c.get("name").asText())) {
                    writes = c;
                }
            }
            assertThat(writes).as("readiness checks: %s", ready.body()).isNotNull();
            assertThat(writes.get("status").asText()).isEqualTo("DOWN");
            // Camel's health endpoint writes a slash of a message as \/
            assertThat(writes.get("message").asText().replace("\\/", "/")).isEqualTo("the dead-letter folder "
                    + deadLetters + " is not a folder");
        } finally {
            Files.delete(deadLetters);
            if (Files.exists(aside)) {
                Files.move(aside, deadLetters);
            }
        }
        HttpResponse<String> again = get("/observe/health/ready");
        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
    }

    private static void assertDown(String sending, String message) throws Exception {
        HttpResponse<String> ready = get("/observe/health/ready?data=true");
        assertThat(ready.statusCode()).isEqualTo(503);
        JsonNode body = MAPPER.readTree(ready.body());
        assertThat(body.get("status").asText()).isEqualTo("DOWN");
        JsonNode check = null;
        for (JsonNode c : body.get("checks")) {
            if (SendingReadinessCheck.ID.equals(c.get("name").asText())) {
                check = c;
            }
        }
        assertThat(check).as("readiness checks: %s", body).isNotNull();
        assertThat(check.get("status").asText()).isEqualTo("DOWN");
        assertThat(check.get("message").asText()).isEqualTo(message);
        assertThat(check.get("data").get("sending").asText()).isEqualTo(sending);
    }

    private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(management + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String scrape() throws IOException, InterruptedException {
        HttpResponse<String> response = get("/observe/metrics");
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    /** Sum of the samples of a metric whose labels contain the given text (Prometheus text format). */
    static double sample(String scrape, String name, String labels) {
        double sum = 0;
        boolean found = false;
        for (String line : scrape.split("\n")) {
            if (line.startsWith("#") || !(line.startsWith(name + "{") || line.startsWith(name + " "))) {
                continue;
            }
            int end = line.lastIndexOf(' ');
            if (line.substring(0, end).contains(labels)) {
                sum += Double.parseDouble(line.substring(end + 1));
                found = true;
            }
        }
        assertThat(found).as("a sample of %s{%s} in%n%s", name, labels, scrape).isTrue();
        return sum;
    }
}
