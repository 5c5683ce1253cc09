using TreasuryManager.Simulation.OnChain;
using TreasuryManager.Testing;

namespace TreasuryManager.Simulation.Tests;

/// <summary>The simulation tests that share one local node.</summary>
[CollectionDefinition(Name)]
public sealed class SimulationNodeCollection : ICollectionFixture<LocalNodeFixture>
{
    public const string Name = "simulation local node";
}

/// <summary>The on-chain mode against a real local node (Hardhat, or anvil with TREASURY_TEST_NODE=anvil).</summary>
[Collection(SimulationNodeCollection.Name)]
[Trait("Category", "Node")]
public sealed class OnChainModeTests(LocalNodeFixture node) : IAsyncLifetime
{
    private string _snapshot = "";

    public async Task InitializeAsync() => _snapshot = await node.SnapshotAsync();

    public Task DisposeAsync() => node.RevertAsync(_snapshot);

    /// <summary>A short calm scenario with enough flow to move the pool both ways and the arbitrageur to act.</summary>
    private static MarketPath ShortPath(int steps = 24)
    {
        var scenario = ScenarioCatalog.Load("calm") with { Steps = steps };
        scenario = scenario with { Price = scenario.Price with { VolatilityPerDay = 0.08 }, Informed = scenario.Informed with { ArrivalsPerDay = 200 } };
        return MarketPath.Generate(scenario, Backtest.PathSeed(7, 0));
    }

    [Fact]
    public async Task A_static_range_scenario_gives_the_same_swaps_and_the_same_final_reserves_on_chain_and_in_memory()
    {
        var path = ShortPath();
        await using var run = await OnChainRun.DeployAsync(node.Eth, node.RepositoryRoot, path, "static-range", DevAccounts.Key);
        var chain = await run.RunAsync();

        var memory = MarketStep.Replay(path, chain.Start);

        Assert.True(chain.Swaps.Count >= 50, $"only {chain.Swaps.Count} swaps: the scenario should trade");
        Assert.Contains(chain.Swaps, r => r.Trader == Trader.Arbitrageur);
        Assert.Contains(chain.Swaps, r => r.ZeroForOne);
        Assert.Contains(chain.Swaps, r => !r.ZeroForOne);
        Assert.Equal(memory.Swaps!.Count, chain.Swaps.Count);
        for (var i = 0; i < chain.Swaps.Count; i++) Assert.Equal(memory.Swaps[i], chain.Swaps[i]);
        Assert.Equal(memory.State, chain.End);
        // the fees it reports are the swaps' fees at the reference price of their step (base fees priced, quote as is)
        var fees = chain.Swaps.Sum(r => Units.Human(r.FeeAmount) * (r.ZeroForOne ? path.Reference[r.Step] : 1));
        Assert.True(fees > 0);
        Assert.Equal(fees, chain.Fees, 1e-9 * fees);
        // and the chain's own balances agree with the pool's reserves
        Assert.Equal((System.Numerics.BigInteger)chain.End.Reserve0, await run.Deployment.Base.BalanceOfAsync(run.Deployment.Pool.Address));
        Assert.Equal((System.Numerics.BigInteger)chain.End.Reserve1, await run.Deployment.Quote.BalanceOfAsync(run.Deployment.Pool.Address));
    }

