using CsCheck;
using TreasuryManager.Models.Risk;

namespace TreasuryManager.Models.Tests.Risk;

/// <summary>The width from the fee-versus-LVR trade-off: the gate, the direction of each input, the optimum.</summary>
public sealed class RangeWidthTests
{
    private const double Sigma = 0.05; // per √day
    private const double HMin = 0.005, HMax = 2.3;

    [Fact]
    public void Concentration_is_one_over_one_minus_e_to_the_minus_h_over_two()
    {
        Assert.Equal(1 / (1 - Math.Exp(-0.05)), RangeWidth.Concentration(0.1), 12);
        Assert.InRange(RangeWidth.Concentration(0.01), 2 / 0.01, 2 / 0.01 + 0.51); // ≈ 2/h + 1/2 for a narrow range
        Assert.True(RangeWidth.Concentration(20) < 1.0001); // a very wide range is a full range
    }

    [Fact]
    public void When_fees_cannot_pay_the_loss_the_widest_range_is_chosen()
    {
        // fee yield at ±5% below that width's LVR: σ²/8·c(0.05) = 0.0003125·40.5 ≈ 0.0127/day
        var choice = RangeWidth.Choose(0.05, feeYieldPerDay: 0.005, Sigma, rebalanceCostPerValue: 1e-6, elasticity: 1, HMin, HMax);
        Assert.False(choice.Profitable);
        Assert.Equal(HMax, choice.HalfWidth);
        // captive flow (elasticity 0): concentrating never earns more fees, so the widest range, even with rich fees
        var captive = RangeWidth.Choose(0.05, feeYieldPerDay: 0.05, Sigma, 1e-6, elasticity: 0, HMin, HMax);
        Assert.Equal(HMax, captive.HalfWidth, 9);
    }

    [Fact]
    public void When_fees_beat_the_loss_a_narrower_range_pays_and_the_rebalancing_cost_bounds_it()
    {
        // J ≈ (y₀/c₀ − σ²/8)·2/h − g·σ²/h² peaks at h* ≈ g·σ²/(y₀/c₀ − σ²/8) ≈ 0.058 here
        var choice = RangeWidth.Choose(0.05, feeYieldPerDay: 0.03, Sigma, rebalanceCostPerValue: 0.01, elasticity: 1, HMin, HMax);
        Assert.True(choice.Profitable);
        Assert.True(choice.HalfWidth < HMax && choice.HalfWidth > HMin, $"h = {choice.HalfWidth}");
        // the optimum: no neighbour does better
        foreach (var f in new[] { 0.9, 0.99, 1.01, 1.1 })
            Assert.True(RangeWidth.NetYield(choice.HalfWidth * f, 0.05, 0.03, Sigma, 0.01, 1) <= choice.NetYieldPerDay + 1e-15);
        Assert.InRange(choice.HalfWidth, 0.04, 0.08);
    }

    [Fact]
    public void An_unhedged_range_maximises_its_yield_per_unit_of_risk_which_is_the_widest_while_fees_grow_at_most_with_depth()
    {
        // the same rich fees that make ±0.058 the most profitable range (the test above): unhedged (exposure 1) the PnL's
        // spread grows with c(h), and (fees − LVR − rebalancing)/c(h) is largest at the widest range
        var hedged = RangeWidth.Choose(0.05, feeYieldPerDay: 0.03, Sigma, rebalanceCostPerValue: 0.01, elasticity: 1, HMin, HMax, priceExposure: 0);
        var unhedged = RangeWidth.Choose(0.05, feeYieldPerDay: 0.03, Sigma, rebalanceCostPerValue: 0.01, elasticity: 1, HMin, HMax, priceExposure: 1);
        Assert.InRange(hedged.HalfWidth, 0.04, 0.08);
        Assert.Equal(HMax, unhedged.HalfWidth, 6);
        Assert.True(unhedged.NetYieldPerDay < hedged.NetYieldPerDay, "the unhedged choice gives up expected yield for less risk");
        // its gain is measured at the current range's risk: R(h₀)·J(h*)/R(h*) − J(h₀)
        var r0 = RangeWidth.RiskWeight(0.05, 1);
        Assert.Equal(r0 * unhedged.NetYieldPerDay / RangeWidth.RiskWeight(HMax, 1) - unhedged.CurrentNetYieldPerDay, unhedged.GainPerDay, 12);
        Assert.Equal(hedged.NetYieldPerDay - hedged.CurrentNetYieldPerDay, hedged.GainPerDay, 15);
    }

