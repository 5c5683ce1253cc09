using System.Numerics;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Contracts.Deployment;
using TreasuryManager.Contracts.Tests.Support;
using TreasuryManager.Ethereum;
using TreasuryManager.Ethereum.Abi;
using TreasuryManager.Ethereum.Contracts;
using TreasuryManager.TestContracts;
using TreasuryManager.Testing;

namespace TreasuryManager.Contracts.Tests.UniswapV3;

/// <summary>What a rejected call must leave untouched: the manager's record of the pool, its loss window, its token
/// balances, and the Uniswap pool's price and liquidity.</summary>
public sealed record V3Snapshot(
    UniswapV3PositionManager.PositionView Position,
    UniswapV3PositionManager.LossWindowOfResult LossWindow,
    BigInteger ManagerBase,
    BigInteger ManagerQuote,
    BigInteger PoolSqrtPriceX96,
    BigInteger PoolLiquidity);

/// <summary>
/// One v3 deployment shared by the v3 security tests of a node (each test reverts to its snapshot): a whole
/// <see cref="TreasuryDeployer"/> deployment at <see cref="Price"/>, its <see cref="UniswapV3PositionDeployment"/> (a 0.3% pool at
/// that price, the owner's 100,000 base + 200,000 quote), a first keeper rebalance on <see cref="DefaultTarget"/> already done,
/// another LP's smaller, wider position, a MockAggregator (8 decimals, 2.0)
/// and a UniswapV3Callee through which the trader swaps.
/// </summary>
public sealed class UniswapV3Security
{
    private static readonly Dictionary<LocalNodeFixture, UniswapV3Security> Cache = [];
    private static readonly SemaphoreSlim Lock = new(1, 1);
    public static readonly BigInteger MinSqrtLimit = 4295128740;
    public static readonly BigInteger MaxSqrtLimit = BigInteger.Parse("1461446703485210103287273052203988822378723970341", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The tick of the pool's (and the oracle's) price: a multiple of the 0.3% tier's spacing (60), so that a range
    /// centred on it has a skew of 0 bps.</summary>
    public const int CentreTick = -269_400;

    /// <summary>1.0001^CentreTick · 10^12 (base 18, quote 6 decimals) to 8 decimals: the oracle's answer is this × 10^8.</summary>
    public const decimal Price = 1.9984423m;

    private UniswapV3Security(UniswapV3PositionDeployment v3) => V3 = v3;

    public UniswapV3PositionDeployment V3 { get; }
    public TreasuryDeployer D => V3.D;
    public UniswapV3PositionManager Manager => V3.Manager;
    public IUniswapV3PoolMinimal Pool => V3.Pool;
    public MockAggregator Mock { get; private set; } = null!;
    /// <summary>The other LP's liquidity on [CentreTick ∓ <see cref="ThirdPartyHalfWidth"/>] (owned by <see cref="Callee"/>).</summary>
    public BigInteger ThirdPartyLiquidity { get; private set; }
    public const int ThirdPartyHalfWidth = 3000;

    /// <summary>Burns the other LP's position (tokens to the trader): the vault's is then the pool's only liquidity.</summary>
    public Task RemoveThirdPartyAsync() =>
        Callee.BurnAndCollectAsync(D.Trader, Pool.Address, CentreTick - ThirdPartyHalfWidth, CentreTick + ThirdPartyHalfWidth, ThirdPartyLiquidity, D.Trader.Address);
    public UniswapV3Callee Callee { get; private set; } = null!;

    public static async Task<UniswapV3Security> GetAsync(LocalNodeFixture node)
    {
        await Lock.WaitAsync();
        try
        {
            if (Cache.TryGetValue(node, out var cached) && (await node.Eth.GetCodeAsync(cached.Manager.Address)).Length > 0)
                return cached;
            var d = await TreasuryDeployment.DeployAsync(node, new DeploymentSettings { Price = Price });
            var s = new UniswapV3Security(await UniswapV3PositionDeployment.DeployAsync(d));
            s.Mock = await MockAggregator.DeployAsync(d.Owner, d.Artifact(MockAggregator.ArtifactName), 8, "MOCK BASE / USDQ", d.Settings.OraclePrice);
            s.Callee = await UniswapV3Callee.DeployAsync(d.Owner, d.Artifact(UniswapV3Callee.ArtifactName));
            await s.V3.Quote.MintAsync(d.Owner, d.Trader.Address, d.QuoteUnits(200_000m));
            await d.Base.ApproveAsync(d.Trader, s.Callee.Address, TreasuryDeployer.MaxUint256);
            await s.V3.Quote.ApproveAsync(d.Trader, s.Callee.Address, TreasuryDeployer.MaxUint256);
            await s.ReadyAsync();
            await s.Manager.RebalanceAsync(d.Keeper, s.Pool.Address, s.DefaultTarget);
            // another LP (the trader, through the callee, which owns the position): a tenth of the vault's liquidity on
            // ±3,000 ticks, so that the keeper's swap, made after its own position is burnt, meets liquidity
            s.ThirdPartyLiquidity = (await s.Manager.PositionOfAsync(s.Pool.Address)).Liquidity / 10;
            await s.Callee.MintAsync(d.Trader, s.Pool.Address, CentreTick - ThirdPartyHalfWidth, CentreTick + ThirdPartyHalfWidth, s.ThirdPartyLiquidity);
            Cache[node] = s;
            return s;
        }
        finally
        {
            Lock.Release();
        }
    }

