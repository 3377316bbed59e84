package dev.purge.extracta.secret;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
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
import com.github.tomakehurst.wiremock.http.Fault;
import dev.purge.extracta.call.DeleteBatchPipelineTest;
import dev.purge.extracta.testsupport.EmbeddedBroker;
import dev.purge.extracta.testsupport.JarProcess;
import dev.purge.extracta.testsupport.TestApp;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * No secret at any log level: the packaged jar with every logger at TRACE (ours and the libraries', the HTTP client's
 * included), in the text and the JSON layout, through a 200, a 404, a 500 retried, a connection reset retried and a
 * 401 that halts sending, with a real PostgreSQL repository and a real broker behind the database and broker
 * passwords. Then every byte of its output and of every file it wrote is searched for each secret value.
 */
class SecretLeakIT {

    /** Obviously fake values, each distinct so a leak says which secret it was. */
    static final String API_KEY = "xk-leak-5f02a1-FAKE-NEVER-LOGGED";
    private static final String JDBC_PASSWORD = "pg-fake-pw-c3b7e1";
    private static final String BROKER_PASSWORD = "mq-fake-pw-91d4aa";
    /** Any property whose name says password, here a Camel component option no code of ours reads. */
    private static final String PROXY_PASSWORD = "proxy-fake-pw-6a0e2f";
    private static final Map<String, String> SECRETS = Map.of("API key", API_KEY, "JDBC password", JDBC_PASSWORD,
            "broker password", BROKER_PASSWORD, "proxy password", PROXY_PASSWORD);
    private static final String SUCCESS = "{\"status\":\"success\",\"message\":\"Batch deleted\"}";

    private static WireMockServer api;
    private static EmbeddedPostgres postgres;
    private static EmbeddedBroker broker;

