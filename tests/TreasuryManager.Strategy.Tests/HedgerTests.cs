using CsCheck;
using TreasuryManager.Strategy.Hedging;
using TreasuryManager.Models.Risk;

namespace TreasuryManager.Strategy.Tests;

/// <summary>The hedge decision (issue 7, item 2): pure, checked as properties over random inputs.</summary>
public sealed class HedgerTests
{
    private static readonly Gen<(HedgeInputs Inputs, double Ratio)> Cases =
        Gen.Select(Gen.Double[0, 5_000], Gen.Double[-6_000, 6_000], Gen.Double[0.1, 5_000], Gen.Double[0.005, 0.2], Gen.Double[1, 2_000], Gen.Double[1e-7, 1e-3],
                Gen.Select(Gen.Double[0, 0.002], Gen.Double[0, 50], (fee, fixedCost) => new HedgeCosts(fee, fixedCost)), Gen.Double[0, 1])
            .Select((x, perp, price, sigma, eta, gamma, costs, ratio) => (new HedgeInputs(x, perp, price, sigma, eta, gamma, costs), ratio));

    [Fact]
    public void After_an_adjustment_the_position_is_the_target_and_the_net_delta_is_the_unhedged_share()
    {
        Cases.Sample(c =>
        {
            var (i, h) = c;
            if (Hedger.Decide(i, h) is not HedgeAdjust a) return;
            var after = i.PerpSize + a.SizeDelta;
            var scale = Math.Max(1, Math.Abs(i.PoolBase) + Math.Abs(i.PerpSize));
            Assert.Equal(-h * i.PoolBase, after, 1e-9 * scale);
            Assert.Equal((1 - h) * i.PoolBase, i.PoolBase + after, 1e-9 * scale);
            // and the hedger would now hold: the new deviation (0 up to the doubles' rounding of the old sizes) is inside
            // the band — whenever the band is wider than that rounding (a venue whose cost is 1e-60 quote is not one)
            if (a.Band > 1e-9 * scale) Assert.IsType<HedgeHold>(Hedger.Decide(i with { PerpSize = after }, h));
        });
    }

    [Fact]
    public void It_trades_exactly_when_the_deviation_from_the_target_leaves_the_band()
    {
        Cases.Sample(c =>
        {
            var (i, h) = c;
            var d = Hedger.Decide(i, h);
            Assert.Equal(i.PerpSize + h * i.PoolBase, d.Deviation, 1e-9 * Math.Max(1, Math.Abs(d.Deviation)));
            var tolerance = 1e-12 * (Math.Abs(i.PoolBase) + Math.Abs(i.PerpSize));
            Assert.Equal(Math.Abs(d.Deviation) > Math.Max(d.Band, tolerance), d is HedgeAdjust);
        });
    }

    [Fact]
    public void The_band_is_the_fixed_point_of_the_models_band_with_the_cost_of_the_trade_that_resets_it_and_widens_with_cost()
    {
        Cases.Sample(c =>
        {
            var i = c.Inputs;
            var band = Hedger.BandWidth(i);
            var cost = i.Costs.FixedCostQuote + i.Costs.FeeRate * i.Price * band;
            Assert.Equal(Band.Width(cost, i.DeltaVolatilityPerDay, i.RiskAversion, i.VolatilityPerDay * i.Price), band, 1e-9 * Math.Max(1, band));
            var dearer = Hedger.BandWidth(i with { Costs = i.Costs with { FixedCostQuote = i.Costs.FixedCostQuote + 10 } });
            Assert.True(dearer > band, $"band {band} with cost, {dearer} with a dearer venue");
        });
    }

    [Fact]
    public void A_ratio_of_zero_targets_no_position_and_a_free_venue_hedges_any_deviation()
    {
        var i = new HedgeInputs(PoolBase: 1_000, PerpSize: -400, Price: 2_000, VolatilityPerDay: 0.03, DeltaVolatilityPerDay: 200, RiskAversion: 1e-4, new HedgeCosts(0, 0));
        var none = Assert.IsType<HedgeAdjust>(Hedger.Decide(i, 0));
        Assert.Equal(0, none.TargetSize);
        Assert.Equal(400, none.SizeDelta, 9);
        var neutral = Assert.IsType<HedgeAdjust>(Hedger.Decide(i, 1));
        Assert.Equal(-600, neutral.SizeDelta, 9);
        Assert.Equal(0, Hedger.BandWidth(i));
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void A_ratio_outside_zero_to_one_is_refused_by_name(double ratio)
    {
        var i = new HedgeInputs(1, 0, 2, 0.03, 1, 1e-4, new HedgeCosts(0, 1));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Hedger.Decide(i, ratio));
        Assert.Contains("hedge ratio", e.Message);
    }
}
