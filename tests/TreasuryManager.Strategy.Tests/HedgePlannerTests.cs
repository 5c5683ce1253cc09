using System.Numerics;
using CsCheck;
using TreasuryManager.Models.Curve;
using TreasuryManager.Strategy.Hedging;

namespace TreasuryManager.Strategy.Tests;

/// <summary>The one hedge planner: the band decision and the order, and their agreement with the pieces they are made of.</summary>
public sealed class HedgePlannerTests
{
    private static readonly BigInteger E36 = BigInteger.Pow(10, 36);

    /// <summary>A pool (18/18 decimals) around price 1–4000 with a range of ±1–60%, a hedge account on a 6-decimal quote.</summary>
    internal static readonly Gen<HedgeStepInputs> Inputs =
        Gen.Select(Gen.Double[1, 4000], Gen.Double[0.01, 0.6], Gen.Double[-0.5, 0.5], Gen.Double[1e3, 1e7], Gen.Double[-2, 2], Gen.Double[0.005, 0.1], Gen.Double[0, 1])
            .SelectMany(t => Gen.Double[0.1, 1].Select(margin => (t.Item1, t.Item2, t.Item3, t.Item4, t.Item5, t.Item6, t.Item7, margin)))
            .Select(t =>
            {
                var (price, width, offset, baseAmount, hedgeOfPool, sigma, ratio, margin) = t;
                var lo = Uint.SqrtPriceX96FromPrice(price * (1 - width));
                var hi = Uint.SqrtPriceX96FromPrice(price * (1 + width));
                var oracle = price * (1 + offset * width);
                var liquidity = new BigInteger(baseAmount * 1e18 * Math.Sqrt(price));
                var (x, _) = HedgePlanner.CurveDelta(liquidity, lo, hi, oracle, 18, 18);
                var size = new BigInteger(-hedgeOfPool * x * 1e18);
                var mark = new BigInteger(oracle * 1e6) * E36 / BigInteger.Pow(10, 18) / 1_000_000 * 1_000_000;
                var notional = BigInteger.Abs(PerpHedgeMath.Value(size, mark));
                var equity = notional * new BigInteger(margin * 1e6) / 1_000_000;
                var account = new PerpHedgeAccount(new PerpAccountState(size, equity, equity, mark), new PerpMarketTerms(500, 100_000),
                    new HedgeLimits(BigInteger.Pow(10, 30), 50_000), 18, 6);
                return new HedgeStepInputs(new HedgeCurve(liquidity, lo, hi), oracle, sigma, 18, 18, account, ratio, 0.25, 1e-4, new HedgeCosts(0.0005, 2));
            });

    [Fact]
    public void The_decision_is_the_hedgers_on_x_and_eta_at_the_oracle_price() =>
        Inputs.Sample(i =>
        {
            var (x, slope) = HedgePlanner.CurveDelta(i.Curve.Liquidity, i.Curve.SqrtPriceLowX96, i.Curve.SqrtPriceHighX96, i.OraclePrice, 18, 18);
            var expected = Hedger.Decide(new HedgeInputs(x, i.Account.Size, i.OraclePrice, i.VolatilityPerDay, Math.Abs(slope) * i.OraclePrice * i.VolatilityPerDay, i.RiskAversion, i.Costs), i.Ratio);
            Assert.Equal(expected, HedgePlanner.Decide(i));
            Assert.Equal(-i.Ratio * x, HedgePlanner.Decide(i).TargetSize, 1e-9 * (1 + Math.Abs(x)));
        });

    [Fact]
    public void With_a_reference_holding_the_target_offsets_only_the_pools_deviation_from_it() =>
        Gen.Select(Inputs, Gen.Double[0, 2]).Sample((i, fraction) =>
        {
            var (x, _) = HedgePlanner.Exposure(i);
            var reference = fraction * x; // below, at or above the pool's base
            var decision = HedgePlanner.Decide(i with { ReferenceBase = reference });
            Assert.Equal(-i.Ratio * (x - reference), decision.TargetSize, 1e-9 * (1 + Math.Abs(x)));
            // at the reference itself there is nothing to hedge
            Assert.Equal(0, HedgePlanner.Decide(i with { ReferenceBase = x }).TargetSize, 1e-9 * (1 + Math.Abs(x)));
        });

    [Fact]
    public void A_negative_reference_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => HedgePlanner.Decide(Inputs.Single() with { ReferenceBase = -1 }));

    [Fact]
    public void An_adjust_trades_to_the_target_and_a_hold_orders_nothing() =>
        Inputs.Sample(i =>
        {
            var decision = HedgePlanner.Decide(i);
            if (decision is HedgeHold)
            {
                Assert.Null(HedgePlanner.Order(i, 0));
                return;
            }
            var adjust = Assert.IsType<HedgeAdjust>(decision);
            var order = HedgePlanner.Order(i, adjust.SizeDelta)!;
            Assert.Equal(PerpHedgeMath.Plan(i.Account, adjust.SizeDelta, i.TargetMarginRatio), order);
            // the size is truncated toward the target: never past it, less than one base unit short
            var target = new BigInteger(adjust.TargetSize * 1e18);
            var after = i.Account.Account.Size + order.SizeDelta;
            Assert.True(BigInteger.Abs(after - target) <= BigInteger.Abs(i.Account.Account.Size - target), "the order moves toward the target");
        });
}
