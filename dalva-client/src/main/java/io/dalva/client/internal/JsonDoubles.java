package io.dalva.client.internal;

import java.math.BigInteger;
import java.util.Objects;

/**
 * Not API: writes a finite {@code double} as the shortest JSON number that reads back as
 * exactly the same double, into a byte array, without allocating. Integral values keep a
 * fraction ({@code 3.0}, {@code -0.0}) or an exponent ({@code 1.0E16}), so a reader
 * (Dalva's server, Python's {@code json}) always sees a float and a path's type never
 * flips to integer. The form is {@link Double#toString(double)}'s: plain for
 * {@code 1e-3 <= |v| < 1e7}, otherwise {@code d.dddE±n}. The digits are the fewest that
 * round-trip (also where JDK 17's {@code Double.toString} gives more), the closest to the
 * value among those.
 * <p>
 * The digits come from Raffaello Giulietti's Schubfach algorithm ("The Schubfach way to
 * render doubles", 2020): the interval of reals that round to the value is scaled by a
 * power of ten chosen so that it is 1 to 10 units wide; then at most two multiples of ten
 * and two integers next to the value are tested for membership, with 126-bit
 * approximations of the powers of ten computed at class initialization.
 */
public final class JsonDoubles {

    /**
     * The most bytes {@link #write} writes: a sign, 17 significant digits, a point, and
     * {@code E-ddd} ({@code -1.2345678901234567E-308} is 24 bytes; the plain forms are at
     * most 22: {@code -0.0012345678901234567}).
     */
    public static final int MAX_LENGTH = 24;

    /** Significand bits, hidden bit included. */
    private static final int PRECISION = 53;

    /** The exponent q of a subnormal, {@code |v| = c 2^q}. */
    static final int Q_MIN = -1074;

    /** The exponent q of the largest binade. */
    static final int Q_MAX = 971;

    private static final long HIDDEN_BIT = 1L << (PRECISION - 1);

    private static final long FRACTION_MASK = HIDDEN_BIT - 1;

    private static final long LOW_63 = Long.MAX_VALUE;

    private static final int MAX_PLAIN_EXPONENT = 7;

    private static final int MIN_PLAIN_EXPONENT = -3;

    /** floor(log10(2^q)), by q - Q_MIN. */
    private static final short[] K_REGULAR = new short[Q_MAX - Q_MIN + 1];

    /** floor(log10(3/4 2^q)), by q - Q_MIN: the lower neighbour is closer. */
    private static final short[] K_IRREGULAR = new short[Q_MAX - Q_MIN + 1];

    private static final int K_MIN;

    /** floor(log2(10^-k)), by k - K_MIN. */
    private static final short[] LOG2_POW10;

    /**
     * g = floor(10^-k 2^-r) + 1 in [2^125, 2^126), r = LOG2_POW10 - 125: g1 2^63 + g0.
     */
    private static final long[] G_HIGH;

    private static final long[] G_LOW;

    /** 10^i for i in 0..18. */
    private static final long[] POW10 = new long[19];

    /** "00".."99" as ASCII pairs. */
    private static final byte[] DIGIT_PAIRS = new byte[200];

