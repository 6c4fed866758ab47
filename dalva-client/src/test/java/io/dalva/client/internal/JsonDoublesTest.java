package io.dalva.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every double written is checked the same way: it reads back bit for bit through
 * {@link Double#parseDouble} and through Jackson (as a float token, inside a JSON array),
 * it has Java's form, and no decimal with fewer significant digits reads back as the same
 * double (both neighbours at one digit less are tried with {@link BigDecimal}), and it is
 * the closest among those as short.
 */
class JsonDoublesTest {

    private static final JsonFactory JSON = new JsonFactory();

    /** d.ddd or d.dddE-n, no leading zero before a point unless the integer part is 0. */
    private static final Pattern FORM = Pattern.compile("-?(0|[1-9][0-9]*)\\.[0-9]+(E-?[1-9][0-9]*)?");

    @Test
    void writesIntegersAsJsonIntegers() {
        byte[] out = new byte[JsonDoubles.MAX_INT_LENGTH + 2];
        for (int value : new int[] { 0, 7, -7, 10, 99, 100, -100, 123_456_789, Integer.MAX_VALUE, Integer.MIN_VALUE }) {
            int end = JsonDoubles.writeInt(value, out, 2);
            assertThat(new String(out, 2, end - 2, StandardCharsets.US_ASCII)).isEqualTo(Integer.toString(value));
        }
        assertThatThrownBy(() -> JsonDoubles.writeInt(1, new byte[10], 0))
            .isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void writesFixedFormsLikeDoubleToStringWhereItIsShortest() {
        assertThat(write(0.0)).isEqualTo("0.0");
        assertThat(write(-0.0)).isEqualTo("-0.0");
        assertThat(write(3.0)).isEqualTo("3.0");
        assertThat(write(-3.0)).isEqualTo("-3.0");
        assertThat(write(100.0)).isEqualTo("100.0");
        assertThat(write(0.1)).isEqualTo("0.1");
        assertThat(write(0.3)).isEqualTo("0.3");
        assertThat(write(0.1 + 0.2)).isEqualTo("0.30000000000000004");
        assertThat(write(1.0 / 3)).isEqualTo("0.3333333333333333");
        assertThat(write(-1.5)).isEqualTo("-1.5");
        assertThat(write(0.001)).isEqualTo("0.001");
        assertThat(write(0.002)).isEqualTo("0.002");
        assertThat(write(9.999E-4)).isEqualTo("9.999E-4");
        assertThat(write(1.0E-5)).isEqualTo("1.0E-5");
        assertThat(write(9999999.0)).isEqualTo("9999999.0");
        assertThat(write(1234567.125)).isEqualTo("1234567.125");
        assertThat(write(1.0E7)).isEqualTo("1.0E7");
        assertThat(write(12345678.0)).isEqualTo("1.2345678E7");
        assertThat(write(1.234E10)).isEqualTo("1.234E10");
        assertThat(write(1.0E16)).isEqualTo("1.0E16");
        assertThat(write(1.0E21)).isEqualTo("1.0E21");
        assertThat(write(1.0E23)).isEqualTo("1.0E23");
        assertThat(write(2.0E-3)).isEqualTo("0.002");
        assertThat(write(9007199254740992.0)).isEqualTo("9.007199254740992E15");
        assertThat(write(9007199254740993.0)).isEqualTo("9.007199254740992E15");
        assertThat(write(9007199254740994.0)).isEqualTo("9.007199254740994E15");
        assertThat(write(9007199254740991.0)).isEqualTo("9.007199254740991E15");
        assertThat(write(123456789012345678.0)).isEqualTo("1.2345678901234568E17");
        assertThat(write(Double.MAX_VALUE)).isEqualTo("1.7976931348623157E308");
        assertThat(write(-Double.MIN_NORMAL)).isEqualTo("-2.2250738585072014E-308");
        // Shorter than Double.toString's "4.9E-324" and "9.9E-324": one digit reads back.
        assertThat(write(Double.MIN_VALUE)).isEqualTo("5.0E-324");
        assertThat(write(2 * Double.MIN_VALUE)).isEqualTo("1.0E-323");
    }

    @Test
    void edgeValuesRoundTripShortest() {
        Checker checker = new Checker();
        double[] edges = { 0.0, -0.0, Double.MIN_VALUE, -Double.MIN_VALUE, 2 * Double.MIN_VALUE, 3 * Double.MIN_VALUE,
                Double.MIN_NORMAL, Math.nextDown(Double.MIN_NORMAL), Math.nextUp(Double.MIN_NORMAL), Double.MAX_VALUE,
                -Double.MAX_VALUE, Math.nextDown(Double.MAX_VALUE), 0.1, 0.2, 0.3, 1.0 / 3, 2.0 / 3,
                Math.pow(2, 53) - 1, Math.pow(2, 53), Math.pow(2, 53) + 2, 9007199254740993.0, 123456789012345678.0,
                Math.PI, Math.E, 1.0, Math.nextUp(1.0), Math.nextDown(1.0), 1.0E-3, Math.nextDown(1.0E-3), 1.0E7,
                Math.nextDown(1.0E7), 4.35, 5e-324, 1.7976931348623157E308, 2.2250738585072014E-308 };
        for (double edge : edges) {
            checker.check(-edge);
            if (edge != 0) {
                assertThat(significantDigits(checker.check(edge))).as("%s", edge)
                    .isLessThanOrEqualTo(referenceDigits(edge));
            }
        }
        checker.finish();
        assertThat(checker.longest).isEqualTo(JsonDoubles.MAX_LENGTH);
    }

    @Test
    void powersOfTenAreOneDigit() {
        Checker checker = new Checker();
        for (int exponent = -323; exponent <= 308; exponent++) {
            double value = Double.parseDouble("1e" + exponent);
            String written = checker.check(value);
            String expected = (exponent >= -3 && exponent < 7) ? new BigDecimal("1e" + exponent).toPlainString()
                    : "1.0E" + exponent;
            if (exponent >= 0 && exponent < 7) {
                expected += ".0";
            }
            assertThat(written).as("1e%d", exponent).isEqualTo(expected);
        }
        checker.finish();
    }

    @Test
    void integralValuesKeepAFractionOrAnExponent() {
        Checker checker = new Checker();
        SplittableRandom random = new SplittableRandom(13);
        for (long n = -1000; n <= 1000; n++) {
            assertThat(checker.check(n)).isEqualTo(n + ".0");
        }
        for (int i = 0; i < 200_000; i++) {
            long n = random.nextLong(-(1L << 53), 1L << 53) >> random.nextInt(53);
            String written = checker.check(n);
            if (Math.abs(n) < 10_000_000) {
                assertThat(written).isEqualTo(n + ".0");
            }
            else {
                assertThat(new BigDecimal(written)).isEqualByComparingTo(BigDecimal.valueOf(n));
            }
        }
        for (int i = 0; i < 100_000; i++) {
            // Integral doubles above 2^53, where a decimal integer would read back as a
            // JSON integer.
            checker.check(random.nextLong(1L << 53, Long.MAX_VALUE) * Math.pow(2, random.nextInt(0, 960)));
        }
        checker.finish();
    }

    @Test
    void randomBitPatternsRoundTripShortest() {
        Checker checker = new Checker(10);
        SplittableRandom random = new SplittableRandom(0x5eed_d0b1e5L);
        int checked = 0;
        while (checked < 2_000_000) {
            double value = Double.longBitsToDouble(random.nextLong());
            if (Double.isFinite(value)) {
                String written = checker.check(value);
                if (checked < 20_000 && value != 0) {
                    assertThat(significantDigits(written)).as("%s", value).isLessThanOrEqualTo(referenceDigits(value));
                }
                checked++;
            }
        }
        checker.finish();
        assertThat(checker.count).isEqualTo(2_000_000);
    }

    @Test
    void everyBinaryExponentRoundTripsShortest() {
        Checker checker = new Checker();
        SplittableRandom random = new SplittableRandom(2046);
        for (long biased = 0; biased < 2047; biased++) {
            long first = (biased == 0) ? 1 : 0;
            long last = (1L << 52) - 1;
            long[] fractions = { first, first + 1, first + 2, first + 3, last - 1, last, 1L << 51, (1L << 51) + 1 };
            for (long fraction : fractions) {
                checker.check(Double.longBitsToDouble(biased << 52 | fraction));
            }
            for (int i = 0; i < 100; i++) {
                checker.check(Double.longBitsToDouble(biased << 52 | random.nextLong(first, last + 1)));
            }
        }
        for (long fraction = 1; fraction < 20_000; fraction++) {
            checker.check(Double.longBitsToDouble(fraction));
        }
        checker.finish();
    }

    @Test
    void humanDecimalsComeBackAsWritten() {
        Checker checker = new Checker();
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 300_000; i++) {
            int digits = random.nextInt(1, 16);
            long unscaled = random.nextLong(1, 1_000_000_000_000_000L) % BigDecimal.TEN.pow(digits).longValueExact();
            if (unscaled == 0) {
                continue;
            }
            // Mostly everyday magnitudes, sometimes the whole range.
            int scale = (random.nextInt(4) == 0) ? random.nextInt(-290, 320) : random.nextInt(-8, 12);
            BigDecimal decimal = BigDecimal.valueOf(random.nextBoolean() ? unscaled : -unscaled, scale);
            double value = Double.parseDouble(decimal.toString());
            if (value == 0 || Double.isInfinite(value) || Math.abs(value) < Double.MIN_NORMAL) {
                continue;
            }
            // At most 15 significant digits: no other decimal as short reads back as this
            // double.
            assertThat(new BigDecimal(checker.check(value))).as("%s", decimal).isEqualByComparingTo(decimal);
        }
        checker.finish();
    }

    @Test
    void writesAtTheOffsetAndNothingElse() {
        byte[] out = new byte[40];
        Arrays.fill(out, (byte) '#');
        int end = JsonDoubles.write(-12.5, out, 7);
        assertThat(end).isEqualTo(12);
        assertThat(new String(out, StandardCharsets.US_ASCII)).isEqualTo("#######-12.5############################");
        assertThat(JsonDoubles.write(1.0E-7, out, 40 - JsonDoubles.MAX_LENGTH))
            .isEqualTo(40 - JsonDoubles.MAX_LENGTH + 6);
        assertThatThrownBy(() -> JsonDoubles.write(1.0, out, 41 - JsonDoubles.MAX_LENGTH))
            .isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> JsonDoubles.write(1.0, out, -1)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void rejectsNonFiniteValuesNamingThem() {
        byte[] out = new byte[JsonDoubles.MAX_LENGTH];
        assertThatIllegalArgumentException().isThrownBy(() -> JsonDoubles.write(Double.NaN, out, 0))
            .withMessageContaining("NaN");
        assertThatIllegalArgumentException().isThrownBy(() -> JsonDoubles.write(Double.POSITIVE_INFINITY, out, 0))
            .withMessageContaining("Infinity");
        assertThatIllegalArgumentException().isThrownBy(() -> JsonDoubles.write(Double.NEGATIVE_INFINITY, out, 0))
            .withMessageContaining("-Infinity");
    }

    @Test
    void digitCountIsExactAroundEveryPowerOfTen() {
        for (long pow = 1; pow <= 1_000_000_000_000_000_000L; pow *= 10) {
            for (long f : new long[] { pow - 1, pow, pow + 1 }) {
                if (f > 0) {
                    assertThat(JsonDoubles.digitCount(f)).as("%d", f).isEqualTo(Long.toString(f).length());
                }
            }
        }
        assertThat(JsonDoubles.digitCount(Long.MAX_VALUE)).isEqualTo(19);
    }

    @Test
    void writingAllocatesNothing() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        double[] values = new double[1024];
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < values.length; i++) {
            values[i] = switch (i % 4) {
                case 0 -> random.nextInt(-1_000_000, 1_000_000);
                case 1 -> random.nextDouble() * Math.pow(10, random.nextInt(-30, 30));
                case 2 -> Double.longBitsToDouble(random.nextLong() & 0x7fef_ffff_ffff_ffffL);
                default -> random.nextInt(1000) / 100.0;
            };
        }
        byte[] out = new byte[JsonDoubles.MAX_LENGTH];
        long sink = 0;
        for (int i = 0; i < 200_000; i++) {
            sink += JsonDoubles.write(values[i & 1023], out, 0);
        }
        long before = threads.getThreadAllocatedBytes(thread);
        for (int i = 0; i < 100_000; i++) {
            sink += JsonDoubles.write(values[i & 1023], out, 0);
        }
        long allocated = threads.getThreadAllocatedBytes(thread) - before;
        assertThat(sink).isPositive();
        assertThat(allocated).as("bytes allocated by 100,000 writes").isLessThan(1024);
    }

    /**
     * The fewest significant digits p for which the value rounded half-even to p digits
     * reads back as the value.
     */
    private static int referenceDigits(double value) {
        BigDecimal exact = new BigDecimal(Math.abs(value));
        for (int p = 1; p < 17; p++) {
            if (exact.round(new MathContext(p, RoundingMode.HALF_EVEN)).doubleValue() == Math.abs(value)) {
                return p;
            }
        }
        return 17;
    }

    private static int significantDigits(String written) {
        return new BigDecimal(written).stripTrailingZeros().precision();
    }

    private static String write(double value) {
        byte[] out = new byte[JsonDoubles.MAX_LENGTH];
        int end = JsonDoubles.write(value, out, 0);
        return new String(out, 0, end, StandardCharsets.US_ASCII);
    }

    /**
     * Checks each value as it is written and collects them in a JSON array that Jackson
     * reads back on {@link #finish()} (and every 10,000 values).
     */
    private static final class Checker {

        private static final int BATCH = 10_000;

        private final byte[] array = new byte[BATCH * (JsonDoubles.MAX_LENGTH + 1) + 2];

        private final double[] values = new double[BATCH];

        private int size;

        private int length;

        int count;

        int longest;

        /** Also checks that no decimal as short is closer, for one value in this many. */
        private final int closestEvery;

        Checker() {
            this(1);
        }

        Checker(int closestEvery) {
            this.closestEvery = closestEvery;
        }

        String check(double value) {
            if (size == 0) {
                array[0] = '[';
                length = 1;
            }
            else {
                array[length++] = ',';
            }
            int start = length;
            length = JsonDoubles.write(value, array, start);
            values[size++] = value;
            count++;
            longest = Math.max(longest, length - start);
            String written = new String(array, start, length - start, StandardCharsets.US_ASCII);
            checkWritten(value, written, count % this.closestEvery == 0);
            if (size == BATCH) {
                finish();
            }
            return written;
        }

        void finish() {
            if (size == 0) {
                return;
            }
            array[length++] = ']';
            try (JsonParser parser = JSON.createParser(array, 0, length)) {
                assertThat(parser.nextToken()).isEqualTo(JsonToken.START_ARRAY);
                for (int i = 0; i < size; i++) {
                    JsonToken token = parser.nextToken();
                    assertThat(token).as("token of %s", values[i]).isEqualTo(JsonToken.VALUE_NUMBER_FLOAT);
                    assertThat(token.isNumeric()).isTrue();
                    assertThat(Double.doubleToRawLongBits(parser.getDoubleValue())).as("Jackson reads %s", values[i])
                        .isEqualTo(Double.doubleToRawLongBits(values[i]));
                }
                assertThat(parser.nextToken()).isEqualTo(JsonToken.END_ARRAY);
                assertThat(parser.nextToken()).isNull();
            }
            catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
            size = 0;
        }

        private static void checkWritten(double value, String written, boolean checkClosest) {
            if (Double.doubleToRawLongBits(Double.parseDouble(written)) != Double.doubleToRawLongBits(value)) {
                throw new AssertionError(written + " does not read back as " + value);
            }
            if (!FORM.matcher(written).matches()) {
                throw new AssertionError(written + " for " + value + " is not in Java's form");
            }
            double magnitude = Math.abs(value);
            boolean plain = magnitude == 0 || (magnitude >= 1.0E-3 && magnitude < 1.0E7);
            if (plain == written.contains("E")) {
                throw new AssertionError(written + " for " + value + ": plain only from 1e-3 to 1e7");
            }
            if (value == 0) {
                return;
            }
            BigDecimal decimal = new BigDecimal(written).abs().stripTrailingZeros();
            int digits = decimal.precision();
            if (digits > 1) {
                // The two decimals of one digit less around this one are the ones around
                // the value.
                for (RoundingMode mode : new RoundingMode[] { RoundingMode.DOWN, RoundingMode.UP }) {
                    BigDecimal shorter = decimal.round(new MathContext(digits - 1, mode));
                    if (shorter.doubleValue() == magnitude) {
                        throw new AssertionError(written + " for " + value + " is longer than " + shorter);
                    }
                }
            }
            if (!checkClosest) {
                return;
            }
            BigDecimal unit = decimal.ulp();
            for (BigDecimal neighbour : new BigDecimal[] { decimal.subtract(unit), decimal.add(unit) }) {
                if (neighbour.signum() > 0 && neighbour.doubleValue() == magnitude) {
                    BigDecimal exact = new BigDecimal(magnitude);
                    int closer = exact.subtract(neighbour).abs().compareTo(exact.subtract(decimal).abs());
                    boolean oddOnTie = closer == 0 && decimal.unscaledValue().testBit(0);
                    if (closer < 0 || oddOnTie) {
                        throw new AssertionError(
                                written + " for " + value + " is not the closest, " + neighbour + " is");
                    }
                }
            }
        }

    }

}
