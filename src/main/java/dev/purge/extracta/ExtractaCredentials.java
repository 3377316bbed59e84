package dev.purge.extracta;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.camel.component.http.HttpClientConfigurer;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.core5.http.HttpHeaders;

/**
 * The API key, from {@code extracta.api-key} or from the file named by {@code extracta.api-key-file} (a container
 * secret; the file wins when both are set). It is added to each request by the HTTP client of the delete endpoint
 * only, so it never sits in a Camel message header where tracing, a dead-letter endpoint or another route could see
 * it, and it never appears in a route definition.
 */
public class ExtractaCredentials implements HttpClientConfigurer {

    private String apiKey = "";
    private String apiKeyFile = "";
    private volatile String resolved;

    public void setApiKey(String apiKey) {
        this.apiKey = apiKey == null ? "" : apiKey;
    }

    public void setApiKeyFile(String apiKeyFile) {
        this.apiKeyFile = apiKeyFile == null ? "" : apiKeyFile.strip();
    }

    /** Reads and checks the key once; returns "" when none is configured. Messages never contain the key. */
    public synchronized String resolve() {
        if (resolved != null) {
            return resolved;
        }
        String key = apiKey;
        if (!apiKeyFile.isEmpty()) {
            try {
                // a secret file usually ends with a newline: only trailing line breaks and spaces are dropped
                key = Files.readString(Path.of(apiKeyFile), StandardCharsets.UTF_8).stripTrailing();
            } catch (IOException e) {
                throw new IllegalStateException("Cannot read the API key file extracta.api-key-file=" + apiKeyFile
                        + ": " + e.getClass().getSimpleName());
            }
            if (key.isEmpty()) {
                throw new IllegalStateException("The API key file " + apiKeyFile + " is empty");
            }
        }
        if (!key.chars().allMatch(c -> c > 0x20 && c < 0x7F)) {
            // a pasted key with a newline or spaces would fail every request with an obscure header error
            throw new IllegalStateException("The Extracta API key contains whitespace or non-printable characters: "
                    + "check EXTRACTA_API_KEY (or the key file) for a trailing newline or spaces");
        }
        SecretRedactor.register(key);
        resolved = key;
        return key;
    }

    @Override
    public void configureHttpClient(HttpClientBuilder builder) {
        builder.addRequestInterceptorFirst((request, entity, context) ->
                request.setHeader(HttpHeaders.AUTHORIZATION, "Bearer " + resolve()));
    }

    @Override
    public String toString() {
        return "ExtractaCredentials[****]";
    }
}
