package dev.purge.extracta;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.apache.camel.Service;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows every file, queue message and direct call from its entrance to its end: opens its run (whatever a caller put
 * on the exchange is dropped first), pins and identifies a file and opens its progress journal, records each row's
 * final outcome (counters, journal line, metrics), and at the end writes the report and moves the file out of the
 * inbox, in that order, the journal going last. Logs a start line, a progress line at a fixed interval and an end line.
 */
public class FileRunTracker implements CamelContextAware, Service {

    public static final String RUN_PROPERTY = "extractaFileRun";
    /** Where the dead-letter route sends this run's records: the file one, or the queue's. */
    public static final String DEAD_LETTER_URI_PROPERTY = "extractaDeadLetterUri";
    static final String STOPPED_BY_SHUTDOWN = "stopped by a shutdown";
    static final String STOPPED_BY_HALT = "stopped: the API refused the key";
    private static final Logger LOG = LoggerFactory.getLogger(FileRunTracker.class);
    private static final ObjectMapper LINE_MAPPER = new ObjectMapper();

    private final Set<FileRun> active = ConcurrentHashMap.newKeySet();
    /** Finished files that could not be moved out of the inbox: only the move is tried again, never their rows. */
    private final Map<Path, Finished> finishedInPlace = new ConcurrentHashMap<>();
    /** Files handed over by the one-shot run, and whether each stays where it is. */
    private final Map<Path, Boolean> oneShotTargets = new ConcurrentHashMap<>();
    private CamelContext camelContext;
    private ScheduledExecutorService progressTimer;
    private FileReports reports = new FileReports(Path.of("data", "reports"));
    private Path stateDir = Path.of("data", "state");
    private OutageBreaker outageBreaker;
    private InboxFilter inboxFilter = new InboxFilter();
    private StateWrites stateWrites = new StateWrites();
    private String deadLetterUri = "";
    private String messageDeadLetterUri = "";
    private String deleteUrl = "";
    private boolean dryRun;
    private long progressInterval = 10_000;
    private long lastLineWait = 60_000;
    /** No-op until the application's metrics bean is set. */
    private PurgeMetrics metrics = new PurgeMetrics();

    /**
     * A finished file waiting to go to {@code folder}: that very file (its identity) as it was read (size and mtime).
     * Once it has changed in place (appended, fixed) it is not finished any more and is read again.
     */
    private record Finished(String identity, long size, long modifiedMillis, String folder) {
        static Finished of(InboxFile file, String folder) {
            return new Finished(file.identity(), file.size(), file.modifiedMillis(), folder);
        }

        boolean isStill(InboxFile file) {
            return identity.equals(file.identity()) && size == file.size() && modifiedMillis == file.modifiedMillis();
        }
    }

    public static FileRun fileRun(Exchange exchange) {
        FileRun run = exchange.getProperty(RUN_PROPERTY, FileRun.class);
        if (run == null) {
            throw new IllegalStateException("no file run on exchange " + exchange.getExchangeId());
        }
        return run;
    }

    /** Drops every property of ours a caller (or a message) may have put on the exchange: only we set them. */
    static void clearInternalState(Exchange exchange) {
        exchange.getProperties().keySet().removeIf(k -> k.regionMatches(true, 0, "extracta", 0, 8));
    }

    /** The one-shot run hands this file over next; {@code inPlace}: it stays where it is, whatever its outcome. */
    public void handOver(Path file, boolean inPlace) {
        oneShotTargets.put(file.toAbsolutePath(), inPlace);
    }

    // ---- files ----------------------------------------------------------------------------------------------------

