using Microsoft.Extensions.Logging;
using TreasuryManager.Ethereum;
using TreasuryManager.Ethereum.Crypto;
using TreasuryManager.Ethereum.JsonRpc;
using TreasuryManager.Keeper.Configuration;
using TreasuryManager.Keeper.Cycle;
using TreasuryManager.Keeper.Execution;
using TreasuryManager.Keeper.Fleet;
using TreasuryManager.Keeper.Journal;

namespace TreasuryManager.Keeper.Hosting;

/// <summary>
/// Everything one keeper needs, built from validated settings: the RPC client (faults logged and counted), the
/// journal, the executor (reconciled with the chain on start), the observer and the cycle. Checks the chain id,
/// that the vault exists, that every pool is registered and that the key is one of the vault's keepers — each
/// failure a <see cref="KeeperSetupException"/> naming the fix. Dispose to close the journal and the connection.
/// </summary>
public sealed class KeeperRuntime : IDisposable
{
    private KeeperRuntime(RpcClient rpc, EthClient eth, ITransactionJournal? journal, TransactionExecutor? executor, KeeperCycle cycle, RecoveryReport? recovery, FleetMember? fleet)
    {
        Fleet = fleet;
        Rpc = rpc;
        Eth = eth;
        Journal = journal;
        Executor = executor;
        Cycle = cycle;
        Recovery = recovery;
    }

    public RpcClient Rpc { get; }
    public EthClient Eth { get; }
    public ITransactionJournal? Journal { get; }
    public TransactionExecutor? Executor { get; }
    public KeeperCycle Cycle { get; }
    public RecoveryReport? Recovery { get; }

    /// <summary>The keeper's fleet membership when the journal is PostgreSQL (leases per pool), else null.</summary>
    public FleetMember? Fleet { get; }

