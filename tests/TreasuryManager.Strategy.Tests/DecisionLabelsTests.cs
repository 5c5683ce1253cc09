using System.Numerics;
using TreasuryManager.Strategy.Decisions;

namespace TreasuryManager.Strategy.Tests;

/// <summary>Which rebalances skip the gas ceiling and the benefit gate, and the labels they are counted under.</summary>
public sealed class DecisionLabelsTests
{
    private static RebalanceAction Of(RebalanceKind kind, RebalanceTrigger trigger) =>
        new(kind, trigger, new CurveTarget(BigInteger.One << 96, BigInteger.One << 95, 3000), 1, 1, 2, 1, 0.25, 4, 10, 1, 90_000, [],
            new InventoryView(1, 1, 1, 1, 5000, 0, 1, 0.05, "feed", 60));

    [Theory]
    [InlineData(RebalanceKind.Normal, RebalanceTrigger.InventoryBand, false, true, "Rebalance")]
    [InlineData(RebalanceKind.Urgent, RebalanceTrigger.HardLimit, true, false, "Rebalance (urgent)")]
    [InlineData(RebalanceKind.Defend, RebalanceTrigger.Vpin, true, false, "Defend (VPIN)")]
    [InlineData(RebalanceKind.Defend, RebalanceTrigger.VolatilityRegime, true, false, "Defend (regime)")]
    [InlineData(RebalanceKind.Restore, RebalanceTrigger.Calm, false, false, "Restore")]
    public void Only_urgent_and_defensive_rebalances_skip_the_ceiling_and_only_normal_ones_are_gated(
        RebalanceKind kind, RebalanceTrigger trigger, bool urgent, bool gated, string label)
    {
        var action = Of(kind, trigger);
        Assert.Equal(urgent, action.Urgent);
        Assert.Equal(gated, action.GatedByBenefit);
        Assert.Equal(label, action.CountLabel);
        Assert.Same(action.View, action.Inventory);
    }

    [Fact]
    public void A_hold_is_counted_under_its_reason()
    {
        Assert.Equal("TooSoon", DecisionLabels.Of(HoldReason.TooSoon));
        var view = new InventoryView(1, 1, 1, 1, 5000, 0, 1, 0.05, "feed", 60);
        Assert.Same(view, new HoldAction(HoldReason.InsideBand, "inside", view).Inventory);
    }
}
