package dev.purge.extracta;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import org.apache.camel.Exchange;

/**
 * Turns an Extracta delete answer into an outcome. Only a 2xx whose JSON {@code status} is {@code success} counts
 * as deleted: the API documents no error codes or bodies, so anything else is a failure, classified by status.
 */
public class ResponseClassifier {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int EXCERPT_LENGTH = 200;

    private SendGate sendGate;
    /** No-op until the application's metrics bean is set. */
    private PurgeMetrics metrics = new PurgeMetrics();

    public void setSendGate(SendGate sendGate) {
        this.sendGate = sendGate;
    }

    public void setMetrics(PurgeMetrics metrics) {
        this.metrics = metrics;
    }

    /**
     * Returns normally for {@link Outcome#DELETED} (or ALREADY_ABSENT); throws {@link DeleteFailedException}
     * otherwise. A 401 halts all sending ({@link ApiHaltedException}); a 429 with Retry-After pauses all sending.
     */
    public void classify(Exchange exchange) throws DeleteFailedException, ApiHaltedException {
        Integer status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        String body = exchange.getMessage().getBody(String.class);
        String retryAfter = exchange.getMessage().getHeader("Retry-After", String.class);
        metrics.attemptAnswered(exchange, status == null ? 0 : status);
        if (Integer.valueOf(404).equals(status) && RowGate.sentBefore(exchange)) {
            // an earlier attempt (timed out, reset, or cut by a crash) most likely deleted it: gone either way
            exchange.setProperty(DeadLetters.OUTCOME_PROPERTY, Outcome.ALREADY_ABSENT);
            return;
        }
        try {
            classify(status == null ? 0 : status, body, retryAfter);
        } catch (DeleteFailedException e) {
            answeredWithoutDeleting(exchange);
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

    /** A definite answer that deleted nothing: the journal stops counting the row as possibly sent. */
    private static void answeredWithoutDeleting(Exchange exchange) {
        FileRun run = exchange.getProperty(FileRunTracker.RUN_PROPERTY, FileRun.class);
        DeleteBatchRequest request = exchange.getProperty(RowGate.REQUEST_PROPERTY, DeleteBatchRequest.class);
        if (run != null && request != null) {
            run.answered(request.line());
        }
    }

    /** The call itself failed (refused, reset, timeout): a retryable NETWORK failure. */
    public void networkFailure(Exchange exchange) throws DeleteFailedException {
        AttemptLog log = exchange.getProperty(AttemptLog.PROPERTY, AttemptLog.class);
        if (log != null) {
            log.unanswered();
        }
        metrics.attemptUnanswered(exchange);
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        throw new DeleteFailedException(Outcome.NETWORK, null, Failures.oneLine(cause), null);
    }

    static void classify(int status, String body, String retryAfterHeader) throws DeleteFailedException {
        JsonNode json = parseObject(body);
        String apiStatus = json != null && json.hasNonNull("status") ? json.get("status").asText() : null;
        String message = describe(status, body, json);
        if (status >= 200 && status < 300) {
            if (json == null) {
                throw new DeleteFailedException(Outcome.API_ERROR, status, "2xx answer is not JSON: " + message, null);
            }
            if (!"success".equals(apiStatus)) {
                throw new DeleteFailedException(Outcome.API_ERROR, status,
                        "status is " + (apiStatus == null ? "missing" : "'" + apiStatus + "'") + ": " + message, null);
            }
            return;
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
        try {
            long seconds = Long.parseLong(v);
            return seconds < 0 ? null : Math.multiplyExact(seconds, 1000L);
        } catch (NumberFormatException | ArithmeticException e) {
            // not delta-seconds: try an HTTP date
        }
        try {
            ZonedDateTime date = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
            return Math.max(0, Duration.between(now, date.toInstant()).toMillis());
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
