using System.Globalization;
using System.Numerics;
using System.Text.Json;
using TreasuryManager.Ethereum;
using TreasuryManager.Ethereum.Crypto;
using TreasuryManager.Ethereum.Encoding;
using TreasuryManager.Ethereum.JsonRpc;
using TreasuryManager.Ethereum.Transactions;
using TreasuryManager.Keeper.Journal;
using TreasuryManager.Strategy.Rules;

namespace TreasuryManager.Keeper.Execution;

/// <summary>
/// The keeper's Act and Record steps for one account: lands each <see cref="TransactionIntent"/>
/// exactly once. It prices EIP-1559 fees, holds the account's nonce, signs, commits the signed
/// bytes to the <see cref="ITransactionJournal"/> before broadcasting them, waits for the receipt,
/// replaces a stuck attempt (same nonce, both fees bumped, never past the cap) and records the
/// final outcome. <see cref="RecoverAsync"/> reconciles the journal with the chain after a crash,
/// rebroadcasting the journaled bytes rather than signing anew. Executions on one executor run
/// one at a time; use one executor per account and per journal.
/// </summary>
public sealed class TransactionExecutor
{
    private readonly EthKey _key;
    private readonly TimeProvider _time;
    private readonly Action<ExecutionPoint, AttemptRecord>? _onPoint;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private long? _nextNonce;

    private TransactionExecutor(EthClient eth, EthKey key, long chainId, ITransactionJournal journal, ExecutorOptions options, TimeProvider time, Action<ExecutionPoint, AttemptRecord>? onPoint)
    {
        Eth = eth;
        _key = key;
        ChainId = chainId;
        Journal = journal;
        Options = options;
        _time = time;
        _onPoint = onPoint;
    }

    public EthClient Eth { get; }
    public long ChainId { get; }
    public ITransactionJournal Journal { get; }
    public ExecutorOptions Options { get; }
    public Address Address => _key.Address;

    /// <summary>
    /// Makes an executor after validating <paramref name="options"/> and checking the node's chain
    /// id against <see cref="ExecutorOptions.ChainId"/>. <paramref name="onPoint"/> is called at
    /// each <see cref="ExecutionPoint"/> (tests use it to crash at a named point).
    /// </summary>
    public static async Task<TransactionExecutor> ConnectAsync(
        EthClient eth, EthKey key, ITransactionJournal journal, ExecutorOptions options,
        TimeProvider? time = null, Action<ExecutionPoint, AttemptRecord>? onPoint = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(eth);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(journal);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var chainId = await eth.ChainIdAsync(ct).ConfigureAwait(false);
        if (options.ChainId is { } expected && expected != chainId)
            throw new WrongChainIdException(
                $"The node at {eth.Rpc.Endpoint} is on chain {chainId}, but ExecutorOptions.ChainId is {expected}; point the RPC URL at the right network or fix the chain id.",
                "eth_chainId", 0, $"chain {chainId}", null);
        return new TransactionExecutor(eth, key, chainId, journal, options, time ?? TimeProvider.System, onPoint);
    }

    // ================================================================ execute

    /// <summary>
    /// Lands <paramref name="intent"/> once: reuses the journaled intent with the same key (resuming
    /// its attempts, or returning its recorded outcome), else prices, signs, journals, broadcasts and
    /// waits. Never signs a second nonce for one intent while an attempt may still land.
    /// </summary>
    public Task<ExecutionOutcome> ExecuteAsync(TransactionIntent intent, CancellationToken ct = default) => ExecuteAsync(intent, null, ct);