    [Fact]
    public async Task Managed_on_chain_the_real_keeper_cycle_decides_every_step_and_its_rebalances_land()
    {
        // a trending path pushes the inventory out of the keeper's band within a few hours
        var scenario = ScenarioCatalog.Load("trending") with { Steps = 36 };
        var path = MarketPath.Generate(scenario, Backtest.PathSeed(3, 0));
        await using var run = await OnChainRun.DeployAsync(node.Eth, node.RepositoryRoot, path, "managed", DevAccounts.Key);
        var steps = new List<OnChainStep>();
        var result = await run.RunAsync(steps.Add);

        Assert.Equal(path.Steps, steps.Count);
        Assert.Equal(path.Steps, result.Decisions.Sum(d => d.Value)); // one decision per step, under the in-memory run's labels
        Assert.True(result.Rebalances >= 1, "the keeper never rebalanced: " + string.Join(", ", result.Decisions.Select(d => $"{d.Key}={d.Value}")));
        Assert.Equal(result.Rebalances, result.Decisions.Where(d => d.Key.StartsWith("Rebalance", StringComparison.Ordinal) || d.Key.StartsWith("Defend", StringComparison.Ordinal) || d.Key == "Restore").Sum(d => d.Value));
        Assert.InRange(result.RebalanceGasUsed, 60_000L * result.Rebalances, 200_000L * result.Rebalances);
        var state = await run.Deployment.Pool.GetStateAsync();
        Assert.Equal(state.SqrtPriceX96, (System.Numerics.BigInteger)result.End.SqrtPriceX96);
        Assert.True(state.LastRepositionTime >= path.Timestamp(1), "the pool's last reposition is the keeper's, during the run");
    }

    [Fact]
    public async Task Hedged_on_chain_the_keeper_hedges_the_pools_deviation_from_its_starting_base_on_a_real_perp_market()
    {
        // a trending path moves the pool's base away from its starting 1,000; the keeper's hedge step follows it on the
        // deployed PerpMarket through the vault, and the run's PnL counts the hedge funds (vault quote + perp equity)
        var scenario = ScenarioCatalog.Load("trending") with { Steps = 240 }; // 20 hours: the deviation outgrows the hedger's band
        var path = MarketPath.Generate(scenario, Backtest.PathSeed(3, 1));
        await using var run = await OnChainRun.DeployAsync(node.Eth, node.RepositoryRoot, path, "hedged", DevAccounts.Key);
        var result = await run.RunAsync();

        Assert.True(result.HedgeTrades >= 1, "the keeper never hedged: " + string.Join("; ", result.HedgeDecisions!.Select(d => $"{d.Key}={d.Value}")));
        var d = run.Deployment;
        var account = await d.Perp!.AccountViewAsync(d.Vault.Address);
        Assert.NotEqual(System.Numerics.BigInteger.Zero, account.Size);
        // the position offsets the deviation from the starting base: short when the pool holds more base than it
        // started with, long when less (the hedger's band may leave it short of the target, never on the wrong side)
        var state = await d.Pool.GetStateAsync();
        var (x, _) = TreasuryManager.Strategy.Hedging.HedgePlanner.CurveDelta(state.Liquidity, state.SqrtPriceLowX96, state.SqrtPriceHighX96,
            path.OraclePrice[path.Steps], 18, 18);
        var deviation = x - scenario.Pool.BaseAmount;
        // past the hedger's band (about ±22 base here), so the position must be on the deviation's other side (inside the
        // band the hedger rightly holds a position from before, which may lie on either side)
        Assert.True(Math.Abs(deviation) > 25, $"the path should move the pool's base past the hedger's band off its start (x = {x})");
        Assert.True(-Math.Sign(deviation) == account.Size.Sign, $"deviation {deviation} base (x = {x}), perp size {account.Size}; hedge decisions: " + string.Join("; ", result.HedgeDecisions!.Select(d => $"{d.Key}={d.Value}")));
        // PnL = the pool against hold + the hedge funds' change − gas: the hedge funds moved
        Assert.NotEqual(0, result.HedgeValue);
        Assert.Equal(result.Series[^1].PnlVsHold, result.PnlVsHold);
    }

