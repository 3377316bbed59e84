package dev.purge.extracta.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.purge.extracta.sandbox.ExtractaEmulator;
import dev.purge.extracta.testsupport.JarProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The routes under Camel JBang, as {@code camel run routes/* src/main/resources/application.properties
 * target/extracta-purge.jar} runs them (through bench/camel-run/camel: camel-jbang-core without the jbang binary),
 * against the local emulator: the startup checks of {@code java -jar} refuse a missing key, a refused key and a bad
 * setting before anything is sent, and with a good key a dropped file is deleted. Each start takes 10 to 45 seconds on
 * two busy cores.
 */
class CamelRunIT {

    private static final Path BASE = Path.of("").toAbsolutePath();
    private static final Duration START = Duration.ofSeconds(240);
    private ExtractaEmulator emulator;

    @BeforeEach
    void startEmulator() {
        emulator = new ExtractaEmulator(ExtractaEmulator.Settings.defaults().withApiKey(JarProcess.API_KEY)).start();
    }

    @AfterEach
    void stopEmulator() {
        emulator.close();
    }

    @Test
    void refusesAMissingKeyARefusedKeyAndABadSettingBeforeSendingAnything() throws Exception {
        assertRefused("no-key", Map.of(), "No Extracta API key");
        assertRefused("refused-key", Map.of("EXTRACTA_API_KEY", "xk-wrong-camel-run"),
                "The Extracta API refused the API key at GET /credits (HTTP 401)");
        // checked before Camel binds {{extracta.concurrency}} to a bean or a thread pool: our rule, not a binding error
        assertRefused("bad-concurrency", Map.of("EXTRACTA_API_KEY", JarProcess.API_KEY, "EXTRACTA_CONCURRENCY", "x"),
                "Refusing to start: extracta.concurrency (EXTRACTA_CONCURRENCY) is 'x': must be a whole number");
        // an unknown setting is refused by the same Settings.check (UnknownSettingIT covers its cases under java -jar)
        assertThat(emulator.stats().deletes()).isZero();
        assertThat(emulator.stats().requests()).as("only the refused key's GET /credits").isEqualTo(1);
    }

    @Test
    void startsWithAGoodKeyAndDeletesADroppedFile() throws Exception {
        Path dir = JarProcess.workDir("camel-run-good");
        Path log = dir.resolve("app.log");
        Process run = camelRun(dir, log, Map.of("EXTRACTA_API_KEY", JarProcess.API_KEY));
        try {
            await().atMost(START).pollInterval(Duration.ofMillis(200))
                    .until(() -> Files.readString(log).contains("Routes startup") || !run.isAlive());
            assertThat(run.isAlive()).as("camel run is running; log: %s", log).isTrue();
            Path inbox = dir.resolve("data").resolve("inbox");
            Path part = inbox.resolve(".camel-run.csv.part");
            Files.writeString(part, "classificationId,batchId\ncls-camel-run,batch-camel-run\n");
            Files.move(part, inbox.resolve("camel-run.csv"));
            Path report = dir.resolve("data").resolve("reports").resolve("camel-run.csv.report.json");
            await().atMost(START).until(() -> Files.exists(report) || !run.isAlive());
            assertThat(Files.readString(report)).contains("\"status\" : \"DONE\"").contains("\"DELETED\" : 1");
            assertThat(emulator.stats().deletes()).isEqualTo(1);
        } finally {
            run.destroy();
            assertThat(run.waitFor(60, TimeUnit.SECONDS)).as("stops on SIGTERM").isTrue();
        }
        assertThat(Files.readString(log)).contains("Finished camel-run.csv").doesNotContain(JarProcess.API_KEY);
    }

    private void assertRefused(String name, Map<String, String> env, String message) throws Exception {
        Path dir = JarProcess.workDir("camel-run-" + name);
        Path log = dir.resolve("app.log");
        Process run = camelRun(dir, log, env);
        assertThat(run.waitFor(START.toSeconds(), TimeUnit.SECONDS)).as("exits by itself; log: %s", log).isTrue();
        String output = Files.readString(log);
        assertThat(run.exitValue()).as("exit status; log: %s", log).isNotZero();
        assertThat(output).contains(message).doesNotContain("Routes startup");
    }

    /** bench/camel-run/camel run routes/* src/main/resources/application.properties target/extracta-purge.jar */
    private Process camelRun(Path dir, Path log, Map<String, String> env) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("bash", "bench/camel-run/camel", "run"));
        try (Stream<Path> routes = Files.list(BASE.resolve("routes"))) {
            routes.map(p -> "routes/" + p.getFileName()).sorted().forEach(cmd::add);
        }
        cmd.add("src/main/resources/application.properties");
        cmd.add(Path.of(System.getProperty("app.jar")).toAbsolutePath().toString());
        // nothing is downloaded at run time; a safety net against a run that would not stop
        cmd.addAll(List.of("--download=false", "--logging-color=false", "--max-seconds=600"));
        ProcessBuilder builder = new ProcessBuilder(cmd).directory(BASE.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("EXTRACTA_"));
        builder.environment().put("EXTRACTA_BASE_URL", emulator.baseUrl());
        builder.environment().put("EXTRACTA_DATA_DIR", dir.resolve("data").toString());
        builder.environment().put("EXTRACTA_MANAGEMENT_PORT", "0");
        builder.environment().put("EXTRACTA_INBOX_POLL_DELAY", "100");
        builder.environment().put("EXTRACTA_INBOX_STABLE_PERIOD", "300");
        builder.environment().putAll(env);
        builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        return builder.start();
    }
}
