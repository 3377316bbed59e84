package dev.purge.extracta;

import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps every (classificationId, batchId) to one delete, over files, messages, restarts and instances, in an
 * idempotent repository (a local file by default, a JDBC table shared by several instances):
 * <ul>
 * <li>a pair that is gone (DELETED or ALREADY_ABSENT) is remembered before its request counts as final, and a later
 * request for it is skipped;</li>
 * <li>before a request is sent, its pair is claimed ({@code claim:<pair>}, added atomically: only one request holds
 * it). A second request for the same pair waits until the first one ends: skipped if the pair is gone by then, sent
 * if the first one failed. The claim is given back when the request ends.</li>
 * <li>a claim left by a run that was cut short (a killed process) is taken over at once by the same request coming
 * back (the file resumed from its journal, the message redelivered), and by any other request after
 * {@code claimTimeout}; a message or stale claim taken over may have been sent, so its 404 reads ALREADY_ABSENT
 * (a resumed file's journal knows exactly).</li>
 * </ul>
 * A failure of the repository itself is a {@link LedgerUnavailableException}, never a guess either way.
 */
public class DeleteLedger implements CamelContextAware {

    private static final Logger LOG = LoggerFactory.getLogger(DeleteLedger.class);
    private static final String CLAIM_PREFIX = "claim:";
    /** Set on a request whose claim is held: only such a request gives one back. */
    static final String CLAIMED_PROPERTY = "extractaClaimed";
    /** Set on a request that took over a claim left by a run that was cut short: it may have been sent. */
    static final String TOOK_OVER_PROPERTY = "extractaClaimTakenOver";
    private static final long LONGEST_POLL_MILLIS = 1000;

    private boolean enabled = true;
    private IdempotentRepository repository;
    private SendGate sendGate;
    private long claimTimeout = 600_000;
    private CamelContext camelContext;
    private volatile boolean started;

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public void setRepository(IdempotentRepository repository) {
        this.repository = repository;
    }

    public void setSendGate(SendGate sendGate) {
        this.sendGate = sendGate;
    }

    /** How long a request waits for a claim held elsewhere before it takes it over as stale (ms). */
    public void setClaimTimeout(long claimTimeout) {
        if (claimTimeout < 0) {
            throw new IllegalArgumentException("extracta.idempotency.claim-timeout must be 0 or more");
        }
        this.claimTimeout = claimTimeout;
    }

    public boolean alreadyDeleted(Exchange exchange) throws LedgerUnavailableException {
        return enabled && contains(pairKey(exchange));
    }

    /**
     * Claims the request's pair before it is sent. Returns true when the pair turned out to be gone meanwhile (the
     * request is skipped), false when this request holds the claim and goes on to be sent. Waits while another
     * request holds it.
     */
    public boolean claimOrFindDeleted(Exchange exchange)
            throws LedgerUnavailableException, ApiHaltedException, InterruptedException {
        if (!enabled) {
            return false;
        }
        String pair = pairKey(exchange);
        String claim = CLAIM_PREFIX + pair;
        FileRun run = exchange.getProperty(FileRunTracker.RUN_PROPERTY, FileRun.class);
        DeleteBatchRequest request = exchange.getProperty(RowGate.REQUEST_PROPERTY, DeleteBatchRequest.class);
        boolean comingBack = run != null
                && (run.isMessage() ? run.redelivered() : run.claimedEarlier(request.line()));
        if (run != null) {
            run.claiming(request.line()); // on disk before the claim: a resumed file knows a claim may be its own
        }
        long deadline = System.currentTimeMillis() + claimTimeout;
        long pause = 20;
        boolean waiting = false;
        while (true) {
            if (add(claim)) {
                exchange.setProperty(CLAIMED_PROPERTY, true);
                if (contains(pair)) { // the holder we waited for deleted it between our two looks
                    release(exchange);
                    return true;
                }
                return false;
            }
            if (contains(pair)) {
                return true;
            }
            boolean stale = System.currentTimeMillis() >= deadline;
            if (comingBack || stale) {
                if (stale) {
                    LOG.warn("{} line {}: the claim on this pair was not given back within {} ms: taken over as left "
                            + "by a run that was cut short", request.source(), request.line(), claimTimeout);
                }
                exchange.setProperty(CLAIMED_PROPERTY, true);
                // a resumed file's journal says exactly whether the line was sent; a message or a stale claim can't
                exchange.setProperty(TOOK_OVER_PROPERTY, stale || run == null || run.isMessage());
                return false;
            }
            if (!waiting) {
                waiting = true;
                LOG.info("{} line {}: another request for the same pair is in flight; waiting for its outcome",
                        request.source(), request.line());
            }
            if (sendGate != null) {
                sendGate.checkNotStoppedOrHalted();
            }
            TimeUnit.MILLISECONDS.sleep(Math.min(pause, Math.max(1, deadline - System.currentTimeMillis())));
            pause = Math.min(pause * 2, LONGEST_POLL_MILLIS);
        }
    }

    /** The pair is gone: remembered for good, then its claim is given back. */
    public void recordDeleted(Exchange exchange) throws LedgerUnavailableException {
        if (enabled) {
            add(pairKey(exchange));
            release(exchange);
        }
    }

    /** Gives the claim back, if this request holds one (nothing to do for a request that never got that far). */
    public void release(Exchange exchange) throws LedgerUnavailableException {
        if (enabled && Boolean.TRUE.equals(exchange.getProperty(CLAIMED_PROPERTY, Boolean.class))) {
            remove(CLAIM_PREFIX + pairKey(exchange));
            exchange.removeProperty(CLAIMED_PROPERTY);
        }
    }

    /**
     * The request ended without deleting (dead-lettered): its claim is given back so another request for the pair
     * may try. Should the repository fail here, the record is still written; the claim then lapses after
     * {@code claimTimeout}.
     */
    public void releaseAfterFailure(Exchange exchange) {
        try {
            release(exchange);
        } catch (LedgerUnavailableException e) {
            LOG.warn("Could not give back the claim of a failed request ({}): another request for the same pair "
                    + "waits up to {} ms", Failures.oneLine(e.getCause()), claimTimeout);
        }
    }

    /**
     * The request was stopped (shutdown, halt, repository failure) and is not final. A request that may have been
     * carried out keeps its claim, so that only its own return (resumed file, redelivered message) reads a 404 as
     * ALREADY_ABSENT; any other gives it back.
     */
    public void releaseAfterStop(Exchange exchange) {
        AttemptLog log = exchange.getProperty(AttemptLog.PROPERTY, AttemptLog.class);
        if (log == null || !log.hadUnansweredAttempt()) {
            releaseAfterFailure(exchange);
        }
    }

    private boolean contains(String key) throws LedgerUnavailableException {
        try {
            return repository().contains(key);
        } catch (RuntimeException e) {
            throw unavailable(e);
        }
    }

    /** Adds the key; false when it was there. A losing concurrent insert (a primary-key violation) is a false too. */
    private boolean add(String key) throws LedgerUnavailableException {
        try {
            return repository().add(key);
        } catch (RuntimeException e) {
            if (contains(key)) {
                return false;
            }
            throw unavailable(e);
        }
    }

    private void remove(String key) throws LedgerUnavailableException {
        try {
            repository().remove(key);
        } catch (RuntimeException e) {
            throw unavailable(e);
        }
    }

    private static LedgerUnavailableException unavailable(RuntimeException e) {
        return new LedgerUnavailableException("the deleted-pairs repository failed: " + Failures.oneLine(e), e);
    }

    /** A repository declared as a bean is not started by Camel: start it, and stop it with the context. */
    private IdempotentRepository repository() {
        if (!started) {
            synchronized (this) {
                if (!started) {
                    // several instances starting on a fresh database race to create the table: try again
                    for (int attempt = 1; !started; attempt++) {
                        try {
                            camelContext.addService(repository, true, true);
                            started = true;
                        } catch (Exception e) {
                            if (attempt == 3) {
                                throw new IllegalStateException("cannot start the idempotent repository: "
                                        + SecretRedactor.redact(String.valueOf(e.getMessage())), e);
                            }
                            ServiceHelper.stopService(repository);
                        }
                    }
                }
            }
        }
        return repository;
    }

    private static String pairKey(Exchange exchange) {
        DeleteBatchRequest request = exchange.getProperty(RowGate.REQUEST_PROPERTY, DeleteBatchRequest.class);
        return PairFingerprints.pairKey(request.classificationId(), request.batchId());
    }
}
