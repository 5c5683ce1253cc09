using System.Numerics;
using TreasuryManager.Models.Curve;
using TreasuryManager.Strategy.Rules;

namespace TreasuryManager.Strategy.Tests;

/// <summary>The shared rules at their boundaries: the gas rules, the feed's staleness, the rolling TWAP, the range fit's preference.</summary>
public sealed class RulesTests
{
    [Fact]
    public void Benefit_beats_gas_from_exactly_the_margin()
    {
        Assert.True(GasRules.BenefitBeatsGas(30, 10, 3));
        Assert.False(GasRules.BenefitBeatsGas(29.999, 10, 3));
        Assert.True(GasRules.BenefitBeatsGas(0, 0, 3));
        // 90,000 gas × 20 gwei × 3000 quote/ETH = 5.4 quote.
        Assert.Equal(5.4, GasRules.Cost(90_000, 20_000_000_000, 3000), 12);
    }

    [Fact]
    public void Only_a_non_urgent_transaction_waits_and_only_above_the_ceiling()
    {
        Assert.True(GasRules.WaitsForGas(false, 101, 100));
        Assert.False(GasRules.WaitsForGas(false, 100, 100));
        Assert.False(GasRules.WaitsForGas(true, 101, 100));
    }

    [Fact]
    public void A_feed_is_stale_one_second_past_its_heartbeat()
    {
        Assert.False(FeedFreshness.IsStale(now: 4600, updatedAt: 1000, heartbeatSeconds: 3600));
        Assert.True(FeedFreshness.IsStale(now: 4601, updatedAt: 1000, heartbeatSeconds: 3600));
        Assert.Equal(3601, FeedFreshness.Age(4601, 1000));
        Assert.Equal(-5, FeedFreshness.Age(995, 1000));
    }

    [Fact]
    public void Rolling_twap_is_the_mean_of_the_last_window_samples()
    {
        Assert.Equal("window", Assert.Throws<ArgumentOutOfRangeException>(() => new RollingTwap(0)).ParamName);
        var twap = new RollingTwap(3);
        Assert.Equal(3, twap.Window);
        Assert.True(double.IsNaN(twap.MeanLogPrice));
        twap.Add(1);
        Assert.Equal(1, twap.MeanLogPrice);
        twap.Add(2);
        Assert.Equal(1.5, twap.MeanLogPrice);
        twap.Add(6);
        Assert.Equal(3, twap.MeanLogPrice);
        twap.Add(10); // 1 drops out: (2 + 6 + 10)/3
        Assert.Equal(6, twap.MeanLogPrice);
        var one = new RollingTwap(1);
        one.Add(4);
        one.Add(7);
        Assert.Equal(7, one.MeanLogPrice);
    }

    [Fact]
    public void The_bound_giving_the_larger_liquidity_is_tried_first()
    {
        var q96 = BigInteger.One << 96;
        var p = 10 * q96;
        var low = 9 * q96;
        var high = 11 * q96;
        // From the lower bound L = r1·2^96/(P − A) = r1; from the upper L = r0·P·B/((B − P)·2^96) = 110·r0.
        Assert.Equal([low, high], RangeFit.PreferredBounds(p, low, high, r0: 1, r1: 110));
        Assert.Equal([low, high], RangeFit.PreferredBounds(p, low, high, r0: 1, r1: 111));
        Assert.Equal([high, low], RangeFit.PreferredBounds(p, low, high, r0: 1, r1: 109));
        // A bound on the wrong side of the price gives no liquidity.
        Assert.Equal([high, p], RangeFit.PreferredBounds(p, p, high, r0: 1, r1: 1000));
        Assert.Equal([low, p], RangeFit.PreferredBounds(p, low, p, r0: 1000, r1: 1));
    }

    [Fact]
    public void A_fit_holds_the_reserves_and_an_empty_pool_fits_nothing()
    {
        var sqrt = Uint.SqrtPriceX96FromPrice(2000);
        var reserve = BigInteger.Pow(10, 21);
        var state = new PoolState(sqrt, 0, 0, reserve, 2000 * reserve, 3000, 0);
        var (fit, failure) = RangeFit.Fit(state, sqrt, 2000, 0.1);
        Assert.Null(failure);
        var f = fit!.Value;
        Assert.True(f.Low < sqrt && sqrt < f.High);
        Assert.True(f.Liquidity > 0);
        Assert.True(f.Bound == f.Low || f.Bound == f.High);
        // Balanced reserves on a symmetric range: both bounds land near e^(∓0.05) of the centre's square root.
        Assert.Equal(Math.Exp(-0.05), (double)f.Low / (double)sqrt, 3);
        Assert.Equal(Math.Exp(0.05), (double)f.High / (double)sqrt, 3);
        // Quote-rich reserves: the lower bound gives the larger liquidity, is sent, and sits at e^(−0.1) of the price.
        var quoteRich = state with { Reserve1 = 20_000 * reserve };
        var q = RangeFit.Fit(quoteRich, sqrt, 2000, 0.1).Fit!.Value;
        Assert.Equal(q.Low, q.Bound);
        Assert.Equal(Math.Exp(-0.05), (double)q.Low / (double)sqrt, 9);
        var empty = state with { Reserve0 = 0, Reserve1 = 0 };
        Assert.Null(RangeFit.Fit(empty, sqrt, 2000, 0.1).Fit);
    }
}
