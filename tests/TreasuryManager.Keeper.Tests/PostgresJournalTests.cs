using CsCheck;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using TreasuryManager.Ethereum;
using TreasuryManager.Keeper.Journal;
using TreasuryManager.Testing;

namespace TreasuryManager.Keeper.Tests;

/// <summary>
/// What the PostgreSQL journal adds to the contract, on a real local server: its versioned schema, the fleet's rules
/// (one intent key across the fleet, each keeper's own view) and the per-pool leases with fencing tokens.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresJournalTests(PostgresFixture postgres) : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
    private readonly List<PostgresJournal> _open = [];
    private string _database = "";

    private static readonly Address PoolA = Address.Parse("0x00000000000000000000000000000000000000a1");
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(5);

    public async Task InitializeAsync() => _database = await postgres.CreateDatabaseAsync();

    public Task DisposeAsync()
    {
        foreach (var journal in _open) journal.Dispose();
        return Task.CompletedTask;
    }

    private PostgresJournal Keeper(string id)
    {
        var journal = PostgresJournal.Open(postgres.ConnectionString(_database), id, _time);
        _open.Add(journal);
        return journal;
    }

    private async Task SqlAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(postgres.ConnectionString(_database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<long> CountAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(postgres.ConnectionString(_database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The lease's time to live runs out now (what waiting past it does, without the wait).</summary>
    private Task ExpireAsync(Address pool) =>
        SqlAsync($"UPDATE pool_leases SET expires_at = clock_timestamp() - interval '1 millisecond' WHERE pool = '{pool.ToLowerHex()}';");

    [Fact]
    public async Task Creates_the_versioned_schema_once_and_refuses_a_newer_one_with_the_fix()
    {
        using (var first = PostgresJournal.Open(postgres.ConnectionString(_database), "k1", _time))
            Assert.Equal(PostgresJournal.SchemaVersion, first.CurrentSchemaVersion);
        using (var again = PostgresJournal.Open(postgres.ConnectionString(_database), "k2", _time))
            Assert.Equal(PostgresJournal.SchemaVersion, again.CurrentSchemaVersion);
        Assert.Equal(PostgresJournal.SchemaVersion, await CountAsync("SELECT COUNT(*) FROM schema_migrations;"));

        await SqlAsync("INSERT INTO schema_migrations VALUES (99, 'future', now());");
        var error = Assert.Throws<InvalidOperationException>(() => PostgresJournal.Open(postgres.ConnectionString(_database), "k1", _time));
        Assert.Contains("schema version 99", error.Message);
        Assert.Contains("keeper at least as new", error.Message);
    }

    [Fact]
    public async Task Keepers_starting_together_migrate_once()
    {
        var opens = Enumerable.Range(0, 4).Select(i => Task.Run(() => PostgresJournal.Open(postgres.ConnectionString(_database), $"k{i}", _time))).ToArray();
        var journals = await Task.WhenAll(opens);
        foreach (var journal in journals) journal.Dispose();
        Assert.Equal(PostgresJournal.SchemaVersion, await CountAsync("SELECT COUNT(*) FROM schema_migrations;"));
    }

    [Fact]
    public void An_intent_key_is_one_action_across_the_fleet_and_each_keeper_sees_its_own_intents_and_nonces()
    {
        var a = Keeper("a");
        var b = Keeper("b");
        var (intent, _) = a.GetOrCreateIntent("rebalance:x:1", "rebalance", "{}");
        a.AddAttempt(intent.Id, JournalContractTests.Signed(7));

        var error = Assert.Throws<InvalidOperationException>(() => b.GetOrCreateIntent("rebalance:x:1", "rebalance", "{}"));
        Assert.Contains("already journaled by keeper 'a'", error.Message);
        Assert.Empty(b.UnfinishedIntents());
        Assert.Null(b.HighestLiveNonce());
        Assert.Null(b.FindIntent("rebalance:x:1"));
        Assert.Equal(7, a.HighestLiveNonce());
        Assert.Single(a.UnfinishedIntents());
    }

    [Fact]
    public async Task A_stale_fencing_token_is_refused_and_nothing_is_journaled()
    {
        var a = Keeper("a");
        var b = Keeper("b");
        var (intentA, _) = a.GetOrCreateIntent("rebalance:a:1", "rebalance", "{}", PoolA);

        // no lease at all
        var none = Assert.Throws<FencingTokenRejectedException>(() => a.AddAttempt(intentA.Id, JournalContractTests.Signed(1)));
        Assert.Null(none.Token);
        Assert.Contains("holds no lease", none.Message);

        var leaseA = a.TakeLease(PoolA, Long)!;
        Assert.Equal(1, leaseA.Token);
        Assert.Null(b.TakeLease(PoolA, Long)); // live: b cannot take it
        await ExpireAsync(PoolA); // a is paused past its lease
        var leaseB = b.TakeLease(PoolA, Long)!;
        Assert.Equal(2, leaseB.Token);

        var stale = Assert.Throws<FencingTokenRejectedException>(() => a.AddAttempt(intentA.Id, JournalContractTests.Signed(1)));
        Assert.Equal(1, stale.Token);
        Assert.Equal(PoolA, stale.Pool);
        Assert.Contains("held by 'b' with token 2", stale.Message);
        Assert.Empty(a.Attempts(intentA.Id));
        Assert.False(a.HoldsLiveLease(PoolA));

        // a whole batch rolls back when one of its pools is fenced off
        var (free, _) = a.GetOrCreateIntent("transfer:1", "transfer", "{}");
        Assert.Throws<FencingTokenRejectedException>(() => a.AddAttempts([(free.Id, JournalContractTests.Signed(2)), (intentA.Id, JournalContractTests.Signed(3))]));
        Assert.Empty(a.Attempts(free.Id));

        var (intentB, _) = b.GetOrCreateIntent("rebalance:a:2", "rebalance", "{}", PoolA);
        b.AddAttempt(intentB.Id, JournalContractTests.Signed(1));
        Assert.True(b.HoldsLiveLease(PoolA));
        Assert.Equal(2, await CountAsync($"SELECT fencing_token FROM attempts WHERE intent_id = {intentB.Id};"));
    }

    [Fact]
    public async Task An_expired_lease_refuses_its_holder_even_before_anyone_takes_it()
    {
        var a = Keeper("a");
        a.TakeLease(PoolA, Long);
        var (intent, _) = a.GetOrCreateIntent("rebalance:a:1", "rebalance", "{}", PoolA);
        await ExpireAsync(PoolA);
        var error = Assert.Throws<FencingTokenRejectedException>(() => a.AddAttempt(intent.Id, JournalContractTests.Signed(1)));
        Assert.Contains("expired", error.Message);
        Assert.Null(a.RenewLease(PoolA, Long)); // lost: renewing does not revive it
        Assert.Null(a.TokenFor(PoolA));
    }

    [Fact]
    public async Task Expiry_moves_the_lease_and_the_token_increases_on_each_change_of_holder()
    {
        var a = Keeper("a");
        var b = Keeper("b");
        var c = Keeper("c");
        Assert.Equal(1, a.TakeLease(PoolA, TimeSpan.FromMilliseconds(300))!.Token);
        Assert.Equal(1, a.RenewLease(PoolA, TimeSpan.FromMilliseconds(300))!.Token); // same holder: same token
        Assert.Equal(1, a.TakeLease(PoolA, TimeSpan.FromMilliseconds(300))!.Token);
        Assert.Null(b.TakeLease(PoolA, Long));
        await Task.Delay(500); // the real time to live runs out
        var moved = b.TakeLease(PoolA, Long)!;
        Assert.Equal(("b", 2L), (moved.Holder, moved.Token));
        Assert.Null(a.RenewLease(PoolA, Long));
        Assert.True(b.ReleaseLease(PoolA)); // SIGTERM: handed back at once
        var (leases, now) = b.Leases();
        Assert.Null(Assert.Single(leases).Holder);
        var taken = c.TakeLease(PoolA, Long)!;
        Assert.Equal(("c", 3L), (taken.Holder, taken.Token));
        Assert.True(taken.IsHeldBy("c", now));
        Assert.False(a.ReleaseLease(PoolA)); // a holds nothing to release
        Assert.Equal("c", Assert.Single(c.Leases().Leases).Holder);
    }

    [Fact]
    public async Task Renewing_many_leases_is_one_statement_and_renews_only_the_live_ones_held_with_their_token()
    {
        var a = Keeper("a");
        var b = Keeper("b");
        var pools = Enumerable.Range(1, 5).Select(i => Address.Parse($"0x{0xb0 + i:x40}")).ToArray();
        foreach (var pool in pools) Assert.NotNull(a.TakeLease(pool, Long));
        var before = a.Leases().Leases.ToDictionary(l => l.Pool, l => l.ExpiresAt);
        await ExpireAsync(pools[1]);                 // a paused past this one's lease…
        Assert.NotNull(b.TakeLease(pools[1], Long)); // …which b took
        await ExpireAsync(pools[2]);                 // expired, nobody took it
        var statements = a.LeaseStatements;

        var renewed = a.RenewLeases(pools, Long);

        Assert.Equal(1, a.LeaseStatements - statements); // one statement for five pools
        Assert.Equal(new[] { pools[0], pools[3], pools[4] }, renewed.Select(l => l.Pool).OrderBy(p => p.ToLowerHex()).ToArray());
        Assert.All(renewed, l => Assert.True(l.ExpiresAt > before[l.Pool] && l.Holder == "a" && l.Token == 1));
        Assert.Null(a.TokenFor(pools[1])); // lost: forgotten, so a cannot journal for it
        Assert.Null(a.TokenFor(pools[2]));
        var taken = a.Leases().Leases.Single(l => l.Pool == pools[1]);
        Assert.Equal(("b", 2L), (taken.Holder, taken.Token));
        Assert.Empty(b.RenewLeases(pools.Where(p => p != pools[1]).ToArray(), Long)); // b carries no token for those: nothing sent
    }

    [Fact]
    public async Task Keepers_racing_for_a_free_lease_get_it_exactly_once()
    {
        var keepers = Enumerable.Range(0, 3).Select(i => Keeper($"k{i}")).ToArray();
        for (var round = 0; round < 20; round++)
        {
            var pool = Address.Parse($"0x{round + 1:x40}");
            using var start = new ManualResetEventSlim();
            var takes = keepers.Select(k => Task.Run(() => { start.Wait(); return k.TakeLease(pool, Long); })).ToArray();
            start.Set();
            var leases = await Task.WhenAll(takes);
            var winner = Assert.Single(leases, l => l is not null)!;
            Assert.Equal(1, winner.Token);
            Assert.Single(keepers, k => k.HoldsLiveLease(pool));
        }
    }

    /// <summary>
    /// Random interleavings of take / renew / release / expire by three keepers: after every step at most one keeper
    /// passes the fencing check, it is the lease's holder, and the token never decreases and increases whenever the
    /// holder changes.
    /// </summary>
    [Fact]
    public void At_most_one_keeper_holds_a_live_lease_under_any_interleaving()
    {
        var keepers = Enumerable.Range(0, 3).Select(i => Keeper($"k{i}")).ToArray();
        var round = 0;
        Gen.Select(Gen.Int[0, 2], Gen.Int[0, 3]).Array[1, 25].Sample(steps =>
        {
            var pool = Address.Parse($"0x{Interlocked.Increment(ref round) + 1000:x40}");
            string? lastHolder = null;
            long lastToken = 0;
            foreach (var (who, op) in steps)
            {
                var keeper = keepers[who];
                switch (op)
                {
                    case 0: keeper.TakeLease(pool, Long); break;
                    case 1: keeper.RenewLease(pool, Long); break;
                    case 2: keeper.ReleaseLease(pool); break;
                    default: ExpireAsync(pool).GetAwaiter().GetResult(); break;
                }
                var passing = keepers.Where(k => k.HoldsLiveLease(pool)).ToArray();
                if (passing.Length > 1) return false;
                var (leases, now) = keeper.Leases();
                var lease = leases.SingleOrDefault(l => l.Pool == pool);
                if (lease is null) { if (passing.Length != 0) return false; continue; }
                if (passing.Length == 1 && !lease.IsHeldBy(passing[0].Keeper, now)) return false;
                if (lease.Token < lastToken) return false;
                if (lease.Holder is not null && lease.Holder != lastHolder && lastHolder is not null && lease.Token == lastToken) return false;
                if (lease.Holder is not null) lastHolder = lease.Holder;
                lastToken = lease.Token;
            }
            return true;
        }, iter: 60, threads: 1);
    }

    [Fact]
    public void The_journal_opens_from_its_settings_with_the_password_from_the_environment()
    {
        var connection = new PostgresJournalConnection(postgres.Host, postgres.Port, _database, postgres.User, "FLEET_TEST_PW");
        var missing = Assert.Throws<InvalidOperationException>(() => PostgresJournal.Open(connection, "a", _time, _ => null));
        Assert.Contains("FLEET_TEST_PW", missing.Message);
        using var journal = PostgresJournal.Open(connection, "a", _time, name => name == "FLEET_TEST_PW" ? postgres.Password : null);
        Assert.Equal(connection.ToString(), journal.Location);
        Assert.DoesNotContain(postgres.Password, journal.Location);
    }

    [Fact]
    public async Task A_fleet_member_acts_only_inside_its_lease_and_hands_every_lease_back_on_stop()
    {
        var pools = Enumerable.Range(0, 6).Select(i => Address.Parse($"0x{i + 0xb00:x40}")).ToArray();
        var metrics = new Hosting.KeeperMetrics();
        var log = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        var a = new Fleet.FleetMember(Keeper("a"), DevAccounts.Key(1).Address, TimeSpan.FromSeconds(3), metrics, log);
        var b = new Fleet.FleetMember(Keeper("b"), DevAccounts.Key(2).Address, TimeSpan.FromSeconds(3), new Hosting.KeeperMetrics(), log);

        var alone = a.Refresh(pools); // b not registered yet: a is the only live keeper and takes every pool
        Assert.Equal(pools.Length, alone.Count);
        b.Refresh(pools); // b joins: nothing is free yet
        var kept = a.Refresh(pools); // a hands back b's share
        var taken = b.Refresh(pools);
        Assert.Empty(kept.Intersect(taken));
        Assert.Equal(pools.Length, kept.Count + taken.Count);
        Assert.NotEmpty(taken);
        Assert.All(kept, p => Assert.True(a.MayAct(p)));

        // a restarted "a" (same keeper id, a new process: no token in memory) takes its own leases back at once, same token
        var restarted = new Fleet.FleetMember(Keeper("a"), DevAccounts.Key(1).Address, TimeSpan.FromSeconds(3), new Hosting.KeeperMetrics(), log);
        Assert.Equal(kept, restarted.Refresh(pools));

        Assert.Equal(kept.Count, a.ReleaseAll()); // SIGTERM
        Assert.All(pools, p => Assert.False(a.MayAct(p)));
        Assert.Equal(0, metrics.LeasesHeld.Value);
        await Task.Delay(3100); // a's heartbeat ages past the time to live: b is the only live keeper
        Assert.Equal(pools.Length, b.Refresh(pools).Count);
    }

    [Fact]
    public async Task The_fleet_snapshot_for_status_names_each_pools_holder_since_and_token_without_writing()
    {
        var empty = await postgres.CreateDatabaseAsync();
        var nothing = PostgresJournal.ReadFleet(postgres.ConnectionString(empty));
        Assert.Empty(nothing.Leases);
        Assert.Equal(0, await CountOnAsync(empty, "SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public';")); // no migration by status

        var a = Keeper("a");
        var b = Keeper("b");
        a.RegisterKeeper(DevAccounts.Key(1).Address);
        a.TakeLease(PoolA, Long);
        await ExpireAsync(PoolA);
        var taken = b.TakeLease(PoolA, Long)!;
        var snapshot = PostgresJournal.ReadFleet(postgres.ConnectionString(_database));
        var lease = snapshot.LiveLease(PoolA)!;
        Assert.Equal(("b", 2L, taken.Since), (lease.Holder, lease.Token, lease.Since));
        Assert.Equal(DevAccounts.Key(1).Address, Assert.Single(snapshot.Keepers).Address);
        b.ReleaseLease(PoolA);
        Assert.Null(PostgresJournal.ReadFleet(postgres.ConnectionString(_database)).LiveLease(PoolA));
    }

    private async Task<long> CountOnAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(postgres.ConnectionString(database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>
    /// A keeper cut off from PostgreSQL stops acting by its own clock at two thirds of the lease, while the database
    /// still holds the lease live: it has stopped before another keeper could take the pool.
    /// </summary>
    [Fact]
    public async Task A_keeper_cut_from_postgres_stops_acting_before_its_lease_can_expire()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var journal = Keeper("a");
        var member = new Fleet.FleetMember(journal, DevAccounts.Key(1).Address, TimeSpan.FromSeconds(60), new Hosting.KeeperMetrics(),
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, clock);
        Assert.Contains(PoolA, member.Refresh([PoolA]));

        // cut: the database refuses new connections and drops the open ones
        await SqlOnAsync("postgres", $"ALTER DATABASE {_database} ALLOW_CONNECTIONS false;");
        await SqlOnAsync("postgres", $"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{_database}';");
        NpgsqlConnection.ClearAllPools();
        try
        {
            clock.Advance(TimeSpan.FromSeconds(30));
            Assert.Contains(PoolA, member.Refresh([PoolA])); // the renewal fails; the lease taken 30 s ago still has 10 s of acting time
            clock.Advance(TimeSpan.FromSeconds(10.5));
            Assert.Empty(member.Refresh([PoolA])); // past two thirds of the TTL by its own clock: it stops
            Assert.False(member.MayAct(PoolA));
        }
        finally
        {
            await SqlOnAsync("postgres", $"ALTER DATABASE {_database} ALLOW_CONNECTIONS true;");
        }
        // while the database still holds the lease live for another ~19 s of real time: nobody else could have taken it yet
        var lease = Assert.Single(PostgresJournal.ReadFleet(postgres.ConnectionString(_database)).Leases);
        Assert.Equal("a", lease.Holder);
        Assert.True(lease.ExpiresAt > DateTimeOffset.UtcNow + TimeSpan.FromSeconds(15));
    }

    /// <summary>
    /// While a cycle waits on the chain for longer than a lease lives (receipts, confirmations), its keep-alive renews the
    /// leases it holds every quarter of the time to live, so the keeper may still act and no other keeper takes the pool;
    /// once it is disposed, nothing renews them. Found by the fleet kill matrix on anvil: a keeper waiting for its own
    /// receipt lost the pool to another keeper, which recorded that receipt first.
    /// </summary>
    [Fact]
    public void A_fleet_members_keep_alive_renews_its_leases_while_a_cycle_waits_and_stops_when_disposed()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var metrics = new Hosting.KeeperMetrics();
        var member = new Fleet.FleetMember(Keeper("a"), DevAccounts.Key(1).Address, TimeSpan.FromSeconds(60), metrics,
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, clock);
        Assert.Contains(PoolA, member.Refresh([PoolA]));
        var taken = Assert.Single(PostgresJournal.ReadFleet(postgres.ConnectionString(_database)).Leases).ExpiresAt;
        var renewals = metrics.LeaseRenewals.Value;

        using (member.KeepAlive())
        {
            for (var i = 0; i < 10; i++) clock.Advance(TimeSpan.FromSeconds(10)); // 100 s by the keeper's clock: far past the 40 s it may act on one renewal
            Assert.True(member.MayAct(PoolA));
        }
        Assert.Equal(renewals + 6, metrics.LeaseRenewals.Value); // every 15 s: at 15, 30, …, 90 s
        var renewed = Assert.Single(PostgresJournal.ReadFleet(postgres.ConnectionString(_database)).Leases);
        Assert.Equal("a", renewed.Holder);
        Assert.True(renewed.ExpiresAt > taken, $"the lease still expires at {taken:O}: the keep-alive did not renew it");

        for (var i = 0; i < 5; i++) clock.Advance(TimeSpan.FromSeconds(10)); // disposed: nothing renews, and 50 s > 40 s
        Assert.False(member.MayAct(PoolA));
        Assert.Equal(renewals + 6, metrics.LeaseRenewals.Value);
    }

    private async Task SqlOnAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(postgres.ConnectionString(database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
