package dev.purge.extracta.sandbox;

import static dev.purge.extracta.sandbox.ExtractaEmulator.CREDITS;
import static dev.purge.extracta.sandbox.ExtractaEmulator.DELETE_BATCH;
import static dev.purge.extracta.sandbox.ExtractaEmulator.DELETE_CLASSIFICATION;
import static dev.purge.extracta.sandbox.ExtractaEmulator.DELETE_EXTRACTION;
import static dev.purge.extracta.sandbox.ExtractaEmulator.DELETE_FILES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.purge.extracta.sandbox.ExtractaEmulator.Settings;
import dev.purge.extracta.testsupport.TestApp;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The emulator over real HTTP on loopback, and the real application against it. */
class ExtractaEmulatorTest {

    private static final String KEY = TestApp.API_KEY;
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final List<ExtractaEmulator> started = new ArrayList<>();

    @AfterEach
    void stopEmulators() {
        started.forEach(ExtractaEmulator::close);
    }

    private ExtractaEmulator start(Settings settings) {
        ExtractaEmulator emulator = new ExtractaEmulator(settings).start();
        started.add(emulator);
        return emulator;
    }

    private ExtractaEmulator start() {
        return start(Settings.defaults().withApiKey(KEY));
    }

    // --- success answers --------------------------------------------------------------------------------------

    @Test
    void everyEndpointAnswersItsDocumentedSuccessBody() throws Exception {
        ExtractaEmulator emulator = start();
        assertAnswer(delete(emulator, DELETE_BATCH, "{\"classificationId\":\"c1\",\"batchId\":\"b9dAUzUVlw\"}"),
                200, "{\"status\":\"success\",\"message\":\"Batch deleted\"}");
        assertAnswer(delete(emulator, DELETE_CLASSIFICATION, "{\"classificationId\":\"c2\"}"),
                200, "{\"status\":\"success\",\"message\":\"Classification deleted\"}");
        assertAnswer(delete(emulator, DELETE_FILES, "{\"classificationId\":\"c1\",\"batchId\":\"b2\","
                + "\"fileIds\":[\"f1\",\"f2\"]}"), 200, "{\"status\":\"success\",\"message\":\"Files deleted\"}");
        long before = System.currentTimeMillis();
        HttpResponse<String> extraction = delete(emulator, DELETE_EXTRACTION,
                "{\"extractionId\":\"-OPXR1F82I0cRYJPcHNo\"}");
        long after = System.currentTimeMillis();
        assertThat(extraction.statusCode()).isEqualTo(200);
        JsonNode deleted = MAPPER.readTree(extraction.body());
        assertThat(deleted.get("status").asText()).isEqualTo("deleted");
        assertThat(deleted.get("deletedAt").isIntegralNumber()).isTrue();
        assertThat(deleted.get("deletedAt").asLong()).isBetween(before, after);
        HttpResponse<String> credits = call(emulator, "GET", CREDITS, null, "Bearer " + KEY);
        assertAnswer(credits, 200, "{\"status\":\"ok\",\"credits\":1000}");
        assertThat(credits.headers().firstValue("Content-Type")).hasValue("application/json");

        ExtractaEmulator.Stats stats = emulator.stats();
        assertThat(stats.requests()).isEqualTo(5);
        for (String endpoint : List.of(DELETE_BATCH, DELETE_CLASSIFICATION, DELETE_FILES, DELETE_EXTRACTION, CREDITS)) {
            assertThat(stats.requests(endpoint)).as(endpoint).isEqualTo(1);
        }
        assertThat(stats.deletes()).isEqualTo(4);
        assertThat(stats.deletes(CREDITS)).isZero();
        assertThat(stats.answers(200)).isEqualTo(5);
    }

