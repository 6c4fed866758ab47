package io.dalva.client;

import static org.assertj.core.api.Assertions.assertThat;

import okhttp3.OkHttp;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

/**
 * The client's tests run twice: with OkHttp 4.12 (compiled against) and with OkHttp 5.
 */
class OkHttpVersionTest {

    @Test
    void runsAgainstTheIntendedOkHttp() throws ReflectiveOperationException {
        String expected = System.getProperty("dalva.test.okhttpVersion");
        assertThat(expected).as("set by the surefire execution").isNotBlank();
        // read at run time: javac inlines the constant OkHttp.VERSION it compiled against
        assertThat(OkHttp.class.getField("VERSION").get(null)).isEqualTo(expected);
        assertThat(OkHttpClient.class.getProtectionDomain().getCodeSource().getLocation().getPath()).contains(expected);
    }

}
