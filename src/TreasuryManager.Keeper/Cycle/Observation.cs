using System.Numerics;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Ethereum;
using TreasuryManager.Strategy.Decisions;
using TreasuryManager.Strategy.Inputs;

namespace TreasuryManager.Keeper.Cycle;

/// <summary>A feed's latest round (Chainlink shape): the answer and when it was written (unix seconds).</summary>
public sealed record FeedRound(Address Feed, BigInteger Answer, long UpdatedAt, int Decimals)
{
    public double Value => (double)Answer / Math.Pow(10, Decimals);

    /// <summary>The round as the Strategy core reads it (the feed's address named in messages only).</summary>
    public FeedReading Reading => new(Feed.ToString(), Answer, UpdatedAt, Decimals);
}

/// <summary>What never changes for a pool (read once at start): its tokens' decimals; for a Uniswap v3 pool, its manager,
/// fee tier and tick spacing (<see cref="UniswapV3"/>; null for a ManagedPool).</summary>
public sealed record PoolIdentity(Address Pool, string Label, Address Token0, Address Token1, int BaseDecimals, int QuoteDecimals)
{
    public UniswapV3PoolIdentity? UniswapV3 { get; init; }

    public Configuration.PoolVenue Venue => UniswapV3 is null ? Configuration.PoolVenue.ManagedPool : Configuration.PoolVenue.UniswapV3;
}

/// <summary>The feeds a pool's policy names and its heartbeat (the vault's policy for a ManagedPool, the manager's for a v3 pool).</summary>
public sealed record PoolFeeds(Address PriceFeed, Address VolatilityFeed, long HeartbeatSeconds);

/// <summary>
/// One pool as observed in a cycle's batch: its state, its policy in the vault, its feeds' rounds, the TWAP over
/// the policy's window, and the swaps since the last cycle. <see cref="Error"/> is set (and the rest may be null)
/// when one of its reads failed: that pool holds, the others go on.
/// </summary>
public sealed record PoolObservation(
    PoolIdentity Identity,
    ManagedPool.PoolState? State,
    TreasuryVault.PolicyView? Policy,
    FeedRound? Price,
    FeedRound? Volatility,
    BigInteger? TwapLogPrice,
    IReadOnlyList<SwapSeen> Swaps,
    string? Error)
{
    public Address Pool => Identity.Pool;

    /// <summary>Why the pool holds when <see cref="Error"/> is set: a failed read, or a TWAP window its history does not cover yet.</summary>
    public HoldReason ErrorReason { get; init; } = HoldReason.ObserveFailed;

    /// <summary>The pool's hedge as read in the same batch (only for pools the keeper hedges; null otherwise).</summary>
    public PerpHedgeObservation? Hedge { get; init; }

    /// <summary>A Uniswap v3 pool's reads (null for a ManagedPool, and when they failed).</summary>
    public UniswapV3Reading? UniswapV3 { get; init; }

    /// <summary>The feeds the pool's policy names (null when its policy was not read).</summary>
    public PoolFeeds? Feeds => Policy is { } p
        ? new PoolFeeds(p.Params.PriceFeed, p.Params.VolatilityFeed, (long)p.Params.Heartbeat)
        : UniswapV3 is { Policy.Params: var v } ? new PoolFeeds(v.PriceFeed, v.VolatilityFeed, (long)v.Heartbeat) : null;

    /// <summary>The pool as the Strategy core reads it (null when its state was not read).</summary>
    public PoolSnapshot? Snapshot => State is { } s ? StrategyInputs.Snapshot(s)
        : UniswapV3 is { } v3 && Identity.UniswapV3 is { } id ? UniswapV3Venue.Snapshot(id, v3) : null;
}

/// <summary>
/// A hedged pool's vault hedge policy and, when it has a market, the vault's account on it (<see cref="State"/>), or
/// why that could not be read (<see cref="Error"/>: the market's StalePrice, a market changed this cycle…).
/// </summary>
public sealed record PerpHedgeObservation(TreasuryVault.HedgePolicy? Policy, Hedging.PerpHedgeState? State, string? Error)
{
    public bool HasPolicy => Policy is { } p && p.Market != Address.Zero;
}

