using System.Numerics;
using CsCheck;
using TreasuryManager.Models.Curve;

namespace TreasuryManager.Models.Tests.Curve;

/// <summary>CsCheck properties of the fixed-point curve math against exact rational arithmetic.</summary>
public class CurveMathProperties
{
    private const long Iter = 2000;
    private static readonly BigInteger Q96 = Uint.Q96;

    /// <summary>A uint of up to <paramref name="maxBits"/> bits with a random bit length (so small and large values both occur).</summary>
    private static Gen<BigInteger> Bits(int minBits, int maxBits) =>
        from bits in Gen.Int[minBits, maxBits]
        from bytes in Gen.Byte.Array[(maxBits + 7) / 8]
        select bits == 0 ? BigInteger.Zero : new BigInteger(bytes, isUnsigned: true) >> (bytes.Length * 8 - bits) | (BigInteger.One << (bits - 1));

    /// <summary>Square-root prices between 2^-40 and 2^40 (prices 2^-80..2^80) in Q64.96.</summary>
    private static readonly Gen<BigInteger> SqrtPrice = Bits(57, 136);

    private static readonly Gen<BigInteger> Liquidity = Bits(1, 127);

    private static readonly Gen<BigInteger> Amount = Bits(0, 200);

    [Fact]
    public void Integer_sqrt_is_the_floor()
    {
        Bits(0, 1200).Sample(x =>
        {
            var r = Uint.Sqrt(x);
            Assert.True(r * r <= x && (r + 1) * (r + 1) > x);
        }, iter: Iter);
    }

    [Fact]
    public void MulDiv_is_exact_floor_and_ceiling()
    {
        Gen.Select(Bits(0, 256), Bits(0, 256), Bits(1, 256)).Sample((a, b, c) =>
        {
            var exact = BigInteger.DivRem(a * b, c, out var rem);
            if (exact > Uint.Max256)
            {
                Assert.Throws<CurveMathException>(() => FullMath.MulDiv(a, b, c));
                return;
            }

            Assert.Equal(exact, FullMath.MulDiv(a, b, c));
            var up = rem.IsZero ? exact : exact + 1;
            if (up > Uint.Max256) Assert.Throws<CurveMathException>(() => FullMath.MulDivRoundingUp(a, b, c));
            else Assert.Equal(up, FullMath.MulDivRoundingUp(a, b, c));
        }, iter: Iter);
    }

    [Fact]
    public void Swap_step_never_pays_more_than_the_real_curve_and_takes_at_least_as_much()
    {
        var gen = Gen.Select(SqrtPrice, SqrtPrice, Liquidity, Gen.Select(Amount, Gen.Bool), Gen.Int[0, 100_000]);
        gen.Sample((current, target, liquidity, amountAndSide, fee) =>
        {
            var (amount, exactIn) = amountAndSide;
            if (current == target) return;
            var remaining = exactIn ? amount : -amount;
            SwapStep s;
            try
            {
                s = SwapMath.ComputeSwapStep(current, target, liquidity, remaining, fee);
            }
            catch (CurveMathException)
            {
                return; // Solidity would revert too: no property to check.
            }

            var zeroForOne = current >= target;
            var next = s.SqrtPriceNextX96;
            // The price moves towards the target and not past it.
            if (zeroForOne) Assert.True(next <= current && next >= target);
            else Assert.True(next >= current && next <= target);

            if (exactIn) Assert.True(s.AmountIn + s.FeeAmount <= amount, "spent more than the input");
            else Assert.True(s.AmountOut <= amount, "paid more than asked");

            if (zeroForOne)
            {
                // Real token0 in for the move current → next: L·2^96·(√P − √Q)/(√P·√Q) ≤ amountIn.
                Assert.True(s.AmountIn * current * next >= liquidity * Q96 * (current - next));
                // Real token1 out for the move: L·(√P − √Q)/2^96 ≥ amountOut.
                Assert.True(s.AmountOut * Q96 <= liquidity * (current - next));
                // Real token1 out for the input actually paid, on the exact curve:
                // √P' = L·2^96·√P/(L·2^96 + in·√P), out = L·in·√P²/((L·2^96 + in·√P)·2^96).
                Assert.True(s.AmountOut * (liquidity * Q96 + s.AmountIn * current) * Q96 <= liquidity * s.AmountIn * current * current);
            }
            else
            {
                // Real token1 in for the move: L·(√Q − √P)/2^96 ≤ amountIn.
                Assert.True(s.AmountIn * Q96 >= liquidity * (next - current));
                // Real token0 out for the move: L·2^96·(√Q − √P)/(√P·√Q) ≥ amountOut.
                Assert.True(s.AmountOut * current * next <= liquidity * Q96 * (next - current));
                // Real token0 out for the input paid: √P' = √P + in·2^96/L,
                // out = L·2^96·in·2^96/(√P·(√P·L + in·2^96)).
                Assert.True(s.AmountOut * current * (current * liquidity + s.AmountIn * Q96) <= liquidity * Q96 * s.AmountIn * Q96);
            }

            // The fee is at least feePips of the gross input (rounded up) when the target is reached.
            if (!exactIn || next == target)
                Assert.True(s.FeeAmount * (1_000_000 - fee) >= s.AmountIn * fee);
        }, iter: Iter);
    }

