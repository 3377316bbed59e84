package dev.purge.extracta;

import java.util.Map;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Readiness: DOWN while nothing can be sent, because the API refused the key (until a restart with a good key) or
 * because sending is paused for an API outage (until a trial row gets an answer). Not a liveness check: the
 * application is alive and keeps its files and messages waiting, so the platform has no reason to restart it.
 * Found by camel-health as a HealthCheck bean in the registry.
 */
public class SendingReadinessCheck extends AbstractHealthCheck {

    static final String ID = "extracta-sending";
    static final String HALTED = "halted: the API refused the key; nothing is sent until a restart with a valid key";
    static final String OUTAGE_PAUSE = "paused: the API is failing (extracta.circuit.*); sending resumes when a trial "
            + "row gets an answer";

    private SendGate sendGate;
    private OutageBreaker outageBreaker;

    public SendingReadinessCheck() {
        super("extracta", ID);
    }

    public void setSendGate(SendGate sendGate) {
        this.sendGate = sendGate;
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
            builder.down().message(OUTAGE_PAUSE).detail("sending", "outage-pause");
        } else {
            builder.up().detail("sending", "open");
        }
    }
}
