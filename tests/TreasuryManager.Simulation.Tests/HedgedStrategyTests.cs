namespace TreasuryManager.Simulation.Tests;

public sealed class HedgedStrategyTests
{
    private static (HedgedStrategy Strategy, Market Market) Run(MarketPath path, string name = "hedged", bool againstHold = true)
    {
        var s = path.Scenario;
        var strategy = new HedgedStrategy(s, name, defended: name == "defended", againstHold) { Log = [] };
        var base0 = Units.Raw(s.Pool.BaseAmount);
        var quote0 = Units.Raw(s.Pool.BaseAmount * s.Price.Initial);
        var market = new Market(path, strategy.Start(path, base0, quote0, InMemoryVenueFactory.Instance));
        for (var t = 1; t <= path.Steps; t++)
        {
            Agents.Step(market, t);
            strategy.OnStep(market, t);
        }
        return (strategy, market);
    }

    [Theory]
    [InlineData("calm", 0, "hedged")]
    [InlineData("volatile", 1, "hedged")]
    [InlineData("crash", 2, "hedged")]
    [InlineData("trending", 3, "hedged")]
    [InlineData("informed-drop", 4, "defended")]
    public void After_every_hedge_step_the_net_delta_is_within_the_hedgers_band_of_the_target(string scenario, int seed, string name)
    {
        var s = TestScenarios.Short(scenario, 576);
        for (var p = 0; p < 2; p++)
        {
            var path = MarketPath.Generate(s, Backtest.PathSeed((ulong)seed, p));
            var (strategy, _) = Run(path, name);
            var log = strategy.Log!;
            Assert.Equal(path.Steps / s.Strategies.KeeperEverySteps, log.Count);
            Assert.Contains(log, r => r.Traded);
            foreach (var r in log)
            {
                // net delta = pool base + perp size; the hedger's target for it is reference + (1 − h)·(x(P) − reference):
                // the hedge offsets the pool's deviation from the base it started with (the hold benchmark's holding)
                Assert.Equal(s.Pool.BaseAmount, r.ReferenceBase);
                var deviation = r.PoolBase - r.ReferenceBase;
                var netDeviation = r.PoolBase + r.PerpSize - (r.ReferenceBase + (1 - s.Perp.HedgeRatio) * deviation);
                Assert.True(Math.Abs(r.PerpSize + s.Perp.HedgeRatio * deviation) <= r.Band + 1e-9 * (1 + r.PoolBase),
                    $"{scenario} path {p} step {r.Step}: net delta off target by {netDeviation:G6} base, band ±{r.Band:G6}");
                if (r.Traded) Assert.Equal(r.Target, r.PerpSize, 1e-15 * (1 + Math.Abs(r.Target)) + 1e-18); // to the wei
            }
        }
    }

    [Fact]
    public void The_hedged_strategys_PnL_is_the_managed_pools_PnL_plus_the_perps_PnL_minus_the_hedges_gas()
    {
        var s = TestScenarios.Short("crash", 576);
        var path = MarketPath.Generate(s, Backtest.PathSeed(4, 0));
        // the whole inventory hedged (short x(P)): in the crash the short gains
        // the same pool decisions: the keeper's width for the hedge's exposure, without the hedge
        var results = Backtest.RunPath(path, ["managed-hedged-width", "hedged-inventory"]);
        var (managed, hedged) = (results[0], results[1]);
        Assert.Null(managed.Hedge);
        var h = Assert.IsType<HedgeStats>(hedged.Hedge);
        Assert.True(h.Trades > 0);
        Assert.True(h.Fees > 0);
        // the hedge does not touch the pool: same fees, LVR, rebalances; the difference is the perp and its gas
        Assert.Equal(managed.Fees, hedged.Fees);
        Assert.Equal(managed.Rebalances, hedged.Rebalances);
        var hedgeGas = hedged.GasSpent - managed.GasSpent;
        Assert.True(hedgeGas > 0, "the hedge's trades were charged gas");
        Assert.Equal(managed.PnlVsHold + h.PerpPnl - hedgeGas, hedged.PnlVsHold, 1e-6 * (1 + Math.Abs(hedged.PnlVsHold)));
        // in the crash the short gains: the hedged strategy loses less to the jump than the unhedged one
        Assert.True(h.PerpPnl > 0, $"perp PnL {h.PerpPnl} in a −30% crash with a short hedge");
        Assert.True(hedged.PnlVsHold > managed.PnlVsHold);
    }

    [Fact]
    public void Funding_at_the_scenarios_rate_is_received_by_the_short_about_rate_times_notional_per_interval()
    {
        var s = TestScenarios.Short("calm", 576) with { Perp = new PerpSettings { FundingRatePerInterval = 1e-4 } };
        var path = MarketPath.Generate(s, Backtest.PathSeed(8, 0));
        var (strategy, _) = Run(path, againstHold: false); // the whole inventory hedged: always short
        var stats = strategy.Stats(path, path.Steps);
        var log = strategy.Log!;
        // each hour (every 12th step, settled before that step's hedge) the position held since the previous step pays
        // rate × mark × size: a short (size < 0) receives, so funding paid is negative
        var expected = 0.0;
        for (var t = 12; t <= path.Steps; t += 12)
            expected += 1e-4 * path.OraclePrice[t] * log[t - 2].PerpSize; // log[i] is step i + 1
        Assert.True(stats.FundingPaid < 0, $"funding paid {stats.FundingPaid}");
        Assert.Equal(expected, stats.FundingPaid, 1e-9 * Math.Abs(expected));
    }

