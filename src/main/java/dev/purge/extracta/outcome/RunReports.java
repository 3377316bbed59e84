package dev.purge.extracta.outcome;

import dev.purge.extracta.health.FatalErrors;
import dev.purge.extracta.health.PurgeMetrics;
import dev.purge.extracta.health.Services;
import dev.purge.extracta.health.StateWrites;
import dev.purge.extracta.run.Failures;
import dev.purge.extracta.run.FileJournal;
import dev.purge.extracta.run.FileRun;
import dev.purge.extracta.run.FileSetAsideException;
import dev.purge.extracta.run.InboxFile;
import dev.purge.extracta.run.Outcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
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
import org.apache.camel.Service;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runs open now, and how each one ends: its report first, then the move of its file out of the inbox (DONE to
 * .done/, FAILED to .failed/; a file named on the command line stays), then its journal goes. Whatever cannot be
 * written leaves the file, and its journal, where they are: it is taken up again later and nothing final is sent
 * again. Logs a progress line for each open file at a fixed interval. A Camel service, stopped after the routes: a run
 * still open then was cut by the shutdown timeout and is reported INTERRUPTED.
 */
public class RunReports implements CamelContextAware, Service {

    private static final Logger LOG = LoggerFactory.getLogger(RunReports.class);

    private final Set<FileRun> open = ConcurrentHashMap.newKeySet();
    /** Finished files that could not be moved out of the inbox: only the move is tried again, never their rows. */
    private final Map<Path, Finished> finishedInPlace = new ConcurrentHashMap<>();
    private CamelContext camelContext;
    private ScheduledExecutorService progressTimer;
    private FileReports reports = new FileReports(Path.of("data", "reports"));
    private Path stateDir = Path.of("data", "state");
    private InboxParking inboxFilter = InboxParking.NONE;
    private StateWrites stateWrites = new StateWrites();
    /** No-op until the application's metrics bean is set. */
    private PurgeMetrics metrics = new PurgeMetrics();
    private boolean dryRun;
    private long progressInterval = 10_000;

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

    /** What left the inbox: the file itself, a copy of what was read (its name is another file's now), or nothing. */
    private enum Moved { ITSELF, COPY, NOT_MOVED }

    /** A file's run starts: it is reported when it ends, whatever happens. */
    public void opened(FileRun run) {
        open.add(run);
        metrics.fileStarted(run);
        startProgressTimer();
    }

    public boolean isOpen(FileRun run) {
        return open.contains(run);
    }

    /** Another open run reads the same file (a link under another name), or null. */
    public FileRun readingSameFile(FileRun run) {
        for (FileRun other : open) {
            if (other != run && other.file() != null && other.file().identity().equals(run.file().identity())) {
                return other;
            }
        }
        return null;
    }

    /** The run ends without a report: its file is set aside for later (not complete yet, or read by another run). */
    public void setAside(FileRun run, String because) {
        LOG.info("{}", because);
        run.setAside(because);
        open.remove(run); // the filter keeps it aside until its time comes or it changes
        metrics.fileClosed(run);
        closeFile(run);
    }

    /**
     * A file that was finished but could not be moved out is not read again: only its move is tried again (its report
     * and dead-letter records were written then).
     */
    public void moveIfFinished(FileRun run) throws FileSetAsideException {
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

    /** Ends a file's run with its report, then moves the file out and deletes its journal (see the class comment). */
    public void close(FileRun run, String status, String error) {
        if (!open.remove(run)) {
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

    /** Moves the file out of the inbox; NOT_MOVED (said once, file set aside) when that is impossible. */
    private Moved moveOut(FileRun run, String folder) {
        try {
            Moved moved = Moved.ITSELF;
            if (run.file() != null) {
                moved = InboxMoves.moveOut(run.file(), folder) ? Moved.ITSELF : Moved.COPY;
            } else if (Files.exists(run.path(), LinkOption.NOFOLLOW_LINKS)) {
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

    /** The file has left the inbox (or is finished with, in dry-run): the inbox keeps nothing about it. */
    private void forget(FileRun run) {
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

    // ---- progress -------------------------------------------------------------------------------------------------

    private void logProgress() {
        for (FileRun run : open) {
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

    // ---- settings and lifecycle -----------------------------------------------------------------------------------

    public void setReportsDir(String reportsDir) {
        this.reports = new FileReports(Path.of(reportsDir));
    }

    public void setStateDir(String stateDir) {
        this.stateDir = Path.of(stateDir);
    }

    public void setInboxFilter(InboxParking inboxFilter) {
        this.inboxFilter = inboxFilter;
    }

    public void setStateWrites(StateWrites stateWrites) {
        this.stateWrites = stateWrites;
    }

    public void setMetrics(PurgeMetrics metrics) {
        this.metrics = metrics;
    }

    public void setDryRun(boolean dryRun) {
        this.dryRun = dryRun;
    }

    public void setProgressInterval(long progressInterval) {
        this.progressInterval = progressInterval;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        boolean first = this.camelContext == null;
        this.camelContext = camelContext;
        if (first) {
            Services.stopAfterRoutes(camelContext, this);
        }
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
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
        for (FileRun run : Set.copyOf(open)) {
            run.interrupt(FileRun.Stop.SHUTDOWN, FileRun.STOPPED_BY_SHUTDOWN + " (cut after the shutdown timeout, "
                    + "with requests still unanswered)");
            close(run, "INTERRUPTED", run.interruptedBecause() + ": the file stays in the inbox and resumes");
        }
    }
}
