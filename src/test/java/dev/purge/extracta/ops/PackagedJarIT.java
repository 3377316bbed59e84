package dev.purge.extracta.ops;

import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.purge.extracta.call.DeleteBatchPipelineTest.body;
import static dev.purge.extracta.call.DeleteBatchPipelineTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.purge.extracta.call.DeleteBatchPipelineTest;
import dev.purge.extracta.testsupport.JarProcess;
import dev.purge.extracta.testsupport.TestApp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The runnable jar as a user runs it: {@code java -jar} from an unrelated working directory, configured only through
 * environment variables and -D.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PackagedJarIT {

    private static final Path TARGET = Path.of("target").toAbsolutePath();
    private static WireMockServer wireMock;
    private static Path workDir;

    @BeforeAll
    static void startServer() throws IOException {
        wireMock = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());
        wireMock.start();
        TestApp.stubCredits(wireMock);
        wireMock.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH))
                .willReturn(json(200, "{\"status\":\"success\",\"message\":\"Batch deleted\"}")));
        workDir = Files.createDirectories(TARGET.resolve("it-work").resolve("run-" + System.nanoTime()));
    }

    @AfterAll
    static void stopServer() {
        wireMock.stop();
    }

    @Test
    @Order(1)
    void jarRunsFromAnyFolderWithEnvironmentConfiguration() throws Exception {
        Path log = workDir.resolve("app.log");
        Process app = JarProcess.start(workDir, log, Map.of(
                "EXTRACTA_API_KEY", JarProcess.API_KEY,
                "EXTRACTA_BASE_URL", "http://127.0.0.1:" + wireMock.port(),
                "EXTRACTA_INBOX_STABLE_PERIOD", "300",
                "EXTRACTA_INBOX_POLL_DELAY", "100"), "-Dextracta.concurrency=2");
        try {
            // default folders are relative to the working directory: data/inbox, data/reports, data/deadletter
            Path inbox = workDir.resolve("data").resolve("inbox");
            await().atMost(TestApp.TIMEOUT).until(() -> Files.isDirectory(inbox) || !app.isAlive());
            assertThat(app.isAlive()).as("application is running; log: %s", log).isTrue();
            Path temp = inbox.resolve(".jar.csv.part");
            Files.writeString(temp, "classificationId,batchId\nc9,j1\nc9,j2\n");
            Files.move(temp, inbox.resolve("jar.csv"));
            Path report = workDir.resolve("data").resolve("reports").resolve("jar.csv.report.json");
            await().atMost(TestApp.TIMEOUT).until(() -> Files.exists(report));

            List<LoggedRequest> requests = wireMock.findAll(deleteRequestedFor(urlEqualTo(TestApp.DELETE_PATH))
                    .withHeader("Authorization", equalTo("Bearer " + JarProcess.API_KEY)));
            assertThat(requests).extracting(LoggedRequest::getBodyAsString)
                    .containsExactlyInAnyOrder(body("c9", "j1"), body("c9", "j2"));
            assertThat(Files.readString(report)).contains("\"DELETED\" : 2");
        } finally {
            app.destroy();
            assertThat(app.waitFor(60, TimeUnit.SECONDS)).as("stops on SIGTERM").isTrue();
        }
        String output = Files.readString(log);
        assertThat(output).contains("Finished jar.csv");
        assertThat(output).contains("extracta.concurrency = 2");
    }

    @Test
    @Order(2)
    void jarRefusesToStartWithoutAKey() throws Exception {
        Path log = workDir.resolve("no-key.log");
        Process app = JarProcess.start(workDir, log, Map.of(), "-Dextracta.inbox.poll-delay=100");
        assertThat(app.waitFor(TestApp.TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("exits by itself").isTrue();
        assertThat(app.exitValue()).isNotZero();
        assertThat(Files.readString(log)).contains("No Extracta API key").contains("EXTRACTA_API_KEY");
    }

    @Test
    @Order(3)
    void aLargeFileStreamsThroughASmallHeap() throws Exception {
        // 300,000 distinct pairs, checked for duplicates and planned in dry-run, in a 64 MB heap
        Path dir = Files.createDirectories(workDir.resolve("large"));
        Path inbox = Files.createDirectories(dir.resolve("data").resolve("inbox"));
        int rows = 300_000;
        Path temp = inbox.resolve(".large.csv.part");
        try (var out = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
            out.write("classificationId,batchId\n");
            for (int i = 0; i < rows; i++) {
                out.write("-OPXR1F82I0cRYJPc" + (i % 10) + ",b" + String.format("%09d", i) + "\n");
            }
        }
        Files.move(temp, inbox.resolve("large.csv"));
        Path log = dir.resolve("app.log");
        Process app = JarProcess.start(dir, log,
                Map.of("EXTRACTA_DRY_RUN", "true", "EXTRACTA_PROGRESS_INTERVAL", "2000"), "-Xmx64m");
        Path report = dir.resolve("data").resolve("reports").resolve("large.csv.report.json");
        try {
            await().atMost(TestApp.TIMEOUT).until(() -> Files.exists(report) || !app.isAlive());
        } finally {
            app.destroy();
            app.waitFor(60, TimeUnit.SECONDS);
        }
        assertThat(report).as("report; log: %s", log).exists();
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(report.toFile());
        assertThat(json.get("status").asText()).isEqualTo("DRY_RUN");
        assertThat(json.get("rowsRead").asLong()).isEqualTo(rows);
        assertThat(json.get("outcomes").get("WOULD_DELETE").asLong()).isEqualTo(rows);
        assertThat(Files.readString(log)).doesNotContain("OutOfMemoryError");
    }

    @Test
    @Order(4)
    void aFileOnlyRunLoadsNeitherTheBrokerClientNorTheDatabaseClasses() throws Exception {
        // the optional parts of routes/beans.camel.yaml are holders: a file-only run never even loads the classes of
        // the Artemis client, the PostgreSQL driver or Camel's JDBC repository
        Path dir = Files.createDirectories(workDir.resolve("lazy"));
        Path file = Files.writeString(dir.resolve("one.csv"), "classificationId,batchId\nc1,b1\n");
        Path log = dir.resolve("classes.log");
        Process app = JarProcess.start(dir, log, Map.of("EXTRACTA_DRY_RUN", "true"),
                List.of("-verbose:class"), List.of("--once", file.toString()));
        assertThat(app.waitFor(TestApp.TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("exits by itself").isTrue();
        String output = Files.readString(log);
        assertThat(app.exitValue()).as("log: %s", log).isZero();
        assertThat(output).as("the class-loading log").contains("dev.purge.extracta.ingest.ArtemisConnectionFactory ")
                .contains("dev.purge.extracta.ledger.JdbcDeletedPairs ")
                .doesNotContain("org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory")
                .doesNotContain("org.postgresql.")
                .doesNotContain("org.apache.camel.processor.idempotent.jdbc.")
                // nor, in one-shot mode, the management server or the metrics registry
                .doesNotContain("io.vertx.core.impl.VertxImpl ")
                .doesNotContain("io.micrometer.prometheusmetrics.PrometheusMeterRegistry ");
    }
}
