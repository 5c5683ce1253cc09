using System.Numerics;
using CsCheck;
using TreasuryManager.Models.Curve;

namespace TreasuryManager.Models.Tests.Curve;

/// <summary>CsCheck properties: <see cref="UInt256"/> arithmetic equals <see cref="BigInteger"/> arithmetic (mod 2^256
/// where it wraps, the same exceptions where it is checked), and UInt256 FullMath equals <see cref="FullMath"/>.</summary>
public class UInt256Properties
{
    private const long Iter = 10_000;
    private static readonly BigInteger Two256 = BigInteger.One << 256;
    private static readonly BigInteger Max = Two256 - 1;

    /// <summary>A uint of a random bit length in [minBits, maxBits] (small and large values both occur).</summary>
    internal static Gen<BigInteger> Bits(int minBits, int maxBits) =>
        from bits in Gen.Int[minBits, maxBits]
        from bytes in Gen.Byte.Array[(maxBits + 7) / 8]
        select bits == 0 ? BigInteger.Zero : new BigInteger(bytes, isUnsigned: true) >> (bytes.Length * 8 - bits) | (BigInteger.One << (bits - 1));

    /// <summary>Limb and word boundaries: 0, 1, 2^k and 2^k ± 1 for k at limb edges, 2^256 − 1 and its neighbours.</summary>
    private static readonly Gen<BigInteger> Edge =
        from k in Gen.OneOf(Gen.Const(0), Gen.Const(1), Gen.Const(63), Gen.Const(64), Gen.Const(96), Gen.Const(127),
            Gen.Const(128), Gen.Const(160), Gen.Const(192), Gen.Const(255), Gen.Const(256), Gen.Int[0, 256])
        from d in Gen.Int[-2, 2]
        select BigInteger.Clamp((BigInteger.One << k) + d, 0, Max);

    /// <summary>A uint256: random bit lengths mixed with boundary values.</summary>
    internal static readonly Gen<BigInteger> Word = Gen.OneOf(Bits(0, 256), Bits(0, 256), Edge);

    private static UInt256 U(BigInteger x) => UInt256.FromBigInteger(x);

    [Fact]
    public void Conversions_round_trip_and_reject_out_of_range()
    {
        Word.Sample(x =>
        {
            var u = U(x);
            Assert.Equal(x, (BigInteger)u);
            Assert.Equal(x, u.ToBigInteger());
            Assert.Equal(x.IsZero ? 0 : (int)x.GetBitLength(), u.BitLength);
            Assert.Equal(x.ToString(System.Globalization.CultureInfo.InvariantCulture), u.ToString());
            Assert.Equal((ulong)(x & ulong.MaxValue), (ulong)u);
            if (x <= ulong.MaxValue) Assert.Equal((ulong)x, checked((ulong)u));
            else Assert.Throws<OverflowException>(() => checked((ulong)u));
            Assert.Equal(x <= UInt256.MaxUInt128.ToBigInteger(), u.FitsInUInt128);
            Assert.Equal(x <= UInt256.MaxUInt160.ToBigInteger(), u.FitsInUInt160);
            Assert.Throws<OverflowException>(() => UInt256.FromBigInteger(x + Two256));
            Assert.Throws<OverflowException>(() => UInt256.FromBigInteger(-x - 1));
            Assert.False(UInt256.TryFromBigInteger(-x - 1, out _));
        }, iter: Iter);

        Gen.ULong.Sample(x => Assert.Equal(new BigInteger(x), ((UInt256)x).ToBigInteger()), iter: Iter);
    }

    [Fact]
    public void Conversion_to_double_is_within_two_ulps()
    {
        Word.Sample(x =>
        {
            var exact = (double)x;
            var d = (double)U(x);
            Assert.True(Math.Abs(d - exact) <= Math.ScaleB(exact, -51), $"{d} vs {exact}");
        }, iter: Iter);
    }