    /** Opens the run of the file the exchange carries, pins the file (a symbolic link is refused later) and logs. */
    public void start(Exchange exchange) throws IOException {
        clearInternalState(exchange);
        Path path = Path.of(exchange.getMessage().getHeader("CamelFileAbsolutePath", String.class)).toAbsolutePath();
        String source = exchange.getMessage().getHeader(Exchange.FILE_NAME_ONLY, String.class);
        FileRun run = new FileRun(source, path, dryRun);
        Boolean inPlace = oneShotTargets.remove(path);
        run.inPlace(Boolean.TRUE.equals(inPlace));
        exchange.setProperty(RUN_PROPERTY, run);
        exchange.setProperty(DEAD_LETTER_URI_PROPERTY, deadLetterUri);
        active.add(run);
        if (!Files.isSymbolicLink(path)) {
            try {
                run.pin(InboxFile.open(path));
            } catch (UnreadableFileException e) {
                // refused by identify with the same reason: nothing of it is read
            }
        }
        metrics.fileStarted(run);
        startProgressTimer();
    }

    /**
     * Which file this is and whether it can be taken now: a first pass over its bytes checks UTF-8 and hashes the
     * content; a file whose last line has no line break yet is left for later (a writer may still be at it), unless
     * the one-shot run handed it over; then the progress journal of this very file and content is resumed, or one is
     * started.
     */
    public void identify(Exchange exchange) throws IOException, UnreadableFileException, FileSetAsideException,
            StateWriteException {
        FileRun run = fileRun(exchange);
        InboxFile file = run.file();
        moveIfFinished(run);
        if (file == null) {
            // a symbolic link (refused here with its reason), or a file that vanished before it could be opened
            try (InboxFile opened = InboxFile.open(run.path())) {
                throw new UnreadableFileException("it changed while it was opened", null);
            }
        }
        for (FileRun other : active) {
            if (other != run && other.file() != null && other.file().identity().equals(file.identity())) {
                // rows of a file are still on their way while the next file is taken: one journal, one run
                inboxFilter.parkWithBackoff(file);
                throw new FileSetAsideException(run.source() + " is the same file as " + other.source()
                        + " (a link under another name), which is being read: it is taken once that run ends");
            }
        }
        FileJournal.Header existing = dryRun ? null : FileJournal.existingHeader(stateDir, file);
        ContentDigest digest = new ContentDigest(file.openStream(), existing == null ? -1 : existing.size());
        try {
            Utf8FileScanner.scan(digest);
        } finally {
            digest.close();
        }
        // a file named to --once is taken as it is (complete by the operator's word); the inbox's files are waited for
        if (!digest.endsWithLineBreak() && !run.inPlace()) {
            long unchangedSince = inboxFilter.unchangedSince(file);
            if (System.currentTimeMillis() - unchangedSince < lastLineWait) {
                inboxFilter.parkUntil(file, unchangedSince + lastLineWait);
                throw new FileSetAsideException(run.source() + ": its last line has no line break yet, so a writer "
                        + "may still be writing it; it is taken once it has not changed for " + lastLineWait
                        + " ms (extracta.inbox.last-line-wait). End files with a line break, or write them under a "
                        + "temporary name and rename them when complete");
            }
        }
        if (!dryRun) {
            FileJournal journal;
            try {
                journal = FileJournal.open(stateDir, file, existing, digest.prefixHash(),
                        digest.prefixEndsWithLineBreak(), digest.hash(), run.source());
            } catch (IOException e) {
                stateWrites.failed(StateWrites.Kind.JOURNAL, FileJournal.pathFor(stateDir, file), e,
                        run.source() + " stays in the inbox and is tried again later");
                throw new StateWriteException("cannot write the progress journal of " + run.source() + ": "
                        + Failures.oneLine(e), e);
            }
            stateWrites.succeeded(StateWrites.Kind.JOURNAL);
            run.attachJournal(journal);
        }
        if (run.journal() != null && run.journal().resumed()) {
            LOG.info("Resuming {} ({} bytes): {} rows already final in an earlier run are skipped", run.source(),
                    file.size(), run.rowsFromEarlierRuns());
        } else {
            LOG.info("Started {} ({} bytes){}", run.source(), file.size(),
                    dryRun ? " in dry-run: nothing will be sent" : "");
        }
    }

