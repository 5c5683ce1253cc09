using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Contracts.Deployment;
using TreasuryManager.Ethereum;
using TreasuryManager.Ethereum.Crypto;
using TreasuryManager.Keeper.Configuration;
using TreasuryManager.Keeper.Execution;
using TreasuryManager.Keeper.Hosting;
using TreasuryManager.Keeper.Journal;
using TreasuryManager.Testing;

namespace TreasuryManager.Keeper.Tests;

/// <summary>
/// Keepers of one fleet on a real node and a real PostgreSQL server, each with its own key registered as a vault
/// keeper (docs/fleet.md): they split the pools by lease and never share a nonce; a keeper that dies at any step
/// leaves its pools to another, which settles what it left in flight, and every rebalance lands exactly once.
/// </summary>
[Collection(NodeCollection.Name)]
[Trait("Category", "Node")]
public sealed class FleetNodeTests(LocalNodeFixture node, PostgresFixture postgres) : TreasuryKeeperTest(node), IClassFixture<PostgresFixture>
{
    private static readonly EthKey[] FleetKeys = [DevAccounts.Key(1), DevAccounts.Key(6), DevAccounts.Key(7)];

    protected override TreasuryDeploymentSettings Deployment => new() { PoolCount = 8, TraderBase = 1_000_000m, TraderQuote = 2_000_000m };

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        foreach (var key in FleetKeys.Skip(1)) await D.Vault.SetKeeperAsync(D.Owner, key.Address, true);
    }

    /// <summary>Settings of a fleet on a fresh database: every pool, the journal's password in an environment variable.</summary>
    private async Task<TreasurySettings> FleetSettingsAsync(int leaseTtlSeconds)
    {
        var database = await postgres.CreateDatabaseAsync();
        var variable = "TREASURY_FLEET_TEST_PW_" + database.ToUpperInvariant();
        Environment.SetEnvironmentVariable(variable, postgres.Password);
        return Settings(s => s with
        {
            Journal = $"postgres://{postgres.User}@{postgres.Host}:{postgres.Port}/{database}",
            JournalPasswordVariable = variable,
            Fleet = new FleetSettings { LeaseTtlSeconds = leaseTtlSeconds },
            Pools = D.Pools.Select((p, i) => new PoolSettings { Address = p.Address.ToString(), Name = $"pool-{i}" }).ToArray(),
            Cycle = new CycleSettings { PollIntervalMilliseconds = 50 },
        });
    }

    private static Task<KeeperRuntime> StartKeeperAsync(TreasurySettings settings, EthKey key, Action<ExecutionPoint, AttemptRecord>? onPoint = null) =>
        KeeperRuntime.StartAsync(settings, key, new KeeperMetrics(), NullLoggerFactory.Instance, onPoint: onPoint);

    private async Task<int> RepositionedAsync(ManagedPool pool, long fromBlock) =>
        (await Eth.GetLogsAsync(pool.Address, fromBlock, await Eth.BlockNumberAsync(), [ManagedPool.Abi.GetEvent("Repositioned").Topic0])).Count;

    [Fact]
    public async Task Two_keepers_with_their_own_keys_split_the_pools_and_never_share_a_nonce_in_the_same_blocks()
    {
        var settings = await FleetSettingsAsync(leaseTtlSeconds: 30);
        var broadcasts = 0;
        void Count(ExecutionPoint point, AttemptRecord _) { if (point == ExecutionPoint.Broadcast) Interlocked.Increment(ref broadcasts); }
        using var a = await StartKeeperAsync(settings, FleetKeys[0], Count);
        using var b = await StartKeeperAsync(settings, FleetKeys[1], Count);
        await a.Cycle.RunOnceAsync(act: true); // both registered: each takes the pools it is preferred for
        await b.Cycle.RunOnceAsync(act: true);
        var poolsOfA = D.Pools.Where(p => a.Fleet!.MayAct(p.Address)).Select(p => p.Address).ToHashSet();
        var poolsOfB = D.Pools.Where(p => b.Fleet!.MayAct(p.Address)).Select(p => p.Address).ToHashSet();
        Assert.NotEmpty(poolsOfA);
        Assert.NotEmpty(poolsOfB);
        Assert.Empty(poolsOfA.Intersect(poolsOfB));
        Assert.Equal(D.Pools.Count, poolsOfA.Count + poolsOfB.Count);

        foreach (var pool in D.Pools) await D.SwapAsync(zeroForOne: true, D.BaseUnits(30_000m), pool: pool);
        var firstBlock = await Eth.BlockNumberAsync();
        await Node.Rpc.CallAsync("evm_setAutomine", [false]);
        using var stop = new CancellationTokenSource();
        var miner = Task.Run(async () =>
        {
            // mine only once both keepers have broadcast every plan: their transactions share the blocks
            var wait = Stopwatch.StartNew();
            while (Volatile.Read(ref broadcasts) < D.Pools.Count && wait.Elapsed < TimeSpan.FromSeconds(20)) await Task.Delay(20);
            while (!stop.IsCancellationRequested)
            {
                await Node.Rpc.CallAsync("evm_mine");
                await Task.Delay(100);
            }
        });
        try
        {
            var reports = await Task.WhenAll(a.Cycle.RunOnceAsync(act: true, evenIfSameBlock: true), b.Cycle.RunOnceAsync(act: true, evenIfSameBlock: true));
            Assert.Equal(poolsOfA, reports[0]!.Plans.Select(p => p.Pool).ToHashSet());
            Assert.Equal(poolsOfB, reports[1]!.Plans.Select(p => p.Pool).ToHashSet());
            Assert.All(reports.SelectMany(r => r!.Outcomes), o => Assert.True(Assert.IsType<ExecutionOutcome.Mined>(o).Receipt!.Succeeded));
        }
        finally
        {
            stop.Cancel();
            await miner;
            await Node.Rpc.CallAsync("evm_setAutomine", [true]);
        }

        // on chain: every pool once; each keeper's transactions from its own account, nonces unique per account
        foreach (var pool in D.Pools) Assert.Equal(1, await RepositionedAsync(pool, firstBlock));
        var sent = new List<(Address From, long Nonce, long Block)>();
        foreach (var (runtime, key) in new[] { (a, FleetKeys[0]), (b, FleetKeys[1]) })
            foreach (var intent in runtime.Journal!.AllIntents().Where(i => i.Status == IntentStatus.Mined))
            {
                var outcome = runtime.Journal.Outcome(intent.Id)!;
                var tx = await Node.Rpc.CallAsync("eth_getTransactionByHash", [outcome.TransactionHash]);
                var from = Address.Parse(tx.GetProperty("from").GetString()!);
                Assert.Equal(key.Address, from);
                sent.Add((from, long.Parse(tx.GetProperty("nonce").GetString()![2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture), outcome.BlockNumber));
            }
        Assert.Equal(D.Pools.Count, sent.Count);
        Assert.Equal(sent.Count, sent.Select(s => (s.From, s.Nonce)).Distinct().Count());
        Assert.Contains(sent.GroupBy(s => s.Block), block => block.Select(s => s.From).Distinct().Count() == 2); // the same block carries both keepers
    }

    /// <summary>Where the pool's active keeper dies (in-process: it stops at the point and never runs, renews or releases again).</summary>
    public enum DeathPoint { HoldingTheLease, AfterSigning, AfterBroadcast }

    private sealed class KeeperDied : Exception;

    [Theory]
    [InlineData(DeathPoint.HoldingTheLease)]
    [InlineData(DeathPoint.AfterSigning)]
    [InlineData(DeathPoint.AfterBroadcast)]
    public async Task A_dead_keepers_pools_fail_over_and_every_rebalance_lands_exactly_once(DeathPoint death)
    {
        const int ttlSeconds = 2;
        var repetitions = int.TryParse(Environment.GetEnvironmentVariable("TREASURY_FLEET_REPETITIONS"), out var r) ? Math.Clamp(r, 1, 8) : 3;
        var failovers = new List<double>();
        for (var rep = 0; rep < repetitions; rep++)
            failovers.Add(await FailOverOnceAsync(death, ttlSeconds, D.Pools[rep % D.Pools.Count])); // each run on a pool no earlier run rebalanced
        failovers.Sort();
        var line = string.Create(CultureInfo.InvariantCulture,
            $"fleet failover {death}: lease TTL {ttlSeconds} s, {failovers.Count} runs, kill → the survivor holds the pool with its rebalance on chain and nothing in flight, p50 {Percentile(failovers, 0.5):0.000} s, p99 {Percentile(failovers, 0.99):0.000} s, max {failovers[^1]:0.000} s");
        Console.WriteLine(line);
        if (Environment.GetEnvironmentVariable("TREASURY_FLEET_REPORT") is { Length: > 0 } report) await File.AppendAllTextAsync(report, line + Environment.NewLine);
        Assert.All(failovers, f => Assert.InRange(f, 0, ttlSeconds * 2 + 5));
    }

    /// <summary>Process output as an assertion message: control characters (colour codes) dropped, so every test logger shows it.</summary>
    private static string Printable(string output) => new(output.Where(c => c == '\n' || !char.IsControl(c)).ToArray());

    private static double Percentile(List<double> sorted, double q) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)];

    /// <summary>One run: keeper A alone holds every pool, dies at <paramref name="death"/> while rebalancing <paramref name="pool"/>; B takes over.</summary>
    private async Task<double> FailOverOnceAsync(DeathPoint death, int ttlSeconds, ManagedPool pool)
    {
        var settings = await FleetSettingsAsync(ttlSeconds);
        var firstBlock = await Eth.BlockNumberAsync();
        var nonceOfA = await Eth.GetTransactionCountAsync(FleetKeys[0].Address);
        var armed = false;
        void Die(ExecutionPoint point, AttemptRecord _)
        {
            if (armed && ((death == DeathPoint.AfterSigning && point == ExecutionPoint.Journaled) || (death == DeathPoint.AfterBroadcast && point == ExecutionPoint.Broadcast)))
                throw new KeeperDied();
        }
        var a = await StartKeeperAsync(settings, FleetKeys[0], Die); // never disposed, released or run again: dead
        await a.Cycle.RunOnceAsync(act: true); // alone: A takes every pool
        Assert.All(D.Pools, p => Assert.True(a.Fleet!.MayAct(p.Address)));
        await D.SwapAsync(zeroForOne: true, D.BaseUnits(30_000m), pool: pool);
        Stopwatch killed;
        if (death == DeathPoint.HoldingTheLease) killed = Stopwatch.StartNew();
        else
        {
            armed = true;
            Cycle.CycleReport? survived = null;
            try
            {
                survived = await a.Cycle.RunOnceAsync(act: true);
            }
            catch (KeeperDied)
            {
            }
            Assert.True(survived is null, $"A should have died at {death}; its cycle: {string.Join("; ", survived?.Decisions.Select(d => d.ToString()) ?? [])}");
            killed = Stopwatch.StartNew();
        }

        using var b = await StartKeeperAsync(settings, FleetKeys[1]);
        var fleetJournal = (PostgresJournal)b.Journal!;
        double? failover = null;
        Cycle.CycleReport? last = null;
        while (failover is null && killed.Elapsed < TimeSpan.FromSeconds(ttlSeconds * 3 + 10))
        {
            last = await b.Cycle.RunOnceAsync(act: true, evenIfSameBlock: true);
            // failed over: B holds the pool, nothing of A's is left in flight for it, and its rebalance is on chain
            if (b.Fleet!.MayAct(pool.Address) && fleetJournal.ForeignUnfinishedIntents([pool.Address]).Count == 0 && await RepositionedAsync(pool, firstBlock) > 0)
                failover = killed.Elapsed.TotalSeconds;
            else await Task.Delay(50);
        }
        Assert.True(failover is not null, $"{death}: {pool.Address} did not fail over within {killed.Elapsed.TotalSeconds:0.0} s of the kill; B's last cycle: {string.Join("; ", last?.Decisions.Select(d => d.ToString()) ?? [])}");

        // exactly once: one Repositioned, A's account moved by at most its one transaction, and the shared journal agrees
        await b.Cycle.RunOnceAsync(act: true, evenIfSameBlock: true);
        Assert.Equal(1, await RepositionedAsync(pool, firstBlock));
        var movedA = await Eth.GetTransactionCountAsync(FleetKeys[0].Address) - nonceOfA;
        Assert.Equal(death == DeathPoint.HoldingTheLease ? 0 : 1, movedA);
        Assert.Empty(fleetJournal.ForeignUnfinishedIntents(D.Pools.Select(p => p.Address).ToArray()));
        var mined = fleetJournal.AllIntents().Concat(((PostgresJournal)a.Journal!).AllIntents()).Where(i => i.Status == IntentStatus.Mined && i.Pool == pool.Address).ToArray();
        var single = Assert.Single(mined);
        var outcome = fleetJournal.Outcome(single.Id)!;
        var receipt = await Eth.GetTransactionReceiptAsync(outcome.TransactionHash);
        Assert.True(receipt!.Succeeded);
        Assert.Equal(receipt.BlockNumber, outcome.BlockNumber);
        a.Dispose(); // closes its connections; releases nothing (it is dead)
        return failover.Value;
    }

    /// <summary>
    /// Real processes: keeper A (the crash harness with a PostgreSQL journal) takes every pool and is killed with SIGKILL
    /// mid-rebalance; keeper B, a fresh process each poll (one cycle each, as a restarted keeper), takes the pool over
    /// once A's lease has expired, settles what A left and the rebalance lands exactly once.
    /// </summary>
    [Theory]
    [InlineData("after-sign-before-broadcast")]
    [InlineData("after-broadcast-before-receipt")]
    public async Task A_keeper_process_killed_with_SIGKILL_fails_over_to_another_process_and_the_rebalance_lands_once(string point)
    {
        var settings = await FleetSettingsAsync(leaseTtlSeconds: 2);
        var config = Path.Combine(Temp.Folder, "fleet-appsettings.json");
        await File.WriteAllTextAsync(config, System.Text.Json.JsonSerializer.Serialize(settings));
        var pool = D.Pools[3];
        var firstBlock = await Eth.BlockNumberAsync();
        var nonceOfA = await Eth.GetTransactionCountAsync(FleetKeys[0].Address);

        var calm = await CrashHarnessProcess.RunAsync(Node.RepositoryRoot, ["--config", config], Ethereum.Encoding.Hex.Encode(FleetKeys[0].PrivateKeyBytes));
        Assert.True(calm.ExitCode == 0, Printable(calm.Output)); // A alone: takes every pool
        await D.SwapAsync(zeroForOne: true, D.BaseUnits(30_000m), pool: pool);
        var crashed = await CrashHarnessProcess.RunAsync(Node.RepositoryRoot, ["--config", config], Ethereum.Encoding.Hex.Encode(FleetKeys[0].PrivateKeyBytes), point);
        Assert.True(crashed.ExitCode != 0 && crashed.Output.Contains($"crashing at {point}", StringComparison.Ordinal), $"exit {crashed.ExitCode}: {Printable(crashed.Output)}");
        var killed = Stopwatch.StartNew();

        using var observer = PostgresJournal.Open(postgres.ConnectionString(settings.PostgresJournal!.Database), "test-observer");
        var runs = new List<string>();
        while (killed.Elapsed < TimeSpan.FromSeconds(60))
        {
            var b = await CrashHarnessProcess.RunAsync(Node.RepositoryRoot, ["--config", config], Ethereum.Encoding.Hex.Encode(FleetKeys[1].PrivateKeyBytes));
            Assert.True(b.ExitCode == 0, Printable(b.Output));
            runs.Add(b.Output);
            if (observer.ForeignUnfinishedIntents([pool.Address]).Count == 0 && await RepositionedAsync(pool, firstBlock) == 1) break;
        }
        Assert.True(await RepositionedAsync(pool, firstBlock) == 1, Printable(string.Join("\n---\n", runs)));
        Assert.Empty(observer.ForeignUnfinishedIntents(D.Pools.Select(p => p.Address).ToArray()));
        Assert.Equal(1, await Eth.GetTransactionCountAsync(FleetKeys[0].Address) - nonceOfA); // A's one transaction, landed once

        var fleet = PostgresJournal.ReadFleet(postgres.ConnectionString(settings.PostgresJournal.Database));
        Assert.Equal(FleetKeys[1].Address.ToLowerHex(), fleet.Leases.Single(l => l.Pool == pool.Address).Holder);
        Assert.True(fleet.Leases.Single(l => l.Pool == pool.Address).Token >= 2);

        // a last run of B sends nothing more
        var nonceOfB = await Eth.GetTransactionCountAsync(FleetKeys[1].Address);
        var last = await CrashHarnessProcess.RunAsync(Node.RepositoryRoot, ["--config", config], Ethereum.Encoding.Hex.Encode(FleetKeys[1].PrivateKeyBytes));
        Assert.Equal(0, last.ExitCode);
        Assert.Equal(1, await RepositionedAsync(pool, firstBlock));
        Assert.Equal(nonceOfB, await Eth.GetTransactionCountAsync(FleetKeys[1].Address));
    }
}
