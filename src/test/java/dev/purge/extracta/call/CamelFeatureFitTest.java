package dev.purge.extracta.call;

import static org.assertj.core.api.Assertions.assertThat;

import dev.purge.extracta.testsupport.EmbeddedBroker;
import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.OnExceptionDefinition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Why the hand-written send gate, backoff wait, outage pause and rollback hold are not Camel's or the broker's own
 * features: each test pins, on Camel 4.17.0 and Artemis 2.40.0, the behaviour that rules the feature out (the one-line
 * reasons in SendGate, RetryPolicy, OutageBreaker and MessageRollback cite this class). If one fails after an upgrade,
 * look again: the feature may fit now. No test bounds a duration from above; they check what happened, and in which
 * order. Plain Camel contexts with Java routes: nothing of the application runs here.
 */
class CamelFeatureFitTest {

    private final List<CamelContext> contexts = new ArrayList<>();

    @AfterEach
    void stopContexts() {
        for (CamelContext context : contexts) {
            context.getShutdownStrategy().setTimeout(1);
            context.stop();
        }
    }

    private CamelContext start(RouteBuilder routes, int shutdownTimeoutSeconds) throws Exception {
        CamelContext context = new DefaultCamelContext();
        context.getShutdownStrategy().setTimeout(shutdownTimeoutSeconds);
        context.getExecutorServiceManager().setShutdownAwaitTermination(1000);
        context.addRoutes(routes);
        context.start();
        contexts.add(context);
        return context;
    }

    // ---------------------------------------------------------------- Throttle EIP (SendGate)

