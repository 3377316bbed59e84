package dev.purge.extracta.call;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.purge.extracta.request.DeleteBatchRequest;
import dev.purge.extracta.request.RequestRow;
import dev.purge.extracta.run.DeleteFailedException;
import dev.purge.extracta.run.FileRun;
import dev.purge.extracta.run.Outcome;
import dev.purge.extracta.run.RowContext;
import dev.purge.extracta.secret.SecretRedactor;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ResponseClassifierTest {

    private static final String SUCCESS = "{\"status\":\"success\",\"message\":\"Batch deleted\"}";

    private static DeleteFailedException failure(int status, String body, String retryAfter) {
        DeleteFailedException e = catchThrowableOfType(DeleteFailedException.class,
                () -> ResponseClassifier.classify(status, body, retryAfter));
        assertThat(e).as("HTTP %d %s should fail", status, body).isNotNull();
        assertThat(e.getHttpStatus()).isEqualTo(status);
        return e;
    }

    private static String httpDate(Instant instant) {
        return DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.ofInstant(instant, ZoneOffset.UTC));
    }

    // ---------------------------------------------------------------- 2xx

    @Test
    void successReturns() {
        assertThatCode(() -> ResponseClassifier.classify(200, SUCCESS, null)).doesNotThrowAnyException();
        assertThatCode(() -> ResponseClassifier.classify(201, "{\"status\":\"success\"}", "5"))
                .doesNotThrowAnyException();
        assertThatCode(() -> ResponseClassifier.classify(200, "  {\"status\" : \"success\"}\n", null))
                .doesNotThrowAnyException();
    }

    @Test
    void okWithErrorStatusIsApiError() {
        DeleteFailedException e = failure(200, "{\"status\":\"error\",\"message\":\"x\"}", null);
        assertThat(e.getOutcome()).isEqualTo(Outcome.API_ERROR);
        assertThat(e.getMessage()).contains("x").contains("'error'");
        assertThat(e.getHttpStatus()).isEqualTo(200);
        assertThat(e.getRetryAfterMillis()).isNull();
    }

    @Test
    void okWithoutStatusIsApiError() {
        DeleteFailedException e = failure(200, "{\"message\":\"Batch deleted\"}", null);
        assertThat(e.getOutcome()).isEqualTo(Outcome.API_ERROR);
        assertThat(e.getMessage()).contains("missing");

        assertThat(failure(200, "{\"status\":null}", null).getOutcome()).isEqualTo(Outcome.API_ERROR);
        assertThat(failure(200, "{\"status\":\"Success \"}", null).getOutcome()).isEqualTo(Outcome.API_ERROR);
    }

    @Test
    void okWithNonJsonBodyIsApiError() {
        DeleteFailedException e = failure(200, "<html>OK</html>", null);
        assertThat(e.getOutcome()).isEqualTo(Outcome.API_ERROR);
        assertThat(e.getMessage()).contains("not JSON").contains("<html>OK</html>");
    }

    @Test
    void okWithJsonArrayIsApiError() {
        DeleteFailedException e = failure(200, "[{\"status\":\"success\"}]", null);
        assertThat(e.getOutcome()).isEqualTo(Outcome.API_ERROR);
    }

    @Test
    void okWithQuotedSuccessStringIsApiError() {
        assertThat(failure(200, "\"success\"", null).getOutcome()).isEqualTo(Outcome.API_ERROR);
    }

    @Test
    void noContentIsApiError() {
        DeleteFailedException e = failure(204, "", null);
        assertThat(e.getOutcome()).isEqualTo(Outcome.API_ERROR);
        assertThat(e.getMessage()).contains("empty body");

        assertThat(failure(204, null, null).getOutcome()).isEqualTo(Outcome.API_ERROR);
    }

    // ---------------------------------------------------------------- 4xx

    @ParameterizedTest
    @ValueSource(ints = {400, 403, 404, 405, 409, 410, 418, 422, 499})
    void clientErrorsAreRejected(int status) {
        DeleteFailedException e = failure(status, "{\"status\":\"error\",\"message\":\"nope\"}", "10");
        assertThat(e.getOutcome()).isEqualTo(Outcome.REJECTED);
        assertThat(e.getMessage()).isEqualTo("nope");
        assertThat(e.getRetryAfterMillis()).isNull();
        assertThat(Outcome.REJECTED.isRetryable()).isFalse();
    }

    @Test
    void unauthorized() {
        DeleteFailedException e = failure(401, "{\"status\":\"error\",\"message\":\"Invalid API key\"}", "30");
        assertThat(e.getOutcome()).isEqualTo(Outcome.UNAUTHORIZED);
        assertThat(e.getMessage()).isEqualTo("Invalid API key");
        assertThat(e.getRetryAfterMillis()).isNull();
    }

    @Test
    void rateLimitedWithDeltaSeconds() {
        DeleteFailedException e = failure(429, "Too Many Requests", "3");
        assertThat(e.getOutcome()).isEqualTo(Outcome.RATE_LIMITED);
        assertThat(e.getRetryAfterMillis()).isEqualTo(3000L);
        assertThat(e.getMessage()).isEqualTo("Too Many Requests");
    }

    @Test
    void rateLimitedWithoutRetryAfter() {
        DeleteFailedException e = failure(429, null, null);
        assertThat(e.getOutcome()).isEqualTo(Outcome.RATE_LIMITED);
        assertThat(e.getRetryAfterMillis()).isNull();
    }

    @Test
    void rateLimitedWithHttpDate() {
        String date = httpDate(Instant.now().plusSeconds(5));
        DeleteFailedException e = failure(429, "", date);
        assertThat(e.getOutcome()).isEqualTo(Outcome.RATE_LIMITED);
        assertThat(e.getRetryAfterMillis()).isBetween(3000L, 6000L);
    }

    @Test
    void rateLimitedWithInvalidRetryAfter() {
        DeleteFailedException e = failure(429, "", "soon");
        assertThat(e.getOutcome()).isEqualTo(Outcome.RATE_LIMITED);
        assertThat(e.getRetryAfterMillis()).isNull();
    }

    // ---------------------------------------------------------------- 5xx

    @Test
    void serviceUnavailableKeepsRetryAfter() {
        DeleteFailedException e = failure(503, "", "7");
        assertThat(e.getOutcome()).isEqualTo(Outcome.SERVER_ERROR);
        assertThat(e.getRetryAfterMillis()).isEqualTo(7000L);
        assertThat(e.getMessage()).isEqualTo("HTTP 503 with an empty body");
    }

    @Test
    void serverErrorUsesApiMessage() {
        DeleteFailedException e = failure(500, "{\"status\":\"error\",\"message\":\"boom\"}", null);
        assertThat(e.getOutcome()).isEqualTo(Outcome.SERVER_ERROR);
        assertThat(e.getMessage()).isEqualTo("boom");
        assertThat(e.getRetryAfterMillis()).isNull();
    }

    @ParameterizedTest
    @ValueSource(ints = {500, 502, 503, 504, 599})
    void allFiveHundredsAreServerErrors(int status) {
        assertThat(failure(status, "x", null).getOutcome()).isEqualTo(Outcome.SERVER_ERROR);
    }

    // ---------------------------------------------------------------- others

    @ParameterizedTest
    @ValueSource(ints = {0, 100, 301, 302, 304, 307, 600})
    void unexpectedStatusesAreApiErrors(int status) {
        DeleteFailedException e = failure(status, SUCCESS, "5");
        assertThat(e.getOutcome()).isEqualTo(Outcome.API_ERROR);
        assertThat(e.getMessage()).contains("unexpected HTTP " + status);
        assertThat(e.getRetryAfterMillis()).isNull();
    }

    @Test
    void longBodyIsCutAndWhitespaceCollapsed() {
        String body = "  <html>\n\n  <body>   " + "a".repeat(500) + "</body></html>";
        DeleteFailedException e = failure(502, body, null);
        assertThat(e.getMessage()).hasSize(201).endsWith("…").startsWith("<html> <body> aaa").doesNotContain("\n");
    }

    @Test
    void bodyOfExactly200CharactersIsNotCut() {
        String body = "b".repeat(200);
        assertThat(failure(500, body, null).getMessage()).isEqualTo(body);
    }

    @Test
    void registeredSecretIsRedactedFromMessages() {
        String secret = "unit-test-secret-Zq81x";
        SecretRedactor.register(secret);
        DeleteFailedException e = failure(401, "{\"message\":\"key " + secret + " refused\"}", null);
        assertThat(e.getMessage()).isEqualTo("key **** refused").doesNotContain(secret);
        DeleteFailedException raw = failure(500, "bad key " + secret, null);
        assertThat(raw.getMessage()).doesNotContain(secret);
    }

    /** A row exchange as the pipeline makes it, with a first attempt under way. */
    static Exchange rowExchange() {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        RowContext row = new RowContext(new RequestRow(new DeleteBatchRequest("a.csv", 2, "c1", "b1"), null, false),
                FileRun.forMessage("m", false));
        row.attemptStarted();
        exchange.setProperty(RowContext.PROPERTY, row);
        return exchange;
    }

    @Test
    void classifyReadsTheExchange() {
        Exchange exchange = rowExchange();
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 429);
        exchange.getMessage().setHeader("Retry-After", "2");
        exchange.getMessage().setBody("slow down");
        DeleteFailedException e = catchThrowableOfType(DeleteFailedException.class,
                () -> new ResponseClassifier().classify(exchange));
        assertThat(e).isNotNull();
        assertThat(e.getOutcome()).isEqualTo(Outcome.RATE_LIMITED);
        assertThat(e.getRetryAfterMillis()).isEqualTo(2000L);

        Exchange ok = rowExchange();
        ok.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        ok.getMessage().setBody(SUCCESS);
        assertThatCode(() -> new ResponseClassifier().classify(ok)).doesNotThrowAnyException();

        Exchange none = rowExchange();
        none.getMessage().setBody(SUCCESS);
        DeleteFailedException noStatus = catchThrowableOfType(DeleteFailedException.class,
                () -> new ResponseClassifier().classify(none));
        assertThat(noStatus).isNotNull();
        assertThat(noStatus.getOutcome()).isEqualTo(Outcome.API_ERROR);
        assertThat(RowContext.of(none).mayHaveBeenApplied()).as("an answer that is not a 4xx proves nothing").isTrue();
        assertThat(RowContext.of(exchange).mayHaveBeenApplied()).as("a 429 did nothing").isFalse();
    }

    @Test
    void aRetryAfterLongerThanTheMaxDelayIsCappedWhateverItsForm() {
        ResponseClassifier classifier = new ResponseClassifier();
        classifier.setMaxRetryAfter(60_000);
        String farDate = java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(
                java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).plusYears(3));
        for (String header : new String[] {"86400", "99999999999999999999", farDate}) {
            Exchange exchange = rowExchange();
            exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 429);
            exchange.getMessage().setHeader("Retry-After", header);
            DeleteFailedException e = catchThrowableOfType(DeleteFailedException.class,
                    () -> classifier.classify(exchange));
            assertThat(e.getRetryAfterMillis()).as("Retry-After '%s'", header).isEqualTo(60_000L);
        }
    }

    // ---------------------------------------------------------------- parseRetryAfter

    @Test
    void parseRetryAfterDeltaSeconds() {
        Instant now = Instant.parse("2025-01-01T00:00:00Z");
        assertThat(ResponseClassifier.parseRetryAfter("0", now)).isEqualTo(0L);
        assertThat(ResponseClassifier.parseRetryAfter("3", now)).isEqualTo(3000L);
        assertThat(ResponseClassifier.parseRetryAfter(" 120 ", now)).isEqualTo(120_000L);
    }

    @Test
    void parseRetryAfterHttpDate() {
        Instant now = Instant.parse("2015-10-21T07:27:00Z");
        assertThat(ResponseClassifier.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", now)).isEqualTo(60_000L);
        assertThat(ResponseClassifier.parseRetryAfter("Wed, 21 Oct 2015 07:27:05 GMT", now)).isEqualTo(5_000L);
        // a date in the past means "now"
        assertThat(ResponseClassifier.parseRetryAfter("Wed, 21 Oct 2015 07:00:00 GMT", now)).isEqualTo(0L);
    }

    @Test
    void parseRetryAfterAbsurdlyLargeIsKeptForTheCap() {
        assertThat(ResponseClassifier.parseRetryAfter("99999999999999999999", Instant.now())).isEqualTo(Long.MAX_VALUE);
        assertThat(ResponseClassifier.parseRetryAfter("9223372036854775807", Instant.now())).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void parseRetryAfterInvalid() {
        Instant now = Instant.now();
        for (String value : new String[] {null, "", "   ", "soon", "-5", "3.5", "1e3", "5s",
                "2025-01-01T00:00:00Z", "Wed, 32 Oct 2015 07:28:00 GMT"}) {
            assertThat(ResponseClassifier.parseRetryAfter(value, now)).as("Retry-After '%s'", value).isNull();
        }
    }
}