    @Test
    void deleteExtractionScopeFollowsTheFieldsPresent() throws Exception {
        ExtractaEmulator emulator = start();
        assertThat(delete(emulator, DELETE_EXTRACTION, "{\"extractionId\":\"e1\",\"batchId\":\"b1\",\"fileId\":\"f1\"}")
                .statusCode()).isEqualTo(200);
        assertThat(delete(emulator, DELETE_EXTRACTION, "{\"extractionId\":\"e1\",\"batchId\":\"b1\"}").statusCode())
                .isEqualTo(200);
        // the batch is gone, and so is every file of it
        assertAnswer(delete(emulator, DELETE_EXTRACTION,
                "{\"extractionId\":\"e1\",\"batchId\":\"b1\",\"fileId\":\"f2\"}"), 404, error("Extraction not found"));
        assertThat(delete(emulator, DELETE_EXTRACTION, "{\"extractionId\":\"e1\"}").statusCode()).isEqualTo(200);
        assertThat(delete(emulator, DELETE_EXTRACTION, "{\"extractionId\":\"e1\",\"batchId\":\"b2\"}").statusCode())
                .isEqualTo(404);
        assertAnswer(delete(emulator, DELETE_EXTRACTION, "{\"extractionId\":\"e2\",\"fileId\":\"f1\"}"),
                400, error("fileId requires batchId"));
        assertThat(emulator.stats().deletes(DELETE_EXTRACTION)).isEqualTo(3);
    }

    // --- refused requests -------------------------------------------------------------------------------------

    @Test
    void aMissingOrWrongKeyIs401AndDeletesNothing() throws Exception {
        ExtractaEmulator emulator = start();
        String body = "{\"classificationId\":\"c1\",\"batchId\":\"b1\"}";
        List<String> refused = new ArrayList<>(Arrays.asList(null, "", "Bearer", "Bearer ", "Bearer wrong-key",
                "Bearer " + KEY + "x", "Bearer " + KEY.substring(1), "Basic " + KEY, KEY, "Bearer  " + KEY,
                "Bearer " + KEY.toUpperCase(Locale.ROOT)));
        for (String authorization : refused) {
            assertAnswer(call(emulator, "DELETE", DELETE_BATCH, body, authorization), 401,
                    error("Invalid API key"));
        }
        assertAnswer(call(emulator, "GET", CREDITS, null, null), 401,
                error("Invalid API key"));
        assertThat(emulator.stats().deletes()).isZero();
        assertThat(emulator.stats().answers(401)).isEqualTo(refused.size() + 1);
        // the scheme is case-insensitive (RFC 9110), the key is not; nothing was deleted by the refused calls
        assertThat(call(emulator, "DELETE", DELETE_BATCH, body, "bearer " + KEY).statusCode()).isEqualTo(200);
    }

    @Test
    void twoAuthorizationHeadersAre401() throws Exception {
        ExtractaEmulator emulator = start();
        HttpRequest request = HttpRequest.newBuilder(URI.create(emulator.baseUrl() + CREDITS))
                .header("Authorization", "Bearer " + KEY).header("Authorization", "Bearer other").GET().build();
        assertThat(CLIENT.send(request, BodyHandlers.ofString()).statusCode()).isEqualTo(401);
    }

