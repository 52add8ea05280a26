package io.nundb.exporter.sim;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Formats a {@code double} exactly as Rust's {@code {:?}} does for {@code f64} (spec §3.1, checked on
 * rustc 1.95): the shortest digits that round-trip, always with a {@code .} or an exponent
 * ({@code 0.0}, {@code 1.0}, {@code 2.419368907874114}); exponent notation without a {@code +} sign
 * for magnitudes below 1e-4 or at least 1e16 ({@code 7.003404479057364e-5}, {@code 1e16});
 * {@code NaN}, {@code inf}, {@code -inf}.
 *
 * <p>Thread-safety: stateless. Allocates; not for hot paths.
 */
public final class RustFloatFormat {
    private RustFloatFormat() {}

    /** Returns the Rust {@code {:?}} rendering of {@code value}. */
    public static String format(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "inf" : "-inf";
        }
        if (value == 0.0) {
            return (Double.doubleToRawLongBits(value) < 0) ? "-0.0" : "0.0";
        }
        String sign = value < 0 ? "-" : "";
        double abs = Math.abs(value);
        BigDecimal shortest = shortest(abs);
        String digits = shortest.unscaledValue().toString();
        // value = 0.digits * 10^(exp10) ; decimal point position relative to first digit
        int pointPos = digits.length() - shortest.scale(); // digits before the decimal point
        if (abs < 1e-4 || abs >= 1e16) {
            StringBuilder sb = new StringBuilder(sign).append(digits.charAt(0));
            if (digits.length() > 1) {
                sb.append('.').append(digits, 1, digits.length());
            }
            return sb.append('e').append(pointPos - 1).toString();
        }
        StringBuilder sb = new StringBuilder(sign);
        if (pointPos <= 0) {
            sb.append("0.");
            for (int i = 0; i < -pointPos; i++) {
                sb.append('0');
            }
            sb.append(digits);
        } else if (pointPos >= digits.length()) {
            sb.append(digits);
            for (int i = digits.length(); i < pointPos; i++) {
                sb.append('0');
            }
            sb.append(".0");
        } else {
            sb.append(digits, 0, pointPos).append('.').append(digits, pointPos, digits.length());
        }
        return sb.toString();
    }

    /** The shortest decimal that parses back to {@code abs}, closest to it, trailing zeros stripped. */
    private static BigDecimal shortest(double abs) {
        BigDecimal exact = new BigDecimal(abs);
        for (int precision = 1; precision <= 17; precision++) {
            BigDecimal candidate = exact.round(new MathContext(precision, RoundingMode.HALF_EVEN));
            if (candidate.doubleValue() == abs) {
                return strip(candidate);
            }
        }
        return strip(exact.round(new MathContext(17, RoundingMode.HALF_EVEN)));
    }

    private static BigDecimal strip(BigDecimal d) {
        BigDecimal s = d.stripTrailingZeros();
        return s;
    }
}
