package dev.purge.extracta.secret;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
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
    public String resolve() {
        String key = resolved;
        return key != null ? key : resolveOnce(); // every request asks: no lock once the key is known
    }

    private synchronized String resolveOnce() {
        if (resolved != null) {
            return resolved;
        }
        String key = apiKey;
        if (!apiKeyFile.isEmpty()) {
            // the value is never echoed: it may be a key pasted where its file's path belongs
            Path file;
            try {
                file = Path.of(apiKeyFile);
            } catch (InvalidPathException e) {
                throw keyFileRefused("is not a file path");
            }
            if (Files.isDirectory(file)) {
                throw keyFileRefused("names a folder, not a file");
            }
            if (!Files.isRegularFile(file)) {
                throw keyFileRefused("names no file that exists (a key pasted there instead of its file's path?)");
            }
            try {
                // a secret file usually ends with a newline: only trailing line breaks and spaces are dropped
                key = Files.readString(file, StandardCharsets.UTF_8).stripTrailing();
            } catch (IOException e) {
                throw keyFileRefused("names a file that cannot be read (" + e.getClass().getSimpleName() + ")");
            }
            if (key.isEmpty()) {
                throw keyFileRefused("names an empty file");
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

    private static IllegalStateException keyFileRefused(String problem) {
        return new IllegalStateException("extracta.api-key-file (EXTRACTA_API_KEY_FILE) " + problem
                + ": set it to the path of a readable file holding the key, or set the key itself in EXTRACTA_API_KEY");
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
