using Microsoft.Extensions.Logging.Abstractions;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Contracts.Deployment;
using TreasuryManager.DevNode;
using TreasuryManager.Ethereum.JsonRpc;
using TreasuryManager.Keeper.Configuration;
using TreasuryManager.Keeper.Cycle;
using TreasuryManager.Keeper.Execution;
using TreasuryManager.Keeper.Hosting;
using TreasuryManager.Strategy.Decisions;
using TreasuryManager.Testing;

namespace TreasuryManager.Keeper.Tests;

/// <summary>
/// The treasury an upstream node holds before it is forked: deployed whole (tokens, oracle, vault, a ManagedPool; keeper
/// = dev account 1), its TWAP window covered, then a trader's sale that pushes the pool's inventory past the band, so
/// the keeper has a rebalance to plan. The one place the fork tests build their upstream: another position (a Uniswap
/// v3 one) is a few more lines here.
/// </summary>
public static class UpstreamTreasury
{
    public static async Task<TreasuryDeployer> DeployAsync(EthClient eth, string repositoryRoot)
    {
        var d = await TreasuryDeployer.DeployAsync(eth, repositoryRoot, DevAccounts.Key);
        await d.IncreaseTimeAsync(700); // the policy's TWAP window (600 s) covered by observations
        await d.SwapAsync(zeroForOne: true, d.BaseUnits(30_000m)); // the pool long base: out of the band
        return d;
    }
}

/// <summary>
/// scripts/node.sh --fork URL --fork-block N, offline: an anvil node is the upstream (a "live chain" holding a deployed
/// treasury), a Hardhat node started by the script forks it at its latest block, and the keeper runs on the fork — its
/// dry run, then a real signed rebalance. The fork's pool takes the plan's curve; the upstream's state does not move.
/// Hardhat executes the upstream's own blocks only because hardhat.config.js gives chain 31337 a hardfork history (the
/// keeper's first reads are at the fork block).
/// </summary>
[Trait("Category", "Node")]
public sealed class ForkNodeTests : IAsyncLifetime, IDisposable
{
    private readonly string _root = LocalNode.FindRepositoryRoot();
    private readonly TempJournal _journal = new();
    private LocalNode? _upstream;
    private LocalNode? _fork;

    public async Task InitializeAsync() => _upstream = await LocalNode.StartAsync(LocalNodeKind.Anvil, _root);

    public async Task DisposeAsync()
    {
        if (_fork is not null) await _fork.DisposeAsync();
        if (_upstream is not null) await _upstream.DisposeAsync();
    }

    public void Dispose() => _journal.Dispose();

