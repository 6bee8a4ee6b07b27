/// Exact conversions from the 16-bit floating formats of weight files to `Float`.
/// Written out bit by bit rather than through `Float16`, which is not available on every platform.
public enum HalfPrecision {
    /// IEEE 754 binary16: 1 sign bit, 5 exponent bits (bias 15), 10 mantissa bits.
    /// Every value, including subnormals, ±inf and NaN, is representable in `Float`.
    public static func float(fromF16 bits: UInt16) -> Float {
        let sign = UInt32(bits >> 15) << 31
        let exponent = UInt32(bits >> 10) & 0x1F
        let mantissa = UInt32(bits) & 0x3FF
        switch exponent {
        case 0:
            // Zero or subnormal: mantissa · 2^-24, exact in Float.
            let magnitude = Float(mantissa) * 0x1p-24
            return sign == 0 ? magnitude : -magnitude
        case 0x1F:
            // Inf (mantissa 0) or NaN (payload kept in the high mantissa bits).
            return Float(bitPattern: sign | 0x7F80_0000 | mantissa << 13)
        default:
            return Float(bitPattern: sign | (exponent + 127 - 15) << 23 | mantissa << 13)
        }
    }

    /// bfloat16 is the upper half of a binary32, so widening is a shift.
    public static func float(fromBF16 bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }
}
