package io.nundb.exporter.protocol;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Allocation-free scanning of ASCII text in a {@link ByteBuf} by absolute index, shared by the reply
 * parsers: search, trimming, and the number forms Nun-db prints (plain decimal integers and Rust
 * {@code {:?}} floats). Indices are absolute; ranges are {@code [from, to)}. Nothing here moves a
 * reader or writer index.
 *
 * <p>Thread-safety: stateless.
 */
final class WireText {
    /** {@code 2^53}: every integer up to it is exactly representable as a double. */
    private static final long MAX_EXACT_MANTISSA = 1L << 53;

    /** Powers of ten exactly representable as doubles (Clinger's fast path). */
    private static final double[] POW10 = {
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
        1e20, 1e21, 1e22
    };

    private static final byte[] INF = NunDbReplyDecoder.ascii("inf");
    private static final byte[] NAN = NunDbReplyDecoder.ascii("NaN");

    private WireText() {}

    static boolean regionEquals(ByteBuf buf, int from, int to, byte[] expected) {
        return to - from == expected.length && NunDbReplyDecoder.startsWith(buf, from, to - from, expected);
    }

    static int indexOf(ByteBuf buf, int from, int to, byte value) {
        return from >= to ? -1 : buf.indexOf(from, to, value);
    }

    /** Last index of {@code needle} starting in {@code [from, to - needle.length]}, or -1. */
    static int lastIndexOf(ByteBuf buf, int from, int to, byte[] needle) {
        for (int i = to - needle.length; i >= from; i--) {
            if (NunDbReplyDecoder.startsWith(buf, i, to - i, needle)) {
                return i;
            }
        }
        return -1;
    }

    /** Last index of {@code value} in {@code [from, to)}, or -1. */
    static int lastIndexOf(ByteBuf buf, int from, int to, byte value) {
        for (int i = to - 1; i >= from; i--) {
            if (buf.getByte(i) == value) {
                return i;
            }
        }
        return -1;
    }

    static int skipSpaces(ByteBuf buf, int from, int to) {
        while (from < to && buf.getByte(from) == ' ') {
            from++;
        }
        return from;
    }

    static int trimSpacesBack(ByteBuf buf, int from, int to) {
        while (to > from && buf.getByte(to - 1) == ' ') {
            to--;
        }
        return to;
    }

    /**
     * Parses a non-negative decimal integer that fits in a {@code long}.
     *
     * @return the value, or -1 if the range is empty, holds a non-digit, or overflows
     */
    static long parseUnsignedLong(ByteBuf buf, int from, int to) {
        if (from >= to) {
            return -1;
        }
        long value = 0;
        for (int i = from; i < to; i++) {
            int d = buf.getByte(i) - '0';
            if (d < 0 || d > 9 || value > (Long.MAX_VALUE - d) / 10) {
                return -1;
            }
            value = value * 10 + d;
        }
        return value;
    }

