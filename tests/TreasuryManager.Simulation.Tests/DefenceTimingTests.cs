using TreasuryManager.Strategy.Settings;
using TreasuryManager.Strategy.Decisions;

namespace TreasuryManager.Simulation.Tests;

/// <summary>
/// Issue 7, item 3: in a scenario with informed traders ahead of a drop (scenarios/informed-drop.json: informed sellers
/// in the 36 steps before a −20% drop at step 500), the keeper's toxic-flow defence turns on before the drop — inside
/// the informed window, not before it — and re-quotes the pool defensively; on the same paths without the informed
/// sellers it stays off. Then it restores the normal curve once calm.
/// </summary>
public sealed class DefenceTimingTests
{
    private const int Paths = 40;

    private sealed record PathTrace(bool[] Active, int[] FeePips, double[] LogWidth, List<(int Step, StrategyDecision Decision)> Plans, ManagedStrategy Strategy);

    private static PathTrace Run(Scenario s, int path)
    {
        var market = MarketPath.Generate(s, Backtest.PathSeed(1, path));
        // the defence as designed and measured (docs/defence.md): over the ±2σ√(1 day) width it widens by WidenFactor, from
        // the model's fee (with the fixed 0.30% default the signal came on inside the window in 12 of 40 paths, not the 24 it had then; why
        // is not yet understood, and is the defence's next piece of work)
        var strategy = new ManagedStrategy(s, "managed-defended", st => st with { Defence = new DefenceSettings { Enabled = true }, RangeWidth = RangeWidthRule.StdDevs, FeeRule = FeeRule.Model });
        var venues = strategy.Start(market, Units.Raw(s.Pool.BaseAmount), Units.Raw(s.Pool.BaseAmount * s.Price.Initial), InMemoryVenueFactory.Instance);
        var m = new Market(market, venues);
        var active = new bool[s.Steps + 1];
        var fees = new int[s.Steps + 1];
        var widths = new double[s.Steps + 1];
        var plans = new List<(int, StrategyDecision)>();
        for (var t = 1; t <= s.Steps; t++)
        {
            Agents.Step(m, t);
            var before = strategy.Main.LastRepositionTime;
            strategy.OnStep(m, t);
            active[t] = strategy.LastDefence?.Active == true;
            fees[t] = strategy.Main.State.FeePips;
            widths[t] = 2 * Math.Log((double)strategy.Main.State.SqrtPriceHighX96 / (double)strategy.Main.State.SqrtPriceLowX96);
            if (strategy.LastDecision is RebalanceAction && strategy.Main.LastRepositionTime != before) plans.Add((t, strategy.LastDecision));
        }
        return new PathTrace(active, fees, widths, plans, strategy);
    }

    [Fact]
    public void The_defence_turns_on_inside_the_informed_window_before_the_drop_and_not_without_the_informed_sellers()
    {
        var s = ScenarioCatalog.Load("informed-drop");
        var drop = s.Price.ShockStep;
        var windowStart = drop - s.Informed.BeforeShockSteps;
        var control = s with { Informed = s.Informed with { BeforeShockArrivalsPerDay = 0 } };

        int onBeforeDrop = 0, controlOnBeforeDrop = 0, onBeforeWindow = 0;
        for (var p = 0; p < Paths; p++)
        {
            var run = Run(s, p);
            var quiet = Run(control, p);
            // the same market until the informed sellers arrive: the same signal
            Assert.Equal(quiet.Active[..windowStart], run.Active[..windowStart]);
            if (quiet.Active[drop - 1]) controlOnBeforeDrop++;
            if (run.Active[windowStart - 1])
            {
                onBeforeWindow++; // a false alarm already on when the sellers came: not a detection
                continue;
            }
            if (!run.Active[drop - 1]) continue;
            onBeforeDrop++;
            // it came on inside the window, and the keeper re-quoted defensively at once: the pool's fee at least
            // doubled (or at the policy's maximum) and its range more than twice as wide before the drop, by a plan that says why
            var lastOff = Array.FindLastIndex(run.Active, drop - 1, drop - windowStart, a => !a);
            var first = lastOff < 0 ? windowStart : lastOff + 1;
            Assert.InRange(first, windowStart, drop - 1);
            var defend = run.Plans.First(x => x.Step >= first);
            Assert.Equal(first, defend.Step);
            Assert.StartsWith("DEFENCE", ((RebalanceAction)defend.Decision).Reasons[0]);
            Assert.True(run.FeePips[drop - 1] >= Math.Min(2 * run.FeePips[windowStart - 1], s.Strategies.MaxFeePips), $"path {p}: fee {run.FeePips[windowStart - 1]} → {run.FeePips[drop - 1]}");
            Assert.True(run.LogWidth[drop - 1] > 2 * run.LogWidth[windowStart - 1], $"path {p}: log width {run.LogWidth[windowStart - 1]} → {run.LogWidth[drop - 1]}");
        }
        // Measured (seed 1, 40 paths, 2026-12-05, the simulator charging a rebalance 73,852 gas): on before the drop in
        // 17, already on before the sellers came in 2, on before the drop without the sellers in 1; charging anything
        // from 65,000 to 90,000 gas a rebalance gives 17 to 20 (the keeper's re-centres move, and with them the flow the
        // monitor sees). The signal is noisy (docs/defence.md says why); the test pins that it is a signal: it comes on
        // inside the window in well over a third of the paths, and rarely without the sellers.
        Assert.True(onBeforeDrop >= 15, $"the defence came on inside the informed window in {onBeforeDrop} of {Paths} paths");
        Assert.True(onBeforeWindow <= 5, $"on before the informed sellers arrived in {onBeforeWindow} of {Paths} paths");
        Assert.True(controlOnBeforeDrop <= 5, $"without informed sellers it was on before the drop in {controlOnBeforeDrop} of {Paths} paths");
        Assert.True(onBeforeDrop >= 3 * Math.Max(1, controlOnBeforeDrop), $"{onBeforeDrop} with the sellers against {controlOnBeforeDrop} without");
    }

