package dev.purge.extracta.call;

import dev.purge.extracta.run.Failures;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Before a destructive run, checks the key with {@code GET /credits}, the cheapest call of the API: a refused key
 * (401, 403) or a wrong base URL (404) stops the start with a clear message; a network failure or any other answer is
 * only a warning, since the deletes may still work and will be retried.
 */
public final class CreditsPreflight {

    private static final Logger LOG = LoggerFactory.getLogger(CreditsPreflight.class);

    private CreditsPreflight() {
    }

    /** The status of {@code GET <baseUrl>/credits} with the key (redirects not followed). */
    static int credits(String baseUrl, String apiKey, long timeoutMillis) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder()
                .connectTimeout(Duration.ofMillis(timeoutMillis))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/credits"))
                .timeout(Duration.ofMillis(timeoutMillis))
                .header("Authorization", "Bearer " + apiKey)
                .GET()
                .build();
        return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /**
     * The same request at start-up, made with {@link HttpURLConnection}: one request on the main thread needs neither
     * an {@link HttpClient} (its selector thread and some 250 classes) nor, for the plain http of a loopback address,
     * any TLS set-up; together about a third of a second of every start. The outage probe keeps {@link #credits},
     * which a stop can interrupt.
     */
    static int creditsAtStart(String baseUrl, String apiKey, long timeoutMillis) throws IOException {
        int timeout = (int) Math.min(Integer.MAX_VALUE, timeoutMillis);
        HttpURLConnection connection = (HttpURLConnection) URI.create(baseUrl + "/credits").toURL()
                .openConnection(Proxy.NO_PROXY); // as HttpClient's default: no proxy
        try {
            connection.setInstanceFollowRedirects(false);
            connection.setConnectTimeout(timeout);
            connection.setReadTimeout(timeout);
            connection.setUseCaches(false);
            connection.setRequestProperty("Authorization", "Bearer " + apiKey);
            int status = connection.getResponseCode();
            try (InputStream body = status >= 400 ? connection.getErrorStream() : connection.getInputStream()) {
                if (body != null) {
                    body.transferTo(OutputStream.nullOutputStream());
                }
            }
            return status;
        } finally {
            connection.disconnect();
        }
    }

    public static void check(String baseUrl, String apiKey, long timeoutMillis) {
        int status;
        try {
            status = creditsAtStart(baseUrl, apiKey, timeoutMillis);
        } catch (IOException e) {
            LOG.warn("Could not check the API key with GET /credits ({}); starting anyway", Failures.oneLine(e));
            return;
        }
        if (status == 401 || status == 403) {
            throw new IllegalStateException("The Extracta API refused the API key at GET /credits (HTTP " + status
                    + "): check EXTRACTA_API_KEY (or extracta.api-key-file). Nothing was deleted.");
        }
        if (status == 404) {
            // every delete would be a 404 too, and be dead-lettered as REJECTED
            throw new IllegalStateException("GET " + baseUrl + "/credits answered 404: extracta.base-url is probably "
                    + "wrong (expected something like https://api.extracta.ai/api/v1). Nothing was deleted.");
        }
        if (status >= 200 && status < 300) {
            LOG.info("API key accepted by GET /credits");
        } else {
            LOG.warn("GET /credits answered HTTP {}; starting anyway", status);
        }
    }
}
