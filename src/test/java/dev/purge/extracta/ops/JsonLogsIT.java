package dev.purge.extracta.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.purge.extracta.outcome.RunReports;
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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The log format of the packaged jar, as an operator switches it: log4j2 reads EXTRACTA_LOG_FORMAT or
 * -Dextracta.log.format before Camel starts, so only a real process shows that the whole output follows it.
 */
class JsonLogsIT {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static Path workDir;

    @BeforeAll
    static void folder() throws IOException {
        workDir = Files.createDirectories(Path.of("target", "it-work", "json-logs-" + System.nanoTime())
                .toAbsolutePath());
    }

    @Test
    void environmentVariableMakesEveryLineOneJsonObject() throws Exception {
        Path dir = Files.createDirectories(workDir.resolve("env"));
        Path inbox = Files.createDirectories(dir.resolve("data").resolve("inbox"));
        Path temp = inbox.resolve(".json.csv.part");
        Files.writeString(temp, "classificationId,batchId\nc1,ok1\nc1,\"bad id\"\n");
        Files.move(temp, inbox.resolve("json.csv"));
        Path log = dir.resolve("app.log");
        Process app = JarProcess.start(dir, log, Map.of("EXTRACTA_LOG_FORMAT", "json", "EXTRACTA_DRY_RUN", "true",
                "EXTRACTA_INBOX_STABLE_PERIOD", "300", "EXTRACTA_INBOX_POLL_DELAY", "100"));
        Path report = dir.resolve("data").resolve("reports").resolve("json.csv.report.json");
        try {
            await().atMost(TestApp.TIMEOUT).until(() -> Files.exists(report) || !app.isAlive());
        } finally {
            stop(app);
        }
        List<JsonNode> lines = jsonLines(log);
        assertThat(lines).anySatisfy(l -> {
            assertThat(l.get("log.level").asText()).isEqualTo("INFO");
            assertThat(l.get("message").asText()).startsWith("Finished json.csv");
            assertThat(l.get("log.logger").asText()).isEqualTo(RunReports.class.getName());
        });
        assertThat(lines).anySatisfy(l -> {
            assertThat(l.get("log.level").asText()).isEqualTo("WARN");
            assertThat(l.get("message").asText()).startsWith("Dead letter: json.csv line 3: INVALID_INPUT");
        });
        assertThat(lines).allSatisfy(l -> assertThat(l.get("@timestamp").asText()).isNotBlank());
    }

    @Test
    void systemPropertyMakesEveryLineOneJsonObject() throws Exception {
        Path dir = Files.createDirectories(workDir.resolve("system-property"));
        Path log = dir.resolve("app.log");
        Process app = JarProcess.start(dir, log, Map.of("EXTRACTA_DRY_RUN", "true"), "-Dextracta.log.format=json");
        try {
            awaitStarted(app, log);
        } finally {
            stop(app);
        }
        assertThat(jsonLines(log)).anySatisfy(l -> assertThat(l.get("message").asText())
                .startsWith("Apache Camel 4.17.0 (extracta-purge) started"));
    }

    @Test
    void withoutEitherTheLogStaysText() throws Exception {
        Path dir = Files.createDirectories(workDir.resolve("text"));
        Path log = dir.resolve("app.log");
        Process app = JarProcess.start(dir, log, Map.of("EXTRACTA_DRY_RUN", "true"));
        try {
            awaitStarted(app, log);
        } finally {
            stop(app);
        }
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        assertThat(lines).isNotEmpty().noneMatch(l -> l.startsWith("{"));
        assertThat(lines).anyMatch(l -> l.matches("\\d{4}-\\d\\d-\\d\\dT[\\d:,]+ INFO  \\[main] AbstractCamelContext - "
                + "Apache Camel 4\\.17\\.0 \\(extracta-purge\\) started.*"));
    }

    private static void awaitStarted(Process app, Path log) {
        await().atMost(TestApp.TIMEOUT).until(() -> !app.isAlive()
                || Files.readString(log).contains("(extracta-purge) started"));
        assertThat(app.isAlive()).as("running; log: %s", log).isTrue();
    }

    private static void stop(Process app) throws InterruptedException {
        app.destroy();
        assertThat(app.waitFor(60, TimeUnit.SECONDS)).as("stops on SIGTERM").isTrue();
    }

    /** Every line of the output, each parsed as one JSON object: a line that is not fails the test. */
    private static List<JsonNode> jsonLines(Path log) throws IOException {
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            JsonNode node = MAPPER.readTree(line);
            assertThat(node.isObject()).as("a JSON object: %s", line).isTrue();
            assertThat(node.get("message")).as("a message: %s", line).isNotNull();
            nodes.add(node);
        }
        assertThat(nodes).as("log lines in %s", log).isNotEmpty();
        return nodes;
    }
}
