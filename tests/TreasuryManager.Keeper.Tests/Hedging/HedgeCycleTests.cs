using TreasuryManager.Strategy.Settings;
using System.Numerics;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Contracts.Deployment;
using TreasuryManager.Ethereum;
using TreasuryManager.Keeper.Configuration;
using TreasuryManager.Keeper.Cycle;
using TreasuryManager.Keeper.Execution;
using TreasuryManager.Keeper.Hedging;
using TreasuryManager.Keeper.Hosting;
using TreasuryManager.Testing;
using Xunit.Abstractions;
using TreasuryManager.Strategy.Decisions;
using TreasuryManager.Strategy.Hedging;

namespace TreasuryManager.Keeper.Tests.Hedging;

/// <summary>
/// The keeper's hedge on the vault's PerpMarket, end to end on the local node: the treasury (100,000 base and 200,000
/// quote on [1.8, 2.2] at 2.0), a hedge market with a 0.001% fee (so the band is narrower than the moves the test
/// makes), maxNotional 1,000,000 quote and 200,000 quote of margin in the vault; the keeper is dev account 1.
/// </summary>
[Collection(NodeCollection.Name)]
[Trait("Category", "Node")]
public sealed class HedgeCycleTests(LocalNodeFixture node, ITestOutputHelper output) : TreasuryKeeperTest(node)
{
    private static readonly PerpDeploymentSettings Perp = new()
    {
        TradeFeePips = 10,
        Heartbeat = 1200,
        MaxHedgeNotional = 1_000_000m,
        VaultQuote = 200_000m,
        MarketQuote = 500_000m,
    };

    protected override TreasuryDeploymentSettings Deployment => new() { Perp = Perp };

    private TreasurySettings Hedged(double ratio, Func<TreasurySettings, TreasurySettings>? tweak = null) => Settings(s =>
    {
        var t = s with { Pools = s.Pools.Select(p => p with { Hedge = new HedgeSettings { Ratio = ratio } }).ToArray() };
        return tweak is null ? t : tweak(t);
    });

    /// <summary>x(P) of the pool's curve as the chain holds it, at the oracle's price as the chain holds it (whole base).</summary>
    private async Task<double> PoolBaseOnChainAsync(ManagedPool pool)
    {
        var state = await pool.GetStateAsync();
        var round = await new OracleFeed(Eth, D.PriceFeed).LatestRoundDataAsync();
        return HedgePlanner.CurveDelta(state.Liquidity, state.SqrtPriceLowX96, state.SqrtPriceHighX96, (double)round.Answer / 1e8, 18, 6).X;
    }

    private async Task<double> PerpSizeOnChainAsync(PerpMarket market) => (double)(await market.AccountOfAsync(D.Vault.Address)).Size / 1e18;

    private async Task<int> HedgeEventsAsync(long fromBlock) =>
        (await Eth.GetLogsAsync(D.Vault.Address, fromBlock, await Eth.BlockNumberAsync(), [TreasuryVault.Abi.GetEvent("HedgeAdjusted").Topic0])).Count;

