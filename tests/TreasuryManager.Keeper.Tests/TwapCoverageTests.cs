using TreasuryManager.Keeper.Cycle;
using TreasuryManager.Testing;
using TreasuryManager.Strategy.Decisions;

namespace TreasuryManager.Keeper.Tests;

/// <summary>A freshly deployed pool whose history does not yet cover the policy's TWAP window.</summary>
[Collection(NodeCollection.Name)]
[Trait("Category", "Node")]
public sealed class TwapCoverageTests(LocalNodeFixture node) : TreasuryKeeperTest(node)
{
    protected override long WarmUpSeconds => 0;

    [Fact]
    public async Task A_new_pool_holds_with_TwapNotCovered_naming_the_wait_and_decides_once_the_window_is_covered()
    {
        using var runtime = await StartAsync(Settings(), readOnly: true);

        var early = await runtime.Cycle.RunOnceAsync(act: false);
        var hold = Assert.IsType<Hold>(Assert.Single(early!.Decisions));
        Assert.Equal(HoldReason.TwapNotCovered, hold.Reason);
        var match = System.Text.RegularExpressions.Regex.Match(hold.Detail, @"wait about (\d+) s");
        Assert.True(match.Success, hold.Detail);
        var wait = long.Parse(match.Groups[1].Value);
        Assert.InRange(wait, 500, 600); // the pool was initialised moments ago

        await D.IncreaseTimeAsync(wait / 2);
        var almost = await runtime.Cycle.RunOnceAsync(act: false, evenIfSameBlock: true);
        Assert.Equal(HoldReason.TwapNotCovered, Assert.IsType<Hold>(Assert.Single(almost!.Decisions)).Reason);

        await D.IncreaseTimeAsync(wait - wait / 2 + 2);
        var covered = await runtime.Cycle.RunOnceAsync(act: false, evenIfSameBlock: true);
        Assert.Equal(HoldReason.InsideBand, Assert.IsType<Hold>(Assert.Single(covered!.Decisions)).Reason);
    }
}
