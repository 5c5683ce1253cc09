using TreasuryManager.Ethereum;

namespace TreasuryManager.Keeper.Journal;

/// <summary>
/// A keeper's lease on one pool, as the fleet's database holds it: the holder may act for the pool until
/// <see cref="ExpiresAt"/> (the database server's clock). <see cref="Token"/> is the fencing token: it increases on every
/// change of holder, so a keeper that lost the lease (paused past it, cut off) carries a stale token and every journal
/// write it attempts for the pool is refused. <see cref="Holder"/> is null after a release.
/// </summary>
public sealed record PoolLease(Address Pool, string? Holder, long Token, DateTimeOffset Since, DateTimeOffset ExpiresAt)
{
    /// <summary>Whether <paramref name="keeper"/> holds it at <paramref name="now"/> (by the database's clock).</summary>
    public bool IsHeldBy(string keeper, DateTimeOffset now) => Holder == keeper && ExpiresAt > now;
}

/// <summary>A registered member of the keeper fleet and when it was last seen (its last lease statement).</summary>
public sealed record FleetKeeper(string Id, Address Address, DateTimeOffset RegisteredAt, DateTimeOffset LastSeen);

/// <summary>The fleet at one moment of the database's clock: every pool's lease and every registered keeper.</summary>
public sealed record FleetSnapshot(IReadOnlyList<PoolLease> Leases, IReadOnlyList<FleetKeeper> Keepers, DateTimeOffset Now)
{
    /// <summary>The live lease on <paramref name="pool"/>, or null (none, released or expired).</summary>
    public PoolLease? LiveLease(Address pool) => Leases.FirstOrDefault(l => l.Pool == pool && l.Holder is not null && l.ExpiresAt > Now);
}

/// <summary>
/// A journal write for a pool was refused because this keeper does not hold the pool's live lease with the token it
/// carries: the lease expired, moved to another keeper (a newer token), or was never taken. The database transaction
/// that would have journaled the signed bytes was rolled back, so nothing was journaled and nothing may be broadcast.
/// </summary>
public sealed class FencingTokenRejectedException(Address pool, string keeper, long? token, string detail)
    : InvalidOperationException(
        $"keeper '{keeper}' may not sign for pool {pool}: {detail}; nothing was journaled or sent — the keeper takes the pool's lease again (or leaves it to its holder) on its next cycle")
{
    public Address Pool { get; } = pool;
    public string Keeper { get; } = keeper;

    /// <summary>The token the keeper carried, or null when it held no lease on the pool.</summary>
    public long? Token { get; } = token;
}
