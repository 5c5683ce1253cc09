using System.Numerics;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Contracts.UniswapV3;
using TreasuryManager.Ethereum.JsonRpc;

namespace TreasuryManager.Contracts.Deployment;

/// <summary>The parameters of <see cref="UniswapV3PositionDeployment"/>; defaults: fee tier 0.3%, the deployment's price, 100,000 base + 200,000 quote.</summary>
public sealed record UniswapV3PositionSettings
{
    /// <summary>The pool's fee tier, pips (500, 3000 or 10000); it must lie inside the policy's fee bounds.</summary>
    public int FeePips { get; init; } = 3000;
    /// <summary>The pool's initial price (human quote per base); null = the deployment's <see cref="TreasuryDeploymentSettings.Price"/>.</summary>
    public decimal? Price { get; init; }
    /// <summary>Deposited into the manager for the pool by the owner (minted first), human units; minted by the first rebalance.</summary>
    public decimal DepositBase { get; init; } = 100_000m;
    public decimal DepositQuote { get; init; } = 200_000m;
    /// <summary>The swap's slippage bound, the loss budget and inventory recovery (see UniswapV3PositionManager's policy).</summary>
    public int MaxSwapSlippageBps { get; init; } = 100;
    public int MaxLossBps { get; init; } = 100;
    public bool AllowInventoryRecovery { get; init; } = true;
    /// <summary>The vault's policy fields; null = the deployment's <see cref="TreasuryDeployer.Policy"/> (same feeds and bounds).</summary>
    public TreasuryVault.PolicyParams? Policy { get; init; }
}

/// <summary>
/// A Uniswap v3 venue for a <see cref="TreasuryDeployer"/>'s vault: Uniswap's factory (from the npm artifact), a pool on
/// the deployment's base and a quote token of the deployment's decimals sorted after the base (the manager's feed
/// prices token0 in token1, so the base must be token0), a <c>UniswapV3PositionManager</c> governed by the vault's roles,
/// the pool registered with the deployment's policy, and the owner's deposit held idle for the first rebalance.
/// </summary>
public sealed class UniswapV3PositionDeployment
{
    private UniswapV3PositionDeployment(TreasuryDeployer d, UniswapV3Deployment uniswap, MintableERC20 quote, IUniswapV3PoolMinimal pool, UniswapV3PositionManager manager, UniswapV3PositionManager.UniswapV3Policy policy)
    {
        D = d;
        Uniswap = uniswap;
        Quote = quote;
        Pool = pool;
        Manager = manager;
        Policy = policy;
    }

    public TreasuryDeployer D { get; }
    public UniswapV3Deployment Uniswap { get; }
    /// <summary>The pool's token1 (the deployment's quote when it sorts after the base, else a new token of the same decimals).</summary>
    public MintableERC20 Quote { get; }
    public IUniswapV3PoolMinimal Pool { get; }
    public UniswapV3PositionManager Manager { get; }
    public UniswapV3PositionManager.UniswapV3Policy Policy { get; }
    /// <summary>The pool's tick spacing (60 at 0.3%).</summary>
    public int TickSpacing { get; private init; }

    /// <summary>Deploys and wires everything; nothing is minted into the pool until the keeper's first rebalance.</summary>
    public static async Task<UniswapV3PositionDeployment> DeployAsync(TreasuryDeployer d, UniswapV3PositionSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(d);
        var s = settings ?? new UniswapV3PositionSettings();
        if (s.DepositBase < 0 || s.DepositQuote < 0)
            throw new ArgumentException($"deposits ({s.DepositBase} base, {s.DepositQuote} quote) must not be negative", nameof(settings));
        var quote = d.Quote;
        // token0 is the lower address: deploy quote tokens (same decimals) until one sorts after the base
        for (var i = 0; !SortsBefore(d.Base.Address, quote.Address); i++)
        {
            if (i == 16) throw new InvalidOperationException($"no quote token sorting after base {d.Base.Address} in 16 deployments");
            quote = await d.DeployQuoteTokenAsync("Quote v3", d.Settings.QuoteSymbol, d.Settings.QuoteDecimals);
        }
        var uniswap = await UniswapV3Deployment.DeployFactoryAsync(d.Owner, d.RepositoryRoot);
        var pool = await uniswap.CreatePoolAsync(d.Owner, d.Base.Address, quote.Address, s.FeePips, d.SqrtPriceX96(s.Price ?? d.Settings.Price));
        var manager = await UniswapV3PositionManager.DeployAsync(d.Owner, d.Artifact(UniswapV3PositionManager.ArtifactName), d.Vault.Address, uniswap.Factory.Address);
        // the vault pushes its keepers and pause to its registered manager: register it, then grant the deployment's
        // keeper again (keepers granted before registration are not pushed)
        await d.Vault.SetPositionManagerAsync(d.Owner, manager.Address);
        await d.Vault.SetKeeperAsync(d.Owner, d.Keeper.Address, true);
        var policy = ToPolicy(s.Policy ?? d.Policy, s.MaxSwapSlippageBps, s.MaxLossBps, s.AllowInventoryRecovery);
        await manager.RegisterPoolAsync(d.Owner, pool.Address, policy);

        var baseUnits = d.BaseUnits(s.DepositBase);
        var quoteUnits = d.QuoteUnits(s.DepositQuote);
        await d.Base.MintAsync(d.Owner, d.Owner.Address, baseUnits);
        await quote.MintAsync(d.Owner, d.Owner.Address, quoteUnits);
        await d.Base.ApproveAsync(d.Owner, manager.Address, TreasuryDeployer.MaxUint256);
        await quote.ApproveAsync(d.Owner, manager.Address, TreasuryDeployer.MaxUint256);
        await manager.DepositAsync(d.Owner, pool.Address, baseUnits, quoteUnits);
        var spacing = (int)await pool.TickSpacingAsync();
        return new UniswapV3PositionDeployment(d, uniswap, quote, pool, manager, policy) { TickSpacing = spacing };
    }