    @Test
    void invalidBodiesAre400AndDeleteNothing() throws Exception {
        ExtractaEmulator emulator = start();
        Map<String, String> batch = new LinkedHashMap<>();
        batch.put(null, "Request body is required");
        batch.put("", "Request body is required");
        batch.put("not json", "Request body is not valid JSON");
        batch.put("{\"classificationId\":\"c1\",\"batchId\":\"b1\"", "Request body is not valid JSON");
        batch.put("{\"classificationId\":\"c1\",\"batchId\":\"b1\"} {}", "Request body is not valid JSON");
        batch.put("{\"classificationId\":\"c1\",\"batchId\":\"b1\",\"batchId\":\"b2\"}",
                "Request body is not valid JSON");
        batch.put("[{\"classificationId\":\"c1\",\"batchId\":\"b1\"}]", "Request body must be a JSON object");
        batch.put("\"c1/b1\"", "Request body must be a JSON object");
        batch.put("null", "Request body must be a JSON object");
        batch.put("{}", "classificationId is required");
        batch.put("{\"classificationId\":\"c1\"}", "batchId is required");
        batch.put("{\"classificationId\":\"\",\"batchId\":\"b1\"}", "classificationId must not be empty");
        batch.put("{\"classificationId\":\"c1\",\"batchId\":\"\"}", "batchId must not be empty");
        batch.put("{\"classificationId\":1,\"batchId\":\"b1\"}", "classificationId must be a string");
        batch.put("{\"classificationId\":\"c1\",\"batchId\":null}", "batchId must be a string");
        batch.put("{\"classificationId\":\"c1\",\"batchId\":[\"b1\"]}", "batchId must be a string");
        batch.put("{\"classificationId\":{\"id\":\"c1\"},\"batchId\":\"b1\"}", "classificationId must be a string");
        for (Map.Entry<String, String> e : batch.entrySet()) {
            assertAnswer(delete(emulator, DELETE_BATCH, e.getKey()), 400,
                    error(e.getValue()));
        }
        String notAList = "fileIds must be a non-empty list of strings";
        Map<String, String> files = Map.of(
                "", "fileIds is required",
                ",\"fileIds\":\"f1\"", notAList,
                ",\"fileIds\":[]", notAList,
                ",\"fileIds\":[\"f1\",2]", notAList,
                ",\"fileIds\":[\"f1\",\"\"]", "fileIds must not hold an empty string");
        files.forEach((fileIds, message) -> assertAnswer(delete(emulator, DELETE_FILES,
                "{\"classificationId\":\"c1\",\"batchId\":\"b1\"" + fileIds + "}"), 400, error(message)));
        Map<String, String> extraction = Map.of(
                "{\"batchId\":\"b1\"}", "extractionId is required",
                "{\"extractionId\":\"e1\",\"batchId\":\"\"}", "batchId must not be empty",
                "{\"extractionId\":\"e1\",\"batchId\":7}", "batchId must be a string",
                "{\"extractionId\":\"e1\",\"batchId\":\"b1\",\"fileId\":false}", "fileId must be a string");
        extraction.forEach((body, message) -> assertAnswer(delete(emulator, DELETE_EXTRACTION, body), 400,
                error(message)));
        assertAnswer(delete(emulator, DELETE_CLASSIFICATION, "{\"batchId\":\"b1\"}"), 400,
                error("classificationId is required"));
        assertAnswer(delete(emulator, DELETE_BATCH, "{\"classificationId\":\"c1\",\"batchId\":\"" + "x".repeat(70_000)
                + "\"}"), 413, error("Request body too large"));

        assertThat(emulator.stats().deletes()).isZero();
        // none of those deleted c1/b1
        assertThat(delete(emulator, DELETE_BATCH, "{\"classificationId\":\"c1\",\"batchId\":\"b1\"}").statusCode())
                .isEqualTo(200);
    }

