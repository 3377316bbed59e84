package dev.purge.extracta.testsupport;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import dev.purge.extracta.ExtractaPurgeApplication;
import dev.purge.extracta.run.FileJournal;
import dev.purge.extracta.run.InboxFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.camel.main.Main;

/**
 * The real application (production Main, application.properties and routes/), started in the test JVM against a
 * WireMock server on loopback (or, with {@link #startAgainst}, any API on loopback such as the sandbox emulator), with
 * its data folder under target/test-data so the API-key scan can read it. Public for the tests of other packages.
 * <p>
 * Not {@code @CamelMainTest}: its tests stop the application and start it again on the same folders (a restart, a
 * SIGTERM, a changed setting), several applications share one folder or broker (scale-out, the data-folder lock), and
 * each test sets its own folders and server ports, which a per-class test context cannot do. It starts Camel's own
 * {@link Main} with override properties, as camel-test-main-junit5 does underneath.
 */
public final class TestApp implements AutoCloseable {

    /** A recognisable key: the leak check greps every test output for it. */
    public static final String API_KEY = "xk-test-7d41c0-NEVER-LOGGED";
    public static final String DELETE_PATH = "/documentClassification/deleteBatch";
    /**
     * How long a test waits for an event before it fails: generous, so that a slow or busy machine (2 cores, a
     * build beside it) never turns a correct behaviour into a failure; a correct run takes far less.
     */
    public static final Duration TIMEOUT = Duration.ofSeconds(180);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    public final WireMockServer wireMock;
    public final Path dataDir;
    private final Map<String, String> properties;
    private Main main;

    private TestApp(WireMockServer wireMock, Path dataDir, Map<String, String> properties, Main main) {
        this.wireMock = wireMock;
        this.dataDir = dataDir;
        this.properties = properties;
        this.main = main;
    }

    /** Stops the application and starts it again on the same folders and server, as after a restart. */
    public void restart() throws Exception {
        main.stop();
        if (wireMock != null) {
            stubCredits(wireMock);
        }
        main = startMain(properties);
    }

    /** Stops the application as a SIGTERM does (graceful), leaving its folders as they are. */
    public void stopApp() {
        main.stop();
    }

    /** Starts the stopped application again on the same folders and server, with these settings changed. */
    public void startApp(Map<String, String> changes) throws Exception {
        properties.putAll(changes);
        main = startMain(properties);
    }