    [Fact]
    public void Addition_wraps_and_checked_addition_throws_on_overflow()
    {
        Gen.Select(Word, Word).Sample((a, b) =>
        {
            var exact = a + b;
            Assert.Equal(exact & Max, (BigInteger)(U(a) + U(b)));
            var sum = UInt256.AddWithCarry(U(a), U(b), out var overflow);
            Assert.Equal(exact > Max, overflow);
            Assert.Equal(exact & Max, (BigInteger)sum);
            if (exact > Max) Assert.Throws<OverflowException>(() => checked(U(a) + U(b)));
            else Assert.Equal(exact, (BigInteger)checked(U(a) + U(b)));
        }, iter: Iter);
    }

    [Fact]
    public void Subtraction_wraps_and_checked_subtraction_throws_on_underflow()
    {
        Gen.Select(Word, Word).Sample((a, b) =>
        {
            var exact = a - b;
            Assert.Equal(exact & Max, (BigInteger)(U(a) - U(b)));
            var diff = UInt256.SubtractWithBorrow(U(a), U(b), out var underflow);
            Assert.Equal(exact.Sign < 0, underflow);
            Assert.Equal(exact & Max, (BigInteger)diff);
            if (exact.Sign < 0) Assert.Throws<OverflowException>(() => checked(U(a) - U(b)));
            else Assert.Equal(exact, (BigInteger)checked(U(a) - U(b)));
        }, iter: Iter);
    }

    [Fact]
    public void Multiplication_wraps_and_checked_multiplication_throws_on_overflow()
    {
        Gen.Select(Word, Word).Sample((a, b) =>
        {
            var exact = a * b;
            Assert.Equal(exact & Max, (BigInteger)(U(a) * U(b)));
            if (exact > Max) Assert.Throws<OverflowException>(() => checked(U(a) * U(b)));
            else Assert.Equal(exact, (BigInteger)checked(U(a) * U(b)));
            Span<ulong> p = stackalloc ulong[8];
            UInt256.Multiply512(U(a), U(b), p);
            var full = BigInteger.Zero;
            for (var i = 7; i >= 0; i--) full = (full << 64) | p[i];
            Assert.Equal(exact, full);
        }, iter: Iter);
    }

    [Fact]
    public void Division_and_remainder_equal_BigInteger_and_throw_for_zero()
    {
        Gen.Select(Word, Word).Sample((a, b) =>
        {
            if (b.IsZero)
            {
                Assert.Throws<DivideByZeroException>(() => U(a) / U(b));
                Assert.Throws<DivideByZeroException>(() => U(a) % U(b));
                return;
            }

            Assert.Equal(a / b, (BigInteger)(U(a) / U(b)));
            Assert.Equal(a % b, (BigInteger)(U(a) % U(b)));
            var q = UInt256.DivRem(U(a), U(b), out var r);
            Assert.Equal(a / b, (BigInteger)q);
            Assert.Equal(a % b, (BigInteger)r);
            var up = a % b == 0 ? a / b : a / b + 1;
            Assert.Equal(up, (BigInteger)UInt256.DivRoundingUp(U(a), U(b)));
        }, iter: Iter);
    }

    [Fact]
    public void Division_by_divisors_close_to_the_dividend_is_exact()
    {
        // Knuth D's rare add-back step: quotient digits estimated one too high. Divisors that share the dividend's
        // top bits (a = q·b + r with small q) hit it far more often than independent random words.
        Gen.Select(Bits(65, 256), Gen.ULong, Bits(0, 256)).Sample((b, q, r) =>
        {
            var a = (b * (q % 1_000_000 + 1) + r % b) & Max;
            Assert.Equal(a / b, (BigInteger)(U(a) / U(b)));
            Assert.Equal(a % b, (BigInteger)(U(a) % U(b)));
        }, iter: Iter);
    }

