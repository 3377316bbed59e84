package dev.purge.extracta.secret;

import org.apache.logging.log4j.core.Core;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.appender.rewrite.RewritePolicy;
import org.apache.logging.log4j.core.config.plugins.Plugin;
import org.apache.logging.log4j.core.config.plugins.PluginFactory;
import org.apache.logging.log4j.core.impl.Log4jLogEvent;
import org.apache.logging.log4j.message.SimpleMessage;

/**
 * Masks every registered secret value in each log event before any layout (text or JSON) sees it, whoever logged it:
 * Camel's property parser, the HTTP client's wire log, a driver's exception. log4j2's own rewrite policies change
 * map messages, context properties or levels, never the text of a message or an exception: hence this one.
 */
@Plugin(name = "SecretMasking", category = Core.CATEGORY_NAME, elementType = "rewritePolicy", printObject = true)
public final class SecretMaskingPolicy implements RewritePolicy {

    @PluginFactory
    public static SecretMaskingPolicy create() {
        return new SecretMaskingPolicy();
    }

    @Override
    public LogEvent rewrite(LogEvent event) {
        String message = event.getMessage().getFormattedMessage();
        Throwable thrown = event.getThrown();
        Throwable redactedThrown = SecretRedactor.redact(thrown);
        if (!SecretRedactor.containsSecret(message) && redactedThrown == thrown) {
            return event;
        }
        return new Log4jLogEvent.Builder(event).setMessage(new SimpleMessage(SecretRedactor.redact(message)))
                .setThrown(redactedThrown).setThrownProxy(null).build();
    }
}
