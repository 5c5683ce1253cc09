using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TreasuryManager.Ethereum.JsonRpc;
using TreasuryManager.Keeper.Configuration;
using TreasuryManager.Keeper.Journal;

namespace TreasuryManager.Keeper.Hosting;

/// <summary>
/// The bot, as a hosted service: one cycle per new block (polled every Cycle:PollIntervalMilliseconds; each poll is
/// the cycle's one batched read). On SIGTERM / Ctrl-C the host cancels the token: a cycle between steps stops at
/// once; a transaction in flight is already journaled (signed bytes before broadcast), so the next start recovers
/// it. A cycle that fails as a whole (node unreachable, a journal write refused) is logged and counted, and the next poll tries again.
/// </summary>
public sealed class KeeperService(KeeperRuntime runtime, TreasurySettings settings, KeeperMetrics metrics, ILogger<KeeperService> log, TimeProvider time)
    : BackgroundService
{
    /// <summary>Cycles that ran (a new block); for tests and the benchmark.</summary>
    public int CyclesRun { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        log.LogInformation("Keeper started: {Pools} pool(s) on {Url} (chain {Chain}), vault {Vault}",
            runtime.Cycle.Observer.Pools.Count, settings.Rpc.Url, settings.Rpc.ChainId, settings.Vault);
        var interval = TimeSpan.FromMilliseconds(settings.Cycle.PollIntervalMilliseconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var report = await runtime.Cycle.RunOnceAsync(act: true, ct: stoppingToken).ConfigureAwait(false);
                if (report is not null)
                {
                    CyclesRun++;
                    // each hold with its reason, so a keeper that never acts says why in its log (status gives the detail)
                    var holds = report.Holds.ToList();
                    log.LogInformation("Cycle at block {Block}: {Plans} plan(s), {Holds} hold(s){HoldReasons}, {Outcomes} sent, {Ms:0.0} ms, {Trips} read round trip(s)",
                        report.Block, report.Plans.Count(), holds.Count, holds.Count == 0 ? "" : $" ({string.Join(", ", holds.Select(h => $"{h.Label}: {h.Reason}"))})",
                        report.Outcomes.Count, report.Elapsed.TotalMilliseconds, report.ReadRoundTrips);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is RpcException or JournalWriteException)
            {
                // a failed journal write stops the cycle before anything unjournaled is broadcast; the next poll retries
                metrics.CycleErrors.WithLabels(e.GetType().Name).Inc();
                log.LogError("Cycle failed: {Message}", e.Message);
            }
            catch (Journal.FencingTokenRejectedException refusal)
            {
                // a write for a pool whose lease this keeper lost (outside the rebalance batch, which handles it itself):
                // nothing was journaled or sent; the lease is forgotten and the nonces taken for it read again
                runtime.Fleet?.Refused(refusal);
                runtime.Executor?.ResynchroniseNonce();
                log.LogWarning("{Message}", refusal.Message);
            }
            catch (Npgsql.NpgsqlException e)
            {
                // the fleet's journal is unreachable: nothing can be journaled, so nothing is sent; the leases run out
                metrics.CycleErrors.WithLabels("JournalUnreachable").Inc();
                log.LogError("Cycle failed: the journal {Journal} is unreachable: {Message}", runtime.Journal?.Location, e.Message);
            }
            try
            {
                await Task.Delay(interval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        if (runtime.Fleet is { } fleet)
        {
            var released = fleet.ReleaseAll(); // SIGTERM: the other keepers take the pools on their next poll, not after a lease's time to live
            log.LogInformation("Handed back {Count} pool lease(s) to the fleet", released);
        }
        log.LogInformation("Keeper stopping; unfinished intents stay in the journal {Journal} and are recovered on the next start", runtime.Journal?.Location ?? settings.Journal);
    }
}
