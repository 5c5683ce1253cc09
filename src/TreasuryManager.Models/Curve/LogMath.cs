using System.Numerics;

namespace TreasuryManager.Models.Curve;

/// <summary>
/// Mirrors contracts/libraries/LogMath.sol bit for bit: the pool's log price, log2 of P = (sqrtPriceX96/2^96)²
/// in units of 2^-24, by 25 truncating squarings of the normalised sqrt price.
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

    /// <summary>r = x / 2^msb as Q1.127, then <paramref name="squarings"/> squarings, each giving one bit.</summary>
    private static BigInteger Fraction(BigInteger x, int msb, int squarings)
    {
        var r = msb >= 127 ? x >> (msb - 127) : (x << (127 - msb)) & Mask256;
        var f = BigInteger.Zero;
        for (var i = 0; i < squarings; i++)
        {
            r = ((r * r) & Mask256) >> 127; // mul is mod 2^256 in the EVM (r < 2^128, so it never wraps)
            var b = r >> 128;
            f = (f << 1) | b;
            r >>= (int)b;
        }

        return f;
    }

    /// <summary>LogMath.logPrice: (msb − 96)·2^25 + f, f the 25 fractional bits of log2 of the normalised √P.</summary>
    public static BigInteger LogPrice(BigInteger sqrtPriceX96)
    {
        Uint.Check256(sqrtPriceX96, nameof(sqrtPriceX96));
        if (sqrtPriceX96.IsZero) throw new CurveMathException("LogOfZero");
        var msb = MostSignificantBit(sqrtPriceX96);
        return ((BigInteger)(msb - 96) << SqrtFractionBits) + Fraction(sqrtPriceX96, msb, SqrtFractionBits);
    }

    /// <summary>LogMath.coarseLogPriceFromPriceX128: ((msb − 128)·2^16 + f)·2^8 with 16 squarings of a Q128.128 price.</summary>
    public static BigInteger CoarseLogPriceFromPriceX128(BigInteger priceX128)
    {
        Uint.Check256(priceX128, nameof(priceX128));
        if (priceX128.IsZero) throw new CurveMathException("LogOfZero");
        var msb = MostSignificantBit(priceX128);
        return (((BigInteger)(msb - 128) << 16) + Fraction(priceX128, msb, 16)) << 8;
    }

    /// <summary>A log price as ln P (for reading, not for consensus math).</summary>
    public static double ToNaturalLog(BigInteger logPrice) => (double)logPrice * UnitLn;
}
