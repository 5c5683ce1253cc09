using System.Numerics;
using CsCheck;
using TreasuryManager.Models.Curve;

namespace TreasuryManager.Models.Tests.Curve;

/// <summary>
/// The C# mirror of the pool (LiquidityFit, LogMath, PoolSwap, ObservationMath): pure properties. Their bit-for-bit
/// equality with the Solidity is tested against the contracts in TreasuryManager.Contracts.Tests (Differential/).
/// </summary>
public class PoolModelTests
{
    private static readonly BigInteger Q96 = Uint.Q96;

    private static Gen<BigInteger> Bits(int minBits, int maxBits) =>
        from bits in Gen.Int[minBits, maxBits]
        from bytes in Gen.Byte.Array[(maxBits + 7) / 8]
        select bits == 0 ? BigInteger.Zero : new BigInteger(bytes, isUnsigned: true) >> (bytes.Length * 8 - bits) | (BigInteger.One << (bits - 1));

    [Fact]
    public void Log_price_of_exact_powers_of_two()
    {
        Assert.Equal(BigInteger.Zero, LogMath.LogPrice(Q96)); // P = 1
        Assert.Equal(new BigInteger(1 << 25), LogMath.LogPrice(Q96 * 2)); // P = 4: log2 = 2 = 2·2^24
        Assert.Equal(new BigInteger(-(1 << 25)), LogMath.LogPrice(Q96 / 2));
        Assert.Equal("LogOfZero", Assert.Throws<CurveMathException>(() => LogMath.LogPrice(0)).Reason);
        // √2·2^96: P = 2, log2 P = 1 → 2^24, the truncating steps land at most 2 units below.
        var sqrt2 = Uint.Sqrt(2 * (Q96 * Q96));
        Assert.InRange(LogMath.LogPrice(sqrt2), (1 << 24) - 2, 1 << 24);
        Assert.Equal(new BigInteger(1 << 24), LogMath.CoarseLogPriceFromPriceX128(BigInteger.One << 129)); // price 2 in Q128.128
    }

    [Fact]
    public void Log_price_is_within_two_units_below_the_exact_floor()
    {
        Bits(33, 128).Sample(s =>
        {
            var exact = Math.Floor(2 * Math.Log2((double)s / Math.Pow(2, 96)) * (1 << 24));
            var lp = (double)LogMath.LogPrice(s);
            Assert.InRange(lp, exact - 3, exact + 1); // double rounding of the reference allows one unit either way
        }, iter: 2000);
    }

    [Fact]
    public void A_fit_refits_to_exactly_its_liquidity_and_is_covered()
    {
        Gen.Select(Bits(33, 127), Bits(1, 100), Bits(1, 100), Gen.Int[1, 40], Gen.Bool).Sample((p, x, y, shift, lower) =>
        {
            try
            {
                if (lower)
                {
                    var a = p - (p >> shift) - 1;
                    var (l, b) = LiquidityFit.FitFromLower(p, a, x, y);
                    Assert.Equal(l, LiquidityFit.Refit(p, a, b, x, y));
                    Assert.True(SqrtPriceMath.GetAmount0Delta(p, b, l, true) <= x && SqrtPriceMath.GetAmount1Delta(a, p, l, true) <= y);
                }
                else
                {
                    var b = p + (p >> shift) + 1;
                    if (b > Uint.Max128) return;
                    var (l, a) = LiquidityFit.FitFromUpper(p, b, x, y);
                    Assert.Equal(l, LiquidityFit.Refit(p, a, b, x, y));
                    Assert.True(SqrtPriceMath.GetAmount0Delta(p, b, l, true) <= x && SqrtPriceMath.GetAmount1Delta(a, p, l, true) <= y);
                }
            }
            catch (CurveMathException)
            {
                // RangeUnbounded / ZeroLiquidity / LiquidityOverflow: the pool reverts too.
            }
        }, iter: 3000);
    }

    /// <summary>A pool at 2.0 (18/6 decimals) on [1.8, 2.2] holding 100k base and 200k quote, L refitted (a deposit).</summary>
    private static PoolState Pool(int feePips)
    {
        var e18 = BigInteger.Pow(10, 18);
        var e6 = BigInteger.Pow(10, 6);
        var s = new PoolState(Uint.EncodeSqrtPrice(2 * e6, e18), Uint.EncodeSqrtPrice(18 * e6, 10 * e18), Uint.EncodeSqrtPrice(22 * e6, 10 * e18),
            100_000 * e18, 200_000 * e6, feePips, 0);
        return PoolSwap.Sync(s, s.Reserve0, s.Reserve1);
    }

