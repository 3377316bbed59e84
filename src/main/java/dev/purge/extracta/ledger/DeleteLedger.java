package dev.purge.extracta.ledger;

import dev.purge.extracta.call.SendGate;
import dev.purge.extracta.health.PurgeMetrics;
import dev.purge.extracta.health.Services;
import dev.purge.extracta.health.StateWrites;
import dev.purge.extracta.run.ApiHaltedException;
import dev.purge.extracta.run.DeliveryLostException;
import dev.purge.extracta.run.Failures;
import dev.purge.extracta.run.LedgerUnavailableException;
import dev.purge.extracta.run.Outcome;
import dev.purge.extracta.run.RowContext;
import dev.purge.extracta.run.RowSteps;
import dev.purge.extracta.run.StoppingException;
import dev.purge.extracta.secret.SecretRedactor;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.apache.camel.Predicate;
import org.apache.camel.Processor;
import org.apache.camel.Service;
import org.apache.camel.processor.idempotent.jdbc.AbstractJdbcMessageIdRepository;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps every (classificationId, batchId) to one delete, over files, messages, restarts and instances:
 * <ul>
 * <li>a pair that is gone (DELETED or ALREADY_ABSENT) is remembered in an idempotent repository (a local file by
 * default, a JDBC table shared by several instances) before its request counts as final, and a later request for it
 * is skipped;</li>
 * <li>before a request is sent, its pair is claimed ({@link Claims}): one request at a time, in this process and, with
 * the JDBC repository, in every instance. Another request for the pair waits until the first one ends: skipped if the
 * pair is gone by then, sent if it failed. A claim is given back whenever its request ends, stopped or not;</li>
 * <li>before the first attempt leaves, the pair is marked "maybe deleted" ({@code maybe:<pair>}) in the repository.
 * The mark goes when the request ends with nothing but answers that prove the API did nothing (a 4xx); it stays
 * after a timeout, a reset, a 5xx or a crash. A later request for a marked pair, in this run, after a restart or in a
 * replay, reads a 404 as ALREADY_ABSENT.</li>
 * </ul>
 * A failure of the repository before a request is sent is a {@link LedgerUnavailableException}, never a guess. A
 * failure after the API confirmed a delete does not undo it: the request is DELETED, the pair is kept in memory so it
 * is never sent again in this run, and written as soon as the repository takes writes again.
 */
public class DeleteLedger implements CamelContextAware, Service {

    private static final Logger LOG = LoggerFactory.getLogger(DeleteLedger.class);
    private static final String MAYBE_PREFIX = "maybe:";
    private static final long LONGEST_POLL_MILLIS = 1000;

    private boolean enabled = true;
    private String repositoryName;
    private volatile IdempotentRepository repository;
    private SendGate sendGate;
    private StateWrites stateWrites = new StateWrites();
    private PurgeMetrics metrics = new PurgeMetrics();
    private long claimLease = 30_000;
    private CamelContext camelContext;
    private volatile Claims claims;
    private volatile boolean started;
    /** Pairs the API confirmed gone whose write to the repository failed: never sent again, written later. */
    private final Set<String> unwrittenDeleted = ConcurrentHashMap.newKeySet();

