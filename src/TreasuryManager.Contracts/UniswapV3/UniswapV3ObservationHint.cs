using TreasuryManager.Contracts.Bindings;
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
    /// to land at, less the policy's twapWindow), from the pool's ring as of <paramref name="block"/>: a binary search
    /// over observations(i) (about log2(cardinality) + 2 calls). The newest observation's index when the start is at or
    /// after it (the manager then reads no hint, and the hint still brackets the start if a newer observation lands
    /// first); <see cref="None"/> when the start is older than the ring (the pool's observe refuses it too, 'OLD').
    /// </summary>
    public static async Task<int> FindAsync(IUniswapV3PoolMinimal pool, long target, BlockTag? block = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(pool);
        var slot0 = await pool.Slot0Async(block, ct).ConfigureAwait(false);
        return await FindAsync(async i =>
        {
            var o = await pool.ObservationsAsync(i, block, ct).ConfigureAwait(false);
            return ((long)o.BlockTimestamp, o.Initialized);
        }, (int)slot0.ObservationIndex, (int)slot0.ObservationCardinality, target).ConfigureAwait(false);
    }

    /// <summary>
    /// <see cref="FindAsync(IUniswapV3PoolMinimal, long, BlockTag?, CancellationToken)"/> over any reader of the ring:
    /// <paramref name="observation"/>(i) = (blockTimestamp, initialized) of slot i; <paramref name="index"/> the newest
    /// slot, <paramref name="cardinality"/> the ring's populated size (slot0's).
    /// </summary>
    public static async Task<int> FindAsync(Func<int, Task<(long Time, bool Initialized)>> observation, int index, int cardinality, long target)
    {
        ArgumentNullException.ThrowIfNull(observation);
        if (cardinality <= 0 || index < 0 || index >= cardinality) return None;
        var newest = await observation(index).ConfigureAwait(false);
        if (target >= newest.Time) return index;
        // the oldest: the slot after the newest, or slot 0 while the ring has not wrapped since it grew
        var oldestIndex = (index + 1) % cardinality;
        var oldest = await observation(oldestIndex).ConfigureAwait(false);
        if (!oldest.Initialized)
        {
            oldestIndex = 0;
            oldest = await observation(0).ConfigureAwait(false);
        }
        if (!oldest.Initialized || target < oldest.Time) return None;
        // chronological positions 0 (oldest, <= target) .. count - 1 (newest, > target): the last at or before the target
        var count = oldestIndex == 0 ? index + 1 : cardinality;
        var (lo, hi) = (0, count - 1);
        while (hi - lo > 1)
        {
            var mid = (lo + hi) / 2;
            var o = await observation((oldestIndex + mid) % cardinality).ConfigureAwait(false);
            if (o.Initialized && o.Time <= target) lo = mid;
            else hi = mid;
        }
        return (oldestIndex + lo) % cardinality;
    }
}
