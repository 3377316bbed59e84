package dev.purge.extracta;

import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceHelper;

/**
 * Remembers every (classificationId, batchId) that is gone (DELETED or ALREADY_ABSENT) in an idempotent repository,
 * before the row counts as final, so a later request for the same pair, in any file and after any restart, is not
 * sent again. The repository is a bean chosen by configuration (a local file by default, JDBC for several instances).
 */
public class DeleteLedger implements CamelContextAware {

    private static final String SENT_PREFIX = "sent:";

    private boolean enabled = true;
    private IdempotentRepository repository;
    private CamelContext camelContext;
    private volatile boolean started;

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    /** A repository declared as a bean is not started by Camel: start it, and stop it with the context. */
    private IdempotentRepository repository() {
        if (!started) {
            synchronized (this) {
                if (!started) {
                    // several instances starting on a fresh database race to create the table: try again
                    for (int attempt = 1; !started; attempt++) {
                        try {
                            camelContext.addService(repository, true, true);
                            started = true;
                        } catch (Exception e) {
                            if (attempt == 3) {
                                throw new IllegalStateException("cannot start the idempotent repository: "
                                        + SecretRedactor.redact(String.valueOf(e.getMessage())), e);
                            }
                            ServiceHelper.stopService(repository);
                        }
                    }
                }
            }
        }
        return repository;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public void setRepository(IdempotentRepository repository) {
        this.repository = repository;
    }

    public boolean alreadyDeleted(Exchange exchange) {
        return enabled && repository().contains(key(exchange));
    }

    public void recordDeleted(Exchange exchange) {
        if (enabled) {
            repository().add(key(exchange));
        }
    }

    /** Marks a message's request as sent, before it leaves: a redelivery elsewhere can then read a 404 right. */
    public void markSent(Exchange exchange) {
        if (enabled) {
            repository().add(SENT_PREFIX + key(exchange));
        }
    }

    public boolean wasSent(Exchange exchange) {
        return enabled && repository().contains(SENT_PREFIX + key(exchange));
    }

    private static String key(Exchange exchange) {
        DeleteBatchRequest request = exchange.getProperty(RowGate.REQUEST_PROPERTY, DeleteBatchRequest.class);
        return PairFingerprints.pairKey(request.classificationId(), request.batchId());
    }
}
