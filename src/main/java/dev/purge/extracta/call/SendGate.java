package dev.purge.extracta.call;

import dev.purge.extracta.run.ApiHaltedException;
import dev.purge.extracta.run.DeliveryLostException;
import dev.purge.extracta.run.RowContext;
import dev.purge.extracta.run.RowSteps;
import dev.purge.extracta.run.StoppingException;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides when a request may leave, for all files at once: never after the API refused the key (halted until
 * restart), never once the application is stopping, never during a pause the API asked for with 429 + Retry-After,
 * never during an outage pause, and never more than {@code rateLimit} requests in any window of one second as the API
 * sees them arrive: each attempt holds one of {@code rateLimit} permits from before it leaves until one second after
 * its answer (or failure) came back. The API sees it arrive between those two instants, so any {@code rateLimit + 1}
 * arrivals within one second would need that many permits held at once, at the last arrival. (A permit held for a
 * fixed time after it was taken is not enough: a request delayed between the permit and the wire by a busy CPU or a
 * pause arrives late, next to the requests that took its successors.) Every wait is short and followed by a fresh
 * look at all of these.
 * <p>
 * Not Camel's throttle: a row waiting in it still leaves after a stop, a retry waits for its own attempt's slot (CamelFeatureFitTest).
 */
public class SendGate implements CamelContextAware {

    private static final Logger LOG = LoggerFactory.getLogger(SendGate.class);

    private int rateLimit = 10;
    /** How long a permit stays taken after the attempt ended (ms): the window, and a margin for clock granularity. */
    private static final long HOLD_AFTER_ANSWER_MILLIS = 1050;
    private OutageBreaker outageBreaker;
    private CamelContext camelContext;
    private volatile Semaphore permits;
    private volatile ScheduledExecutorService releaser;
    private volatile long pausedUntil;
    private volatile String haltReason;
    private static final long STEP_MILLIS = 200;
    private volatile Semaphore callSlots = new Semaphore(4);

    public void setRateLimit(int rateLimit) {
        if (rateLimit < 0) {
            throw new IllegalArgumentException("extracta.rate-limit must be 0 (unlimited) or more");
        }
        this.rateLimit = rateLimit;
    }

    /** Requests in flight at once, over every file, message and direct call (extracta.concurrency). */
    public void setConcurrency(int concurrency) {
        if (concurrency < 1) {
            throw new IllegalArgumentException("extracta.concurrency must be a whole number of at least 1");
        }
        callSlots = new Semaphore(concurrency);
    }

    // the delete-batch route's steps, called directly (process: ref) rather than through bean binding

    public static Processor enterCallStep(SendGate gate) {
        return RowSteps.step(gate::enterCall);
    }

    public static Processor acquireStep(SendGate gate) {
        return RowSteps.step(gate::acquire);
    }

    public static Processor leaveCallStep(SendGate gate) {
        return RowSteps.step(gate::leaveCall);
    }

    /**
     * Waits until the row's next attempt may leave (its backoff or Retry-After), then takes one of the
     * {@code concurrency} call slots, waiting for one to be free. Every wait is short and followed by a look at a
     * stop, a halt and the row's queue delivery, so a row waiting here ends INTERRUPTED at once when one comes.
     */
    public void enterCall(Exchange exchange) throws ApiHaltedException, StoppingException, DeliveryLostException {
        RowContext row = RowContext.of(exchange);
        for (long wait = row.notBefore() - System.currentTimeMillis(); wait > 0;
             wait = row.notBefore() - System.currentTimeMillis()) {
            checkNotStopped(row);
            pause(Math.min(wait, STEP_MILLIS));
        }
        try {
            while (!callSlots.tryAcquire(STEP_MILLIS, TimeUnit.MILLISECONDS)) {
                checkNotStopped(row);
            }
        } catch (InterruptedException e) {
            throw interrupted();
        }
        row.callSlot(true);
    }

    /**
     * Gives the attempt's call slot back, if it took one (the attempt may have stopped before), and its rate permit a
     * second after now: the answer (or the failure) is in, so the API saw the request arrive before now.
     */
    public void leaveCall(Exchange exchange) {
        RowContext row = RowContext.find(exchange);
        if (row == null) {
            return;
        }
        if (row.holdsRatePermit()) {
            row.ratePermit(false);
            releaser.schedule(() -> permits.release(), HOLD_AFTER_ANSWER_MILLIS, TimeUnit.MILLISECONDS);
        }
        if (row.holdsCallSlot()) {
            row.callSlot(false);
            callSlots.release();
        }
    }

    public void setOutageBreaker(OutageBreaker outageBreaker) {
        this.outageBreaker = outageBreaker;
        outageBreaker.onKeyRefused(this::halt);
        outageBreaker.probeOn(() -> camelContext == null ? null
                : camelContext.getExecutorServiceManager().newSingleThreadExecutor(outageBreaker, "extracta-probe"));
    }

