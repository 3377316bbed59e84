package dev.purge.extracta;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows every file from pick-up to report: counts outcomes, logs a start line, a progress line at a fixed interval
 * while the file runs, and an end line with the totals, and writes the per-file report (and, in dry-run, the plan of
 * what would have been sent).
 */
public class FileRunTracker implements CamelContextAware {

    public static final String RUN_PROPERTY = "extractaFileRun";
    /** Where the dead-letter route sends this run's records: the file one, or the queue's. */
    public static final String DEAD_LETTER_URI_PROPERTY = "extractaDeadLetterUri";
    /** Set by the one-shot run on a file named on the command line: it is never moved, whatever its outcome. */
    public static final String IN_PLACE_PROPERTY = "extractaFileInPlace";
    static final String STOPPED_BY_SHUTDOWN = "stopped by a shutdown";
    static final String STOPPED_BY_HALT = "stopped: the API refused the key";
    private static final Logger LOG = LoggerFactory.getLogger(FileRunTracker.class);
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final ObjectMapper LINE_MAPPER = new ObjectMapper();
    /** Same shape as the .done/ names of the inbox route. */
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS");

    private final Set<FileRun> active = ConcurrentHashMap.newKeySet();
    private CamelContext camelContext;
    private ScheduledExecutorService progressTimer;
    private Path reportsDir = Path.of("data", "reports");
    private Path stateDir = Path.of("data", "state");
    private OutageBreaker outageBreaker;
    private String deadLetterUri = "";
    private String messageDeadLetterUri = "";
    private String deleteUrl = "";
    private boolean dryRun;
    private long progressInterval = 10_000;
    /** No-op until the application's metrics bean is set. */
    private PurgeMetrics metrics = new PurgeMetrics();

    public static FileRun fileRun(Exchange exchange) {
        FileRun run = exchange.getProperty(RUN_PROPERTY, FileRun.class);
        if (run == null) {
            throw new IllegalStateException("no file run on exchange " + exchange.getExchangeId());
        }
        return run;
    }

    /** Opens the run of the file the exchange carries and logs its start. */
    public void start(Exchange exchange) throws IOException {
        Path path = Path.of(exchange.getMessage().getHeader("CamelFileAbsolutePath", String.class));
        String source = exchange.getMessage().getHeader(Exchange.FILE_NAME_ONLY, String.class);
        // the link itself, never its target: a symbolic link is refused by the inspection that follows
        long size = Files.isSymbolicLink(path) ? 0 : Files.size(path);
        FileJournal journal = dryRun ? null : FileJournal.open(stateDir, source, size,
                Files.getLastModifiedTime(path, LinkOption.NOFOLLOW_LINKS).toMillis());
        FileRun run = new FileRun(source, path, size, dryRun, journal);
        run.inPlace(Boolean.TRUE.equals(exchange.getProperty(IN_PLACE_PROPERTY, Boolean.class)));
        exchange.setProperty(RUN_PROPERTY, run);
        exchange.setProperty(DEAD_LETTER_URI_PROPERTY, deadLetterUri);
        active.add(run);
        metrics.fileStarted(run);
        startProgressTimer();
        if (journal != null && journal.resumed()) {
            LOG.info("Resuming {} ({} bytes): {} rows already final in an earlier run are skipped", source, size,
                    run.rowsFromEarlierRuns());
        } else {
            LOG.info("Started {} ({} bytes){}", source, size, dryRun ? " in dry-run: nothing will be sent" : "");
        }
    }