    [Fact]
    public void Next_price_from_input_round_trips_within_the_input()
    {
        Gen.Select(SqrtPrice, Liquidity, Amount, Gen.Bool).Sample((sqrtP, liquidity, amount, zeroForOne) =>
        {
            BigInteger next;
            try
            {
                next = SqrtPriceMath.GetNextSqrtPriceFromInput(sqrtP, liquidity, amount, zeroForOne);
            }
            catch (CurveMathException)
            {
                return;
            }

            if (next.IsZero || next > Uint.Max160) return;
            // Moving the price that far never needs more than the input (the pool is not short).
            var needed = zeroForOne
                ? SqrtPriceMath.GetAmount0Delta(next, sqrtP, liquidity, true)
                : SqrtPriceMath.GetAmount1Delta(sqrtP, next, liquidity, true);
            Assert.True(needed <= amount, $"needed {needed} > input {amount}");
        }, iter: Iter);
    }

    [Fact]
    public void Next_price_from_output_round_trips_covering_the_output()
    {
        Gen.Select(SqrtPrice, Liquidity, Bits(0, 100), Gen.Bool).Sample((sqrtP, liquidity, amount, zeroForOne) =>
        {
            BigInteger next;
            try
            {
                next = SqrtPriceMath.GetNextSqrtPriceFromOutput(sqrtP, liquidity, amount, zeroForOne);
            }
            catch (CurveMathException)
            {
                return;
            }

            // The move pays out at least the output asked for.
            var available = zeroForOne
                ? SqrtPriceMath.GetAmount1Delta(next, sqrtP, liquidity, false)
                : SqrtPriceMath.GetAmount0Delta(sqrtP, next, liquidity, false);
            Assert.True(available >= amount, $"available {available} < output {amount}");
        }, iter: Iter);
    }

    [Fact]
    public void Amount_deltas_are_monotone_and_rounding_differs_by_at_most_one()
    {
        Gen.Select(SqrtPrice, SqrtPrice, SqrtPrice, Liquidity).Sample((a, b, c, liquidity) =>
        {
            // Sort so lo ≤ mid ≤ hi.
            var sorted = new[] { a, b, c }.Order().ToArray();
            var (lo, mid, hi) = (sorted[0], sorted[1], sorted[2]);
            foreach (var up in new[] { false, true })
            {
                Assert.True(SqrtPriceMath.GetAmount0Delta(lo, mid, liquidity, up) <= SqrtPriceMath.GetAmount0Delta(lo, hi, liquidity, up));
                Assert.True(SqrtPriceMath.GetAmount1Delta(lo, mid, liquidity, up) <= SqrtPriceMath.GetAmount1Delta(lo, hi, liquidity, up));
                Assert.True(SqrtPriceMath.GetAmount0Delta(lo, hi, liquidity / 2, up) <= SqrtPriceMath.GetAmount0Delta(lo, hi, liquidity, up));
                Assert.True(SqrtPriceMath.GetAmount1Delta(lo, hi, liquidity / 2, up) <= SqrtPriceMath.GetAmount1Delta(lo, hi, liquidity, up));
            }

            var d0 = SqrtPriceMath.GetAmount0Delta(lo, hi, liquidity, true) - SqrtPriceMath.GetAmount0Delta(lo, hi, liquidity, false);
            var d1 = SqrtPriceMath.GetAmount1Delta(lo, hi, liquidity, true) - SqrtPriceMath.GetAmount1Delta(lo, hi, liquidity, false);
            Assert.InRange(d0, BigInteger.Zero, BigInteger.One);
            Assert.InRange(d1, BigInteger.Zero, BigInteger.One);
            // Exactness against rationals: amount1 = ⌊L·(hi − lo)/2^96⌋.
            Assert.Equal(liquidity * (hi - lo) / Q96, SqrtPriceMath.GetAmount1Delta(lo, hi, liquidity, false));
        }, iter: Iter);
    }

    [Fact]
    public void Liquidity_from_amounts_is_backed_by_the_amounts()
    {
        Gen.Select(SqrtPrice, SqrtPrice, SqrtPrice, Bits(0, 120), Bits(0, 120)).Sample((a, b, p, x, y) =>
        {
            if (a == b) return;
            BigInteger liquidity;
            try
            {
                liquidity = LiquidityAmounts.GetLiquidityForAmounts(p, a, b, x, y);
            }
            catch (CurveMathException)
            {
                return; // more than uint128 of liquidity
            }

            var (need0, need1) = LiquidityAmounts.GetAmountsForLiquidityRoundingUp(p, a, b, liquidity);
            Assert.True(need0 <= x && need1 <= y, $"needs ({need0}, {need1}) of ({x}, {y})");
        }, iter: Iter);
    }

