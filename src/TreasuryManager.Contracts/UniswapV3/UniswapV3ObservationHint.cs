using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Contracts.Observations;
using TreasuryManager.Ethereum;
using TreasuryManager.Ethereum.JsonRpc;

namespace TreasuryManager.Contracts.UniswapV3;

/// <summary>
/// The observation hint UniswapV3PositionManager.rebalance takes (RangeTarget.observationHint): the index in a Uniswap v3
/// pool's observation ring of the newest observation at or before the TWAP window's start (block time − twapWindow), whose
/// successor in the ring lies after it. The manager reads it (and the successor) only when the start is before the pool's
/// newest observation, checks that they bracket the start (InvalidObservationHint otherwise) and interpolates as the
/// pool's observe does; <see cref="None"/> makes it call observe instead (more gas, the same result).
/// </summary>
public static class UniswapV3ObservationHint
{
    /// <summary>type(uint16).max: no hint (the manager calls the pool's observe).</summary>
    public const int None = 65535;

    /// <summary>
    /// The hint for a window starting at <paramref name="target"/> (unix seconds: the block time the rebalance is expected
    /// to land at, less the policy's twapWindow), from the pool's ring as of <paramref name="block"/>: slot0, then the
    /// ring's observations(i) in one JSON-RPC batch (<see cref="ObservationRing"/>; a ring over its batch size in a few). The newest observation's index when the start is at or
    /// after it (the manager then reads no hint, and the hint still brackets the start if a newer observation lands
    /// first); <see cref="None"/> when the start is older than the ring (the pool's observe refuses it too, 'OLD').
    /// </summary>
    public static async Task<int> FindAsync(IUniswapV3PoolMinimal pool, long target, BlockTag? block = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(pool);
        var slot0 = await pool.Slot0Async(block, ct).ConfigureAwait(false);
        return await FindAsync(Reader(pool.Contract.Eth.Rpc, pool.Address, block ?? BlockTag.Latest, ct),
            (int)slot0.ObservationIndex, (int)slot0.ObservationCardinality, target).ConfigureAwait(false);
    }

    /// <summary>A reader of <paramref name="pool"/>'s ring as of <paramref name="block"/> for <see cref="FindAsync(Func{IReadOnlyList{int}, Task{IReadOnlyList{RingSlot}}}, int, int, long)"/>:
    /// one JSON-RPC batch per call (<see cref="ObservationRing.BatchReader"/>).</summary>
    public static Func<IReadOnlyList<int>, Task<IReadOnlyList<RingSlot>>> Reader(RpcClient rpc, Address pool, BlockTag block, CancellationToken ct = default) =>
        ObservationRing.BatchReader(rpc, pool, i => IUniswapV3PoolMinimal.EncodeObservations(i), data =>
        {
            var o = IUniswapV3PoolMinimal.DecodeObservations(data);
            return new RingSlot((long)o.BlockTimestamp, o.Initialized);
        }, block, ct);

    /// <summary>
    /// <see cref="FindAsync(IUniswapV3PoolMinimal, long, BlockTag?, CancellationToken)"/> over any reader of the ring
    /// (<see cref="ObservationRing.LocateAsync"/>): <paramref name="index"/> the newest slot, <paramref
    /// name="cardinality"/> the ring's populated size (slot0's).
    /// </summary>
    public static async Task<int> FindAsync(Func<IReadOnlyList<int>, Task<IReadOnlyList<RingSlot>>> read, int index, int cardinality, long target)
    {
        var (place, atOrBefore, _, _) = await ObservationRing.LocateAsync(read, index, cardinality, target).ConfigureAwait(false);
        return place is ObservationRing.Place.Within or ObservationRing.Place.AtOrAfterNewest ? atOrBefore : None;
    }
}
