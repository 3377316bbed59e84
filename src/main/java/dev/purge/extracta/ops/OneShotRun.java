package dev.purge.extracta.ops;

import dev.purge.extracta.call.SendGate;
import dev.purge.extracta.health.FatalErrors;
import dev.purge.extracta.ingest.FileRuns;
import dev.purge.extracta.ingest.InboxFilter;
import dev.purge.extracta.run.Failures;
import dev.purge.extracta.run.FileRun;
import dev.purge.extracta.run.InboxFiles;
import dev.purge.extracta.run.Outcome;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.file.FileEndpoint;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.main.MainSupport;
import org.apache.camel.support.DefaultExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One-shot mode ({@code --once [file-or-folder…]}): once the application has started, hands each file to the
 * process-file route, one after the other, then ends the application with a status a scheduler can act on. With no
 * paths it takes the files in the inbox (which then move to .done/ or .failed/ as usual); files and folders named on
 * the command line stay where they are. Files named on the command line are taken as they are (complete by the
 * operator's word); the inbox's files follow the inbox's own rules: a file whose marker is not there yet, or whose
 * last line has no line break and changed within the last-line wait, is left for the next run (WAITING, exit 3).
 */
public final class OneShotRun extends MainListenerSupport {

    /** Every row ended deleted, already absent, skipped or duplicate. */
    public static final int ALL_DONE = 0;
    /** A fatal error: the key refused (at start or mid-run), an input that could not be read at all. */
    public static final int FATAL = 1;
    /** Every file ran to its end, and at least one row was dead-lettered. */
    public static final int DEAD_LETTERED = 2;
    /** Stopped (a signal, a shutdown) before every file ran to its end: everything resumes at the next run. */
    public static final int INTERRUPTED = 3;
    /** The application itself could not go on (an Error such as out of memory, a thread that died): see FatalErrors. */
    public static final int APPLICATION_FAILED = FatalErrors.EXIT_STATUS;

    private static final Logger LOG = LoggerFactory.getLogger(OneShotRun.class);

    private final List<String> paths;
    private final List<FileResult> results = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile FileRuns fileRuns;
    private volatile int exitCode = FATAL; // until the run got through: a start that failed is fatal
    private volatile boolean fatal;
    private volatile boolean interrupted;
    private volatile boolean summaryPrinted;
    private volatile boolean exiting;
    private volatile boolean dryRun;
    private final CountDownLatch finished = new CountDownLatch(1);
    /** Camel has stopped: the stop's own writes (reports of cut runs, confirmed deletes, claims given back) are done. */
    private final CountDownLatch stopped = new CountDownLatch(1);
    /** How long the signal hook waits for the stopped run to end (the shutdown timeout is 20 s). */
    private static final long SIGNAL_WAIT_SECONDS = 40;

    /**
     * One line of the summary: the file's run, or why it could not be run: {@code status} NOT_READ (at all), WAITING
     * (not yet) or SKIPPED (not a file).
     */
    private record FileResult(String file, FileRun run, String problem, String status) {
        FileResult(String file, FileRun run, String problem) {
            this(file, run, problem, "NOT_READ");
        }
    }

    public OneShotRun(List<String> paths) {
        this.paths = List.copyOf(paths);
    }

    @Override
    public void afterStart(BaseMainSupport main) {
        Thread runner = new Thread(() -> {
            try {
                runAll(main.getCamelContext());
            } catch (RuntimeException e) {
                if (stopping(main.getCamelContext())) {
                    interrupted = true; // whatever failed while stopping is the stop's doing
                } else {
                    LOG.error("The one-shot run failed: {}", Failures.oneLine(e));
                    fatal = true;
                }
            } catch (Error e) {
                FatalErrors.fatal(e, "the one-shot run");
                throw e;
            } finally {
                exitCode = decideExitCode();
                finished.countDown();
                ((MainSupport) main).completed();
            }
        }, "extracta-once");
        runner.start();
    }

    /**
     * A signal (SIGTERM, Ctrl-C) stops the application through the JVM's shutdown: the run then ends like any stopped
     * run, its summary is printed, and the process exits 3 (not the JVM's 143), so a scheduler sees a run that stopped
     * before its end, resumable, rather than a crash.
     */
    public void exitWithStatusOnSignal(PrintStream out) {
        Thread hook = new Thread(() -> {
            if (exiting || FatalErrors.ending()) {
                return; // the process is ending on its own, with its own status
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SIGNAL_WAIT_SECONDS);
            try {
                if (finished.await(SIGNAL_WAIT_SECONDS, TimeUnit.SECONDS) && !summaryPrinted) {
                    printSummary(out);
                    out.flush();
                }
                // halting before Camel has stopped would cut the stop's own writes
                stopped.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Runtime.getRuntime().halt(finished.getCount() == 0 ? exitCode : INTERRUPTED);
        }, "extracta-once-signal");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    @Override
    public void afterStop(BaseMainSupport main) {
        stopped.countDown();
    }

    /** The summary was printed and the process exits with {@link #exitCode()} on its own: no signal involved. */
    public void exiting() {
        exiting = true;
    }

    private static boolean stopping(CamelContext context) {
        return context.isStopping() || context.isStopped();
    }

    private void runAll(CamelContext context) {
        SendGate sendGate = context.getRegistry().lookupByNameAndType("sendGate", SendGate.class);
        fileRuns = context.getRegistry().lookupByNameAndType("fileRuns", FileRuns.class);
        dryRun = Boolean.parseBoolean(context.getPropertiesComponent().resolveProperty("extracta.dry-run")
                .orElse("false").strip());
        ProducerTemplate template = context.createProducerTemplate();
        for (Target target : targets(context)) {
            if (context.isStopping() || context.isStopped()) {
                interrupted = true;
                return;
            }
            if (sendGate != null && sendGate.isHalted()) {
                fatal = true; // the key was refused: the rest is left as it is for the next run
                return;
            }
            results.add(run(template, target));
        }
    }

    /**
     * A file to run, and whether it stays where it is (named on the command line) or moves (from the inbox); why it
     * cannot be run, why not yet, or why it is no file to run at all.
     */
    private record Target(Path file, boolean inPlace, String problem, String notYet, String skipped) {
        Target(Path file, boolean inPlace, String problem) {
            this(file, inPlace, problem, null, null);
        }

        /** An entry of a folder whose name the include pattern takes: a file, or something said in the summary. */
        static Target listed(Path file, boolean inPlace, String notYet) {
            if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
                return new Target(file, inPlace, null, null, "a folder, not a file: skipped");
            }
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) && !Files.isSymbolicLink(file)) {
                // a link is refused by process-file itself, with its record
                return new Target(file, inPlace, "not a regular file (a pipe, a socket or a device is never read)",
                        null, null);
            }
            return new Target(file, inPlace, null, notYet, null);
        }
    }

    private List<Target> targets(CamelContext context) {
        List<Target> targets = new ArrayList<>();
        // the inbox route is loaded (only not started): its endpoint says which files a folder holds
        FileEndpoint inbox = InboxFiles.endpoint(context);
        if (paths.isEmpty()) {
            Path folder = inbox.getFile().toPath();
            InboxFilter filter = context.getRegistry().lookupByNameAndType("inboxFilter", InboxFilter.class);
            if (Files.isDirectory(folder)) {
                for (Path file : inputsIn(folder, inbox)) {
                    Path marker = filter == null ? null : filter.markerOf(file);
                    targets.add(Target.listed(file, false, marker == null
                            || Files.exists(marker, LinkOption.NOFOLLOW_LINKS) ? null
                            : "its marker " + marker.getFileName() + " is not there yet"));
                }
            }
            return targets;
        }
        for (String name : paths) {
            Path path = Path.of(name).toAbsolutePath();
            if (Files.isDirectory(path)) {
                inputsIn(path, inbox).forEach(file -> targets.add(Target.listed(file, true, null)));
            } else if (Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
                targets.add(new Target(path, true, null));
            } else {
                targets.add(new Target(path, true, Files.exists(path, LinkOption.NOFOLLOW_LINKS)
                        ? "not a regular file (a symbolic link, a pipe, a socket or a device is never read)"
                        : "no such file or folder"));
            }
        }
        return targets;
    }

    private static List<Path> inputsIn(Path folder, FileEndpoint inbox) {
        try {
            return InboxFiles.inputsIn(folder, inbox);
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + folder + ": " + e.getMessage(), e);
        }
    }

    private FileResult run(ProducerTemplate template, Target target) {
        String name = target.file().getFileName().toString();
        if (target.problem() != null) {
            LOG.error("Cannot read {}: {}", target.file(), target.problem());
            fatal = true;
            return new FileResult(target.file().toString(), null, target.problem());
        }
        if (target.skipped() != null) {
            LOG.warn("Skipping {}: {}", target.file(), target.skipped());
            return new FileResult(name, null, target.skipped(), "SKIPPED");
        }
        if (target.notYet() != null) {
            LOG.info("Not taking {} yet: {}; the next run takes it", name, target.notYet());
            interrupted = true; // nothing wrong, not done either: run again
            return new FileResult(name, null, target.notYet(), "WAITING");
        }
        Exchange exchange = new DefaultExchange(template.getCamelContext());
        exchange.getMessage().setHeader("CamelFileAbsolutePath", target.file().toString());
        exchange.getMessage().setHeader(Exchange.FILE_NAME_ONLY, name);
        exchange.getMessage().setHeader(Exchange.FILE_NAME, name);
        exchange.getMessage().setBody(target.file().toFile());
        if (fileRuns != null) {
            fileRuns.handOver(target.file(), target.inPlace());
        }
        try {
            template.send("direct:process-file", exchange);
        } catch (RuntimeException e) {
            exchange.setException(e);
        }
        FatalErrors.check(Failures.caught(exchange), "the one-shot run of " + name);
        FileRun run = exchange.getProperty(FileRun.PROPERTY, FileRun.class);
        if (run != null && run.setAsideBecause() != null) {
            interrupted = true;
            return new FileResult(name, null, run.setAsideBecause(), "WAITING");
        }
        if (run == null || run.status() == null) {
            if (stopping(template.getCamelContext())) {
                interrupted = true; // never started, or cut before it could say anything: it runs next time
                return new FileResult(name, run, run == null ? "not started: the application was stopping"
                        : "cut by the stop before its end");
            }
            fatal = true;
            String problem = Failures.oneLine(Failures.caught(exchange));
            return new FileResult(name, null, problem);
        }
        switch (run.status()) {
            case "INTERRUPTED" -> {
                FileRun.Stop stop = run.stop();
                if (stop == FileRun.Stop.HALT || stop == FileRun.Stop.STATE_WRITE) {
                    fatal = true; // the key refused, or the application's own writes failed
                } else {
                    interrupted = true;
                }
            }
            case "FAILED" -> fatal = true;
            default -> { } // DONE, DRY_RUN
        }
        if (run.count(Outcome.UNREADABLE_FILE) > 0 || run.stateWriteFailed()) {
            fatal = true;
        }
        return new FileResult(name, run, null);
    }

    private int decideExitCode() {
        if (FatalErrors.ending()) {
            return APPLICATION_FAILED;
        }
        if (fatal) {
            return FATAL;
        }
        if (interrupted) {
            return INTERRUPTED;
        }
        boolean deadLettered = results.stream().anyMatch(r -> r.run() != null && r.run().rowsFailed() > 0);
        return deadLettered ? DEAD_LETTERED : ALL_DONE;
    }

    /** The exit status, once the run has ended (FATAL if it never got to run). */
    public int exitCode() {
        return exitCode;
    }

    /** A short table: one line per file with its status, rows read, final and stopped, outcomes; then the exit status. */
    public synchronized void printSummary(PrintStream out) {
        if (summaryPrinted) {
            return;
        }
        summaryPrinted = true;
        int width = Math.max(4, results.stream().mapToInt(r -> r.file().length()).max().orElse(4));
        String format = "%-" + width + "s  %-11s  %7s  %7s  %7s  %s%n";
        out.printf(format, "file", "status", "read", "final", "stopped", "outcomes");
        if (results.isEmpty()) {
            out.println("(no files)");
        }
        long stopped = 0;
        for (FileResult result : results) {
            FileRun run = result.run();
            if (run == null) {
                out.printf(format, result.file(), result.status(), "-", "-", "-", result.problem());
            } else {
                // a run cut by the stop before its report still says what it did
                String because = run.interruptedBecause() != null ? run.interruptedBecause() : result.problem();
                stopped += run.rowsStopped();
                out.printf(format, result.file(), run.status() == null ? "INTERRUPTED" : run.status(),
                        run.rowsRead(), run.rowsDone(), run.rowsStopped(),
                        run.totalsText() + (because == null ? "" : " (" + because + ")"));
            }
        }
        if (stopped > 0) {
            out.println(stopped + " rows were stopped before their outcome: not sent again before the next run, "
                    + "which resumes them");
        }
        if (dryRun) {
            out.println("dry run: nothing was sent, no file was moved, no dead-letter record was written");
        }
        out.println("exit status " + exitCode + ": " + switch (exitCode) {
            case ALL_DONE -> dryRun ? "every row would be sent, or skipped as already deleted or duplicate"
                    : "every row deleted, already absent, skipped or duplicate";
            case DEAD_LETTERED -> dryRun ? "some rows would be dead-lettered (see the reports and the "
                    + "<name>.dry-run.jsonl plans)"
                    : "some rows were dead-lettered (see the dead-letter files and reports)";
            case INTERRUPTED -> "stopped before the end, or files not complete yet; the next run resumes";
            case APPLICATION_FAILED -> "the application itself failed (see the Fatal: line above); the next run "
                    + "resumes";
            default -> "fatal error (see the log above)";
        });
    }
}
