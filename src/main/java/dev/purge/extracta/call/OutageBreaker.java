package dev.purge.extracta.call;

import dev.purge.extracta.run.Failures;
import dev.purge.extracta.run.Outcome;
import dev.purge.extracta.secret.ExtractaCredentials;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outage pause: after {@code failureThreshold} rows in a row ended SERVER_ERROR or NETWORK (after their retries),
 * all sending pauses for {@code openDuration}; then a probe, {@code GET /credits} (harmless: it deletes nothing),
 * asks whether the API answers again. An answer ends the pause; a server or network failure starts another. Rows
 * never act as the trial: one that keeps failing cannot hold the others back, since it only ever uses its own
 * attempts and is dead-lettered when they run out, pause or not. An idle application finds the API back too.
 * Resilience4j's circuit breaker keeps the state, used directly.
 * Not Camel's circuitBreaker EIP: open, it passes rows on unsent without error; half-open, a row is the trial (CamelFeatureFitTest).
 */
public class OutageBreaker {

    private static final Logger LOG = LoggerFactory.getLogger(OutageBreaker.class);

    private int failureThreshold = 10;
    private long openDuration = 60_000;
    private String baseUrl;
    private ExtractaCredentials credentials;
    private long probeTimeout = 10_000;
    private Consumer<String> keyRefused = reason -> { };
    /** Makes the probe's thread (a Camel pool, from the send gate that owns the Camel context); null: probe inline. */
    private Supplier<ExecutorService> proberPool;
    private volatile ExecutorService prober;
    private volatile CircuitBreaker breaker;
    private volatile long pausedSince;
    private int failedProbes;
    private final Object transitions = new Object();

    public void setFailureThreshold(int failureThreshold) {
        if (failureThreshold < 1) {
            throw new IllegalArgumentException("extracta.circuit.failure-threshold must be at least 1");
        }
        this.failureThreshold = failureThreshold;
    }

    public void setOpenDuration(long openDuration) {
        this.openDuration = Math.max(1, openDuration);
    }

