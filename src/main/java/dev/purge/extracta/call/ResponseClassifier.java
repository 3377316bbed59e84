package dev.purge.extracta.call;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.purge.extracta.health.PurgeMetrics;
import dev.purge.extracta.health.StateWrites;
import dev.purge.extracta.run.ApiHaltedException;
import dev.purge.extracta.run.DeleteFailedException;
import dev.purge.extracta.run.Failures;
import dev.purge.extracta.run.Outcome;
import dev.purge.extracta.run.RowContext;
import dev.purge.extracta.run.RowSteps;
import dev.purge.extracta.secret.SecretRedactor;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns an Extracta delete answer into an outcome. Only a 2xx whose JSON {@code status} is {@code success} counts
 * as deleted: the API documents no error codes or bodies, so anything else is a failure, classified by status.
 */
public class ResponseClassifier {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int EXCERPT_LENGTH = 200;

    private static final Logger LOG = LoggerFactory.getLogger(ResponseClassifier.class);
    private final AtomicLong lastCapLogged = new AtomicLong(Long.MIN_VALUE / 2);
    private long maxRetryAfter = 60_000;
    private SendGate sendGate;
    private StateWrites stateWrites;
    /** No-op until the application's metrics bean is set. */
    private PurgeMetrics metrics = new PurgeMetrics();

    public void setSendGate(SendGate sendGate) {
        this.sendGate = sendGate;
    }

    /** The longest wait a Retry-After may ask for (ms): extracta.retry.max-delay. */
    public void setMaxRetryAfter(long maxRetryAfter) {
        this.maxRetryAfter = Math.max(0, maxRetryAfter);
    }

    public void setStateWrites(StateWrites stateWrites) {
        this.stateWrites = stateWrites;
    }

    public void setMetrics(PurgeMetrics metrics) {
        this.metrics = metrics;
    }

    /** The delete-batch route's step, called directly (process: ref) rather than through bean binding. */
    public static Processor classifyStep(ResponseClassifier classifier) {
        return RowSteps.step(classifier::classify);
    }

    /**
     * Returns normally for {@link Outcome#DELETED} (or ALREADY_ABSENT); throws {@link DeleteFailedException}
     * otherwise. A 401 halts all sending ({@link ApiHaltedException}); a 429 with Retry-After pauses all sending.
     * Only a 4xx proves the API did nothing; after any other failure the pair may be gone, and a later 404 for it
     * reads ALREADY_ABSENT.
     */
    public void classify(Exchange exchange) throws DeleteFailedException, ApiHaltedException {
        RowContext row = RowContext.of(exchange);
        Integer status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        String body = exchange.getMessage().getBody(String.class);
        String retryAfter = exchange.getMessage().getHeader("Retry-After", String.class);
        int code = status == null ? 0 : status;
        metrics.attemptAnswered(row, code);
        if (code == 404 && row.mayHaveBeenApplied()) {
            // an earlier attempt (timed out, reset, a 5xx, cut by a crash) most likely deleted it: gone either way
            row.outcome(Outcome.ALREADY_ABSENT, null);
            return;
        }
        try {
            try {
                classify(code, body, retryAfter);
            } catch (DeleteFailedException asked) {
                throw capped(asked, retryAfter);
            }
        } catch (DeleteFailedException e) {
            if (code >= 400 && code < 500) {
                answeredWithoutDeleting(row);
            } else {
                row.attemptAmbiguous(); // a 5xx, or a 2xx that does not say success: it may have been carried out
            }
            if (e.getOutcome() == Outcome.UNAUTHORIZED && sendGate != null) {
                // the key is wrong for every row: stop, rather than dead-letter the whole file as UNAUTHORIZED
                sendGate.halt("HTTP 401: " + e.getMessage());
                throw new ApiHaltedException("the API refused the key (HTTP 401)");
            }
            if (e.getOutcome() == Outcome.RATE_LIMITED && e.getRetryAfterMillis() != null && sendGate != null) {
                sendGate.pauseAll(e.getRetryAfterMillis());
            }
            throw e;
        }
    }

    /**
     * A Retry-After longer than {@code extracta.retry.max-delay} (seconds or an HTTP date, however far) is cut to it:
     * no server answer may hold sending for longer. Said once a minute at most, with what the server asked for.
     */
    private DeleteFailedException capped(DeleteFailedException e, String header) {
        Long asked = e.getRetryAfterMillis();
        if (asked == null || asked <= maxRetryAfter) {
            return e;
        }
        long now = System.currentTimeMillis();
        long last = lastCapLogged.get();
        if (now - last >= 60_000 && lastCapLogged.compareAndSet(last, now)) {
            LOG.warn("The API asked to wait {} ms (Retry-After: {}); waiting {} ms instead, the longest allowed "
                    + "(extracta.retry.max-delay)", asked, SecretRedactor.redact(cutHeader(header)), maxRetryAfter);
        }
        return new DeleteFailedException(e.getOutcome(), e.getHttpStatus(), e.getMessage(), maxRetryAfter);
    }

