package dev.purge.extracta.health;

import dev.purge.extracta.run.FileRun;
import dev.purge.extracta.run.InboxFiles;
import dev.purge.extracta.run.Outcome;
import dev.purge.extracta.run.RowContext;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.apache.camel.StartupListener;
import org.apache.camel.component.file.FileEndpoint;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.component.micrometer.MicrometerUtils;

/**
 * The application's own metrics ({@code extracta_*} on the Prometheus scrape endpoint), kept on the MeterRegistry
 * that camel-micrometer binds in the Camel registry. The other beans report each event in one line. Without that
 * registry (extracta.management.enabled=false, or a unit test without Camel) every method does nothing. No value
 * from a request (IDs, messages, the key) ever becomes a tag: tags are outcomes and HTTP status classes only.
 */
public class PurgeMetrics implements CamelContextAware, StartupListener {

    /** Latency buckets of the attempt histogram: the API answers in milliseconds, a timeout takes 30 s. */
    private static final Duration[] SLO_BUCKETS = {Duration.ofMillis(50), Duration.ofMillis(100),
            Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500),
            Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30)};

    private CamelContext camelContext;
    private volatile boolean resolved;
    private volatile Meters meters;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile java.util.function.IntSupplier unmovable = () -> 0;
    private final Set<FileRun> filesInProgress = ConcurrentHashMap.newKeySet();

    /** The meters, created once the registry is found. */
    private record Meters(Map<Outcome, Counter> outcomes, Map<Outcome, Counter> retries, Counter deadLetters,
                          Map<StateWrites.Kind, Counter> stateWriteFailures, Counter deletedUnrecorded,
                          MeterRegistry registry, Map<String, Timer> attemptTimers) {

        /** The attempt timer of one kind of answer, built once (a builder a row cost a lookup and an SLO copy). */
        Timer attemptTimer(String answer) {
            return attemptTimers.computeIfAbsent(answer, a -> Timer.builder("extracta.delete.attempt")
                    .description("HTTP delete attempts, from the moment one leaves to its answer or network failure")
                    .tag("answer", a)
                    .serviceLevelObjectives(SLO_BUCKETS)
                    .register(registry));
        }
    }

    /** An HTTP delete attempt leaves now (OutcomeRecorder.attemptLeaves, after the send gate let it through). */
    public void attemptStarted() {
        meters(); // the gauge exists from the first attempt on, even before the first scrape
        inFlight.incrementAndGet();
    }

    /** The API answered the attempt with this HTTP status. */
    public void attemptAnswered(RowContext row, int status) {
        recordAttempt(row, status >= 100 && status < 600 ? status / 100 + "xx" : "other");
    }

    /** The attempt got no answer: connection refused or reset, timeout. */
    public void attemptUnanswered(RowContext row) {
        recordAttempt(row, "none");
    }

    private void recordAttempt(RowContext row, String answer) {
        long startedAt = attemptClosed(row);
        Meters m = meters();
        if (m == null || startedAt < 0) {
            return;
        }
        m.attemptTimer(answer).record(Duration.ofNanos(System.nanoTime() - startedAt));
    }

    /** Ends the row's open attempt, if any: returns when it started (System.nanoTime()), or -1. */
    private long attemptClosed(RowContext row) {
        long startedAt = row == null ? -1 : row.takeAttemptStart();
        if (startedAt >= 0) {
            inFlight.decrementAndGet();
        }
        return startedAt;
    }

    /** A request (or a whole unreadable file or message) reached its final outcome. */
    public void requestFinal(Exchange exchange, Outcome outcome) {
        attemptClosed(RowContext.find(exchange)); // an attempt that ended in an unexpected exception
        Meters m = meters();
        if (m != null) {
            m.outcomes().get(outcome).increment();
        }
    }

    /** A request stopped before its outcome (shutdown, halt, repository down): it is not final. */
    public void requestStopped(Exchange exchange) {
        attemptClosed(RowContext.find(exchange));
    }

    /** One of the application's own writes failed. */
    public void stateWriteFailed(StateWrites.Kind kind) {
        Meters m = meters();
        if (m != null) {
            m.stateWriteFailures().get(kind).increment();
        }
    }

    /** A delete the API confirmed could not be remembered in the deleted-pairs repository (it still counts). */
    public void deletedUnrecorded() {
        Meters m = meters();
        if (m != null) {
            m.deletedUnrecorded().increment();
        }
    }

    /** Finished files that cannot be moved out of the inbox, for the gauge. */
    public void watchUnmovable(java.util.function.IntSupplier count) {
        this.unmovable = count;
    }

    /** RetryPolicy sends the request again after this failure. */
    public void retrying(Outcome because) {
        Meters m = meters();
        if (m != null) {
            m.retries().get(because).increment();
        }
    }

    /** A dead-letter record was written. */
    public void deadLettered() {
        Meters m = meters();
        if (m != null) {
            m.deadLetters().increment();
        }
    }

    /** A file of the inbox is being processed: its rows count as waiting until they are final. */
    public void fileStarted(FileRun run) {
        if (meters() != null) {
            filesInProgress.add(run);
        }
    }

    public void fileClosed(FileRun run) {
        filesInProgress.remove(run);
    }

    private Meters meters() {
        if (!resolved && camelContext != null) {
            resolve();
        }
        return meters;
    }

    private synchronized void resolve() {
        if (resolved) {
            return;
        }
        MeterRegistry registry = MicrometerUtils.getMeterRegistryFromCamelRegistry(camelContext.getRegistry(),
                MicrometerConstants.METRICS_REGISTRY_NAME);
        if (registry != null) {
            meters = register(registry);
        }
        // camel-micrometer binds its registry before the context starts: once started, it is there or never will be
        resolved = registry != null || camelContext.isStarted();
    }

    private Meters register(MeterRegistry registry) {
        Map<Outcome, Counter> outcomes = new EnumMap<>(Outcome.class);
        Map<Outcome, Counter> retries = new EnumMap<>(Outcome.class);
        // every series exists from the start at 0, so a rate over the first failure is right
        for (Outcome outcome : Outcome.values()) {
            outcomes.put(outcome, Counter.builder("extracta.requests")
                    .description("Requests that reached a final outcome (one per row, JSON line or message request; "
                            + "one per unreadable file or message)")
                    .tag("outcome", outcome.name()).register(registry));
            if (outcome.isRetryable()) {
                retries.put(outcome, Counter.builder("extracta.retries")
                        .description("Attempts sent again after a rate limit, server error or network failure")
                        .tag("outcome", outcome.name()).register(registry));
            }
        }
        Counter deadLetters = Counter.builder("extracta.dead.letters")
                .description("Dead-letter records written").register(registry);
        Map<StateWrites.Kind, Counter> stateWriteFailures = new EnumMap<>(StateWrites.Kind.class);
        for (StateWrites.Kind kind : StateWrites.Kind.values()) {
            stateWriteFailures.put(kind, Counter.builder("extracta.state.write.failures")
                    .description("Failed writes of the application's own state: journals, the deleted-pairs "
                            + "repository, dead letters, reports, moves out of the inbox")
                    .tag("kind", kind.name().toLowerCase()).register(registry));
        }
        Counter deletedUnrecorded = Counter.builder("extracta.deletes.unrecorded")
                .description("Deletes the API confirmed that could not be written to the deleted-pairs repository")
                .register(registry);
        Gauge.builder("extracta.inbox.files.unmovable", this, m -> m.unmovable.getAsInt())
                .description("Finished files that cannot be moved out of the inbox").register(registry);
        Gauge.builder("extracta.requests.in.flight", inFlight, AtomicInteger::get)
                .description("HTTP delete attempts sent and not yet answered").register(registry);
        Gauge.builder("extracta.inbox.files.waiting", this, PurgeMetrics::filesWaiting)
                .description("Files in the inbox that the inbox route will take, not yet started").register(registry);
        Gauge.builder("extracta.inbox.rows.waiting", this, PurgeMetrics::rowsWaiting)
                .description("Estimated rows of the files in progress that are not final yet").register(registry);
        return new Meters(outcomes, retries, deadLetters, stateWriteFailures, deletedUnrecorded, registry,
                new ConcurrentHashMap<>());
    }

    /**
     * Rows of the files in progress not final yet, estimated: rows read and not final, plus the unread part of the
     * file at the bytes per row read so far. Byte counts run up to one read buffer (64 KB) ahead of the rows, so
     * early in a file this is low. Rows final in an earlier run of a resumed file count as read and final.
     */
    double rowsWaiting() {
        double waiting = 0;
        for (FileRun run : filesInProgress) {
            double share = run.shareRead();
            long read = run.rowsRead();
            if (read > 0 && share > 0) {
                waiting += Math.max(0, Math.round(read / share) - run.rowsDone());
            }
        }
        return waiting;
    }

    /** Files the inbox route's endpoint would take (its folder and include pattern), less the ones in progress. */
    double filesWaiting() {
        FileEndpoint inbox = InboxFiles.endpoint(camelContext);
        if (inbox == null) {
            return 0;
        }
        Set<Path> inProgress = new HashSet<>();
        filesInProgress.forEach(run -> inProgress.add(run.path().toAbsolutePath()));
        try {
            return InboxFiles.inputsIn(inbox.getFile().toPath(), inbox).stream()
                    .filter(file -> !Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS))
                    .filter(file -> !inProgress.contains(file.toAbsolutePath()))
                    .count();
        } catch (IOException e) {
            return Double.NaN; // the inbox cannot be listed: unknown, not zero
        }
    }

    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
        // Camel makes every bean of routes/beans.camel.yaml twice (when it pre-parses the route files, and again when
        // it loads them) and the second one replaces the first in the registry: only the bean the registry holds
        // registers, else the gauges (which Micrometer keeps from the first registration) would read a dropped copy
        if (context.getRegistry().findByType(PurgeMetrics.class).contains(this)) {
            meters(); // the gauges and the zero series are there before the first scrape
        }
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
        try {
            camelContext.addStartupListener(this);
        } catch (Exception e) {
            throw new IllegalStateException("cannot listen for the start of Camel", e);
        }
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }
}
