using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Contracts.Deployment;
using TreasuryManager.Ethereum.Crypto;
using TreasuryManager.Keeper.Configuration;
using TreasuryManager.Keeper.Hosting;
using TreasuryManager.Keeper.Journal;
using TreasuryManager.Testing;

namespace TreasuryManager.Keeper.Tests;

/// <summary>
/// Fleet keepers cut off by the loopback TCP fault proxy (<see cref="TcpFaultProxy"/>), running the keeper's own loop
/// (KeeperService) on the real clock: one cut from PostgreSQL stops acting before its lease can expire and sends
/// nothing; one cut from the node stops renewing its lease — it keeps a pool only while it can act for it — so another
/// keeper takes the pool over. In both, the pool's rebalance lands exactly once.
/// </summary>
[Collection(NodeCollection.Name)]
[Trait("Category", "Node")]
public sealed class FleetFaultTests(LocalNodeFixture node, PostgresFixture postgres) : TreasuryKeeperTest(node), IClassFixture<PostgresFixture>
{
    private const int LeaseTtlSeconds = 3;
    private static readonly EthKey[] FleetKeys = [DevAccounts.Key(1), DevAccounts.Key(6)];

    protected override TreasuryDeploymentSettings Deployment => new() { PoolCount = 2, TraderBase = 1_000_000m, TraderQuote = 2_000_000m };

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await D.Vault.SetKeeperAsync(D.Owner, FleetKeys[1].Address, true);
    }

    public enum PostgresFault
    {
        /// <summary>Connections dropped and refused (the database host gone).</summary>
        Cut,
        /// <summary>Connections open but silent (a dead network): statements hang.</summary>
        Partition,
    }

    private async Task<(TreasurySettings Settings, string Database)> FleetSettingsAsync()
    {
        var database = await postgres.CreateDatabaseAsync();
        var variable = "TREASURY_FLEET_TEST_PW_" + database.ToUpperInvariant();
        Environment.SetEnvironmentVariable(variable, postgres.Password);
        return (Settings(s => s with
        {
            Journal = $"postgres://{postgres.User}@{postgres.Host}:{postgres.Port}/{database}",
            JournalPasswordVariable = variable,
            Fleet = new FleetSettings { LeaseTtlSeconds = LeaseTtlSeconds },
            Pools = D.Pools.Select((p, i) => new PoolSettings { Address = p.Address.ToString(), Name = $"pool-{i}" }).ToArray(),
            Cycle = new CycleSettings { PollIntervalMilliseconds = 50 },
        }), database);
    }

    /// <summary>A keeper running its own loop, in this process.</summary>
    private sealed class RunningKeeper(KeeperRuntime runtime, KeeperService service, KeeperMetrics metrics) : IAsyncDisposable
    {
        public KeeperRuntime Runtime { get; } = runtime;
        public KeeperMetrics Metrics { get; } = metrics;

        public static async Task<RunningKeeper> StartAsync(TreasurySettings settings, EthKey key)
        {
            var metrics = new KeeperMetrics();
            var runtime = await KeeperRuntime.StartAsync(settings, key, metrics, NullLoggerFactory.Instance);
            var service = new KeeperService(runtime, settings, metrics, NullLogger<KeeperService>.Instance, TimeProvider.System);
            await service.StartAsync(CancellationToken.None);
            return new RunningKeeper(runtime, service, metrics);
        }

        public async ValueTask DisposeAsync()
        {
            using (var limit = new CancellationTokenSource(TimeSpan.FromSeconds(40))) await service.StopAsync(limit.Token);
            service.Dispose();
            Runtime.Dispose();
        }
    }

    private async Task<int> RepositionedAsync(ManagedPool pool, long fromBlock) =>
        (await Eth.GetLogsAsync(pool.Address, fromBlock, await Eth.BlockNumberAsync(), [ManagedPool.Abi.GetEvent("Repositioned").Topic0])).Count;

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan limit, string what)
    {
        var wait = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(wait.Elapsed < limit, $"{what}: not within {limit.TotalSeconds:0} s");
            await Task.Delay(25);
        }
    }

    private static PoolLease LeaseOf(string connectionString, ManagedPool pool) =>
        PostgresJournal.ReadFleet(connectionString).Leases.Single(l => l.Pool == pool.Address);

    [Theory]
    [InlineData(PostgresFault.Cut)]
    [InlineData(PostgresFault.Partition)]
    public async Task A_keeper_cut_from_postgres_by_the_fault_proxy_stops_acting_before_its_lease_can_expire_and_sends_nothing(PostgresFault fault)
    {
        var (settings, database) = await FleetSettingsAsync();
        var direct = postgres.ConnectionString(database);
        await using var proxy = TcpFaultProxy.Start(postgres.Host, postgres.Port);
        var viaProxy = settings with { Journal = $"postgres://{postgres.User}@127.0.0.1:{proxy.Port}/{database}" };
        var pool = D.Pools[0];
        var firstBlock = await Eth.BlockNumberAsync();

        var a = await RunningKeeper.StartAsync(viaProxy, FleetKeys[0]);
        RunningKeeper? b = null;
        try
        {
            await WaitUntilAsync(() => Task.FromResult(D.Pools.All(p => a.Runtime.Fleet!.MayAct(p.Address))), TimeSpan.FromSeconds(30), "A alone takes every pool");
            var nonceOfA = await Eth.GetTransactionCountAsync(FleetKeys[0].Address);

            if (fault == PostgresFault.Cut) proxy.Cut();
            else proxy.Partition();
            var cut = Stopwatch.StartNew();
            await D.SwapAsync(zeroForOne: true, D.BaseUnits(30_000m), pool: pool); // A has a rebalance to send, and cannot journal it

            await WaitUntilAsync(() => Task.FromResult(!a.Runtime.Fleet!.MayAct(pool.Address)), TimeSpan.FromSeconds(LeaseTtlSeconds + 2), "A stops acting for the pool");
            var stoppedAfter = cut.Elapsed;
            var lease = LeaseOf(direct, pool);
            // the database still holds A's lease live: A stopped (by its own clock) before anyone else could take the pool
            Assert.Equal(FleetKeys[0].Address.ToLowerHex(), lease.Holder);
            Assert.True(lease.ExpiresAt > DateTimeOffset.UtcNow, $"A stopped {stoppedAfter.TotalSeconds:0.00} s after the cut, when its lease had already expired ({lease.ExpiresAt:O})");
            Assert.True(stoppedAfter < TimeSpan.FromSeconds(LeaseTtlSeconds), $"A acted for {stoppedAfter.TotalSeconds:0.00} s after the cut; the lease lives {LeaseTtlSeconds} s");
            Assert.Equal(nonceOfA, await Eth.GetTransactionCountAsync(FleetKeys[0].Address)); // nothing journaled, so nothing sent

            // B (straight to the database) takes the pool once A's lease has expired, and rebalances it once
            b = await RunningKeeper.StartAsync(settings, FleetKeys[1]);
            await WaitUntilAsync(async () => await RepositionedAsync(pool, firstBlock) == 1, TimeSpan.FromSeconds(LeaseTtlSeconds * 3 + 10), "B rebalances the pool");
            Assert.Equal(FleetKeys[1].Address.ToLowerHex(), LeaseOf(direct, pool).Holder);

            // the connection back: A rejoins; nothing is sent twice
            proxy.Restore();
            await WaitUntilAsync(() => Task.FromResult(a.Runtime.Journal is PostgresJournal && PostgresJournal.ReadFleet(direct).Keepers.Single(k => k.Id == FleetKeys[0].Address.ToLowerHex()).LastSeen > DateTimeOffset.UtcNow.AddSeconds(-1)),
                TimeSpan.FromSeconds(40), "A is seen again");
            await D.IncreaseTimeAsync(1);
            await Task.Delay(TimeSpan.FromSeconds(1));
            Assert.Equal(1, await RepositionedAsync(pool, firstBlock));
            Assert.Equal(nonceOfA, await Eth.GetTransactionCountAsync(FleetKeys[0].Address));
            if (fault == PostgresFault.Cut)
            {
                // every refused write counted, as the SQLite journal's are (a partition only delays them: they complete on restore)
                Assert.True(((PostgresJournal)a.Runtime.Journal!).WriteFailures >= 1);
                Assert.Matches(@"(?m)^treasury_keeper_journal_write_failures_total [1-9]", await a.Metrics.ExportAsync());
            }
        }
        finally
        {
            proxy.Restore();
            if (b is not null) await b.DisposeAsync();
            await a.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_keeper_cut_from_the_node_keeps_its_lease_only_while_it_can_act()
    {
        var (settings, database) = await FleetSettingsAsync();
        var direct = postgres.ConnectionString(database);
        await using var proxy = TcpFaultProxy.Start(Node.Node.Endpoint.Host, Node.Node.Endpoint.Port);
        var viaProxy = settings with { Rpc = settings.Rpc with { Url = $"http://127.0.0.1:{proxy.Port}/", TimeoutSeconds = 1 } };
        var pool = D.Pools[0];
        var firstBlock = await Eth.BlockNumberAsync();

        var a = await RunningKeeper.StartAsync(viaProxy, FleetKeys[0]);
        RunningKeeper? b = null;
        try
        {
            await WaitUntilAsync(() => Task.FromResult(D.Pools.All(p => a.Runtime.Fleet!.MayAct(p.Address))), TimeSpan.FromSeconds(30), "A alone takes every pool");
            var nonceOfA = await Eth.GetTransactionCountAsync(FleetKeys[0].Address);
            var tokenBefore = LeaseOf(direct, pool).Token;

            proxy.Cut();
            var cut = Stopwatch.StartNew();
            await Task.Delay(300); // a renewal already on its way lands
            var lastRenewal = LeaseOf(direct, pool).ExpiresAt;
            // cut from the node, A cannot observe, so it renews nothing: its lease runs out in the database and it stops acting
            await WaitUntilAsync(() => Task.FromResult(!a.Runtime.Fleet!.MayAct(pool.Address)), TimeSpan.FromSeconds(LeaseTtlSeconds + 2), "A stops acting for the pool");
            await WaitUntilAsync(() => Task.FromResult(LeaseOf(direct, pool).ExpiresAt <= DateTimeOffset.UtcNow), TimeSpan.FromSeconds(LeaseTtlSeconds + 2), "A's lease expires");
            Assert.Equal(lastRenewal, LeaseOf(direct, pool).ExpiresAt); // not renewed once while A could not act
            Assert.True(cut.Elapsed < TimeSpan.FromSeconds(LeaseTtlSeconds + 2));

            // B takes the pool over and rebalances it once
            await D.SwapAsync(zeroForOne: true, D.BaseUnits(30_000m), pool: pool);
            b = await RunningKeeper.StartAsync(settings, FleetKeys[1]);
            await WaitUntilAsync(async () => await RepositionedAsync(pool, firstBlock) == 1, TimeSpan.FromSeconds(LeaseTtlSeconds * 3 + 10), "B rebalances the pool");
            var lease = LeaseOf(direct, pool);
            Assert.Equal(FleetKeys[1].Address.ToLowerHex(), lease.Holder);
            Assert.True(lease.Token > tokenBefore); // a new holder, a new fencing token

            // the node back: A rejoins; nothing is sent twice
            proxy.Restore();
            await WaitUntilAsync(() => Task.FromResult(PostgresJournal.ReadFleet(direct).Keepers.Single(k => k.Id == FleetKeys[0].Address.ToLowerHex()).LastSeen > DateTimeOffset.UtcNow.AddSeconds(-1)),
                TimeSpan.FromSeconds(40), "A is seen again");
            await D.IncreaseTimeAsync(1);
            await Task.Delay(TimeSpan.FromSeconds(1));
            Assert.Equal(1, await RepositionedAsync(pool, firstBlock));
            Assert.Equal(nonceOfA, await Eth.GetTransactionCountAsync(FleetKeys[0].Address));
        }
        finally
        {
            proxy.Restore();
            if (b is not null) await b.DisposeAsync();
            await a.DisposeAsync();
        }
    }
}
