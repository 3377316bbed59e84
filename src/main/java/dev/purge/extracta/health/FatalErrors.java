package dev.purge.extracta.health;

import dev.purge.extracta.run.Failures;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionHandler;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntConsumer;
import org.apache.camel.spi.ThreadPoolProfile;
import org.apache.camel.support.DefaultThreadPoolFactory;
import org.apache.camel.util.concurrent.RejectableScheduledThreadPoolExecutor;
import org.apache.camel.util.concurrent.RejectableThreadPoolExecutor;
import org.apache.camel.util.concurrent.SizedScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link Error} (OutOfMemoryError, StackOverflowError…) anywhere, or an exception that kills a thread, ends the
 * application at once with a clear message and exit status 4 (none of the one-shot run's own statuses): after one, nothing it does can be trusted, and a worker
 * that died silently would leave its file waiting forever. Seen on every thread: the JVM's default handler for threads
 * that die, every Camel thread pool (this is its {@code ThreadPoolFactory}: a task's Error is otherwise kept in its
 * Future, where nobody looks), and the routes' own error handling ({@link #check}). The state on disk is safe to stop
 * at any moment (as after {@code kill -9}): the next start resumes.
 */
public class FatalErrors extends DefaultThreadPoolFactory {

    /** The application itself could not go on: distinct from every status a run ends with on its own. */
    public static final int EXIT_STATUS = 4;
    private static final Logger LOG = LoggerFactory.getLogger(FatalErrors.class);
    private static final AtomicBoolean ENDING = new AtomicBoolean();
    /** Halts the JVM if the orderly exit has not ended it by then. */
    private static final long HALT_AFTER_MILLIS = 30_000;
    private static volatile IntConsumer exit = FatalErrors::exitProcess;

    /** Watches the threads that die of an uncaught exception (any thread of the JVM). */
    public static void install() {
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> fatal(e, "thread " + thread.getName() + " died"));
    }

    /** Ends the application if {@code e} is, or was caused by, an {@link Error}. */
    public static void check(Throwable e, String where) {
        Error error = Failures.find(e, Error.class);
        if (error != null) {
            fatal(error, where);
        }
    }

    /** Whether the application is ending because of a fatal error (its exit status is then 4, whatever else ends). */
    public static boolean ending() {
        return ENDING.get();
    }

    /** A route's error handling met an Error: the application ends (see the routes' onException for Error). */
    public void onRouteError(org.apache.camel.Exchange exchange) {
        Throwable e = Failures.caught(exchange);
        Error error = Failures.find(e, Error.class); // Camel wraps a Throwable that is not an Exception
        fatal(error != null ? error : e != null ? e : new Error("unknown error"), "route " + exchange.getFromRouteId());
    }

    public static void fatal(Throwable e, String where) {
        if (!ENDING.compareAndSet(false, true)) {
            return;
        }
        try {
            // building the text may itself run out of memory: the exit below happens whatever this does
            String text = "Fatal: " + Failures.oneLine(e) + " (" + where + "). The application stops now (exit status "
                    + EXIT_STATUS + "); what is on disk is consistent and the next start resumes.";
            System.err.println(text);
            LOG.error(text, e);
        } catch (Throwable ignored) {
            try {
                System.err.println("Fatal: an Error (" + where + "). The application stops now (exit status "
                        + EXIT_STATUS + ").");
            } catch (Throwable alsoIgnored) {
                // nothing more can be said
            }
        } finally {
            exit.accept(EXIT_STATUS);
        }
    }

    private static void exitProcess(int status) {
        try {
            Thread halter = new Thread(() -> {
                try {
                    Thread.sleep(HALT_AFTER_MILLIS);
                } catch (InterruptedException ignored) {
                    // halt now
                }
                Runtime.getRuntime().halt(status);
            }, "extracta-fatal-halt");
            halter.setDaemon(true);
            halter.start();
            Thread exiting = new Thread(() -> System.exit(status), "extracta-fatal-exit");
            exiting.setDaemon(false);
            exiting.start();
        } catch (Throwable e) {
            Runtime.getRuntime().halt(status); // no thread can be made (out of memory): no orderly stop either
        }
    }

    /** Tests replace the exit (the test JVM must go on) and reset it; never used by the application. */
    static void exitFor(IntConsumer testExit) {
        exit = testExit == null ? FatalErrors::exitProcess : testExit;
        ENDING.set(false);
    }

    private static void endIfError(Runnable task, Throwable t, String where) {
        Throwable error = errorOf(task, t);
        if (error instanceof Error) {
            fatal(error, where);
        }
    }

    /** The Error a finished task ended with, if any: {@code t} for a plain task, else kept in its Future. */
    static Throwable errorOf(Runnable task, Throwable t) {
        if (t != null) {
            return t;
        }
        if (task instanceof Future<?> future && future.isDone() && !future.isCancelled()) {
            try {
                future.get(0, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                return e.getCause() instanceof Error ? e.getCause() : null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (CancellationException | TimeoutException e) {
                return null;
            }
        }
        return null;
    }

    @Override
    public ExecutorService newThreadPool(int corePoolSize, int maxPoolSize, long keepAliveTime, TimeUnit timeUnit,
                                         int maxQueueSize, boolean allowCoreThreadTimeOut,
                                         RejectedExecutionHandler rejectedExecutionHandler,
                                         ThreadFactory threadFactory) {
        // Camel's factory decides the queue and the sizes; the same pool is made again, watching its tasks
        ThreadPoolExecutor plain = (ThreadPoolExecutor) super.newThreadPool(corePoolSize, maxPoolSize, keepAliveTime,
                timeUnit, maxQueueSize, allowCoreThreadTimeOut, rejectedExecutionHandler, threadFactory);
        Watched watched = new Watched(plain.getCorePoolSize(), plain.getMaximumPoolSize(),
                plain.getKeepAliveTime(TimeUnit.NANOSECONDS), TimeUnit.NANOSECONDS, plain.getQueue());
        watched.setThreadFactory(plain.getThreadFactory());
        watched.allowCoreThreadTimeOut(plain.allowsCoreThreadTimeOut());
        watched.setRejectedExecutionHandler(plain.getRejectedExecutionHandler());
        plain.shutdown(); // never started a thread
        return watched;
    }

    @Override
    public ScheduledExecutorService newScheduledThreadPool(ThreadPoolProfile profile, ThreadFactory threadFactory) {
        RejectedExecutionHandler rejected = profile.getRejectedExecutionHandler();
        ScheduledThreadPoolExecutor answer = new WatchedScheduled(profile.getPoolSize(), threadFactory,
                rejected == null ? new ThreadPoolExecutor.CallerRunsPolicy() : rejected);
        answer.setRemoveOnCancelPolicy(true);
        return profile.getMaxPoolSize() > 0 ? new SizedScheduledExecutorService(answer, profile.getMaxQueueSize())
                : answer;
    }

    /** Camel's pool, watching each finished task for an Error. */
    private static final class Watched extends RejectableThreadPoolExecutor {

        Watched(int core, int max, long keepAlive, TimeUnit unit, BlockingQueue<Runnable> queue) {
            super(core, max, keepAlive, unit, queue);
        }

        @Override
        protected void afterExecute(Runnable task, Throwable t) {
            super.afterExecute(task, t);
            endIfError(task, t, "a task of a thread pool failed");
        }
    }

    /** Camel's scheduled pool, watching each finished run of a task for an Error. */
    private static final class WatchedScheduled extends RejectableScheduledThreadPoolExecutor {

        WatchedScheduled(int core, ThreadFactory threadFactory, RejectedExecutionHandler handler) {
            super(core, threadFactory, handler);
        }

        @Override
        protected void afterExecute(Runnable task, Throwable t) {
            super.afterExecute(task, t);
            endIfError(task, t, "a scheduled task failed");
        }
    }
}
