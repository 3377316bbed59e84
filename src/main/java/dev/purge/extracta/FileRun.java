package dev.purge.extracta;

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
import java.util.stream.Collectors;

/** The live state of one file being processed: counters by outcome, rows and bytes read. Thread-safe. */
public final class FileRun {

    private final String source;
    private final Path path;
    private final long size;
    private final boolean dryRun;
    private final Instant startedAt = Instant.now();
    private final Map<Outcome, LongAdder> outcomes = new EnumMap<>(Outcome.class);
    private final AtomicLong rowsRead = new AtomicLong();
    private volatile long bytesRead;
    private final FileJournal journal;
    private final long rowsFromEarlierRuns;
    private volatile String deadLetterTarget;
    private volatile String interruptedBecause;
    private volatile boolean redelivered;
    private volatile boolean inPlace;
    private volatile String status;
    private BufferedWriter dryRunPlan;
    /** Outcome of each request, kept for runs that answer them (queue messages, direct calls); null for files. */
    private final List<RequestResult> results;

    /**
     * @param journal the file's progress on disk, or null in dry-run (nothing to resume)
     */
    FileRun(String source, Path path, long size, boolean dryRun, FileJournal journal) {
        this(source, path, size, dryRun, journal, false);
    }

    /** A run that is not a file: a queue message or a direct call, answered with the outcome of each request. */
    static FileRun forMessage(String source, long size, boolean dryRun) {
        return new FileRun(source, null, size, dryRun, null, true);
    }

    private FileRun(String source, Path path, long size, boolean dryRun, FileJournal journal, boolean answers) {
        this.results = answers ? Collections.synchronizedList(new ArrayList<>()) : null;
        this.source = source;
        this.path = path;
        this.size = size;
        this.dryRun = dryRun;
        this.journal = journal;
        for (Outcome outcome : Outcome.values()) {
            outcomes.put(outcome, new LongAdder());
        }
        long earlier = 0;
        if (journal != null) {
            for (Map.Entry<Outcome, Long> e : journal.earlierOutcomes().entrySet()) {
                outcomes.get(e.getKey()).add(e.getValue());
                earlier += e.getValue();
            }
        }
        this.rowsFromEarlierRuns = earlier;
    }

    /** Rows that reached their final outcome in an earlier run of this file (then stopped or killed). */
    public long rowsFromEarlierRuns() {
        return rowsFromEarlierRuns;
    }

    /** Whether the line reached its final outcome in an earlier run: it is skipped. */
    boolean finalEarlier(long line) {
        return journal != null && journal.isFinal(line);
    }

    /** Whether an earlier run sent this line (it was in flight when that run stopped). */
    boolean attemptedEarlier(long line) {
        return journal != null && journal.wasAttemptedEarlier(line);
    }

    /** Whether an earlier run claimed this line's pair (it may still hold the claim). */
    boolean claimedEarlier(long line) {
        return journal != null && journal.wasClaimedEarlier(line);
    }

    /** Marks the line's pair as about to be claimed. */
    void claiming(long line) {
        if (journal != null) {
            journal.claiming(line);
        }
    }

    /** Marks the line as sent, before it is sent. */
    void attempted(long line) {
        if (journal != null) {
            journal.attempted(line);
        }
    }

    /** The API answered this line without deleting it: it was not carried out. */
    void answered(long line) {
        if (journal != null) {
            journal.answered(line);
        }
    }

    /** Records a row's final outcome: on disk first, then in the counters. */
    void finalOutcome(long line, Outcome outcome) {
        if (journal != null) {
            journal.finished(line, outcome);
        }
        outcomes.get(outcome).increment();
    }

    /**
     * No further row of this file (or request of this message) is started: the application is stopping, the key was
     * refused, or the deleted-pairs repository failed. The first reason is kept.
     */
    synchronized void interrupt(String because) {
        if (interruptedBecause == null) {
            interruptedBecause = because;
        }
    }

    public boolean interrupted() {
        return interruptedBecause != null;
    }

    /** Why the run was interrupted, or null. */
    public String interruptedBecause() {
        return interruptedBecause;
    }

    /** A file named on the command line: it stays where it is, whatever its outcome. */
    void inPlace(boolean inPlace) {
        this.inPlace = inPlace;
    }

    boolean inPlace() {
        return inPlace;
    }

    /** The status the report gave the file (DONE, FAILED, INTERRUPTED, DRY_RUN), or null while it runs. */
    void status(String status) {
        this.status = status;
    }

    public String status() {
        return status;
    }

    /** A message the broker delivered before (the earlier delivery was cut short). */
    void redelivered(boolean redelivered) {
        this.redelivered = redelivered;
    }

    boolean redelivered() {
        return redelivered;
    }

    boolean isMessage() {
        return results != null;
    }

    void result(RequestResult result) {
        results.add(result);
    }

    List<RequestResult> results() {
        if (results == null) {
            return List.of();
        }
        synchronized (results) {
            List<RequestResult> sorted = new ArrayList<>(results);
            sorted.sort(Comparator.comparing(r -> r.line() == null ? 0L : r.line()));
            return sorted;
        }
    }

    FileJournal journal() {
        return journal;
    }

    public String source() {
        return source;
    }

    public Path path() {
        return path;
    }

    public long size() {
        return size;
    }

    public boolean dryRun() {
        return dryRun;
    }

    public Instant startedAt() {
        return startedAt;
    }

    void rowRead() {
        rowsRead.incrementAndGet();
    }

    void bytesRead(long bytes) {
        bytesRead = bytes;
    }

    public long rowsRead() {
        return rowsRead.get();
    }

    /** Share of the file read so far, 0 to 1, by bytes. */
    public double shareRead() {
        return size == 0 ? 1.0 : Math.min(1.0, (double) bytesRead / size);
    }

    void increment(Outcome outcome) {
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

    void deadLetterTarget(String target) {
        deadLetterTarget = target;
    }

    public String deadLetterTarget() {
        return deadLetterTarget;
    }

    synchronized void appendToDryRunPlan(Path planFile, String jsonLine) throws IOException {
        if (dryRunPlan == null) {
            Files.createDirectories(planFile.getParent());
            dryRunPlan = Files.newBufferedWriter(planFile, StandardCharsets.UTF_8);
        }
        dryRunPlan.write(jsonLine);
        dryRunPlan.write('\n');
    }

    synchronized void closeDryRunPlan() throws IOException {
        if (dryRunPlan != null) {
            dryRunPlan.close();
            dryRunPlan = null;
        }
    }
}
