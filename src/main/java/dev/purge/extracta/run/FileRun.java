package dev.purge.extracta.run;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.camel.Exchange;

/**
 * The live state of one file (or queue message, or direct call) being processed: the pinned file, its journal, counters
 * by outcome, rows and bytes read, and why it stopped early. Thread-safe.
 */
public final class FileRun {

    /** The one exchange property a file's, message's or direct call's state lives in. */
    public static final String PROPERTY = "extractaRun";
    public static final String STOPPED_BY_SHUTDOWN = "stopped by a shutdown";
    public static final String STOPPED_BY_HALT = "stopped: the API refused the key";

    /** Why a run stopped before every row had its outcome; decides what happens to the file and the exit status. */
    public enum Stop {
        /** The application is stopping: resumes at the next start. */
        SHUTDOWN,
        /** The API refused the key: nothing more is sent until a restart with a good key. */
        HALT,
        /** The deleted-pairs repository failed: taken up again later. */
        LEDGER,
        /** One of the application's own writes failed (journal, dead letter, report): taken up again later. */
        STATE_WRITE,
        /** The queue message's JMS session died (the broker went away): the broker delivers it again. */
        DELIVERY_LOST,
        /** The file changed while it was read: read again for what changed. */
        CHANGED,
        /** Reading the file failed (an I/O error): taken up again later. */
        READ
    }

    private final String source;
    private final Path path;
    private final boolean dryRun;
    private final Instant startedAt = Instant.now();
    private final Map<Outcome, LongAdder> outcomes = new EnumMap<>(Outcome.class);
    private final AtomicLong rowsRead = new AtomicLong();
    private final LongAdder rowsStopped = new LongAdder();
    private volatile long bytesRead;
    private volatile InboxFile file;
    private volatile FileJournal journal;
    private volatile long rowsFromEarlierRuns;
    private volatile String deadLetterTarget;
    private volatile String interruptedBecause;
    private volatile Stop stop;
    private volatile int deliveryCount = 1;
    private volatile BooleanSupplier deliveryAlive = () -> true;
    private volatile boolean inPlace;
    private volatile String setAsideBecause;
    private volatile String status;
    private volatile boolean stateWriteFailed;
    private volatile String wholeFailure;
    private volatile String deadLetterUri = "";
    private BufferedWriter dryRunPlan;
    /** Outcome of each request, kept for runs that answer them (queue messages, direct calls); null for files. */
    private final List<RequestResult> results;
    /**
     * A queue message's dead-letter records, held while its requests run on worker threads and sent by the consumer's
     * own thread once all are done (its JMS session serves that thread only); null for runs that send them at once.
     */
    private volatile List<HeldDeadLetter> heldDeadLetters;

    /** A dead-letter record waiting for its message's consumer thread, with the line it sorts by. */
    private record HeldDeadLetter(long line, String record) {
    }

    /** A file, before it is opened. */
    public FileRun(String source, Path path, boolean dryRun) {
        this(source, path, dryRun, false);
    }

    /** A run that is not a file: a queue message or a direct call, answered with the outcome of each request. */
    public static FileRun forMessage(String source, boolean dryRun) {
        return new FileRun(source, null, dryRun, true);
    }

    private FileRun(String source, Path path, boolean dryRun, boolean answers) {
        this.results = answers ? Collections.synchronizedList(new ArrayList<>()) : null;
        this.source = source;
        this.path = path;
        this.dryRun = dryRun;
        for (Outcome outcome : Outcome.values()) {
            outcomes.put(outcome, new LongAdder());
        }
    }

    /** The run the exchange belongs to; fails loudly when a route is used without its entrance's start step. */
    public static FileRun of(Exchange exchange) {
        FileRun run = exchange.getProperty(PROPERTY, FileRun.class);
        if (run == null) {
            throw new IllegalStateException("no file run on exchange " + exchange.getExchangeId());
        }
        return run;
    }

    /** The run the exchange belongs to, or null before its entrance started one. */
    public static FileRun find(Exchange exchange) {
        return exchange.getProperty(PROPERTY, FileRun.class);
    }

    /** From now on the dead-letter route holds this run's records until {@link #takeHeldDeadLetters()}. */
    public void holdDeadLetters() {
        heldDeadLetters = Collections.synchronizedList(new ArrayList<>());
    }

    /** Whether the dead-letter route holds this run's records rather than sending them at once. */
    public boolean isHoldingDeadLetters() {
        return heldDeadLetters != null;
    }

    /** Holds one record (a request's: {@code line}; the whole message's: null) until the message's end. */
    public void holdDeadLetter(Long line, String record) {
        heldDeadLetters.add(new HeldDeadLetter(line == null ? 0 : line, record));
    }