    /** Blocks until this attempt may be sent. Throws when sending has halted for good, or the row must stop. */
    public void acquire(Exchange exchange) throws ApiHaltedException, StoppingException, DeliveryLostException {
        RowContext row = RowContext.of(exchange);
        while (true) {
            checkNotStopped(row);
            long wait = pausedUntil - System.currentTimeMillis();
            if (wait > 0) {
                pause(Math.min(wait, STEP_MILLIS));
                continue;
            }
            try {
                if (outageBreaker != null && !outageBreaker.awaitClosed(STEP_MILLIS)) {
                    continue; // paused for an outage: the probe decides when it ends
                }
                if (rateLimit > 0 && !permits().tryAcquire(STEP_MILLIS, TimeUnit.MILLISECONDS)) {
                    continue; // every wait is short, so a stop, a halt or a pause that began meanwhile is seen
                }
            } catch (InterruptedException e) {
                throw interrupted();
            }
            // the last word: anything that began while this request waited keeps it from leaving
            boolean blocked = stopping() || isHalted() || pausedUntil > System.currentTimeMillis()
                    || (outageBreaker != null && outageBreaker.isPaused()) || !row.run().deliveryAlive();
            if (!blocked) {
                // given back by leaveCall, a second after the attempt ends (leaveCall runs in the call's finally)
                row.ratePermit(rateLimit > 0);
                return;
            }
            if (rateLimit > 0) {
                permits.release();
            }
        }
    }

    /** One short wait; a thread interrupted (a forced stop) ends the row as stopped, through its stop handling. */
    public static void pause(long millis) throws StoppingException {
        try {
            TimeUnit.MILLISECONDS.sleep(millis);
        } catch (InterruptedException e) {
            throw interrupted();
        }
    }

    private static StoppingException interrupted() {
        // not restored as the thread's interrupt: the row must still run its stop handling (claim, state)
        return new StoppingException("interrupted while waiting to send: the application is stopping");
    }

    /** The API answered 429 with Retry-After (already capped): every request waits, not only the one that got it. */
    public void pauseAll(long millis) {
        long until = System.currentTimeMillis() + millis;
        if (until > pausedUntil) {
            pausedUntil = until;
            LOG.warn("The API asked to slow down (429): all sending paused for {} ms, until {}", millis,
                    Instant.ofEpochMilli(until));
        }
    }

    /** Until when sending is paused because the API asked to slow down (epoch ms; in the past when it is not). */
    public long pausedUntil() {
        return pausedUntil;
    }

    /** The API refused the key: nothing more is sent until the application restarts. */
    public void halt(String reason) {
        synchronized (this) {
            if (haltReason != null) {
                return;
            }
            haltReason = reason;
        }
        LOG.error("The Extracta API refused the API key ({}). Nothing more will be sent: files stay in the inbox "
                + "without dead letters. Fix EXTRACTA_API_KEY (or extracta.api-key-file) and restart.", reason);
        stopQueueConsumer();
    }

    /** Queue messages stay on the broker while halted: the route queue-halt stops the queue consumer (Control Bus). */
    private void stopQueueConsumer() {
        if (camelContext == null || camelContext.getRoute("queue-halt") == null || stopping()) {
            return; // no routes (a unit test), or the whole application is stopping anyway
        }
        try (ProducerTemplate template = camelContext.createProducerTemplate()) {
            template.sendBody("direct:queue-halt", null);
        } catch (Exception e) {
            LOG.warn("Could not stop the queue consumer after the halt: {}", e.getMessage());
        }
    }

    public boolean isHalted() {
        return haltReason != null;
    }

    /** Whether the key was refused or the application is stopping: nothing should wait any longer. */
    public boolean isStoppingOrHalted() {
        return isHalted() || stopping();
    }

    /** Throws when the row must not wait any longer: a stop, a halt, or its queue delivery is gone. */
    public void checkNotStopped(RowContext row) throws ApiHaltedException, StoppingException, DeliveryLostException {
        checkNotStoppedOrHalted();
        if (!row.run().deliveryAlive()) {
            throw new DeliveryLostException(row.run().source() + ": the JMS session of this delivery is gone (the "
                    + "broker went away); the broker delivers the message again");
        }
    }

    /** Throws when the key was refused or the application is stopping: nothing should wait any longer. */
    void checkNotStoppedOrHalted() throws ApiHaltedException, StoppingException {
        if (haltReason != null) {
            throw new ApiHaltedException("sending halted: the API refused the key (" + haltReason + ")");
        }
        if (stopping()) {
            throw new StoppingException("shutting down: no new request starts");
        }
    }

    private boolean stopping() {
        return StoppingException.isStopping(camelContext);
    }

    private Semaphore permits() {
        if (permits == null) {
            synchronized (this) {
                if (permits == null) {
                    releaser = Executors.newSingleThreadScheduledExecutor(r -> {
                        Thread t = new Thread(r, "extracta-rate-limit");
                        t.setDaemon(true);
                        return t;
                    });
                    permits = new Semaphore(rateLimit, true);
                }
            }
        }
        return permits;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }
}