    /**
     * A file that was finished but could not be moved out is not read again: only its move is tried again (its report
     * and dead-letter records were written then).
     */
    private void moveIfFinished(FileRun run) throws FileSetAsideException {
        Finished finished = run.file() == null ? null : finishedInPlace.get(run.path());
        if (finished == null) {
            return;
        }
        if (!finished.isStill(run.file())) {
            // another file under that name, or this one changed since: read it as it is now (its journal resumes it)
            finishedInPlace.remove(run.path());
            return;
        }
        Moved moved = moveOut(run, finished.folder());
        if (moved != Moved.NOT_MOVED) {
            finishedInPlace.remove(run.path());
            try {
                Files.deleteIfExists(FileJournal.pathFor(stateDir, run.file()));
            } catch (IOException e) {
                LOG.warn("Could not delete the progress journal of {}: {}", run.source(), Failures.oneLine(e));
            }
            deleteMarker(run, moved);
            throw new FileSetAsideException(run.source() + " was finished earlier and has now left the inbox for "
                    + finished.folder() + "/");
        }
        throw new FileSetAsideException(run.source() + " is finished; it still cannot be moved out of the inbox");
    }

    /**
     * Every row has a final outcome. A file that changed while it was read (appended, rewritten in place) is not
     * finished: it stays in the inbox and is read again for what changed. A file stopped early fails here, so it stays
     * in the inbox and resumes from its journal.
     */
    public void finish(Exchange exchange) throws RunInterruptedException {
        FileRun run = fileRun(exchange);
        if (run.interrupted()) {
            throw new RunInterruptedException(run.source() + " was " + run.interruptedBecause() + ": "
                    + run.rowsDone() + " rows are final, the file stays in the inbox and resumes");
        }
        if (dryRun) {
            close(run, "DRY_RUN", null);
            return;
        }
        if (run.file() != null && run.file().whereNow() == InboxFile.Where.CHANGED) {
            run.interrupt(FileRun.Stop.CHANGED, "changed while it was read (appended to or rewritten in place)");
            LOG.warn("{} changed while it was read: every row read has its outcome; the file stays in the inbox and "
                    + "is read again once it is stable, for what changed (final rows are not sent again)", run.source());
            close(run, "INTERRUPTED", run.interruptedBecause() + ": it stays in the inbox and is read again");
            return;
        }
        close(run, "DONE", null);
    }

    /**
     * The file failed or stopped: a file stopped early (or failing while the application stops) stays in the inbox
     * with its journal; a file not complete yet is left for later without a report; any other failure moves it to
     * .failed/ with a FAILED report. An {@link Error} ends the application.
     */
    public void failed(Exchange exchange) {
        FileRun run = exchange.getProperty(RUN_PROPERTY, FileRun.class);
        if (run == null || !active.contains(run)) {
            return;
        }
        Throwable e = Failures.caught(exchange);
        FatalErrors.check(e, "processing " + run.source());
        FileSetAsideException setAside = Failures.find(e, FileSetAsideException.class);
        if (setAside != null) {
            LOG.info("{}", setAside.getMessage());
            run.setAside(setAside.getMessage());
            active.remove(run); // no report: the filter keeps it aside until its time comes or it changes
            metrics.fileClosed(run);
            closeFile(run);
            return;
        }
        if (!run.interrupted()) {
            FileRun.Stop stop = stopOf(e);
            if (stop != null) {
                run.interrupt(stop, describeStop(stop, e));
            }
        }
        if (run.interrupted()) {
            close(run, "INTERRUPTED", run.interruptedBecause() + ": the file stays in the inbox and resumes");
            return;
        }
        close(run, "FAILED", Failures.describe(e));
    }