    @BeforeAll
    static void start() throws Exception {
        api = JarProcess.startApi();
        answer("ok1", json(200, SUCCESS));
        answer("gone1", json(404, "{\"status\":\"error\",\"message\":\"Batch not found\"}"));
        answer("boom1", json(500, "{\"status\":\"error\",\"message\":\"Internal error\"}"));
        answer("cut1", aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER));
        answer("denied1", json(401, "{\"status\":\"error\",\"message\":\"Invalid API key\"}"));
        postgres = EmbeddedPostgres.builder().start();
        broker = EmbeddedBroker.start();
    }

    private static void answer(String batchId, com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder answer) {
        api.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH))
                .withRequestBody(matchingJsonPath("$.batchId", equalTo(batchId))).willReturn(answer));
    }

    @AfterAll
    static void stop() throws Exception {
        api.stop();
        postgres.close();
        broker.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"text", "json"})
    void noSecretInAnyOutputAtTrace(String layout) throws Exception {
        Path dir = JarProcess.workDir("secret-leak-" + layout);
        Path inbox = Files.createDirectories(dir.resolve("data").resolve("inbox"));
        // the application's own log4j2.xml (its layouts and whatever guards it), with every level raised to TRACE
        Path trace = Files.writeString(dir.resolve("trace-levels.xml"), """
                <Configuration status="WARN">
                  <Loggers>
                    <Logger name="org.apache.camel" level="TRACE"/>
                    <Logger name="org.apache.hc" level="TRACE"/>
                    <Root level="TRACE"/>
                  </Loggers>
                </Configuration>
                """);
        Map<String, String> env = new LinkedHashMap<>();
        env.put("EXTRACTA_API_KEY", API_KEY);
        env.put("EXTRACTA_BASE_URL", "http://127.0.0.1:" + api.port());
        env.put("EXTRACTA_LOG_FORMAT", layout);
        env.put("EXTRACTA_INBOX_STABLE_PERIOD", "300");
        env.put("EXTRACTA_INBOX_POLL_DELAY", "100");
        env.put("EXTRACTA_CONCURRENCY", "1");
        env.put("EXTRACTA_RETRY_MAX_ATTEMPTS", "3");
        env.put("EXTRACTA_RETRY_INITIAL_DELAY", "50");
        env.put("EXTRACTA_RETRY_MAX_DELAY", "200");
        env.put("EXTRACTA_IDEMPOTENCY_REPOSITORY", "deletedPairsJdbc");
        env.put("EXTRACTA_JDBC_URL", postgres.getJdbcUrl("postgres", "postgres"));
        env.put("EXTRACTA_JDBC_USERNAME", "postgres");
        env.put("EXTRACTA_JDBC_PASSWORD", JDBC_PASSWORD);
        env.put("EXTRACTA_QUEUE_ENABLED", "true");
        env.put("EXTRACTA_QUEUE_URI", "jms:queue:leak-" + layout + ".delete-batch");
        env.put("EXTRACTA_QUEUE_BROKER_URL", broker.url);
        env.put("EXTRACTA_QUEUE_USERNAME", "purge");
        env.put("EXTRACTA_QUEUE_PASSWORD", BROKER_PASSWORD);
        Map<String, Integer> before = Map.of("boom1", sent("boom1"), "cut1", sent("cut1"), "denied1", sent("denied1"));
        Path log = dir.resolve("app.log");
        Process app = JarProcess.start(dir, log, env, "-Dlog4j2.configurationFile=classpath:log4j2.xml," + trace,
                "-Dcamel.component.http.proxy-auth-password=" + PROXY_PASSWORD);
        try {
            // a classification of its own per run: the database remembers the pairs of the run before
            String c = "c-" + layout;
            drop(inbox, "matrix.csv", "classificationId,batchId\n" + c + ",ok1\n" + c + ",gone1\n" + c + ",boom1\n"
                    + c + ",cut1\n");
            Path report = dir.resolve("data").resolve("reports").resolve("matrix.csv.report.json");
            await().atMost(TestApp.TIMEOUT).until(() -> Files.exists(report) || !app.isAlive());
            assertThat(report).as("report; log: %s", log).exists();
            JsonNode outcomes = new ObjectMapper().readTree(report.toFile()).get("outcomes");
            assertThat(outcomes.get("DELETED").asLong()).isEqualTo(1);
            assertThat(outcomes.get("REJECTED").asLong()).isEqualTo(1);
            assertThat(outcomes.get("SERVER_ERROR").asLong()).isEqualTo(1);
            assertThat(outcomes.get("NETWORK").asLong()).isEqualTo(1);
            assertThat(sent("boom1") - before.get("boom1")).as("the 500 retried").isEqualTo(3);
            assertThat(sent("cut1") - before.get("cut1")).as("the reset retried").isEqualTo(3);
            assertThat(deletedPairsInDatabase()).as("the JDBC repository in use").isPositive();

            drop(inbox, "halt.csv", "classificationId,batchId\n" + c + ",denied1\n");
            await().atMost(TestApp.TIMEOUT).until(() -> Files.readString(log, StandardCharsets.ISO_8859_1)
                    .contains("The Extracta API refused the API key") || !app.isAlive());
            assertThat(sent("denied1") - before.get("denied1")).isEqualTo(1);
        } finally {
            app.destroy();
            assertThat(app.waitFor(60, TimeUnit.SECONDS)).as("stops on SIGTERM").isTrue();
        }
        String output = Files.readString(log, StandardCharsets.ISO_8859_1);
        assertThat(output).as("TRACE was on").contains("TRACE");
        if (layout.equals("json")) {
            assertThat(output.lines().filter(l -> !l.isBlank())).allMatch(l -> l.startsWith("{"));
        }
        assertThat(leaks(dir)).as("secret values found in the output and files of the run").isEmpty();
    }

    private static void drop(Path inbox, String name, String content) throws Exception {
        Path temp = inbox.resolve("." + name + ".part");
        Files.writeString(temp, content);
        Files.move(temp, inbox.resolve(name));
    }

    private static int sent(String batchId) {
        return api.findAll(deleteRequestedFor(urlEqualTo(TestApp.DELETE_PATH))
                .withRequestBody(matchingJsonPath("$.batchId", equalTo(batchId)))).size();
    }

    private static long deletedPairsInDatabase() throws Exception {
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
             ResultSet rows = connection.createStatement().executeQuery("select count(*) from CAMEL_MESSAGEPROCESSED")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    /** Every file under the run's folder (its output and data folder), read as bytes: which secret, where, how often. */
    private static List<String> leaks(Path dir) throws Exception {
        List<String> leaks = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String bytes = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                SECRETS.forEach((name, value) -> {
                    int count = occurrences(bytes, value);
                    if (count > 0) {
                        // never the value itself: this message lands in the test reports
                        leaks.add(name + " " + count + " times in " + dir.relativize(file));
                    }
                });
            }
        }
        return leaks;
    }

    private static int occurrences(String text, String value) {
        int count = 0;
        for (int at = text.indexOf(value); at >= 0; at = text.indexOf(value, at + 1)) {
            count++;
        }
        return count;
    }
}