    [Fact]
    public void Hedging_the_deviation_from_the_holding_cuts_the_spread_of_PnL_against_hold()
    {
        // a DAO keeping its token: the hedge offsets x(P) − the base it started with, so PnL against hold is left with
        // fees − LVR − costs; hedging the whole inventory instead leaves the treasury short its token against hold
        // a week (the inventory has time to wander) on a policy capping the width at p_b/p_a = 11, so the range stays
        // concentrated (2.2 times a full range's delta) and its inventory swings
        var fair = ScenarioCatalog.Load("fair-calm");
        var s = (fair with { Strategies = fair.Strategies with { MaxWidthBps = 100_000 } }).Validate();
        var (managed, hedged, inventory) = (new List<double>(), new List<double>(), new List<double>());
        for (var p = 0; p < 8; p++)
        {
            // the same pool decisions (the width for the hedge's exposure), with and without the hedge
            var r = Backtest.RunPath(MarketPath.Generate(s, Backtest.PathSeed(21, p)), ["managed-hedged-width", "hedged", "hedged-inventory"]);
            managed.Add(r[0].PnlVsHold);
            hedged.Add(r[1].PnlVsHold);
            inventory.Add(r[2].PnlVsHold);
        }
        static double Std(List<double> v) => Math.Sqrt(v.Select(x => (x - v.Average()) * (x - v.Average())).Sum() / (v.Count - 1));
        Assert.True(Std(hedged) < Std(managed) / 2, $"std of PnL against hold: hedged {Std(hedged):F0}, managed {Std(managed):F0}");
        Assert.True(Std(hedged) < Std(inventory) / 2, $"std of PnL against hold: hedged {Std(hedged):F0}, whole inventory hedged {Std(inventory):F0}");
    }

    [Fact]
    public void The_defended_strategy_repositions_defensively_ahead_of_the_informed_drop_and_still_hedges()
    {
        var s = ScenarioCatalog.Load("informed-drop");
        int defensive = 0, hedgedDefensive = 0, defendedTrades = 0;
        for (var p = 0; p < 4; p++)
        {
            var path = MarketPath.Generate(s, Backtest.PathSeed(1, p));
            var results = Backtest.RunPath(path, ["hedged", "defended"]);
            var (hedged, defended) = (results[0], results[1]);
            defensive += defended.Decisions.Where(d => d.Key.StartsWith("Defend", StringComparison.Ordinal)).Sum(d => d.Value);
            hedgedDefensive += hedged.Decisions.Where(d => d.Key.StartsWith("Defend", StringComparison.Ordinal) || d.Key == "Restore").Sum(d => d.Value);
            defendedTrades += defended.Decisions.GetValueOrDefault("Hedge trade");
            Assert.Equal(defended.Decisions.GetValueOrDefault("Hedge trade"), defended.Hedge!.Trades);
            // the same market, the same path: without the defence the keeper's own decisions never say Defend
            Assert.Equal(s.Steps, hedged.Decisions.GetValueOrDefault("Hedge trade") + hedged.Decisions.GetValueOrDefault("Hedge hold"));
        }
        Assert.True(defensive > 0, "the defended strategy never repositioned defensively ahead of the informed sellers");
        Assert.Equal(0, hedgedDefensive);
        Assert.True(defendedTrades > 0);
    }

    [Fact]
    public void A_bad_perp_field_is_named_with_its_rule()
    {
        var e = Assert.Throws<ScenarioException>(() => Scenario.Parse("""{ "perp": { "hedge_ratio": 1.5 } }""", "p.json"));
        Assert.Contains("perp.hedge_ratio", e.Message);
        var m = Assert.Throws<ScenarioException>(() => Scenario.Parse("""{ "perp": { "target_margin_ratio": 0.05 } }""", "p.json"));
        Assert.Contains("perp.target_margin_ratio", m.Message);
        var f = Assert.Throws<ScenarioException>(() => Scenario.Parse("""{ "perp": { "funding_mode": "index" } }""", "p.json"));
        Assert.Contains("funding_mode", f.Message);
        var ok = Scenario.Parse("""{ "perp": { "funding_mode": "premium", "fee_pips": 200, "hedge_ratio": 0.5 } }""", "p.json");
        Assert.Equal(FundingMode.Premium, ok.Perp.FundingMode);
        Assert.Equal(200, PerpParams.From(ok.Perp).TradeFeePips);
        Assert.True(PerpParams.From(ok.Perp).PremiumMode);
    }
}
