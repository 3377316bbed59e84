package dev.purge.extracta.ops;

import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.purge.extracta.call.DeleteBatchPipelineTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.purge.extracta.ingest.ArtemisConnectionFactory;
import dev.purge.extracta.ledger.JdbcDeletedPairs;
import dev.purge.extracta.testsupport.TestApp;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.IdempotentRepository;
import org.junit.jupiter.api.Test;

/**
 * The default file-only run makes none of the optional parts declared in routes/beans.camel.yaml: no Artemis
 * connection factory, no PostgreSQL data source, no JDBC repository, and neither the queue's routes nor enqueue
 * mode's are made. A YAML bean
 * cannot be conditional, so those beans are small holders of their settings that make the real object on first use.
 */
class LazyOptionalPartsTest {

    @Test
    void aFileOnlyRunMakesNeitherTheBrokerClientNorTheDatabaseRepository() throws Exception {
        try (TestApp app = TestApp.start("lazy-parts", Map.of())) {
            app.wireMock.stubFor(delete(urlEqualTo(TestApp.DELETE_PATH))
                    .willReturn(json(200, "{\"status\":\"success\",\"message\":\"Batch deleted\"}")));
            app.drop("lazy.csv", "classificationId,batchId\nc1,b1\nc1,b2\n");
            assertThat(app.awaitReport("lazy.csv").toString()).contains("DELETED");

            CamelContext context = app.camelContext();
            ArtemisConnectionFactory broker = context.getRegistry()
                    .lookupByNameAndType("artemisConnectionFactory", ArtemisConnectionFactory.class);
            assertThat(broker).as("the bean of routes/beans.camel.yaml").isNotNull();
            assertThat(broker.isCreated()).as("no ActiveMQConnectionFactory made").isFalse();
            // the JMS component took its factory from camel.component.jms.connection-factory between Camel's two
            // makings of the YAML beans: its own copy, lazy all the same
            Object jmsFactory = context.getComponent("jms", org.apache.camel.component.jms.JmsComponent.class)
                    .getConfiguration().getConnectionFactory();
            assertThat(jmsFactory).isInstanceOf(ArtemisConnectionFactory.class);
            assertThat(((ArtemisConnectionFactory) jmsFactory).isCreated()).as("the JMS component's").isFalse();
            JdbcDeletedPairs jdbc = context.getRegistry().lookupByNameAndType("deletedPairsJdbc", JdbcDeletedPairs.class);
            assertThat(jdbc).as("the bean of routes/beans.camel.yaml").isNotNull();
            assertThat(jdbc.isCreated()).as("no PGSimpleDataSource nor JdbcMessageIdRepository made").isFalse();
            assertThat(context.getRegistry().findByType(javax.sql.DataSource.class)).isEmpty();
            assertThat(context.getRegistry().findByType(IdempotentRepository.class))
                    .as("only the file repository").hasSize(1)
                    .allMatch(r -> r.getClass().getSimpleName().equals("FingerprintFileIdempotentRepository"));
            // neither the queue's routes nor enqueue mode's are made (no JMS endpoint, no listener container)
            assertThat(context.getRoute("queue")).as("the queue route").isNull();
            assertThat(context.getRoute("queue-halt")).as("its halt").isNull();
            assertThat(context.getRoute("enqueue-row")).as("enqueue mode's route").isNull();
            assertThat(context.getEndpoints()).as("no JMS endpoint")
                    .noneMatch(e -> e.getEndpointUri().startsWith("jms:"));
        }
    }

    @Test
    void aRepositoryNameThatIsNoBeanStopsTheStartNamingTheSetting() {
        assertThatThrownBy(() -> TestApp.start("no-such-repository",
                Map.of("extracta.idempotency.repository", "deletedPairsTypo")).close())
                .hasStackTraceContaining("extracta.idempotency.repository=deletedPairsTypo names no bean");
    }
}
