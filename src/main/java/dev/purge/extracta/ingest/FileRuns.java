package dev.purge.extracta.ingest;

import dev.purge.extracta.health.FatalErrors;
import dev.purge.extracta.health.StateWrites;
import dev.purge.extracta.outcome.RunReports;
import dev.purge.extracta.run.Failures;
import dev.purge.extracta.run.FileJournal;
import dev.purge.extracta.run.FileRun;
import dev.purge.extracta.run.FileSetAsideException;
import dev.purge.extracta.run.InboxFile;
import dev.purge.extracta.run.RunInterruptedException;
import dev.purge.extracta.run.StateWriteException;
import dev.purge.extracta.run.StoppingException;
import dev.purge.extracta.run.UnreadableFileException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A file's way through the inbox route: opens its run (whatever a caller put on the exchange is dropped first), pins
 * and identifies the file and opens its progress journal; at the end decides how the run ends (done, changed while
 * read, failed, set aside, stopped) and hands it to {@link RunReports}.
 */
public class FileRuns {

    private static final Logger LOG = LoggerFactory.getLogger(FileRuns.class);

    /** Files handed over by the one-shot run, and whether each stays where it is. */
    private final Map<Path, Boolean> oneShotTargets = new ConcurrentHashMap<>();
    private RunReports runReports = new RunReports();
    private Path stateDir = Path.of("data", "state");
    private InboxFilter inboxFilter = new InboxFilter();
    private StateWrites stateWrites = new StateWrites();
    private String deadLetterUri = "";
    private boolean dryRun;
    private long lastLineWait = 60_000;

    /** Drops every property of ours a caller (or a message) may have put on the exchange: only we set them. */
    static void clearInternalState(Exchange exchange) {
        exchange.getProperties().keySet().removeIf(k -> k.regionMatches(true, 0, "extracta", 0, 8));
    }

    /** The one-shot run hands this file over next; {@code inPlace}: it stays where it is, whatever its outcome. */
    public void handOver(Path file, boolean inPlace) {
        oneShotTargets.put(file.toAbsolutePath(), inPlace);
    }

    /** Opens the run of the file the exchange carries, pins the file (a symbolic link is refused later) and logs. */
    public void start(Exchange exchange) throws IOException {
        clearInternalState(exchange);
        Path path = Path.of(exchange.getMessage().getHeader("CamelFileAbsolutePath", String.class)).toAbsolutePath();
        String source = exchange.getMessage().getHeader(Exchange.FILE_NAME_ONLY, String.class);
        // read once, here: every row's exchange is a copy of this one, and would carry (and copy) them for nothing
        exchange.getMessage().removeHeaders("*");
        FileRun run = new FileRun(source, path, dryRun);
        Boolean inPlace = oneShotTargets.remove(path);
        run.inPlace(Boolean.TRUE.equals(inPlace));
        run.setDeadLetterUri(deadLetterUri);
        exchange.setProperty(FileRun.PROPERTY, run);
        if (!Files.isSymbolicLink(path)) {
            try {
                run.pin(InboxFile.open(path));
            } catch (UnreadableFileException e) {
                // refused by identify with the same reason: nothing of it is read
            }
        }
        runReports.opened(run);
    }

    /**
     * Which file this is and whether it can be taken now: a first pass over its bytes checks UTF-8 and hashes the
     * content; a file whose last line has no line break yet is left for later (a writer may still be at it), unless
     * the one-shot run handed it over; then the progress journal of this very file and content is resumed, or one is
     * started.
     */
    public void identify(Exchange exchange) throws IOException, UnreadableFileException, FileSetAsideException,
            StateWriteException {
        FileRun run = FileRun.of(exchange);
        InboxFile file = run.file();
        runReports.moveIfFinished(run);
        if (file == null) {
            // a symbolic link (refused here with its reason), or a file that vanished before it could be opened
            try (InboxFile opened = InboxFile.open(run.path())) {
                throw new UnreadableFileException("it changed while it was opened", null);
            }
        }
        FileRun other = runReports.readingSameFile(run);
        if (other != null) {
            // rows of a file are still on their way while the next file is taken: one journal, one run
            inboxFilter.parkWithBackoff(file);
            throw new FileSetAsideException(run.source() + " is the same file as " + other.source()
                    + " (a link under another name), which is being read: it is taken once that run ends");
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
     * Every row has a final outcome. A file that changed while it was read (appended, rewritten in place) is not
     * finished: it stays in the inbox and is read again for what changed. A file stopped early fails here, so it stays
     * in the inbox and resumes from its journal.
     */
    public void finish(Exchange exchange) throws RunInterruptedException {
        FileRun run = FileRun.of(exchange);
        if (run.interrupted()) {
            throw new RunInterruptedException(run.source() + " was " + run.interruptedBecause() + ": "
                    + run.rowsDone() + " rows are final, the file stays in the inbox and resumes");
        }
        if (dryRun) {
            runReports.close(run, "DRY_RUN", null);
            return;
        }
        if (run.file() != null && run.file().whereNow() == InboxFile.Where.CHANGED) {
            run.interrupt(FileRun.Stop.CHANGED, "changed while it was read (appended to or rewritten in place)");
            LOG.warn("{} changed while it was read: every row read has its outcome; the file stays in the inbox and "
                    + "is read again once it is stable, for what changed (final rows are not sent again)", run.source());
            runReports.close(run, "INTERRUPTED", run.interruptedBecause() + ": it stays in the inbox and is read again");
            return;
        }
        runReports.close(run, "DONE", null);
    }

    /**
     * The file failed or stopped: a file stopped early (or failing while the application stops) stays in the inbox
     * with its journal; a file not complete yet is left for later without a report; any other failure moves it to
     * .failed/ with a FAILED report. An {@link Error} ends the application.
     */
    public void failed(Exchange exchange) {
        FileRun run = FileRun.find(exchange);
        if (run == null || !runReports.isOpen(run)) {
            return;
        }
        Throwable e = Failures.caught(exchange);
        FatalErrors.check(e, "processing " + run.source());
        FileSetAsideException setAside = Failures.find(e, FileSetAsideException.class);
        if (setAside != null) {
            runReports.setAside(run, setAside.getMessage());
            return;
        }
        if (!run.interrupted()) {
            // an Error (here or on any thread) ends the application: the file is not at fault, and resumes
            FileRun.Stop stop = FileRun.stopOf(e, StoppingException.isStopping(exchange.getContext())
                    || FatalErrors.ending());
            if (stop != null) {
                run.interrupt(stop, FileRun.describeStop(stop, e));
            }
        }
        if (run.interrupted()) {
            runReports.close(run, "INTERRUPTED", run.interruptedBecause() + ": the file stays in the inbox and resumes");
            return;
        }
        runReports.close(run, "FAILED", Failures.describe(e));
    }

    public void setRunReports(RunReports runReports) {
        this.runReports = runReports;
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

    public void setDeadLetterUri(String deadLetterUri) {
        this.deadLetterUri = deadLetterUri;
    }

    public void setDryRun(boolean dryRun) {
        this.dryRun = dryRun;
    }

    /** How long a file whose last line has no line break must stay unchanged before it is taken (ms). */
    public void setLastLineWait(long lastLineWait) {
        this.lastLineWait = Math.max(0, lastLineWait);
    }
}