    [Fact]
    public void A_partial_hedge_chooses_no_wider_than_no_hedge_and_no_narrower_than_a_full_hedge_maximising_yield_per_risk() =>
        Gen.Select(Gen.Double[0.01, 0.08], Gen.Double[0.01, 0.1], Gen.Double[1e-5, 1e-3], Gen.Double[0, 1], Gen.Double[0, 1])
            .Sample((sigma, feeYield, cost, exposure, elasticity) =>
            {
                var choice = RangeWidth.Choose(0.05, feeYield, sigma, cost, elasticity, HMin, HMax, exposure);
                Assert.InRange(choice.HalfWidth, HMin, HMax);
                Assert.True(choice.HalfWidth >= RangeWidth.Choose(0.05, feeYield, sigma, cost, elasticity, HMin, HMax, 0).HalfWidth * (1 - 1e-6), "more exposure must not narrow the range");
                Assert.True(choice.HalfWidth <= RangeWidth.Choose(0.05, feeYield, sigma, cost, elasticity, HMin, HMax, 1).HalfWidth * (1 + 1e-6), "less exposure must not widen the range");
                if (!choice.Profitable) return;
                var best = choice.NetYieldPerDay / RangeWidth.RiskWeight(choice.HalfWidth, exposure);
                foreach (var f in new[] { 0.5, 0.9, 1.1, 2.0 })
                {
                    var h = Math.Clamp(choice.HalfWidth * f, HMin, HMax);
                    var other = RangeWidth.NetYield(h, 0.05, feeYield, sigma, cost, elasticity) / RangeWidth.RiskWeight(h, exposure);
                    Assert.True(other <= best + 1e-12 * Math.Abs(best), $"±{h} gives {other} per unit of risk, above the choice's {best} at ±{choice.HalfWidth}");
                }
            });

    [Fact]
    public void Wider_when_volatility_rises_narrower_when_fee_income_rises() =>
        Gen.Select(Gen.Double[0.01, 0.08], Gen.Double[0.01, 0.1], Gen.Double[1e-5, 1e-3])
            .Sample((sigma, feeYield, cost) =>
            {
                var h = RangeWidth.Choose(0.05, feeYield, sigma, cost, 1, HMin, HMax).HalfWidth;
                Assert.True(RangeWidth.Choose(0.05, feeYield, sigma * 1.5, cost, 1, HMin, HMax).HalfWidth >= h * (1 - 1e-6), "higher σ must not narrow the range");
                Assert.True(RangeWidth.Choose(0.05, feeYield * 1.5, sigma, cost, 1, HMin, HMax).HalfWidth <= h * (1 + 1e-6), "higher fee income must not widen the range");
            });

    [Fact]
    public void Bad_inputs_are_refused_by_name()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RangeWidth.Choose(0.05, 0.01, Sigma, 0, elasticity: 1.5, HMin, HMax));
        Assert.Equal("priceExposure", Assert.Throws<ArgumentOutOfRangeException>(() => RangeWidth.Choose(0.05, 0.01, Sigma, 0, 1, HMin, HMax, priceExposure: 1.5)).ParamName);
        Assert.Equal("priceExposure", Assert.Throws<ArgumentOutOfRangeException>(() => RangeWidth.Choose(0.05, 0.01, Sigma, 0, 1, HMin, HMax, priceExposure: -0.1)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => RangeWidth.Choose(0.05, 0.01, Sigma, 0, 1, HMin, maxHalfWidth: HMin / 2));
        Assert.ThrowsAny<ArgumentException>(() => RangeWidth.Choose(0.05, -0.01, Sigma, 0, 1, HMin, HMax));
    }
}
