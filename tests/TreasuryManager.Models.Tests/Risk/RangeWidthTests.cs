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
        Assert.Throws<ArgumentOutOfRangeException>(() => RangeWidth.Choose(0.05, 0.01, Sigma, 0, 1, HMin, maxHalfWidth: HMin / 2));
        Assert.ThrowsAny<ArgumentException>(() => RangeWidth.Choose(0.05, -0.01, Sigma, 0, 1, HMin, HMax));
    }
}
