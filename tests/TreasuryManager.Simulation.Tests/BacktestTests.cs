using TreasuryManager.Strategy.Decisions;
using System.Numerics;
using TreasuryManager.Models.Curve;

namespace TreasuryManager.Simulation.Tests;

public sealed class BacktestTests
{
    private static long[] Bits(BacktestResult r) =>
        [.. r.Strategies.SelectMany(s => new[] { s.PnlVsHoldMean, s.PnlVsHoldStd, s.Sharpe, s.Fees, s.Lvr, s.GasSpent, s.Rebalances, s.MaxDrawdown, s.InventoryVariance, s.NoiseMarkout, s.InformedMarkout, s.ArbitrageMarkout })
            .Select(BitConverter.DoubleToInt64Bits)];

    [Fact]
    public void Same_seed_gives_the_same_numbers_bit_for_bit_whatever_the_thread_count()
    {
        var s = TestScenarios.Short("volatile");
        var one = Backtest.Run(s, 6, seed: 42, threads: 1);
        var two = Backtest.Run(s, 6, seed: 42, threads: 2);
        var again = Backtest.Run(s, 6, seed: 42, threads: 2);
        Assert.Equal(Bits(one), Bits(two));
        Assert.Equal(Bits(one), Bits(again));
        Assert.Equal(BacktestReport.Json(one), BacktestReport.Json(two));
        Assert.Equal(BacktestReport.Csv(one), BacktestReport.Csv(two));
        Assert.Equal(one.SwapsSimulated, two.SwapsSimulated);
        var other = Backtest.Run(s, 6, seed: 43, threads: 2);
        Assert.NotEqual(Bits(one), Bits(other));
    }

    [Theory]
    [InlineData("calm")]
    [InlineData("trending")]
    [InlineData("volatile")]
    [InlineData("crash")]
    public void Hold_is_exactly_zero_against_hold_and_tokens_are_conserved(string name)
    {
        var s = TestScenarios.Short(name);
        for (var p = 0; p < 3; p++)
        {
            var path = MarketPath.Generate(s, Backtest.PathSeed(5, p));
            var results = Backtest.RunPath(path, Strategies.Names);
            var hold = results.Single(r => r.Strategy == "hold");
            Assert.Equal(0.0, hold.PnlVsHold);
            Assert.Equal(0.0, hold.MaxDrawdown);
            Assert.Equal(0, hold.Swaps.Sum());
            foreach (var r in results)
            {
                // tokens in = tokens out across traders + pools, to the wei
                Assert.Equal(r.Reserve0Start + r.Token0In, r.Reserve0End + r.Token0Out);
                Assert.Equal(r.Reserve1Start + r.Token1In, r.Reserve1End + r.Token1Out);
                if (r.Strategy != "hold") Assert.True(r.Swaps.Sum() > 0, r.Strategy);
            }
        }
    }