    [Fact]
    public void While_defensive_the_keeper_holds_and_once_calm_it_restores_the_normal_curve()
    {
        // inventory recovery off: after the drop a pool outside its bounds would be re-centred urgently every cycle,
        // and an urgent plan skips the Defensive hold this test is about (CrashRecoveryTests covers the recovery)
        var s = ScenarioCatalog.Load("informed-drop");
        s = s with { Strategies = s.Strategies with { AllowInventoryRecovery = false } };
        var restored = 0;
        for (var p = 0; p < 6; p++)
        {
            var run = Run(s, p);
            var d = run.Strategy.Decisions;
            Assert.Equal(s.Steps, d.Values.Sum());
            if (d.GetValueOrDefault("Defend (VPIN)") + d.GetValueOrDefault("Defend (regime)") == 0) continue;
            Assert.True(d.GetValueOrDefault(nameof(HoldReason.Defensive)) > 0, "never held while defensive");
            // every restore after a defence lowers the fee or narrows the range back (the first step's restore narrows
            // the scenario's wide starting range)
            var firstDefence = run.Plans.First(x => ((RebalanceAction)x.Decision).Reasons[0].StartsWith("DEFENCE", StringComparison.Ordinal)).Step;
            foreach (var (step, decision) in run.Plans.Where(x => x.Step > firstDefence && ((RebalanceAction)x.Decision).Reasons[0].StartsWith("RESTORE", StringComparison.Ordinal)))
            {
                Assert.False(run.Active[step]);
                Assert.True(run.FeePips[step] < run.FeePips[step - 1] || run.LogWidth[step] < run.LogWidth[step - 1] / 1.4,
                    $"path {p} step {step}: the restore neither lowered the fee ({run.FeePips[step - 1]} → {run.FeePips[step]}) nor narrowed the range ({run.LogWidth[step - 1]:0.####} → {run.LogWidth[step]:0.####})");
                restored++;
            }
        }
        Assert.True(restored > 0, "no path restored the normal curve");
    }

    [Fact]
    public void The_keeper_never_sends_the_same_rebalance_twice_in_a_row()
    {
        // a reposition moves no tokens, so the inventory can stay outside the band; the Decider must then hold
        // (AlreadyAtTarget) rather than re-send the curve the pool already has
        var s = TestScenarios.Short("calm");
        var path = MarketPath.Generate(s, 5);
        var strategy = new ManagedStrategy(s, "managed", defence: null, RangeWidthRule.StdDevs);
        var venues = strategy.Start(path, Units.Raw(1000), Units.Raw(2_000_000), InMemoryVenueFactory.Instance);
        var m = new Market(path, venues);
        RebalanceAction? last = null;
        var plans = 0;
        for (var t = 1; t <= s.Steps; t++)
        {
            Agents.Step(m, t);
            var before = strategy.Main.LastRepositionTime;
            strategy.OnStep(m, t);
            if (strategy.LastDecision is not RebalanceAction plan || strategy.Main.LastRepositionTime == before) continue;
            plans++;
            if (last is not null)
            {
                var same = plan.ExpectedSqrtPriceLowX96 == last.ExpectedSqrtPriceLowX96 && plan.ExpectedSqrtPriceHighX96 == last.ExpectedSqrtPriceHighX96
                    && plan.Target.FeePips == last.Target.FeePips;
                Assert.False(same, $"step {t}: the same curve as the last rebalance");
                // the Decider's rule (AlreadyAt): an end moved by more than a tenth of the new target's log width, or a new fee
                var width = Math.Log(plan.PriceHigh / plan.PriceLow);
                Assert.True(Math.Abs(Math.Log(plan.PriceLow / last.PriceLow)) > width / 10 || Math.Abs(Math.Log(plan.PriceHigh / last.PriceHigh)) > width / 10
                    || plan.Target.FeePips != last.Target.FeePips, $"step {t}: a rebalance within a tenth of its width of the last");
            }
            last = plan;
        }
        Assert.True(plans > 0);
        Assert.True(strategy.Decisions.GetValueOrDefault(nameof(HoldReason.AlreadyAtTarget)) > 0, "the dedup never held");
    }
}
