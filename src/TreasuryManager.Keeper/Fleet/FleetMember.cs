using Microsoft.Extensions.Logging;
using TreasuryManager.Ethereum;
using TreasuryManager.Keeper.Hosting;
using TreasuryManager.Keeper.Journal;

namespace TreasuryManager.Keeper.Fleet;

/// <summary>
/// One keeper's membership of the fleet, run once per cycle: it marks itself seen, reads the live keepers and the
/// leases, and takes, renews or hands back each pool's lease as <see cref="FleetAssignment.Plan"/> says. It acts for
/// a pool only while its own clock says the lease has more than a third of its time to live left — measured from
/// BEFORE the statement that took or renewed it, so a keeper cut off from PostgreSQL (or paused) stops acting before
/// the lease can expire and another keeper take it; the fencing check in the journal's transaction backs this up.
/// </summary>
public sealed class FleetMember
{
    private readonly PostgresJournal _journal;
    private readonly Address _address;
    private readonly TimeSpan _ttl;
    private readonly KeeperMetrics _metrics;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly Dictionary<Address, long> _actUntil = []; // the local timestamp (TimeProvider) after which the keeper stops acting for the pool
    private readonly Lock _lock = new();
    private int _renewing; // 1 while a RenewHeld runs

    public FleetMember(PostgresJournal journal, Address address, TimeSpan ttl, KeeperMetrics metrics, ILogger log, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(journal);
        if (ttl <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(ttl), ttl, "a lease's time to live must be positive");
        _journal = journal;
        _address = address;
        _ttl = ttl;
        _metrics = metrics;
        _log = log;
        _time = time ?? TimeProvider.System;
    }

    public string Keeper => _journal.Keeper;

    public PostgresJournal Journal => _journal;

    /// <summary>The part of a lease's time to live that is never used for acting: a third.</summary>
    public TimeSpan SafetyMargin => _ttl / 3;

    /// <summary>
    /// Takes, renews and hands back leases for <paramref name="pools"/>; returns the pools this keeper may act for now.
    /// When the database cannot be reached the leases are left to run out on the local clock (no statement can renew
    /// them), and the error is logged.
    /// </summary>
    public IReadOnlySet<Address> Refresh(IReadOnlyCollection<Address> pools)
    {
        try
        {
            _journal.RegisterKeeper(_address);
            var (leases, now) = _journal.Leases();
            var live = _journal.Keepers().Where(k => k.LastSeen > now - _ttl).Select(k => k.Id).ToArray();
            var holders = leases.Where(l => l.Holder is not null && l.ExpiresAt > now).ToDictionary(l => l.Pool, l => l.Holder);
            var plan = FleetAssignment.Plan(Keeper, pools, live, holders);
            // the leases it carries a token for are renewed together, in one statement, whatever their number
            var renewing = plan.Where(p => p.Value == LeaseStep.Keep && _journal.TokenFor(p.Key) is not null).Select(p => p.Key).ToHashSet();
            Renew(renewing, "its renewal found the lease expired or taken");
            foreach (var (pool, step) in plan)
            {
                var before = _time.GetTimestamp();
                switch (step)
                {
                    case LeaseStep.Keep when renewing.Contains(pool):
                        break; // renewed above
                    case LeaseStep.Keep:
                        // a restarted keeper (same id) finds its previous run's lease: it takes it back (same holder, same
                        // token) rather than waiting for it to expire
                        if (_journal.TakeLease(pool, _ttl) is not null)
                        {
                            Held(pool, before);
                            _metrics.LeaseRenewals.Inc();
                        }
                        else Lost(pool, "its renewal found the lease expired or taken");
                        break;
                    case LeaseStep.Take:
                        if (_journal.TakeLease(pool, _ttl) is { } taken)
                        {
                            Held(pool, before);
                            if (taken.Token > 1) _metrics.LeaseTakeovers.Inc();
                            _log.LogInformation("Took the lease on {Pool}: token {Token}", pool, taken.Token);
                        }
                        break;
                    case LeaseStep.Release:
                        _journal.ReleaseLease(pool);
                        Lost(pool, "handed back to the pool's preferred keeper");
                        break;
                    default:
                        Forget(pool);
                        break;
                }
            }
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException or InvalidOperationException)
        {
            _log.LogError("The fleet's database could not be reached ({Message}); acting only while the leases already held last", e.Message);
        }
        var acting = pools.Where(MayAct).ToHashSet();
        _metrics.LeasesHeld.Set(acting.Count);
        return acting;
    }