    [Fact]
    public void Reposition_fit_is_backed_by_the_reserves_and_tight()
    {
        // Reserves of real-token size, centre and a bound within a factor 4 of price. The pool puts the centre and the
        // given bound on its grid (rounded down) and the derived bound one grid step at most inside the exact one.
        var gen = Gen.Select(Bits(40, 100), Bits(40, 100), Bits(80, 110), Gen.Int[1, 1000], Gen.Bool);
        gen.Sample((x, y, sqrtP, widthPermille, lowerGiven) =>
        {
            var centre = SqrtPriceGrid.RoundDown(sqrtP);
            if (lowerGiven)
            {
                var low = sqrtP - sqrtP * widthPermille / 2000;
                if (low >= sqrtP) return;
                FixedPointFit fit;
                try { fit = RepositionFit.FromLowerBound(x, y, sqrtP, low); }
                catch (CurveMathException) { return; }
                Assert.Equal(centre, fit.SqrtPriceX96);
                Assert.Equal(SqrtPriceGrid.RoundDown(low), fit.SqrtPriceLowX96);
                Assert.True(SqrtPriceGrid.IsOnGrid(fit.SqrtPriceHighX96));
                Assert.True(fit.Amount0Needed <= x && fit.Amount1Needed <= y);
                Assert.Equal(fit.Liquidity, LiquidityFit.Refit(centre, fit.SqrtPriceLowX96, fit.SqrtPriceHighX96, x, y));
                // L is the largest the quote reserve can back; the upper bound the largest grid value x can.
                Assert.True((fit.Liquidity + 1) * (centre - fit.SqrtPriceLowX96) > y * Q96);
                var nextHigh = SqrtPriceGrid.RoundUp(fit.SqrtPriceHighX96 + 1);
                if (nextHigh <= RepositionFit.MaxSqrtRatio)
                    Assert.True(SqrtPriceMath.GetAmount0Delta(centre, nextHigh, fit.Liquidity, true) > x);
            }
            else
            {
                var high = sqrtP + sqrtP * widthPermille / 1000;
                FixedPointFit fit;
                try { fit = RepositionFit.FromUpperBound(x, y, sqrtP, high); }
                catch (CurveMathException) { return; }
                Assert.Equal(centre, fit.SqrtPriceX96);
                Assert.Equal(SqrtPriceGrid.RoundDown(high), fit.SqrtPriceHighX96);
                Assert.True(SqrtPriceGrid.IsOnGrid(fit.SqrtPriceLowX96));
                Assert.True(fit.Amount0Needed <= x && fit.Amount1Needed <= y);
                Assert.Equal(fit.Liquidity, LiquidityFit.Refit(centre, fit.SqrtPriceLowX96, fit.SqrtPriceHighX96, x, y));
                var previousLow = SqrtPriceGrid.RoundDown(fit.SqrtPriceLowX96 - 1);
                if (previousLow >= RepositionFit.MinSqrtRatio)
                    Assert.True(SqrtPriceMath.GetAmount1Delta(previousLow, centre, fit.Liquidity, true) > y);
            }
        }, iter: Iter);
    }

    [Fact]
    public void Reposition_fit_agrees_with_the_real_number_fit()
    {
        // x = 10 base, y = 1000 quote (18 decimals), centre 100, lower bound 81:
        // L = y/(√P − √pa) = 1000/(10 − 9) = 1000; 1/√pb = 1/10 − 10/1000 = 0.09 ⇒ pb = 123.4567...
        var e18 = BigInteger.Pow(10, 18);
        var sqrtP = Uint.EncodeSqrtPrice(100, 1);
        var sqrtLow = Uint.EncodeSqrtPrice(81, 1);
        var fit = RepositionFit.FromLowerBound(10 * e18, 1000 * e18, sqrtP, sqrtLow);
        Assert.Equal(1000.0, (double)fit.Liquidity / 1e18, 9);
        Assert.Equal(1.0 / (0.09 * 0.09), Uint.PriceFromSqrtPriceX96(fit.SqrtPriceHighX96), 6);
        var real = ConcentratedPosition.FitFromLowerBound(10, 1000, 100, 81);
        Assert.Equal(1000.0, real.Liquidity, 9);
        Assert.Equal(1.0 / (0.09 * 0.09), real.PriceHigh, 9);
        // And the other way: fix pb, recover pa = 81.
        var back = RepositionFit.FromUpperBound(10 * e18, 1000 * e18, sqrtP, fit.SqrtPriceHighX96);
        Assert.Equal(81.0, Uint.PriceFromSqrtPriceX96(back.SqrtPriceLowX96), 6);
    }
}