    [Fact]
    public async Task After_each_hedge_the_on_chain_net_delta_is_the_unhedged_share_within_the_band_as_swaps_and_the_price_move()
    {
        const double ratio = 0.8;
        var metrics = new KeeperMetrics();
        // the σ rule's narrow range, re-centred by the sale below: x(P) moves enough between cycles for the band to trade
        using var runtime = await StartAsync(Hedged(ratio), metrics);
        var market = D.Perp!;
        var traded = 0;
        var firstBlock = await Eth.BlockNumberAsync();
        async Task CycleAndCheckAsync(string when)
        {
            var report = await runtime.Cycle.RunOnceAsync(act: true);
            var step = Assert.Single(report!.Hedges);
            Assert.NotNull(step.Decision);
            var x = await PoolBaseOnChainAsync(D.Pool);
            var perp = await PerpSizeOnChainAsync(market);
            var scale = Math.Max(1, Math.Abs(x));
            // the keeper's x(P) is the chain's (after this cycle's rebalance, when there was one)
            Assert.Equal(x, step.PoolBase, 1e-9 * scale);
            if (step.Traded)
            {
                traded++;
                Assert.Null(step.Held);
                var mined = Assert.IsType<ExecutionOutcome.Mined>(step.Outcome);
                output.WriteLine($"{when}: adjustHedge({step.Plan!.SizeDelta}, {step.Plan.MarginDelta}) gas used {mined.Outcome.GasUsed}");
                Assert.Equal(-ratio * x, perp, 1e-9 * scale); // the target to rounding (one base unit is 1e-18)
                Assert.Equal(step.Plan!.NewSize, (await market.AccountOfAsync(D.Vault.Address)).Size);
                var view = await market.AccountViewAsync(D.Vault.Address);
                Assert.True(view.Equity * 1_000_000 >= view.Notional * step.Plan.TargetMarginRatioPips - 1_000_000, $"{when}: margin ratio after the hedge");
            }
            else
            {
                Assert.Equal(HedgeHoldReason.InsideBand, step.Held);
            }
            // either way the position is within the decision's band of its target: the net delta is (1 − h)·x ± band
            Assert.True(Math.Abs(perp + ratio * x) <= step.Band + 1e-9 * scale, $"{when}: perp {perp}, target {-ratio * x}, band {step.Band}");
            Assert.Equal(x + perp, metrics.NetDelta.WithLabels("BASE/USDQ").Value, 1e-6 * scale);
        }

        await CycleAndCheckAsync("first cycle"); // no hedge yet: trades to −h·x
        Assert.Equal(1, traded);
        await SellBaseAsync(30_000m);              // the pool is long base: the keeper re-centres it (a new curve, a new x(P))
        await CycleAndCheckAsync("after a sale of base");
        await D.Oracle.UpdateAsync(D.Reporter, 206_000_000, 65_000_000); // the price up 3%: x(P) falls
        await CycleAndCheckAsync("after the price rose");
        await D.SwapAsync(zeroForOne: false, D.QuoteUnits(20_000m));
        await D.Oracle.UpdateAsync(D.Reporter, 196_000_000, 65_000_000); // and down 5%
        await CycleAndCheckAsync("after the price fell");
        Assert.True(traded >= 3, $"{traded} hedges in four cycles");
        Assert.Equal(traded, await HedgeEventsAsync(firstBlock));
        Assert.Equal(traded, (int)metrics.HedgeTrades.WithLabels("BASE/USDQ", "false").Value);
    }

    [Fact]
    public async Task A_ratio_of_zero_sends_nothing_and_a_stale_mark_holds_with_the_markets_reason_and_the_nonce_unchanged()
    {
        var nonce = await Eth.GetTransactionCountAsync(KeeperKey.Address);
        using (var runtime = await StartAsync(Hedged(0)))
        {
            var report = await runtime.Cycle.RunOnceAsync(act: true);
            Assert.Empty(report!.Hedges);
            Assert.Empty(report.Outcomes);
        }
        Assert.Equal(nonce, await Eth.GetTransactionCountAsync(KeeperKey.Address));

        // the mark's heartbeat (1200 s) passes while the pool's (3600 s) does not: the market refuses accountView
        await D.IncreaseTimeAsync(600);
        using (var runtime = await StartAsync(Hedged(1)))
        {
            var report = await runtime.Cycle.RunOnceAsync(act: true);
            var step = Assert.Single(report!.Hedges);
            Assert.Equal(HedgeHoldReason.MarketRefused, step.Held);
            Assert.Contains("StalePrice", step.Reason);
            Assert.Null(step.Outcome);
            Assert.Empty(report.Outcomes);
        }
        Assert.Equal(nonce, await Eth.GetTransactionCountAsync(KeeperKey.Address));
        Assert.Equal(BigInteger.Zero, (await D.Perp!.AccountOfAsync(D.Vault.Address)).Size);
    }