    /// <summary>The vault's policy fields with the v3-only ones, as UniswapV3PositionManager takes them.</summary>
    public static UniswapV3PositionManager.UniswapV3Policy ToPolicy(TreasuryVault.PolicyParams p, int maxSwapSlippageBps, int maxLossBps, bool allowInventoryRecovery) =>
        new(new UniswapV3PositionManager.PolicyParams(p.PriceFeed, p.VolatilityFeed, p.Heartbeat, p.TwapWindow, p.MaxTwapDeviationBps, p.MaxSkewBps,
                p.MinFeePips, p.MaxFeePips, p.MinWidthBps, p.MaxWidthBps, p.MinRebalanceInterval, p.MinBaseShareBps, p.MaxBaseShareBps),
            maxSwapSlippageBps, maxLossBps, allowInventoryRecovery);

    /// <summary>
    /// The multiple of the tick spacing nearest to the tick of <paramref name="humanPrice"/> (quote per base) in the pool's
    /// raw units. A keeper's choice of range, not a guard: doubles suffice.
    /// </summary>
    public int TickNear(decimal humanPrice)
    {
        var raw = (double)humanPrice * Math.Pow(10, D.Settings.QuoteDecimals - D.Settings.BaseDecimals);
        var tick = Math.Log(raw) / Math.Log(1.0001);
        return (int)Math.Round(tick / TickSpacing) * TickSpacing;
    }

    /// <summary>[<paramref name="centreTick"/> − <paramref name="halfWidthTicks"/>, <paramref name="centreTick"/> + <paramref name="halfWidthTicks"/>], no swap (both multiples of the spacing, or the manager refuses them);
    /// no observation hint unless one is given (<see cref="UniswapV3ObservationHint"/>).</summary>
    public static UniswapV3PositionManager.RangeTarget Centred(int centreTick, int halfWidthTicks, int observationHint = UniswapV3ObservationHint.None) =>
        new(centreTick - halfWidthTicks, centreTick + halfWidthTicks, false, BigInteger.Zero, observationHint);

    /// <summary>A range target on [tick of <paramref name="low"/>, tick of <paramref name="high"/>] (each at its nearest spacing multiple), no swap, no observation hint unless one is given.</summary>
    public UniswapV3PositionManager.RangeTarget Range(decimal low, decimal high, int observationHint = UniswapV3ObservationHint.None) =>
        new(TickNear(low), TickNear(high), false, BigInteger.Zero, observationHint);

    /// <summary>The pool's observation hint for a rebalance landing at <paramref name="blockTimestamp"/> (the window's start is
    /// that less the policy's twapWindow), from the ring as of <paramref name="block"/> (<see cref="UniswapV3ObservationHint"/>).</summary>
    public Task<int> ObservationHintAsync(long blockTimestamp, BlockTag? block = null, CancellationToken ct = default) =>
        UniswapV3ObservationHint.FindAsync(Pool, blockTimestamp - (long)Policy.Params.TwapWindow, block, ct);

    private static bool SortsBefore(Ethereum.Address a, Ethereum.Address b) =>
        string.CompareOrdinal(a.ToString().ToLowerInvariant(), b.ToString().ToLowerInvariant()) < 0;
}
