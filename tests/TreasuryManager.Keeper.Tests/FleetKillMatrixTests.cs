using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Npgsql;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Contracts.Deployment;
using TreasuryManager.DevNode;
using TreasuryManager.Ethereum;
using TreasuryManager.Ethereum.Crypto;
using TreasuryManager.Ethereum.Encoding;
using TreasuryManager.Ethereum.JsonRpc;
using TreasuryManager.Keeper.Configuration;
using TreasuryManager.Testing;

namespace TreasuryManager.Keeper.Tests;

/// <summary>
/// The issue's kill matrix (docs/fleet.md): three long-running keeper processes (the crash harness's `--run forever`,
/// i.e. the keeper's own KeeperService loop) on one PostgreSQL and one node that mines every 500 ms (so a receipt can
/// exist before the keeper records it), sixteen pools (the most one vault registers), so over the full matrix each is pushed five times. Each round SIGKILLs the active keeper of one pool at one step —
/// holding the lease (killed from outside), after signing, after broadcast before the receipt, after the receipt before
/// recording it (the process kills itself at the point) — and checks: the pool fails over to another keeper, its
/// rebalance lands exactly once (one Repositioned event, one transaction from the whole fleet), the journal matches the
/// chain, and no (account, nonce) is used twice. The killed keeper is restarted before the next round.
/// </summary>
[Collection(NodeCollection.Name)]
[Trait("Category", "Node")]
public sealed class FleetKillMatrixTests(LocalNodeFixture node, PostgresFixture postgres) : TreasuryKeeperTest(node), IClassFixture<PostgresFixture>
{
    private const int LeaseTtlSeconds = 2;
    /// <summary>Blocks every 500 ms on Hardhat; anvil's interval mining counts whole seconds, so 1 s there.</summary>
    private int BlockIntervalMilliseconds => Node.Kind == LocalNodeKind.Anvil ? 1000 : 500;

    /// <summary>evm_setIntervalMining's argument: milliseconds on Hardhat, seconds on anvil.</summary>
    private int IntervalMiningArgument => Node.Kind == LocalNodeKind.Anvil ? BlockIntervalMilliseconds / 1000 : BlockIntervalMilliseconds;
    private static readonly EthKey[] FleetKeys = [DevAccounts.Key(1), DevAccounts.Key(6), DevAccounts.Key(7)];
    private static readonly string[] Points = ["holding-the-lease", "after-sign-before-broadcast", "after-broadcast-before-receipt", "after-receipt-before-record"];