    [Fact]
    public async Task A_target_past_the_policys_max_notional_is_clamped_to_it_and_said()
    {
        var maxNotional = D.QuoteUnits(50_000m); // x ≈ 100,000 base at 2.0: a full hedge would be 200,000 quote
        await D.Vault.SetHedgePolicyAsync(D.Owner, D.Pool.Address, new TreasuryVault.HedgePolicy(D.Perp!.Address, maxNotional, 150_000));
        using var runtime = await StartAsync(Hedged(1));
        var report = await runtime.Cycle.RunOnceAsync(act: true);
        var step = Assert.Single(report!.Hedges);
        Assert.True(step.Traded, step.Reason);
        Assert.True(step.Plan!.Clamped);
        Assert.Contains("maxNotional", step.Reason);
        var view = await D.Perp.AccountViewAsync(D.Vault.Address);
        Assert.True(view.Notional <= maxNotional, $"notional {view.Notional} > {maxNotional}");
        Assert.Equal(-PerpHedgeMath.MaxAbsSize(maxNotional, view.MarkPrice), view.Size); // as short as the policy allows
        Assert.True(view.Equity * 1_000_000 / view.Notional >= 150_000);
    }

    [Fact]
    public async Task A_paused_vault_holds_the_hedge_with_the_reason_and_sends_nothing()
    {
        await D.Vault.PauseAsync(D.Guardian);
        var nonce = await Eth.GetTransactionCountAsync(KeeperKey.Address);
        using var runtime = await StartAsync(Hedged(1));
        var report = await runtime.Cycle.RunOnceAsync(act: true);
        var step = Assert.Single(report!.Hedges);
        // the pool's decision holds first (the paused pool reads no price): the hedge holds naming it; were it to get as
        // far as the Guard, the vault's EnforcedPause would hold it there
        Assert.Equal(HedgeHoldReason.NoInputs, step.Held);
        Assert.Contains("PoolPaused", step.Reason);
        Assert.Null(step.Outcome);
        Assert.Equal(nonce, await Eth.GetTransactionCountAsync(KeeperKey.Address));
    }

    [Fact]
    public async Task A_keeper_killed_between_signing_and_broadcasting_a_hedge_does_not_hedge_twice_after_a_restart()
    {
        var nonce = await Eth.GetTransactionCountAsync(KeeperKey.Address);
        var firstBlock = await Eth.BlockNumberAsync();
        var settings = Hedged(1);
        using (var crashing = await KeeperRuntime.StartAsync(settings, KeeperKey, new KeeperMetrics(), Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance,
                   onPoint: (point, _) => { if (point == ExecutionPoint.Journaled) throw new IOException("killed after signing, before broadcasting"); }))
        {
            await Assert.ThrowsAsync<IOException>(() => crashing.Cycle.RunOnceAsync(act: true));
        }
        Assert.Equal(nonce, await Eth.GetTransactionCountAsync(KeeperKey.Address)); // signed and journaled, never sent

        using (var restarted = await StartAsync(settings))
        {
            var recovered = Assert.Single(restarted.Recovery!.Intents);
            Assert.StartsWith("hedge:", recovered.Key);
            Assert.Equal(RecoveryAction.Rebroadcast, recovered.Action);
            await MineAsync();
            var report = await restarted.Cycle.RunOnceAsync(act: true);
            var step = Assert.Single(report!.Hedges);
            Assert.False(step.Traded, $"the restarted keeper hedged again: {step.Reason}");
            var again = await restarted.Cycle.RunOnceAsync(act: true, evenIfSameBlock: true);
            Assert.False(Assert.Single(again!.Hedges).Traded);
        }
        Assert.Equal(nonce + 1, await Eth.GetTransactionCountAsync(KeeperKey.Address));
        Assert.Equal(1, await HedgeEventsAsync(firstBlock));
        var x = await PoolBaseOnChainAsync(D.Pool);
        Assert.Equal(-x, await PerpSizeOnChainAsync(D.Perp!), 1e-9 * x);
    }
}