    /** The records held so far, in the order of their lines, and none held any more. */
    public List<String> takeHeldDeadLetters() {
        List<HeldDeadLetter> held = heldDeadLetters;
        if (held == null) {
            return List.of();
        }
        List<HeldDeadLetter> taken;
        synchronized (held) {
            taken = new ArrayList<>(held);
            held.clear();
        }
        taken.sort(Comparator.comparingLong(HeldDeadLetter::line));
        return taken.stream().map(HeldDeadLetter::record).toList();
    }

    /** Where the dead-letter route sends this run's records (a Camel endpoint URI): the folder's or the queue's. */
    public String getDeadLetterUri() {
        return deadLetterUri;
    }

    public void setDeadLetterUri(String uri) {
        this.deadLetterUri = uri;
    }

    /**
     * Why a failure stops the run rather than being the file's own failure, or null. {@code stopping}: the application
     * is stopping, and anything failing now (a pool refusing work, Camel refusing a redelivery) is the stop's doing.
     */
    public static Stop stopOf(Throwable e, boolean stopping) {
        if (Failures.find(e, StateWriteException.class) != null) {
            return Stop.STATE_WRITE;
        }
        if (Failures.find(e, LedgerUnavailableException.class) != null) {
            return Stop.LEDGER;
        }
        if (Failures.find(e, ApiHaltedException.class) != null) {
            return Stop.HALT;
        }
        if (Failures.find(e, FileChangedException.class) != null) {
            return Stop.CHANGED; // cut shorter while it was inspected: read again as it is now
        }
        if (stopping || Failures.find(e, StoppingException.class) != null
                || Failures.find(e, InterruptedException.class) != null) {
            return Stop.SHUTDOWN;
        }
        return null;
    }

    /** The words a stop is reported with. */
    public static String describeStop(Stop stop, Throwable e) {
        return switch (stop) {
            case SHUTDOWN -> STOPPED_BY_SHUTDOWN;
            case HALT -> STOPPED_BY_HALT;
            default -> "stopped: " + Failures.describe(e);
        };
    }

    /** The file as it was taken: every pass reads through it. */
    public void pin(InboxFile file) {
        this.file = file;
    }

    public InboxFile file() {
        return file;
    }

    /** The file's progress journal, once its content is known; carries over the outcomes of earlier runs. */
    public void attachJournal(FileJournal journal) {
        long earlier = 0;
        for (Map.Entry<Outcome, Long> e : journal.earlierOutcomes().entrySet()) {
            outcomes.get(e.getKey()).add(e.getValue());
            earlier += e.getValue();
        }
        this.rowsFromEarlierRuns = earlier;
        this.journal = journal;
    }

    /** Rows that reached their final outcome in an earlier run of this file (then stopped or killed). */
    public long rowsFromEarlierRuns() {
        return rowsFromEarlierRuns;
    }

    /** Whether the line reached its final outcome in an earlier run: it is skipped. */
    public boolean finalEarlier(long line) {
        FileJournal j = journal;
        return j != null && j.isFinal(line);
    }

    /** Whether an earlier run sent this line (it was in flight when that run stopped). */
    public boolean attemptedEarlier(long line) {
        FileJournal j = journal;
        return j != null && j.wasAttemptedEarlier(line);
    }

    /** Marks the line as sent, before it is sent. */
    public void attempted(long line) throws IOException {
        FileJournal j = journal;
        if (j != null) {
            j.attempted(line);
        }
    }

    /** The API answered this line without deleting it: it was not carried out. */
    public void answered(long line) throws IOException {
        FileJournal j = journal;
        if (j != null) {
            j.answered(line);
        }
    }

    /** Records a row's final outcome in the counters, then on disk (which may fail: the caller decides). */
    public void finalOutcome(long line, Outcome outcome) throws IOException {
        outcomes.get(outcome).increment();
        FileJournal j = journal;
        if (j != null) {
            j.finished(line, outcome);
        }
    }

    /**
     * No further row of this file (or request of this message) is started. The first reason is kept.
     */
    public synchronized void interrupt(Stop why, String because) {
        if (interruptedBecause == null) {
            interruptedBecause = because;
            stop = why;
        }
        if (why == Stop.STATE_WRITE) {
            stateWriteFailed = true;
        }
    }

    public boolean interrupted() {
        return interruptedBecause != null;
    }

    /** Why the run was interrupted, or null. */
    public String interruptedBecause() {
        return interruptedBecause;
    }

    public Stop stop() {
        return stop;
    }

    /** One of the application's own writes for this run failed (moving it out of the inbox, say). */
    public void markStateWriteFailed() {
        stateWriteFailed = true;
    }

    /** Whether one of the application's own writes failed during this run. */
    public boolean stateWriteFailed() {
        return stateWriteFailed;
    }