    /** Where the probe asks: {@code <base-url>/credits}. */
    public void setBaseUrl(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    public void setCredentials(ExtractaCredentials credentials) {
        this.credentials = credentials;
    }

    /** The probe's connect and answer timeout (ms). */
    public void setProbeTimeout(long probeTimeout) {
        this.probeTimeout = Math.max(1, probeTimeout);
    }

    /** Called when the probe finds the key refused (401): sending halts, as after a 401 to a delete. */
    void onKeyRefused(Consumer<String> halt) {
        this.keyRefused = halt;
    }

    /** Where probes run: asked once, at the first pause; a null answer (no Camel context yet) probes inline. */
    void probeOn(Supplier<ExecutorService> pool) {
        this.proberPool = pool;
    }

    CircuitBreaker breaker() {
        if (breaker == null) {
            synchronized (this) {
                if (breaker == null) {
                    CircuitBreaker created = CircuitBreaker.of("extracta-outage", CircuitBreakerConfig.custom()
                            .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                            .slidingWindowSize(failureThreshold)
                            .minimumNumberOfCalls(failureThreshold)
                            .failureRateThreshold(100)
                            .waitDurationInOpenState(Duration.ofMillis(openDuration))
                            .automaticTransitionFromOpenToHalfOpenEnabled(true)
                            .permittedNumberOfCallsInHalfOpenState(1)
                            .build());
                    created.getEventPublisher().onStateTransition(event -> {
                        CircuitBreaker.StateTransition t = event.getStateTransition();
                        if (t == CircuitBreaker.StateTransition.HALF_OPEN_TO_OPEN) {
                            // said at WARN once per outage, then quietly: an outage may last hours
                            if (failedProbes++ == 0) {
                                LOG.warn("API outage goes on: the probe failed again; all sending stays paused, probed "
                                        + "every {} ms", openDuration);
                            } else {
                                LOG.info("API outage goes on ({} probes failed)", failedProbes);
                            }
                        } else if (t.getToState() == CircuitBreaker.State.OPEN) {
                            pausedSince = System.currentTimeMillis();
                            failedProbes = 0;
                            LOG.warn("API outage: {} rows in a row failed with a server or network error; pausing all "
                                    + "sending for {} ms, then GET /credits tells whether the API is back",
                                    failureThreshold, openDuration);
                        } else if (t.getToState() == CircuitBreaker.State.HALF_OPEN) {
                            probeSoon();
                        } else if (t.getToState() == CircuitBreaker.State.CLOSED) {
                            LOG.info("Outage pause over: the API answers again; sending resumes");
                        }
                        synchronized (transitions) {
                            transitions.notifyAll();
                        }
                    });
                    breaker = created;
                }
            }
        }
        return breaker;
    }

    /** Whether sending is paused for an outage (or the probe is under way). */
    public boolean isPaused() {
        return breaker().getState() != CircuitBreaker.State.CLOSED;
    }

    /** When the pause began (epoch ms), while paused. */
    public Instant pausedSince() {
        return Instant.ofEpochMilli(pausedSince);
    }

    /** Waits up to {@code millis} for sending to be open; true when it is. */
    boolean awaitClosed(long millis) throws InterruptedException {
        if (!isPaused()) {
            return true;
        }
        synchronized (transitions) {
            transitions.wait(millis);
        }
        return !isPaused();
    }

    /**
     * Records a row's final outcome while sending is open: SERVER_ERROR and NETWORK count towards the pause, anything
     * else the API answered breaks the run. While paused, only the probe decides.
     */
    public void record(Outcome outcome) {
        CircuitBreaker b = breaker();
        if (b.getState() != CircuitBreaker.State.CLOSED) {
            return;
        }
        if (outcome == Outcome.SERVER_ERROR || outcome == Outcome.NETWORK) {
            b.onError(0, TimeUnit.MILLISECONDS, new IllegalStateException(outcome.name()));
        } else {
            b.onSuccess(0, TimeUnit.MILLISECONDS);
        }
    }

    private void probeSoon() {
        ExecutorService executor = prober();
        if (executor == null) {
            probe(); // no Camel context (a unit test): right here
        } else {
            executor.execute(this::probe);
        }
    }

    /** One GET /credits: an answer below 500 (but 429) ends the pause; 401 halts; anything else pauses again. */
    void probe() {
        CircuitBreaker b = breaker();
        if (!b.tryAcquirePermission()) {
            return;
        }
        int status;
        try {
            status = credits();
        } catch (IOException e) {
            LOG.info("Outage probe GET /credits: no answer ({})", Failures.oneLine(e));
            b.onError(0, TimeUnit.MILLISECONDS, e);
            return;
        } catch (InterruptedException e) {
            // counted as a failed probe: back to OPEN, so another probe follows (released, the breaker stayed
            // HALF_OPEN with no probe to come, and sending stayed paused for good)
            Thread.currentThread().interrupt();
            b.onError(0, TimeUnit.MILLISECONDS, e);
            return;
        } catch (RuntimeException e) {
            LOG.warn("Outage probe GET /credits failed: {}", Failures.oneLine(e));
            b.onError(0, TimeUnit.MILLISECONDS, e);
            return;
        }
        LOG.info("Outage probe GET /credits: HTTP {}", status);
        if (status == 401) {
            keyRefused.accept("HTTP 401 to GET /credits");
            b.onSuccess(0, TimeUnit.MILLISECONDS); // the halt holds everything now
        } else if (status >= 500 || status == 429 || status < 100) {
            b.onError(0, TimeUnit.MILLISECONDS, new IllegalStateException("HTTP " + status));
        } else {
            b.onSuccess(0, TimeUnit.MILLISECONDS);
        }
    }

    private int credits() throws IOException, InterruptedException {
        if (baseUrl == null || credentials == null) {
            throw new IOException("no API to ask (base URL or key missing)");
        }
        return CreditsPreflight.credits(baseUrl, credentials.resolve(), probeTimeout);
    }

    private ExecutorService prober() {
        if (prober == null && proberPool != null) {
            synchronized (this) {
                if (prober == null) {
                    prober = proberPool.get();
                }
            }
        }
        return prober;
    }
}