    [Fact]
    public void Swaps_keep_the_liquidity_and_round_trips_never_pay()
    {
        Gen.Select(Gen.Int[0, 3], Gen.Bool, Bits(1, 80)).Sample((tier, zeroForOne, amount) =>
        {
            var pool = Pool(new[] { 0, 500, 3000, 10_000 }[tier]);
            (PoolState State, PoolQuote Quote) there;
            try { there = PoolSwap.Swap(pool, zeroForOne, amount); }
            catch (CurveMathException) { return; }
            Assert.Equal(pool.Liquidity, there.State.Liquidity);
            Assert.True(there.State.Capacity >= there.State.Liquidity);
            Assert.InRange(there.State.SqrtPriceX96, pool.SqrtPriceLowX96, pool.SqrtPriceHighX96);
            if (there.Quote.AmountOut.IsZero) return;
            var back = PoolSwap.Swap(there.State, !zeroForOne, there.Quote.AmountOut).Quote;
            Assert.True(back.AmountOut <= there.Quote.AmountInUsed, $"round trip of {amount}: in {there.Quote.AmountInUsed}, back {back.AmountOut}");
        }, iter: 2000);
    }

    [Fact]
    public void A_round_trip_through_the_edge_does_not_take_the_surplus()
    {
        // The deposit is not fitted to the range: one side holds a surplus the stored L does not use.
        foreach (var zeroForOne in new[] { true, false })
        {
            var pool = Pool(500);
            Assert.True(pool.Capacity == pool.Liquidity);
            var (atEdge, there) = PoolSwap.Swap(pool, zeroForOne, (zeroForOne ? pool.Reserve0 : pool.Reserve1) * 2);
            Assert.Equal(zeroForOne ? pool.SqrtPriceLowX96 : pool.SqrtPriceHighX96, atEdge.SqrtPriceX96);
            Assert.True(atEdge.Capacity > atEdge.Liquidity); // the refit would jump here; the stored L does not
            Assert.Equal("RangeEdgeReached", Assert.Throws<CurveMathException>(() => PoolSwap.Quote(atEdge, zeroForOne, 1)).Reason);
            var back = PoolSwap.Swap(atEdge, !zeroForOne, there.AmountOut).Quote;
            Assert.True(back.AmountOut <= there.AmountInUsed);
        }
    }

    [Fact]
    public void A_reposition_puts_the_surplus_to_work()
    {
        var pool = Pool(3000);
        var (after, _) = PoolSwap.Swap(pool, true, BigInteger.Pow(10, 21));
        var moved = PoolSwap.Reposition(after, after.SqrtPriceX96, after.SqrtPriceLowX96, 2500);
        Assert.Equal(moved.Capacity, moved.Liquidity);
        Assert.Equal(PoolSwap.PreviewReposition(after, after.SqrtPriceX96, after.SqrtPriceLowX96).Liquidity, moved.Liquidity);
        Assert.Equal("InvalidBound", Assert.Throws<CurveMathException>(() => PoolSwap.Reposition(after, after.SqrtPriceX96, after.SqrtPriceX96, 2500)).Reason);
        Assert.Equal("PriceOutOfBounds", Assert.Throws<CurveMathException>(() => PoolSwap.Reposition(after, after.SqrtPriceX96, PoolSwap.MinSqrtPrice - 1, 2500)).Reason);
    }

    [Fact]
    public void Observations_accumulate_and_wrap_like_the_solidity()
    {
        var first = ObservationMath.Initialize(1000, 5);
        var next = ObservationMath.Transform(first, 1010, 8);
        Assert.Equal(new Observation(1010, 10, 8, 80, 9), next);
        Assert.Same(next, ObservationMath.Write(next, 1010, Q96)); // once per block
        Assert.Equal(BigInteger.Zero, ObservationMath.Write(next, 1011, Q96).LogPrice);
        Assert.Equal((1 << 24) - 1, ObservationMath.Transform(first, 1000 + (1L << 25), 5).SecondsSincePrevious);
        Assert.Equal(-(BigInteger.One << 71), ObservationMath.SignedWrap(BigInteger.One << 71, 72));
        Assert.Equal(BigInteger.One, ObservationMath.UnsignedWrap((BigInteger.One << 80) + 1, 80));
    }
}