    /** Why the whole file or message could not be read (for its answer), or null. */
    public void wholeFailure(String message) {
        this.wholeFailure = message;
    }

    public String wholeFailure() {
        return wholeFailure;
    }

    /** A row was stopped before its outcome (shutdown, halt, a failure that is not the row's): it is not final. */
    public void rowStopped() {
        rowsStopped.increment();
    }

    public long rowsStopped() {
        return rowsStopped.sum();
    }

    /** A file named on the command line: it stays where it is, whatever its outcome. */
    public void inPlace(boolean inPlace) {
        this.inPlace = inPlace;
    }

    public boolean inPlace() {
        return inPlace;
    }

    /** Not taken yet (its last line may still be written, say): left in the inbox without a report. */
    public void setAside(String because) {
        this.setAsideBecause = because;
    }

    /** Why the file was left for later, or null. */
    public String setAsideBecause() {
        return setAsideBecause;
    }

    /** The status the report gave the file (DONE, FAILED, INTERRUPTED, DRY_RUN), or null while it runs. */
    public void status(String status) {
        this.status = status;
    }

    public String status() {
        return status;
    }

    /** The broker's own delivery count of a queue message (1 for the first delivery). */
    public void delivery(int count, BooleanSupplier alive) {
        this.deliveryCount = count;
        this.deliveryAlive = alive;
    }

    public int deliveryCount() {
        return deliveryCount;
    }

    /** False once the queue message's JMS session is gone: nothing more of it may be sent. */
    public boolean deliveryAlive() {
        return deliveryAlive.getAsBoolean();
    }

    public boolean isMessage() {
        return results != null;
    }

    public void result(RequestResult result) {
        results.add(result);
    }

    public List<RequestResult> results() {
        if (results == null) {
            return List.of();
        }
        synchronized (results) {
            List<RequestResult> sorted = new ArrayList<>(results);
            sorted.sort(Comparator.comparing(r -> r.line() == null ? 0L : r.line()));
            return sorted;
        }
    }

    public FileJournal journal() {
        return journal;
    }

    public String source() {
        return source;
    }

    public Path path() {
        return path;
    }

    public long size() {
        InboxFile f = file;
        return f == null ? 0 : f.size();
    }

    public boolean dryRun() {
        return dryRun;
    }

    public Instant startedAt() {
        return startedAt;
    }

    public void rowRead() {
        rowsRead.incrementAndGet();
    }

    public void bytesRead(long bytes) {
        bytesRead = bytes;
    }

    public long rowsRead() {
        return rowsRead.get();
    }

    /** Share of the file read so far, 0 to 1, by bytes. */
    public double shareRead() {
        long size = size();
        return size == 0 ? 1.0 : Math.min(1.0, (double) bytesRead / size);
    }

    public void increment(Outcome outcome) {
        outcomes.get(outcome).increment();
    }

    public long count(Outcome outcome) {
        return outcomes.get(outcome).sum();
    }

    public Map<Outcome, Long> totals() {
        Map<Outcome, Long> totals = new EnumMap<>(Outcome.class);
        outcomes.forEach((outcome, adder) -> totals.put(outcome, adder.sum()));
        return totals;
    }

    /** The non-zero totals as "DELETED=3 REJECTED=1", or "no outcomes". */
    public String totalsText() {
        String text = totals().entrySet().stream()
                .filter(e -> e.getValue() > 0)
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(" "));
        return text.isEmpty() ? "no outcomes" : text;
    }

    /** Rows with a final outcome (an unreadable file is not a row). */
    public long rowsDone() {
        return outcomes.entrySet().stream()
                .filter(e -> e.getKey() != Outcome.UNREADABLE_FILE)
                .mapToLong(e -> e.getValue().sum())
                .sum();
    }

    public long rowsFailed() {
        return outcomes.entrySet().stream()
                .filter(e -> e.getKey().isDeadLettered() && e.getKey() != Outcome.UNREADABLE_FILE)
                .mapToLong(e -> e.getValue().sum())
                .sum();
    }

    public void deadLetterTarget(String target) {
        deadLetterTarget = target;
    }

    public String deadLetterTarget() {
        return deadLetterTarget;
    }

    public synchronized void appendToDryRunPlan(Path planFile, String jsonLine) throws IOException {
        if (dryRunPlan == null) {
            Files.createDirectories(planFile.getParent());
            dryRunPlan = Files.newBufferedWriter(planFile, StandardCharsets.UTF_8);
        }
        dryRunPlan.write(jsonLine);
        dryRunPlan.write('\n');
    }

    public synchronized void closeDryRunPlan() throws IOException {
        if (dryRunPlan != null) {
            dryRunPlan.close();
            dryRunPlan = null;
        }
    }
}