    [Fact]
    public void The_in_memory_venue_matches_the_BigInteger_pool_mirror_swap_for_swap()
    {
        var s = TestScenarios.Short("volatile");
        var path = MarketPath.Generate(s, 9);
        // the σ rule's concentrated range re-centres as the price moves (the default width holds a full range, which rarely does)
        var strategy = (ManagedStrategy)Strategies.Create("managed-stddev", s);
        var venues = strategy.Start(path, Units.Raw(1000), Units.Raw(2_000_000), InMemoryVenueFactory.Instance);
        var venue = (InMemoryVenue)venues[0];
        var mirror = venue.State.ToPoolState();
        var m = new Market(path, venues);
        var checkedSwaps = 0;
        for (var t = 1; t <= s.Steps; t++)
        {
            Agents.Arbitrage(m, venue, t);
            for (var i = path.NoiseStart[t]; i < path.NoiseStart[t + 1]; i++) Agents.Noise(m, in path.Noise[i]);
            for (; checkedSwaps < venue.Swaps!.Count; checkedSwaps++)
            {
                var r = venue.Swaps[checkedSwaps];
                var (next, q) = PoolSwap.Swap(mirror, r.ZeroForOne, r.AmountIn);
                Assert.Equal((BigInteger)r.AmountInUsed, q.AmountInUsed);
                Assert.Equal((BigInteger)r.AmountOut, q.AmountOut);
                Assert.Equal((BigInteger)r.FeeAmount, q.FeeAmount);
                mirror = next;
            }
            Assert.Equal(venue.State.ToPoolState() with { SqrtPriceLowX96 = mirror.SqrtPriceLowX96 }, mirror with { SqrtPriceLowX96 = mirror.SqrtPriceLowX96 });
            var before = venue.LastRepositionTime;
            strategy.OnStep(m, t);
            if (strategy.LastDecision is RebalanceAction plan && venue.LastRepositionTime != before)
            {
                // the pool took exactly the curve the Decider previewed
                Assert.Equal((BigInteger)venue.State.Liquidity, plan.ExpectedLiquidity);
                Assert.Equal((BigInteger)venue.State.SqrtPriceLowX96, plan.ExpectedSqrtPriceLowX96);
                Assert.Equal((BigInteger)venue.State.SqrtPriceHighX96, plan.ExpectedSqrtPriceHighX96);
                mirror = PoolSwap.Reposition(mirror, plan.Target.SqrtPriceX96, plan.Target.SqrtPriceBoundX96, (int)plan.Target.FeePips);
                Assert.Equal(venue.State.ToPoolState(), mirror);
            }
        }
        Assert.True(checkedSwaps > 1000, $"{checkedSwaps} swaps");
        Assert.True(m.Rebalances > 0, "the managed strategy never rebalanced");
        // every rebalance charged is one the keeper decided, and every cycle is counted once
        Assert.Equal(m.Rebalances, strategy.Decisions.GetValueOrDefault("Rebalance") + strategy.Decisions.GetValueOrDefault("Rebalance (urgent)"));
        Assert.Equal(s.Steps, strategy.Decisions.Values.Sum());
        Assert.True(m.GasSpent > 0);
    }

    [Fact]
    public void Informed_flow_gives_the_pool_negative_markouts_and_noise_flow_positive()
    {
        var s = TestScenarios.Short("crash", 576);
        double noise = 0, informed = 0;
        int informedSwaps = 0;
        for (var p = 0; p < 8; p++)
        {
            var path = MarketPath.Generate(s, Backtest.PathSeed(11, p));
            foreach (var r in Backtest.RunPath(path, ["full-range", "static-range", "managed"]))
            {
                noise += r.Markout[(int)Trader.Noise];
                informed += r.Markout[(int)Trader.Informed];
                informedSwaps += r.Swaps[(int)Trader.Informed];
            }
        }
        Assert.True(informedSwaps > 50, $"{informedSwaps} informed swaps");
        Assert.True(informed < 0, $"informed markout {informed}");
        Assert.True(noise > 0, $"noise markout {noise}");
    }

    [Fact]
    public void The_passive_strategy_keeps_a_one_sided_limit_range_on_the_surplus()
    {
        var s = TestScenarios.Short("trending", 600) with { Strategies = new StrategyParameters { PassivePeriodDays = 0.5 } };
        var path = MarketPath.Generate(s, 3);
        var passive = Strategies.Create("passive", s);
        var venues = passive.Start(path, Units.Raw(1000), Units.Raw(2_500_000), InMemoryVenueFactory.Instance); // surplus quote
        var limit = venues[1].State;
        Assert.False(limit.Liquidity.IsZero);
        Assert.True(limit.Reserve0.IsZero, "the quote-surplus limit range holds no base");
        Assert.Equal(limit.SqrtPriceHighX96, limit.SqrtPriceX96); // below the price: its upper edge is the price
        var m = new Market(path, venues);
        for (var t = 1; t <= s.Steps; t++)
        {
            foreach (var v in venues) Agents.Arbitrage(m, v, t);
            for (var i = path.NoiseStart[t]; i < path.NoiseStart[t + 1]; i++) Agents.Noise(m, in path.Noise[i]);
            passive.OnStep(m, t);
        }
        Assert.InRange(m.Rebalances, 1, 4); // every 144 steps over 600, unless the TWAP guard holds one back
        Assert.True(m.SwapCount.Sum() > 100);
    }

