using Prometheus;
using TreasuryManager.Strategy.Settings;

namespace TreasuryManager.Keeper.Hosting;

/// <summary>
/// The keeper's Prometheus metrics, in their own registry (so tests and several keepers in one process do not
/// share counters): cycle latency, plans, holds by reason, transactions sent / replaced / failed, gas spent,
/// inventory per pool, RPC faults by kind and failed journal writes. Served by <see cref="StartServer"/> on 127.0.0.1 only.
/// </summary>
public sealed class KeeperMetrics
{
    public KeeperMetrics()
    {
        Registry = Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(Registry);
        CycleSeconds = factory.CreateHistogram("treasury_keeper_cycle_seconds", "Duration of one Observe→Record cycle.",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.001, 2, 16) });
        Cycles = factory.CreateCounter("treasury_keeper_cycles_total", "Cycles run (a new block observed).");
        Plans = factory.CreateCounter("treasury_keeper_plans_total", "Rebalance plans made.", "pool");
        Holds = factory.CreateCounter("treasury_keeper_holds_total", "Holds by pool and reason.", "pool", "reason");
        TransactionsSent = factory.CreateCounter("treasury_keeper_transactions_sent_total", "Transactions broadcast (every attempt: first sends, replacements, rebroadcasts after a restart).", "kind");
        TransactionsReplaced = factory.CreateCounter("treasury_keeper_transactions_replaced_total", "Replacement attempts (same nonce, bumped fees) of transactions that became final.", "kind");
        TransactionsFailed = factory.CreateCounter("treasury_keeper_transactions_failed_total", "Transactions final without success (reverted, refused, superseded).", "kind");
        TransactionsMined = factory.CreateCounter("treasury_keeper_transactions_mined_total", "Transactions mined successfully.", "kind");
        GasSpent = factory.CreateCounter("treasury_keeper_gas_spent_wei_total", "Wei spent on gas by mined transactions.");
        Inventory = factory.CreateGauge("treasury_keeper_inventory_base", "Inventory q (base tokens above target) per pool.", "pool");
        BaseShare = factory.CreateGauge("treasury_keeper_base_share_bps", "Base share of the pool's value at the oracle price, bps.", "pool");
        RpcFaults = factory.CreateCounter("treasury_keeper_rpc_faults_total", "JSON-RPC faults seen (retried reads and failures) by kind.", "kind");
        HedgeTrades = factory.CreateCounter("treasury_keeper_hedge_trades_total", "Hedge adjustments (vault.adjustHedge) sent and mined, by pool and whether urgent (the treasury limit).", "pool", "urgent");
        HedgeHolds = factory.CreateCounter("treasury_keeper_hedge_holds_total", "Hedge decisions that sent nothing, by pool and reason.", "pool", "reason");
        NetDelta = factory.CreateGauge("treasury_keeper_net_delta_base", "Net delta per hedged pool: x(P) at the oracle price + the hedge position, base tokens (after this cycle's hedge).", "pool");
        TokenNetDelta = factory.CreateGauge("treasury_keeper_token_net_delta_base", "Treasury net delta per base token: Σ pools' x(P) + Σ hedge positions, base tokens.", "token");
        TokenValueAtRisk = factory.CreateGauge("treasury_keeper_token_value_at_risk_quote", "z·σ·P·|net|·√H per base token, quote.", "token");
        RiskBreaches = factory.CreateCounter("treasury_keeper_risk_breaches_total", "Cycles a token stayed past its MaxNetDelta after every hedge its markets allow.", "token");
        NonceResyncs = factory.CreateCounter("treasury_keeper_nonce_resyncs_total", "Times the executor dropped its held nonce and read the account's again (a nonce taken elsewhere, a refused send).");
        PendingTransactionBlocks = factory.CreateGauge("treasury_keeper_pending_transaction_blocks", "Blocks the oldest broadcast, unconfirmed transaction of the journal has waited (0: none in flight).");
        JournalWriteFailures = factory.CreateCounter("treasury_keeper_journal_write_failures_total", "Journal writes that failed: SQLite (disk full, I/O error, a locked or read-only file) or PostgreSQL (unreachable, the connection dropped, a statement timed out). The cycle stops before anything unjournaled is broadcast and retries on the next poll.");
        LeasesHeld = factory.CreateGauge("treasury_keeper_leases_held", "Pools this keeper of the fleet holds a live lease on and may act for (PostgreSQL journal only).");
        LeaseRenewals = factory.CreateCounter("treasury_keeper_lease_renewals_total", "Pool leases renewed (once per held pool per cycle, and every quarter of a lease's time to live while a cycle waits on the chain).");
        LeaseTakeovers = factory.CreateCounter("treasury_keeper_lease_takeovers_total", "Pool leases taken that another keeper held before (a failover after its lease expired, or a hand-back).");
        FencingRefusals = factory.CreateCounter("treasury_keeper_fencing_refusals_total", "Journal writes refused because the keeper's lease token was stale or its lease expired (nothing was sent).");
        CycleErrors = factory.CreateCounter("treasury_keeper_cycle_errors_total", "Cycles that failed as a whole (the node unreachable…).", "kind");
    }

    public CollectorRegistry Registry { get; }
    public Histogram CycleSeconds { get; }
    public Counter Cycles { get; }
    public Counter Plans { get; }
    public Counter Holds { get; }
    public Counter TransactionsSent { get; }
    public Counter TransactionsReplaced { get; }
    public Counter TransactionsFailed { get; }
    public Counter TransactionsMined { get; }
    public Counter GasSpent { get; }
    public Gauge Inventory { get; }
    public Gauge BaseShare { get; }
    public Counter RpcFaults { get; }
    public Counter NonceResyncs { get; }
    public Gauge PendingTransactionBlocks { get; }
    public Counter CycleErrors { get; }
    public Counter JournalWriteFailures { get; }
    public Gauge LeasesHeld { get; }
    public Counter LeaseRenewals { get; }
    public Counter LeaseTakeovers { get; }
    public Counter FencingRefusals { get; }
    public Counter HedgeTrades { get; }
    public Counter HedgeHolds { get; }
    public Gauge NetDelta { get; }
    public Gauge TokenNetDelta { get; }
    public Gauge TokenValueAtRisk { get; }
    public Counter RiskBreaches { get; }

    /// <summary>The metrics in Prometheus text format (what the server serves).</summary>
    public async Task<string> ExportAsync(CancellationToken ct = default)
    {
        using var buffer = new MemoryStream();
        await Registry.CollectAndExportAsTextAsync(buffer, ct).ConfigureAwait(false);
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Serves /metrics on http://127.0.0.1:<paramref name="port"/>/ (loopback only). Dispose to stop.</summary>
    public IMetricServer StartServer(int port)
    {
        var server = new MetricServer("127.0.0.1", port, "metrics/", Registry);
        try
        {
            return server.Start();
        }
        catch (System.Net.HttpListenerException e)
        {
            throw new SettingsException("Metrics:Port", $"{port}: metrics cannot be served on 127.0.0.1:{port} ({e.Message}); choose a free port, or 0 to serve none");
        }
    }
}
