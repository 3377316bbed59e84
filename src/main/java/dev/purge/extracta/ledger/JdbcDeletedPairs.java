package dev.purge.extracta.ledger;

import org.apache.camel.spi.IdempotentRepository;

/**
 * The shared deleted-pairs repository (a PostgreSQL table), declared as the bean {@code deletedPairsJdbc} in
 * routes/beans.camel.yaml. A YAML bean cannot be conditional, so this one only holds the settings: the data source and
 * the {@code JdbcMessageIdRepository} are made when the {@link DeleteLedger} selects this bean
 * ({@code extracta.idempotency.repository=deletedPairsJdbc}), never in a run that uses another repository.
 */
public class JdbcDeletedPairs {

    private String url;
    private String user;
    private String password;
    private String processorName = "extracta-deleted-pairs";
    private String createString;
    private volatile IdempotentRepository repository;

    public void setUrl(String url) {
        this.url = url;
    }

    public void setUser(String user) {
        this.user = user;
    }

    public void setPassword(String password) {
        this.password = password;
    }

    /** The repository's name in the table's processorName column. */
    public void setProcessorName(String processorName) {
        this.processorName = processorName;
    }

    /** The statement that creates the table when it does not exist. */
    public void setCreateString(String createString) {
        this.createString = createString;
    }

    /** Whether the data source and the repository have been made. */
    public boolean isCreated() {
        return repository != null;
    }

    /** The repository, made at the first call (not started: the ledger starts it with the context). */
    public IdempotentRepository repository() {
        IdempotentRepository made = repository;
        if (made == null) {
            synchronized (this) {
                made = repository;
                if (made == null) {
                    made = Jdbc.repository(url, user, password, processorName, createString);
                    repository = made;
                }
            }
        }
        return made;
    }

    /** The only place that names the JDBC classes: loaded when the repository is made, not before. */
    private static final class Jdbc {
        static IdempotentRepository repository(String url, String user, String password, String processorName,
                                               String createString) {
            org.postgresql.ds.PGSimpleDataSource dataSource = new org.postgresql.ds.PGSimpleDataSource();
            dataSource.setUrl(url);
            dataSource.setUser(user);
            dataSource.setPassword(password);
            // the constructor sets up its transaction template
            org.apache.camel.processor.idempotent.jdbc.JdbcMessageIdRepository jdbc =
                    new org.apache.camel.processor.idempotent.jdbc.JdbcMessageIdRepository(dataSource, processorName);
            if (createString != null && !createString.isBlank()) {
                jdbc.setCreateString(createString);
            }
            return jdbc;
        }
    }
}