    [Fact]
    public void The_passive_strategy_places_charm_v2_defaults_a_weighted_full_range_a_balanced_base_and_the_surplus_in_a_limit_range()
    {
        var s = TestScenarios.Short("trending", 600);
        Assert.Equal((0.24, 0.12, 0.3, 3 * 369_308L), (s.Strategies.PassiveBaseHalfWidth, s.Strategies.PassiveLimitWidth, s.Strategies.PassiveFullRangeWeight, s.Strategies.PassiveRebalanceGas));
        var path = MarketPath.Generate(s, 3);
        var (base0, quote0) = (Units.Raw(1000), Units.Raw(2_500_000)); // surplus quote at the starting price
        var venues = Strategies.Create("passive", s).Start(path, base0, quote0, InMemoryVenueFactory.Instance);
        Assert.Equal(3, venues.Length);
        var (baseRange, limit, full) = (venues[0].State, venues[1].State, venues[2].State);
        // nothing lost or made: the three pools hold the starting inventory to the unit
        Assert.Equal(base0, baseRange.Reserve0 + limit.Reserve0 + full.Reserve0);
        Assert.Equal(quote0, baseRange.Reserve1 + limit.Reserve1 + full.Reserve1);
        // the full range takes 30% of the liquidity the whole inventory funds there: base is the scarce side, so 30% of it
        Assert.InRange(Units.Human(full.Reserve0), 299.99, 300.0);
        static double HalfWidth(UInt256 sqrtLow, UInt256 sqrtHigh) => Math.Log((double)sqrtHigh / (double)sqrtLow);
        Assert.InRange(HalfWidth(full.SqrtPriceLowX96, full.SqrtPriceHighX96), Strategies.FullRangeHalfWidth * 0.999, Strategies.FullRangeHalfWidth * 1.001);
        // the base range: ±0.24 around the price, holding the rest of the base; the limit: the surplus quote, 0.12 below
        Assert.InRange(HalfWidth(baseRange.SqrtPriceLowX96, baseRange.SqrtPriceHighX96), 0.24 * 0.99, 0.24 * 1.01);
        Assert.InRange(Units.Human(baseRange.Reserve0), 699.99, 700.01);
        Assert.True(limit.Reserve0.IsZero, "the quote-surplus limit range holds no base");
        Assert.Equal(limit.SqrtPriceHighX96, limit.SqrtPriceX96);
        Assert.InRange(2 * Math.Log((double)limit.SqrtPriceHighX96 / (double)limit.SqrtPriceLowX96), 0.12 * 0.99, 0.12 * 1.01);

        // weight 0: the two-range layout of Charm v1
        var v1 = s with { Strategies = s.Strategies with { PassiveFullRangeWeight = 0 } };
        Assert.Equal(2, Strategies.Create("passive", v1).Start(path, base0, quote0, InMemoryVenueFactory.Instance).Length);
        var bad = Assert.Throws<ScenarioException>(() => (s with { Strategies = s.Strategies with { PassiveFullRangeWeight = 1 } }).Validate());
        Assert.Contains("strategies.passive_full_range_weight", bad.Message);
    }

    [Fact]
    public void Hold_pnl_is_zero_in_the_summary_and_every_strategy_is_reported()
    {
        var r = Backtest.Run(TestScenarios.Short("calm"), 4, 1);
        Assert.Equal(Strategies.Names, r.Strategies.Select(x => x.Name));
        var hold = r.Strategies[0];
        Assert.Equal((0.0, 0.0, 0.0, 0.0), (hold.PnlVsHoldMean, hold.PnlVsHoldStd, hold.Sharpe, hold.Fees));
        Assert.Equal(r.Scenario.Steps + 1, r.Series.Count);
        Assert.All(r.Strategies.Skip(1), x => Assert.True(x.Fees > 0, x.Name));
    }
}