    static {
        for (int q = Q_MIN; q <= Q_MAX; q++) {
            BigInteger numerator = BigInteger.ONE.shiftLeft(Math.max(q, 0));
            BigInteger denominator = BigInteger.ONE.shiftLeft(Math.max(-q, 0));
            K_REGULAR[q - Q_MIN] = (short) floorLog10(numerator, denominator);
            K_IRREGULAR[q - Q_MIN] = (short) floorLog10(numerator.multiply(BigInteger.valueOf(3)),
                    denominator.shiftLeft(2));
        }
        int kMin = Math.min(K_REGULAR[0], K_IRREGULAR[1]);
        int kMax = K_REGULAR[Q_MAX - Q_MIN];
        K_MIN = kMin;
        int size = kMax - kMin + 1;
        LOG2_POW10 = new short[size];
        G_HIGH = new long[size];
        G_LOW = new long[size];
        BigInteger low63 = BigInteger.valueOf(LOW_63);
        for (int k = kMin; k <= kMax; k++) {
            BigInteger pow10 = BigInteger.TEN.pow(Math.abs(k));
            BigInteger g;
            int log2;
            if (k <= 0) {
                // 10^-k is an integer: keep its top 126 bits.
                log2 = pow10.bitLength() - 1;
                int shift = log2 - 125;
                g = (shift >= 0) ? pow10.shiftRight(shift) : pow10.shiftLeft(-shift);
            }
            else {
                // 10^-k = 1 / 10^k, never a power of two: floor(2^(125 + n) / 10^k) lies
                // in (2^125, 2^126).
                int n = pow10.bitLength();
                log2 = -n;
                g = BigInteger.ONE.shiftLeft(125 + n).divide(pow10);
            }
            g = g.add(BigInteger.ONE);
            LOG2_POW10[k - kMin] = (short) log2;
            G_HIGH[k - kMin] = g.shiftRight(63).longValueExact();
            G_LOW[k - kMin] = g.and(low63).longValueExact();
        }
        POW10[0] = 1;
        for (int i = 1; i < POW10.length; i++) {
            POW10[i] = POW10[i - 1] * 10;
        }
        for (int i = 0; i < 100; i++) {
            DIGIT_PAIRS[2 * i] = (byte) ('0' + i / 10);
            DIGIT_PAIRS[2 * i + 1] = (byte) ('0' + i % 10);
        }
    }

    private JsonDoubles() {
    }

    /** The most bytes {@link #writeInt} writes: a sign and 10 digits. */
    public static final int MAX_INT_LENGTH = 11;

    /**
     * Writes {@code value} as a JSON integer ({@code -42}) into {@code out} at
     * {@code offset}; returns the new offset. Never allocates.
     * @throws IndexOutOfBoundsException if fewer than {@link #MAX_INT_LENGTH} bytes are
     * left at {@code offset}
     */
    public static int writeInt(int value, byte[] out, int offset) {
        Objects.checkFromIndexSize(offset, MAX_INT_LENGTH, out.length);
        int pos = offset;
        if (value < 0) {
            out[pos++] = '-';
        }
        long magnitude = Math.abs((long) value);
        int length = (magnitude == 0) ? 1 : digitCount(magnitude);
        writeDigits(magnitude, out, pos, length);
        return pos + length;
    }

    /**
     * Writes the shortest decimal that reads back as exactly {@code value} into
     * {@code out} at {@code offset}; returns the new offset. At most {@link #MAX_LENGTH}
     * bytes. Never allocates.
     * @param value a finite double
     * @param out the buffer, with at least {@link #MAX_LENGTH} bytes from {@code offset}
     * on
     * @param offset where the number starts
     * @return the offset just after the number
     * @throws IllegalArgumentException if {@code value} is NaN or infinite
     * @throws IndexOutOfBoundsException if fewer than {@link #MAX_LENGTH} bytes are left
     * at {@code offset}
     */
    public static int write(double value, byte[] out, int offset) {
        Objects.checkFromIndexSize(offset, MAX_LENGTH, out.length);
        long bits = Double.doubleToRawLongBits(value);
        int biasedExponent = (int) (bits >>> (PRECISION - 1)) & 0x7ff;
        long fraction = bits & FRACTION_MASK;
        if (biasedExponent == 0x7ff) {
            throw new IllegalArgumentException("Cannot write " + value + " as a JSON number: it is not finite");
        }
        int pos = offset;
        if (bits < 0) {
            out[pos++] = '-';
        }
        if (biasedExponent == 0) {
            if (fraction == 0) {
                out[pos] = '0';
                out[pos + 1] = '.';
                out[pos + 2] = '0';
                return pos + 3;
            }
            return shortest(fraction, Q_MIN, out, pos);
        }
        long c = HIDDEN_BIT | fraction;
        int q = biasedExponent + Q_MIN - 1;
        if (-PRECISION < q && q <= 0) {
            // An integer below 2^53 is its own shortest decimal.
            long integer = c >> -q;
            if (integer << -q == c) {
                return format(integer, 0, out, pos);
            }
        }
        return shortest(c, q, out, pos);
    }

