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
/// Many pools over four keepers of one fleet (one PostgreSQL, one node), against one keeper holding a fleet keeper's
/// share of the pools alone (SQLite), in the same run: each round pushes one pool out of band and runs every fleet
/// keeper's cycle at once, as on a new block; only the pool's lease holder broadcasts its rebalance, once. Measures
/// block → broadcast per keeper (t0 right after the push's receipt, t1 the executor's Broadcast point) and the lease
/// statements per cycle (the heartbeat, the server's clock and the leases, the keepers, one renewal of every held pool:
/// five, whatever the number of pools held). Each fleet keeper observes only the pools it holds (asserted from its
/// cycle's observations and the Observe batch's requests). By default 16
/// pools and 4 rounds a phase (no pool is pushed twice); scripts/bench-fleet.sh runs the issue's 200 pools (TREASURY_FLEET_BENCH_POOLS,
/// TREASURY_FLEET_BENCH_ROUNDS) and docs/fleet.md has its figures.
/// </summary>
[Collection(NodeCollection.Name)]
[Trait("Category", "Node")]
public sealed class FleetScaleTests(LocalNodeFixture node, PostgresFixture postgres) : TreasuryKeeperTest(node), IClassFixture<PostgresFixture>
{
    private const int Keepers = 4;
    private static readonly EthKey[] FleetKeys = [DevAccounts.Key(1), DevAccounts.Key(6), DevAccounts.Key(7), DevAccounts.Key(8)];
    private static readonly EthKey SingleKey = DevAccounts.Key(9);
    private static readonly int PoolCount = EnvironmentCount("TREASURY_FLEET_BENCH_POOLS", 16);
    private static readonly int Rounds = EnvironmentCount("TREASURY_FLEET_BENCH_ROUNDS", 4);

    private static int EnvironmentCount(string variable, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(variable), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= Keepers ? n : fallback;

    protected override TreasuryDeploymentSettings Deployment => new()
    {
        PoolCount = Math.Min(PoolCount, TreasuryDeployer.MaxPoolsPerVault),
        TraderBase = 100_000_000m,
        TraderQuote = 200_000_000m,
        ObservationCardinality = 128, // up to three observations (push, rebalance, restore) per 61 s round cover the 600 s TWAP window
    };

    protected override long WarmUpSeconds => 0; // after the pools past the first 16 are added

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        if (PoolCount > TreasuryDeployer.MaxPoolsPerVault) await D.AddPoolsPastTheCapAsync(PoolCount);
        // a pool pushed back to its target leaves its price off the oracle's by up to ~2% until its next rebalance
        foreach (var pool in D.Pools) await D.Vault.SetMaxTwapDeviationAsync(D.Owner, pool.Address, 2000);
        foreach (var key in FleetKeys.Skip(1).Append(SingleKey)) await D.Vault.SetKeeperAsync(D.Owner, key.Address, true);
        await D.IncreaseTimeAsync(700);
    }

