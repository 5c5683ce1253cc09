namespace TreasuryManager.Strategy.Rules;

/// <summary>
/// The vault's staleness test, in one place: a round is stale once now &gt; updatedAt + heartbeat (TreasuryVault refuses
/// a rebalance then with StaleOracle). The Decider holds on it; `treasury status` shows it.
/// </summary>
public static class FeedFreshness
{
    /// <summary>True when the round written at <paramref name="updatedAt"/> is past <paramref name="heartbeatSeconds"/> at <paramref name="now"/>.</summary>
    public static bool IsStale(long now, long updatedAt, long heartbeatSeconds) => now > updatedAt + heartbeatSeconds;

    /// <summary>Seconds since the round was written (negative: a round from the future).</summary>
    public static long Age(long now, long updatedAt) => now - updatedAt;
}