    /** Why a failure is a stop rather than the file's own failure, or null. */
    private FileRun.Stop stopOf(Throwable e) {
        if (Failures.find(e, StateWriteException.class) != null) {
            return FileRun.Stop.STATE_WRITE;
        }
        if (Failures.find(e, LedgerUnavailableException.class) != null) {
            return FileRun.Stop.LEDGER;
        }
        if (Failures.find(e, ApiHaltedException.class) != null) {
            return FileRun.Stop.HALT;
        }
        if (Failures.find(e, FileChangedException.class) != null) {
            return FileRun.Stop.CHANGED; // cut shorter while it was inspected: read again as it is now
        }
        // anything failing while the application stops (a pool refusing work, Camel refusing a redelivery) is the
        // stop's doing, never the file's
        if (stopping() || Failures.find(e, StoppingException.class) != null
                || Failures.find(e, InterruptedException.class) != null) {
            return FileRun.Stop.SHUTDOWN;
        }
        return null;
    }

    private static String describeStop(FileRun.Stop stop, Throwable e) {
        return switch (stop) {
            case SHUTDOWN -> STOPPED_BY_SHUTDOWN;
            case HALT -> STOPPED_BY_HALT;
            default -> "stopped: " + Failures.describe(e);
        };
    }

    /**
     * Ends a file's run: the report first, then the move out of the inbox (DONE to .done/, FAILED to .failed/; a file
     * named on the command line stays), then the journal goes. Whatever cannot be written leaves the file, and its
     * journal, where they are: it is taken up again later and nothing final is sent again.
     */
    private void close(FileRun run, String status, String error) {
        if (!active.remove(run)) {
            return;
        }
        run.status(status);
        metrics.fileClosed(run);
        try {
            run.closeDryRunPlan();
        } catch (IOException e) {
            LOG.warn("Could not close the dry-run plan of {}: {}", run.source(), Failures.oneLine(e));
        }
        Instant finishedAt = Instant.now();
        long millis = Duration.between(run.startedAt(), finishedAt).toMillis();
        Path reportFile;
        try {
            reportFile = reports.write(run, status, error, finishedAt);
            stateWrites.succeeded(StateWrites.Kind.REPORT);
        } catch (IOException | RuntimeException e) {
            stateWrites.failed(StateWrites.Kind.REPORT, reports.reportFile(run), e,
                    run.source() + " stays in the inbox with its progress and is finished later");
            run.interrupt(FileRun.Stop.STATE_WRITE, "stopped: cannot write its report (" + Failures.oneLine(e) + ")");
            run.status("INTERRUPTED");
            keepForLater(run);
            return;
        }
        String totals = run.totalsText();
        switch (status) {
            case "INTERRUPTED" -> {
                LOG.info("Stopped {} after {} ms ({}): {} rows read, {}, {} stopped before their outcome; it stays "
                        + "in the inbox and resumes", run.source(), millis, run.interruptedBecause(), run.rowsRead(),
                        totals, run.rowsStopped());
                keepForLater(run);
                return;
            }
            case "FAILED" -> LOG.error("Failed {} after {} ms: {} rows read, {}; {}; report {}", run.source(), millis,
                    run.rowsRead(), totals, error, reportFile);
            default -> LOG.info("Finished {} in {} ms: {} rows read, {}; report {}", run.source(), millis,
                    run.rowsRead(), totals, reportFile);
        }
        if (dryRun) {
            forget(run);
            return;
        }
        Moved moved = run.inPlace() ? Moved.NOT_MOVED : moveOut(run, "FAILED".equals(status) ? ".failed" : ".done");
        if (!run.inPlace() && moved == Moved.NOT_MOVED) {
            return; // stays, journal and all
        }
        deleteJournal(run);
        deleteMarker(run, moved);
        forget(run);
    }

