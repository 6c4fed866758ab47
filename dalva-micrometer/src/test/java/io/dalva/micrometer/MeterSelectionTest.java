package io.dalva.micrometer;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class MeterSelectionTest {

    @Test
    void emptyIncludeMeansEverything() {
        MeterSelection selection = new MeterSelection(List.of(), List.of());
        assertThat(selection.selectsEverything()).isTrue();
        assertThat(selection.accepts("jvm.memory.used")).isTrue();
    }

    @Test
    void starMatchesAnyCharactersIncludingDots() {
        MeterSelection selection = new MeterSelection(List.of("jvm.*", "*.requests", "train*loss"), List.of());
        assertThat(selection.accepts("jvm.memory.used")).isTrue();
        assertThat(selection.accepts("http.server.requests")).isTrue();
        assertThat(selection.accepts("train.loss")).isTrue();
        assertThat(selection.accepts("trainloss")).isTrue();
        assertThat(selection.accepts("process.cpu.usage")).isFalse();
        assertThat(selection.accepts("jvm")).isFalse();
    }

    @Test
    void otherCharactersAreLiteral() {
        MeterSelection selection = new MeterSelection(List.of("a.b"), List.of());
        assertThat(selection.accepts("a.b")).isTrue();
        assertThat(selection.accepts("axb")).isFalse();
    }

    @Test
    void excludeWinsOverInclude() {
        MeterSelection selection = new MeterSelection(List.of("jvm.*"), List.of("jvm.gc.*"));
        assertThat(selection.accepts("jvm.memory.used")).isTrue();
        assertThat(selection.accepts("jvm.gc.pause")).isFalse();
        assertThat(new MeterSelection(List.of(), List.of("*")).accepts("anything")).isFalse();
    }

}
