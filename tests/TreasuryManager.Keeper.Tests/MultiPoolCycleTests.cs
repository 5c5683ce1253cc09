using TreasuryManager.Contracts.Deployment;
using TreasuryManager.Ethereum;
using TreasuryManager.Keeper.Configuration;
using TreasuryManager.Keeper.Cycle;
using TreasuryManager.Keeper.Execution;
using TreasuryManager.Testing;
using TreasuryManager.Strategy.Decisions;
using TreasuryManager.Models.Curve;

namespace TreasuryManager.Keeper.Tests;

/// <summary>Three pools on the same tokens and feeds in one vault (TreasuryDeployer's PoolCount), one keeper for all.</summary>
[Collection(NodeCollection.Name)]
[Trait("Category", "Node")]
public sealed class MultiPoolCycleTests(LocalNodeFixture node) : TreasuryKeeperTest(node)
{
    protected override TreasuryDeploymentSettings Deployment => new() { PoolCount = 3 };

    private TreasurySettings AllPools() => Settings(s => s with
    {
        Pools = D.Pools.Select((p, i) => new PoolSettings { Address = p.Address.ToString(), Name = $"pool-{i}" }).ToArray(),
    });

    [Fact]
    public async Task Every_pool_is_registered_with_the_policy_and_funded_and_only_the_pushed_one_is_rebalanced()
    {
        Assert.Equal(3, D.Pools.Count);
        Assert.Equal(D.Pool.Address, D.Pools[0].Address);
        Assert.Equal(D.Pools.Select(p => p.Address), await D.Vault.PoolsAsync());
        foreach (var pool in D.Pools)
        {
            var policy = await D.Vault.PolicyOfAsync(pool.Address);
            Assert.True(policy.Registered);
            Assert.Equal(D.PriceFeed, policy.Params.PriceFeed);
            var state = await pool.GetStateAsync();
            Assert.Equal(D.BaseUnits(D.Settings.DepositBase), state.Reserve0);
            Assert.Equal(D.QuoteUnits(D.Settings.DepositQuote), state.Reserve1);
        }
        using var runtime = await StartAsync(AllPools());
        var calm = await runtime.Cycle.RunOnceAsync(act: true);
        Assert.All(calm!.Decisions, d => Assert.Equal(HoldReason.InsideBand, Assert.IsType<Hold>(d).Reason));

        await D.SwapAsync(zeroForOne: true, D.BaseUnits(30_000m), pool: D.Pools[1]);
        var report = await runtime.Cycle.RunOnceAsync(act: true);

        var plan = Assert.Single(report!.Plans);
        Assert.Equal(D.Pools[1].Address, plan.Pool);
        Assert.Equal(2, report.Holds.Count());
        Assert.True(Assert.IsType<ExecutionOutcome.Mined>(Assert.Single(report.Outcomes)).Receipt!.Succeeded);
        Assert.Equal(SqrtPriceGrid.RoundDown(plan.Target.SqrtPriceX96), (await D.Pools[1].GetStateAsync()).SqrtPriceX96);
        Assert.Equal(SqrtPriceGrid.RoundDown(D.SqrtPriceX96(D.Settings.Price)), (await D.Pools[2].GetStateAsync()).SqrtPriceX96);
    }

    [Fact]
    public async Task More_pools_than_the_vault_registers_are_refused_before_anything_is_deployed()
    {
        var ownerNonce = await Eth.GetTransactionCountAsync(DevAccounts.Key(0).Address);
        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            TreasuryDeployer.DeployAsync(Eth, Node.RepositoryRoot, DevAccounts.Key, new TreasuryDeploymentSettings { PoolCount = TreasuryDeployer.MaxPoolsPerVault + 1 }));
        Assert.Contains("PoolCount 17", error.Message);
        Assert.Contains("MAX_POOLS = 16", error.Message);
        Assert.Equal(ownerNonce, await Eth.GetTransactionCountAsync(DevAccounts.Key(0).Address));
        Assert.Equal(TreasuryDeployer.MaxPoolsPerVault, (int)await D.Vault.MAX_POOLSAsync());
    }
}

/// <summary>
/// Eight pools out of band in one block: the cycle submits all eight rebalances (consecutive nonces, each journaled
/// before its broadcast) before it waits for any, and each lands exactly once.
/// </summary>
[Collection(NodeCollection.Name)]
[Trait("Category", "Node")]
public sealed class EightPoolCycleTests(LocalNodeFixture node) : TreasuryKeeperTest(node)
{
    protected override TreasuryDeploymentSettings Deployment => new() { PoolCount = 8, TraderBase = 1_000_000m, TraderQuote = 2_000_000m };

    [Fact]
    public async Task Eight_rebalances_are_broadcast_in_one_cycle_before_any_is_awaited_and_each_lands_once()
    {
        // an automining node mines a block per broadcast, so the eight sends alone advance the chain eight blocks: with the
        // base settings' 2 blocks before a replacement, the first intent could be replaced while its receipt was still
        // late (seen once on anvil under a full run: 9 attempts). 20 blocks keeps this test about one send per intent.
        var settings = Settings(s => s with
        {
            Pools = D.Pools.Select((p, i) => new PoolSettings { Address = p.Address.ToString(), Name = $"pool-{i}" }).ToArray(),
            Gas = s.Gas with { BlocksBeforeReplacement = 20 },
        });
        using var runtime = await StartAsync(settings);
        var calm = await runtime.Cycle.RunOnceAsync(act: true);
        Assert.All(calm!.Decisions, d => Assert.IsType<Hold>(d));
        foreach (var pool in D.Pools) await D.SwapAsync(zeroForOne: true, D.BaseUnits(30_000m), pool: pool);

        var report = await runtime.Cycle.RunOnceAsync(act: true);

        Assert.Equal(8, report!.Plans.Count());
        Assert.Equal(8, report.Outcomes.Count);
        Assert.All(report.Outcomes, o => Assert.True(Assert.IsType<ExecutionOutcome.Mined>(o).Receipt!.Succeeded));
        var journal = runtime.Journal!;
        var intents = journal.AllIntents();
        Assert.Equal(8, intents.Count);
        Assert.Equal(D.Pools.Select(p => p.Address).OrderBy(a => a.ToString()), intents.Select(i => i.Pool!.Value).OrderBy(a => a.ToString()));
        var attempts = intents.SelectMany(i => journal.Attempts(i.Id)).ToArray();
        Assert.Equal(8, attempts.Length); // one signed transaction per intent: nothing sent twice
        // consecutive nonces, and every broadcast made at the cycle's own block: none waited for another's receipt
        var nonces = attempts.Select(a => a.Nonce).Order().ToArray();
        Assert.Equal(Enumerable.Range(0, 8).Select(k => nonces[0] + k), nonces);
        Assert.All(attempts, a => Assert.Equal(report.Block, a.BroadcastBlock));
        foreach (var plan in report.Plans)
            Assert.Equal(SqrtPriceGrid.RoundDown(plan.Target.SqrtPriceX96), (await D.Pools.Single(p => p.Address == plan.Pool).GetStateAsync()).SqrtPriceX96);
        // the next cycle sends nothing again for those blocks' intents
        var again = await runtime.Cycle.RunOnceAsync(act: true, evenIfSameBlock: true);
        Assert.Empty(again!.Outcomes);
    }
}
