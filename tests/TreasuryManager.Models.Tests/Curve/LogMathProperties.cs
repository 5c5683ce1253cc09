using System.Numerics;
using CsCheck;
using TreasuryManager.Models.Curve;

namespace TreasuryManager.Models.Tests.Curve;

/// <summary>
/// The pool's log price (<see cref="LogMath"/>, eight terms of the atanh series since 2026-12-04) against references
/// written here: the exact floor of 2^24·log2(P) (from 70 bits of log2 by repeated squaring, which decides the floor
/// unless log2 lies within 2^-45 above a unit's boundary), and the 25-squaring algorithm the pool used before.
/// </summary>
public sealed class LogMathProperties
{
    private static readonly BigInteger Mask256 = Uint.Max256;

    /// <summary>Any positive 256-bit value, of any bit length (small ones included).</summary>
    private static readonly Gen<BigInteger> Value =
        Gen.Int[1, 256].SelectMany(bits => Gen.Select(Gen.ULong, Gen.ULong, Gen.ULong, Gen.ULong, (a, b, c, d) =>
            ((new BigInteger(a) << 192) | (new BigInteger(b) << 128) | (new BigInteger(c) << 64) | d) & ((BigInteger.One << bits) - 1)))
        .Where(v => !v.IsZero);

    /// <summary>The first <paramref name="bits"/> fractional bits of log2(x / 2^msb), by truncating squarings of the
    /// normalised Q1.127 mantissa (the pool's algorithm before 2026-12-04 with 25 or 16 bits).</summary>
    private static BigInteger SquaringFraction(BigInteger x, int msb, int bits)
    {
        var r = msb >= 127 ? x >> (msb - 127) : (x << (127 - msb)) & Mask256;
        var f = BigInteger.Zero;
        for (var i = 0; i < bits; i++)
        {
            r = (r * r) >> 127;
            var b = r >> 128;
            f = (f << 1) | b;
            r >>= (int)b;
        }
        return f;
    }

    [Fact]
    public void The_log_price_is_the_exact_floor_or_one_unit_below_it_within_two_to_the_minus_45_of_a_boundary()
    {
        Value.Sample(s =>
        {
            var msb = LogMath.MostSignificantBit(s);
            // 70 bits of log2(m) by squaring with 128-bit mantissas: each truncation loses < 2^-127 relative, doubled
            // by each of the 70 squarings: the bits above the last 25 fractional ones are exact to 2^-57
            var fine = SquaringFraction(s, msb, 70);
            var floor = ((BigInteger)(msb - 96) << 25) + (fine >> 45);
            var above = fine & ((BigInteger.One << 45) - 1); // how far above the unit's boundary, in 2^-70 units
            var lp = LogMath.LogPrice(s);
            if (above > 2) Assert.Equal(floor, lp); // more than 2^-69 above the boundary: the exact floor
            else Assert.InRange(lp, floor - 1, floor);
        }, iter: 20_000);
    }

    [Fact]
    public void Both_log_prices_equal_the_squaring_algorithm_the_pool_used_before()
    {
        Value.Sample(s =>
        {
            var msb = LogMath.MostSignificantBit(s);
            Assert.Equal(((BigInteger)(msb - 96) << 25) + SquaringFraction(s, msb, 25), LogMath.LogPrice(s));
            Assert.Equal((((BigInteger)(msb - 128) << 16) + SquaringFraction(s, msb, 16)) << 8, LogMath.CoarseLogPriceFromPriceX128(s));
        }, iter: 20_000);
    }

    [Fact]
    public void Around_the_square_root_of_two_the_split_keeps_the_floor()
    {
        // S = floor(√2·2^127) is where the mantissa is divided by √2: log2 of √P just below and just above 1/2
        var s0 = BigInteger.Parse("0b504f333f9de6484597d89b3754abe9f", System.Globalization.NumberStyles.HexNumber);
        for (var k = -100; k <= 128; k++)
        for (var d = -3; d <= 3; d++)
        {
            var s = (k >= 0 ? s0 << k : s0 >> -k) + d;
            if (s.Sign <= 0) continue;
            var msb = LogMath.MostSignificantBit(s);
            Assert.Equal(((BigInteger)(msb - 96) << 25) + SquaringFraction(s, msb, 25), LogMath.LogPrice(s));
        }
        // powers of two are exact, and the largest value sits one unit below the next power
        for (var k = 0; k < 256; k++)
            Assert.Equal((BigInteger)(k - 96) << 25, LogMath.LogPrice(BigInteger.One << k));
        Assert.Equal(((BigInteger)(256 - 96) << 25) - 1, LogMath.LogPrice(Mask256));
    }

    [Fact]
    public void The_log_price_never_decreases_as_the_price_rises()
    {
        Gen.Select(Value, Gen.Int[0, 1 << 20]).Sample((s, step) =>
        {
            var t = s + step;
            if (t > Mask256) return;
            Assert.True(LogMath.LogPrice(s) <= LogMath.LogPrice(t));
            Assert.True(LogMath.CoarseLogPriceFromPriceX128(s) <= LogMath.CoarseLogPriceFromPriceX128(t));
        }, iter: 20_000);
    }
}
