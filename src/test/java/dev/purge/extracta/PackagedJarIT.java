package dev.purge.extracta;

import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.purge.extracta.DeleteBatchPipelineTest.body;
import static dev.purge.extracta.DeleteBatchPipelineTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
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
 * environment variables and -D. Last, every output the test suite produced is scanned for the API keys.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PackagedJarIT {

    private static final String JAR_KEY = "xk-jar-3e9b52-NEVER-LOGGED";
    private static final Path TARGET = Path.of("target").toAbsolutePath();
    private static WireMockServer wireMock;
    private static Path workDir;

    @BeforeAll
    static void startServer() throws IOException {
        wireMock = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());
        wireMock.start();
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
        ProcessBuilder builder = command(Map.of(
                "EXTRACTA_API_KEY", JAR_KEY,
                "EXTRACTA_BASE_URL", "http://127.0.0.1:" + wireMock.port(),
                "EXTRACTA_INBOX_STABLE_PERIOD", "300",
                "EXTRACTA_INBOX_POLL_DELAY", "100"), "-Dextracta.concurrency=2");
        builder.redirectErrorStream(true).redirectOutput(log.toFile());
        Process app = builder.start();
        try {
            // default folders are relative to the working directory: data/inbox, data/reports, data/deadletter
            Path inbox = workDir.resolve("data").resolve("inbox");
            await().atMost(Duration.ofSeconds(60)).until(() -> Files.isDirectory(inbox) || !app.isAlive());
            assertThat(app.isAlive()).as("application is running; log: %s", log).isTrue();
            Path temp = inbox.resolve(".jar.csv.part");
            Files.writeString(temp, "classificationId,batchId\nc9,j1\nc9,j2\n");
            Files.move(temp, inbox.resolve("jar.csv"));
            Path report = workDir.resolve("data").resolve("reports").resolve("jar.csv.report.json");
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(report));

            List<LoggedRequest> requests = wireMock.findAll(deleteRequestedFor(urlEqualTo(TestApp.DELETE_PATH))
                    .withHeader("Authorization", equalTo("Bearer " + JAR_KEY)));
            assertThat(requests).extracting(LoggedRequest::getBodyAsString)
                    .containsExactlyInAnyOrder(body("c9", "j1"), body("c9", "j2"));
            assertThat(Files.readString(report)).contains("\"DELETED\" : 2");
        } finally {
            app.destroy();
            assertThat(app.waitFor(30, TimeUnit.SECONDS)).as("stops on SIGTERM").isTrue();
        }
        String output = Files.readString(log);
        assertThat(output).contains("Finished jar.csv");
        assertThat(output).contains("extracta.concurrency = 2");
    }

    @Test
    @Order(2)
    void jarRefusesToStartWithoutAKey() throws Exception {
        Path log = workDir.resolve("no-key.log");
        ProcessBuilder builder = command(Map.of(), "-Dextracta.inbox.poll-delay=100");
        builder.redirectErrorStream(true).redirectOutput(log.toFile());
        Process app = builder.start();
        assertThat(app.waitFor(60, TimeUnit.SECONDS)).as("exits by itself").isTrue();
        assertThat(app.exitValue()).isNotZero();
        assertThat(Files.readString(log)).contains("No Extracta API key").contains("EXTRACTA_API_KEY");
    }

    /** Runs last: the keys used by every test appear in no log, report, dead-letter record or test output. */
    @Test
    @Order(3)
    void noApiKeyInAnyTestOutput() throws IOException {
        List<Path> scanned = new ArrayList<>();
        List<String> leaks = new ArrayList<>();
        for (String dir : List.of("surefire-reports", "failsafe-reports", "test-data", "it-work")) {
            Path root = TARGET.resolve(dir);
            if (!Files.isDirectory(root)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(root)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    scanned.add(file);
                    String text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                    for (String key : List.of(TestApp.API_KEY, JAR_KEY)) {
                        if (text.contains(key)) {
                            leaks.add(file + " contains " + (key.equals(JAR_KEY) ? "the jar key" : "the test key"));
                        }
                    }
                }
            }
        }
        assertThat(scanned).as("test outputs to scan").anyMatch(p -> p.toString().endsWith("-output.txt"));
        assertThat(scanned).anyMatch(p -> p.toString().endsWith("app.log"));
        assertThat(leaks).isEmpty();
    }

    private static ProcessBuilder command(Map<String, String> env, String... systemProperties) {
        String jar = System.getProperty("app.jar");
        assertThat(jar).as("app.jar system property (set by failsafe)").isNotNull();
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(systemProperties));
        cmd.add("-jar");
        cmd.add(Path.of(jar).toAbsolutePath().toString());
        ProcessBuilder builder = new ProcessBuilder(cmd).directory(workDir.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("EXTRACTA_"));
        builder.environment().putAll(env);
        return builder;
    }
}