    /** DELETED, or ALREADY_ABSENT when the classifier said so. */
    public void deleted(Exchange exchange) {
        Outcome outcome = exchange.getProperty(DeadLetters.OUTCOME_PROPERTY, Outcome.DELETED, Outcome.class);
        finalOutcome(exchange, outcome);
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
     * A row stopped by a halt, a shutdown or a failure of the deleted-pairs repository: not final, not
     * dead-lettered; its file stays in the inbox, its message is rolled back.
     */
    public void interrupted(Exchange exchange) {
        FileRun run = fileRun(exchange);
        String because = STOPPED_BY_SHUTDOWN;
        for (Throwable t = Failures.caught(exchange); t != null; t = t.getCause()) {
            if (t instanceof LedgerUnavailableException) {
                because = "stopped: " + SecretRedactor.redact(t.getMessage());
                if (!run.interrupted()) {
                    LOG.warn("{}: {}; no further request of it starts, and it is taken up again later", run.source(),
                            SecretRedactor.redact(t.getMessage()));
                }
                break;
            }
            if (t instanceof ApiHaltedException) {
                because = STOPPED_BY_HALT;
                break;
            }
        }
        run.interrupt(because);
        metrics.requestStopped(exchange);
        if (outageBreaker != null) {
            outageBreaker.release(exchange);
        }
    }

    private void finalOutcome(Exchange exchange, Outcome outcome) {
        metrics.requestFinal(exchange, outcome);
        if (outageBreaker != null) {
            outageBreaker.record(exchange, outcome);
        }
        FileRun run = fileRun(exchange);
        DeleteBatchRequest request = exchange.getProperty(RowGate.REQUEST_PROPERTY, DeleteBatchRequest.class);
        String message = outcome.isDeadLettered()
                ? exchange.getProperty(DeadLetters.MESSAGE_PROPERTY, String.class) : null;
        if (request == null) {
            run.increment(outcome); // a whole-file outcome, not a row
        } else {
            run.finalOutcome(request.line(), outcome);
        }
        if (run.isMessage()) {
            run.result(request == null ? new RequestResult(null, null, null, outcome, message)
                    : new RequestResult(request.classificationId(), request.batchId(), request.line(), outcome,
                            message));
        }
    }

    /** Opens the run of a queue message or a direct call; its failures go to the queue's dead-letter endpoint. */
    public void startMessage(Exchange exchange) {
        startMessage(exchange, exchange.getMessage().getHeader("JMSMessageID", String.class));
    }

    private void startMessage(Exchange exchange, String source) {
        String body = exchange.getMessage().getBody(String.class);
        exchange.getMessage().setBody(body); // read once: a stream body is kept as text
        FileRun run = FileRun.forMessage(source, body == null ? 0 : body.length(), dryRun);
        run.redelivered(Boolean.TRUE.equals(exchange.getMessage().getHeader("JMSRedelivered", Boolean.class)));
        exchange.setProperty(RUN_PROPERTY, run);
        exchange.setProperty(DEAD_LETTER_URI_PROPERTY, messageDeadLetterUri);
    }

    /** Opens the run of a call to direct:extracta-delete-batch; its failures go to the dead-letter folder. */
    public void startDirectCall(Exchange exchange) throws IOException {
        Object raw = exchange.getMessage().getBody();
        if (raw != null && !(raw instanceof String) && !(raw instanceof byte[]) && !(raw instanceof java.io.InputStream)) {
            exchange.getMessage().setBody(LINE_MAPPER.writeValueAsString(raw)); // a Map or a bean: as JSON
        }
        exchange.getMessage().removeHeader("JMSMessageID");
        startMessage(exchange, "direct-calls");
        fileRun(exchange).redelivered(false); // a caller's own JMS headers say nothing about this call
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

    /** Counts a dead-lettered request (or file) and remembers where its record went. */
    public void deadLettered(Exchange exchange) {
        FileRun run = fileRun(exchange);
        metrics.deadLettered();
        finalOutcome(exchange, exchange.getProperty(DeadLetters.OUTCOME_PROPERTY, Outcome.class));
        if (!dryRun && !run.isMessage()) {
            run.deadLetterTarget(deadLetterTarget(run.source())); // shown in the file's report
        }
    }

    /** Dry-run: writes what would be sent for a valid row to the plan file. */
    public void wouldDelete(Exchange exchange) throws IOException {
        FileRun run = fileRun(exchange);
        DeleteBatchRequest request = exchange.getProperty(RowGate.REQUEST_PROPERTY, DeleteBatchRequest.class);
        run.appendToDryRunPlan(planFile(run), LINE_MAPPER.writeValueAsString(
                new DryRunPlanEntry(request.line(), "DELETE", deleteUrl, request.body())));
        finalOutcome(exchange, Outcome.WOULD_DELETE);
    }

    /** Dry-run: writes the dead-letter record a row would have produced to the plan file, instead of dead-lettering. */
    public void wouldDeadLetter(Exchange exchange) throws IOException {
        FileRun run = fileRun(exchange);
        run.appendToDryRunPlan(planFile(run), exchange.getMessage().getBody(String.class).strip());
        finalOutcome(exchange, exchange.getProperty(DeadLetters.OUTCOME_PROPERTY, Outcome.class));
    }

    /**
     * Every row has a final outcome: writes the report and logs the totals. A file stopped by a shutdown is not
     * finished: it fails here so the file stays in the inbox, and resumes from its journal at the next start.
     */
    public void finish(Exchange exchange) throws IOException, RunInterruptedException {
        FileRun run = fileRun(exchange);
        if (run.interrupted()) {
            throw new RunInterruptedException(run.source() + " was " + run.interruptedBecause() + ": "
                    + run.rowsDone() + " rows are final, the file stays in the inbox and resumes");
        }
        close(run, dryRun ? "DRY_RUN" : "DONE", null);
    }

    /**
     * The file failed: moves it to .failed/ and writes the report with the reason. A file stopped by a shutdown stays
     * in the inbox with its journal instead.
     */
    public void failed(Exchange exchange) throws IOException {
        FileRun run = exchange.getProperty(RUN_PROPERTY, FileRun.class);
        if (run == null) {
            return;
        }
        if (run.interrupted()) {
            close(run, "INTERRUPTED", run.interruptedBecause() + ": the file stays in the inbox and resumes");
            return;
        }
        Throwable e = Failures.caught(exchange);
        if (close(run, "FAILED", Failures.describe(e)) && !dryRun && !run.inPlace() && Files.exists(run.path())) {
            moveBeside(run.path(), ".failed");
        }
    }

    /** Moves a file into the folder of that name beside it, as {@code <timestamp>-<name>} so nothing is replaced. */
    static Path moveBeside(Path file, String folder) throws IOException {
        Path dir = Files.createDirectories(file.resolveSibling(folder));
        return Files.move(file, dir.resolve(TIMESTAMP.format(LocalDateTime.now()) + "-" + file.getFileName()));
    }

    /** Returns false when the run was already closed. */
    private boolean close(FileRun run, String status, String error) throws IOException {
        if (!active.remove(run)) {
            return false;
        }
        run.status(status);
        metrics.fileClosed(run);
        run.closeDryRunPlan();
        if (run.journal() != null) {
            if ("INTERRUPTED".equals(status)) {
                run.journal().close(); // kept: the next start resumes from it
            } else {
                run.journal().delete(); // the file leaves the inbox: nothing to resume
            }
        }
        Instant finishedAt = Instant.now();
        long millis = Duration.between(run.startedAt(), finishedAt).toMillis();
        FileReport report = new FileReport(run.source(), status, run.dryRun(), run.startedAt().toString(),
                finishedAt.toString(), millis, run.rowsRead(), run.rowsFromEarlierRuns(), run.totals(),
                run.deadLetterTarget(), error);
        Path reportFile = reportsDir.resolve(run.source() + ".report.json");
        Files.createDirectories(reportsDir);
        Path temp = Files.createTempFile(reportsDir, ".report-", ".tmp");
        MAPPER.writeValue(temp.toFile(), report);
        Files.move(temp, reportFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        String totals = run.totalsText();
        if ("INTERRUPTED".equals(status)) {
            LOG.info("Stopped {} after {} ms ({}): {} rows read, {}; it stays in the inbox and resumes",
                    run.source(), millis, run.interruptedBecause(), run.rowsRead(), totals);
        } else if ("FAILED".equals(status)) {
            LOG.error("Failed {} after {} ms: {} rows read, {}; {}; report {}", run.source(), millis, run.rowsRead(),
                    totals, error, reportFile);
        } else {
            LOG.info("Finished {} in {} ms: {} rows read, {}; report {}", run.source(), millis, run.rowsRead(),
                    totals, reportFile);
        }
        return true;
    }

    private void logProgress() {
        for (FileRun run : active) {
            long elapsed = Duration.between(run.startedAt(), Instant.now()).toMillis();
            if (elapsed < progressInterval) {
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
            progressTimer.scheduleAtFixedRate(this::logProgress, progressInterval, progressInterval,
                    TimeUnit.MILLISECONDS);
        }
    }

    private Path planFile(FileRun run) {
        return reportsDir.resolve(run.source() + ".dry-run.jsonl");
    }

    /** A readable address for a source's dead-letter records: the file path for the default file URI. */
    String deadLetterTarget(String source) {
        if (deadLetterUri.startsWith("file:")) {
            String dir = deadLetterUri.substring("file:".length()).replaceFirst("^//", "");
            int query = dir.indexOf('?');
            if (query >= 0) {
                dir = dir.substring(0, query);
            }
            return Path.of(dir).resolve(source + ".jsonl").toString();
        }
        return deadLetterUri;
    }

    public void setReportsDir(String reportsDir) {
        this.reportsDir = Path.of(reportsDir);
    }

    public void setOutageBreaker(OutageBreaker outageBreaker) {
        this.outageBreaker = outageBreaker;
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

    public void setMetrics(PurgeMetrics metrics) {
        this.metrics = metrics;
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