    /// <summary>
    /// Connects. With <paramref name="readOnly"/> (status, dry runs) no journal is opened and nothing can be sent;
    /// <paramref name="key"/> may then be null, and the Guard simulates from <paramref name="keeperAddress"/>.
    /// <paramref name="http"/> (default: the RPC client's own) lets a caller instrument the transport — the keeper
    /// benchmark counts and times every JSON-RPC request through it; the caller keeps ownership of it.
    /// </summary>
    public static async Task<KeeperRuntime> StartAsync(
        TreasurySettings settings, EthKey? key, KeeperMetrics metrics, ILoggerFactory loggers,
        bool readOnly = false, Address? keeperAddress = null, TimeProvider? time = null, Action<ExecutionPoint, AttemptRecord>? onPoint = null, HttpClient? http = null, CancellationToken ct = default)
    {
        settings.Validate();
        var log = loggers.CreateLogger("TreasuryManager.Keeper");
        var rpcLog = loggers.CreateLogger("TreasuryManager.Rpc");
        var rpc = new RpcClient(new RpcClientOptions
        {
            Endpoint = settings.Rpc.Endpoint,
            Timeout = TimeSpan.FromSeconds(settings.Rpc.TimeoutSeconds),
            OnFault = fault =>
            {
                metrics.RpcFaults.WithLabels(fault.Kind).Inc();
                if (fault.WillRetry)
                    rpcLog.LogWarning("RPC fault ({Kind}) on {Method}, attempt {Attempt}; retrying: {Message}", fault.Kind, fault.Method, fault.Attempt, fault.Error.Message);
                else
                    rpcLog.LogError("RPC fault ({Kind}) on {Method}: {Message}", fault.Kind, fault.Method, fault.Error.Message);
            },
        }, http);
        try
        {
            var eth = new EthClient(rpc);
            var chainId = await eth.ChainIdAsync(ct).ConfigureAwait(false);
            if (chainId != settings.Rpc.ChainId)
                throw new KeeperSetupException($"the node at {settings.Rpc.Url} is on chain {chainId}, but Rpc:ChainId is {settings.Rpc.ChainId}; point Rpc:Url at the right network or fix Rpc:ChainId");
            var vault = settings.VaultAddress;
            var pools = settings.Pools.Select(p => (Address.Parse(p.Address!), p.Label)).ToArray();
            var hedged = settings.Pools.Where(p => p.Hedge?.Wanted == true).Select(p => Address.Parse(p.Address!)).ToArray();
            var uniswapV3 = settings.UniswapV3ManagerAddress is { } manager
                ? new UniswapV3Pools(manager, settings.Pools.Where(p => p.Venue == PoolVenue.UniswapV3).Select(p => Address.Parse(p.Address!)).ToHashSet())
                : null;
            var observer = await ChainObserver.CreateAsync(eth, vault, pools, settings.Cycle.HistoryBlocks, ct, hedged, uniswapV3).ConfigureAwait(false);
            _ = QuotePricing.GasPerPool(settings, observer.Pools); // pools on several quote tokens each need their ETH price: refuse before opening the journal
            var simulateFrom = key?.Address ?? keeperAddress ?? default;
            if (key is not null)
            {
                var isKeeper = await new Contracts.Bindings.TreasuryVault(eth, vault).IsKeeperAsync(key.Address, ct: ct).ConfigureAwait(false);
                if (!isKeeper)
                    throw new KeeperSetupException($"the key's address {key.Address} is not a keeper of the vault {vault}; the owner must call setKeeper({key.Address}, true), or configure the keeper's key");
            }

            ITransactionJournal? journal = null;
            TransactionExecutor? executor = null;
            RecoveryReport? recovery = null;
            FleetMember? fleet = null;
            if (!readOnly)
            {
                if (key is null) throw new KeeperSetupException("no key: configure Key (a keystore or a mnemonic) to send transactions");
                if (settings.PostgresJournal is { } postgres)
                {
                    // one signing key per keeper (docs/fleet.md): the keeper's id defaults to its address
                    var postgresJournal = PostgresJournal.Open(postgres, settings.Fleet.KeeperId ?? key.Address.ToLowerHex(), time);
                    postgresJournal.WriteFailed += _ => metrics.JournalWriteFailures.Inc();
                    journal = postgresJournal;
                    fleet = new FleetMember(postgresJournal, key.Address, TimeSpan.FromSeconds(settings.Fleet.LeaseTtlSeconds), metrics,
                        loggers.CreateLogger("TreasuryManager.Fleet"), time);
                }
                else
                {
                    var sqlite = TransactionJournal.Open(settings.Journal, time, exclusive: true); // one sending process per journal
                    sqlite.WriteFailed += _ => metrics.JournalWriteFailures.Inc();
                    journal = sqlite;
                }
                try
                {
                    if (journal is PostgresJournal joined)
                    {
                        joined.RegisterKeeper(key.Address);
                        log.LogInformation("Joined the keeper fleet on {Journal} as {Keeper}", joined.Location, joined.Keeper);
                    }
                    // every broadcast (first attempts, replacements and rebroadcasts) counts as sent
                    void Point(ExecutionPoint point, AttemptRecord attempt)
                    {
                        if (point == ExecutionPoint.Broadcast) metrics.TransactionsSent.WithLabels(journal!.GetIntent(attempt.IntentId).Kind).Inc();
                        onPoint?.Invoke(point, attempt);
                    }
                    executor = await TransactionExecutor.ConnectAsync(eth, key, journal, ExecutorOptions(settings), time, Point, ct).ConfigureAwait(false);
                    recovery = await executor.RecoverAsync(ct).ConfigureAwait(false);
                    foreach (var r in recovery.Intents)
                        log.LogInformation("Recovered intent {Key}: {Action} — {Detail}", r.Key, r.Action, r.Detail);
                }
                catch
                {
                    journal.Dispose();
                    throw;
                }
            }
            var cycle = new KeeperCycle(eth, observer, settings, simulateFrom, executor, metrics, log, fleet);
            return new KeeperRuntime(rpc, eth, journal, executor, cycle, recovery, fleet);
        }
        catch
        {
            rpc.Dispose();
            throw;
        }
    }

    public static ExecutorOptions ExecutorOptions(TreasurySettings settings) =>
        settings.Gas.ToExecutorOptions(settings.Rpc.ChainId, TimeSpan.FromMilliseconds(Math.Min(500, settings.Cycle.PollIntervalMilliseconds)));

    public void Dispose()
    {
        Journal?.Dispose();
        Rpc.Dispose();
    }
}
