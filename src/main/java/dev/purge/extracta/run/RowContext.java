package dev.purge.extracta.run;

import dev.purge.extracta.request.DeleteBatchRequest;
import dev.purge.extracta.request.RequestRow;
import java.time.Instant;
import org.apache.camel.Exchange;

/**
 * Everything the pipeline knows about one request while it runs, in one typed object: the request as read, its run,
 * its attempts, whether it may have been carried out already, the claim it holds, the call slot it holds, when it may
 * be sent again, and its outcome. Made fresh by {@link OutcomeRecorder#admit} for every row, so nothing a caller, a message or
 * a replayed record put on the exchange is ever read in its place. A row is processed by one thread at a time.
 */
public final class RowContext {

    /** The one exchange property a row's state lives in. */
    public static final String PROPERTY = "extractaRow";

    private final DeleteBatchRequest request;
    private final boolean duplicate;
    private final String raw;
    private final FileRun run;

    private int attempts;
    private Instant firstAttemptAt;
    private Instant lastAttemptAt;
    /** An attempt of this request may have been carried out: no answer after the body left, or a 5xx. */
    private boolean ambiguousAttempt;
    /** Something before this request may have carried it out: an earlier run of the file, or an earlier request. */
    private boolean appliedEarlierMaybe;
    /** This request wrote the ledger's "maybe deleted" mark of its pair. */
    private boolean markedMaybe;
    private boolean claimed;
    private boolean callSlot;
    private boolean ratePermit;
    private String pairKey;
    private volatile long attemptStartedNanos = -1; // read by the stop, on another thread
    /** Epoch millis before which the next attempt must not leave (backoff, Retry-After). */
    private long notBefore;
    private Boolean retryDecision;
    private Outcome outcome;
    private String outcomeMessage;
    private boolean recordNotWritten;

    public RowContext(RequestRow row, FileRun run) {
        this.request = row.request();
        this.duplicate = row.duplicate();
        this.raw = row.raw();
        this.run = run;
    }

    /** The row's state; fails loudly when a route is used without the row gate first. */
    public static RowContext of(Exchange exchange) {
        RowContext row = exchange.getProperty(PROPERTY, RowContext.class);
        if (row == null) {
            throw new IllegalStateException("no row state on exchange " + exchange.getExchangeId());
        }
        return row;
    }

    /** The row's state, or null for an exchange that is not a row (a whole file or message). */
    public static RowContext find(Exchange exchange) {
        return exchange.getProperty(PROPERTY, RowContext.class);
    }

    public DeleteBatchRequest request() {
        return request;
    }

    public boolean duplicate() {
        return duplicate;
    }

    /** The line as read, for the dead-letter record of a row that could not be used; null for a valid row. */
    public String raw() {
        return raw;
    }

    public FileRun run() {
        return run;
    }

    /** The request's pair key, made once: the ledger asks for it several times a row. */
    public String pairKey() {
        String key = pairKey;
        if (key == null) {
            key = request.pairKey();
            pairKey = key;
        }
        return key;
    }

    /** One more attempt leaves now. */
    public void attemptStarted() {
        attempts++;
        lastAttemptAt = Instant.now();
        if (firstAttemptAt == null) {
            firstAttemptAt = lastAttemptAt;
        }
        attemptStartedNanos = System.nanoTime();
    }

    public int attempts() {
        return attempts;
    }

    public Instant firstAttemptAt() {
        return firstAttemptAt;
    }

    public Instant lastAttemptAt() {
        return lastAttemptAt;
    }

    /** The current attempt may have been carried out by the API though it did not say so. */
    public void attemptAmbiguous() {
        ambiguousAttempt = true;
    }

    public void appliedEarlierMaybe(boolean maybe) {
        appliedEarlierMaybe |= maybe;
    }

    /**
     * Whether the pair may be gone because of an earlier attempt (of this request, an earlier run of the file, or an
     * earlier request for the pair): a 404 then means "already absent", not "refused".
     */
    public boolean mayHaveBeenApplied() {
        return ambiguousAttempt || appliedEarlierMaybe;
    }

    boolean ambiguousAttempt() {
        return ambiguousAttempt;
    }

    public boolean appliedEarlierMaybe() {
        return appliedEarlierMaybe;
    }

    public boolean markedMaybe() {
        return markedMaybe;
    }

    public void markedMaybe(boolean marked) {
        markedMaybe = marked;
    }

    public boolean claimed() {
        return claimed;
    }

    public void claimed(boolean held) {
        claimed = held;
    }

    public boolean holdsCallSlot() {
        return callSlot;
    }

    public void callSlot(boolean held) {
        callSlot = held;
    }

    /** The attempt holds one of the rate limit's permits (given back a second after the attempt ends). */
    public boolean holdsRatePermit() {
        return ratePermit;
    }

    public void ratePermit(boolean held) {
        ratePermit = held;
    }

    /** An attempt left and has not ended yet: the request may be on the wire. */
    public boolean attemptOpen() {
        return attemptStartedNanos >= 0;
    }

    /** When the open attempt left (System.nanoTime()), once; -1 when none is open. */
    public long takeAttemptStart() {
        long started = attemptStartedNanos;
        attemptStartedNanos = -1;
        return started;
    }

    public long notBefore() {
        return notBefore;
    }

    public void notBefore(long epochMillis) {
        notBefore = epochMillis;
    }

    /** The retry decision taken once per failure (the error handler asks twice), or null. */
    public Boolean takeRetryDecision() {
        Boolean decision = retryDecision;
        retryDecision = null;
        return decision;
    }

    public void retryDecision(boolean retry) {
        retryDecision = retry;
    }

    public Outcome outcome() {
        return outcome;
    }

    public void outcome(Outcome outcome, String message) {
        this.outcome = outcome;
        this.outcomeMessage = message;
    }

    public String outcomeMessage() {
        return outcomeMessage;
    }

    /** Its dead-letter record could not be written: the request is not final (stopped, taken up again later). */
    public void recordNotWritten() {
        recordNotWritten = true;
    }

    public boolean recordWritten() {
        return !recordNotWritten;
    }
}