    /** Finds the shortest decimal in the rounding interval of c 2^q and formats it. */
    private static int shortest(long c, int q, byte[] out, int pos) {
        // With the significand odd, the interval's ends round to the neighbours (ties to
        // even).
        int open = (int) c & 1;
        long cb = c << 2;
        long cbr = cb + 2;
        long cbl;
        int k;
        if (c != HIDDEN_BIT || q == Q_MIN) {
            cbl = cb - 2;
            k = K_REGULAR[q - Q_MIN];
        }
        else {
            // First significand of a binade: the lower neighbour is half as far.
            cbl = cb - 1;
            k = K_IRREGULAR[q - Q_MIN];
        }
        int index = k - K_MIN;
        int h = q + LOG2_POW10[index] + 2;
        long g1 = G_HIGH[index];
        long g0 = G_LOW[index];
        // 4 v / 10^k and the interval's ends, rounded to odd: exact comparisons with even
        // integers.
        long vb = roundToOdd(g1, g0, cb << h);
        long vbl = roundToOdd(g1, g0, cbl << h);
        long vbr = roundToOdd(g1, g0, cbr << h);
        long s = vb >> 2;
        // At most one multiple of ten fits in the interval (it is under 10 units wide).
        long s10 = s / 10 * 10;
        long t10 = s10 + 10;
        boolean s10In = vbl + open <= s10 << 2;
        boolean t10In = (t10 << 2) + open <= vbr;
        if (s10In != t10In) {
            return format(s10In ? s10 : t10, k, out, pos);
        }
        long t = s + 1;
        boolean sIn = vbl + open <= s << 2;
        boolean tIn = (t << 2) + open <= vbr;
        if (sIn != tIn) {
            return format(sIn ? s : t, k, out, pos);
        }
        // Both are in: the closer one, the even one on a tie.
        long cmp = vb - ((s + t) << 1);
        return format((cmp < 0 || cmp == 0 && (s & 1) == 0) ? s : t, k, out, pos);
    }

    /**
     * The paper's rop': floor(g cp / 2^64) divided by 2^63, rounded to odd, where
     * {@code g = g1 2^63 + g0} and cp is even.
     */
    private static long roundToOdd(long g1, long g0, long cp) {
        // g1 cp = a1 2^64 + a0 (a0 even), g0 cp = b1 2^64 + b0 with b1 < 2^62;
        // g cp / 2^64 = a1 2^63 + a0 / 2 + b1 + b0 / 2^64.
        long a1 = Math.multiplyHigh(g1, cp);
        long a0 = g1 * cp;
        long b1 = Math.multiplyHigh(g0, cp);
        long middle = (a0 >>> 1) + b1;
        long quotient = a1 + (middle >>> 63);
        long sticky = ((middle & LOW_63) + LOW_63) >>> 63;
        return quotient | sticky;
    }