    /// <summary>
    /// Keeps the leases it holds alive while a cycle waits on the chain (receipts, confirmations, hedges), which can
    /// outlast a lease's time to live: every quarter of it, the keeper marks itself seen and renews the leases it holds
    /// (nothing is taken or handed back; <see cref="Refresh"/> does that at the next cycle). Dispose it when the cycle
    /// ends: no renewal starts after that (one already running finishes on its own).
    /// </summary>
    public IDisposable KeepAlive() => new Heartbeat(this);

    /// <summary>
    /// One renewal of <see cref="KeepAlive"/>: marks the keeper seen and renews the leases it holds and may act for. At
    /// most one runs at a time: a tick that finds one running skips, so a database that hangs (a network partition: the
    /// statement blocks until its timeout) holds one thread, not one more every tick — they starved the thread pool of
    /// every keeper in the process (FleetFaultTests, partition on anvil).
    /// </summary>
    internal void RenewHeld()
    {
        if (Interlocked.Exchange(ref _renewing, 1) == 1) return;
        try
        {
            _journal.RegisterKeeper(_address);
            HashSet<Address> held;
            lock (_lock) held = [.. _actUntil.Keys];
            held.RemoveWhere(pool => _journal.TokenFor(pool) is null);
            Renew(held, "its renewal while the cycle waited found the lease expired or taken");
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException or InvalidOperationException)
        {
            _log.LogError("The fleet's database could not be reached while the cycle waited ({Message}); acting only while the leases already held last", e.Message);
        }
        finally
        {
            Volatile.Write(ref _renewing, 0);
        }
    }

    /// <summary>Renews <paramref name="pools"/> (each carries a token) in one statement: each renewed is held from before
    /// the statement, each not renewed is lost for <paramref name="lostWhy"/>.</summary>
    private void Renew(IReadOnlyCollection<Address> pools, string lostWhy)
    {
        if (pools.Count == 0) return;
        var before = _time.GetTimestamp();
        var renewed = _journal.RenewLeases(pools, _ttl).Select(l => l.Pool).ToHashSet();
        foreach (var pool in pools)
        {
            if (renewed.Contains(pool))
            {
                Held(pool, before);
                _metrics.LeaseRenewals.Inc();
            }
            else Lost(pool, lostWhy);
        }
    }

    private sealed class Heartbeat : IDisposable
    {
        private readonly FleetMember _member;
        private readonly ITimer _timer;
        private volatile bool _stopped;

        public Heartbeat(FleetMember member)
        {
            _member = member;
            var period = member._ttl / 4;
            _timer = member._time.CreateTimer(_ => Beat(), null, period, period);
        }

        private void Beat()
        {
            if (!_stopped) _member.RenewHeld();
        }

        public void Dispose()
        {
            _stopped = true; // never blocks the cycle on a renewal that hangs
            _timer.Dispose();
        }
    }

    /// <summary>Whether the keeper may act for <paramref name="pool"/> now: it holds the lease and its local deadline has not passed.</summary>
    public bool MayAct(Address pool)
    {
        lock (_lock)
            return _actUntil.TryGetValue(pool, out var until) && _time.GetTimestamp() < until;
    }

    /// <summary>A journal write for a pool was fenced off: the lease is gone; counted and forgotten.</summary>
    public void Refused(FencingTokenRejectedException refusal)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        _metrics.FencingRefusals.Inc();
        Lost(refusal.Pool, refusal.Message);
    }

    /// <summary>Hands every lease back at once (SIGTERM): the other keepers take the pools on their next cycle, not after a time to live.</summary>
    public int ReleaseAll()
    {
        Address[] held;
        lock (_lock)
        {
            held = [.. _actUntil.Keys];
            _actUntil.Clear();
        }
        var released = 0;
        foreach (var pool in held)
        {
            try
            {
                if (_journal.ReleaseLease(pool)) released++;
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException or InvalidOperationException)
            {
                _log.LogWarning("Could not hand back the lease on {Pool} ({Message}); it expires by itself", pool, e.Message);
            }
        }
        _metrics.LeasesHeld.Set(0);
        return released;
    }

    private void Held(Address pool, long statementStarted)
    {
        var until = statementStarted + (long)((_ttl - SafetyMargin).TotalSeconds * _time.TimestampFrequency);
        lock (_lock) _actUntil[pool] = until;
    }

    private void Lost(Address pool, string why)
    {
        bool had;
        lock (_lock) had = _actUntil.Remove(pool);
        if (had) _log.LogWarning("Lost the lease on {Pool}: {Why}", pool, why);
    }

    private void Forget(Address pool)
    {
        lock (_lock) _actUntil.Remove(pool);
    }
}
