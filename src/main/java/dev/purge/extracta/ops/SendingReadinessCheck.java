package dev.purge.extracta.ops;

import dev.purge.extracta.call.OutageBreaker;
import dev.purge.extracta.call.SendGate;
import java.time.Instant;
import java.util.Map;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Readiness: DOWN while nothing can be sent, because the API refused the key (until a restart with a good key),
 * because sending is paused for an API outage (until the probe gets an answer), or because the API asked to slow
 * down for longer than {@code pauseThreshold} (until the time it resumes, given in the message). Not a liveness check: the
 * application is alive and keeps its files and messages waiting, so the platform has no reason to restart it.
 * Found by camel-health as a HealthCheck bean in the registry.
 */
public class SendingReadinessCheck extends AbstractHealthCheck {

    public static final String ID = "extracta-sending";
    public static final String HALTED = "halted: the API refused the key; nothing is sent until a restart with a valid key";
    public static final String OUTAGE_PAUSE = "paused: the API is failing (extracta.circuit.*); sending resumes when a "
            + "probe finds the API answering again";
    static final String SLOW_DOWN = "paused: the API asked to slow down (HTTP 429 with Retry-After); sending resumes "
            + "at ";

    /** A 429 pause longer than this makes readiness DOWN (ms): shorter ones are business as usual. */
    private long pauseThreshold = 5_000;

    private SendGate sendGate;
    private OutageBreaker outageBreaker;

    public SendingReadinessCheck() {
        super("extracta", ID);
    }

    public void setSendGate(SendGate sendGate) {
        this.sendGate = sendGate;
    }

    public void setPauseThreshold(long pauseThreshold) {
        this.pauseThreshold = Math.max(0, pauseThreshold);
    }

    public void setOutageBreaker(OutageBreaker outageBreaker) {
        this.outageBreaker = outageBreaker;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        // fixed texts only: the refusal's own wording could echo what the server was sent
        if (sendGate != null && sendGate.isHalted()) {
            builder.down().message(HALTED).detail("sending", "halted");
        } else if (outageBreaker != null && outageBreaker.isPaused()) {
            builder.down().message(OUTAGE_PAUSE).detail("sending", "outage-pause")
                    .detail("pausedSince", outageBreaker.pausedSince().toString());
        } else if (sendGate != null && sendGate.pausedUntil() - System.currentTimeMillis() > pauseThreshold) {
            String until = Instant.ofEpochMilli(sendGate.pausedUntil()).toString();
            builder.down().message(SLOW_DOWN + until).detail("sending", "rate-limit-pause")
                    .detail("resumesAt", until);
        } else {
            builder.up().detail("sending", "open");
        }
    }
}
