using System.Numerics;

namespace TreasuryManager.Models.Curve;

/// <summary>
/// Mirrors contracts/libraries/LogMath.sol bit for bit: the pool's log price, log2 of P = (sqrtPriceX96/2^96)²
/// in units of 2^-24, from eight terms of the atanh series of the normalised sqrt price (a lower bound: the exact
/// floor, or one unit less within 2^-45 above a unit's boundary).
/// </summary>
public static class LogMath
{
    /// <summary>Fractional bits of log2(√P) computed (= fractional bits of log2(P) + 1).</summary>
    public const int SqrtFractionBits = 25;

    /// <summary>One log-price unit in natural-log terms: ln 2 · 2^-24.</summary>
    public static readonly double UnitLn = Math.Log(2) / (1 << 24);

    private static readonly BigInteger Mask256 = Uint.Max256;

    /// <summary>floor(log2(x)) for x &gt; 0.</summary>
    public static int MostSignificantBit(BigInteger x)
    {
        if (x.Sign <= 0) throw new CurveMathException("LogOfZero");
        return (int)x.GetBitLength() - 1;
    }

    /// <summary>S = floor(√2 · 2^127) = floor(2^128/√2).</summary>
    private static readonly BigInteger Sqrt2Q127 = BigInteger.Parse("0b504f333f9de6484597d89b3754abe9f", System.Globalization.NumberStyles.HexNumber);

    /// <summary>K = floor(2^90 / ln 2).</summary>
    private static readonly BigInteger InverseLn2Q90 = BigInteger.Parse("05c551d94ae0bf85ddf43ff6", System.Globalization.NumberStyles.HexNumber);

    /// <summary>C[k] = floor(2^128 / (2k + 1)), k = 0..7: the atanh series' coefficients.</summary>
    private static readonly BigInteger[] AtanhCoefficients = [.. Enumerable.Range(0, 8).Select(k => (BigInteger.One << 128) / (2 * k + 1))];

    private static readonly BigInteger Half = BigInteger.One << 127;

    /// <summary>
    /// LogMath._log2Mantissa: r = x / 2^msb as Q1.127, m = r / 2^127 in [1, 2); t ≈ log2(m) · 2^217, a lower bound:
    /// m above √2 is divided by √2 (and 2^216 added back), z = (m − 1)/(m + 1) in Q128, eight terms of atanh(z)'s series
    /// by Horner's rule, t = t0 + atanh(z) · floor(2^90/ln 2). Every division and shift floors, as in the EVM.
    /// </summary>
    private static BigInteger Log2Mantissa(BigInteger x, int msb)
    {
        var r = msb >= 127 ? x >> (msb - 127) : (x << (127 - msb)) & Mask256;
        var t = BigInteger.Zero;
        if (r > Sqrt2Q127)
        {
            r = BigInteger.Max((r * Sqrt2Q127) >> 128, Half);
            t = BigInteger.One << 216;
        }
        var z = ((r - Half) << 128) / (r + Half);
        var z2 = (z * z) >> 128;
        var a = AtanhCoefficients[^1];
        for (var k = AtanhCoefficients.Length - 2; k >= 0; k--)
            a = AtanhCoefficients[k] + ((a * z2) >> 128);
        return t + ((z * a) >> 128) * InverseLn2Q90;
    }

    /// <summary>LogMath.logPrice: (msb − 96)·2^25 + (t &gt;&gt; 192), t = log2 of the normalised √P times 2^217.</summary>
    public static BigInteger LogPrice(BigInteger sqrtPriceX96)
    {
        Uint.Check256(sqrtPriceX96, nameof(sqrtPriceX96));
        if (sqrtPriceX96.IsZero) throw new CurveMathException("LogOfZero");
        var msb = MostSignificantBit(sqrtPriceX96);
        return ((BigInteger)(msb - 96) << SqrtFractionBits) + (Log2Mantissa(sqrtPriceX96, msb) >> 192);
    }

    /// <summary>LogMath.coarseLogPriceFromPriceX128: ((msb − 128)·2^16 + (t &gt;&gt; 201))·2^8 for a Q128.128 price.</summary>
    public static BigInteger CoarseLogPriceFromPriceX128(BigInteger priceX128)
    {
        Uint.Check256(priceX128, nameof(priceX128));
        if (priceX128.IsZero) throw new CurveMathException("LogOfZero");
        var msb = MostSignificantBit(priceX128);
        return (((BigInteger)(msb - 128) << 16) + (Log2Mantissa(priceX128, msb) >> 201)) << 8;
    }

    /// <summary>A log price as ln P (for reading, not for consensus math).</summary>
    public static double ToNaturalLog(BigInteger logPrice) => (double)logPrice * UnitLn;
}