/// <summary>Everything one cycle read, in one JSON-RPC batch (<see cref="RoundTrips"/> counts the HTTP requests it took).</summary>
public sealed record ChainObservation(
    long BlockNumber,
    long Timestamp,
    BigInteger BaseFeePerGas,
    BigInteger NextBaseFeePerGas,
    IReadOnlyList<PoolObservation> Pools,
    int RoundTrips)
{
    /// <summary>The JSON-RPC requests in the cycle's main batch (the block, the fees, the swap log, three reads per
    /// observed pool, its feeds' rounds, its hedge reads): what observing more pools costs.</summary>
    public int Requests { get; init; }
}

/// <summary>
/// The seam between the chain and the Strategy core: a <see cref="PoolObservation"/> (contract binding types) as the
/// plain records the Decider reads. An observation missing a piece it needs is a Hold naming why.
/// </summary>
public static class StrategyInputs
{
    /// <summary>The pool's state as the Strategy core reads it.</summary>
    public static PoolSnapshot Snapshot(ManagedPool.PoolState s) => new(
        s.SqrtPriceX96, s.SqrtPriceLowX96, s.SqrtPriceHighX96, s.Liquidity, (int)s.FeePips, s.Reserve0, s.Reserve1, s.Paused, (long)s.LastRepositionTime);

    /// <summary>The vault's policy as the Strategy core reads it.</summary>
    public static PoolPolicy Policy(TreasuryVault.PolicyView view)
    {
        var p = view.Params;
        return new PoolPolicy((long)p.Heartbeat, p.VolatilityFeed != Address.Zero, (long)p.TwapWindow, (int)p.MaxTwapDeviationBps, view.MaxTwapDeviationLog,
            (int)p.MaxSkewBps, (int)p.MinFeePips, (int)p.MaxFeePips, (int)p.MinWidthBps, (long)p.MaxWidthBps, (long)p.MinRebalanceInterval,
            (int)p.MinBaseShareBps, (int)p.MaxBaseShareBps, (int)view.PriceScaleExp, view.AllowInventoryRecovery);
    }

    /// <summary>The Decider's inputs, or the Hold an incomplete observation is. A Uniswap v3 pool's inputs are the same
    /// records (<see cref="UniswapV3Venue.Snapshot"/>, <see cref="UniswapV3Venue.Policy"/>): the Decider does not know the venue.</summary>
    public static (PoolInputs? Inputs, HoldAction? Hold) From(PoolObservation o)
    {
        ArgumentNullException.ThrowIfNull(o);
        if (o.Identity.UniswapV3 is { } v3)
        {
            if (o.Error is not null || o.UniswapV3 is null || o.Price is null || o.TwapLogPrice is null)
                return (null, new HoldAction(o.Error is null ? HoldReason.ObserveFailed : o.ErrorReason, o.Error ?? "incomplete observation"));
            return (new PoolInputs(UniswapV3Venue.Snapshot(v3, o.UniswapV3), UniswapV3Venue.Policy(v3, o.UniswapV3.Policy, o.Identity, o.Price.Decimals),
                o.Price.Reading, o.Volatility?.Reading, o.TwapLogPrice.Value, o.Identity.BaseDecimals, o.Identity.QuoteDecimals, RangeAtSpot: true), null);
        }
        if (o.Error is not null || o.State is null || o.Policy is null || o.Price is null || o.TwapLogPrice is null)
            return (null, new HoldAction(o.Error is null ? HoldReason.ObserveFailed : o.ErrorReason, o.Error ?? "incomplete observation"));
        // a volatility feed the policy names but that could not be read is the Decider's to hold on (its preconditions)
        return (new PoolInputs(Snapshot(o.State), Policy(o.Policy), o.Price.Reading, o.Volatility?.Reading, o.TwapLogPrice.Value, o.Identity.BaseDecimals, o.Identity.QuoteDecimals), null);
    }
}