    private static double P(List<double> values, double q)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)];
    }

    [Fact]
    public async Task Four_keepers_split_the_pools_each_rebalance_is_broadcast_once_by_its_holder_and_lease_traffic_is_constant_a_cycle()
    {
        var database = await postgres.CreateDatabaseAsync();
        var variable = "TREASURY_FLEET_TEST_PW_" + database.ToUpperInvariant();
        Environment.SetEnvironmentVariable(variable, postgres.Password);
        var gas = new GasSettings { Confirmations = 1, BlocksBeforeReplacement = 2, MaxBlocksToWait = 40, BaseFeeCeilingGwei = 20, MaxFeePerGasGwei = 200 };
        var fleetSettings = Settings(s => s with
        {
            Journal = $"postgres://{postgres.User}@{postgres.Host}:{postgres.Port}/{database}",
            JournalPasswordVariable = variable,
            Fleet = new FleetSettings { LeaseTtlSeconds = 120 }, // the test runs the cycles: no lease may run out between rounds
            Pools = D.Pools.Select((p, i) => new PoolSettings { Address = p.Address.ToString(), Name = $"pool-{i}" }).ToArray(),
            Gas = gas,
        });

        var broadcasts = new List<(int Keeper, Address Pool, long At)>();
        var fleet = new List<(KeeperRuntime Runtime, KeeperMetrics Metrics)>();
        KeeperRuntime? single = null;
        try
        {
            for (var k = 0; k < Keepers; k++)
            {
                var keeper = k;
                var metrics = new KeeperMetrics();
                KeeperRuntime? started = null;
                started = await KeeperRuntime.StartAsync(fleetSettings, FleetKeys[k], metrics, NullLoggerFactory.Instance,
                    onPoint: (point, attempt) =>
                    {
                        if (point != ExecutionPoint.Broadcast) return;
                        var at = Stopwatch.GetTimestamp();
                        var pool = started!.Journal!.GetIntent(attempt.IntentId).Pool!.Value;
                        lock (broadcasts) broadcasts.Add((keeper, pool, at));
                    });
                fleet.Add((started, metrics));
            }
            // every keeper registered before the first cycle: each takes the pools it is preferred for
            foreach (var (runtime, _) in fleet) await runtime.Cycle.RunOnceAsync(act: true, evenIfSameBlock: true);
            foreach (var (runtime, _) in fleet) await runtime.Cycle.RunOnceAsync(act: true, evenIfSameBlock: true);
            var held = fleet.Select(f => D.Pools.Where(p => f.Runtime.Fleet!.MayAct(p.Address)).ToList()).ToArray();
            Assert.All(D.Pools, p => Assert.Equal(1, fleet.Count(f => f.Runtime.Fleet!.MayAct(p.Address)))); // every pool exactly one holder
            Assert.All(held, h => Assert.NotEmpty(h));

            var share = PoolCount / Keepers;
            // no pool is pushed twice in a run: a pool pushed, rebalanced and pushed back to 50 % sits off the oracle, and its
            // TWAP would hold its next rebalance (TwapDeviates). The single keeper's pools are the last ones; each phase
            // pushes pools not pushed before (a keeper without one left passes its round to the next keeper)
            var singlePools = D.Pools.Skip(PoolCount - share).ToList();
            var pushed = singlePools.Select(p => p.Address).ToHashSet();
            (int Keeper, ManagedPool Pool) Fresh(int keeper)
            {
                for (var i = 0; i < Keepers; i++)
                {
                    var k = (keeper + i) % Keepers;
                    if (held[k].FirstOrDefault(p => !pushed.Contains(p.Address)) is { } pool)
                    {
                        pushed.Add(pool.Address);
                        return (k, pool);
                    }
                }
                throw new InvalidOperationException($"every one of the {PoolCount} pools has been pushed once; run more pools or fewer rounds (TREASURY_FLEET_BENCH_POOLS, _ROUNDS)");
            }
            single = await KeeperRuntime.StartAsync(Settings(s => s with
            {
                Pools = singlePools.Select((p, i) => new PoolSettings { Address = p.Address.ToString(), Name = $"pool-{i}" }).ToArray(),
                Gas = gas,
            }), SingleKey, new KeeperMetrics(), NullLoggerFactory.Instance,
                onPoint: (point, attempt) => { if (point == ExecutionPoint.Broadcast) lock (broadcasts) broadcasts.Add((-1, default, Stopwatch.GetTimestamp())); });
            await single.Cycle.RunOnceAsync(act: true, evenIfSameBlock: true);

            var fleetSamples = Enumerable.Range(0, Keepers).Select(_ => new List<double>()).ToArray();
            var fleetCycles = Enumerable.Range(0, Keepers).Select(_ => new List<double>()).ToArray();
            var leaseStatements = Enumerable.Range(0, Keepers).Select(_ => new List<double>()).ToArray();
            var pushes = new Dictionary<Address, int>();
            int Use(Address pool) => pushes[pool] = pushes.GetValueOrDefault(pool) + 1; // odd uses push to 65 %, even ones to 35 %

            for (var round = 0; round < Rounds; round++)
            {
                var (k, pool) = Fresh(round % Keepers);
                await D.IncreaseTimeAsync(61); // the policy's minimum interval between a pool's rebalances
                await D.Oracle.UpdateAsync(D.Reporter, D.Settings.OraclePrice, D.Settings.OracleVolatility);
                await D.PushBaseShareAsync(pool, Use(pool.Address) % 2 == 1 ? 0.65 : 0.35);
                lock (broadcasts) broadcasts.Clear();
                var renewalsBefore = fleet.Select(f => f.Metrics.LeaseRenewals.Value).ToArray();
                var statementsBefore = fleet.Select(f => ((PostgresJournal)f.Runtime.Journal!).LeaseStatements).ToArray();
                var t0 = Stopwatch.GetTimestamp();
                var reports = await Task.WhenAll(fleet.Select(f => f.Runtime.Cycle.RunOnceAsync(act: true)));
                // exactly one broadcast, by the pool's holder, for that pool
                var sent = broadcasts.ToArray();
                Assert.True(sent.Length == 1 && sent[0].Keeper == k && sent[0].Pool == pool.Address,
                    $"round {round}: pushed {pool.Address} (held by keeper {k}); broadcasts: {string.Join(", ", sent.Select(s => $"keeper {s.Keeper} {s.Pool}"))}; " +
                    $"its holder decided: {string.Join("; ", reports[k]!.Decisions.Where(d => d.Pool == pool.Address).Select(d => d.ToString()))}");
                fleetSamples[k].Add(Stopwatch.GetElapsedTime(t0, sent[0].At).TotalMilliseconds);
                for (var i = 0; i < Keepers; i++)
                {
                    fleetCycles[i].Add(reports[i]!.Elapsed.TotalMilliseconds);
                    // each keeper observed exactly the pools it holds, and its read grew with them, not with the configured
                    // pools: the block, the fees, the swap log, three reads per held pool and at most two feeds each
                    Assert.Equal(held[i].Select(p => p.Address).ToHashSet(), reports[i]!.Observations.Select(o => o.Pool).ToHashSet());
                    Assert.InRange(reports[i]!.ObserveRequests, 3 + 3 * held[i].Count, 3 + 5 * held[i].Count);
                    // every held pool renewed, and the cycle's lease traffic constant whatever the number held: the heartbeat,
                    // the server's clock and the leases, the keepers, and one statement renewing them all
                    Assert.Equal(held[i].Count, fleet[i].Metrics.LeaseRenewals.Value - renewalsBefore[i]);
                    var statements = ((PostgresJournal)fleet[i].Runtime.Journal!).LeaseStatements - statementsBefore[i];
                    Assert.Equal(5, statements);
                    leaseStatements[i].Add(statements);
                }
                await D.PushBaseShareAsync(pool, 0.50);
            }

            // the same, with only the holder's cycle running (as on its own machine; the others idle): what a keeper's
            // cycle costs without three others sharing this machine's cores and the one Hardhat node
            var aloneSamples = Enumerable.Range(0, Keepers).Select(_ => new List<double>()).ToArray();
            for (var round = 0; round < Rounds; round++)
            {
                var (k, pool) = Fresh(round % Keepers);
                await D.IncreaseTimeAsync(61);
                await D.Oracle.UpdateAsync(D.Reporter, D.Settings.OraclePrice, D.Settings.OracleVolatility);
                await D.PushBaseShareAsync(pool, Use(pool.Address) % 2 == 1 ? 0.65 : 0.35);
                lock (broadcasts) broadcasts.Clear();
                var t0 = Stopwatch.GetTimestamp();
                var aloneReport = await fleet[k].Runtime.Cycle.RunOnceAsync(act: true);
                var sent = broadcasts.ToArray();
                Assert.True(sent.Length == 1, $"alone, round {round}: pushed {pool.Address} (held by keeper {k}); {sent.Length} broadcasts; its holder decided: " +
                    string.Join("; ", aloneReport?.Decisions.Where(d => d.Pool == pool.Address).Select(d => d.ToString()) ?? ["no cycle"]));
                Assert.Equal((k, pool.Address), (sent[0].Keeper, sent[0].Pool));
                aloneSamples[k].Add(Stopwatch.GetElapsedTime(t0, sent[0].At).TotalMilliseconds);
                await D.PushBaseShareAsync(pool, 0.50);
            }

            var singleSamples = new List<double>();
            for (var round = 0; round < Rounds; round++)
            {
                var pool = singlePools[round % singlePools.Count];
                await D.IncreaseTimeAsync(61);
                await D.Oracle.UpdateAsync(D.Reporter, D.Settings.OraclePrice, D.Settings.OracleVolatility);
                await D.PushBaseShareAsync(pool, Use(pool.Address) % 2 == 1 ? 0.65 : 0.35);
                lock (broadcasts) broadcasts.Clear();
                var t0 = Stopwatch.GetTimestamp();
                var singleReport = await single.Cycle.RunOnceAsync(act: true);
                Assert.Equal(singlePools.Count, singleReport!.Observations.Count); // a single keeper still observes every configured pool
                var sent = Assert.Single(broadcasts.ToArray());
                singleSamples.Add(Stopwatch.GetElapsedTime(t0, sent.At).TotalMilliseconds);
                await D.PushBaseShareAsync(pool, 0.50);
            }

            var lines = new List<string>();
            for (var k = 0; k < Keepers; k++)
                if (fleetSamples[k].Count > 0)
                    lines.Add(string.Create(CultureInfo.InvariantCulture,
                        $"fleet keeper {k + 1} of {Keepers} ({held[k].Count} of {PoolCount} pools, PostgreSQL): block → broadcast p50 {P(fleetSamples[k], 0.5):0.0} ms p99 {P(fleetSamples[k], 0.99):0.0} ms over {fleetSamples[k].Count} rounds with the four cycles at once (its cycles p50 {P(fleetCycles[k], 0.5):0.0} ms), p50 {P(aloneSamples[k], 0.5):0.0} ms p99 {P(aloneSamples[k], 0.99):0.0} ms over {aloneSamples[k].Count} rounds alone; lease statements per cycle {P(leaseStatements[k], 0.5):0}"));
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"single keeper ({share} pools, SQLite, alone): block → broadcast p50 {P(singleSamples, 0.5):0.0} ms p99 {P(singleSamples, 0.99):0.0} ms over {singleSamples.Count} rounds"));
            foreach (var line in lines) Console.WriteLine(line);
            if (Environment.GetEnvironmentVariable("TREASURY_FLEET_REPORT") is { Length: > 0 } report) await File.AppendAllLinesAsync(report, lines);
        }
        finally
        {
            single?.Dispose();
            foreach (var (runtime, _) in fleet) runtime.Dispose();
        }
    }
}
