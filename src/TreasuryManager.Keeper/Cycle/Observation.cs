using System.Numerics;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Ethereum;

namespace TreasuryManager.Keeper.Cycle;

/// <summary>A feed's latest round (Chainlink shape): the answer and when it was written (unix seconds).</summary>
public sealed record FeedRound(Address Feed, BigInteger Answer, long UpdatedAt, int Decimals)
{
    public double Value => (double)Answer / Math.Pow(10, Decimals);
}

/// <summary>What never changes for a pool (read once at start): its tokens' decimals.</summary>
public sealed record PoolIdentity(Address Pool, string Label, Address Token0, Address Token1, int BaseDecimals, int QuoteDecimals);

/// <summary>A swap seen in the pool's logs since the previous cycle.</summary>
public sealed record SwapSeen(long BlockNumber, bool ZeroForOne, BigInteger AmountIn, BigInteger AmountOut, BigInteger SqrtPriceX96);

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
    int RoundTrips);