    @Override
    public void setCamelContext(CamelContext camelContext) {
        boolean first = this.camelContext == null;
        this.camelContext = camelContext;
        if (first) {
            Services.stopAfterRoutes(camelContext, this); // gives back what is still held
        }
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    /**
     * The bean name of the deleted-pairs repository ({@code extracta.idempotency.repository}): looked up in the
     * registry when the application has made its beans ({@link #resolveRepository()}), so a repository bean declared
     * anywhere (a YAML bean, a camel.beans.* property, a test's bean) can be selected.
     */
    public void setRepositoryName(String repositoryName) {
        this.repositoryName = repositoryName;
        this.repository = null;
    }

    /** The repository itself, instead of a bean name (a test of this class). */
    public void setRepository(IdempotentRepository repository) {
        this.repository = repository;
    }

    /**
     * Finds the repository named by {@code extracta.idempotency.repository} in the registry; called by the startup
     * checks once every bean exists, and at the latest by the first request. A name that is no repository stops the
     * start with a message naming the setting.
     */
    public IdempotentRepository resolveRepository() {
        IdempotentRepository found = repository;
        if (found == null) {
            synchronized (this) {
                found = repository;
                if (found == null) {
                    found = lookUp();
                    repository = found;
                }
            }
        }
        return found;
    }

    private IdempotentRepository lookUp() {
        if (repositoryName == null || repositoryName.isBlank()) {
            throw new IllegalStateException("extracta.idempotency.repository is empty: set it to the bean name of the "
                    + "deleted-pairs repository (deletedPairsFile or deletedPairsJdbc)");
        }
        String name = repositoryName.strip();
        if (name.startsWith("#bean:")) {
            name = name.substring("#bean:".length());
        }
        Object bean = camelContext == null ? null : camelContext.getRegistry().lookupByName(name);
        if (bean instanceof JdbcDeletedPairs jdbc) {
            return jdbc.repository();
        }
        if (bean instanceof IdempotentRepository idempotent) {
            return idempotent;
        }
        throw new IllegalStateException("extracta.idempotency.repository=" + name + " names "
                + (bean == null ? "no bean" : "a bean that is no IdempotentRepository (" + bean.getClass().getName() + ")")
                + ": set it to deletedPairsFile (local file) or deletedPairsJdbc (shared PostgreSQL table)");
    }

    public void setSendGate(SendGate sendGate) {
        this.sendGate = sendGate;
    }

    public void setStateWrites(StateWrites stateWrites) {
        this.stateWrites = stateWrites;
    }

    public void setMetrics(PurgeMetrics metrics) {
        this.metrics = metrics;
    }

    /** How long a shared claim lasts without being renewed by its holder (ms): then another instance may take it. */
    public void setClaimLease(long claimLease) {
        if (claimLease < 1000) {
            throw new IllegalArgumentException("extracta.idempotency.claim-lease must be at least 1000 (ms)");
        }
        this.claimLease = claimLease;
    }

    // the row route's steps, called directly (process: ref / the ref language) rather than through bean binding

    public static Predicate alreadyDeletedCheck(DeleteLedger ledger) {
        return RowSteps.check(ledger::alreadyDeleted);
    }

    public static Predicate claimOrFindDeletedCheck(DeleteLedger ledger) {
        return RowSteps.check(ledger::claimOrFindDeleted);
    }

    public static Processor beforeSendStep(DeleteLedger ledger) {
        return RowSteps.step(ledger::beforeSend);
    }

    public static Processor recordDeletedStep(DeleteLedger ledger) {
        return RowSteps.step(ledger::recordDeleted);
    }

    public boolean alreadyDeleted(Exchange exchange) throws LedgerUnavailableException {
        if (!enabled) {
            return false;
        }
        String pair = RowContext.of(exchange).pairKey();
        return unwrittenDeleted.contains(pair) || contains(pair);
    }

    /**
     * Claims the request's pair before it is sent. Returns true when the pair turned out to be gone meanwhile (the
     * request is skipped), false when this request holds the claim and goes on to be sent. Waits while another
     * request holds it, for as long as it does (or, in another instance, until its lease runs out).
     */
    public boolean claimOrFindDeleted(Exchange exchange)
            throws LedgerUnavailableException, ApiHaltedException, StoppingException, DeliveryLostException {
        if (!enabled) {
            return false;
        }
        RowContext row = RowContext.of(exchange);
        String pair = row.pairKey();
        long pause = 20;
        boolean waiting = false;
        while (true) {
            if (claim(pair, row, false) || claim(pair, row, true)) {
                row.claimed(true);
                if (unwrittenDeleted.contains(pair) || contains(pair)) { // deleted by the holder we waited for
                    release(row);
                    return true;
                }
                // sent before by a request that did not end cleanly (a timeout, a 5xx, a crash, a lost delivery)
                row.appliedEarlierMaybe(contains(MAYBE_PREFIX + pair));
                return false;
            }
            if (unwrittenDeleted.contains(pair) || contains(pair)) {
                return true;
            }
            if (!waiting) {
                waiting = true;
                LOG.info("{} line {}: another request for the same pair is in flight; waiting for its outcome",
                        row.request().source(), row.request().line());
            }
            if (sendGate != null) {
                sendGate.checkNotStopped(row);
            }
            SendGate.pause(pause);
            pause = Math.min(pause * 2, LONGEST_POLL_MILLIS);
        }
    }

    private boolean claim(String pair, RowContext row, boolean abandoned) throws LedgerUnavailableException {
        try {
            boolean taken = abandoned ? claims().tryTakeOverAbandoned(pair, row) : claims().tryClaim(pair, row);
            if (taken && abandoned) {
                LOG.warn("{} line {}: the claim on this pair was held by an instance that stopped renewing it (it "
                        + "died): taken over", row.request().source(), row.request().line());
            }
            return taken;
        } catch (Exception e) {
            throw unavailable(e);
        }
    }

    /**
     * Just before the first attempt leaves: the pair is marked "maybe deleted" (a crash from here on leaves the mark),
     * and a shared claim must still certainly be ours.
     */
    public void beforeSend(Exchange exchange) throws LedgerUnavailableException {
        RowContext row = RowContext.of(exchange);
        if (!enabled) {
            return;
        }
        if (!claims().certain()) {
            throw new LedgerUnavailableException("this instance could not renew its claims in the shared repository "
                    + "lately, so another instance may take them over: nothing is sent until it can", null);
        }
        if (!row.markedMaybe()) {
            add(MAYBE_PREFIX + row.pairKey());
            row.markedMaybe(true);
        }
    }

    /**
     * The pair is gone: remembered for good, then its mark and claim go. Should the repository fail here, the delete
     * still stands (it is never sent again in this run) and is written as soon as the repository works again.
     */
    public void recordDeleted(Exchange exchange) {
        if (!enabled) {
            return;
        }
        RowContext row = RowContext.of(exchange);
        String pair = row.pairKey();
        try {
            writeUnwritten();
            add(pair);
            forgetMaybe(row);
        } catch (LedgerUnavailableException e) {
            // the 'maybe deleted' mark stays (if it was written): should the process end before the pair is
            // written, the request sent again at the next start reads its 404 as ALREADY_ABSENT
            unwrittenDeleted.add(pair);
            metrics.deletedUnrecorded();
            LOG.warn("{} line {}: the API confirmed the delete, but it could not be remembered ({}): it counts as {}, "
                    + "is never sent again while the application runs, and is written when the repository works "
                    + "again", row.request().source(), row.request().line(), Failures.oneLine(e.getCause()),
                    row.outcome() == null ? Outcome.DELETED : row.outcome());
        }
        releaseQuietly(row);
    }

    /**
     * The request ended without deleting (dead-lettered) or was stopped: its claim is given back so another request
     * for the pair may try, and its "maybe deleted" mark goes unless something may have deleted the pair.
     */
    public void releaseAfterFailure(Exchange exchange) {
        RowContext row = RowContext.find(exchange);
        if (!enabled || row == null) {
            return;
        }
        if (!row.mayHaveBeenApplied()) {
            forgetMaybe(row);
        }
        releaseQuietly(row);
    }

    /** A stopped request (shutdown, halt, lost delivery, a failing write) gives its claim back all the same. */
    public void releaseAfterStop(Exchange exchange) {
        releaseAfterFailure(exchange);
    }

    private void forgetMaybe(RowContext row) {
        if (!row.markedMaybe()) {
            return;
        }
        try {
            remove(MAYBE_PREFIX + row.pairKey());
            row.markedMaybe(false);
        } catch (LedgerUnavailableException e) {
            // a mark left behind only makes a later 404 for the pair read ALREADY_ABSENT instead of REJECTED
            LOG.warn("Could not clear the 'maybe deleted' mark of {} line {}: {}", row.request().source(),
                    row.request().line(), Failures.oneLine(e.getCause()));
        }
    }

    private void release(RowContext row) throws LedgerUnavailableException {
        if (row.claimed()) {
            try {
                claims().release(row.pairKey(), row);
            } catch (Exception e) {
                throw unavailable(e);
            } finally {
                row.claimed(false);
            }
        }
    }

    private void releaseQuietly(RowContext row) {
        try {
            release(row);
        } catch (LedgerUnavailableException e) {
            LOG.warn("Could not give back the claim of {} line {} ({}): another instance takes it over when its "
                    + "lease runs out", row.request().source(), row.request().line(), Failures.oneLine(e.getCause()));
        }
    }

    private void writeUnwritten() throws LedgerUnavailableException {
        for (String pair : unwrittenDeleted) {
            add(pair);
            unwrittenDeleted.remove(pair);
            LOG.info("A delete confirmed earlier is now remembered in the deleted-pairs repository");
        }
    }

    private boolean contains(String key) throws LedgerUnavailableException {
        try {
            return succeeded(repository().contains(key));
        } catch (RuntimeException e) {
            throw unavailable(e);
        }
    }

    /** Adds the key; false when it was there. A losing concurrent insert (a primary-key violation) is a false too. */
    private boolean add(String key) throws LedgerUnavailableException {
        try {
            return succeeded(repository().add(key));
        } catch (RuntimeException e) {
            if (contains(key)) {
                return false;
            }
            throw unavailable(e);
        }
    }

    /** The repository answered: ledger writes are healthy again if they were not. */
    private boolean succeeded(boolean answer) {
        stateWrites.succeeded(StateWrites.Kind.LEDGER);
        return answer;
    }

    private void remove(String key) throws LedgerUnavailableException {
        try {
            repository().remove(key);
        } catch (RuntimeException e) {
            throw unavailable(e);
        }
    }

    private LedgerUnavailableException unavailable(Exception e) {
        stateWrites.failed(StateWrites.Kind.LEDGER, "the deleted-pairs repository", e,
                "requests are not sent while it fails");
        return new LedgerUnavailableException("the deleted-pairs repository failed: " + Failures.oneLine(e), e);
    }

    private Claims claims() {
        if (claims == null) {
            synchronized (this) {
                if (claims == null) {
                    IdempotentRepository repo = repository();
                    DataSource dataSource = sharedClaimsDataSource();
                    if (repo instanceof AbstractJdbcMessageIdRepository && dataSource == null) {
                        throw new IllegalStateException("the JDBC repository has no data source for shared claims");
                    }
                    if (dataSource != null) {
                        JdbcClaims shared = new JdbcClaims(dataSource, claimLease);
                        if (camelContext != null) {
                            shared.startRenewing(camelContext.getExecutorServiceManager()
                                    .newSingleThreadScheduledExecutor(this, "extracta-claim-lease"));
                        }
                        LOG.info("Claims are shared with other instances in the database as {}", shared.owner());
                        claims = shared;
                    } else {
                        claims = new LocalClaims();
                    }
                }
            }
        }
        return claims;
    }

    /** A repository declared as a bean is not started by Camel: start it, and stop it with the context. */
    private IdempotentRepository repository() {
        IdempotentRepository repository = resolveRepository();
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

    /** The data source of a JDBC repository (the shared claims live there too), or null for any other repository. */
    DataSource sharedClaimsDataSource() {
        IdempotentRepository repository = this.repository;
        return repository instanceof AbstractJdbcMessageIdRepository jdbc && jdbc.getJdbcTemplate() != null
                ? jdbc.getJdbcTemplate().getDataSource() : null;
    }

    @Override
    public void start() {
        // nothing to do before the first request
    }

    /** The application stops: claims still held are given back, confirmed deletes not yet written are written. */
    @Override
    public void stop() {
        Claims held = claims;
        if (held != null) {
            held.releaseAll(owner -> owner instanceof RowContext row && row.attemptOpen());
        }
        if (!unwrittenDeleted.isEmpty() && started) {
            try {
                writeUnwritten();
            } catch (LedgerUnavailableException e) {
                LOG.error("{} deletes confirmed by the API could not be remembered in the deleted-pairs repository "
                        + "before the stop: a later request for them is sent again and answered 404 ({})",
                        unwrittenDeleted.size(), Failures.oneLine(e.getCause()));
            }
        }
    }
}