/// <summary>
/// What a cycle read of one pool, in human units, whatever the decision: the pool's price, range and fee, its reserves
/// and the base share of its value — at the oracle price (the vault's formula, as the Decider measures it) when the
/// price feed was read, else at the pool's own price. Null fields were not read; <see cref="Missing"/> says why. For a
/// Uniswap v3 pool the range and reserves are the vault's position's (its amounts plus the idle holdings), the fee the
/// pool's tier, and <see cref="UniswapV3"/> adds the ticks, liquidity and idle holdings.
/// </summary>
public sealed record PoolReading(
    double? PoolPrice, double? PriceLow, double? PriceHigh, int? FeePips, double? Base, double? Quote,
    int? BaseShareBps, bool ShareAtOraclePrice, double? OraclePrice, string? Missing)
{
    public Configuration.PoolVenue Venue { get; init; }

    /// <summary>The vault's v3 position (null for a ManagedPool or when it was not read).</summary>
    public UniswapV3PositionReading? UniswapV3 { get; init; }

    public static PoolReading Of(PoolObservation o)
    {
        ArgumentNullException.ThrowIfNull(o);
        var oracle = o.Price?.Value;
        var venue = o.Identity.Venue;
        if (o.Snapshot is not { } s)
            return new PoolReading(null, null, null, null, null, null, null, false, oracle, o.Error ?? "the pool's state was not read") { Venue = venue };
        var rawToHuman = Math.Pow(10, o.Identity.BaseDecimals - o.Identity.QuoteDecimals);
        double Price(BigInteger sqrtPriceX96) => Models.Curve.Uint.PriceFromSqrtPriceX96(sqrtPriceX96) * rawToHuman;
        var x = (double)s.Reserve0 / Math.Pow(10, o.Identity.BaseDecimals);
        var y = (double)s.Reserve1 / Math.Pow(10, o.Identity.QuoteDecimals);
        var poolPrice = Price(s.SqrtPriceX96);
        int? share;
        var atOracle = false;
        var priceScaleExp = o.Policy is { } policy ? (int?)(int)policy.PriceScaleExp
            : o.UniswapV3 is not null && o.Price is { } feed ? UniswapV3Venue.PriceScaleExp(o.Identity, feed.Decimals) : null;
        if (o.Price is { } round && priceScaleExp is { } exp && Models.Policy.VaultPolicyMath.PriceX128(round.Answer, exp) is { } priceX128)
        {
            share = (int)Models.Policy.VaultPolicyMath.BaseShareBps(s.Reserve0, s.Reserve1, priceX128);
            atOracle = true;
        }
        else
        {
            var value = x * poolPrice + y;
            share = value > 0 ? (int)Math.Round(x * poolPrice / value * 10_000) : null;
        }
        var v3 = o.UniswapV3 is { Position: var p } r
            ? new UniswapV3PositionReading((int)p.TickLower, (int)p.TickUpper, p.Liquidity, r.PoolLiquidity,
                (double)p.Idle0 / Math.Pow(10, o.Identity.BaseDecimals), (double)p.Idle1 / Math.Pow(10, o.Identity.QuoteDecimals), (int)r.Slot0.Tick)
            : null;
        return new PoolReading(poolPrice, Price(s.SqrtPriceLowX96), Price(s.SqrtPriceHighX96), s.FeePips, x, y, share, atOracle, oracle, null)
        {
            Venue = venue,
            UniswapV3 = v3,
        };
    }
}

/// <summary>The vault's Uniswap v3 position as `status` shows it: its ticks and liquidity, the pool's active liquidity and
/// tick, the idle holdings (human units, part of the reserves).</summary>
public sealed record UniswapV3PositionReading(int TickLower, int TickUpper, BigInteger Liquidity, BigInteger PoolLiquidity, double IdleBase, double IdleQuote, int PoolTick);