    /// <summary>
    /// As <see cref="ExecuteAsync(TransactionIntent, CancellationToken)"/>, pricing the first attempt from
    /// <paramref name="observed"/> — the latest block and the next block's base fee, as the caller has just read them
    /// (the keeper's Observe batch reads both) — instead of reading them again: one round trip less before the send.
    /// </summary>
    public async Task<ExecutionOutcome> ExecuteAsync(TransactionIntent intent, ObservedFees? observed, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(intent);
        intent.Validate();
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var submission = await SubmitCoreAsync(intent, observed, ct).ConfigureAwait(false);
            return submission.Outcome ?? await WaitUntilFinalAsync(submission.Record, ct).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Submits several intents in order as one batch: each priced from <paramref name="observed"/>, signed with the next
    /// nonce, ALL journaled in one transaction (one fsync, before any broadcast), then broadcast one after the other.
    /// The journal's guarantees are those of <see cref="ExecuteAsync(TransactionIntent, ObservedFees?, CancellationToken)"/>:
    /// the signed bytes are committed before the broadcast, an intent's key is reused, never a second nonce while an
    /// attempt may land; <see cref="SettleAsync"/> then waits for each. An intent already journaled (finished or in flight) or
    /// deferred for gas takes the single path. When the node refuses one (or its nonce was taken), the later ones —
    /// signed but never broadcast — are marked rejected and submitted again one by one with fresh nonces, so no nonce
    /// is left as a gap.
    /// </summary>
    public async Task<IReadOnlyList<Submission>> SubmitAllAsync(IReadOnlyList<TransactionIntent> intents, ObservedFees observed, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(intents);
        foreach (var intent in intents) intent.Validate();
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var results = new Submission?[intents.Count];
            var batch = new List<(int Index, IntentRecord Record, SignedTransaction Signed)>();
            var fees = FeePolicy.Price(observed.NextBaseFeePerGas, Options.PriorityFeePerGas, Options.MaxFeePerGasCap);
            for (var i = 0; i < intents.Count; i++)
            {
                var intent = intents[i];
                var (record, _) = Journal.GetOrCreateIntent(intent.Key, intent.Kind, intent.PayloadJson(), intent.Pool);
                var fresh = !record.IsFinished && !Journal.Attempts(record.Id).Any(IsLive);
                var affordable = observed.NextBaseFeePerGas <= Options.MaxFeePerGasCap && !GasRules.WaitsForGas(intent.Urgent, observed.NextBaseFeePerGas, Options.BaseFeeCeiling);
                if (!fresh || !affordable)
                {
                    results[i] = await SubmitCoreAsync(intent, observed, ct).ConfigureAwait(false);
                    continue;
                }
                var nonce = await TakeNonceAsync(ct).ConfigureAwait(false);
                batch.Add((i, record, Sign(intent, nonce, fees)));
            }
            var attempts = Journal.AddAttempts(batch.Select(b => (b.Record.Id, b.Signed)).ToArray()); // committed before any broadcast
            foreach (var attempt in attempts) _onPoint?.Invoke(ExecutionPoint.Journaled, attempt);
            var refused = false;
            for (var k = 0; k < batch.Count; k++)
            {
                var (index, record, _) = batch[k];
                var intent = intents[index];
                var attempt = attempts[k];
                if (refused)
                {
                    // never broadcast, and its nonce follows a refused one: retire it and sign afresh
                    Journal.MarkRejected(attempt.Id, "not broadcast: an earlier transaction of the cycle's batch was refused; signed again with a fresh nonce");
                    results[index] = await SubmitCoreAsync(intent, null, ct).ConfigureAwait(false);
                    continue;
                }
                var (result, reason) = await BroadcastAsync(attempt, observed.Block, ct).ConfigureAwait(false);
                switch (result)
                {
                    case Broadcast.Accepted:
                        results[index] = new Submission(intent, record, null);
                        break;
                    case Broadcast.Ambiguous:
                        results[index] = new Submission(intent, record, new ExecutionOutcome.Unconfirmed(intent.Key, record.Id,
                            $"broadcast of {attempt.Hash} (nonce {attempt.Nonce}) failed: {reason}; the signed bytes are journaled and RecoverAsync (or executing '{intent.Key}' again) rebroadcasts them",
                            attempt.Hash));
                        break;
                    case Broadcast.NonceTooLow:
                        Journal.MarkRejected(attempt.Id, reason!);
                        ResynchroniseNonce();
                        refused = true;
                        results[index] = await SubmitCoreAsync(intent, null, ct).ConfigureAwait(false);
                        break;
                    default:
                        Journal.MarkRejected(attempt.Id, reason!);
                        Journal.FinishIntent(record.Id, IntentStatus.Failed, $"the node refused the transaction: {reason}");
                        ResynchroniseNonce(); // the nonce was not used
                        refused = true;
                        results[index] = new Submission(intent, record, new ExecutionOutcome.Failed(intent.Key, record.Id, $"the node refused {attempt.Hash}: {reason}", null));
                        break;
                }
            }
            return results.Select(r => r!).ToArray();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Waits until a submitted intent is final (replacing stuck attempts, as ExecuteAsync does); a submission that already has its outcome returns it.</summary>
    public async Task<ExecutionOutcome> SettleAsync(Submission submission, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(submission);
        if (submission.Outcome is { } done) return done;
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            return await WaitUntilFinalAsync(submission.Record, ct).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<Submission> SubmitCoreAsync(TransactionIntent intent, ObservedFees? observed, CancellationToken ct)
    {
        var (record, _) = Journal.GetOrCreateIntent(intent.Key, intent.Kind, intent.PayloadJson(), intent.Pool);
        Submission Done(ExecutionOutcome outcome) => new(intent, record, outcome);
        if (record.IsFinished) return Done(await FinishedOutcomeAsync(record, ct).ConfigureAwait(false));

        if (Journal.Attempts(record.Id).Any(IsLive))
        {
            // A previous run left this intent in flight: reconcile it with the chain first.
            var reconciled = await ReconcileAsync(record, ct).ConfigureAwait(false);
            return reconciled.Outcome is { } done ? Done(done) : new Submission(intent, record, null);
        }

        for (var tries = 0; ; tries++)
        {
            var (block, baseFee) = tries == 0 && observed is { } o ? (o.Block, o.NextBaseFeePerGas) : await ReadFeesAsync(ct).ConfigureAwait(false);
            if (baseFee > Options.MaxFeePerGasCap)
                return Done(new ExecutionOutcome.Deferred(intent.Key, record.Id,
                    $"the next block's base fee {Gwei(baseFee)} is above the cap {Gwei(Options.MaxFeePerGasCap)} (MaxFeePerGasCap); no transaction under the cap could be included — waiting{(intent.Urgent ? " even though the intent is urgent" : "")}", baseFee));
            if (GasRules.WaitsForGas(intent.Urgent, baseFee, Options.BaseFeeCeiling))
                return Done(new ExecutionOutcome.Deferred(intent.Key, record.Id,
                    $"the next block's base fee {Gwei(baseFee)} is above the ceiling {Gwei(Options.BaseFeeCeiling)} (BaseFeeCeiling) and the intent is not urgent — waiting for cheaper gas", baseFee));

            var fees = FeePolicy.Price(baseFee, Options.PriorityFeePerGas, Options.MaxFeePerGasCap);
            var nonce = await TakeNonceAsync(ct).ConfigureAwait(false);
            var attempt = SignAndJournal(record.Id, intent, nonce, fees);
            var (result, reason) = await BroadcastAsync(attempt, block, ct).ConfigureAwait(false);
            switch (result)
            {
                case Broadcast.Accepted:
                    return new Submission(intent, record, null);
                case Broadcast.NonceTooLow when tries < 2:
                    // The held nonce was stale (another sender used the account): it can never
                    // mine, so a new attempt with a fresh nonce is safe.
                    Journal.MarkRejected(attempt.Id, reason!);
                    ResynchroniseNonce();
                    continue;
                case Broadcast.Ambiguous:
                    return Done(new ExecutionOutcome.Unconfirmed(intent.Key, record.Id,
                        $"broadcast of {attempt.Hash} (nonce {attempt.Nonce}) failed: {reason}; the signed bytes are journaled and RecoverAsync (or executing '{intent.Key}' again) rebroadcasts them",
                        attempt.Hash));
                default:
                    Journal.MarkRejected(attempt.Id, reason!);
                    Journal.FinishIntent(record.Id, IntentStatus.Failed, $"the node refused the transaction: {reason}");
                    ResynchroniseNonce(); // the nonce was not used
                    return Done(new ExecutionOutcome.Failed(intent.Key, record.Id, $"the node refused {attempt.Hash}: {reason}", null));
            }
        }
    }

    private SignedTransaction Sign(TransactionIntent intent, long nonce, Fees fees) => new Eip1559Transaction
    {
        ChainId = ChainId,
        Nonce = nonce,
        MaxFeePerGas = fees.MaxFeePerGas,
        MaxPriorityFeePerGas = fees.MaxPriorityFeePerGas,
        GasLimit = intent.GasLimit,
        To = intent.To,
        Value = intent.Value,
        Data = intent.Data,
    }.Sign(_key);

    private AttemptRecord SignAndJournal(long intentId, TransactionIntent intent, long nonce, Fees fees)
    {
        var signed = Sign(intent, nonce, fees);
        var attempt = Journal.AddAttempt(intentId, signed); // committed before any broadcast
        _onPoint?.Invoke(ExecutionPoint.Journaled, attempt);
        return attempt;
    }

    /// <summary>Polls until an attempt's receipt is final, replacing stuck attempts; bounded by MaxBlocksToWait and MaxWait.</summary>
    private async Task<ExecutionOutcome> WaitUntilFinalAsync(IntentRecord intent, CancellationToken ct)
    {
        var deadline = _time.GetUtcNow() + Options.MaxWait;
        long? firstBlock = null;
        string? blocked = null;
        while (true)
        {
            var attempts = Journal.Attempts(intent.Id);
            var live = attempts.Where(IsLive).ToArray();
            if (live.Length == 0)
            {
                var current = Journal.GetIntent(intent.Id);
                if (!current.IsFinished)
                    Journal.FinishIntent(intent.Id, IntentStatus.Failed,
                        "the node refused every attempt: " + string.Join("; ", attempts.Select(a => a.Reason).Where(r => r is not null).Distinct()));
                return await FinishedOutcomeAsync(Journal.GetIntent(intent.Id), ct).ConfigureAwait(false);
            }
            var latest = live[^1];
            var state = await ReadStateAsync(live, ct).ConfigureAwait(false);
            firstBlock ??= state.Block; // this call's wait; a resumed intent gets a full MaxBlocksToWait

            var settled = Settle(intent, live, state);
            if (settled is not null) return settled;

            if (state.Receipts.Values.All(r => r is null) && latest.Status == AttemptStatus.Signed)
            {
                // Its broadcast failed ambiguously: send the same journaled bytes again.
                var (result, reason) = await BroadcastAsync(latest, state.Block, ct).ConfigureAwait(false);
                if (result is Broadcast.Rejected or Broadcast.Underpriced)
                    Journal.MarkRejected(latest.Id, reason!);
            }
            else if (state.Receipts.Values.All(r => r is null))
            {
                var sentAt = latest.BroadcastBlock ?? state.Block;
                var replacements = attempts.Count - 1;
                if (blocked is null && state.Block - sentAt >= Options.BlocksBeforeReplacement)
                {
                    if (replacements >= Options.MaxReplacements)
                        blocked = $"MaxReplacements ({Options.MaxReplacements}) reached";
                    else
                        blocked = await ReplaceAsync(intent, latest, ct).ConfigureAwait(false);
                }
            }

            if (state.Block - firstBlock >= Options.MaxBlocksToWait || _time.GetUtcNow() >= deadline)
            {
                var hash = Journal.Attempts(intent.Id).Where(IsLive).LastOrDefault()?.Hash ?? latest.Hash;
                var waited = state.Block - firstBlock;
                // the node mined nothing after the transaction's own block (an automining node mines that block as the
                // wait starts, before or after its first read): no block for a confirmation came during the wait
                var idle = waited == 0 || state.Receipts.Values.FirstOrDefault(r => r is not null) is { } receipt && receipt.BlockNumber == state.Block;
                var span = Options.MaxWait < TimeSpan.FromMinutes(1)
                    ? Options.MaxWait.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + " s"
                    : Options.MaxWait.TotalMinutes.ToString("0.#", CultureInfo.InvariantCulture) + " minutes";
                var why = waited >= Options.MaxBlocksToWait
                    ? $"not final after {waited} blocks (MaxBlocksToWait {Options.MaxBlocksToWait})"
                    : idle
                        ? $"the node mined no further block in {span} of waiting (a local node that mines only when it receives a transaction needs a block mined for each of the {Options.Confirmations} confirmation(s))"
                        : $"not final after {span} ({waited} blocks)";
                return new ExecutionOutcome.Unconfirmed(intent.Key, intent.Id,
                    why + (blocked is null ? "" : $"; {blocked}") + "; the intent stays in flight in the journal, and the keeper's next start (or executing it again) settles it", hash);
            }
            await Task.Delay(Options.PollInterval, _time, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Replaces <paramref name="latest"/> with the same nonce and bumped fees; returns why it cannot, or null.</summary>
    private async Task<string?> ReplaceAsync(IntentRecord intent, AttemptRecord latest, CancellationToken ct)
    {
        var (block, baseFee) = await ReadFeesAsync(ct).ConfigureAwait(false);
        var bump = FeePolicy.Bump(new Fees(latest.MaxFeePerGas, latest.MaxPriorityFeePerGas), baseFee, Options.PriorityFeePerGas, Options.MaxFeePerGasCap, Options.ReplacementBumpPerMille);
        if (!bump.IsPossible)
            return $"attempt {latest.Hash} is stuck at nonce {latest.Nonce}: {bump.Blocked}";
        var attempt = SignAndJournal(intent.Id, Payload(intent), latest.Nonce, bump.Fees!.Value);
        var (result, reason) = await BroadcastAsync(attempt, block, ct).ConfigureAwait(false);
        switch (result)
        {
            case Broadcast.Accepted:
            case Broadcast.Ambiguous: // stays Signed; its hash is polled with the others
                return null;
            case Broadcast.NonceTooLow:
                // An earlier attempt (or another transaction) took the nonce; the next poll tells which.
                Journal.MarkRejected(attempt.Id, reason!);
                return null;
            default:
                Journal.MarkRejected(attempt.Id, reason!);
                return $"the replacement of {latest.Hash} was refused: {reason}";
        }
    }

    /// <summary>Records a final receipt, or a nonce taken by another transaction; null while still in flight.</summary>
    private ExecutionOutcome? Settle(IntentRecord intent, IReadOnlyList<AttemptRecord> live, ChainState state)
    {
        var mined = state.Receipts.Values.FirstOrDefault(r => r is not null);
        if (mined is not null)
        {
            if (state.Block - mined.BlockNumber + 1 < Options.Confirmations) return null;
            if (_onPoint is not null && live.FirstOrDefault(a => string.Equals(a.Hash, mined.TransactionHash, StringComparison.OrdinalIgnoreCase)) is { } minedAttempt)
                _onPoint(ExecutionPoint.ReceiptRead, minedAttempt);
            var outcome = Journal.RecordOutcome(intent.Id, mined);
            var count = Journal.Attempts(intent.Id).Count;
            return mined.Succeeded
                ? new ExecutionOutcome.Mined(intent.Key, intent.Id, outcome, mined, count)
                : new ExecutionOutcome.Failed(intent.Key, intent.Id, $"transaction {mined.TransactionHash} was mined in block {mined.BlockNumber} but reverted", mined);
        }
        var nonce = live.Max(a => a.Nonce);
        if (state.LatestNonce > nonce)
        {
            // The receipts were read after the nonce: had one of ours taken it, its receipt would be here.
            var reason = $"nonce {nonce} was used by a transaction that is none of this intent's {live.Count} live attempt(s); the intent did not execute — plan it again under a new key";
            Journal.FinishIntent(intent.Id, IntentStatus.Superseded, reason);
            _nextNonce = null;
            return new ExecutionOutcome.Failed(intent.Key, intent.Id, reason, null);
        }
        return null;
    }

    // ================================================================ recovery

    /// <summary>
    /// Reconciles every unfinished intent in the journal with the chain, as on start after a crash:
    /// a mined attempt's receipt is recorded; a nonce taken by something else supersedes the
    /// intent; otherwise the latest attempt's journaled bytes are rebroadcast unchanged (never
    /// re-signed). Intents with nothing signed stay pending. Then the held nonce is resynchronised.
    /// </summary>
    public async Task<RecoveryReport> RecoverAsync(CancellationToken ct = default)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var results = new List<RecoveredIntent>();
            foreach (var intent in Journal.UnfinishedIntents())
                results.Add(await ReconcileAsync(intent, ct).ConfigureAwait(false));
            _nextNonce = null;
            return new RecoveryReport(results);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<RecoveredIntent> ReconcileAsync(IntentRecord intent, CancellationToken ct)
    {
        var live = Journal.Attempts(intent.Id).Where(IsLive).ToArray();
        if (live.Length == 0)
            return new RecoveredIntent(intent.Key, intent.Id, RecoveryAction.NotSent, "nothing was signed for it; the next execution of its key signs it", null);
        var state = await ReadStateAsync(live, ct).ConfigureAwait(false);
        var outcome = Settle(intent, live, state);
        if (outcome is not null)
            return new RecoveredIntent(intent.Key, intent.Id, outcome switch
            {
                ExecutionOutcome.Mined => RecoveryAction.Mined,
                ExecutionOutcome.Failed { Receipt: not null } => RecoveryAction.Failed,
                _ => RecoveryAction.Superseded,
            }, Reason(outcome), outcome);
        if (state.Receipts.Values.Any(r => r is not null))
            return new RecoveredIntent(intent.Key, intent.Id, RecoveryAction.InFlight, "mined; waiting for confirmations", null);

        // Not mined and its nonce is free: make sure the node holds the latest attempt's very bytes.
        var latest = live[^1];
        var (result, reason) = await BroadcastAsync(latest, state.Block, ct).ConfigureAwait(false);
        switch (result)
        {
            case Broadcast.Accepted:
                return new RecoveredIntent(intent.Key, intent.Id, RecoveryAction.Rebroadcast, $"rebroadcast the journaled bytes of {latest.Hash} (nonce {latest.Nonce})", null);
            case Broadcast.NonceTooLow:
            {
                // The nonce went between our read and the send: look again.
                var again = await ReadStateAsync(live, ct).ConfigureAwait(false);
                var settled = Settle(intent, live, again);
                return settled is null
                    ? new RecoveredIntent(intent.Key, intent.Id, RecoveryAction.InFlight, $"the node says nonce {latest.Nonce} is used; its receipt is not final yet", null)
                    : new RecoveredIntent(intent.Key, intent.Id, settled is ExecutionOutcome.Mined ? RecoveryAction.Mined : RecoveryAction.Superseded, Reason(settled), settled);
            }
            case Broadcast.Underpriced:
                return new RecoveredIntent(intent.Key, intent.Id, RecoveryAction.InFlight, $"another transaction with nonce {latest.Nonce} is pending with higher fees ({reason})", null);
            case Broadcast.Ambiguous:
                throw new NodeUnreachableException(
                    $"recovery could not rebroadcast {latest.Hash} for intent '{intent.Key}': {reason}; the journal is unchanged — start again once the node answers.",
                    "eth_sendRawTransaction", Eth.Rpc.Endpoint);
            default:
                Journal.MarkRejected(latest.Id, reason!);
                if (!Journal.Attempts(intent.Id).Any(IsLive))
                    Journal.FinishIntent(intent.Id, IntentStatus.Failed, $"the node refused the journaled transaction {latest.Hash}: {reason}");
                return new RecoveredIntent(intent.Key, intent.Id, RecoveryAction.Failed, $"the node refused the journaled transaction {latest.Hash}: {reason}", null);
        }
    }

    private static string Reason(ExecutionOutcome outcome) => outcome switch
    {
        ExecutionOutcome.Mined m => $"mined in block {m.Outcome.BlockNumber} ({m.Outcome.TransactionHash})",
        ExecutionOutcome.Failed f => f.Reason,
        ExecutionOutcome.Deferred d => d.Reason,
        ExecutionOutcome.Unconfirmed u => u.Reason,
        _ => outcome.ToString(),
    };

    // ================================================================ nonces

    /// <summary>
    /// The next nonce, held by the executor: first read as the larger of the account's pending
    /// count and one past the journal's highest live attempt, then counted up locally.
    /// </summary>
    private async Task<long> TakeNonceAsync(CancellationToken ct)
    {
        if (_nextNonce is null)
        {
            var pending = await Eth.GetTransactionCountAsync(Address, BlockTag.Pending, ct).ConfigureAwait(false);
            var journaled = Journal.HighestLiveNonce() is { } n ? n + 1 : 0;
            _nextNonce = Math.Max(pending, journaled);
        }
        return _nextNonce++.Value;
    }

    /// <summary>Forgets the held nonce; the next intent reads it again (after "nonce too low", or a refused send).</summary>
    public void ResynchroniseNonce()
    {
        _nextNonce = null;
        NonceResyncs++;
    }

    /// <summary>How many times the held nonce was dropped to be read again (for the keeper's metrics).</summary>
    public long NonceResyncs { get; private set; }

    // ================================================================ chain I/O

    private enum Broadcast { Accepted, NonceTooLow, Underpriced, Rejected, Ambiguous }

    private async Task<(Broadcast Result, string? Reason)> BroadcastAsync(AttemptRecord attempt, long block, CancellationToken ct)
    {
        try
        {
            await Eth.SendRawTransactionAsync(Hex.Decode(attempt.RawHex), ct).ConfigureAwait(false);
        }
        catch (NonceTooLowException e) { return (Broadcast.NonceTooLow, e.NodeMessage); }
        catch (ReplacementUnderpricedException e) { return (Broadcast.Underpriced, e.NodeMessage); }
        catch (ExecutionRevertedException)
        {
            // Hardhat's automine mines a reverting transaction and reports the revert: the receipt tells.
        }
        catch (RpcErrorException e) when (IsAlreadyKnown(e.NodeMessage)) { }
        catch (RpcErrorException e) { return (Broadcast.Rejected, e.NodeMessage); }
        catch (RpcException e) { return (Broadcast.Ambiguous, e.Message); } // unreachable, timeout, HTTP error: it may or may not have arrived
        Journal.MarkBroadcast(attempt.Id, block);
        _onPoint?.Invoke(ExecutionPoint.Broadcast, Journal.GetAttempt(attempt.Id));
        return (Broadcast.Accepted, null);
    }

    internal static bool IsAlreadyKnown(string nodeMessage)
    {
        var lower = nodeMessage.ToLowerInvariant();
        return lower.Contains("already known", StringComparison.Ordinal)
            || lower.Contains("known transaction", StringComparison.Ordinal)
            || lower.Contains("already imported", StringComparison.Ordinal)
            || lower.Contains("already in the mempool", StringComparison.Ordinal)
            || lower.Contains("already exists", StringComparison.Ordinal);
    }

    private sealed record ChainState(long Block, long LatestNonce, IReadOnlyDictionary<string, TransactionReceipt?> Receipts);

    /// <summary>
    /// One batch: the latest nonce, then each live attempt's receipt, then the block number (so a receipt is never
    /// newer than the block). When the nonce is past every live attempt's and no receipt came back — the sign
    /// <see cref="Settle"/> reads as "another transaction took the nonce" — the receipts are read again, one poll
    /// interval apart (up to <see cref="SupersededConfirmations"/> times), before that is believed: a node may serve a
    /// just-mined transaction's nonce before its receipt (anvil's automine does, a few times in a hundred, for some
    /// milliseconds), and taking that for a superseded intent would report a mined transaction as never executed.
    /// </summary>
    private async Task<ChainState> ReadStateAsync(IReadOnlyList<AttemptRecord> live, CancellationToken ct)
    {
        var list = live.Select(a => a.Hash).ToArray();
        var requests = new List<RpcRequest> { new("eth_getTransactionCount", Address.ToLowerHex(), "latest") };
        requests.AddRange(list.Select(h => new RpcRequest("eth_getTransactionReceipt", h)));
        requests.Add(new RpcRequest("eth_blockNumber"));
        var responses = await Eth.Rpc.BatchAsync(requests, ct).ConfigureAwait(false);
        var nonce = Quantity.DecodeLong(responses[0].GetResult().GetString()!, "nonce");
        var receipts = ReadReceipts(list, responses, 1);
        var block = Quantity.DecodeLong(responses[^1].GetResult().GetString()!, "block number");
        var highest = live.Count == 0 ? long.MaxValue : live.Max(a => a.Nonce);
        for (var i = 0; i < SupersededConfirmations && nonce > highest && receipts.Values.All(r => r is null); i++)
        {
            await Task.Delay(Options.PollInterval, _time, ct).ConfigureAwait(false);
            var again = await Eth.Rpc.BatchAsync(
                [.. list.Select(h => new RpcRequest("eth_getTransactionReceipt", h)), new RpcRequest("eth_blockNumber")], ct).ConfigureAwait(false);
            receipts = ReadReceipts(list, again, 0);
            block = Math.Max(block, Quantity.DecodeLong(again[^1].GetResult().GetString()!, "block number"));
        }
        return new ChainState(block, nonce, receipts);
    }

    /// <summary>How many times a nonce past every live attempt's, without a receipt, is checked again before the intent counts as superseded.</summary>
    private const int SupersededConfirmations = 3;

    private static Dictionary<string, TransactionReceipt?> ReadReceipts(string[] hashes, IReadOnlyList<RpcResponse> responses, int first)
    {
        var receipts = new Dictionary<string, TransactionReceipt?>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < hashes.Length; i++)
        {
            var result = responses[first + i].GetResult();
            receipts[hashes[i]] = result.ValueKind == JsonValueKind.Null ? null : TransactionReceipt.FromJson(result);
        }
        return receipts;
    }

    /// <summary>The latest block and the next block's base fee (eth_feeHistory's last entry), in one batch.</summary>
    private async Task<(long Block, BigInteger NextBaseFee)> ReadFeesAsync(CancellationToken ct)
    {
        var responses = await Eth.Rpc.BatchAsync(
            [new RpcRequest("eth_blockNumber"), new RpcRequest("eth_feeHistory", "0x1", "latest", Array.Empty<double>())], ct).ConfigureAwait(false);
        var block = Quantity.DecodeLong(responses[0].GetResult().GetString()!, "block number");
        var baseFees = responses[1].GetResult().GetProperty("baseFeePerGas").EnumerateArray().ToArray();
        if (baseFees.Length == 0)
            throw new RpcException($"eth_feeHistory at {Eth.Rpc.Endpoint} returned no base fees; the node must support EIP-1559 (London or later).", "eth_feeHistory");
        return (block, Quantity.Decode(baseFees[^1].GetString()!, "base fee"));
    }

    private async Task<ExecutionOutcome> FinishedOutcomeAsync(IntentRecord intent, CancellationToken ct)
    {
        var outcome = Journal.Outcome(intent.Id);
        TransactionReceipt? receipt = null;
        if (outcome is not null)
            receipt = await Eth.GetTransactionReceiptAsync(outcome.TransactionHash, ct).ConfigureAwait(false);
        return intent.Status switch
        {
            IntentStatus.Mined => new ExecutionOutcome.Mined(intent.Key, intent.Id, outcome!, receipt, Journal.Attempts(intent.Id).Count),
            _ => new ExecutionOutcome.Failed(intent.Key, intent.Id, intent.Reason ?? $"the intent is {intent.Status}", receipt),
        };
    }

    private static bool IsLive(AttemptRecord attempt) => attempt.Status is AttemptStatus.Signed or AttemptStatus.Broadcast;

    private static TransactionIntent Payload(IntentRecord intent)
    {
        using var json = JsonDocument.Parse(intent.PayloadJson);
        var root = json.RootElement;
        return new TransactionIntent
        {
            Key = intent.Key,
            Kind = intent.Kind,
            To = Address.Parse(root.GetProperty("to").GetString()!, "journaled recipient"),
            Data = Hex.Decode(root.GetProperty("data").GetString()!, "journaled call data"),
            Value = BigInteger.Parse(root.GetProperty("value").GetString()!, System.Globalization.CultureInfo.InvariantCulture),
            GasLimit = long.Parse(root.GetProperty("gasLimit").GetString()!, System.Globalization.CultureInfo.InvariantCulture),
        };
    }

    private static string Gwei(BigInteger wei) => $"{(decimal)wei / 1_000_000_000m:0.#########} gwei";
}

/// <summary>The latest block and the next block's base fee, as just read from the node.</summary>
public readonly record struct ObservedFees(long Block, BigInteger NextBaseFeePerGas);

/// <summary>What recovery did with one unfinished intent.</summary>
public enum RecoveryAction
{
    /// <summary>Nothing was signed; it stays pending.</summary>
    NotSent,
    /// <summary>An attempt was mined; its receipt is recorded.</summary>
    Mined,
    /// <summary>An attempt was mined and reverted, or the node refused the journaled bytes.</summary>
    Failed,
    /// <summary>Its nonce was used by another transaction; it did not execute.</summary>
    Superseded,
    /// <summary>The latest attempt's journaled bytes were sent to the node again.</summary>
    Rebroadcast,
    /// <summary>Still in flight (awaiting confirmations, or outbid by another pending transaction).</summary>
    InFlight,
}

/// <summary>Recovery's finding for one intent.</summary>
public sealed record RecoveredIntent(string Key, long IntentId, RecoveryAction Action, string Detail, ExecutionOutcome? Outcome);

/// <summary>What <see cref="TransactionExecutor.RecoverAsync"/> did.</summary>
public sealed record RecoveryReport(IReadOnlyList<RecoveredIntent> Intents);
