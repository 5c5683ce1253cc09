using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Contracts.Deployment;
using TreasuryManager.Ethereum;
using TreasuryManager.Ethereum.Encoding;
using TreasuryManager.Ethereum.JsonRpc;
using TreasuryManager.Ethereum.Wallets;
using TreasuryManager.Keeper.Configuration;
using TreasuryManager.Keeper.Cycle;
using TreasuryManager.Keeper.Execution;
using TreasuryManager.Keeper.Hosting;

namespace TreasuryManager.Benchmarks;

/// <summary>
/// The C# half of scripts/bench-keeper.sh: the real keeper (KeeperRuntime, its SQLite journal, real signed
/// transactions) against N pools in one vault on a local node. Each round pushes one or more pools' inventory
/// past the band with a trader's swap (each swap is mined by the node's automine), then times the keeper from
/// t0 — taken right after the last swap's receipt is back, i.e. when the new block is available to any client —
/// to the moment eth_sendRawTransaction of the (first and last) rebalance returns (the executor's Broadcast point).
/// Every HTTP request the keeper makes goes through a counting handler, which gives the round trips and the
/// phases (Observe batch, decide, Guard batch, fees read, sign and journal, send, journal after the send).
/// KEEPER_BENCH_TRACE=1 prints each round's requests, outcomes and plans on stderr. Prints one JSON line on stdout.
/// </summary>
public static class KeeperEndToEnd
{
    private const string Mnemonic = "test test test test test test test test test test test junk";
    private const int WarmupRounds = 3;

