using System.Numerics;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Contracts.Deployment;
using TreasuryManager.Ethereum.Abi;
using TreasuryManager.Ethereum.Contracts;
using TreasuryManager.Ethereum;
using TreasuryManager.Testing;
using TreasuryManager.TestContracts;

namespace TreasuryManager.Contracts.Tests.Support;

/// <summary>The callers of the access-control matrix: the five accounts, and two contracts (only through eth_call).</summary>
public enum Role { Owner, Guardian, Keeper, Reporter, Stranger, Vault, Oracle }

/// <summary>Asserting reverts by custom-error name, whichever contract raised them.</summary>
public static class Reverts
{
    /// <summary>Every ABI whose errors can surface in these tests: an error bubbled from the pool (e.g. PoolPaused through the
    /// vault's rebalance) or from a token is not in the called contract's ABI, so the raw revert data is decoded again with all.</summary>
    public static readonly ContractAbi[] AllAbis =
        [TreasuryVault.Abi, ManagedPool.Abi, VolatilityOracle.Abi, OracleFeed.Abi, MintableERC20.Abi, MockAggregator.Abi, PerpMarket.Abi];

    /// <summary>The reason of a revert decoded with the called contract's ABI first, then with <see cref="AllAbis"/>.</summary>
    public static RevertReason Decode(ContractRevertException e) =>
        e.ErrorName is not null && e.Reason.Kind == RevertKind.Custom ? e.Reason : RevertDecoder.Decode(e.Reason.RawData, AllAbis);

    /// <summary>Runs <paramref name="action"/>, which must revert with the custom error <paramref name="errorName"/>; returns the decoded reason.</summary>
    public static async Task<RevertReason> ExpectAsync(string errorName, Func<Task> action)
    {
        var e = await Assert.ThrowsAsync<ContractRevertException>(action);
        var reason = Decode(e);
        Assert.True(reason.ErrorName == errorName, $"expected {errorName}, got {reason.Message}");
        return reason;
    }

    /// <summary>The named argument of a decoded custom error, as a BigInteger (addresses as their numeric value are not needed here).</summary>
    public static BigInteger Arg(this RevertReason reason, string name) => (BigInteger)reason.Arguments[name]!;
}

/// <summary>A pool's whole observable state: what a rejected call must leave untouched.</summary>
public sealed record PoolSnapshot(ManagedPool.PoolState State, BigInteger Balance0, BigInteger Balance1, BigInteger LastRepositionTime, bool VaultPaused);

/// <summary>
/// One deployment shared by the security tests of a node (deployed once, before the first test's snapshot, so every
/// test's revert returns to it): <see cref="TreasuryDeployment"/> plus a MockAggregator (8 decimals, answer 2.0), a second,
/// unregistered pool on the same vault, and tokens and pool approvals for every role.
/// </summary>
public sealed class SecurityDeployment
{
    private static readonly Dictionary<LocalNodeFixture, SecurityDeployment> Cache = [];
    private static readonly SemaphoreSlim Lock = new(1, 1);

    private SecurityDeployment(TreasuryDeployer d) => D = d;

    public TreasuryDeployer D { get; }
    public MockAggregator Mock { get; private set; } = null!;
    /// <summary>A pool of the vault, not registered.</summary>
    public ManagedPool SparePool { get; private set; } = null!;

    public static async Task<SecurityDeployment> GetAsync(LocalNodeFixture node)
    {
        await Lock.WaitAsync();
        try
        {
            if (Cache.TryGetValue(node, out var cached) && (await node.Eth.GetCodeAsync(cached.SparePool.Address)).Length > 0)
                return cached;
            var s = new SecurityDeployment(await TreasuryDeployment.DeployAsync(node));
            var d = s.D;
            s.Mock = await MockAggregator.DeployAsync(d.Owner, d.Artifact(MockAggregator.ArtifactName), 8, "MOCK BASE / USDQ", d.Settings.OraclePrice);
            s.SparePool = await ManagedPool.DeployAsync(d.Owner, d.Artifact(ManagedPool.ArtifactName), d.Base.Address, d.Quote.Address, d.Vault.Address,
                d.SqrtPriceX96(2.0m), d.SqrtPriceX96(1.8m), d.SqrtPriceX96(2.2m), 3000);
            foreach (var sender in new[] { d.Guardian, d.Keeper, d.Reporter, d.Stranger })
            {
                await d.Base.MintAsync(d.Owner, sender.Address, d.BaseUnits(1000m));
                await d.Quote.MintAsync(d.Owner, sender.Address, d.QuoteUnits(2000m));
            }
            foreach (var sender in new[] { d.Owner, d.Guardian, d.Keeper, d.Reporter, d.Stranger })
            {
                await d.Base.ApproveAsync(sender, d.Pool.Address, TreasuryDeployer.MaxUint256);
                await d.Quote.ApproveAsync(sender, d.Pool.Address, TreasuryDeployer.MaxUint256);
            }
            Cache[node] = s;
            return s;
        }
        finally
        {
            Lock.Release();
        }
    }