    [Fact]
    public async Task Hardhat_forking_anvil_runs_the_keepers_dry_run_and_a_real_rebalance_and_only_the_fork_changes()
    {
        using var upstreamRpc = new RpcClient(new RpcClientOptions { Endpoint = _upstream!.Endpoint, Timeout = TimeSpan.FromSeconds(30) });
        var upstream = new EthClient(upstreamRpc);
        var d = await UpstreamTreasury.DeployAsync(upstream, _root);
        var forkBlock = await upstream.BlockNumberAsync();
        var upstreamPoolBefore = await d.Pool.GetStateAsync();
        var keeper = DevAccounts.Key(1);
        var upstreamNonce = await upstream.GetTransactionCountAsync(keeper.Address);

        _fork = await LocalNode.StartForkAsync(ForkNodeCommand.RepositoryScript(_root), new ForkSource(_upstream.Endpoint, forkBlock));
        using var forkRpc = new RpcClient(new RpcClientOptions { Endpoint = _fork.Endpoint, Timeout = TimeSpan.FromSeconds(30) });
        var fork = new EthClient(forkRpc);
        Assert.Equal(forkBlock, await fork.BlockNumberAsync());
        // the fork block's state is the upstream's, read through the fork (an eth_call at the upstream's own block)
        var forkPool = new ManagedPool(fork, d.Pool.Address);
        Assert.Equal(upstreamPoolBefore, await forkPool.GetStateAsync());
        // the fork's next block one second after the fork block (as `rebalance --fork` pins it), however long the fork took to start
        var forkTime = (await fork.GetBlockAsync()).Timestamp.ToUnixTimeSeconds();
        await forkRpc.CallAsync("evm_setNextBlockTimestamp", [forkTime + 1]);

        var settings = new TreasurySettings
        {
            Rpc = new RpcSettings { Url = _fork.Endpoint.ToString(), ChainId = LocalNode.DefaultChainId, TimeoutSeconds = 30 },
            Key = new KeySettings { MnemonicEnv = "UNUSED_IN_TESTS" },
            Vault = d.Vault.Address.ToString(),
            Journal = _journal.FilePath,
            Pools = [new PoolSettings { Address = d.Pool.Address.ToString(), Name = "BASE/USDQ" }],
            Gas = new GasSettings { Confirmations = 1, BlocksBeforeReplacement = 2, MaxBlocksToWait = 40, BaseFeeCeilingGwei = 20, MaxFeePerGasGwei = 200 },
            Cycle = new CycleSettings { PollIntervalMilliseconds = 50 },
        };

        // the keeper's dry run on the fork: a plan, guarded (eth_call and eth_estimateGas), nothing sent
        using (var dry = await KeeperRuntime.StartAsync(settings, key: null, new KeeperMetrics(), NullLoggerFactory.Instance, readOnly: true, keeperAddress: keeper.Address))
        {
            var report = await dry.Cycle.RunOnceAsync(act: false, evenIfSameBlock: true);
            var dryPlan = Assert.IsType<Plan>(Assert.Single(report!.Decisions));
            Assert.Equal(forkBlock, dryPlan.Block);
            Assert.InRange(dryPlan.GasUnits, 60_000, 200_000); // eth_estimateGas on the fork
            Assert.Equal(forkBlock, await fork.BlockNumberAsync());
            Assert.Equal(upstreamPoolBefore, await forkPool.GetStateAsync());
        }

        // a real rebalance on the fork, signed by the keeper's key and sent through the executor
        using var runtime = await KeeperRuntime.StartAsync(settings, keeper, new KeeperMetrics(), NullLoggerFactory.Instance);
        var acted = await runtime.Cycle.RunOnceAsync(act: true, evenIfSameBlock: true);
        var plan = Assert.IsType<Plan>(Assert.Single(acted!.Decisions));
        var mined = Assert.IsType<ExecutionOutcome.Mined>(Assert.Single(acted.Outcomes));
        Assert.True(mined.Receipt!.Succeeded);
        Assert.True(mined.Outcome.BlockNumber > forkBlock);

        var forkAfter = await forkPool.GetStateAsync();
        Assert.NotEqual(upstreamPoolBefore, forkAfter);
        Assert.Equal(plan.Target.SqrtPriceX96, forkAfter.SqrtPriceX96);
        Assert.Equal(plan.ExpectedSqrtPriceLowX96, forkAfter.SqrtPriceLowX96);
        Assert.Equal(plan.ExpectedSqrtPriceHighX96, forkAfter.SqrtPriceHighX96);
        Assert.Equal(plan.Target.FeePips, forkAfter.FeePips);
        Assert.Equal(upstreamNonce + 1, await fork.GetTransactionCountAsync(keeper.Address));

        // the upstream saw none of it: same block, same pool, the keeper's nonce untouched, the transaction unknown
        Assert.Equal(forkBlock, await upstream.BlockNumberAsync());
        Assert.Equal(upstreamPoolBefore, await d.Pool.GetStateAsync());
        Assert.Equal(upstreamNonce, await upstream.GetTransactionCountAsync(keeper.Address));
        var unknown = await upstreamRpc.CallAsync("eth_getTransactionByHash", [mined.Outcome.TransactionHash]);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, unknown.ValueKind);
    }
}