    public async Task ResynchroniseNoncesAsync()
    {
        foreach (var sender in new[] { D.Owner, D.Guardian, D.Keeper, D.Reporter, D.Stranger, D.Trader })
            await sender.ResynchroniseNonceAsync();
    }

    /// <summary>A target the default policy accepts: ±1,020 ticks (≈ ±10.7%, width ≈ 2,262 bps) around the oracle, no swap.</summary>
    public UniswapV3PositionManager.RangeTarget DefaultTarget => UniswapV3PositionDeployment.Centred(CentreTick, 1020);

    /// <summary>Moves time past the TWAP window and the interval, and refreshes the oracle at <paramref name="answer"/> (8 decimals).</summary>
    public async Task ReadyAsync(BigInteger? answer = null, long seconds = 700)
    {
        await D.IncreaseTimeAsync(seconds);
        await D.Oracle.UpdateAsync(D.Reporter, answer ?? D.Settings.OraclePrice, D.Settings.OracleVolatility);
    }

    /// <summary>The trader swaps through Uniswap's pool until its sqrt price reaches <paramref name="sqrtPriceX96"/> (a price limit; input ample).</summary>
    public async Task<ContractReceipt> SwapToAsync(BigInteger sqrtPriceX96, AccountSender? trader = null)
    {
        trader ??= D.Trader;
        var spot = (await Pool.Slot0Async()).SqrtPriceX96;
        var zeroForOne = sqrtPriceX96 < spot;
        var amount = zeroForOne ? D.BaseUnits(50_000m) : D.QuoteUnits(100_000m);
        return await Callee.SwapAsync(trader, Pool.Address, zeroForOne, amount, sqrtPriceX96, trader.Address);
    }

    public async Task<V3Snapshot> CaptureAsync()
    {
        var slot0 = await Pool.Slot0Async();
        return new V3Snapshot(await Manager.PositionOfAsync(Pool.Address), await Manager.LossWindowOfAsync(Pool.Address),
            await D.Base.BalanceOfAsync(Manager.Address), await V3.Quote.BalanceOfAsync(Manager.Address), slot0.SqrtPriceX96, await Pool.LiquidityAsync());
    }

    /// <summary>
    /// A keeper's rebalance that must fail with <paramref name="errorName"/>: first as the node's gas estimate sees it (the
    /// reason is returned), then as a mined transaction with a fixed gas limit, mined with status 0 — and the manager, its
    /// tokens and the pool exactly as before.
    /// </summary>
    public async Task<RevertReason> AssertRebalanceRejectedAsync(UniswapV3PositionManager.RangeTarget target, string errorName, AccountSender? sender = null)
    {
        sender ??= D.Keeper;
        var before = await CaptureAsync();
        var reason = await Reverts.ExpectAsync(errorName, () => Manager.RebalanceAsync(sender, Pool.Address, target));
        var block = await D.Eth.BlockNumberAsync();
        await Assert.ThrowsAsync<ContractRevertException>(() =>
            Manager.Contract.SendAsync(sender, "rebalance(address,(int24,int24,bool,uint128,uint16))", [Pool.Address, target.ToAbi()], gasLimit: 2_000_000));
        Assert.Equal(block + 1, await D.Eth.BlockNumberAsync()); // mined (and reverted)
        Assert.Equal(before, await CaptureAsync());
        return reason;
    }

    /// <summary>The policy with <paramref name="change"/> applied to its vault fields, set by the owner.</summary>
    public Task SetPolicyAsync(Func<UniswapV3PositionManager.UniswapV3Policy, UniswapV3PositionManager.UniswapV3Policy> change) =>
        Manager.SetPolicyAsync(D.Owner, Pool.Address, change(V3.Policy));
}

/// <summary>Base of the v3 security tests: the shared <see cref="UniswapV3Security"/>, a snapshot per test, nonces resynchronised.</summary>
public abstract class UniswapV3Test(LocalNodeFixture node) : NodeTest(node)
{
    protected UniswapV3Security S { get; private set; } = null!;
    protected TreasuryDeployer D => S.D;

    public override async Task InitializeAsync()
    {
        S = await UniswapV3Security.GetAsync(Node);
        await S.ResynchroniseNoncesAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await S.ResynchroniseNoncesAsync();
    }
}