    /// <summary>Forgets every sender's cached nonce (an evm_revert rewinds nonces).</summary>
    public async Task ResynchroniseNoncesAsync()
    {
        foreach (var sender in new[] { D.Owner, D.Guardian, D.Keeper, D.Reporter, D.Stranger, D.Trader })
            await sender.ResynchroniseNonceAsync();
    }

    public AccountSender? Sender(Role role) => role switch
    {
        Role.Owner => D.Owner,
        Role.Guardian => D.Guardian,
        Role.Keeper => D.Keeper,
        Role.Reporter => D.Reporter,
        Role.Stranger => D.Stranger,
        _ => null,
    };

    public Address AddressOf(Role role) => role switch
    {
        Role.Vault => D.Vault.Address,
        Role.Oracle => D.Oracle.Address,
        _ => Sender(role)!.Address,
    };

    /// <summary>A target the default policy accepts: centre 2.0, lower bound 1.9, fee 0.25%, no hint.</summary>
    public TreasuryVault.Target DefaultTarget => Target(2.0m, 1.9m, 2500);

    public TreasuryVault.Target Target(decimal centre, decimal bound, int feePips) =>
        new(D.SqrtPriceX96(centre), D.SqrtPriceX96(bound), feePips, 65535);

    /// <summary>
    /// The pool's base share of value at the vault's oracle price, bps (TreasuryVault's formula).
    /// </summary>
    public async Task<int> ShareBpsAsync(ManagedPool? pool = null)
    {
        pool ??= D.Pool;
        var st = await pool.GetStateAsync();
        var price = await D.Vault.OraclePriceX128Async(pool.Address);
        return (int)Models.Policy.VaultPolicyMath.BaseShareBps(st.Reserve0, st.Reserve1, price);
    }

    /// <summary>
    /// Sets the pool's inventory bounds so that the vault allows a skew of up to 199 bps (of maxSkew 200) in direction
    /// <paramref name="sign"/> (&gt; 0: centre above the oracle) at the pool's current share: the share sits 1 bp inside
    /// the bound on the side the skew steers away from, the target 1,499 bps beyond it (allowed = ⌊200·1499/1500⌋ = 199).
    /// The worst case for the tests that assume a stolen keeper key skews as far as the policy lets it.
    /// </summary>
    public async Task PermitSkewAsync(int sign, ManagedPool? pool = null)
    {
        pool ??= D.Pool;
        var share = await ShareBpsAsync(pool);
        var (lo, hi) = sign > 0 ? (share - 1, share + 2999) : (share - 2999, share + 1);
        await D.Vault.SetInventoryBoundsAsync(D.Owner, pool.Address, Math.Max(lo, 0), Math.Min(hi, 10_000));
    }

    /// <summary>Moves time past the TWAP window (and the rebalance interval) and refreshes the oracle at <paramref name="answer"/> (8 decimals).</summary>
    public async Task ReadyToRebalanceAsync(BigInteger? answer = null, long seconds = 700)
    {
        await D.IncreaseTimeAsync(seconds);
        await D.Oracle.UpdateAsync(D.Reporter, answer ?? D.Settings.OraclePrice, D.Settings.OracleVolatility);
    }

    public async Task<PoolSnapshot> CaptureAsync(ManagedPool? pool = null)
    {
        pool ??= D.Pool;
        var state = await pool.GetStateAsync();
        var token0 = new MintableERC20(D.Eth, await pool.Token0Async());
        var token1 = new MintableERC20(D.Eth, await pool.Token1Async());
        return new PoolSnapshot(state, await token0.BalanceOfAsync(pool.Address), await token1.BalanceOfAsync(pool.Address),
            await pool.LastRepositionTimeAsync(), await D.Vault.PausedAsync());
    }

    /// <summary>
    /// A keeper's rebalance that must fail with <paramref name="errorName"/>: first as the node's gas estimate sees it
    /// (nothing sent; the reason and its arguments are returned), then as a mined transaction with a fixed gas limit,
    /// which must be mined with status 0 — and the pool must be exactly as before, tokens included.
    /// </summary>
    public async Task<RevertReason> AssertRebalanceRejectedAsync(TreasuryVault.Target target, string errorName, ManagedPool? pool = null)
    {
        pool ??= D.Pool;
        var before = await CaptureAsync(pool);
        var reason = await Reverts.ExpectAsync(errorName, () => D.Vault.RebalanceAsync(D.Keeper, pool.Address, target));
        var block = await D.Eth.BlockNumberAsync();
        await Assert.ThrowsAsync<ContractRevertException>(() =>
            D.Vault.Contract.SendAsync(D.Keeper, "rebalance(address,(uint160,uint160,uint24,uint16))", [pool.Address, target.ToAbi()], gasLimit: 1_000_000));
        Assert.Equal(block + 1, await D.Eth.BlockNumberAsync()); // mined (and reverted)
        Assert.Equal(before, await CaptureAsync(pool));
        return reason;
    }

