import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The two clients the purge application is measured against, sending the same DELETE requests for the rows of a
 * CSV file (header classificationId,batchId; no quoting):
 * <ul>
 * <li>{@code vendor}: the way the vendor's example deletes, one row at a time, a new connection for each request;</li>
 * <li>{@code raw}: a plain java.net.http.HttpClient loop, {@code concurrency} requests in flight on pooled
 * connections, with no validation, retries, journal or idempotency.</li>
 * </ul>
 * Run with the JDK's source launcher: {@code java bench/BaselineClients.java raw BASE_URL FILE CONCURRENCY [WARM_UP]};
 * the API key comes from the environment variable EXTRACTA_API_KEY. With a WARM_UP file, the raw client first sends
 * its rows, untimed, with the same client and threads (as the app's warm-up file warms the app's JVM). Prints one
 * line: {@code client=… rows=… ok=… wallMs=…}.
 */
public class BaselineClients {

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        String url = args[1] + "/documentClassification/deleteBatch";
        List<String> lines = Files.readAllLines(Path.of(args[2]));
        int concurrency = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        List<String> warmUp = args.length > 4 ? Files.readAllLines(Path.of(args[4])) : List.of("header");
        String key = System.getenv("EXTRACTA_API_KEY");
        List<String> rows = lines.subList(1, lines.size());
        AtomicInteger ok = new AtomicInteger();
        HttpClient pooled = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .executor(Executors.newFixedThreadPool(2)).build();
        ExecutorService workers = Executors.newFixedThreadPool(concurrency);
        if (mode.equals("raw")) {
            sendAll(pooled, workers, url, key, warmUp.subList(1, warmUp.size()), new AtomicInteger());
        }
        long start = System.nanoTime();
        long cpuStart = processCpuNanos();
        if (mode.equals("vendor")) {
            for (String row : rows) {
                // a new client, so a new connection, for every request, as a script calling requests.delete does
                HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
                if (send(client, url, key, row) / 100 == 2) {
                    ok.incrementAndGet();
                }
            }
        } else if (mode.equals("raw")) {
            sendAll(pooled, workers, url, key, rows, ok);
        } else {
            throw new IllegalArgumentException("mode is vendor or raw");
        }
        long wallMs = (System.nanoTime() - start) / 1_000_000;
        long cpuMsPer1000Rows = (processCpuNanos() - cpuStart) / 1_000_000 * 1000 / Math.max(rows.size(), 1);
        System.out.printf("client=%s rows=%d ok=%d concurrency=%d wallMs=%d rowsPerSecond=%.1f cpuMsPer1000Rows=%d%n",
                mode, rows.size(), ok.get(), mode.equals("vendor") ? 1 : concurrency, wallMs,
                rows.size() * 1000.0 / Math.max(wallMs, 1), cpuMsPer1000Rows);
        System.exit(0); // the HTTP client's executor threads would keep the JVM alive
    }

    /** CPU time of this whole process (user and system, every thread), in nanoseconds. */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** Sends every row, concurrency at a time, and returns when all are answered. */
    private static void sendAll(HttpClient client, ExecutorService workers, String url, String key, List<String> rows,
                                AtomicInteger ok) throws Exception {
        List<Future<?>> sent = new ArrayList<>(rows.size());
        for (String row : rows) {
            sent.add(workers.submit(() -> {
                if (send(client, url, key, row) / 100 == 2) {
                    ok.incrementAndGet();
                }
                return null;
            }));
        }
        for (Future<?> f : sent) {
            f.get();
        }
    }

    private static int send(HttpClient client, String url, String key, String row) throws Exception {
        String[] cells = row.split(",", -1);
        String body = "{\"classificationId\":\"" + cells[0] + "\",\"batchId\":\"" + cells[1] + "\"}";
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + key)
                .method("DELETE", HttpRequest.BodyPublishers.ofString(body)).build();
        return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
