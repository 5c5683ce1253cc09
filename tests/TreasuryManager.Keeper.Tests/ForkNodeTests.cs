using System.Numerics;
using Microsoft.Extensions.Logging.Abstractions;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Contracts.Deployment;
using TreasuryManager.DevNode;
using TreasuryManager.Ethereum.Contracts;
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
/// = dev account 1) with a Uniswap v3 venue (<see cref="UniswapV3PositionDeployment"/>: a 0.3% pool, the manager, the
/// owner's deposit) priced by its own oracle at <see cref="V3Price"/>, both TWAP windows covered, the keeper's first v3
/// rebalance (the vault's v3 position, live on [<see cref="V3CentreTick"/> ∓ <see cref="V3HalfWidthTicks"/>]), then a
/// trader's sale that pushes the ManagedPool's inventory past the band, so the keeper has a rebalance to plan. The one
/// place the fork tests build their upstream.
/// </summary>
public sealed record UpstreamTreasury(TreasuryDeployer D, UniswapV3PositionDeployment V3, DeployedOracle V3Oracle)
{
    /// <summary>The v3 pool's tick: a multiple of the 0.3% tier's spacing (60), so that a range centred on it has a skew of 0
    /// bps against the v3 oracle (the skew-direction rule refuses any skew while the inventory is at its target share).</summary>
    public const int V3CentreTick = -269_400;

    /// <summary>1.0001^<see cref="V3CentreTick"/> · 10^12 (base 18, quote 6 decimals) to 8 decimals: the v3 pool's initial
    /// price and its oracle's (answer <see cref="V3OracleAnswer"/>).</summary>
    public const decimal V3Price = 1.9984423m;

    /// <summary>The v3 oracle's answer, 8 decimals.</summary>
    public static readonly BigInteger V3OracleAnswer = new(V3Price * 100_000_000m);

    /// <summary>The upstream position's half width: ±1,020 ticks (≈ ±10.7%, width ≈ 2,262 bps, inside the policy's 1%–1000%).</summary>
    public const int V3HalfWidthTicks = 1020;

    public static async Task<UpstreamTreasury> DeployAsync(EthClient eth, string repositoryRoot)
    {
        var d = await TreasuryDeployer.DeployAsync(eth, repositoryRoot, DevAccounts.Key);
        var v3Oracle = await d.DeployOracleAsync("BASE / USDQ v3", V3OracleAnswer);
        var v3 = await UniswapV3PositionDeployment.DeployAsync(d, new UniswapV3PositionSettings
        {
            Price = V3Price,
            Policy = d.Policy with { PriceFeed = v3Oracle.PriceFeed, VolatilityFeed = v3Oracle.VolatilityFeed },
        });
        await d.IncreaseTimeAsync(700); // the policy's TWAP window (600 s) covered by observations, in both pools
        await v3.Manager.RebalanceAsync(d.Keeper, v3.Pool.Address, UniswapV3PositionDeployment.Centred(V3CentreTick, V3HalfWidthTicks));
        await d.SwapAsync(zeroForOne: true, d.BaseUnits(30_000m)); // the ManagedPool long base: out of the band
        return new UpstreamTreasury(d, v3, v3Oracle);
    }
}

/// <summary>The vault's v3 position as the manager records it and its Uniswap pool's state, read on one node.</summary>
public sealed record V3PositionState(UniswapV3PositionManager.PositionView Position, IUniswapV3PoolMinimal.Slot0Result Slot0, BigInteger PoolLiquidity)
{
    public static async Task<V3PositionState> ReadAsync(EthClient eth, UniswapV3PositionDeployment v3)
    {
        var pool = new IUniswapV3PoolMinimal(eth, v3.Pool.Address);
        return new V3PositionState(await new UniswapV3PositionManager(eth, v3.Manager.Address).PositionOfAsync(v3.Pool.Address),
            await pool.Slot0Async(), await pool.LiquidityAsync());
    }
}

