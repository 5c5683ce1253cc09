using System.Numerics;
using CsCheck;
using TreasuryManager.Strategy.Hedging;

namespace TreasuryManager.Strategy.Tests;

/// <summary>The raw arithmetic of a hedge adjustment on PerpMarket: quantisation, the maxNotional clamp, the margin rule.</summary>
public sealed class PerpHedgeMathTests
{
    private static readonly BigInteger E18 = BigInteger.Pow(10, 18);
    private static readonly BigInteger E36 = BigInteger.Pow(10, 36);

    /// <summary>Base 18 decimals, quote 6; price 0.5–5 quote per base; size ±0–20,000 base; equity 0–50,000 quote.</summary>
    private static readonly Gen<(PerpHedgeAccount State, double Delta, double Target)> Cases =
        Gen.Select(Gen.Double[0.5, 5], Gen.Double[-20_000, 20_000], Gen.Double[0, 50_000], Gen.Double[1_000, 60_000], Gen.Int[0, 300_000], Gen.Double[-25_000, 25_000], Gen.Double[0.05, 1])
            .Select((price, size, equity, maxNotional, minPips, delta, target) =>
            {
                var p = new BigInteger(price * 1e6) * E36 / BigInteger.Pow(10, 18); // quote units per base unit × 1e36
                var sizeRaw = new BigInteger(size * 1e18);
                var equityRaw = new BigInteger(equity * 1e6);
                var limits = new HedgeLimits(new BigInteger(maxNotional * 1e6), minPips);
                var terms = new PerpMarketTerms(500, 100_000);
                var account = new PerpAccountState(sizeRaw, equityRaw, equityRaw, p);
                return (new PerpHedgeAccount(account, terms, limits, 18, 6), delta, target);
            });

    [Fact]
    public void Value_rounds_toward_minus_infinity_like_the_market()
    {
        var p = E36 / 3; // a third of a quote unit per base unit
        Assert.Equal(new BigInteger(3), PerpHedgeMath.Value(10, p));
        Assert.Equal(new BigInteger(-4), PerpHedgeMath.Value(-10, p));
        Assert.Equal(new BigInteger(4), PerpHedgeMath.Notional(-10, p));
        Assert.Equal(BigInteger.Zero, PerpHedgeMath.Value(0, p));
    }

    [Fact]
    public void A_plan_never_exceeds_max_notional_rounds_toward_the_target_and_leaves_the_margin_at_or_above_the_target_ratio()
    {
        Cases.Sample(c =>
        {
            var (s, delta, target) = c;
            var plan = PerpHedgeMath.Plan(s, delta, target);
            var p = s.Account.MarkPrice;
            Assert.Equal(s.Account.Size + plan.SizeDelta, plan.NewSize);
            Assert.True(plan.NotionalAfter <= s.Limits.MaxNotional, $"notional {plan.NotionalAfter} > max {s.Limits.MaxNotional}");
            Assert.Equal(PerpHedgeMath.Notional(plan.NewSize, p), plan.NotionalAfter);
            var wanted = delta * 1e18;
            if (!plan.Clamped)
            {
                // truncated toward zero: never past the target, less than one base unit short of it (beyond the doubles' rounding)
                Assert.True(BigInteger.Abs(plan.SizeDelta) <= new BigInteger(Math.Abs(wanted)) , $"{plan.SizeDelta} overshoots {wanted}");
                Assert.True(Math.Abs((double)plan.SizeDelta - wanted) <= 1 + Math.Abs(wanted) * 1e-15);
            }
            else
            {
                Assert.Contains("maxNotional", plan.Detail);
                Assert.Equal(PerpHedgeMath.MaxAbsSize(s.Limits.MaxNotional, p), BigInteger.Abs(plan.NewSize));
            }
            var floor = Math.Max((long)Math.Ceiling(target * 1e6), Math.Max(s.Limits.MinMarginRatioPips, 100_000) + PerpHedgeMath.SafetyPips);
            Assert.Equal(floor, plan.TargetMarginRatioPips);
            if (plan.NotionalAfter.IsZero) { Assert.True(plan.MarginDelta.IsZero); return; }
            var ratio = plan.EquityAfter * 1_000_000 / plan.NotionalAfter;
            Assert.True(ratio >= (BigInteger)plan.TargetMarginRatioPips || plan.MarginDelta.Sign == 0 && plan.EquityAfter * 1_000_000 >= plan.NotionalAfter * plan.TargetMarginRatioPips,
                $"ratio {ratio} pips after, target {plan.TargetMarginRatioPips}");
            Assert.True(ratio >= s.Limits.MinMarginRatioPips, "the vault's minimum holds after the trade");
            if (plan.MarginDelta.Sign < 0)
                Assert.True(plan.EquityAfter - plan.MarginDelta > 2 * ((plan.NotionalAfter * plan.TargetMarginRatioPips + 999_999) / 1_000_000), "withdraws only when well above twice the target");
        });
    }

    [Fact]
    public void The_fee_is_the_markets_ceil_of_the_floored_notional_times_the_pips()
    {
        Cases.Sample(c =>
        {
            var plan = PerpHedgeMath.Plan(c.State, c.Delta, c.Target);
            // the contract: floor(|Δ|·p/1e36), then the ceiling of × pips / 1e6 (a sell's |floor(Δ·p/1e36)| is one more when inexact)
            var notional = BigInteger.Abs(plan.SizeDelta) * c.State.Account.MarkPrice / BigInteger.Pow(10, 36);
            var fee = plan.SizeDelta.IsZero ? 0 : (notional * 500 + 999_999) / 1_000_000;
            Assert.Equal(fee, plan.Fee);
            Assert.Equal(c.State.Account.Equity - fee + plan.MarginDelta, plan.EquityAfter);
        });
    }
}
