using System.Security.Cryptography;
using System.Text;
using TreasuryManager.Ethereum;

namespace TreasuryManager.Keeper.Fleet;

/// <summary>
/// Which live keeper should hold each pool: rendezvous (highest-random-weight) hashing of (pool, keeper), so every keeper
/// computes the same answer from the same list, the pools spread evenly, and when a keeper dies only its own pools move
/// (each to the next keeper in its ranking). Pure: the lease statements are what make the answer safe — this only
/// decides which pools a keeper reaches for.
/// </summary>
public static class FleetAssignment
{
    /// <summary>The live keeper that should hold <paramref name="pool"/>, or null when no keeper is live.</summary>
    public static string? PreferredKeeper(Address pool, IReadOnlyCollection<string> liveKeepers)
    {
        string? best = null;
        ulong bestWeight = 0;
        foreach (var keeper in liveKeepers)
        {
            var weight = Weight(pool, keeper);
            if (best is null || weight > bestWeight || (weight == bestWeight && string.CompareOrdinal(keeper, best) < 0))
                (best, bestWeight) = (keeper, weight);
        }
        return best;
    }

    /// <summary>
    /// What <paramref name="me"/> does with each pool this cycle, from the live keepers (those seen within a lease's
    /// time to live, <paramref name="me"/> always among them) and the current holders (null: free, released or
    /// expired): renew the pools it holds and is preferred for; take the free ones it is preferred for; release a pool
    /// it holds once another live keeper is preferred for it (a keeper that joins gets its share); leave the rest. A dead
    /// keeper drops out of the live list after a time to live, so its pools get a new preferred keeper, which takes
    /// them once their leases have expired.
    /// </summary>
    public static IReadOnlyDictionary<Address, LeaseStep> Plan(string me, IReadOnlyCollection<Address> pools,
        IReadOnlyCollection<string> liveKeepers, IReadOnlyDictionary<Address, string?> liveHolders)
    {
        var live = liveKeepers.Contains(me) ? liveKeepers : [.. liveKeepers, me];
        var steps = new Dictionary<Address, LeaseStep>();
        foreach (var pool in pools)
        {
            var preferred = PreferredKeeper(pool, live);
            liveHolders.TryGetValue(pool, out var holder);
            steps[pool] = (holder, preferred) switch
            {
                _ when holder == me && preferred != me => LeaseStep.Release,
                _ when holder == me => LeaseStep.Keep,
                (null, _) when preferred == me => LeaseStep.Take,
                _ => LeaseStep.Leave,
            };
        }
        return steps;
    }

    private static ulong Weight(Address pool, string keeper)
    {
        var bytes = Encoding.UTF8.GetBytes(pool.ToLowerHex() + "|" + keeper);
        return BitConverter.ToUInt64(SHA256.HashData(bytes), 0);
    }
}

/// <summary>A keeper's step for one pool's lease in a cycle.</summary>
public enum LeaseStep
{
    /// <summary>It holds the lease and should: renew it.</summary>
    Keep,
    /// <summary>The lease is free (or expired): take it.</summary>
    Take,
    /// <summary>It holds the lease but the pool's preferred keeper is live: hand it back.</summary>
    Release,
    /// <summary>Another keeper holds it live, or is preferred for it: leave it.</summary>
    Leave,
}
