using TreasuryManager.Strategy.Decisions;
using TreasuryManager.Strategy.Settings;

namespace TreasuryManager.Simulation.Tests;

/// <summary>
/// No freeze in a crash: after the −30% jump a narrow-ranged pool is pushed past its inventory bounds. Without the
/// policy's inventory recovery the keeper holds OutsidePolicy cycle after cycle; with it, it re-centres (skew toward
/// the target only) and goes back to deciding normally.
/// </summary>
public sealed class CrashRecoveryTests
{
    private static (ManagedStrategy Strategy, int RebalancesAfterShock) Run(bool allowRecovery)
    {
        var s = ScenarioCatalog.Load("crash");
        s = s with { Strategies = s.Strategies with { AllowInventoryRecovery = allowRecovery } };
        var path = MarketPath.Generate(s, Backtest.PathSeed(1, 0));
        // the ±2σ√(1 day) width: narrow enough that the jump takes the pool out of its bounds
        var strategy = new ManagedStrategy(s, "managed", defence: null, RangeWidthRule.StdDevs);
        var venues = strategy.Start(path, Units.Raw(s.Pool.BaseAmount), Units.Raw(s.Pool.BaseAmount * s.Price.Initial), InMemoryVenueFactory.Instance);
        var m = new Market(path, venues);
        var after = 0;
        for (var t = 1; t <= s.Steps; t++)
        {
            Agents.Step(m, t);
            var before = strategy.Main.LastRepositionTime;
            strategy.OnStep(m, t);
            if (t > s.Price.ShockStep && strategy.Main.LastRepositionTime != before) after++;
        }
        return (strategy, after);
    }

    [Fact]
    public void With_recovery_allowed_the_keeper_acts_after_the_crash_and_without_it_it_freezes()
    {
        var frozen = Run(allowRecovery: false);
        var outside = frozen.Strategy.Decisions.GetValueOrDefault(nameof(HoldReason.OutsidePolicy));
        Assert.True(outside > 100, $"the reproduction needs a pool frozen outside its bounds ({outside} OutsidePolicy holds)");

        var recovering = Run(allowRecovery: true);
        Assert.Equal(0, recovering.Strategy.Decisions.GetValueOrDefault(nameof(HoldReason.OutsidePolicy)));
        Assert.True(recovering.RebalancesAfterShock > frozen.RebalancesAfterShock,
            $"after the shock: {recovering.RebalancesAfterShock} rebalances with recovery, {frozen.RebalancesAfterShock} without");
    }
}
