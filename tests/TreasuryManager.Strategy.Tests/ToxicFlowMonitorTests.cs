using CsCheck;
using TreasuryManager.Strategy.Estimation;
using TreasuryManager.Strategy.Settings;

namespace TreasuryManager.Strategy.Tests;

/// <summary>The toxic-flow defence's signal (issue 7, item 3): VPIN on the directional flow, the regime ratio, hysteresis.</summary>
public sealed class ToxicFlowMonitorTests
{
    private const double Oracle = 2000;
    private const double Fee = 0.003;
    private const double PoolValue = 4_000_000; // bucket = 3% = 120,000 quote
    private static readonly DefenceSettings Settings = new() { Enabled = true };

    /// <summary>A trade inside the no-arbitrage band, moving the price away from the oracle by 1 bp.</summary>
    private static FlowTrade Away(double quote, bool buys) =>
        new(Oracle, buys ? Oracle * 1.0001 : Oracle * 0.9999, quote, buys);

    /// <summary>The arbitrageur's trade: from outside the band back to its edge.</summary>
    private static FlowTrade ArbitrageBack(double quote, bool buys) =>
        buys ? new(Oracle * (1 - 2 * Fee), Oracle * (1 - Fee), quote, true) : new(Oracle * (1 + 2 * Fee), Oracle * (1 + Fee), quote, false);

    [Fact]
    public void Balanced_flow_keeps_it_off_and_one_sided_flow_turns_it_on_naming_VPIN()
    {
        var m = new ToxicFlowMonitor(Settings);
        long t = 1_000_000;
        for (var i = 0; i < 40; i++) // 40 cycles of 12 balanced trades of 10,000 (one bucket a cycle)
        {
            var trades = Enumerable.Range(0, 12).Select(k => Away(10_000, buys: k % 2 == 0)).ToArray();
            var s = m.Update(t += 300, trades, Oracle, Oracle, Fee, PoolValue);
            Assert.False(s.Active, s.Why);
        }
        Assert.Equal(0, m.Signal.Vpin!.Value, 9);

        DefenceSignal? on = null;
        for (var i = 0; i < 6 && on is null; i++)
        {
            var s = m.Update(t += 300, [.. Enumerable.Repeat(Away(30_000, buys: false), 4)], Oracle, Oracle, Fee, PoolValue);
            if (s.Active) on = s;
        }
        Assert.NotNull(on);
        Assert.True(on.Vpin >= Settings.VpinThreshold, $"{on.Vpin}");
        Assert.Contains("VPIN", on.Why);
        Assert.Equal(t, on.ActiveSince);
    }

    [Fact]
    public void The_arbitrageurs_trades_back_to_the_oracle_are_left_out_so_they_cannot_cancel_the_informed_flow()
    {
        // each informed sell is followed by the arbitrageur's buy of the same size: counted over all trades the flow
        // is balanced; the monitor counts the sells only
        var plain = new ToxicFlowMonitor(Settings);
        var withArbitrage = new ToxicFlowMonitor(Settings);
        long t = 1_000_000;
        for (var i = 0; i < 30; i++)
        {
            t += 300;
            var sells = Enumerable.Repeat(Away(30_000, buys: false), 4).ToArray();
            plain.Update(t, sells, Oracle, Oracle, Fee, PoolValue);
            withArbitrage.Update(t, [.. sells.SelectMany(s => new[] { s, ArbitrageBack(30_000, buys: true) })], Oracle, Oracle, Fee, PoolValue);
        }
        Assert.Equal(1, plain.Signal.Vpin!.Value, 9);
        Assert.Equal(plain.Signal.Vpin, withArbitrage.Signal.Vpin);
        Assert.True(withArbitrage.Signal.Active);
    }

    [Fact]
    public void It_stays_on_until_both_signals_have_been_calm_for_the_calm_spell_then_says_restore()
    {
        var settings = Settings with { CalmSeconds = 3600, VpinBuckets = 1 };
        var m = new ToxicFlowMonitor(settings);
        long t = 1_000_000;
        m.Update(t += 300, [Away(120_000, buys: false)], Oracle, Oracle, Fee, PoolValue);
        Assert.True(m.Signal.Active);
        var since = m.Signal.ActiveSince;
        var balanced = Enumerable.Range(0, 12).Select(k => Away(10_000, buys: k % 2 == 0)).ToArray();
        m.Update(t += 300, balanced, Oracle, Oracle, Fee, PoolValue); // calm from here
        var calmFrom = t;
        while (t + 300 - calmFrom < 3600)
        {
            var s = m.Update(t += 300, balanced, Oracle, Oracle, Fee, PoolValue);
            Assert.True(s.Active, $"off after {t - calmFrom} s of calm: {s.Why}");
            Assert.Equal(since, s.ActiveSince);
        }
        var off = m.Update(t += 300, balanced, Oracle, Oracle, Fee, PoolValue);
        Assert.False(off.Active);
        Assert.Null(off.ActiveSince);
        Assert.Contains("restore", off.Why);
    }

    [Fact]
    public void A_jump_against_a_steady_regime_turns_it_on_by_the_regime_ratio()
    {
        var m = new ToxicFlowMonitor(Settings with { VpinThreshold = 1 });
        long t = 1_000_000;
        var price = Oracle;
        for (var i = 0; i < 400; i++) // a day and more of ±0.1% steps
        {
            price *= i % 2 == 0 ? 1.001 : 1 / 1.001;
            var s = m.Update(t += 300, [], price, Oracle, Fee, PoolValue);
            Assert.False(s.Active, s.Why);
        }
        var jump = m.Update(t += 300, [], price * 0.9, Oracle, Fee, PoolValue);
        Assert.True(jump.Active, jump.Why);
        Assert.True(jump.RegimeRatio >= Settings.RegimeRatioThreshold);
        Assert.Contains("regime", jump.Why);
    }

    [Fact]
    public void VPIN_lies_in_0_1_and_does_not_depend_on_which_side_the_flow_is_on()
    {
        Gen.Select(Gen.Double[1, 50_000].Array[1, 200], Gen.Bool.Array[200]).Sample((sizes, sides) =>
        {
            var a = new ToxicFlowMonitor(Settings with { VpinBuckets = 2 });
            var b = new ToxicFlowMonitor(Settings with { VpinBuckets = 2 });
            var flow = sizes.Select((q, i) => Away(q, sides[i])).ToArray();
            var mirrored = sizes.Select((q, i) => Away(q, !sides[i])).ToArray();
            a.Update(1_000, flow, Oracle, Oracle, Fee, PoolValue / 100);
            b.Update(1_000, mirrored, Oracle, Oracle, Fee, PoolValue / 100);
            Assert.Equal(a.Signal.Vpin, b.Signal.Vpin);
            if (a.Signal.Vpin is { } v) Assert.InRange(v, 0, 1 + 1e-12);
        });
    }

    [Theory]
    [InlineData("VpinThreshold", "Strategy:Defence:VpinThreshold")]
    [InlineData("RegimeReferenceSeconds", "Strategy:Defence:RegimeReferenceSeconds")]
    [InlineData("WidenFactor", "Strategy:Defence:WidenFactor")]
    public void A_bad_setting_is_refused_by_name(string which, string path)
    {
        var bad = which switch
        {
            "VpinThreshold" => Settings with { VpinThreshold = 1.5 },
            "RegimeReferenceSeconds" => Settings with { RegimeReferenceSeconds = 600 },
            _ => Settings with { WidenFactor = 0.5 },
        };
        var e = Assert.Throws<SettingsException>(() => new ToxicFlowMonitor(bad));
        Assert.Equal(path, e.Path);
    }
}