    protected override TreasuryDeploymentSettings Deployment => new() { PoolCount = TreasuryDeployer.MaxPoolsPerVault, TraderBase = 5_000_000m, TraderQuote = 10_000_000m };

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        foreach (var key in FleetKeys.Skip(1)) await D.Vault.SetKeeperAsync(D.Owner, key.Address, true);
        // a pool pushed back to its target after its round leaves its price off the oracle's by up to ~2% until its next
        // rebalance: a 5% TWAP tolerance (the default policy's is 2%) keeps that from holding the pool's next round
        foreach (var pool in D.Pools) await D.Vault.SetMaxTwapDeviationAsync(D.Owner, pool.Address, 500);
    }

    public override async Task DisposeAsync()
    {
        await Node.Rpc.CallAsync("evm_setIntervalMining", [0]);
        await base.DisposeAsync();
    }

    private sealed record Round(string Point, int Index, string Pool, string Victim, double LeaseTakenSeconds, double FirstActSeconds);

    [Fact]
    public async Task Three_keeper_processes_killed_at_every_step_fail_over_and_every_rebalance_lands_exactly_once()
    {
        // TREASURY_FLEET_KILLS rounds per point (the issue's full matrix: 20, i.e. 80 kills; measured in docs/fleet.md)
        var perPoint = int.TryParse(Environment.GetEnvironmentVariable("TREASURY_FLEET_KILLS"), out var k) ? Math.Clamp(k, 1, 50) : 2;
        var database = await postgres.CreateDatabaseAsync();
        var variable = "TREASURY_FLEET_TEST_PW_" + database.ToUpperInvariant();
        Environment.SetEnvironmentVariable(variable, postgres.Password); // inherited by the keeper processes
        var settings = Settings(s => s with
        {
            Journal = $"postgres://{postgres.User}@{postgres.Host}:{postgres.Port}/{database}",
            JournalPasswordVariable = variable,
            Fleet = new FleetSettings { LeaseTtlSeconds = LeaseTtlSeconds },
            Pools = D.Pools.Select((p, i) => new PoolSettings { Address = p.Address.ToString(), Name = $"pool-{i}" }).ToArray(),
            Cycle = new CycleSettings { PollIntervalMilliseconds = 50 },
        });
        var config = Path.Combine(Temp.Folder, "fleet-appsettings.json");
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(settings));
        var crashFile = Path.Combine(Temp.Folder, "crash-at.txt");
        var connectionString = postgres.ConnectionString(database);

        var keepers = new Dictionary<string, KeeperProcess>();
        KeeperProcess StartKeeper(EthKey key)
        {
            var id = key.Address.ToLowerHex();
            var process = KeeperProcess.Start(Node.RepositoryRoot, config, crashFile, Hex.Encode(key.PrivateKeyBytes), id);
            keepers[id] = process;
            return process;
        }
        var rounds = new List<Round>();
        var firstBlock = await Eth.BlockNumberAsync();
        var noncesAtStart = await NoncesAsync();
        try
        {
            foreach (var key in FleetKeys) StartKeeper(key);
            foreach (var keeper in keepers.Values) await keeper.WaitForOutputAsync("ready", TimeSpan.FromSeconds(90));
            await WaitForStableFleetAsync(connectionString, keepers.Keys);
            await Node.Rpc.CallAsync("evm_setAutomine", [false]);
            await Node.Rpc.CallAsync("evm_setIntervalMining", [IntervalMiningArgument]);

            var uses = new Dictionary<string, int>();
            for (var round = 0; round < perPoint * Points.Length; round++)
            {
                var point = Points[round % Points.Length];
                var pool = D.Pools[round % D.Pools.Count];
                var poolId = pool.Address.ToLowerHex();
                var use = uses.GetValueOrDefault(poolId);
                uses[poolId] = use + 1;

                // the vault allows one rebalance per pool per 60 s of chain time; the reporter posts the (unchanged) price, as
                // it would within the feed's heartbeat
                // (read from the chain: a keeper may also have re-centred a pool on its own, e.g. a fresh pool's first curve)
                if (await LastRepositionedAtAsync(pool, firstBlock) is { } last && 61 - (await D.LatestTimestampAsync() - last) is var wait and > 0)
                    await Node.Rpc.CallAsync("evm_increaseTime", [wait]);
                await D.Oracle.UpdateAsync(D.Reporter, D.Settings.OraclePrice, D.Settings.OracleVolatility);

                var victimId = (await LeaseAsync(connectionString, poolId)).Holder ?? throw new InvalidOperationException($"round {round}: nobody holds {poolId}");
                var victim = keepers[victimId];
                var roundBlock = await Eth.BlockNumberAsync();
                var roundStarted = DateTime.UtcNow;
                var poolEventsBefore = await RepositionedAsync(pool, firstBlock);
                DateTime killedAt;
                if (point == "holding-the-lease")
                {
                    killedAt = victim.Kill(); // kill -9 from outside while it holds the lease, before it has anything to plan
                    await SwapAsync(pool, use);
                }
                else
                {
                    await File.WriteAllTextAsync(crashFile, $"{point} {pool.Address}\n");
                    await SwapAsync(pool, use);
                    // the pool's active keeper dies at the point: the holder read above, or the keeper it was just handing the
                    // pool back to (a restarted keeper takes back the pools it is preferred for)
                    var (died, lastSeenAlive) = await FirstDeathAsync(keepers.Values, TimeSpan.FromSeconds(30));
                    killedAt = lastSeenAlive; // the death is after it (a slow poll on a loaded machine cannot put the survivor's act before the kill)
                    File.Delete(crashFile);
                    if (died is null)
                        Assert.Fail($"round {round} ({point}, {poolId}): no keeper reached the point within 30 s; lease {await LeaseAsync(connectionString, poolId)}; " +
                            $"the keeper's decision now: {await DecisionAsync(settings, pool)}; the journal since the round began:\n{await JournalSinceAsync(connectionString, roundStarted)}");
                    victim = died;
                    victimId = died.Keeper;
                    Assert.True(victim.Output.Contains($"crashing at {point} on {pool.Address}", StringComparison.OrdinalIgnoreCase),
                        $"round {round} ({point}): keeper {victimId} died elsewhere; its output:\n{Printable(victim.Output)}");
                }

                // failed over: another keeper holds the pool, nothing is in flight for it, and its one rebalance is on chain
                var watch = Stopwatch.StartNew();
                Lease lease;
                while (true)
                {
                    lease = await LeaseAsync(connectionString, poolId);
                    if (lease.Holder is not null && lease.Holder != victimId && await UnfinishedAsync(connectionString, poolId) == 0
                        && await RepositionedAsync(pool, roundBlock) >= 1)
                        break;
                    if (watch.Elapsed > TimeSpan.FromSeconds(LeaseTtlSeconds * 3 + 20))
                        Assert.Fail($"round {round} ({point}): {poolId} did not fail over from {victimId} within {watch.Elapsed.TotalSeconds:0.0} s; lease {lease}; " +
                            $"the keeper's decision now: {await DecisionAsync(settings, pool)}; the journal since the round began:\n{await JournalSinceAsync(connectionString, roundStarted)}");
                    await Task.Delay(50);
                }
                await Task.Delay(2 * BlockIntervalMilliseconds); // two more blocks: a second transaction, if any had been sent, would be mined by now

                // exactly once: one Repositioned event this round, one transaction from the whole fleet, the journal agrees with the chain
                Assert.Equal(1, await RepositionedAsync(pool, roundBlock));
                Assert.Equal(poolEventsBefore + 1, await RepositionedAsync(pool, firstBlock));
                // the pool's one transaction: for a kill after signing, the dead keeper's own (rebroadcast or recorded by the
                // survivor, never signed again); for a kill holding the lease, the survivor's
                var senders = await MinedSendersThisRoundAsync(connectionString, poolId, roundStarted);
                Assert.True(senders.Count == 1, $"round {round} ({point}, {poolId}, victim {victimId}): {senders.Count} mined intents for the pool; the journal since the round began:\n{await JournalSinceAsync(connectionString, roundStarted)}");
                var sender = senders[0];
                if (point == "holding-the-lease") Assert.NotEqual(victimId, sender);
                else Assert.Equal(victimId, sender);
                await AssertJournalMatchesChainAsync(connectionString, pool, poolEventsBefore + 1);

                await D.PushBaseShareAsync(pool, 0.50); // back inside the band: the pool has nothing to plan until its next round
                var (leaseSince, firstAct) = await FailoverMomentsAsync(connectionString, poolId, killedAt,
                    $"round {round} ({point}, victim {victimId}, killed at {killedAt:O})");
                rounds.Add(new Round(point, round, poolId, victimId, (leaseSince - killedAt).TotalSeconds, (firstAct - killedAt).TotalSeconds));

                // the killed keeper comes back under the same key; the fleet spreads the pools again
                victim.Dispose();
                var restarted = StartKeeper(FleetKeys.Single(f => f.Address.ToLowerHex() == victimId));
                await restarted.WaitForOutputAsync("ready", TimeSpan.FromSeconds(90));
                await WaitForStableFleetAsync(connectionString, keepers.Keys);
            }

            // the whole run: every transaction the fleet's accounts sent is a journaled outcome (other pools may have been
            // rebalanced again once their interval passed: the keepers decide that), each pool's Repositioned events are its
            // mined intents, and no (account, nonce) was used twice
            await WaitForNothingInFlightAsync(connectionString);
            var sent = (await NoncesAsync()).Zip(noncesAtStart, (a, b) => a - b).Sum();
            Assert.Equal(sent, await CountAsync(connectionString, "SELECT count(*) FROM outcomes;"));
            foreach (var each in D.Pools)
                await AssertJournalMatchesChainAsync(connectionString, each, await RepositionedAsync(each, firstBlock));
            await AssertNoNonceUsedTwiceAsync(connectionString);
        }
        finally
        {
            foreach (var keeper in keepers.Values) keeper.Dispose();
            await Node.Rpc.CallAsync("evm_setIntervalMining", [0]);
            await Node.Rpc.CallAsync("evm_setAutomine", [true]);
        }

        var lines = new List<string>();
        foreach (var group in rounds.GroupBy(r => r.Point))
        {
            var taken = group.Select(r => r.LeaseTakenSeconds).Order().ToList();
            var acted = group.Select(r => r.FirstActSeconds).Order().ToList();
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"fleet kill matrix {group.Key}: {acted.Count} kills, lease TTL {LeaseTtlSeconds} s, poll 50 ms; kill → lease taken p50 {Percentile(taken, 0.5):0.000} s p99 {Percentile(taken, 0.99):0.000} s; kill → the survivor's first act for the pool (broadcast or receipt recorded) p50 {Percentile(acted, 0.5):0.000} s p99 {Percentile(acted, 0.99):0.000} s max {acted[^1]:0.000} s"));
        }
        foreach (var line in lines) Console.WriteLine(line);
        if (Environment.GetEnvironmentVariable("TREASURY_FLEET_REPORT") is { Length: > 0 } report) await File.AppendAllLinesAsync(report, lines);
        Assert.Equal(perPoint * Points.Length, rounds.Count);
        // goal: failover within the lease TTL plus a cycle (p50); every kill bounded by two TTLs plus slack for a loaded machine
        Assert.All(rounds, r => Assert.InRange(r.FirstActSeconds, 0, LeaseTtlSeconds * 2 + 5));
    }

    /// <summary>Out of band (65 % or 35 % base, alternately) so that the pool's keeper plans a rebalance.</summary>
    private Task SwapAsync(ManagedPool pool, int use) => D.PushBaseShareAsync(pool, use % 2 == 0 ? 0.65 : 0.35);

    /// <summary>What a keeper would decide for the pool now (read only), for failure messages.</summary>
    private static async Task<string> DecisionAsync(TreasurySettings settings, ManagedPool pool)
    {
        try
        {
            using var runtime = await Hosting.KeeperRuntime.StartAsync(settings, null, new Hosting.KeeperMetrics(), Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance,
                readOnly: true, keeperAddress: FleetKeys[0].Address);
            var report = await runtime.Cycle.RunOnceAsync(act: false, evenIfSameBlock: true);
            return string.Join("; ", report!.Decisions.Where(d => d.Pool == pool.Address).Select(d => d.ToString()));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return "(could not read: " + e.Message + ")";
        }
    }

    private async Task<long[]> NoncesAsync()
    {
        var nonces = new long[FleetKeys.Length];
        for (var i = 0; i < FleetKeys.Length; i++) nonces[i] = await Eth.GetTransactionCountAsync(FleetKeys[i].Address, BlockTag.Latest);
        return nonces;
    }

    /// <summary>The chain time of the pool's latest Repositioned event since <paramref name="fromBlock"/>, or null.</summary>
    private async Task<long?> LastRepositionedAtAsync(ManagedPool pool, long fromBlock)
    {
        var logs = await Eth.GetLogsAsync(pool.Address, fromBlock, await Eth.BlockNumberAsync(), [ManagedPool.Abi.GetEvent("Repositioned").Topic0]);
        if (logs.Count == 0) return null;
        return (await Eth.GetBlockAsync(BlockTag.Number(logs.Max(l => l.BlockNumber)))).Timestamp.ToUnixTimeSeconds();
    }

    private async Task<int> RepositionedAsync(ManagedPool pool, long fromBlock) =>
        (await Eth.GetLogsAsync(pool.Address, fromBlock, await Eth.BlockNumberAsync(), [ManagedPool.Abi.GetEvent("Repositioned").Topic0])).Count;

    private sealed record Lease(string? Holder, long Token, DateTime Since, bool Live);

    private static async Task<Lease> LeaseAsync(string connectionString, string pool)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT holder, token, since, expires_at > now() FROM pool_leases WHERE pool = @pool;", connection);
        command.Parameters.AddWithValue("pool", pool);
        await using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync()) return new Lease(null, 0, default, false);
        var live = reader.GetBoolean(3);
        return new Lease(live && !reader.IsDBNull(0) ? reader.GetString(0) : null, reader.GetInt64(1), reader.GetDateTime(2).ToUniversalTime(), live);
    }

    private static async Task<long> ScalarAsync(string connectionString, string sql, string pool)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("pool", pool);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    /// <summary>The intents and attempts written or changed since <paramref name="since"/>, one line each, for failure messages.</summary>
    private static async Task<string> JournalSinceAsync(string connectionString, DateTime since)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT i.id, i.keeper, i.key, i.kind, i.pool, i.status, coalesce(i.reason, ''), a.nonce, a.tx_hash, a.status, a.broadcast_at
            FROM intents i LEFT JOIN attempts a ON a.intent_id = i.id
            WHERE i.updated_at > @since OR i.created_at > @since OR a.written_at > @since ORDER BY i.id, a.id;
            """, connection);
        command.Parameters.AddWithValue("since", since.AddSeconds(-5));
        await using var reader = await command.ExecuteReaderAsync();
        var lines = new List<string>();
        while (await reader.ReadAsync())
        {
            var values = new object[reader.FieldCount];
            reader.GetValues(values);
            lines.Add(string.Join(" | ", values.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture))));
        }
        return string.Join("\n", lines);
    }

    private static async Task<long> CountAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    private async Task WaitForNothingInFlightAsync(string connectionString)
    {
        var watch = Stopwatch.StartNew();
        while (await CountAsync(connectionString, "SELECT count(*) FROM intents WHERE status IN ('pending', 'sent');") > 0)
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), "intents still in flight 30 s after the last round");
            await Task.Delay(100);
        }
        await Task.Delay(2 * BlockIntervalMilliseconds);
    }

    /// <summary>The keepers whose intents for the pool were mined in this round (one, unless something was sent twice).</summary>
    private static async Task<List<string>> MinedSendersThisRoundAsync(string connectionString, string pool, DateTime roundStarted)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT i.keeper FROM intents i JOIN outcomes o ON o.intent_id = i.id WHERE i.pool = @pool AND i.status = 'mined' AND i.created_at > @since;", connection);
        command.Parameters.AddWithValue("pool", pool);
        command.Parameters.AddWithValue("since", roundStarted);
        var senders = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) senders.Add(reader.GetString(0));
        return senders;
    }

    private static Task<long> UnfinishedAsync(string connectionString, string pool) =>
        ScalarAsync(connectionString, "SELECT count(*) FROM intents WHERE pool = @pool AND status IN ('pending', 'sent');", pool);

    /// <summary>When the new holder took the lease, and its first act for the pool after the kill: a broadcast (its own rebalance, or the dead keeper's journaled bytes again) or the dead keeper's receipt recorded.</summary>
    private static async Task<(DateTime LeaseSince, DateTime FirstAct)> FailoverMomentsAsync(string connectionString, string pool, DateTime killedAt, string round)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT (SELECT since FROM pool_leases WHERE pool = @pool),
                   (SELECT min(t) FROM (
                        SELECT a.broadcast_at AS t FROM attempts a JOIN intents i ON i.id = a.intent_id WHERE i.pool = @pool AND a.broadcast_at > @killed
                        UNION ALL
                        SELECT o.recorded_at FROM outcomes o JOIN intents i ON i.id = o.intent_id WHERE i.pool = @pool AND o.recorded_at > @killed) acts);
            """, connection);
        command.Parameters.AddWithValue("pool", pool);
        command.Parameters.AddWithValue("killed", killedAt);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        if (reader.IsDBNull(1))
        {
            await reader.DisposeAsync();
            Assert.Fail($"{round}: no broadcast or recorded receipt for {pool} after the kill; the journal since 20 s before it:\n{await JournalSinceAsync(connectionString, killedAt.AddSeconds(-15))}");
        }
        return (reader.GetDateTime(0).ToUniversalTime(), reader.GetDateTime(1).ToUniversalTime());
    }

    /// <summary>Every mined intent of the pool is one Repositioned on chain: same count, and each outcome's receipt is on chain in the block the journal says, succeeded.</summary>
    private async Task AssertJournalMatchesChainAsync(string connectionString, ManagedPool pool, int onChain)
    {
        var outcomes = new List<(string Hash, long Block)>();
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT o.tx_hash, o.block_number FROM outcomes o JOIN intents i ON i.id = o.intent_id WHERE i.pool = @pool AND i.status = 'mined';", connection);
            command.Parameters.AddWithValue("pool", pool.Address.ToLowerHex());
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) outcomes.Add((reader.GetString(0), reader.GetInt64(1)));
        }
        Assert.Equal(onChain, outcomes.Count);
        foreach (var (hash, block) in outcomes)
        {
            var receipt = await Eth.GetTransactionReceiptAsync(hash);
            Assert.True(receipt is { Succeeded: true }, $"{hash} is journaled as mined but is not a successful receipt on chain");
            Assert.Equal(block, receipt!.BlockNumber);
        }
    }

    /// <summary>Over every round: each journaled attempt that was mined is a distinct (account, nonce) on chain.</summary>
    private async Task AssertNoNonceUsedTwiceAsync(string connectionString)
    {
        var hashes = new List<string>();
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT tx_hash FROM outcomes;", connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) hashes.Add(reader.GetString(0));
        }
        var used = new List<(string From, string Nonce)>();
        foreach (var hash in hashes)
        {
            var tx = await Node.Rpc.CallAsync("eth_getTransactionByHash", [hash]);
            used.Add((tx.GetProperty("from").GetString()!.ToLowerInvariant(), tx.GetProperty("nonce").GetString()!));
        }
        Assert.Equal(used.Count, used.Distinct().Count());
    }

    /// <summary>The first of <paramref name="keepers"/> to die within <paramref name="limit"/> (or null), and the last moment all were seen alive: the death is after it.</summary>
    private static async Task<(KeeperProcess? Dead, DateTime LastSeenAlive)> FirstDeathAsync(IEnumerable<KeeperProcess> keepers, TimeSpan limit)
    {
        var watch = Stopwatch.StartNew();
        var lastSeenAlive = DateTime.UtcNow;
        while (watch.Elapsed < limit)
        {
            var now = DateTime.UtcNow;
            if (keepers.FirstOrDefault(k => k.HasExited) is { } dead)
            {
                dead.DrainOutput(); // its last line ("crashing at …") may still be in the pipe
                return (dead, lastSeenAlive);
            }
            lastSeenAlive = now;
            await Task.Delay(10);
        }
        return (null, lastSeenAlive);
    }

    /// <summary>Every keeper is seen, holds at least one pool, and every pool has a live holder; then a few polls for hand-backs to settle.</summary>
    private static async Task WaitForStableFleetAsync(string connectionString, IEnumerable<string> keepers)
    {
        var expected = keepers.ToHashSet();
        var watch = Stopwatch.StartNew();
        (string Assignment, Stopwatch Watch) unchangedSince = ("", Stopwatch.StartNew());
        while (true)
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT pool, holder FROM pool_leases WHERE expires_at > now() AND holder IS NOT NULL ORDER BY pool;", connection);
            var holders = new List<string>();
            var assignment = new List<string>();
            await using (var reader = await command.ExecuteReaderAsync())
                while (await reader.ReadAsync())
                {
                    holders.Add(reader.GetString(1));
                    assignment.Add(reader.GetString(0) + "=" + reader.GetString(1));
                }
            var current = string.Join(",", assignment);
            if (holders.Count == TreasuryDeployer.MaxPoolsPerVault && expected.SetEquals(holders.ToHashSet()))
            {
                // and no pool has changed keeper for half a second (ten polls): the hand-backs are done
                if (current == unchangedSince.Assignment && unchangedSince.Watch.Elapsed > TimeSpan.FromMilliseconds(500)) break;
                if (current != unchangedSince.Assignment) unchangedSince = (current, Stopwatch.StartNew());
            }
            if (watch.Elapsed > TimeSpan.FromSeconds(30))
                throw new TimeoutException($"the fleet did not spread the pools over {string.Join(", ", expected)} within 30 s; live holders: {string.Join(", ", holders)}");
            await Task.Delay(50);
        }
    }

    private static double Percentile(List<double> sorted, double q) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)];

    private static string Printable(string output) => new(output.Where(c => c == '\n' || !char.IsControl(c)).ToArray());
}