/// <summary>
/// Two pools on the same base token, each with its own hedge market: each pool's hedge is inside its own band, but the
/// treasury's net delta in the token is past Risk:Tokens' MaxNetDelta — the keeper hedges both urgently so the net is
/// back within the limit.
/// </summary>
[Collection(NodeCollection.Name)]
[Trait("Category", "Node")]
public sealed class TreasuryRiskCycleTests(LocalNodeFixture node) : TreasuryKeeperTest(node)
{
    private static readonly PerpDeploymentSettings Perp = new() { MaxHedgeNotional = 1_000_000m, VaultQuote = 100_000m, MarketQuote = 500_000m };

    protected override TreasuryDeploymentSettings Deployment => new() { PoolCount = 2, Perp = Perp };

    [Fact]
    public async Task Pools_each_inside_their_band_but_together_past_the_limit_are_hedged_back_within_it()
    {
        var second = await D.DeployPerpAsync(Perp, D.Pools[1]);
        var markets = new[] { D.Perp!, second };
        const double limit = 150_000;
        var settings = Settings(s => s with
        {
            Pools = D.Pools.Select((p, i) => new PoolSettings { Address = p.Address.ToString(), Name = $"pool-{i}", Hedge = new HedgeSettings { Ratio = 0.05 } }).ToArray(),
            Risk = new TreasuryRiskSettings { Tokens = [new TokenRiskLimit { Token = D.Base.Address.ToString(), MaxNetDelta = limit }] },
        });
        var metrics = new KeeperMetrics();
        using var runtime = await StartAsync(settings, metrics);
        var report = await runtime.Cycle.RunOnceAsync(act: true);

        Assert.Equal(2, report!.Hedges.Count);
        var token = Assert.Single(report.Risk!.Before);
        Assert.Equal(D.Base.Address, token.Token);
        Assert.Equal(2, token.Pools);
        Assert.True(token.Breached, $"the test needs the treasury past its limit before: net {token.NetDelta}");
        Assert.Empty(report.Risk.Enforcement.Breaches);
        foreach (var step in report.Hedges)
        {
            // on its own, each pool would hold: its deviation from −0.05·x is inside its band
            Assert.IsType<HedgeHold>(step.Decision);
            Assert.True(step.Urgent);
            Assert.True(step.Traded, step.Reason);
            Assert.Contains("URGENT", step.Reason);
        }
        var net = 0.0;
        for (var i = 0; i < 2; i++)
        {
            var state = await D.Pools[i].GetStateAsync();
            net += HedgePlanner.CurveDelta(state.Liquidity, state.SqrtPriceLowX96, state.SqrtPriceHighX96, 2.0, 18, 6).X;
            net += (double)(await markets[i].AccountOfAsync(D.Vault.Address)).Size / 1e18;
        }
        Assert.True(Math.Abs(net) <= limit, $"treasury net {net} after, limit {limit}");
        var after = Assert.Single(report.Risk.After);
        Assert.Equal(net, after.NetDelta, 1e-9 * net);
        Assert.False(after.Breached);
        Assert.Equal(net, metrics.TokenNetDelta.WithLabels(D.Base.Address.ToString()).Value, 1e-9 * net);
        Assert.True(Math.Abs(net) >= limit * (1 - Strategy.Risk.TreasuryRisk.LimitHeadroom) - 1e-6, $"the urgent hedge trades no more than it must: net {net}");
        Assert.Equal(2, (int)(metrics.HedgeTrades.WithLabels("pool-0", "true").Value + metrics.HedgeTrades.WithLabels("pool-1", "true").Value));
    }
}