    @Test
    void aWrongMethodIs405AndAnUnknownPathIs404() throws Exception {
        ExtractaEmulator emulator = start();
        String body = "{\"classificationId\":\"c1\",\"batchId\":\"b1\"}";
        for (String method : List.of("GET", "POST", "PUT", "PATCH")) {
            HttpResponse<String> answer = call(emulator, method, DELETE_BATCH, method.equals("GET") ? null : body,
                    "Bearer " + KEY);
            assertAnswer(answer, 405, error("Method not allowed"));
            assertThat(answer.headers().firstValue("Allow")).hasValue("DELETE");
        }
        HttpResponse<String> creditsByDelete = call(emulator, "DELETE", CREDITS, null, "Bearer " + KEY);
        assertThat(creditsByDelete.statusCode()).isEqualTo(405);
        assertThat(creditsByDelete.headers().firstValue("Allow")).hasValue("GET");
        HttpResponse<Void> head = CLIENT.send(HttpRequest.newBuilder(URI.create(emulator.baseUrl() + CREDITS))
                .method("HEAD", BodyPublishers.noBody()).build(), BodyHandlers.discarding());
        assertThat(head.statusCode()).isEqualTo(405);

        for (String path : List.of("/documentClassification/deleteBatches", "/documentClassification/deleteBatch/",
                "/deleteBatch", "", "/", "/documentClassification")) {
            assertAnswer(delete(emulator, path, body), 404, error("Not found"));
        }
        // outside /api/v1: a base URL without it is wrong, and shows at once
        HttpResponse<String> unprefixed = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + emulator.port() + DELETE_BATCH)).header("Authorization", "Bearer " + KEY)
                .method("DELETE", BodyPublishers.ofString(body)).build(), BodyHandlers.ofString());
        assertThat(unprefixed.statusCode()).isEqualTo(404);
        assertThat(emulator.stats().deletes()).isZero();
        assertThat(emulator.stats().requests(DELETE_BATCH)).isEqualTo(4);
    }

    // --- state --------------------------------------------------------------------------------------------------

    @Test
    void aSecondDeleteIs404AndSoIsEverythingInsideADeletedParent() throws Exception {
        ExtractaEmulator emulator = start();
        String b1 = "{\"classificationId\":\"c1\",\"batchId\":\"b1\"}";
        assertThat(delete(emulator, DELETE_BATCH, b1).statusCode()).isEqualTo(200);
        assertAnswer(delete(emulator, DELETE_BATCH, b1), 404, error("Batch not found"));
        // the same batch ID in another classification is another batch
        assertThat(delete(emulator, DELETE_BATCH, "{\"classificationId\":\"c2\",\"batchId\":\"b1\"}").statusCode())
                .isEqualTo(200);

        String files = "{\"classificationId\":\"c1\",\"batchId\":\"b2\",\"fileIds\":[\"f1\",\"f2\"]}";
        assertThat(delete(emulator, DELETE_FILES, files).statusCode()).isEqualTo(200);
        assertAnswer(delete(emulator, DELETE_FILES, files), 404, error("Files not found"));
        assertThat(delete(emulator, DELETE_FILES, "{\"classificationId\":\"c1\",\"batchId\":\"b2\","
                + "\"fileIds\":[\"f2\",\"f3\"]}").statusCode()).as("f3 was still there").isEqualTo(200);
        assertAnswer(delete(emulator, DELETE_FILES, "{\"classificationId\":\"c1\",\"batchId\":\"b1\","
                + "\"fileIds\":[\"f9\"]}"), 404, error("Batch not found"));

        String c1 = "{\"classificationId\":\"c1\"}";
        assertThat(delete(emulator, DELETE_CLASSIFICATION, c1).statusCode()).isEqualTo(200);
        assertAnswer(delete(emulator, DELETE_CLASSIFICATION, c1), 404,
                error("Classification not found"));
        assertThat(delete(emulator, DELETE_BATCH, "{\"classificationId\":\"c1\",\"batchId\":\"b3\"}").statusCode())
                .as("a batch of a deleted classification").isEqualTo(404);

        assertThat(emulator.stats().deletes()).isEqualTo(5);
        assertThat(emulator.stats().answers(404)).isEqualTo(5);
    }

    @Test
    void theSameBatchDeletedByManyClientsAtOnceIsDeletedOnce() throws Exception {
        ExtractaEmulator emulator = start(Settings.defaults().withApiKey(KEY).withLatencyMillis(50));
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            answers.add(CLIENT.sendAsync(deleteRequest(emulator, DELETE_BATCH,
                    "{\"classificationId\":\"c1\",\"batchId\":\"race\"}"), BodyHandlers.ofString()));
        }
        List<Integer> statuses = answers.stream().map(f -> f.join().statusCode()).toList();
        assertThat(statuses).filteredOn(s -> s == 200).hasSize(1);
        assertThat(statuses).filteredOn(s -> s == 404).hasSize(15);
        assertThat(emulator.stats().deletes()).isEqualTo(1);
    }

    @Test
    void idsStartingWithUnknownAre404() throws Exception {
        ExtractaEmulator emulator = start();
        String notFound = error("Batch not found");
        assertAnswer(delete(emulator, DELETE_BATCH, batchBody("unknown-b1")), 404, notFound);
        assertAnswer(delete(emulator, DELETE_BATCH, "{\"classificationId\":\"unknownC\",\"batchId\":\"b1\"}"), 404,
                notFound);
        assertThat(delete(emulator, DELETE_CLASSIFICATION, "{\"classificationId\":\"unknown\"}").statusCode())
                .isEqualTo(404);
        assertThat(delete(emulator, DELETE_EXTRACTION, "{\"extractionId\":\"unknown-e\"}").statusCode()).isEqualTo(404);
        assertAnswer(delete(emulator, DELETE_FILES, "{\"classificationId\":\"c1\",\"batchId\":\"b1\","
                + "\"fileIds\":[\"unknown-f\"]}"), 404, error("Files not found"));
        // the rule is a prefix, case-sensitive
        assertThat(delete(emulator, DELETE_BATCH, batchBody("Unknown-b1")).statusCode())
                .isEqualTo(200);
        assertThat(emulator.stats().deletes()).isEqualTo(1);

        ExtractaEmulator noPrefix = start(Settings.defaults().withApiKey(KEY).withUnknownPrefix(""));
        assertThat(delete(noPrefix, DELETE_BATCH, batchBody("unknown-b1")).statusCode())
                .isEqualTo(200);
    }

    @Test
    void anUnknownShareIsStablePerIdAndRoughlyHonoured() throws Exception {
        Settings settings = Settings.defaults().withApiKey(KEY).withUnknownShare(0.3).withSeed(7);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            ids.add("b" + i);
        }
        long unknown = ids.stream().filter(settings::isUnknown).count();
        assertThat(unknown).isBetween(500L, 700L);
        assertThat(ids.stream().filter(settings.withSeed(8)::isUnknown).toList())
                .as("another seed, other IDs").isNotEqualTo(ids.stream().filter(settings::isUnknown).toList());
        assertThat(ids.stream().filter(Settings.defaults()::isUnknown)).as("no share by default").isEmpty();

        ExtractaEmulator emulator = start(settings);
        for (String id : ids.subList(0, 100)) {
            int expected = settings.isUnknown(id) ? 404 : 200;
            assertThat(delete(emulator, DELETE_BATCH, "{\"classificationId\":\"c1\",\"batchId\":\"" + id + "\"}")
                    .statusCode()).as(id).isEqualTo(expected);
        }
    }

    // --- failure injection and latency --------------------------------------------------------------------------

    @Test
    void injectedServerErrorsFollowTheShareAndDeleteNothing() throws Exception {
        Settings settings = Settings.defaults().withApiKey(KEY).withErrorRate(0.25).withSeed(42);
        ExtractaEmulator emulator = start(settings);
        List<String> failed = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            HttpResponse<String> answer = delete(emulator, DELETE_BATCH, batchBody("b" + i));
            if (answer.statusCode() == 500) {
                assertThat(MAPPER.readTree(answer.body()).get("status").asText()).isEqualTo("error");
                failed.add("b" + i);
            } else {
                assertThat(answer.statusCode()).isEqualTo(200);
            }
        }
        assertThat(failed.size()).isBetween(60, 140);
        ExtractaEmulator.Stats stats = emulator.stats();
        assertThat(stats.deletes()).isEqualTo(400 - failed.size());
        assertThat(stats.answers(500)).isEqualTo(failed.size());

        // a retry after an injected 500 deletes (never a 404: the failure had deleted nothing)
        for (String id : failed) {
            int status;
            do {
                status = delete(emulator, DELETE_BATCH, batchBody(id)).statusCode();
            } while (status == 500);
            assertThat(status).as(id).isEqualTo(200);
        }
        assertThat(emulator.stats().deletes()).isEqualTo(400);
        assertThat(emulator.stats().answers(404)).isZero();

        // the same seed and the same number of requests: the same count of failures
        ExtractaEmulator again = start(settings);
        long failures = 0;
        for (int i = 0; i < 400; i++) {
            failures += delete(again, DELETE_BATCH, batchBody("b" + i)).statusCode() == 500 ? 1 : 0;
        }
        assertThat(failures).isEqualTo(failed.size());
    }

    @Test
    void anInjected429CarriesRetryAfterAndDeletesNothing() throws Exception {
        ExtractaEmulator emulator = start(Settings.defaults().withApiKey(KEY).withRateLimitRate(1)
                .withRetryAfterSeconds(7));
        HttpResponse<String> answer = delete(emulator, DELETE_BATCH, batchBody("b1"));
        assertThat(answer.statusCode()).isEqualTo(429);
        assertThat(answer.headers().firstValue("Retry-After")).hasValue("7");
        assertThat(MAPPER.readTree(answer.body()).get("status").asText()).isEqualTo("error");
        assertThat(emulator.stats().deletes()).isZero();
        assertThat(emulator.stats().answers(429)).isEqualTo(1);

        ExtractaEmulator withoutHeader = start(Settings.defaults().withApiKey(KEY).withRateLimitRate(1)
                .withRetryAfterSeconds(-1));
        HttpResponse<String> bare = delete(withoutHeader, DELETE_BATCH, batchBody("b1"));
        assertThat(bare.statusCode()).isEqualTo(429);
        assertThat(bare.headers().firstValue("Retry-After")).isEmpty();

        // an injected failure comes after the key check: a wrong key is still 401
        assertThat(call(emulator, "DELETE", DELETE_BATCH, batchBody("b1"), "Bearer wrong").statusCode()).isEqualTo(401);
    }

    @Test
    void everyAnswerIsHeldForTheLatency() throws Exception {
        ExtractaEmulator emulator = start(Settings.defaults().withApiKey(KEY).withLatencyMillis(150));
        for (int i = 0; i < 3; i++) {
            long start = System.nanoTime();
            delete(emulator, DELETE_BATCH, batchBody("slow" + i));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(150));
        }
        long start = System.nanoTime();
        assertThat(call(emulator, "GET", "/nowhere", null, null).statusCode()).isEqualTo(404);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(150));
    }

    @Test
    void concurrentRequestsAreServedInParallel() {
        ExtractaEmulator emulator = start(Settings.defaults().withApiKey(KEY).withLatencyMillis(500));
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            answers.add(CLIENT.sendAsync(deleteRequest(emulator, DELETE_BATCH, batchBody("p" + i)),
                    BodyHandlers.ofString()));
        }
        assertThat(answers).allSatisfy(f -> assertThat(f.join().statusCode()).isEqualTo(200));
        // all eight were being handled at the same moment: none waited for another one's latency
        assertThat(emulator.stats().peakInFlight()).isEqualTo(8);
    }

    @Test
    void answersComeWithoutNagleDelays() throws Exception {
        // headers and body are written apart: without TCP_NODELAY each answer would wait ~40 ms. Timing 200 answers
        // told that apart on an idle machine only (4.3 s on a busy one): the JDK server's switch is checked instead,
        // and bench/run measures the speed
        ExtractaEmulator emulator = start();
        assertThat(delete(emulator, DELETE_BATCH, batchBody("fast1")).statusCode()).isEqualTo(200);
        assertThat(System.getProperty("sun.net.httpserver.nodelay")).isEqualTo("true");
    }

    // --- isolation ----------------------------------------------------------------------------------------------

    @Test
    void itListensOn127001Only() throws Exception {
        ExtractaEmulator emulator = start();
        assertThat(emulator.address().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(emulator.baseUrl()).isEqualTo("http://127.0.0.1:" + emulator.port() + "/api/v1");
        Optional<InetAddress> external = Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
                .flatMap(n -> Collections.list(n.getInetAddresses()).stream())
                .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress()).findFirst();
        if (external.isPresent()) {
            try (Socket socket = new Socket()) {
                assertThatThrownBy(() -> socket.connect(new InetSocketAddress(external.get(), emulator.port()), 2000))
                        .as("not reachable on " + external.get()).isInstanceOf(IOException.class);
            }
        }
    }

    @Test
    void theApplicationNeverRefersToTheEmulator() throws IOException {
        List<Path> files = new ArrayList<>();
        for (String dir : List.of("routes", "src/main/resources")) {
            try (Stream<Path> walk = Files.walk(Path.of(dir))) {
                walk.filter(Files::isRegularFile).forEach(files::add);
            }
        }
        assertThat(files).anyMatch(p -> p.endsWith("application.properties"));
        for (Path file : files) {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            assertThat(text).as(file.toString()).doesNotContain("ExtractaEmulator").doesNotContain(".sandbox");
        }
    }

    // --- settings and command line ------------------------------------------------------------------------------

    @Test
    void settingsNeverShowTheKeyAndRefuseNonsense() {
        Settings settings = Settings.defaults().withApiKey(KEY).withLatencyMillis(50).withErrorRate(0.1);
        assertThat(settings.toString()).doesNotContain(KEY).contains("apiKey=****").contains("latencyMillis=50");
        assertThat(settings.latencyMillis()).isEqualTo(50);
        assertThat(Settings.defaults().apiKey()).isEqualTo(Settings.DEFAULT_API_KEY);
        assertThatThrownBy(() -> Settings.defaults().withErrorRate(1.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Settings.defaults().withErrorRate(Double.NaN))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Settings.defaults().withErrorRate(0.6).withRateLimitRate(0.6))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Settings.defaults().withLatencyMillis(-1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Settings.defaults().withApiKey("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Settings.defaults().withApiKey("a key")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Settings.defaults().withPort(70000)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Settings.defaults().withThreads(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theCommandLineStartsItAndPrintsTheBaseUrlButNeverTheKey() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        ExtractaEmulator emulator = ExtractaEmulator.launch(new String[] {"--port", "0", "--key", KEY,
                "--latency-ms", "20", "--error-rate", "0", "--rate-limit-rate=0", "--retry-after", "3", "--seed", "9"},
                new PrintStream(printed, true, StandardCharsets.UTF_8));
        started.add(emulator);
        String output = printed.toString(StandardCharsets.UTF_8);
        assertThat(output.lines()).hasSize(1);
        assertThat(output).contains(emulator.baseUrl()).doesNotContain(KEY);
        assertThat(emulator.settings().latencyMillis()).isEqualTo(20);
        assertThat(emulator.settings().retryAfterSeconds()).isEqualTo(3);
        assertThat(emulator.settings().seed()).isEqualTo(9);
        assertThat(delete(emulator, DELETE_BATCH, batchBody("cli1")).statusCode()).isEqualTo(200);

        for (String[] bad : List.of(new String[] {"--port"}, new String[] {"--latency", "5"},
                new String[] {"--port", "x"}, new String[] {"8089"}, new String[] {"--seed", "1", "--seed", "2"})) {
            assertThatThrownBy(() -> Settings.fromArgs(bad)).as(String.join(" ", bad))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    // --- the real application against the emulator --------------------------------------------------------------

    @Test
    void theRealApplicationDeletesThroughTheEmulator() throws Exception {
        ExtractaEmulator emulator = start();
        try (TestApp app = TestApp.startAgainst("emulator", emulator.baseUrl(), Map.of())) {
            app.drop("sandbox.csv", "classificationId,batchId\n"
                    + "c1,b9dAUzUVlw\n"     // 2
                    + "c1,b2\n"             // 3
                    + "c1,unknown-b3\n"     // 4 the emulator never had it: 404
                    + "c1,\"b 4\"\n"        // 5 invalid: never sent
                    + "c2,b5\n");           // 6
            JsonNode report = app.awaitReport("sandbox.csv");

            assertThat(report.get("status").asText()).isEqualTo("DONE");
            assertThat(report.get("rowsRead").asLong()).isEqualTo(5);
            JsonNode outcomes = report.get("outcomes");
            assertThat(outcomes.get("DELETED").asLong()).isEqualTo(3);
            assertThat(outcomes.get("REJECTED").asLong()).isEqualTo(1);
            assertThat(outcomes.get("INVALID_INPUT").asLong()).isEqualTo(1);
            List<JsonNode> records = app.deadLetters("sandbox.csv");
            assertThat(records).hasSize(2);
            JsonNode rejected = records.stream().filter(r -> r.get("line").asLong() == 4).findFirst().orElseThrow();
            assertThat(rejected.get("reason").asText()).isEqualTo("REJECTED");
            assertThat(rejected.get("httpStatus").asInt()).isEqualTo(404);
            assertThat(rejected.get("message").asText()).isEqualTo("Batch not found");
            assertThat(records).anyMatch(r -> r.get("line").asLong() == 5
                    && r.get("reason").asText().equals("INVALID_INPUT"));

            ExtractaEmulator.Stats stats = emulator.stats();
            assertThat(stats.requests(CREDITS)).as("the start-up key check").isEqualTo(1);
            assertThat(stats.requests(DELETE_BATCH)).isEqualTo(4);
            assertThat(stats.deletes(DELETE_BATCH)).isEqualTo(3);
            assertThat(stats.answers(404)).isEqualTo(1);
            assertThat(stats.answers(401)).isZero();
            assertThat(stats.answers(400)).as("the app's JSON body is accepted as is").isZero();
        }
    }

    @Test
    void theRealApplicationRetriesInjectedFailuresWithoutDeletingTwice() throws Exception {
        ExtractaEmulator emulator = start(Settings.defaults().withApiKey(KEY).withErrorRate(0.2).withRateLimitRate(0.1)
                .withRetryAfterSeconds(0).withSeed(3));
        StringBuilder csv = new StringBuilder("classificationId,batchId\n");
        for (int i = 0; i < 30; i++) {
            csv.append("c1,r").append(i).append('\n');
        }
        try (TestApp app = TestApp.startAgainst("emulator-flaky", emulator.baseUrl(),
                Map.of("extracta.retry.max-attempts", "10", "extracta.retry.max-delay", "200"))) {
            app.drop("flaky.csv", csv.toString());
            JsonNode report = app.awaitReport("flaky.csv");
            assertThat(report.get("outcomes").get("DELETED").asLong()).isEqualTo(30);
            ExtractaEmulator.Stats stats = emulator.stats();
            assertThat(stats.deletes(DELETE_BATCH)).isEqualTo(30);
            assertThat(stats.answers(500) + stats.answers(429)).as("failures were injected").isPositive();
            assertThat(stats.answers(404)).as("an injected failure deleted nothing").isZero();
            assertThat(stats.requests(DELETE_BATCH)).as("retries").isGreaterThan(30);
        }
    }

    // --- helpers ------------------------------------------------------------------------------------------------

    private static String error(String message) {
        return "{\"status\":\"error\",\"message\":\"" + message + "\"}";
    }

    private static String batchBody(String batchId) {
        return "{\"classificationId\":\"c1\",\"batchId\":\"" + batchId + "\"}";
    }

    private static HttpRequest deleteRequest(ExtractaEmulator emulator, String path, String body) {
        return request(emulator, "DELETE", path, body, "Bearer " + KEY);
    }

    private static HttpResponse<String> delete(ExtractaEmulator emulator, String path, String body) {
        return call(emulator, "DELETE", path, body, "Bearer " + KEY);
    }

    private static HttpResponse<String> call(ExtractaEmulator emulator, String method, String path, String body,
                                             String authorization) {
        try {
            return CLIENT.send(request(emulator, method, path, body, authorization), BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static HttpRequest request(ExtractaEmulator emulator, String method, String path, String body,
                                       String authorization) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(emulator.baseUrl() + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body));
        if (body != null) {
            builder.header("Content-Type", "application/json");
        }
        if (authorization != null) {
            builder.header("Authorization", authorization);
        }
        return builder.build();
    }

    private static void assertAnswer(HttpResponse<String> answer, int status, String body) {
        assertThat(answer.statusCode()).as(answer.request().method() + " " + answer.uri()).isEqualTo(status);
        assertThat(answer.body()).isEqualTo(body);
    }
}
