using TreasuryManager.Strategy.Estimation;
using TreasuryManager.Strategy.Settings;

namespace TreasuryManager.Strategy.Tests;

/// <summary>
/// The toxic-flow monitor at its edges, with one VPIN bucket of half the pool's value (so VPIN is the last bucket's
/// imbalance over its volume, by hand): the threshold is inclusive, the exit needs the lower exit level for the calm
/// spell, the defence's start time sticks, same-second cycles count their trades, and which trades count.
/// </summary>
public sealed class ToxicFlowMonitorEdgeTests
{
    private const long T0 = 1_800_000_000;
    private const double Oracle = 100, Value = 1000; // bucket = 500 quote

    private static readonly DefenceSettings Settings = new()
    {
        VpinBuckets = 1, VpinBucketFraction = 0.5, VpinThreshold = 1.0, ExitFraction = 0.5, CalmSeconds = 600,
    };

    private static FlowTrade Buy(double quote, double before = Oracle, double after = Oracle * 1.001) => new(before, after, quote, BuysBase: true);
    private static FlowTrade Sell(double quote) => new(Oracle, Oracle * 0.999, quote, BuysBase: false);

    private static DefenceSignal Step(ToxicFlowMonitor m, long t, params FlowTrade[] trades) => m.Update(t, trades, Oracle, Oracle, 0.003, Value);

    [Fact]
    public void Vpin_at_exactly_the_threshold_is_toxic_and_the_defence_keeps_its_start()
    {
        var m = new ToxicFlowMonitor(Settings);
        Assert.False(m.Signal.Active);
        var first = Step(m, T0, Buy(500));
        Assert.Equal(1.0, first.Vpin);
        Assert.True(first.Active);
        Assert.Equal(DefenceTrigger.Vpin, first.Trigger);
        Assert.Equal(T0, first.ActiveSince);
        var second = Step(m, T0 + 300, Buy(500));
        Assert.Equal(T0, second.ActiveSince);
    }

    [Fact]
    public void The_defence_ends_only_after_the_calm_spell_below_the_exit_level()
    {
        var m = new ToxicFlowMonitor(Settings);
        Step(m, T0, Buy(500));
        // VPIN 0.6: below the threshold 1 but above the exit level 0.5: still defensive, however long.
        for (var i = 1; i <= 6; i++)
        {
            var s = Step(m, T0 + 300L * i, Buy(400), Sell(100));
            Assert.Equal(0.6, s.Vpin!.Value, 12);
            Assert.True(s.Active);
            Assert.Null(s.Trigger);
        }
        // A balanced bucket (VPIN 0) starts the calm spell; the defence ends 600 s later, not before.
        var calmFrom = T0 + 300L * 7;
        Assert.True(Step(m, calmFrom, Buy(250), Sell(250)).Active);
        Assert.True(Step(m, calmFrom + 300).Active);
        var restored = Step(m, calmFrom + 600);
        Assert.False(restored.Active);
        Assert.Null(restored.ActiveSince);
    }

    [Fact]
    public void A_cycle_in_the_same_second_counts_its_trades()
    {
        var m = new ToxicFlowMonitor(Settings);
        Assert.Null(Step(m, T0, Buy(250)).Vpin);
        Assert.Equal(1.0, Step(m, T0, Buy(250)).Vpin);
    }

    [Fact]
    public void Trades_count_only_with_a_pool_value_an_oracle_and_prices_and_not_when_arbitraging_back()
    {
        var m = new ToxicFlowMonitor(Settings);
        // No pool value yet: no bucket, nothing counted (and no error).
        Assert.Null(m.Update(T0, [Buy(500)], Oracle, Oracle, 0.003, 0).Vpin);
        // No oracle price: nothing counted.
        Assert.Null(m.Update(T0 + 300, [Buy(500)], Oracle, 0, 0.003, Value).Vpin);
        // A trade without a price after it is not a trade.
        Assert.Null(Step(m, T0 + 600, Buy(500, after: 0)).Vpin);
        // From 1% off the oracle back towards it: arbitrage, not counted.
        Assert.Null(Step(m, T0 + 900, Buy(500, before: 101, after: 100.5)).Vpin);
        // From inside the fee (0.2% off, fee 0.3%) towards the oracle: counted.
        Assert.Equal(1.0, Step(m, T0 + 1200, Buy(500, before: 100.2, after: 100.1)).Vpin);
        // Off the oracle and not moving towards it: counted.
        var n = new ToxicFlowMonitor(Settings);
        Assert.Equal(1.0, Step(n, T0, Buy(500, before: 101, after: 101)).Vpin);
        // A pool without a price (a failed read) updates no volatility and is no error; a constant price has no ratio.
        Assert.Null(n.Update(T0 + 300, [], 0, Oracle, 0.003, Value).RegimeRatio);
        for (var i = 2; i < 20; i++) Assert.Null(Step(n, T0 + 300L * i).RegimeRatio);
        Assert.Throws<ArgumentNullException>(() => new ToxicFlowMonitor(null!));
    }

    [Fact]
    public void A_jump_after_a_quiet_day_is_a_volatility_regime()
    {
        var m = new ToxicFlowMonitor(new DefenceSettings());
        var price = Oracle;
        DefenceSignal s = m.Signal;
        for (var i = 0; i < 40; i++)
        {
            price = Oracle * (1 + (i % 2 == 0 ? 1e-4 : -1e-4));
            s = m.Update(T0 + 300L * i, [], price, Oracle, 0.003, Value);
            Assert.False(s.Active);
        }
        s = m.Update(T0 + 300L * 40, [], price * 1.1, Oracle, 0.003, Value);
        Assert.True(s.RegimeRatio >= 5, $"ratio {s.RegimeRatio}");
        // The ratio is the short EWMA σ (30 min) over the reference (1 day), both fed the pool's prices in days.
        var shortEwma = new TreasuryManager.Models.Estimators.EwmaVolatility(1800 / 86_400.0, 3);
        var longEwma = new TreasuryManager.Models.Estimators.EwmaVolatility(86_400 / 86_400.0, 12);
        for (var i = 0; i <= 40; i++)
        {
            var p = i < 40 ? Oracle * (1 + (i % 2 == 0 ? 1e-4 : -1e-4)) : price * 1.1;
            shortEwma.Update((T0 + 300L * i) / 86_400.0, p);
            longEwma.Update((T0 + 300L * i) / 86_400.0, p);
        }
        Assert.Equal(shortEwma.Volatility!.Value / longEwma.Volatility!.Value, s.RegimeRatio!.Value, 12);
        Assert.True(s.Active);
        Assert.Equal(DefenceTrigger.Regime, s.Trigger);
        Assert.Null(s.Vpin);
    }
}