    /** Writes f 10^e, f > 0, in Double.toString's form; returns the new offset. */
    private static int format(long f, int e, byte[] out, int pos) {
        while (f % 10 == 0) {
            f /= 10;
            e++;
        }
        int length = digitCount(f);
        int exponent = e + length - 1;
        if (exponent < MIN_PLAIN_EXPONENT || exponent >= MAX_PLAIN_EXPONENT) {
            // d.ddddE-n: write the digits one to the right, then move the first one left
            // of the point.
            writeDigits(f, out, pos + 1, length);
            out[pos] = out[pos + 1];
            out[pos + 1] = '.';
            if (length == 1) {
                out[pos + 2] = '0';
                pos += 3;
            }
            else {
                pos += length + 1;
            }
            out[pos++] = 'E';
            if (exponent < 0) {
                out[pos++] = '-';
                exponent = -exponent;
            }
            if (exponent >= 100) {
                out[pos++] = (byte) ('0' + exponent / 100);
                exponent %= 100;
                out[pos++] = DIGIT_PAIRS[2 * exponent];
                out[pos++] = DIGIT_PAIRS[2 * exponent + 1];
            }
            else if (exponent >= 10) {
                out[pos++] = DIGIT_PAIRS[2 * exponent];
                out[pos++] = DIGIT_PAIRS[2 * exponent + 1];
            }
            else {
                out[pos++] = (byte) ('0' + exponent);
            }
            return pos;
        }
        if (exponent < 0) {
            // 0.00ddd
            out[pos++] = '0';
            out[pos++] = '.';
            for (int i = -1; i > exponent; i--) {
                out[pos++] = '0';
            }
            writeDigits(f, out, pos, length);
            return pos + length;
        }
        int integerDigits = exponent + 1;
        if (length <= integerDigits) {
            // ddd00.0
            writeDigits(f, out, pos, length);
            pos += length;
            for (int i = length; i < integerDigits; i++) {
                out[pos++] = '0';
            }
            out[pos++] = '.';
            out[pos++] = '0';
            return pos;
        }
        // ddd.ddd: write the digits one to the right, then move the integer part left.
        writeDigits(f, out, pos + 1, length);
        for (int i = 0; i < integerDigits; i++) {
            out[pos + i] = out[pos + i + 1];
        }
        out[pos + integerDigits] = '.';
        return pos + length + 1;
    }

    /** The number of decimal digits of f > 0. */
    static int digitCount(long f) {
        // floor((bits - 1) log10(2)) + 1 is the count or one less; 1233 / 4096 is just
        // under log10(2).
        int estimate = (((63 - Long.numberOfLeadingZeros(f)) * 1233) >>> 12) + 1;
        return (estimate < POW10.length && f >= POW10[estimate]) ? estimate + 1 : estimate;
    }

    /** Writes the length digits of f into out[start, start + length). */
    private static void writeDigits(long f, byte[] out, int start, int length) {
        int pos = start + length;
        while (f >= Integer.MAX_VALUE) {
            int pair = (int) (f % 100);
            f /= 100;
            out[--pos] = DIGIT_PAIRS[2 * pair + 1];
            out[--pos] = DIGIT_PAIRS[2 * pair];
        }
        int n = (int) f;
        while (n >= 100) {
            int pair = n % 100;
            n /= 100;
            out[--pos] = DIGIT_PAIRS[2 * pair + 1];
            out[--pos] = DIGIT_PAIRS[2 * pair];
        }
        if (n >= 10) {
            out[--pos] = DIGIT_PAIRS[2 * n + 1];
            out[--pos] = DIGIT_PAIRS[2 * n];
        }
        else {
            out[--pos] = (byte) ('0' + n);
        }
    }

    /** The largest k with 10^k <= numerator / denominator. */
    private static int floorLog10(BigInteger numerator, BigInteger denominator) {
        int k = (int) Math.floor((numerator.bitLength() - denominator.bitLength()) * Math.log10(2));
        while (!powerOfTenAtMost(k, numerator, denominator)) {
            k--;
        }
        while (powerOfTenAtMost(k + 1, numerator, denominator)) {
            k++;
        }
        return k;
    }

    private static boolean powerOfTenAtMost(int k, BigInteger numerator, BigInteger denominator) {
        BigInteger pow10 = BigInteger.TEN.pow(Math.abs(k));
        return (k >= 0) ? denominator.multiply(pow10).compareTo(numerator) <= 0
                : denominator.compareTo(numerator.multiply(pow10)) <= 0;
    }

}