    [Fact]
    public void Portable_128_by_64_division_equals_UInt128_division()
    {
        // The non-x64 fallback of the digit division (x64 uses the DIV instruction): d normalised, hi < d.
        Gen.Select(Gen.ULong, Gen.ULong, Gen.ULong).Sample((hi, lo, d) =>
        {
            d |= 1UL << 63;
            hi %= d;
            var expected = UInt128.DivRem(new UInt128(hi, lo), d);
            var q = UInt256.DivRem128By64Portable(hi, lo, d, out var r);
            Assert.Equal(expected.Quotient, q);
            Assert.Equal(expected.Remainder, r);
        }, iter: Iter);
    }

    [Fact]
    public void Table_reciprocal_equals_the_reciprocal_by_division()
    {
        // Möller–Granlund's division-free reciprocal against its definition ⌊(2^128 − 1)/d⌋ − 2^64.
        Gen.ULong.Sample(d =>
        {
            d |= 1UL << 63;
            Assert.Equal(UInt256.Reciprocal2By1ByDivision(d), UInt256.Reciprocal2By1Newton(d));
        }, iter: 100_000);
        foreach (var d in new[] { 1UL << 63, (1UL << 63) + 1, ulong.MaxValue, ulong.MaxValue - 1, 0xC000_0000_0000_0000UL, 0x8000_0000_FFFF_FFFFUL })
            Assert.Equal(UInt256.Reciprocal2By1ByDivision(d), UInt256.Reciprocal2By1Newton(d));
        for (ulong top = 256; top < 512; top++)
        {
            var d = top << 55;
            Assert.Equal(UInt256.Reciprocal2By1ByDivision(d), UInt256.Reciprocal2By1Newton(d));
            Assert.Equal(UInt256.Reciprocal2By1ByDivision(d | ((1UL << 55) - 1)), UInt256.Reciprocal2By1Newton(d | ((1UL << 55) - 1)));
        }
    }

    [Fact]
    public void Shifts_equal_BigInteger_shifts_and_give_zero_past_255()
    {
        Gen.Select(Word, Gen.Int[0, 300]).Sample((a, s) =>
        {
            Assert.Equal((a << s) & Max, (BigInteger)(U(a) << s));
            Assert.Equal(a >> s, (BigInteger)(U(a) >> s));
        }, iter: Iter);
        Assert.Throws<ArgumentOutOfRangeException>(() => UInt256.One << -1);
    }

    [Fact]
    public void Bitwise_operators_equal_BigInteger()
    {
        Gen.Select(Word, Word).Sample((a, b) =>
        {
            Assert.Equal(a & b, (BigInteger)(U(a) & U(b)));
            Assert.Equal(a | b, (BigInteger)(U(a) | U(b)));
            Assert.Equal(a ^ b, (BigInteger)(U(a) ^ U(b)));
            Assert.Equal(Max - a, (BigInteger)~U(a));
        }, iter: Iter);
    }

    [Fact]
    public void Comparisons_and_equality_agree_with_BigInteger()
    {
        Gen.Select(Word, Word).Sample((a, b) =>
        {
            var (x, y) = (U(a), U(b));
            Assert.Equal(a.CompareTo(b), x.CompareTo(y));
            Assert.Equal(a.CompareTo(b), x.CompareTo((object)y));
            Assert.Equal(a == b, x == y);
            Assert.Equal(a != b, x != y);
            Assert.Equal(a < b, x < y);
            Assert.Equal(a <= b, x <= y);
            Assert.Equal(a > b, x > y);
            Assert.Equal(a >= b, x >= y);
            Assert.Equal(a == b, x.Equals(y));
            Assert.Equal(a == b, x.Equals((object)y));
            Assert.True(x.Equals(U(a)) && x.GetHashCode() == U(a).GetHashCode());
            Assert.Equal(BigInteger.Min(a, b), (BigInteger)UInt256.Min(x, y));
            Assert.Equal(BigInteger.Max(a, b), (BigInteger)UInt256.Max(x, y));
        }, iter: Iter);
        Assert.Equal(1, UInt256.Zero.CompareTo(null));
    }

