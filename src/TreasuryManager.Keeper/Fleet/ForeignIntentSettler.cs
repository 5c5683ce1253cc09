using Microsoft.Extensions.Logging;
using TreasuryManager.Ethereum;
using TreasuryManager.Ethereum.Encoding;
using TreasuryManager.Ethereum.JsonRpc;
using TreasuryManager.Keeper.Journal;

namespace TreasuryManager.Keeper.Fleet;

/// <summary>
/// Settles what a pool's previous holder left in flight, before the new holder plans for the pool: its journaled
/// intents are reconciled with the chain exactly as the executor's recovery reconciles its own — a mined attempt's
/// receipt is recorded; a nonce the previous keeper's account has moved past supersedes the intent; otherwise the
/// latest attempt's journaled bytes are broadcast again, unchanged (they are signed by the previous keeper's key: the
/// same transaction, never a second one). An intent with nothing signed is superseded (its keeper died before signing;
/// the new holder plans afresh). So a keeper killed after signing, after broadcasting or before recording its receipt
/// loses nothing and nothing is sent twice. Runs only for pools whose lease this keeper holds: the previous holder's
/// own journal writes for them are fenced off.
/// </summary>
public sealed class ForeignIntentSettler(EthClient eth, PostgresJournal journal, ILogger log)
{
    /// <summary>Settles the foreign intents on <paramref name="pools"/>; returns the pools that still have one in flight (not to be planned for this cycle).</summary>
    public async Task<IReadOnlySet<Address>> SettleAsync(IReadOnlyCollection<Address> pools, CancellationToken ct)
    {
        var stillInFlight = new HashSet<Address>();
        foreach (var (intent, keeper, sender) in journal.ForeignUnfinishedIntents(pools))
        {
            var live = journal.Attempts(intent.Id).Where(a => a.Status is AttemptStatus.Signed or AttemptStatus.Broadcast).ToArray();
            if (live.Length == 0)
            {
                journal.FinishIntent(intent.Id, IntentStatus.Superseded, $"keeper '{keeper}' lost the pool's lease before signing it; the new holder '{journal.Keeper}' plans afresh");
                log.LogInformation("Superseded {Key} of keeper {Keeper}: nothing was signed", intent.Key, keeper);
                continue;
            }
            if (await ReceiptAsync(live, ct).ConfigureAwait(false) is { } mined)
            {
                journal.RecordOutcome(intent.Id, mined);
                log.LogInformation("Recorded {Key} of keeper {Keeper}: mined in block {Block}", intent.Key, keeper, mined.BlockNumber);
                continue;
            }
            if (sender is { } account && await eth.GetTransactionCountAsync(account, BlockTag.Latest, ct).ConfigureAwait(false) > live.Max(a => a.Nonce))
            {
                // the nonce was used; read the receipts once more (a node may serve the nonce before the receipt)
                await Task.Delay(200, ct).ConfigureAwait(false);
                if (await ReceiptAsync(live, ct).ConfigureAwait(false) is { } late) journal.RecordOutcome(intent.Id, late);
                else journal.FinishIntent(intent.Id, IntentStatus.Superseded, $"keeper '{keeper}''s nonce {live.Max(a => a.Nonce)} was used by another transaction; it did not execute");
                continue;
            }
            var latest = live[^1];
            try
            {
                await eth.SendRawTransactionAsync(Hex.Decode(latest.RawHex), ct).ConfigureAwait(false);
                journal.MarkBroadcast(latest.Id, await eth.BlockNumberAsync(ct).ConfigureAwait(false));
                log.LogInformation("Rebroadcast the journaled bytes of {Hash} for {Key} of keeper {Keeper}", latest.Hash, intent.Key, keeper);
            }
            catch (RpcErrorException e)
            {
                log.LogInformation("The node answered the rebroadcast of {Hash} for {Key}: {Message}", latest.Hash, intent.Key, e.NodeMessage);
            }
            if (intent.Pool is { } pool) stillInFlight.Add(pool);
        }
        return stillInFlight;
    }

    private async Task<TransactionReceipt?> ReceiptAsync(IReadOnlyList<AttemptRecord> live, CancellationToken ct)
    {
        foreach (var attempt in live)
            if (await eth.GetTransactionReceiptAsync(attempt.Hash, ct).ConfigureAwait(false) is { } receipt)
                return receipt;
        return null;
    }
}
