package dev.purge.extracta.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.camel.Exchange;
import org.apache.camel.Predicate;
import org.apache.camel.Processor;
import org.apache.camel.RuntimeCamelException;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

class RowStepsTest {

    private final Exchange exchange = new DefaultExchange(new DefaultCamelContext());

    @Test
    void aCheckAnswersAndItsStopsTravelWrappedForTheErrorHandlers() {
        assertThat(RowSteps.check(e -> true).matches(exchange)).isTrue();
        assertThat(RowSteps.check(e -> false).matches(exchange)).isFalse();

        Predicate stopping = RowSteps.check(e -> {
            throw new StoppingException("the application is stopping");
        });
        assertThatThrownBy(() -> stopping.matches(exchange)).isInstanceOf(RuntimeCamelException.class)
                .satisfies(t -> assertThat(Failures.find(t, StoppingException.class)).isNotNull());
    }

    @Test
    void anErrorInACheckOrAStepReachesTheRoutesErrorHandlingInsteadOfEscapingCamel() {
        Predicate check = RowSteps.check(e -> {
            throw new StackOverflowError("injected");
        });
        Processor step = RowSteps.step(e -> {
            throw new OutOfMemoryError("injected");
        });

        assertThatThrownBy(() -> check.matches(exchange)).isInstanceOf(RuntimeCamelException.class)
                .hasCauseInstanceOf(StackOverflowError.class);
        assertThatThrownBy(() -> step.process(exchange)).isInstanceOf(RuntimeCamelException.class)
                .hasCauseInstanceOf(OutOfMemoryError.class);
    }

    @Test
    void aStepsExceptionIsLeftAsItIs() {
        DeleteFailedException invalid = DeleteFailedException.invalidInput("batchId is empty");
        Processor step = RowSteps.step(e -> {
            throw invalid;
        });

        assertThatThrownBy(() -> step.process(exchange)).isSameAs(invalid);
    }
}
