using TreasuryManager.Contracts.Deployment;
using TreasuryManager.Ethereum;
using TreasuryManager.Keeper.Configuration;
using TreasuryManager.Keeper.Cycle;
using TreasuryManager.Keeper.Execution;
using TreasuryManager.Testing;
using TreasuryManager.Strategy.Decisions;

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
        Assert.Equal(plan.Target.SqrtPriceX96, (await D.Pools[1].GetStateAsync()).SqrtPriceX96);
        Assert.Equal(D.SqrtPriceX96(D.Settings.Price), (await D.Pools[2].GetStateAsync()).SqrtPriceX96);
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
