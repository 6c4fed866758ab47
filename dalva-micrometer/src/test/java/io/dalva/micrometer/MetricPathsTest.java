package io.dalva.micrometer;

import io.micrometer.core.instrument.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

class MetricPathsTest {

    @Test
    void nameThenOneSeriesOfAllTagsThenField() {
        String folder = MetricPaths.meterFolder("http.server.requests",
                List.of(Tag.of("method", "GET"), Tag.of("status", "200"), Tag.of("uri", "/api/orders/{id}")));
        assertThat(MetricPaths.path(folder, "count"))
            .isEqualTo("http.server.requests/method=GET,status=200,uri=∕api∕orders∕{id}/count");
    }

    @Test
    void meterWithoutTags() {
        assertThat(MetricPaths.path(MetricPaths.meterFolder("loss", List.of()), "value")).isEqualTo("loss/value");
    }

    @Test
    void charactersTheUiCannotCarryBecomeLookAlikes() {
        String folder = MetricPaths.meterFolder("a/b", List.of(Tag.of("p", "100%"), Tag.of("q", "why?#1\\2")));
        assertThat(folder).isEqualTo("a∕b/p=100％,q=why？＃1∖2");
        assertThat(MetricPaths.segment("tab\there\nand\r")).isEqualTo("tab␉here␊and␍");
        assertThat(MetricPaths.segment(".")).isEqualTo("．");
        assertThat(MetricPaths.segment("..")).isEqualTo("．．");
        assertThat(MetricPaths.segment("...")).isEqualTo("...");
        assertThat(MetricPaths.segment("x\uD800y")).isEqualTo("x\uFFFDy");
        assertThat(MetricPaths.segment("astral \uD83D\uDE00")).isEqualTo("astral \uD83D\uDE00");
    }

    @Test
    void unicodeAndDotsPassThrough() {
        assertThat(MetricPaths.meterFolder("débit.total", List.of(Tag.of("ville", "São Paulo ☀"))))
            .isEqualTo("débit.total/ville=São Paulo ☀");
    }

    @Test
    void theSimulatedUiBreaksTheOldEscapedForm() {
        // the check below can fail: the old form did not survive the trip
        assertThat(UiRoundTrip.serverSees("http.server.requests/uri=%2Fapi/count"))
            .isEqualTo("http.server.requests/uri=/api/count");
        assertThat(UiRoundTrip.serverSees("a?b/count")).isEqualTo("a");
        assertThat(UiRoundTrip.serverSees("a/../b/count")).isEqualTo("b/count");
        assertThat(UiRoundTrip.serverSees("a b/{x}/\"ü😀\"/count")).isEqualTo("a b/{x}/\"ü😀\"/count");
    }

    @Test
    void everyFuzzedPathSurvivesTheUiRoundTripInThreeSegmentsAtMost() {
        Random random = new Random(11);
        List<String> paths = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            TreeMap<String, String> tags = new TreeMap<>();
            int tagCount = random.nextInt(4);
            for (int t = 0; t < tagCount; t++) {
                tags.put(text(random), text(random));
            }
            List<Tag> sorted = new ArrayList<>();
            tags.forEach((key, value) -> sorted.add(Tag.of(key, value)));
            String folder = MetricPaths.meterFolder(text(random), sorted);
            for (String field : List.of("count", "value", "p99.9", "le_0.1", "total_time_2")) {
                paths.add(MetricPaths.path(folder, field));
            }
        }
        for (String path : paths) {
            assertThat(UiRoundTrip.serverSees(path)).as("server's view of %s", path).isEqualTo(path);
            assertThat(path.split("/", -1).length).as(path).isLessThanOrEqualTo(3);
        }
    }

    /**
     * Printable ASCII, the UI's special characters, unicode (astral too), empty, long.
     */
    private static String text(Random random) {
        int kind = random.nextInt(10);
        if (kind == 0) {
            return "";
        }
        if (kind == 1) {
            return random.nextBoolean() ? "." : "..";
        }
        int length = kind == 2 ? 200 + random.nextInt(2000) : 1 + random.nextInt(12);
        StringBuilder text = new StringBuilder();
        while (text.length() < length) {
            int pick = random.nextInt(10);
            if (pick < 5) {
                text.append((char) (0x20 + random.nextInt(0x5F)));
            }
            else if (pick < 7) {
                text.append("/%?#\\.\t\n\r".charAt(random.nextInt(9)));
            }
            else if (pick < 8) {
                text.appendCodePoint(0x10000 + random.nextInt(0x10FFFF - 0x10000));
            }
            else if (pick < 9) {
                text.append((char) random.nextInt(0x20));
            }
            else {
                int c = 0x80 + random.nextInt(0xFFFF - 0x80);
                text.append((char) c);
            }
        }
        return text.toString();
    }

}
