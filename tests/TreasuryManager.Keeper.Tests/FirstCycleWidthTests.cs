using TreasuryManager.Keeper.Cycle;
using TreasuryManager.Keeper.Execution;
using TreasuryManager.Models.Policy;
using TreasuryManager.Strategy.Decisions;
using TreasuryManager.Strategy.Settings;
using TreasuryManager.Testing;

namespace TreasuryManager.Keeper.Tests;

/// <summary>
/// The default width rule (FeeVersusLvr) on a real node: a fresh unhedged pool narrower than the policy's widest range is
/// widened in the keeper's first cycle, before any fee is seen (docs/models.md, "The width": the gate's widest range
/// saves the loss of a concentration nobody chose), and then holds.
/// </summary>
[Collection(NodeCollection.Name)]
[Trait("Category", "Node")]
public sealed class FirstCycleWidthTests(LocalNodeFixture node) : TreasuryKeeperTest(node)
{
    [Fact]
    public async Task A_fresh_unhedged_pool_is_widened_to_the_policys_widest_range_in_the_first_cycle_and_then_holds()
    {
        var settings = Settings(s => s with { Strategy = new StrategySettings() });
        Assert.Equal(RangeWidthRule.FeeVersusLvr, settings.Strategy.RangeWidth);
        var policy = (await D.Vault.PolicyOfAsync(D.Pool.Address)).Params;
        var before = await D.Pool.GetStateAsync();
        var widthBefore = VaultPolicyMath.WidthBps(before.SqrtPriceHighX96, before.SqrtPriceLowX96);
        Assert.True(widthBefore < policy.MaxWidthBps * 9 / 10, $"the deployed pool ({widthBefore} bps) must start narrower than the widest ({policy.MaxWidthBps} bps)");
        using var runtime = await StartAsync(settings);

        var first = await runtime.Cycle.RunOnceAsync(act: true);
        var plan = Assert.IsType<Plan>(Assert.Single(first!.Decisions));
        Assert.Equal(RebalanceTrigger.RangeWidth, plan.Action.Trigger);
        Assert.Equal(RebalanceKind.Normal, plan.Kind);
        Assert.Contains("no fee income seen yet", string.Join("; ", plan.Action.Reasons), StringComparison.Ordinal);
        var mined = Assert.IsType<ExecutionOutcome.Mined>(Assert.Single(first.Outcomes));
        Assert.True(mined.Receipt!.Succeeded);
        var after = await D.Pool.GetStateAsync();
        var widthAfter = VaultPolicyMath.WidthBps(after.SqrtPriceHighX96, after.SqrtPriceLowX96);
        Assert.InRange(widthAfter, policy.MaxWidthBps * 9 / 10, policy.MaxWidthBps);
        Assert.Equal(plan.ExpectedLiquidity, after.Liquidity);

        // at the gate's width now: once the interval has passed, the band's hold
        await D.IncreaseTimeAsync((long)policy.MinRebalanceInterval + 1);
        var next = await runtime.Cycle.RunOnceAsync(act: true);
        Assert.Equal(HoldReason.InsideBand, Assert.IsType<Hold>(Assert.Single(next!.Decisions)).Reason);
    }
}
