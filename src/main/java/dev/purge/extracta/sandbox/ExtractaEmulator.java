package dev.purge.extracta.sandbox;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.purge.extracta.sandbox.EmulatedAccount.Answer;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * A local stand-in for the Extracta.ai delete API, for a newcomer's sandbox, the tests and benchmarks: the four
 * delete endpoints and {@code GET /credits}, with the documented success bodies, a bearer-key check, request
 * validation, state (a second delete of the same thing answers 404), IDs it never had, a fixed latency and injected
 * 500 and 429 answers.
 *
 * <p>It is never part of a production run: it lives in its own package, no route, property or bean of the
 * application refers to it, it binds to 127.0.0.1 only (never a wildcard address), and it runs only when started
 * explicitly, by {@link #start()} or by {@link #main(String[])}:
 * <pre>
 * java -cp target/extracta-purge.jar dev.purge.extracta.sandbox.ExtractaEmulator --port 8089 --key sandbox-key
 * </pre>
 *
 * <p>Every path lives under {@code /api/v1} like the real API, so {@link #baseUrl()} is what {@code extracta.base-url}
 * takes. The order of checks: unknown path 404, wrong method 405, missing or wrong key 401, injected failure (500 or
 * 429, nothing deleted), then the body (400 for anything invalid, nothing deleted), then the state (404 for an ID it
 * never had or something already deleted, else 200 and the delete is done). The delete takes effect when the request
 * is handled; the answer is then held for the latency, as a slow server that has done the work would.
 *
 * <p>Nothing is logged per request and the key is never printed: read {@link #stats()} instead.
 */
public final class ExtractaEmulator implements AutoCloseable {

    public static final String BASE_PATH = "/api/v1";
    public static final String DELETE_BATCH = "/documentClassification/deleteBatch";
    public static final String DELETE_CLASSIFICATION = "/documentClassification/deleteClassification";
    public static final String DELETE_FILES = "/documentClassification/deleteFiles";
    public static final String DELETE_EXTRACTION = "/deleteExtraction";
    public static final String CREDITS = "/credits";
    /** The balance {@code GET /credits} reports; it never changes. */
    public static final long CREDITS_BALANCE = 1000;
    /** Larger request bodies answer 413. */
    static final int MAX_BODY_BYTES = 64 * 1024;

    static {
        // the JDK server flushes the headers before the body: without TCP_NODELAY each answer waits ~40 ms for the
        // client's delayed ACK. Read once, when the JVM's first HttpServer starts; an explicit -D setting wins.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private static final ObjectMapper JSON = JsonMapper.builder()
            // {"batchId":"a","batchId":"b"} or trailing data is ambiguous: refused, never guessed
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private static final String USAGE = "usage: ExtractaEmulator [--help] [--port N] [--key KEY] [--latency-ms N] "
            + "[--error-rate 0..1] [--rate-limit-rate 0..1] [--retry-after SECONDS] [--seed N] "
            + "[--unknown-prefix TEXT] [--unknown-share 0..1] [--threads N]";

    /** The method an endpoint takes, and its delete (null for GET /credits). */
    private record Endpoint(String method, Function<JsonNode, Answer> delete) {
    }

    private final Settings settings;
    private final byte[] expectedKey;
    private final EmulatedAccount account;
    private final Map<String, Endpoint> endpoints;
    private final Random random;
    private final Map<String, LongAdder> requestsByEndpoint = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> deletesByEndpoint = new ConcurrentHashMap<>();
    private final Map<Integer, LongAdder> answersByStatus = new ConcurrentHashMap<>();
    private final LongAdder requests = new LongAdder();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger peakInFlight = new AtomicInteger();
    private HttpServer server;
    private ExecutorService executor;

    public ExtractaEmulator(Settings settings) {
        this.settings = settings;
        this.expectedKey = settings.apiKey().getBytes(StandardCharsets.UTF_8);
        this.account = new EmulatedAccount(settings::isUnknown);
        this.random = new Random(settings.seed());
        this.endpoints = Map.of(
                DELETE_BATCH, new Endpoint("DELETE", account::deleteBatch),
                DELETE_CLASSIFICATION, new Endpoint("DELETE", account::deleteClassification),
                DELETE_FILES, new Endpoint("DELETE", account::deleteFiles),
                DELETE_EXTRACTION, new Endpoint("DELETE", account::deleteExtraction),
                CREDITS, new Endpoint("GET", null));
        for (String path : endpoints.keySet()) {
            requestsByEndpoint.put(path, new LongAdder());
            deletesByEndpoint.put(path, new LongAdder());
        }
    }

    /** Starts listening on 127.0.0.1 and the configured port (0: a free one). Returns this, for chaining. */
    public synchronized ExtractaEmulator start() {
        if (server != null) {
            throw new IllegalStateException("already started");
        }
        InetSocketAddress address;
        try {
            address = new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), settings.port());
            server = HttpServer.create(address, 1024);
        } catch (IOException e) {
            server = null;
            throw new UncheckedIOException("could not listen on 127.0.0.1:" + settings.port() + ": " + e.getMessage(),
                    e);
        }
        executor = Executors.newFixedThreadPool(settings.threads(), daemonThreads());
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
        return this;
    }

    /** The port it listens on (the free one picked when the settings said 0). */
    public int port() {
        return address().getPort();
    }

    /** The address it is bound to: always 127.0.0.1. */
    public InetSocketAddress address() {
        if (server == null) {
            throw new IllegalStateException("not started");
        }
        return server.getAddress();
    }

    /** What {@code extracta.base-url} takes, e.g. {@code http://127.0.0.1:8089/api/v1}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port() + BASE_PATH;
    }

    public Settings settings() {
        return settings;
    }

    /** A snapshot of the counters since the start. */
    public Stats stats() {
        return new Stats(requests.sum(), sums(requestsByEndpoint), sums(deletesByEndpoint), sums(answersByStatus),
                peakInFlight.get());
    }

    /** Stops at once: requests in flight are cut. Safe to call twice. */
    @Override
    public synchronized void close() {
        if (server != null) {
            server.stop(0);
            executor.shutdownNow();
            server = null;
        }
    }

    private void handle(HttpExchange exchange) {
        peakInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        requests.increment();
        try {
            Answer answer;
            try {
                answer = answer(exchange);
            } catch (RuntimeException e) {
                // a bug of the emulator: a 500 the client sees, told apart from an injected one by its message
                answer = Answer.error(500, "Emulator failure");
            }
            if (settings.latencyMillis() > 0) {
                Thread.sleep(settings.latencyMillis());
            }
            send(exchange, answer);
        } catch (InterruptedException e) {
            // closed while the answer was held: the connection is cut, as a server going away would
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // the client went away; nothing to tell anyone
        } finally {
            inFlight.decrementAndGet();
            exchange.close();
        }
    }

    private Answer answer(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readNBytes(MAX_BODY_BYTES + 1);
        String path = exchange.getRequestURI().getPath();
        Endpoint endpoint = path.startsWith(BASE_PATH) ? endpoints.get(path.substring(BASE_PATH.length())) : null;
        if (endpoint == null) {
            return Answer.error(404, "Not found");
        }
        String name = path.substring(BASE_PATH.length());
        requestsByEndpoint.get(name).increment();
        if (!endpoint.method().equals(exchange.getRequestMethod())) {
            exchange.getResponseHeaders().set("Allow", endpoint.method());
            return Answer.error(405, "Method not allowed");
        }
        if (!authorized(exchange.getRequestHeaders().get("Authorization"))) {
            return Answer.error(401, "Invalid API key");
        }
        Answer injected = injectedFailure(exchange);
        if (injected != null) {
            return injected;
        }
        if (endpoint.delete() == null) {
            return new Answer(200, "{\"status\":\"ok\",\"credits\":" + CREDITS_BALANCE + "}", false);
        }
        if (body.length == 0) {
            return Answer.error(400, "Request body is required");
        }
        if (body.length > MAX_BODY_BYTES) {
            return Answer.error(413, "Request body too large");
        }
        JsonNode json;
        try {
            json = JSON.readTree(body);
        } catch (JacksonException e) {
            return Answer.error(400, "Request body is not valid JSON");
        }
        if (json == null || !json.isObject()) {
            return Answer.error(400, "Request body must be a JSON object");
        }
        Answer answer = endpoint.delete().apply(json);
        if (answer.deleted()) {
            deletesByEndpoint.get(name).increment();
        }
        return answer;
    }

    /** Exactly one {@code Authorization: Bearer <key>} header (scheme in any case); the key compared in fixed time. */
    private boolean authorized(List<String> values) {
        if (values == null || values.size() != 1) {
            return false;
        }
        String value = values.get(0);
        if (!value.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        return MessageDigest.isEqual(value.substring(7).getBytes(StandardCharsets.UTF_8), expectedKey);
    }

    /** One draw per authorised request, so a seed gives the same count of failures for the same number of requests. */
    private Answer injectedFailure(HttpExchange exchange) {
        if (settings.errorRate() == 0 && settings.rateLimitRate() == 0) {
            return null;
        }
        double draw = random.nextDouble();
        if (draw < settings.errorRate()) {
            return Answer.error(500, "Internal server error (injected by the emulator)");
        }
        if (draw < settings.errorRate() + settings.rateLimitRate()) {
            if (settings.retryAfterSeconds() >= 0) {
                exchange.getResponseHeaders().set("Retry-After", Integer.toString(settings.retryAfterSeconds()));
            }
            return Answer.error(429, "Too many requests (injected by the emulator)");
        }
        return null;
    }

    private void send(HttpExchange exchange, Answer answer) throws IOException {
        answersByStatus.computeIfAbsent(answer.status(), s -> new LongAdder()).increment();
        byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        if ("HEAD".equals(exchange.getRequestMethod())) {
            exchange.sendResponseHeaders(answer.status(), -1);  // a HEAD answer has no body
            return;
        }
        exchange.sendResponseHeaders(answer.status(), bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static <K extends Comparable<K>> Map<K, Long> sums(Map<K, LongAdder> counters) {
        Map<K, Long> sums = new TreeMap<>();
        counters.forEach((k, v) -> sums.put(k, v.sum()));
        return Collections.unmodifiableMap(sums);
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, "extracta-emulator-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /**
     * Runs it from the command line until Ctrl-C; prints one line with the base URL, and one with its counters when
     * it stops (never the key).
     */
    public static void main(String[] args) throws InterruptedException {
        if (List.of(args).contains("--help")) {
            System.out.println(USAGE);
            return;
        }
        ExtractaEmulator emulator;
        try {
            emulator = launch(args, System.out);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        } catch (UncheckedIOException e) {
            System.err.println("Extracta emulator " + e.getMessage());
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            // the counters a benchmark checks (deletes done, second deletes answered 404), never the key
            Stats stats = emulator.stats();
            System.out.println("Extracta emulator stats: requests=" + stats.requests() + " deletes=" + stats.deletes()
                    + " answers=" + stats.answersByStatus() + " peakInFlight=" + stats.peakInFlight());
            System.out.flush();
            emulator.close();
            stopped.countDown();
        }, "extracta-emulator-shutdown"));
        stopped.await();
    }

    /** Parses the options, starts the emulator and prints the line {@link #main} prints. */
    static ExtractaEmulator launch(String[] args, PrintStream out) {
        ExtractaEmulator emulator = new ExtractaEmulator(Settings.fromArgs(args)).start();
        out.println("Extracta emulator listening on " + emulator.baseUrl() + " (sandbox only; Ctrl-C to stop)");
        return emulator;
    }

    /**
     * What the emulator does, immutable: build from {@link #defaults()} with the {@code with...} methods.
     *
     * @param port              port on 127.0.0.1; 0 picks a free one
     * @param apiKey            the only key accepted as {@code Authorization: Bearer <key>}; never printed
     * @param latencyMillis     every answer is held this long (on its own worker thread: others are not delayed)
     * @param errorRate         share of authorised requests answered 500, nothing deleted (0..1)
     * @param rateLimitRate     share answered 429, nothing deleted (0..1; with errorRate at most 1)
     * @param retryAfterSeconds the 429's {@code Retry-After}; negative: the header is left out
     * @param seed              seed of the random draws deciding injected failures and the unknown share
     * @param unknownPrefix     IDs starting with it are unknown to the emulator (404); empty: none
     * @param unknownShare      share of all other IDs that are unknown too, decided by a stable hash of the ID and seed
     * @param threads           worker threads: requests answered at once, latency included
     */
    public record Settings(int port, String apiKey, long latencyMillis, double errorRate, double rateLimitRate,
                           int retryAfterSeconds, long seed, String unknownPrefix, double unknownShare, int threads) {

        public static final String DEFAULT_API_KEY = "sandbox-key";
        public static final String DEFAULT_UNKNOWN_PREFIX = "unknown";

        public Settings {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0..65535, was " + port);
            }
            if (apiKey == null || apiKey.isEmpty() || apiKey.chars().anyMatch(c -> c <= ' ' || c == 127)) {
                throw new IllegalArgumentException("the key must be non-empty, without whitespace or control "
                        + "characters");
            }
            if (latencyMillis < 0) {
                throw new IllegalArgumentException("latency must be 0 or more ms, was " + latencyMillis);
            }
            share("error rate", errorRate);
            share("rate-limit rate", rateLimitRate);
            share("error rate plus rate-limit rate", errorRate + rateLimitRate);
            share("unknown share", unknownShare);
            if (unknownPrefix == null) {
                throw new IllegalArgumentException("unknown prefix must not be null (empty: none)");
            }
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be 1 or more, was " + threads);
            }
        }

        /** Free port, key {@value #DEFAULT_API_KEY}, no latency or failures, seed 1, IDs starting "unknown" unknown. */
        public static Settings defaults() {
            return new Settings(0, DEFAULT_API_KEY, 0, 0, 0, 1, 1, DEFAULT_UNKNOWN_PREFIX, 0, 64);
        }

        public Settings withPort(int port) {
            return new Settings(port, apiKey, latencyMillis, errorRate, rateLimitRate, retryAfterSeconds, seed,
                    unknownPrefix, unknownShare, threads);
        }

        public Settings withApiKey(String apiKey) {
            return new Settings(port, apiKey, latencyMillis, errorRate, rateLimitRate, retryAfterSeconds, seed,
                    unknownPrefix, unknownShare, threads);
        }

        public Settings withLatencyMillis(long latencyMillis) {
            return new Settings(port, apiKey, latencyMillis, errorRate, rateLimitRate, retryAfterSeconds, seed,
                    unknownPrefix, unknownShare, threads);
        }

        public Settings withErrorRate(double errorRate) {
            return new Settings(port, apiKey, latencyMillis, errorRate, rateLimitRate, retryAfterSeconds, seed,
                    unknownPrefix, unknownShare, threads);
        }

        public Settings withRateLimitRate(double rateLimitRate) {
            return new Settings(port, apiKey, latencyMillis, errorRate, rateLimitRate, retryAfterSeconds, seed,
                    unknownPrefix, unknownShare, threads);
        }

        public Settings withRetryAfterSeconds(int retryAfterSeconds) {
            return new Settings(port, apiKey, latencyMillis, errorRate, rateLimitRate, retryAfterSeconds, seed,
                    unknownPrefix, unknownShare, threads);
        }

        public Settings withSeed(long seed) {
            return new Settings(port, apiKey, latencyMillis, errorRate, rateLimitRate, retryAfterSeconds, seed,
                    unknownPrefix, unknownShare, threads);
        }

        public Settings withUnknownPrefix(String unknownPrefix) {
            return new Settings(port, apiKey, latencyMillis, errorRate, rateLimitRate, retryAfterSeconds, seed,
                    unknownPrefix, unknownShare, threads);
        }

        public Settings withUnknownShare(double unknownShare) {
            return new Settings(port, apiKey, latencyMillis, errorRate, rateLimitRate, retryAfterSeconds, seed,
                    unknownPrefix, unknownShare, threads);
        }

        public Settings withThreads(int threads) {
            return new Settings(port, apiKey, latencyMillis, errorRate, rateLimitRate, retryAfterSeconds, seed,
                    unknownPrefix, unknownShare, threads);
        }

        /**
         * Whether the emulator never had this ID: it starts with {@link #unknownPrefix()}, or falls in
         * {@link #unknownShare()} by a hash of the ID and seed, so the same ID is always known or always unknown.
         */
        public boolean isUnknown(String id) {
            if (!unknownPrefix.isEmpty() && id.startsWith(unknownPrefix)) {
                return true;
            }
            if (unknownShare == 0) {
                return false;
            }
            // SplitMix64's finaliser over the ID's (specified, stable) String hash and the seed
            long z = seed + 0x9E3779B97F4A7C15L * (id.hashCode() + 1L);
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            z ^= z >>> 31;
            return (z >>> 11) * 0x1.0p-53 < unknownShare;
        }

        /** Never shows the key. */
        @Override
        public String toString() {
            return "Settings[port=" + port + ", apiKey=****, latencyMillis=" + latencyMillis
                    + ", errorRate=" + errorRate + ", rateLimitRate=" + rateLimitRate
                    + ", retryAfterSeconds=" + retryAfterSeconds + ", seed=" + seed + ", unknownPrefix=" + unknownPrefix
                    + ", unknownShare=" + unknownShare + ", threads=" + threads + "]";
        }

        /** The command line: {@code --name value} or {@code --name=value}, each option at most once. */
        static Settings fromArgs(String[] args) {
            Settings s = defaults();
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                String name = arg;
                String value;
                int eq = arg.indexOf('=');
                if (arg.startsWith("--") && eq > 0) {
                    name = arg.substring(0, eq);
                    value = arg.substring(eq + 1);
                } else if (arg.startsWith("--") && i + 1 < args.length) {
                    value = args[++i];
                } else {
                    throw new IllegalArgumentException("unexpected argument or missing value: " + arg);
                }
                if (!seen.add(name)) {
                    throw new IllegalArgumentException("option given twice: " + name);
                }
                try {
                    s = switch (name) {
                        case "--port" -> s.withPort(Integer.parseInt(value));
                        case "--key" -> s.withApiKey(value);
                        case "--latency-ms" -> s.withLatencyMillis(Long.parseLong(value));
                        case "--error-rate" -> s.withErrorRate(Double.parseDouble(value));
                        case "--rate-limit-rate" -> s.withRateLimitRate(Double.parseDouble(value));
                        case "--retry-after" -> s.withRetryAfterSeconds(Integer.parseInt(value));
                        case "--seed" -> s.withSeed(Long.parseLong(value));
                        case "--unknown-prefix" -> s.withUnknownPrefix(value);
                        case "--unknown-share" -> s.withUnknownShare(Double.parseDouble(value));
                        case "--threads" -> s.withThreads(Integer.parseInt(value));
                        default -> throw new IllegalArgumentException("unknown option: " + name);
                    };
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(name + " needs a number, was '" + value + "'");
                }
            }
            return s;
        }

        private static void share(String what, double value) {
            if (!(value >= 0 && value <= 1)) {
                throw new IllegalArgumentException(what + " must be between 0 and 1, was " + value);
            }
        }
    }

    /**
     * Counters since the start, keyed by endpoint path below {@link #BASE_PATH} (e.g. {@link #DELETE_BATCH}).
     *
     * @param requests           every request received, unknown paths included
     * @param requestsByEndpoint requests received per endpoint, whatever their answer
     * @param deletesByEndpoint  deletes performed per endpoint (a 200 that deleted something)
     * @param answersByStatus    answers sent per HTTP status
     * @param peakInFlight       most requests being handled at the same moment
     */
    public record Stats(long requests, Map<String, Long> requestsByEndpoint, Map<String, Long> deletesByEndpoint,
                        Map<Integer, Long> answersByStatus, int peakInFlight) {

        public long requests(String endpoint) {
            return requestsByEndpoint.getOrDefault(endpoint, 0L);
        }

        /** Deletes performed over all endpoints. */
        public long deletes() {
            return deletesByEndpoint.values().stream().mapToLong(Long::longValue).sum();
        }

        public long deletes(String endpoint) {
            return deletesByEndpoint.getOrDefault(endpoint, 0L);
        }

        public long answers(int status) {
            return answersByStatus.getOrDefault(status, 0L);
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "requests=%d %s, deletes=%s, answers=%s, peakInFlight=%d", requests,
                    requestsByEndpoint, deletesByEndpoint, answersByStatus, peakInFlight);
        }
    }
}