    /**
     * Parses a float as Rust's {@code {:?}} prints it: {@code 0.0}, {@code 2.419368907874114}, {@code
     * 1e16}, {@code 7.003404479057364e-5}, {@code inf}, {@code -inf}, {@code NaN}, with an optional
     * sign. The grammar is checked here ({@code Infinity}, hexadecimal and type suffixes, which {@link
     * Double#parseDouble} would accept, are rejected). Values with at most 18 significant digits, a
     * mantissa up to 2^53 and a decimal exponent within ±22 are computed exactly without allocating
     * (Clinger's fast path, one correctly rounded operation); other normal values of at most 18
     * significant digits (every shortest form Rust prints has at most 17) go through Eisel-Lemire,
     * also without allocating; the rest (subnormals, more digits, undecidable halfway cases) fall back
     * to {@link Double#parseDouble}, which allocates.
     *
     * @throws ReplyParseException (malformed) if the range is not such a number
     */
    static double parseDouble(ByteBuf buf, int from, int to, String field) throws ReplyParseException {
        int i = from;
        boolean negative = false;
        if (i < to && (buf.getByte(i) == '-' || buf.getByte(i) == '+')) {
            negative = buf.getByte(i) == '-';
            i++;
        }
        if (regionEquals(buf, i, to, INF)) {
            return negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        if (regionEquals(buf, i, to, NAN)) {
            return Double.NaN;
        }
        long mantissa = 0;
        int significant = 0;
        int exponent = 0;
        boolean digits = false;
        boolean exact = true;
        while (i < to && isDigit(buf.getByte(i))) {
            int d = buf.getByte(i++) - '0';
            digits = true;
            if (mantissa == 0 && d == 0) {
                continue;
            }
            if (significant < 18) {
                mantissa = mantissa * 10 + d;
                significant++;
            } else {
                exact = false;
            }
        }
        if (i < to && buf.getByte(i) == '.') {
            i++;
            while (i < to && isDigit(buf.getByte(i))) {
                int d = buf.getByte(i++) - '0';
                digits = true;
                if (mantissa == 0 && d == 0) {
                    exponent--;
                    continue;
                }
                if (significant < 18) {
                    mantissa = mantissa * 10 + d;
                    significant++;
                    exponent--;
                } else {
                    exact = false;
                }
            }
        }
        if (!digits) {
            throw ReplyParseException.malformed(field + ": not a number");
        }
        if (i < to && (buf.getByte(i) == 'e' || buf.getByte(i) == 'E')) {
            i++;
            boolean negativeExponent = false;
            if (i < to && (buf.getByte(i) == '-' || buf.getByte(i) == '+')) {
                negativeExponent = buf.getByte(i) == '-';
                i++;
            }
            int e = 0;
            boolean expDigits = false;
            while (i < to && isDigit(buf.getByte(i))) {
                e = Math.min(e * 10 + (buf.getByte(i++) - '0'), 100_000);
                expDigits = true;
            }
            if (!expDigits) {
                throw ReplyParseException.malformed(field + ": exponent without digits");
            }
            exponent += negativeExponent ? -e : e;
        }
        if (i != to) {
            throw ReplyParseException.malformed(field + ": not a number");
        }
        if (mantissa == 0 && exact) {
            return negative ? -0.0 : 0.0;
        }
        if (exact && mantissa <= MAX_EXACT_MANTISSA && exponent >= -22 && exponent <= 22) {
            double value = exponent >= 0 ? mantissa * POW10[exponent] : mantissa / POW10[-exponent];
            return negative ? -value : value;
        }
        if (exact) {
            long bits = eiselLemire(mantissa, exponent);
            if (bits >= 0) {
                double value = Double.longBitsToDouble(bits);
                return negative ? -value : value;
            }
        }
        return Double.parseDouble(buf.toString(from, to - from, StandardCharsets.US_ASCII));
    }

    private static final int SMALLEST_POWER_OF_FIVE = -342;
    private static final int LARGEST_POWER_OF_FIVE = 308;
    /** Truncated 128-bit normalised 5^q for q in [-342, 308], as (high, low) pairs; built once. */
    private static final long[] POWERS_OF_FIVE = powersOfFive();

    /**
     * The Eisel-Lemire algorithm (Lemire, "Number Parsing at a Gigabyte per Second", 2021): the
     * correctly rounded double nearest {@code w * 10^q} for a non-zero {@code w} of at most 18 digits,
     * from one or two 64x64-bit products with a 128-bit power of five. Returns the raw bits, or -1 when
     * the result is subnormal, infinite or out of range, or the product is too close to a halfway point
     * to decide (the caller falls back to {@link Double#parseDouble}).
     */
    static long eiselLemire(long w, int q) {
        if (q < SMALLEST_POWER_OF_FIVE || q > LARGEST_POWER_OF_FIVE || w <= 0) {
            return -1;
        }
        int lz = Long.numberOfLeadingZeros(w);
        w <<= lz;
        int index = 2 * (q - SMALLEST_POWER_OF_FIVE);
        long factorHigh = POWERS_OF_FIVE[index];
        long factorLow = POWERS_OF_FIVE[index + 1];
        long lo = w * factorHigh;
        long hi = unsignedMultiplyHigh(w, factorHigh);
        // 52 explicit mantissa bits + 3: when the bits below them are all ones, the low half matters.
        long precisionMask = 0xFFFFFFFFFFFFFFFFL >>> 55;
        if ((hi & precisionMask) == precisionMask) {
            long secondHigh = unsignedMultiplyHigh(w, factorLow);
            long newLo = lo + secondHigh;
            if (Long.compareUnsigned(secondHigh, newLo) > 0) {
                hi++;
            }
            lo = newLo;
            if (lo == -1L && (q < -27 || q > 55)) {
                return -1;
            }
        }
        int upperBit = (int) (hi >>> 63);
        long mantissa = hi >>> (upperBit + 64 - 52 - 3);
        int power2 = (((152170 + 65536) * q) >> 16) + 63 + upperBit - lz + 1023;
        if (power2 <= 0) {
            return -1; // subnormal: rare, left to the fallback
        }
        if (Long.compareUnsigned(lo, 1) <= 0
                && q >= -4
                && q <= 23
                && (mantissa & 3) == 1
                && (mantissa << (upperBit + 64 - 52 - 3)) == hi) {
            // Exactly halfway: round to even.
            mantissa &= ~1L;
        }
        mantissa += mantissa & 1;
        mantissa >>>= 1;
        if (mantissa >= (2L << 52)) {
            mantissa = 1L << 52;
            power2++;
        }
        mantissa &= ~(1L << 52);
        if (power2 >= 0x7FF) {
            return -1;
        }
        return mantissa | ((long) power2 << 52);
    }

    private static long unsignedMultiplyHigh(long a, long b) {
        return Math.multiplyHigh(a, b) + ((a >> 63) & b) + ((b >> 63) & a);
    }

    private static long[] powersOfFive() {
        long[] table = new long[2 * (LARGEST_POWER_OF_FIVE - SMALLEST_POWER_OF_FIVE + 1)];
        java.math.BigInteger two128 = java.math.BigInteger.ONE.shiftLeft(128);
        for (int q = SMALLEST_POWER_OF_FIVE; q <= LARGEST_POWER_OF_FIVE; q++) {
            java.math.BigInteger value;
            if (q >= 0) {
                value = java.math.BigInteger.valueOf(5).pow(q);
                int shift = 128 - value.bitLength();
                value = shift >= 0 ? value.shiftLeft(shift) : value.shiftRight(-shift);
            } else {
                java.math.BigInteger power5 = java.math.BigInteger.valueOf(5).pow(-q);
                int z = power5.subtract(java.math.BigInteger.ONE).bitLength(); // smallest z with 2^z >= 5^-q
                int b = q >= -27 ? z + 127 : 2 * z + 128;
                value = java.math.BigInteger.ONE.shiftLeft(b).divide(power5).add(java.math.BigInteger.ONE);
                while (value.compareTo(two128) >= 0) {
                    value = value.shiftRight(1);
                }
            }
            int i = 2 * (q - SMALLEST_POWER_OF_FIVE);
            table[i] = value.shiftRight(64).longValue();
            table[i + 1] = value.longValue();
        }
        return table;
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }
}
