package dev.purge.extracta.secret;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.sql.SQLException;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.impl.Log4jLogEvent;
import org.apache.logging.log4j.message.ParameterizedMessage;
import org.junit.jupiter.api.Test;

/** The rewrite policy every log event passes: registered secrets leave neither a message nor an exception. */
class SecretMaskingPolicyTest {

    private static final String SECRET = "fake-mask-pw-5e1b90";
    private final SecretMaskingPolicy policy = SecretMaskingPolicy.create();

    @Test
    void aSecretInAMessageOrItsParametersIsMasked() {
        SecretRedactor.register(SECRET);
        LogEvent event = event(new ParameterizedMessage("Configured property {} with value {}", "password", SECRET),
                null);
        LogEvent rewritten = policy.rewrite(event);
        assertThat(rewritten.getMessage().getFormattedMessage())
                .isEqualTo("Configured property password with value ****");
        assertThat(rewritten.getLevel()).isEqualTo(Level.DEBUG);
        assertThat(rewritten.getLoggerName()).isEqualTo("org.example.Library");
    }

    @Test
    void aSecretInAnExceptionItsCauseOrASuppressedOneIsMaskedAndTheTraceKept() {
        SecretRedactor.register(SECRET);
        SQLException cause = new SQLException("login failed for password " + SECRET);
        IOException thrown = new IOException("cannot connect", cause);
        thrown.addSuppressed(new IllegalStateException("again " + SECRET));
        LogEvent rewritten = policy.rewrite(event(new ParameterizedMessage("failed"), thrown));
        Throwable masked = rewritten.getThrown();
        assertThat(masked.getMessage()).isEqualTo("java.io.IOException: cannot connect");
        assertThat(masked.getStackTrace()).isEqualTo(thrown.getStackTrace());
        assertThat(masked.getCause().getMessage()).isEqualTo("java.sql.SQLException: login failed for password ****");
        assertThat(masked.getSuppressed()[0].getMessage())
                .isEqualTo("java.lang.IllegalStateException: again ****");
    }

    @Test
    void anEventWithoutASecretPassesUnchanged() {
        SecretRedactor.register(SECRET);
        IOException thrown = new IOException("nothing secret");
        LogEvent event = event(new ParameterizedMessage("all {}", "fine"), thrown);
        assertThat(policy.rewrite(event)).isSameAs(event);
        assertThat(policy.rewrite(event).getThrown()).isSameAs(thrown);
    }

    private static LogEvent event(ParameterizedMessage message, Throwable thrown) {
        return Log4jLogEvent.newBuilder().setLoggerName("org.example.Library").setLevel(Level.DEBUG)
                .setMessage(message).setThrown(thrown).build();
    }
}