    private static String cutHeader(String header) {
        return header == null || header.length() <= 64 ? header : header.substring(0, 64) + "…";
    }

    /** A definite answer that deleted nothing: the journal stops counting the row as possibly sent. */
    private void answeredWithoutDeleting(RowContext row) {
        try {
            row.run().answered(row.request().line());
        } catch (IOException e) {
            // only a 404 of a later resume reads ALREADY_ABSENT instead of REJECTED; the next write says the rest
            if (stateWrites != null) {
                stateWrites.failed(StateWrites.Kind.JOURNAL, row.run().journal().path(), e,
                        "a later 404 for " + row.run().source() + " line " + row.request().line()
                                + " may read ALREADY_ABSENT");
            }
        }
    }

    /**
     * The call itself failed: a retryable NETWORK failure. A connection that was never made sent nothing; any other
     * failure (reset, timeout) came after the request may have arrived.
     */
    public void networkFailure(Exchange exchange) throws DeleteFailedException {
        RowContext row = RowContext.of(exchange);
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (!neverConnected(cause)) {
            row.attemptAmbiguous();
        }
        metrics.attemptUnanswered(row);
        throw new DeleteFailedException(Outcome.NETWORK, null, Failures.oneLine(cause), null);
    }

    /** Refused, unknown host, no route, connect timeout: the request never left this machine. */
    static boolean neverConnected(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof java.net.ConnectException || t instanceof java.net.UnknownHostException
                    || t instanceof java.net.NoRouteToHostException
                    || t instanceof org.apache.hc.client5.http.ConnectTimeoutException) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    static void classify(int status, String body, String retryAfterHeader) throws DeleteFailedException {
        JsonNode json = parseObject(body);
        String apiStatus = json != null && json.hasNonNull("status") ? json.get("status").asText() : null;
        if (status >= 200 && status < 300 && "success".equals(apiStatus)) {
            return; // the usual answer: nothing to describe
        }
        String message = describe(status, body, json);
        if (status >= 200 && status < 300) {
            if (json == null) {
                throw new DeleteFailedException(Outcome.API_ERROR, status, "2xx answer is not JSON: " + message, null);
            }
            throw new DeleteFailedException(Outcome.API_ERROR, status,
                    "status is " + (apiStatus == null ? "missing" : "'" + apiStatus + "'") + ": " + message, null);
        }
        Long retryAfter = parseRetryAfter(retryAfterHeader, Instant.now());
        if (status == 401) {
            throw new DeleteFailedException(Outcome.UNAUTHORIZED, status, message, null);
        }
        if (status == 429) {
            throw new DeleteFailedException(Outcome.RATE_LIMITED, status, message, retryAfter);
        }
        if (status >= 400 && status < 500) {
            throw new DeleteFailedException(Outcome.REJECTED, status, message, null);
        }
        if (status >= 500 && status < 600) {
            throw new DeleteFailedException(Outcome.SERVER_ERROR, status, message, retryAfter);
        }
        // 1xx and 3xx: redirects are not followed, an unexpected answer is never taken as success
        throw new DeleteFailedException(Outcome.API_ERROR, status, "unexpected HTTP " + status + ": " + message, null);
    }

    /** The API's own {@code message} when the body is JSON with one, else a short excerpt of the body. */
    private static String describe(int status, String body, JsonNode json) {
        if (json != null && json.hasNonNull("message")) {
            return SecretRedactor.redact(json.get("message").asText());
        }
        if (body == null || body.isBlank()) {
            return "HTTP " + status + " with an empty body";
        }
        String excerpt = body.strip().replaceAll("\\s+", " ");
        if (excerpt.length() > EXCERPT_LENGTH) {
            excerpt = excerpt.substring(0, EXCERPT_LENGTH) + "…";
        }
        return SecretRedactor.redact(excerpt);
    }

    private static JsonNode parseObject(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            JsonNode node = MAPPER.readTree(body);
            return node != null && node.isObject() ? node : null;
        } catch (Exception e) {
            return null;
        }
    }

    /** {@code Retry-After} as delta-seconds or an HTTP date, in milliseconds from now; null when absent or invalid. */
    static Long parseRetryAfter(String value, Instant now) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.strip();
        if (v.matches("\\d+")) {
            try {
                return Math.multiplyExact(Long.parseLong(v), 1000L);
            } catch (NumberFormatException | ArithmeticException e) {
                return Long.MAX_VALUE; // absurdly long: capped by the caller, never ignored
            }
        }
        try {
            ZonedDateTime date = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
            return Math.max(0, Duration.between(now, date.toInstant()).toMillis());
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
