import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The two clients the purge application is measured against, sending the same DELETE requests for the rows of a
 * CSV file (header classificationId,batchId; no quoting):
 * <ul>
 * <li>{@code vendor}: the way the vendor's example deletes, one row at a time, a new connection for each request;</li>
 * <li>{@code raw}: a plain java.net.http.HttpClient loop, {@code concurrency} requests in flight on pooled
 * connections, with no validation, retries, journal or idempotency.</li>
 * </ul>
 * Run with the JDK's source launcher: {@code java bench/BaselineClients.java raw BASE_URL FILE CONCURRENCY}; the API
 * key comes from the environment variable EXTRACTA_API_KEY. Prints one line: {@code client=… rows=… ok=… wallMs=…}.
 */
public class BaselineClients {

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        String url = args[1] + "/documentClassification/deleteBatch";
        List<String> lines = Files.readAllLines(Path.of(args[2]));
        int concurrency = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        String key = System.getenv("EXTRACTA_API_KEY");
        List<String> rows = lines.subList(1, lines.size());
        AtomicInteger ok = new AtomicInteger();
        long start = System.nanoTime();
        if (mode.equals("vendor")) {
            for (String row : rows) {
                // a new client, so a new connection, for every request, as a script calling requests.delete does
                HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
                if (send(client, url, key, row) / 100 == 2) {
                    ok.incrementAndGet();
                }
            }
        } else if (mode.equals("raw")) {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                    .executor(Executors.newFixedThreadPool(2)).build();
            ExecutorService workers = Executors.newFixedThreadPool(concurrency);
            for (String row : rows) {
                workers.submit(() -> {
                    if (send(client, url, key, row) / 100 == 2) {
                        ok.incrementAndGet();
                    }
                    return null;
                });
            }
            workers.shutdown();
            workers.awaitTermination(1, TimeUnit.HOURS);
        } else {
            throw new IllegalArgumentException("mode is vendor or raw");
        }
        long wallMs = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("client=%s rows=%d ok=%d concurrency=%d wallMs=%d rowsPerSecond=%.1f%n", mode, rows.size(),
                ok.get(), mode.equals("vendor") ? 1 : concurrency, wallMs, rows.size() * 1000.0 / Math.max(wallMs, 1));
        System.exit(0); // the HTTP client's executor threads would keep the JVM alive
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
