using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TreasuryManager.Contracts.Deployment;
using TreasuryManager.Ethereum.Crypto;
using TreasuryManager.Keeper.Configuration;
using TreasuryManager.Keeper.Hosting;
using TreasuryManager.Strategy.Settings;
using TreasuryManager.Testing;

namespace TreasuryManager.Keeper.Tests;

/// <summary>
/// Base of the keeper's cycle tests: the whole treasury deployed on the node (tokens, oracle, vault, pool; keeper =
/// dev account 1), a settings record pointing at it with a fresh journal, and a runtime built from them.
/// </summary>
public abstract class TreasuryKeeperTest(LocalNodeFixture node) : KeeperNodeTest(node)
{
    protected TreasuryDeployer D { get; private set; } = null!;

    protected static EthKey KeeperKey => DevAccounts.Key(1);

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        D = await TreasuryDeployer.DeployAsync(Eth, Node.RepositoryRoot, DevAccounts.Key, Deployment);
        // the TWAP window (600 s) must be covered by observations: let time pass before the test moves prices
        if (WarmUpSeconds > 0) await D.IncreaseTimeAsync(WarmUpSeconds);
    }

    protected virtual TreasuryDeploymentSettings Deployment => new();

    /// <summary>Seconds to let pass after deployment so the pool's observations cover the policy's TWAP window.</summary>
    protected virtual long WarmUpSeconds => 700;

    protected TreasurySettings Settings(Func<TreasurySettings, TreasurySettings>? tweak = null)
    {
        var s = new TreasurySettings
        {
            Rpc = new RpcSettings { Url = Node.Node.Endpoint.ToString(), ChainId = 31337, TimeoutSeconds = 10 },
            Key = new KeySettings { MnemonicEnv = "UNUSED_IN_TESTS" },
            Vault = D.Vault.Address.ToString(),
            Journal = Temp.FilePath,
            Pools = [new PoolSettings { Address = D.Pool.Address.ToString(), Name = "BASE/USDQ" }],
            Gas = new GasSettings { Confirmations = 1, BlocksBeforeReplacement = 2, MaxBlocksToWait = 40, BaseFeeCeilingGwei = 20, MaxFeePerGasGwei = 200 },
            Cycle = new CycleSettings { PollIntervalMilliseconds = 50 },
            // these tests are about the cycle (observe, guard, submit, settle, fleets, hedges), not the width: the σ rule
            // keeps a fresh pool inside its band until a test pushes it. The default FeeVersusLvr rule widens a fresh
            // unhedged pool in its first cycle (FirstCycleWidthTests).
            Strategy = new StrategySettings { RangeWidth = RangeWidthRule.StdDevs },
        };
        return tweak is null ? s : tweak(s);
    }

    protected static Task<KeeperRuntime> StartAsync(TreasurySettings settings, KeeperMetrics? metrics = null, ILoggerFactory? loggers = null, bool readOnly = false) =>
        KeeperRuntime.StartAsync(settings, KeeperKey, metrics ?? new KeeperMetrics(), loggers ?? NullLoggerFactory.Instance, readOnly);

    /// <summary>The trader sells <paramref name="baseAmount"/> base into the pool (the pool gets long base).</summary>
    protected Task SellBaseAsync(decimal baseAmount) => D.SwapAsync(zeroForOne: true, D.BaseUnits(baseAmount));
}