    public static async Task<int> RunAsync(string url, string repositoryRoot, int poolCount, int rounds, int pushedPerRound)
    {
        if (poolCount < 1) throw new ArgumentOutOfRangeException(nameof(poolCount), $"pools {poolCount} must be at least 1");
        if (rounds < 1) throw new ArgumentOutOfRangeException(nameof(rounds), $"rounds {rounds} must be at least 1");
        if (pushedPerRound < 1 || pushedPerRound > poolCount)
            throw new ArgumentOutOfRangeException(nameof(pushedPerRound), $"pushed {pushedPerRound} must lie in [1, pools = {poolCount}]");
        var wallet = HdWallet.FromMnemonic(Mnemonic);
        using var rpc = new RpcClient(new RpcClientOptions { Endpoint = new Uri(url), Timeout = TimeSpan.FromSeconds(60) });
        var eth = new EthClient(rpc);

        var deployClock = Stopwatch.StartNew();
        var d = await TreasuryDeployer.DeployAsync(eth, repositoryRoot, wallet.GetAccount, new TreasuryDeploymentSettings
        {
            PoolCount = Math.Min(poolCount, TreasuryDeployer.MaxPoolsPerVault),
            TraderBase = 100_000_000m,
            TraderQuote = 200_000_000m,
            // up to three observations (push, rebalance, restore) per 61 s round: 128 cover the 600 s TWAP window
            ObservationCardinality = 128,
        });
        if (poolCount > TreasuryDeployer.MaxPoolsPerVault) await d.AddPoolsPastTheCapAsync(poolCount);
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"deployed {poolCount} pool(s) in {deployClock.Elapsed.TotalSeconds:0.0} s"));
        // the restoring swap leaves a pool's price off the oracle's by up to ~2% until its next rebalance: a 5% TWAP
        // tolerance (the default policy's is 2%) keeps that from blocking the pool's next round
        foreach (var pool in d.Pools) await d.Vault.SetMaxTwapDeviationAsync(d.Owner, pool.Address, 500);
        await d.IncreaseTimeAsync(700); // the TWAP window (600 s) must be covered by observations

        var journalDirectory = Directory.CreateTempSubdirectory("keeper-bench-");
        var settings = new TreasurySettings
        {
            Rpc = new RpcSettings { Url = url, ChainId = await eth.ChainIdAsync(), TimeoutSeconds = 60 },
            Key = new KeySettings { MnemonicEnv = "UNUSED_IN_THE_BENCHMARK" },
            Vault = d.Vault.Address.ToString(),
            Journal = Path.Combine(journalDirectory.FullName, "journal.db"),
            Pools = d.Pools.Select((p, i) => new PoolSettings { Address = p.Address.ToString(), Name = $"pool-{i}" }).ToArray(),
            Gas = new GasSettings { Confirmations = 1, BlocksBeforeReplacement = 2, MaxBlocksToWait = 40, BaseFeeCeilingGwei = 20, MaxFeePerGasGwei = 200 },
            Cycle = new CycleSettings { PollIntervalMilliseconds = 50 },
        };

        var broadcasts = new List<long>();
        var journaled = new List<long>();
        using var counter = new CountingHandler(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
        using var http = new HttpClient(counter);
        try
        {
            using var runtime = await KeeperRuntime.StartAsync(settings, wallet.GetAccount(1), new KeeperMetrics(), NullLoggerFactory.Instance,
                onPoint: (point, _) => (point == ExecutionPoint.Broadcast ? broadcasts : journaled).Add(Stopwatch.GetTimestamp()),
                http: http);
            await runtime.Cycle.RunOnceAsync(act: true); // the first cycle reads the swap history and settles the estimators

            var samples = new List<RoundSample>();
            var misses = new List<string>();
            var notMined = 0;
            var next = 0;
            var pushes = new int[poolCount];
            for (var round = 0; round < WarmupRounds + rounds; round++)
            {
                // out of band, untimed: let the policy's minimum interval (60 s) pass, then push the pools
                // and the reporter posts the (unchanged) price, as it would within the feed's heartbeat
                await rpc.CallAsync("evm_increaseTime", [61L]);
                await d.Oracle.UpdateAsync(d.Reporter, d.Settings.OraclePrice, d.Settings.OracleVolatility);
                var pushed = new List<int>();
                for (var j = 0; j < pushedPerRound; j++)
                {
                    var p = next++ % poolCount;
                    pushed.Add(p);
                    await d.PushBaseShareAsync(d.Pools[p], target: pushes[p]++ % 2 == 0 ? 0.65 : 0.35);
                }

                broadcasts.Clear();
                journaled.Clear();
                counter.Start();
                var t0 = Stopwatch.GetTimestamp();
                var report = await runtime.Cycle.RunOnceAsync(act: true);
                var end = Stopwatch.GetTimestamp();
                var requests = counter.Stop();
                if (report is null) throw new InvalidOperationException("the keeper saw no new block after the push; is the node automining?");

                var plans = report.Plans.Count();
                // untimed: swap the pushed pools back to the 50% target, so that the next round's cycle has only its
                // own pushed pools out of band (the keeper plans an out-of-band pool again every interval)
                foreach (var p in pushed) await d.PushBaseShareAsync(d.Pools[p], target: 0.50);
                if (Environment.GetEnvironmentVariable("KEEPER_BENCH_TRACE") == "1")
                    Console.Error.WriteLine($"round {round}: pushed {string.Join(",", pushed)}; requests {string.Join(" ", requests.Select(r => r.Method))}; outcomes {string.Join(" ", report.Outcomes.Select(o => o.ToString()))}; plans {string.Join(" | ", report.Plans.Select(p => $"{p.Label}: {string.Join("; ", p.Reasons)}"))}");
                if (broadcasts.Count < pushedPerRound)
                {
                    var holds = string.Join("; ", report.Holds.Where(h => pushed.Contains(PoolIndex(d, h.Pool))).Select(h => $"{h.Label}: {h.Reason} ({h.Detail})"));
                    misses.Add($"round {round}: {broadcasts.Count} broadcast(s) for {pushedPerRound} pushed pool(s), {plans} plan(s); {holds}");
                    Console.Error.WriteLine(misses[^1]);
                    continue;
                }
                foreach (var o in report.Outcomes.Where(o => o is not ExecutionOutcome.Mined))
                {
                    notMined++;
                    Console.Error.WriteLine($"round {round}: an outcome is not Mined: {o}");
                }
                if (round < WarmupRounds) continue;
                samples.Add(RoundSample.From(t0, journaled[0], broadcasts, end, requests, report.ReadRoundTrips));
            }

            if (samples.Count == 0) throw new InvalidOperationException($"no round produced a rebalance: {string.Join(" | ", misses)}");
            var client = (await rpc.CallAsync("web3_clientVersion", [])).GetString() ?? "?";
            Console.WriteLine(Summary(client, poolCount, pushedPerRound, rounds, samples, misses.Count, notMined));
            return 0;
        }
        finally
        {
            try { journalDirectory.Delete(recursive: true); } catch (IOException) { }
        }
    }

    private static int PoolIndex(TreasuryDeployer d, Address pool)
    {
        for (var i = 0; i < d.Pools.Count; i++) if (d.Pools[i].Address == pool) return i;
        return -1;
    }

    private static double Ms(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;

    /// <summary>One timed round; the phases split the path to the first broadcast, in order.</summary>
    private sealed record RoundSample(
        double FirstBroadcastMs, double LastBroadcastMs, double SendReturnedMs, double CycleMs,
        double ObserveMs, double DecideMs, double GuardMs, double FeesReadMs, double SignJournalMs, double SendMs, double AfterSendMs,
        int ReadsBeforeSend, int Sends, int ReadsAfterSend, int CycleReadRoundTrips)
    {
        public static RoundSample From(long t0, long firstJournaled, IReadOnlyList<long> broadcasts, long end, IReadOnlyList<RequestTiming> requests, int cycleReadRoundTrips)
        {
            var first = broadcasts[0];
            var observe = requests.First(r => r.Method == "eth_getBlockByNumber");
            var guard = requests.FirstOrDefault(r => r.Method == "eth_call" && r.Start >= observe.End);
            var send = requests.First(r => r.Method == "eth_sendRawTransaction");
            var fees = requests.FirstOrDefault(r => r.Method == "eth_blockNumber" && r.End <= send.Start);
            var sends = requests.Count(r => r.Method == "eth_sendRawTransaction");
            var before = requests.Count(r => r.Method != "eth_sendRawTransaction" && r.End <= first);
            var after = requests.Count(r => r.Method != "eth_sendRawTransaction" && r.End > first);
            var afterGuard = guard?.End ?? observe.End;
            var feesMs = fees is null ? 0 : Ms(fees.Start, fees.End);
            return new RoundSample(
                Ms(t0, first), Ms(t0, broadcasts[^1]), Ms(t0, send.End), Ms(t0, end),
                Ms(t0, observe.End),
                guard is null ? 0 : Ms(observe.End, guard.Start),
                guard is null ? 0 : Ms(guard.Start, guard.End),
                feesMs,
                Ms(afterGuard, firstJournaled) - feesMs,
                Ms(send.Start, send.End),
                Ms(send.End, first),
                before, sends, after, cycleReadRoundTrips);
        }
    }

    private static string Summary(string client, int pools, int pushed, int rounds, List<RoundSample> s, int missed, int notMined)
    {
        static double P(IEnumerable<double> values, double q)
        {
            var sorted = values.OrderBy(v => v).ToArray();
            var rank = (int)Math.Ceiling(q * sorted.Length) - 1;
            return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
        }
        string Stats(string name, Func<RoundSample, double> f) => string.Create(CultureInfo.InvariantCulture,
            $"\"{name}\":{{\"p50\":{P(s.Select(f), 0.50):0.000},\"p99\":{P(s.Select(f), 0.99):0.000},\"max\":{s.Max(f):0.000}}}");
        string Median(string name, Func<RoundSample, double> f) => string.Create(CultureInfo.InvariantCulture, $"\"{name}\":{P(s.Select(f), 0.50):0.000}");
        var json = new StringBuilder("{\"case\":\"").Append(pools).Append(pools == 1 ? " pool" : " pools").Append("\",\"node\":")
            .Append(System.Text.Json.JsonSerializer.Serialize(client)).Append(',');
        json.Append(CultureInfo.InvariantCulture, $"\"pools\":{pools},\"pushed_per_round\":{pushed},\"rounds\":{s.Count},\"rounds_requested\":{rounds},\"rounds_without_rebalance\":{missed},\"outcomes_not_mined\":{notMined},");
        json.Append(Stats("block_to_broadcast_ms", r => r.FirstBroadcastMs)).Append(',');
        if (pushed > 1) json.Append(Stats("block_to_last_broadcast_ms", r => r.LastBroadcastMs)).Append(',');
        json.Append(Stats("block_to_send_returned_ms", r => r.SendReturnedMs)).Append(',');
        json.Append(Stats("read_ms", r => r.ObserveMs)).Append(',');
        json.Append("\"phase_p50_ms\":{")
            .Append(Median("observe", r => r.ObserveMs)).Append(',')
            .Append(Median("decide", r => r.DecideMs)).Append(',')
            .Append(Median("guard", r => r.GuardMs)).Append(',')
            .Append(Median("fees_read", r => r.FeesReadMs)).Append(',')
            .Append(Median("sign_journal", r => r.SignJournalMs)).Append(',')
            .Append(Median("send", r => r.SendMs)).Append(',')
            .Append(Median("journal_after_send", r => r.AfterSendMs)).Append("},");
        json.Append(CultureInfo.InvariantCulture,
            $"\"read_round_trips_before_first_send\":{P(s.Select(r => (double)r.ReadsBeforeSend), 0.5):0},\"cycle_read_round_trips\":{P(s.Select(r => (double)r.CycleReadRoundTrips), 0.5):0},");
        json.Append(CultureInfo.InvariantCulture,
            $"\"sends_per_cycle\":{P(s.Select(r => (double)r.Sends), 0.5):0},\"reads_after_sends\":{P(s.Select(r => (double)r.ReadsAfterSend), 0.5):0},");
        json.Append(Stats("cycle_ms", r => r.CycleMs)).Append('}');
        return json.ToString();
    }

    private sealed record RequestTiming(string Method, long Start, long End);

    /// <summary>Times every HTTP request and names it by its first JSON-RPC method (a batch by its first entry).</summary>
    private sealed class CountingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        private static readonly byte[] MethodKey = "\"method\":\""u8.ToArray();
        private readonly Lock _lock = new();
        private List<RequestTiming>? _log;

        public void Start() { lock (_lock) _log = []; }

        public IReadOnlyList<RequestTiming> Stop()
        {
            lock (_lock)
            {
                var log = _log ?? [];
                _log = null;
                return log;
            }
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var start = Stopwatch.GetTimestamp();
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            await response.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
            var end = Stopwatch.GetTimestamp();
            if (_log is not null && request.Content is not null)
            {
                var body = await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
                var at = body.AsSpan().IndexOf(MethodKey);
                var method = "?";
                if (at >= 0)
                {
                    var rest = body.AsSpan(at + MethodKey.Length);
                    method = Encoding.UTF8.GetString(rest[..rest.IndexOf((byte)'"')]);
                }
                lock (_lock) _log?.Add(new RequestTiming(method, start, end));
            }
            return response;
        }
    }
}