    @Test
    void throttleInConcurrentRequestsModeKeepsTheFirstAttemptsSlotSoARetriedRowWaitsForItself() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        CamelContext context = start(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:row").onException(Exception.class).maximumRedeliveries(2).redeliveryDelay(0)
                        .handled(true).end()
                        .to("direct:call");
                from("direct:call").errorHandler(noErrorHandler())
                        .throttle(1).concurrentRequestsMode()
                        .process(e -> {
                            if (calls.incrementAndGet() == 1) {
                                throw new IllegalStateException("HTTP 500");
                            }
                        });
            }
        }, 1);
        Future<Object> row = context.createProducerTemplate().asyncRequestBody("direct:row", "row");
        Thread.sleep(2000);
        // the slot goes back when the whole exchange completes (ConcurrentRequestsThrottler.addSynchronization)
        assertThat(row).as("the retry waits for the slot its own first attempt still holds").isNotDone();
        assertThat(calls).as("only the first attempt ran").hasValue(1);
    }

    @Test
    void throttleInTotalRequestsModeLetsARowThatWaitedThroughAStopBeSentAfterTheStopBegan() throws Exception {
        List<Long> sentAt = new CopyOnWriteArrayList<>();
        CamelContext context = start(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:rate").throttle(1).timePeriodMillis(5000).process(e -> sentAt.add(System.nanoTime()));
            }
        }, 20);
        ProducerTemplate template = context.createProducerTemplate();
        template.requestBody("direct:rate", "first");
        Future<Exchange> waiting = template.asyncSend("direct:rate", e -> e.getMessage().setBody("second"));
        Thread.sleep(300);
        long stopBegan = System.nanoTime();
        context.stop();
        Exchange second = waiting.get(60, TimeUnit.SECONDS);
        assertThat(second.getException()).as("the wait was not ended by the stop").isNull();
        assertThat(sentAt).as("both rows were sent").hasSize(2);
        assertThat(sentAt.get(1)).as("the waiting row left after the stop had begun").isGreaterThan(stopBegan);
    }

    @Test
    void throttleStateBelongsToOneThrottleStepNotToTheApplication() throws Exception {
        List<Long> sentAt = new CopyOnWriteArrayList<>();
        CamelContext context = start(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:files").throttle(2).timePeriodMillis(60_000).process(e -> sentAt.add(1L));
                from("direct:queue").throttle(2).timePeriodMillis(60_000).process(e -> sentAt.add(1L));
            }
        }, 1);
        ProducerTemplate template = context.createProducerTemplate();
        for (int i = 0; i < 2; i++) {
            template.requestBody("direct:files", i);
            template.requestBody("direct:queue", i);
        }
        assertThat(sentAt).as("two steps of 2 per minute let 4 through at once").hasSize(4);
    }

    // ---------------------------------------------------------------- redelivery (RetryPolicy, SendGate.enterCall)

    private RouteBuilder failingRow(long redeliveryDelay, boolean allowRedeliveryWhileStopping, List<String> handlers,
                                    CountDownLatch inCall, long callMillis) {
        return new RouteBuilder() {
            @Override
            public void configure() {
                onException(RejectedExecutionException.class).handled(true).maximumRedeliveries(0)
                        .process(e -> handlers.add("row-stopped"));
                OnExceptionDefinition failed = onException(IllegalStateException.class).handled(true)
                        .maximumRedeliveries(3).redeliveryDelay(redeliveryDelay);
                failed.getRedeliveryPolicyType().allowRedeliveryWhileStopping(allowRedeliveryWhileStopping);
                failed.process(e -> handlers.add("row-failed"));
                from("direct:row").process(e -> {
                    inCall.countDown();
                    Thread.sleep(callMillis);
                    throw new IllegalStateException("HTTP 500");
                });
            }
        };
    }

    @Test
    void aRedeliveryDelayHoldsAGracefulStopUntilItIsForcedAndTheRowThenReachesNoHandler() throws Exception {
        List<String> handlers = new CopyOnWriteArrayList<>();
        CountDownLatch inCall = new CountDownLatch(1);
        CamelContext context = start(failingRow(4000, true, handlers, inCall, 0), 1);
        Future<Exchange> row = context.createProducerTemplate().asyncSend("direct:row", e -> e.getMessage().setBody("r"));
        inCall.await();
        Thread.sleep(500);
        long began = System.nanoTime();
        context.stop();
        long tookMillis = (System.nanoTime() - began) / 1_000_000;
        Exchange done = row.get(60, TimeUnit.SECONDS);
        assertThat(tookMillis).as("the stop waited for the backoff until it was forced (1 s)").isGreaterThanOrEqualTo(900);
        assertThat(handlers).as("neither the stop handling nor the dead letter ran").isEmpty();
        // its own failure, or the sleep's InterruptedException once the forced stop shut the thread pool down
        assertThat(done.getException()).isInstanceOfAny(IllegalStateException.class, InterruptedException.class);
    }

    @Test
    void withoutRedeliveryWhileStoppingAWaitingRowEndsWithARejectionThatNoOnExceptionHandles() throws Exception {
        List<String> handlers = new CopyOnWriteArrayList<>();
        CountDownLatch inCall = new CountDownLatch(1);
        CamelContext context = start(failingRow(8000, false, handlers, inCall, 0), 20);
        Future<Exchange> row = context.createProducerTemplate().asyncSend("direct:row", e -> e.getMessage().setBody("r"));
        inCall.await();
        Thread.sleep(500);
        context.stop();
        Exchange done = row.get(60, TimeUnit.SECONDS);
        // RedeliveryErrorHandler: the sleep returns false, then run() finds the run not allowed and ends the exchange
        assertThat(done.getException()).isInstanceOf(RejectedExecutionException.class);
        assertThat(handlers).as("onException(RejectedExecutionException) is never reached this way").isEmpty();
    }

    @Test
    void withoutRedeliveryWhileStoppingARowFailingDuringTheStopIsDeadLetteredWithAttemptsLeft() throws Exception {
        List<String> handlers = new CopyOnWriteArrayList<>();
        CountDownLatch inCall = new CountDownLatch(1);
        CamelContext context = start(failingRow(1000, false, handlers, inCall, 3000), 20);
        Future<Exchange> row = context.createProducerTemplate().asyncSend("direct:row", e -> e.getMessage().setBody("r"));
        inCall.await(); // the request is on the wire when the stop begins, and its answer is a 500
        context.stop();
        row.get(60, TimeUnit.SECONDS);
        assertThat(handlers).as("3 redeliveries left, yet dead-lettered by the stop").containsExactly("row-failed");
    }

    @Test
    void aRetryAfterGivenAsCamelRedeliveryDelayBecomesTheBaseOfTheNextExponentialDelay() throws Exception {
        List<Long> gaps = new CopyOnWriteArrayList<>();
        AtomicLong last = new AtomicLong();
        CamelContext context = start(new RouteBuilder() {
            @Override
            public void configure() {
                onException(IllegalStateException.class).handled(true).maximumRedeliveries(2).redeliveryDelay(100)
                        .useExponentialBackOff().backOffMultiplier(2).maximumRedeliveryDelay(60_000)
                        .onExceptionOccurred(e -> {
                            // Retry-After: 1 s on the first answer only
                            if (e.getMessage().getHeader(Exchange.REDELIVERY_COUNTER, 0, Integer.class) == 1) {
                                e.getMessage().setHeader(Exchange.REDELIVERY_DELAY, 1000L);
                            } else {
                                e.getMessage().removeHeader(Exchange.REDELIVERY_DELAY);
                            }
                        });
                from("direct:row").process(e -> {
                    long now = System.nanoTime();
                    if (last.get() != 0) {
                        gaps.add((now - last.get()) / 1_000_000);
                    }
                    last.set(now);
                    throw new IllegalStateException("HTTP 429");
                });
            }
        }, 1);
        context.createProducerTemplate().send("direct:row", e -> e.getMessage().setBody("r"));
        assertThat(gaps).hasSize(2);
        // RetryPolicy: 1000 (Retry-After), then 200..250 (the backoff of attempt 3); Camel: 1000, then 2 x 1000
        assertThat(gaps.get(1)).as("the delay after the Retry-After doubled it").isGreaterThanOrEqualTo(1900);
    }

    // ---------------------------------------------------------------- circuitBreaker EIP (OutageBreaker)

    @Test
    void theCircuitBreakerEipPassesRowsOnUnsentWhileOpenAndSendsARealRowAsTheTrialWhenHalfOpen() throws Exception {
        AtomicInteger sent = new AtomicInteger();
        CamelContext context = start(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:row")
                        .circuitBreaker()
                            // the open duration is in whole seconds (extracta.circuit.open-duration is in ms)
                            .resilience4jConfiguration().minimumNumberOfCalls(2).slidingWindowSize(2)
                                .failureRateThreshold(100).waitDurationInOpenState(1)
                                .permittedNumberOfCallsInHalfOpenState(1)
                                .automaticTransitionFromOpenToHalfOpenEnabled(true).end()
                            .process(e -> {
                                sent.incrementAndGet(); // the DELETE reaches the API
                                throw new IllegalStateException("HTTP 500");
                            })
                        .end();
            }
        }, 1);
        ProducerTemplate template = context.createProducerTemplate();
        for (int i = 0; i < 2; i++) {
            // each call through the block counts: attempts, where the outage pause counts rows after their retries
            assertThat(template.send("direct:row", e -> e.getMessage().setBody("row")).getException())
                    .isInstanceOf(IllegalStateException.class);
        }
        Exchange whileOpen = template.send("direct:row", e -> e.getMessage().setBody("row"));
        assertThat(sent).as("not sent while open").hasValue(2);
        assertThat(whileOpen.getException()).as("no wait and no error: the row goes on as if answered").isNull();
        assertThat(whileOpen.getProperty(ExchangePropertyKey.CIRCUIT_BREAKER_RESPONSE_SHORT_CIRCUITED, Boolean.class)).isTrue();

        Thread.sleep(1500); // half-open now
        template.send("direct:row", e -> e.getMessage().setBody("row"));
        assertThat(sent).as("the first row after the open duration is the trial: a real delete").hasValue(3);
    }

    // ---------------------------------------------------------------- broker redelivery (MessageRollback)

    @Test
    void theArtemisClientHasNoRedeliverySettingOfItsOwn() {
        List<String> redelivery = Arrays.stream(ActiveMQConnectionFactory.class.getMethods()).map(Method::getName)
                .filter(name -> name.toLowerCase().contains("redeliver")).toList();
        assertThat(redelivery).as("redelivery delay is an address setting of the broker").isEmpty();
    }

    @Test
    void aBrokerWithDefaultAddressSettingsRedeliversARolledBackMessageTenTimesAtOnceThenDropsIt() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start();
             Connection connection = new ActiveMQConnectionFactory(broker.url).createConnection()) {
            connection.start();
            Session session = connection.createSession(true, Session.SESSION_TRANSACTED);
            jakarta.jms.Queue queue = session.createQueue("fit.delete-batch");
            session.createProducer(queue).send(session.createTextMessage("{\"classificationId\":\"c\",\"batchId\":\"b\"}"));
            session.commit();
            MessageConsumer consumer = session.createConsumer(queue);
            int deliveries = 0;
            for (Message m = consumer.receive(5000); m != null; m = consumer.receive(3000)) {
                deliveries++;
                session.rollback(); // the deleted-pairs repository is down
            }
            assertThat(deliveries).as("max-delivery-attempts defaults to 10, redelivery-delay to 0").isEqualTo(10);
            assertThat(broker.messageCount("fit.delete-batch")).as("no dead-letter address: the message is gone")
                    .isZero();
        }
    }
}