    /** The pre-flight check at startup: the key is accepted. */
    public static void stubCredits(WireMockServer wireMock) {
        wireMock.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get("/credits")
                .willReturn(com.github.tomakehurst.wiremock.client.WireMock.okJson("{\"status\":\"ok\",\"credits\":100}")));
    }

    private static Main startMain(Map<String, String> properties) throws Exception {
        Main main = ExtractaPurgeApplication.newMain();
        properties.forEach(main::addOverrideProperty);
        main.start();
        return main;
    }

    public static Map<String, String> defaults() {
        Map<String, String> p = new LinkedHashMap<>();
        // the machine's EXTRACTA_* variables must not beat the test's settings
        p.put("camel.component.properties.environment-variable-mode", "1");
        p.put("extracta.api-key", API_KEY);
        p.put("extracta.inbox.poll-delay", "100");
        p.put("extracta.inbox.stable-period", "500");
        // files of the tests that end without a line break are taken after a second (the tests of the rule set it)
        p.put("extracta.inbox.last-line-wait", "1000");
        p.put("extracta.retry.max-attempts", "3");
        p.put("extracta.retry.initial-delay", "50");
        p.put("extracta.retry.max-delay", "2000");
        p.put("extracta.http.response-timeout", "1000");
        p.put("extracta.progress-interval", "500");
        p.put("camel.main.shutdown-timeout", "5");
        // tests that are about the rate limit set it themselves
        p.put("extracta.rate-limit", "0");
        // several apps run at once in one JVM: the management port is for the tests about it
        p.put("extracta.management.enabled", "false");
        return p;
    }

    public static TestApp start(String name, Map<String, String> overrides) throws Exception {
        return start(name, overrides, WireMockConfiguration.options());
    }

    public static TestApp start(String name, Map<String, String> overrides, WireMockConfiguration wireMockOptions)
            throws Exception {
        WireMockServer wireMock = new WireMockServer(wireMockOptions.bindAddress("127.0.0.1").dynamicPort());
        wireMock.start();
        stubCredits(wireMock);
        try {
            return start(name, "http://127.0.0.1:" + wireMock.port(), overrides, wireMock);
        } catch (Exception e) {
            wireMock.stop();
            throw e;
        }
    }

    /** The real application against the API at {@code baseUrl} (no WireMock: {@link #wireMock} is null). */
    public static TestApp startAgainst(String name, String baseUrl, Map<String, String> overrides) throws Exception {
        return start(name, baseUrl, overrides, null);
    }

    /** The real application with its data folder at {@code dataDir} (a small file system, say). */
    public static TestApp startIn(String name, Path dataDir, Map<String, String> overrides,
                           WireMockConfiguration wireMockOptions) throws Exception {
        WireMockServer wireMock = new WireMockServer(wireMockOptions.bindAddress("127.0.0.1").dynamicPort());
        wireMock.start();
        stubCredits(wireMock);
        try {
            return start(dataDir, "http://127.0.0.1:" + wireMock.port(), overrides, wireMock);
        } catch (Exception e) {
            wireMock.stop();
            throw e;
        }
    }

    private static TestApp start(String name, String baseUrl, Map<String, String> overrides, WireMockServer wireMock)
            throws Exception {
        return start(Path.of("target", "test-data", name + "-" + System.nanoTime()).toAbsolutePath(), baseUrl,
                overrides, wireMock);
    }

    private static TestApp start(Path dataDir, String baseUrl, Map<String, String> overrides, WireMockServer wireMock)
            throws Exception {
        Files.createDirectories(dataDir.resolve("inbox"));
        Map<String, String> properties = defaults();
        properties.put("extracta.base-url", baseUrl);
        properties.put("extracta.data-dir", dataDir.toString());
        properties.putAll(overrides);
        return new TestApp(wireMock, dataDir, properties, startMain(properties));
    }

    public org.apache.camel.CamelContext camelContext() {
        return main.getCamelContext();
    }

    public Path inbox() {
        return dataDir.resolve("inbox");
    }

    /** Writes a file the way a careful producer does: a hidden temporary name, then an atomic rename. */
    public Path drop(String fileName, byte[] content) throws IOException {
        Path temp = inbox().resolve("." + fileName + ".part");
        Files.write(temp, content);
        return Files.move(temp, inbox().resolve(fileName), StandardCopyOption.ATOMIC_MOVE);
    }

    public Path drop(String fileName, String content) throws IOException {
        return drop(fileName, content.getBytes(StandardCharsets.UTF_8));
    }

    /** Waits for the file's report (written when the file is finished) and for the file to leave the inbox. */
    public JsonNode awaitReport(String fileName) {
        Path report = dataDir.resolve("reports").resolve(fileName + ".report.json");
        await().atMost(TIMEOUT).until(() -> Files.exists(report) && !Files.exists(inbox().resolve(fileName)));
        try {
            return MAPPER.readTree(report.toFile());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Writes the progress journal a killed run would have left for {@code file} (its identity and content), with the
     * given events ("A 2", "F 2 DELETED"...); the file keeps its identity when it is renamed into the inbox.
     */
    public static Path writeJournal(Path stateDir, Path file, String... events) throws Exception {
        try (InboxFile pinned = InboxFile.open(file)) {
            Path journal = FileJournal.pathFor(stateDir, pinned);
            Files.createDirectories(journal.getParent());
            String hash = java.util.HexFormat.of().formatHex(InboxFile.sha256().digest(Files.readAllBytes(file)));
            StringBuilder text = new StringBuilder("# " + file.getFileName() + "\nH " + pinned.size() + " " + hash
                    + "\n");
            for (String event : events) {
                text.append(event).append('\n');
            }
            Files.writeString(journal, text);
            return journal;
        }
    }

    /** How often each batch was sent to this API: batch ID to count of DELETE requests. */
    public static Map<String, Integer> sentPerBatch(WireMockServer api) throws IOException {
        Map<String, Integer> counts = new java.util.HashMap<>();
        for (var request : api.findAll(com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor(
                com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo(DELETE_PATH)))) {
            counts.merge(MAPPER.readTree(request.getBodyAsString()).get("batchId").asText(), 1, Integer::sum);
        }
        return counts;
    }

    public List<JsonNode> deadLetters(String fileName) throws IOException {
        Path file = dataDir.resolve("deadletter").resolve(fileName + ".jsonl");
        List<JsonNode> records = new ArrayList<>();
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                records.add(MAPPER.readTree(line));
            }
        }
        return records;
    }

    public Optional<Path> movedTo(String folder, String fileName) throws IOException {
        Path dir = inbox().resolve(folder);
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith("-" + fileName)).findFirst();
        }
    }

    @Override
    public void close() {
        try {
            main.stop();
        } finally {
            if (wireMock != null) {
                wireMock.stop();
            }
        }
    }
}
