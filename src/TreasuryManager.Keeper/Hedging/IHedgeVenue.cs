using TreasuryManager.Keeper.Execution;
using TreasuryManager.Strategy.Hedging;

namespace TreasuryManager.Keeper.Hedging;

/// <summary>An order for the venue: change the position by <paramref name="SizeDelta"/> base and the margin by <paramref name="MarginDelta"/> quote; the key makes it idempotent in the journal.</summary>
public sealed record HedgeOrder(IntentKey IntentKey, double SizeDelta, double MarginDelta);

/// <summary>The venue's answer after an order: the transaction (if on chain) and the position after it.</summary>
public sealed record HedgeFill(string? TransactionHash, HedgePosition Position);

/// <summary>
/// A perpetuals venue the keeper hedges on, behind which a real venue can be added without touching the decision
/// (<see cref="Hedger"/>): read the position and the costs, send an order.
/// </summary>
public interface IHedgeVenue
{
    string Name { get; }
    Task<HedgePosition> GetPositionAsync(CancellationToken ct = default);
    Task<HedgeCosts> GetCostsAsync(CancellationToken ct = default);
    Task<HedgeFill> AdjustAsync(HedgeOrder order, CancellationToken ct = default);
}

