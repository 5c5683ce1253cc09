using TreasuryManager.Ethereum;
using TreasuryManager.Keeper.Cycle;

namespace TreasuryManager.Keeper.Fleet;

/// <summary>How a fleet keeper's held pools changed in one lease refresh.</summary>
/// <param name="Taken">Held now, not before: observed (again) before anything is planned for them, with new estimators.</param>
/// <param name="GivenUp">Held before, not now (handed back, expired, taken or fenced off): no longer read.</param>
public sealed record HeldPoolChange(IReadOnlySet<Address> Taken, IReadOnlySet<Address> GivenUp);

/// <summary>
/// The pure part of a fleet keeper observing only the pools it holds: which pools a refresh took and gave up, and the
/// cycle's observation when a pool was taken after the first read (the held pools read again on one block).
/// </summary>
public static class HeldPools
{
    public static HeldPoolChange Change(IReadOnlySet<Address> before, IReadOnlySet<Address> now)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(now);
        return new HeldPoolChange(now.Where(p => !before.Contains(p)).ToHashSet(), before.Where(p => !now.Contains(p)).ToHashSet());
    }

    /// <summary>
    /// The cycle's observation from a first read (the pools held before the refresh) and a second (the pools held after
    /// it, on a block at least as recent): the second's pools, each with the swaps the first read consumed from the
    /// shared swap cursor put before its own, so no swap of a pool still held is lost; the round trips and requests of both.
    /// </summary>
    public static ChainObservation Merge(ChainObservation first, ChainObservation second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        var earlier = first.Pools.ToDictionary(p => p.Pool, p => p.Swaps);
        var pools = second.Pools.Select(p => earlier.TryGetValue(p.Pool, out var swaps) && swaps.Count > 0
            ? p with { Swaps = [.. swaps, .. p.Swaps] }
            : p).ToArray();
        return second with { Pools = pools, RoundTrips = first.RoundTrips + second.RoundTrips, Requests = first.Requests + second.Requests };
    }
}