    /// <summary>Deploys a pool of the vault on (token0, token1) at 2.0 on [1.8, 2.2], fee 0.3%, registers it with the default
    /// policy (same feeds), grows its ring and deposits 10,000 base and 20,000 quote from the owner.</summary>
    public async Task<ManagedPool> DeployRegisteredPoolAsync(MintableERC20 token0, MintableERC20 token1)
    {
        var d = D;
        var pool = await ManagedPool.DeployAsync(d.Owner, d.Artifact(ManagedPool.ArtifactName), token0.Address, token1.Address, d.Vault.Address,
            d.SqrtPriceX96(2.0m), d.SqrtPriceX96(1.8m), d.SqrtPriceX96(2.2m), 3000);
        await d.Vault.RegisterPoolAsync(d.Owner, pool.Address, d.Policy);
        await pool.IncreaseObservationCardinalityAsync(d.Owner, 16);
        await token0.MintAsync(d.Owner, d.Owner.Address, d.BaseUnits(10_000m));
        await token1.MintAsync(d.Owner, d.Owner.Address, d.QuoteUnits(20_000m));
        await token0.ApproveAsync(d.Owner, d.Vault.Address, TreasuryDeployer.MaxUint256);
        await token1.ApproveAsync(d.Owner, d.Vault.Address, TreasuryDeployer.MaxUint256);
        await d.Vault.DepositAsync(d.Owner, pool.Address, d.BaseUnits(10_000m), d.QuoteUnits(20_000m));
        await token0.MintAsync(d.Owner, d.Trader.Address, d.BaseUnits(1_000m));
        await token1.MintAsync(d.Owner, d.Trader.Address, d.QuoteUnits(2_000m));
        await token0.ApproveAsync(d.Trader, pool.Address, TreasuryDeployer.MaxUint256);
        await token1.ApproveAsync(d.Trader, pool.Address, TreasuryDeployer.MaxUint256);
        return pool;
    }
}

/// <summary>Base of the security tests: the shared <see cref="SecurityDeployment"/>, a snapshot per test, nonces resynchronised.</summary>
public abstract class SecurityTest(LocalNodeFixture node) : NodeTest(node)
{
    protected SecurityDeployment S { get; private set; } = null!;
    protected TreasuryDeployer D => S.D;

    public override async Task InitializeAsync()
    {
        S = await SecurityDeployment.GetAsync(Node);
        await S.ResynchroniseNoncesAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await S.ResynchroniseNoncesAsync();
    }
}

/// <summary>Trader moves that push a pool to a chosen price (the vault's guard formulas are Models.Policy.VaultPolicyMath).</summary>
public static class PoolMoves
{
    private static readonly BigInteger Q96 = BigInteger.One << 96;

    private static BigInteger CeilDiv(BigInteger a, BigInteger b) => (a + b - 1) / b;

    /// <summary>
    /// Swaps the input (fee included) that moves the pool's sqrt price from its current value to about
    /// <paramref name="targetSqrtPriceX96"/>: net Δx = ⌈L·2^96·(P − T)/(P·T)⌉ (price down) or Δy = ⌈L·(T − P)/2^96⌉ (price up),
    /// grossed up by the fee.
    /// </summary>
    public static async Task<ManagedPool.SwapEvent> SwapToSqrtPriceAsync(this TreasuryDeployer d, BigInteger targetSqrtPriceX96, AccountSender? trader = null, ManagedPool? pool = null)
    {
        pool ??= d.Pool;
        trader ??= d.Trader;
        var s = await pool.GetStateAsync();
        var p = s.SqrtPriceX96;
        var zeroForOne = targetSqrtPriceX96 < p;
        var net = zeroForOne
            ? CeilDiv(s.Liquidity * Q96 * (p - targetSqrtPriceX96), p * targetSqrtPriceX96)
            : CeilDiv(s.Liquidity * (targetSqrtPriceX96 - p), Q96);
        var gross = CeilDiv(net * 1_000_000, 1_000_000 - s.FeePips);
        var receipt = await pool.SwapExactInAsync(trader, zeroForOne, gross, 0, trader.Address, TreasuryDeployer.Deadline);
        return Assert.Single(ManagedPool.SwapEvents(receipt));
    }
}
