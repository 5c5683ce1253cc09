using System.Numerics;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Contracts.Deployment;
using TreasuryManager.Ethereum;
using TreasuryManager.Ethereum.Contracts;
using TreasuryManager.Ethereum.DevNode;
using TreasuryManager.Ethereum.JsonRpc;
using TreasuryManager.Testing;

namespace TreasuryManager.Contracts.Tests.Support;

/// <summary>The parameters of a test deployment; defaults: base 18 decimals, quote 6, price 2.0 on [1.8, 2.2], fee 0.3% (see <see cref="TreasuryDeploymentSettings"/>).</summary>
public sealed record DeploymentSettings : TreasuryDeploymentSettings;

/// <summary>
/// A whole TreasuryManager deployment on the test node — tokens, oracle, vault, pool, roles, policy,
/// funds — in the order contracts/README.md gives. Accounts (public test keys): 0 owner, 1 keeper,
/// 2 guardian, 3 trader, 4 reporter, 5 stranger.
/// </summary>
public sealed class TreasuryDeployment
{
    public static readonly BigInteger Q96 = TreasuryDeployer.Q96;
    public static readonly BigInteger Deadline = TreasuryDeployer.Deadline;

    private TreasuryDeployment(LocalNodeFixture node, TreasuryDeployer deployer)
    {
        Node = node;
        Deployer = deployer;
    }

    public LocalNodeFixture Node { get; }
    /// <summary>The deployment itself (src/TreasuryManager.Contracts/Deployment), shared with the gas report.</summary>
    public TreasuryDeployer Deployer { get; }
    public DeploymentSettings Settings { get; private set; } = new();
    public AccountSender Owner { get; private set; } = null!;
    public AccountSender Keeper { get; private set; } = null!;
    public AccountSender Guardian { get; private set; } = null!;
    public AccountSender Trader { get; private set; } = null!;
    public AccountSender Reporter { get; private set; } = null!;
    public AccountSender Stranger { get; private set; } = null!;
    public MintableERC20 Base { get; private set; } = null!;
    public MintableERC20 Quote { get; private set; } = null!;
    public VolatilityOracle Oracle { get; private set; } = null!;
    public Address PriceFeed { get; private set; }
    public Address VolatilityFeed { get; private set; }
    public TreasuryVault Vault { get; private set; } = null!;
    public ManagedPool Pool { get; private set; } = null!;
    public TreasuryVault.PolicyParams Policy { get; private set; } = null!;

    public EthClient Eth => Node.Eth;

    public HardhatArtifact Artifact(string name) => HardhatArtifact.Find(Node.RepositoryRoot, name);

    public static async Task<AccountSender> SenderAsync(LocalNodeFixture node, int account) =>
        await AccountSender.ConnectAsync(node.Eth, DevAccounts.Key(account), LocalNode.DefaultChainId);

    /// <summary>Deploys and wires everything; the pool holds the deposit and the trader holds approved funds.</summary>
    public static async Task<TreasuryDeployment> DeployAsync(LocalNodeFixture node, DeploymentSettings? settings = null)
    {
        var s = settings ?? new DeploymentSettings();
        var t = await TreasuryDeployer.DeployAsync(node.Eth, node.RepositoryRoot, DevAccounts.Key, s, LocalNode.DefaultChainId);
        return new TreasuryDeployment(node, t)
        {
            Settings = s,
            Owner = t.Owner, Keeper = t.Keeper, Guardian = t.Guardian, Trader = t.Trader, Reporter = t.Reporter, Stranger = t.Stranger,
            Base = t.Base, Quote = t.Quote, Oracle = t.Oracle, PriceFeed = t.PriceFeed, VolatilityFeed = t.VolatilityFeed,
            Vault = t.Vault, Pool = t.Pool, Policy = t.Policy,
        };
    }

    public static readonly BigInteger MaxUint256 = TreasuryDeployer.MaxUint256;

    /// <summary>The policy the gas smoke used: heartbeat 1 h, TWAP window 600 s, ±2% deviation and skew, fee 0.05%–1%, width 1%–1000%, interval 60 s, base share 10%–90%.</summary>
    public static TreasuryVault.PolicyParams DefaultPolicy(Address priceFeed, Address volatilityFeed) => TreasuryDeployer.DefaultPolicy(priceFeed, volatilityFeed);

    public BigInteger BaseUnits(decimal amount) => Deployer.BaseUnits(amount);
    public BigInteger QuoteUnits(decimal amount) => Deployer.QuoteUnits(amount);

    /// <summary>√(price · 10^(quoteDecimals − baseDecimals)) · 2^96, floored: the pool's price of a base unit in quote units.</summary>
    public BigInteger SqrtPriceX96(decimal humanPrice) => Deployer.SqrtPriceX96(humanPrice);

    public static BigInteger SqrtPriceX96(decimal humanPrice, int baseDecimals, int quoteDecimals) => TreasuryDeployer.SqrtPriceX96(humanPrice, baseDecimals, quoteDecimals);

    public static BigInteger Sqrt(BigInteger n) => TreasuryDeployer.Sqrt(n);

    // ---- chain time ----

    public Task<long> LatestTimestampAsync() => Deployer.LatestTimestampAsync();

    /// <summary>Moves chain time forward by <paramref name="seconds"/> and mines a block.</summary>
    public Task IncreaseTimeAsync(long seconds) => Deployer.IncreaseTimeAsync(seconds);

    /// <summary>Sets the next block's timestamp to latest + <paramref name="seconds"/> and returns it.</summary>
    public Task<long> SetNextBlockTimestampAsync(long seconds) => Deployer.SetNextBlockTimestampAsync(seconds);

    /// <summary>The index of the oldest initialised observation at or after <paramref name="target"/> (the keeper's hint), or 65535 for none.</summary>
    public Task<int> ObservationHintAsync(long target) => Deployer.ObservationHintAsync(target);

    public Task<ContractReceipt> SwapAsync(bool zeroForOne, BigInteger amountIn, BigInteger? minOut = null, AccountSender? trader = null) =>
        Pool.SwapExactInAsync(trader ?? Trader, zeroForOne, amountIn, minOut ?? 0, (trader ?? Trader).Address, Deadline);
}