    /// <summary>The same outcome from both: equal results, or the same exception type (and the same
    /// <see cref="CurveMathException.Reason"/>).</summary>
    internal static void SameOutcome<TSlow, TFast>(Func<TSlow> slow, Func<TFast> fast, Action<TSlow, TFast> assertEqual)
    {
        TSlow? s = default;
        TFast? f = default;
        Exception? slowError = null, fastError = null;
        try
        {
            s = slow();
        }
        catch (Exception e) when (e is CurveMathException or ArgumentException or ArithmeticException)
        {
            slowError = e;
        }

        try
        {
            f = fast();
        }
        catch (Exception e) when (e is CurveMathException or ArgumentException or ArithmeticException)
        {
            fastError = e;
        }

        if (slowError is null && fastError is null)
        {
            assertEqual(s!, f!);
            return;
        }

        Assert.True(slowError is not null, $"only the UInt256 path failed: {fastError}");
        Assert.True(fastError is not null, $"only the BigInteger path failed: {slowError}");
        Assert.Equal(slowError!.GetType(), fastError!.GetType());
        if (slowError is CurveMathException cs) Assert.Equal(cs.Reason, ((CurveMathException)fastError).Reason);
    }

    private static void SameMulDiv(BigInteger a, BigInteger b, BigInteger d)
    {
        SameOutcome(() => FullMath.MulDiv(a, b, d), () => UInt256.MulDiv(U(a), U(b), U(d)), (x, y) => Assert.Equal(x, (BigInteger)y));
        SameOutcome(() => FullMath.MulDivRoundingUp(a, b, d), () => UInt256.MulDivRoundingUp(U(a), U(b), U(d)), (x, y) => Assert.Equal(x, (BigInteger)y));
    }

    [Fact]
    public void MulDiv_equals_FullMath_including_reverts()
    {
        // Random words and boundaries: zero denominators, overflowing quotients, power-of-two denominators.
        Gen.Select(Word, Word, Gen.OneOf(Word, Edge)).Sample(SameMulDiv, iter: Iter);
    }

    [Fact]
    public void MulDiv_equals_FullMath_near_the_overflow_boundary()
    {
        // a ≈ d (a = d + k), b ≈ q·d/a: the quotient lands within a few units of q ∈ {2^256 − 3 .. 2^256 − 1}, where
        // mulDiv and mulDivRoundingUp start to revert.
        Gen.Select(Bits(1, 256), Bits(0, 40), Gen.Int[0, 2], Gen.Int[-2, 2]).Sample((d, k, t, delta) =>
        {
            var a = BigInteger.Min(d + k, Max);
            var q = Max - t;
            var b = BigInteger.Clamp(q * d / a + delta, 0, Max);
            SameMulDiv(a, b, d);
        }, iter: Iter);
    }

    [Fact]
    public void MulDiv_reverts_as_FullMath_at_the_edges()
    {
        var max = Max;
        SameMulDiv(max, max, max);
        SameMulDiv(max, max, max - 1);
        SameMulDiv(max, 1, 0);
        SameMulDiv(0, 0, 0);
        // (2^192 − 1)(2^192 + 1) / 2^128 = 2^256 − 1 rem 2^128 − 1: mulDiv fits, mulDivRoundingUp overflows.
        var a = (BigInteger.One << 192) - 1;
        var b = (BigInteger.One << 192) + 1;
        SameMulDiv(a, b, BigInteger.One << 128);
        Assert.Equal("mulDivRoundingUp: overflow",
            Assert.Throws<CurveMathException>(() => UInt256.MulDivRoundingUp(U(a), U(b), U(BigInteger.One << 128))).Reason);
        Assert.Equal(max, (BigInteger)UInt256.MulDiv(U(a), U(b), U(BigInteger.One << 128)));
    }
}