    /**
     * The producer's marker of a file that has left the inbox: a new file of that name needs a marker of its own. When
     * only a copy left (another file has the name now), the marker is the new file's and stays.
     */
    private void deleteMarker(FileRun run, Moved moved) {
        Path marker = run.path() == null || moved != Moved.ITSELF ? null : inboxFilter.markerOf(run.path());
        if (marker != null) {
            try {
                Files.deleteIfExists(marker);
            } catch (IOException e) {
                LOG.warn("{} has left the inbox, but its marker {} could not be deleted: {}; delete it by hand before "
                        + "a new file of that name arrives", run.source(), marker, Failures.oneLine(e));
            }
        }
    }

    /** What left the inbox: the file itself, a copy of what was read (its name is another file's now), or nothing. */
    private enum Moved { ITSELF, COPY, NOT_MOVED }

    /** Moves the file out of the inbox; NOT_MOVED (said once, file set aside) when that is impossible. */
    private Moved moveOut(FileRun run, String folder) {
        try {
            Moved moved = Moved.ITSELF;
            if (run.file() != null) {
                moved = InboxMoves.moveOut(run.file(), folder) ? Moved.ITSELF : Moved.COPY;
            } else if (Files.exists(run.path(), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                InboxMoves.moveLink(run.path(), folder);
            }
            stateWrites.moved(run.path());
            return moved;
        } catch (IOException | RuntimeException e) {
            run.markStateWriteFailed();
            stateWrites.unmovable(run.path(), e);
            if (run.file() != null) {
                finishedInPlace.put(run.path(), Finished.of(run.file(), folder));
                inboxFilter.parkWithBackoff(run.file());
            }
            return Moved.NOT_MOVED;
        }
    }

    private void deleteJournal(FileRun run) {
        if (run.journal() != null) {
            try {
                run.journal().delete();
            } catch (IOException e) {
                LOG.warn("{} has left the inbox, but its progress journal {} could not be deleted: {}", run.source(),
                        run.journal().path(), Failures.oneLine(e));
            }
        }
    }

    /** The file stays in the inbox: its journal stays too, and a failure that may last sets it aside for a while. */
    private void keepForLater(FileRun run) {
        try {
            if (run.journal() != null) {
                run.journal().close();
            }
        } catch (IOException e) {
            LOG.warn("Could not close the progress journal of {}: {}", run.source(), Failures.oneLine(e));
        }
        FileRun.Stop stop = run.stop();
        if (run.file() != null && (stop == FileRun.Stop.STATE_WRITE || stop == FileRun.Stop.LEDGER
                || stop == FileRun.Stop.READ)) {
            long delay = inboxFilter.parkWithBackoff(run.file());
            LOG.info("{} is taken up again in {} ms at the earliest", run.source(), delay);
        }
        closeFile(run);
    }

    private void forget(FileRun run) {
        active.remove(run);
        metrics.fileClosed(run);
        if (run.path() != null && !run.interrupted()) {
            inboxFilter.forget(run.path());
        }
        closeFile(run);
    }

    private static void closeFile(FileRun run) {
        try {
            if (run.file() != null) {
                run.file().close();
            }
        } catch (IOException e) {
            // read-only handle: nothing is lost
        }
    }

    // ---- rows -----------------------------------------------------------------------------------------------------

    /** DELETED, or ALREADY_ABSENT when the classifier said so. */
    public void deleted(Exchange exchange) {
        RowContext row = RowContext.of(exchange);
        finalOutcome(exchange, row.outcome() == Outcome.ALREADY_ABSENT ? Outcome.ALREADY_ABSENT : Outcome.DELETED);
    }

    public void duplicate(Exchange exchange) {
        finalOutcome(exchange, Outcome.DUPLICATE);
    }

    public void enqueued(Exchange exchange) {
        finalOutcome(exchange, Outcome.ENQUEUED);
    }

    public void skippedAlreadyDeleted(Exchange exchange) {
        finalOutcome(exchange, Outcome.SKIPPED_ALREADY_DELETED);
    }

    /**
     * A row stopped by a halt, a shutdown, a lost queue delivery, or a failure that is not the row's (the deleted-pairs
     * repository, a write of ours): not final, not dead-lettered; its file stays in the inbox, its message is rolled
     * back, and no further row of either starts.
     */
    public void interrupted(Exchange exchange) {
        FileRun run = fileRun(exchange);
        Throwable e = Failures.caught(exchange);
        FileRun.Stop stop = stopOf(e);
        if (stop == null) {
            stop = Failures.find(e, DeliveryLostException.class) != null ? FileRun.Stop.DELIVERY_LOST
                    : FileRun.Stop.SHUTDOWN;
        }
        if (!run.interrupted() && (stop == FileRun.Stop.LEDGER || stop == FileRun.Stop.DELIVERY_LOST)) {
            LOG.warn("{}: {}; no further request of it starts, and it is taken up again later", run.source(),
                    SecretRedactor.redact(Failures.describe(e)));
        }
        run.interrupt(stop, describeStop(stop, e));
        run.rowStopped();
        metrics.requestStopped(exchange);
    }

    private void finalOutcome(Exchange exchange, Outcome outcome) {
        metrics.requestFinal(exchange, outcome);
        RowContext row = RowContext.find(exchange);
        if (outageBreaker != null && row != null && row.attempts() > 0) {
            outageBreaker.record(outcome);
        }
        FileRun run = fileRun(exchange);
        DeleteBatchRequest request = row == null ? null : row.request();
        String message = !outcome.isDeadLettered() ? null : row != null ? row.outcomeMessage() : run.wholeFailure();
        if (request == null) {
            run.increment(outcome); // a whole-file outcome, not a row
        } else {
            try {
                run.finalOutcome(request.line(), outcome);
                if (run.journal() != null) {
                    stateWrites.succeeded(StateWrites.Kind.JOURNAL);
                }
            } catch (IOException e) {
                // the outcome stands (a delete the API confirmed is never sent again in this run); the file stops
                // here and is read again later, when the journal can be written
                stateWrites.failed(StateWrites.Kind.JOURNAL, run.journal().path(), e, run.source() + " line "
                        + request.line() + " counts as " + outcome + "; no further row of the file starts, and it is "
                        + "taken up again later");
                run.interrupt(FileRun.Stop.STATE_WRITE, "stopped: cannot write its progress journal ("
                        + Failures.oneLine(e) + ")");
            }
        }
        if (run.isMessage()) {
            run.result(request == null ? new RequestResult(null, null, null, outcome, message)
                    : new RequestResult(request.classificationId(), request.batchId(), request.line(), outcome,
                            message));
        }
    }

    /** Counts a dead-lettered request (or file) and remembers where its record went. */
    public void deadLettered(Exchange exchange) {
        FileRun run = fileRun(exchange);
        RowContext row = RowContext.find(exchange);
        if (row != null && !row.recordWritten()) {
            metrics.requestStopped(exchange);
            return; // not final: stopped when its record failed, taken up again later
        }
        if (row == null && run.stop() == FileRun.Stop.STATE_WRITE) {
            return; // the record of a whole file or message was not written: nothing is final
        }
        metrics.deadLettered();
        Outcome outcome = row != null ? row.outcome() : Outcome.UNREADABLE_FILE;
        if (row == null && run.isMessage()) {
            outcome = Outcome.UNREADABLE_MESSAGE;
        }
        finalOutcome(exchange, outcome);
        if (!dryRun && !run.isMessage()) {
            run.deadLetterTarget(deadLetterTarget(run.source())); // shown in the file's report
        }
    }

    /** Dry-run: writes what would be sent for a valid row to the plan file. */
    public void wouldDelete(Exchange exchange) throws IOException {
        FileRun run = fileRun(exchange);
        DeleteBatchRequest request = RowContext.of(exchange).request();
        run.appendToDryRunPlan(reports.planFile(run), LINE_MAPPER.writeValueAsString(
                new DryRunPlanEntry(request.line(), "DELETE", deleteUrl, request.body())));
        finalOutcome(exchange, Outcome.WOULD_DELETE);
    }

    /** Dry-run: writes the dead-letter record a row would have produced to the plan file, instead of dead-lettering. */
    public void wouldDeadLetter(Exchange exchange) throws IOException {
        FileRun run = fileRun(exchange);
        run.appendToDryRunPlan(reports.planFile(run), exchange.getMessage().getBody(String.class).strip());
        deadLetteredInDryRun(exchange);
    }

    private void deadLetteredInDryRun(Exchange exchange) {
        RowContext row = RowContext.find(exchange);
        FileRun run = fileRun(exchange);
        Outcome outcome = row != null ? row.outcome()
                : run.isMessage() ? Outcome.UNREADABLE_MESSAGE : Outcome.UNREADABLE_FILE;
        finalOutcome(exchange, outcome);
    }

    // ---- queue messages and direct calls --------------------------------------------------------------------------

    /**
     * Opens the run of a queue message; its failures go to the queue's dead-letter endpoint. What the broker says of
     * the delivery is read from the JMS message itself; every header a sender could have set is dropped.
     */
    public void startMessage(Exchange exchange) {
        QueueDelivery delivery = QueueDelivery.of(exchange);
        startMessage(exchange, body -> delivery == null ? "message " + exchange.getExchangeId() : delivery.name(body));
        if (delivery != null) {
            fileRun(exchange).delivery(delivery.deliveryCount(), delivery::alive);
        }
    }

    /** Opens a message's run, named from its body by {@code nameOf}. */
    private void startMessage(Exchange exchange, java.util.function.UnaryOperator<String> nameOf) {
        clearInternalState(exchange);
        String body = exchange.getMessage().getBody(String.class);
        exchange.getMessage().setBody(body); // read once: a stream body is kept as text
        String source = nameOf.apply(body);
        // nothing a sender set may steer the rows (CamelHttp*, CamelRedeliveryDelay...): the reply and the
        // transaction are the JMS consumer's, taken from the JMS message, not from these headers
        exchange.getMessage().removeHeaders("*");
        FileRun run = FileRun.forMessage(source, dryRun);
        exchange.setProperty(RUN_PROPERTY, run);
        exchange.setProperty(DEAD_LETTER_URI_PROPERTY, messageDeadLetterUri);
    }

    /** Opens the run of a call to direct:extracta-delete-batch; its failures go to the dead-letter folder. */
    public void startDirectCall(Exchange exchange) throws IOException {
        Object raw = exchange.getMessage().getBody();
        if (raw != null && !(raw instanceof String) && !(raw instanceof byte[]) && !(raw instanceof InputStream)) {
            exchange.getMessage().setBody(LINE_MAPPER.writeValueAsString(raw)); // a Map or a bean: as JSON
        }
        startMessage(exchange, body -> "direct-calls");
        exchange.setProperty(DEAD_LETTER_URI_PROPERTY, deadLetterUri);
    }

    /** Every request of the message has its outcome: the reply body is the outcome of each, in order. */
    public void finishMessage(Exchange exchange) throws IOException, RunInterruptedException {
        FileRun run = fileRun(exchange);
        if (run.interrupted()) {
            throw new RunInterruptedException(run.source() + " was " + run.interruptedBecause()
                    + " before every request had an outcome");
        }
        LOG.info("Message {}: {} requests, {}", run.source(), run.rowsRead(), run.totalsText());
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setBody(LINE_MAPPER.writeValueAsString(run.results()));
    }

    // ---- progress -------------------------------------------------------------------------------------------------

    private void logProgress() {
        for (FileRun run : active) {
            long elapsed = Duration.between(run.startedAt(), Instant.now()).toMillis();
            if (elapsed < progressInterval || run.isMessage()) {
                continue;
            }
            long done = run.rowsDone();
            LOG.info("Progress {}: {} rows done, {} deleted, {} failed, {} rows/s, {}% of the file read",
                    run.source(), done, run.count(Outcome.DELETED), run.rowsFailed(),
                    String.format("%.1f", done * 1000.0 / Math.max(elapsed, 1)),
                    String.format("%.1f", run.shareRead() * 100));
        }
    }

    private synchronized void startProgressTimer() {
        if (progressTimer == null && camelContext != null && progressInterval > 0) {
            progressTimer = camelContext.getExecutorServiceManager()
                    .newSingleThreadScheduledExecutor(this, "extracta-progress");
            progressTimer.scheduleAtFixedRate(() -> {
                try {
                    logProgress();
                } catch (RuntimeException e) {
                    // a periodic task that throws never runs again, unseen: nothing here is expected to fail
                    FatalErrors.fatal(e, "the progress line");
                }
            }, progressInterval, progressInterval, TimeUnit.MILLISECONDS);
        }
    }

    private boolean stopping() {
        return camelContext != null && (camelContext.isStopping() || camelContext.isStopped());
    }

    /** A readable address for a source's dead-letter records: the file path for the default file URI. */
    String deadLetterTarget(String source) {
        Path dir = DeadLetterWriter.folderOf(deadLetterUri);
        return dir == null ? deadLetterUri : dir.resolve(source + ".jsonl").toString();
    }

    public void setReportsDir(String reportsDir) {
        this.reports = new FileReports(Path.of(reportsDir));
    }

    public void setOutageBreaker(OutageBreaker outageBreaker) {
        this.outageBreaker = outageBreaker;
    }

    public void setInboxFilter(InboxFilter inboxFilter) {
        this.inboxFilter = inboxFilter;
    }

    public void setStateWrites(StateWrites stateWrites) {
        this.stateWrites = stateWrites;
    }

    public void setStateDir(String stateDir) {
        this.stateDir = Path.of(stateDir);
    }

    public void setMessageDeadLetterUri(String messageDeadLetterUri) {
        this.messageDeadLetterUri = messageDeadLetterUri;
    }

    public void setDeadLetterUri(String deadLetterUri) {
        this.deadLetterUri = deadLetterUri;
    }

    public void setDeleteUrl(String deleteUrl) {
        this.deleteUrl = deleteUrl;
    }

    public void setDryRun(boolean dryRun) {
        this.dryRun = dryRun;
    }

    public void setProgressInterval(long progressInterval) {
        this.progressInterval = progressInterval;
    }

    /** How long a file whose last line has no line break must stay unchanged before it is taken (ms). */
    public void setLastLineWait(long lastLineWait) {
        this.lastLineWait = Math.max(0, lastLineWait);
    }

    public void setMetrics(PurgeMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        boolean first = this.camelContext == null;
        this.camelContext = camelContext;
        if (!first) {
            return; // Camel sets it again when the service is added
        }
        try {
            camelContext.addService(this, true, false); // stopped after the routes: closes the runs they left open
        } catch (Exception e) {
            throw new IllegalStateException("cannot register the file runs with Camel", e);
        }
    }

    @Override
    public void start() {
        // nothing to do before the first file
    }

    /**
     * The application stops. A run still open here was cut by the shutdown timeout (its requests unanswered): it is
     * reported INTERRUPTED and stays in the inbox with its journal; its unanswered rows are sent again at the next
     * start (a delete that landed then answers 404, read as ALREADY_ABSENT: the pair was marked maybe deleted).
     */
    @Override
    public void stop() {
        for (FileRun run : Set.copyOf(active)) {
            run.interrupt(FileRun.Stop.SHUTDOWN, STOPPED_BY_SHUTDOWN + " (cut after the shutdown timeout, with "
                    + "requests still unanswered)");
            close(run, "INTERRUPTED", run.interruptedBecause() + ": the file stays in the inbox and resumes");
        }
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }
}
