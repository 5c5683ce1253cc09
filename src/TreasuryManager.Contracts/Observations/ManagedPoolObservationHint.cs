using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Ethereum;
using TreasuryManager.Ethereum.JsonRpc;

namespace TreasuryManager.Contracts.Observations;

/// <summary>
/// The observation hint TreasuryVault.rebalance passes to its ManagedPool (Target.observationHint): the index of the
/// OLDEST observation at or after the TWAP window's start (block time − twapWindow). The pool reads that one slot, and
/// its secondsSincePrevious proves the observation before it lies before the start, so it interpolates without
/// searching; a hint that does not prove it (wrong, stale, <see cref="None"/>) makes the pool binary-search its ring
/// instead: the same TWAP, about 25,000 more gas (docs/gas.md, vault.rebalance.noHint).
/// </summary>
/// <remarks>
/// Computed for the earliest block the rebalance can land in, the hint stays right for a later one while the start has
/// not passed the hinted observation's time. When no observation lies at or after the start, the rebalance's own
/// observation (written first, at the block's time, in the slot after the newest) is the one: the hint names that slot.
/// </remarks>
public static class ManagedPoolObservationHint
{
    /// <summary>type(uint16).max: no hint (the pool searches its ring).</summary>
    public const int None = 65535;

    /// <summary>A reader of <paramref name="pool"/>'s ring as of <paramref name="block"/> for <see cref="FindAsync"/>: one
    /// JSON-RPC batch per call (<see cref="ObservationRing.BatchReader"/>).</summary>
    public static Func<IReadOnlyList<int>, Task<IReadOnlyList<RingSlot>>> Reader(RpcClient rpc, Address pool, BlockTag block, CancellationToken ct = default) =>
        ObservationRing.BatchReader(rpc, pool, i => ManagedPool.EncodeObservations(i), data =>
        {
            var o = ManagedPool.DecodeObservations(data);
            return new RingSlot((long)o.BlockTimestamp, o.Initialized);
        }, block, ct);

    /// <summary>
    /// The hint for a window starting at <paramref name="target"/> (unix seconds: the block time the rebalance is expected
    /// to land at, less the policy's twapWindow), read by <paramref name="read"/> (<see cref="Reader"/>; a ring of up to
    /// <see cref="ObservationRing.BatchSize"/> slots in one batch): <paramref name="index"/> the newest slot,
    /// <paramref name="cardinality"/> the ring's populated size and <paramref name="cardinalityNext"/> the size it grows
    /// to at its next wrap (the pool's state). <see cref="None"/> when the ring is empty or does not reach back to the
    /// start (the pool refuses that window too, ObservationTooOld).
    /// </summary>
    public static async Task<int> FindAsync(Func<IReadOnlyList<int>, Task<IReadOnlyList<RingSlot>>> read, int index, int cardinality, int cardinalityNext, long target)
    {
        var (place, atOrBefore, atOrBeforeSlot, after) = await ObservationRing.LocateAsync(read, index, cardinality, target).ConfigureAwait(false);
        return place switch
        {
            ObservationRing.Place.Within => atOrBeforeSlot.Time == target ? atOrBefore : after,
            ObservationRing.Place.AtOrAfterNewest => atOrBeforeSlot.Time == target ? index : NextWrite(index, cardinality, cardinalityNext),
            _ => None,
        };
    }

    /// <summary>The slot the pool's next observation goes to (ObservationLib.write): the ring grows to
    /// <paramref name="cardinalityNext"/> when the newest is its last slot.</summary>
    public static int NextWrite(int index, int cardinality, int cardinalityNext) =>
        (index + 1) % (cardinalityNext > cardinality && index == cardinality - 1 ? cardinalityNext : cardinality);
}
