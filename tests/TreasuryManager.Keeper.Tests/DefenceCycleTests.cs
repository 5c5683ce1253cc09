using TreasuryManager.Keeper.Configuration;
using TreasuryManager.Keeper.Cycle;
using TreasuryManager.Keeper.Execution;
using TreasuryManager.Testing;
using TreasuryManager.Strategy.Settings;
using TreasuryManager.Strategy.Decisions;

namespace TreasuryManager.Keeper.Tests;

/// <summary>
/// The toxic-flow defence on a real node (issue 7, item 3): the keeper's cycle reads the pool's Swap events, its
/// monitor sees one-sided flow, and the keeper re-quotes the pool defensively (fee raised within the policy, range
/// widened) with a real rebalance; it then holds while defensive, and restores the normal curve after the calm spell.
/// </summary>
[Collection(NodeCollection.Name)]
[Trait("Category", "Node")]
public sealed class DefenceCycleTests(LocalNodeFixture node) : TreasuryKeeperTest(node)
{
    // the pool holds ≈ 400,000 quote of value: a bucket of 1% is 4,000 quote; one bucket decides
    private static readonly DefenceSettings Defence = new() { Enabled = true, VpinBucketFraction = 0.01, VpinBuckets = 1, CalmSeconds = 600 };

    // the σ rule's width: the normal range is narrow enough for the defence to widen it (the trade-off's width, the
    // widest allowed before fees are seen, leaves nothing to widen)
    private TreasurySettings WithDefence(DefenceSettings defence) => Settings(s => s with { Strategy = s.Strategy with { Defence = defence } });

    [Fact]
    public async Task One_sided_flow_makes_the_keeper_raise_the_fee_and_widen_then_hold_then_restore_once_calm()
    {
        using var runtime = await StartAsync(WithDefence(Defence));
        var first = await runtime.Cycle.RunOnceAsync(act: true);
        Assert.Equal(HoldReason.InsideBand, Assert.IsType<Hold>(Assert.Single(first!.Decisions)).Reason);
        var normal = await D.Pool.GetStateAsync();

        // three sells of 1,000 base (≈ 6,000 quote, all pushing the price down from the oracle): VPIN = 1
        for (var i = 0; i < 3; i++) await SellBaseAsync(1_000m);
        var defend = await runtime.Cycle.RunOnceAsync(act: true);
        var plan = Assert.Single(defend!.Plans);
        Assert.StartsWith("DEFENCE: VPIN 1", plan.Reasons[0]);
        Assert.True(plan.Urgent);
        Assert.True(Assert.IsType<ExecutionOutcome.Mined>(Assert.Single(defend.Outcomes)).Receipt!.Succeeded);
        var defended = await D.Pool.GetStateAsync();
        Assert.Equal(plan.Target.FeePips, defended.FeePips);
        Assert.True(defended.FeePips >= 2 * normal.FeePips, $"fee {normal.FeePips} → {defended.FeePips}");
        Assert.True(Width(defended) > 2 * Width(normal), $"log width {Width(normal)} → {Width(defended)}");

        // still one-sided: the keeper holds, it does not re-send the defensive curve
        await D.IncreaseTimeAsync(120);
        var hold = await runtime.Cycle.RunOnceAsync(act: true);
        Assert.Equal(HoldReason.Defensive, Assert.IsType<Hold>(Assert.Single(hold!.Decisions)).Reason);

        // balanced flow fills a new bucket: VPIN falls; after CalmSeconds of calm the normal curve comes back
        await D.SwapAsync(zeroForOne: false, D.QuoteUnits(3_000m));
        await D.SwapAsync(zeroForOne: true, D.BaseUnits(1_500m));
        var calmFrom = await runtime.Cycle.RunOnceAsync(act: true);
        Assert.Equal(HoldReason.Defensive, Assert.IsType<Hold>(Assert.Single(calmFrom!.Decisions)).Reason);
        await D.IncreaseTimeAsync(650);
        var restore = await runtime.Cycle.RunOnceAsync(act: true);
        var back = Assert.Single(restore!.Plans);
        Assert.StartsWith("RESTORE", back.Reasons[0]);
        Assert.True(Assert.IsType<ExecutionOutcome.Mined>(Assert.Single(restore.Outcomes)).Receipt!.Succeeded);
        var restored = await D.Pool.GetStateAsync();
        Assert.True(restored.FeePips < defended.FeePips, $"fee {defended.FeePips} → {restored.FeePips}");
        Assert.True(Width(restored) < Width(defended) / 2, $"log width {Width(defended)} → {Width(restored)}");
    }

    [Fact]
    public async Task With_the_defence_off_the_same_flow_changes_nothing()
    {
        using var runtime = await StartAsync(WithDefence(Defence with { Enabled = false }));
        await runtime.Cycle.RunOnceAsync(act: true);
        var before = await D.Pool.GetStateAsync();
        for (var i = 0; i < 3; i++) await SellBaseAsync(1_000m);
        var report = await runtime.Cycle.RunOnceAsync(act: true);
        Assert.Equal(HoldReason.InsideBand, Assert.IsType<Hold>(Assert.Single(report!.Decisions)).Reason);
        Assert.Equal(before.FeePips, (await D.Pool.GetStateAsync()).FeePips);
    }

    private static double Width(Contracts.Bindings.ManagedPool.PoolState s) =>
        2 * Math.Log((double)s.SqrtPriceHighX96 / (double)s.SqrtPriceLowX96);
}