/// <summary>
/// scripts/node.sh --fork URL --fork-block N, offline: an anvil node is the upstream (a "live chain" holding a deployed
/// treasury), a node started by the script (Hardhat, the script's default, or anvil with --anvil, as `rebalance --fork`
/// may start either) forks it at its latest block, and the keeper runs on the fork — its
/// dry run, then a real signed rebalance; then the keeper's key re-ranges the vault's Uniswap v3 position through the
/// manager directly (the keeper's own v3 cycle is tested by UniswapV3CycleTests). The fork's pools take the plan's curve and the new range; the
/// upstream's state does not move.
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

    [Theory]
    [InlineData(LocalNodeKind.Hardhat)]
    [InlineData(LocalNodeKind.Anvil)]
    public async Task A_fork_of_anvil_runs_the_keepers_dry_run_and_a_real_rebalance_and_a_v3_rebalance_and_only_the_fork_changes(LocalNodeKind forkKind)
    {
        using var upstreamRpc = new RpcClient(new RpcClientOptions { Endpoint = _upstream!.Endpoint, Timeout = TimeSpan.FromSeconds(30) });
        var upstream = new EthClient(upstreamRpc);
        var treasury = await UpstreamTreasury.DeployAsync(upstream, _root);
        var d = treasury.D;
        var forkBlock = await upstream.BlockNumberAsync();
        var upstreamPoolBefore = await d.Pool.GetStateAsync();
        var upstreamV3Before = await V3PositionState.ReadAsync(upstream, treasury.V3);
        Assert.True(upstreamV3Before.Position.Liquidity > 0, "the upstream's v3 position is live");
        var keeper = DevAccounts.Key(1);
        var upstreamNonce = await upstream.GetTransactionCountAsync(keeper.Address);

        _fork = await LocalNode.StartForkAsync(ForkNodeCommand.RepositoryScript(_root, forkKind), new ForkSource(_upstream.Endpoint, forkBlock));
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

        // the v3 position on the fork: the upstream's, untouched by the ManagedPool rebalance
        Assert.Equal(upstreamV3Before, await V3PositionState.ReadAsync(fork, treasury.V3));
        // every guard passing: past the 60 s interval, the v3 oracle refreshed by its reporter (a signed transaction on the fork)
        await forkRpc.CallAsync("evm_increaseTime", [120]);
        await forkRpc.CallAsync("evm_mine");
        var reporterOnFork = await AccountSender.ConnectAsync(fork, DevAccounts.Key(4), LocalNode.DefaultChainId);
        await new VolatilityOracle(fork, treasury.V3Oracle.Oracle.Address).UpdateAsync(reporterOnFork, UpstreamTreasury.V3OracleAnswer, d.Settings.OracleVolatility);
        // the keeper's key re-ranges it narrower (the manager's keeper-only rebalance: burn, collect, mint), a real signed transaction
        var keeperOnFork = await AccountSender.ConnectAsync(fork, keeper, LocalNode.DefaultChainId);
        var range = UniswapV3PositionDeployment.Centred(UpstreamTreasury.V3CentreTick, 600);
        var v3Receipt = await new UniswapV3PositionManager(fork, treasury.V3.Manager.Address).RebalanceAsync(keeperOnFork, treasury.V3.Pool.Address, range);
        Assert.True(v3Receipt.Receipt.Succeeded);
        var rebalanced = Assert.Single(UniswapV3PositionManager.RebalancedEvents(v3Receipt));
        Assert.Equal(keeper.Address, rebalanced.Keeper);

        var forkV3After = await V3PositionState.ReadAsync(fork, treasury.V3);
        Assert.Equal(range.TickLower, forkV3After.Position.TickLower);
        Assert.Equal(range.TickUpper, forkV3After.Position.TickUpper);
        Assert.NotEqual(upstreamV3Before.Position.TickLower, forkV3After.Position.TickLower);
        Assert.NotEqual(upstreamV3Before.Position.TickUpper, forkV3After.Position.TickUpper);
        Assert.True(forkV3After.Position.Liquidity > upstreamV3Before.Position.Liquidity, "a narrower range holds the same tokens in more liquidity");
        Assert.Equal(rebalanced.Liquidity, forkV3After.Position.Liquidity);
        Assert.Equal(forkV3After.Position.Liquidity, forkV3After.PoolLiquidity); // the vault's position is the pool's only liquidity
        Assert.Equal((await fork.GetBlockAsync()).Timestamp.ToUnixTimeSeconds(), (long)forkV3After.Position.LastRebalanceTime);
        Assert.Equal(upstreamNonce + 2, await fork.GetTransactionCountAsync(keeper.Address));

        // the upstream saw none of it: same block, same pools and v3 position, the keeper's nonce untouched, the transactions unknown
        Assert.Equal(forkBlock, await upstream.BlockNumberAsync());
        Assert.Equal(upstreamPoolBefore, await d.Pool.GetStateAsync());
        Assert.Equal(upstreamV3Before, await V3PositionState.ReadAsync(upstream, treasury.V3));
        Assert.Equal(upstreamNonce, await upstream.GetTransactionCountAsync(keeper.Address));
        foreach (var hash in new[] { mined.Outcome.TransactionHash, v3Receipt.Receipt.TransactionHash })
        {
            var unknown = await upstreamRpc.CallAsync("eth_getTransactionByHash", [hash]);
            Assert.Equal(System.Text.Json.JsonValueKind.Null, unknown.ValueKind);
        }
    }
}