    /// <summary>
    /// A static range in Uniswap's own v3 pool, held by UniswapV3PositionManager: the simulated traders swap through the
    /// real pool, the position earns the pool's fees, and the treasury's holdings the run reports (the position burnt at
    /// the pool's tick, its uncollected fees and the idle tokens, from the pool model on the chain's reads) are exactly
    /// what the owner then withdraws: after withdrawing that much the manager holds nothing.
    /// </summary>
    [Fact]
    public async Task A_static_range_in_a_real_v3_pool_trades_earns_its_fees_and_its_reported_holdings_are_what_the_owner_withdraws()
    {
        var path = ShortPath();
        await using var run = await OnChainRun.DeployAsync(node.Eth, node.RepositoryRoot, path, "static-range", DevAccounts.Key, OnChainPool.UniswapV3);
        var v3 = run.UniswapV3!;
        var start = await v3.Manager.PositionOfAsync(v3.Pool.Address);
        Assert.True(start.Liquidity > 0, "the starting range was not minted");
        var chain = await run.RunAsync();

        Assert.True(chain.Swaps.Count >= 20, $"only {chain.Swaps.Count} swaps: the scenario should trade");
        Assert.Contains(chain.Swaps, r => r.Trader == Trader.Arbitrageur);
        Assert.Contains(chain.Swaps, r => r.ZeroForOne);
        Assert.Contains(chain.Swaps, r => !r.ZeroForOne);
        Assert.True(await v3.Pool.FeeGrowthGlobal0X128Async() > 0 && await v3.Pool.FeeGrowthGlobal1X128Async() > 0, "the position earned no fees");
        var end = await v3.Manager.PositionOfAsync(v3.Pool.Address);
        Assert.Equal((start.TickLower, start.TickUpper, start.Liquidity), (end.TickLower, end.TickUpper, end.Liquidity)); // static

        var d = run.Deployment;
        var (amount0, amount1) = ((System.Numerics.BigInteger)chain.End.Reserve0, (System.Numerics.BigInteger)chain.End.Reserve1);
        var base0 = await d.Base.BalanceOfAsync(d.Owner.Address);
        var quote0 = await v3.Quote.BalanceOfAsync(d.Owner.Address);
        await v3.Manager.WithdrawAsync(d.Owner, v3.Pool.Address, amount0, amount1, d.Owner.Address);
        Assert.Equal(amount0, await d.Base.BalanceOfAsync(d.Owner.Address) - base0);
        Assert.Equal(amount1, await v3.Quote.BalanceOfAsync(d.Owner.Address) - quote0);
        var emptied = await v3.Manager.PositionOfAsync(v3.Pool.Address);
        Assert.Equal((System.Numerics.BigInteger.Zero, System.Numerics.BigInteger.Zero, System.Numerics.BigInteger.Zero), (emptied.Liquidity, emptied.Idle0, emptied.Idle1));
    }

    /// <summary>
    /// The keeper on a real v3 pool: a trending path moves the price through the position; the keeper's real cycle
    /// (the same Decider, the v3 venue's plan with its observation hint) re-ranges it through the manager, and its
    /// rebalances land — the backtest run against Uniswap's own pool.
    /// </summary>
    [Fact]
    public async Task Managed_on_a_real_v3_pool_the_keepers_cycle_re_ranges_the_position_and_its_rebalances_land()
    {
        var scenario = ScenarioCatalog.Load("trending") with { Steps = 36 };
        var path = MarketPath.Generate(scenario, Backtest.PathSeed(3, 0));
        await using var run = await OnChainRun.DeployAsync(node.Eth, node.RepositoryRoot, path, "managed", DevAccounts.Key, OnChainPool.UniswapV3);
        var v3 = run.UniswapV3!;
        var start = await v3.Manager.PositionOfAsync(v3.Pool.Address);
        var result = await run.RunAsync();

        Assert.Equal(path.Steps, result.Decisions.Sum(d => d.Value));
        Assert.True(result.Rebalances >= 1, "the keeper never rebalanced: " + string.Join(", ", result.Decisions.Select(d => $"{d.Key}={d.Value}")));
        Assert.InRange(result.RebalanceGasUsed, 250_000L * result.Rebalances, 700_000L * result.Rebalances);
        var end = await v3.Manager.PositionOfAsync(v3.Pool.Address);
        Assert.NotEqual((start.TickLower, start.TickUpper), (end.TickLower, end.TickUpper));
        Assert.True(end.LastRebalanceTime > start.LastRebalanceTime, "the last rebalance is not the keeper's, during the run");
        Assert.True(double.IsFinite(result.PnlVsHold));
        Assert.Contains(result.Swaps, r => r.Trader == Trader.Arbitrageur);
    }
}
