using System.Numerics;
using TreasuryManager.Ethereum.JsonRpc;
using TreasuryManager.Keeper.Journal;

namespace TreasuryManager.Keeper.Execution;

/// <summary>What became of one <see cref="TransactionIntent"/>. Immutable; a test or a dry run can print or assert it.</summary>
public abstract record ExecutionOutcome(string Key, long IntentId)
{
    /// <summary>Mined successfully with the configured confirmations: final.</summary>
    /// <param name="Receipt">The chain's receipt; null only when repeating an intent finished earlier whose receipt the node no longer has.</param>
    public sealed record Mined(string Key, long IntentId, OutcomeRecord Outcome, TransactionReceipt? Receipt, int Attempts) : ExecutionOutcome(Key, IntentId);

    /// <summary>Nothing was sent: the fees are too high for now. The intent stays pending; execute it again later.</summary>
    public sealed record Deferred(string Key, long IntentId, string Reason, BigInteger BaseFeePerGas) : ExecutionOutcome(Key, IntentId);

    /// <summary>Final without success: reverted on chain, refused by the node, or its nonce taken by another transaction.</summary>
    public sealed record Failed(string Key, long IntentId, string Reason, TransactionReceipt? Receipt) : ExecutionOutcome(Key, IntentId);

    /// <summary>
    /// Not final yet: signed and journaled, possibly broadcast, but not confirmed within the wait
    /// (a node down, fees capped). Executing the key again, or <see cref="TransactionExecutor.RecoverAsync"/>, resumes it.
    /// </summary>
    public sealed record Unconfirmed(string Key, long IntentId, string Reason, string? LatestHash) : ExecutionOutcome(Key, IntentId);
}

/// <summary>Points in an execution where a test harness may observe (or kill) the process.</summary>
public enum ExecutionPoint
{
    /// <summary>An attempt is signed and committed to the journal; not yet broadcast.</summary>
    Journaled,
    /// <summary>The node accepted the attempt; its receipt is not yet read.</summary>
    Broadcast,
    /// <summary>The attempt's receipt is read from the node and final (enough confirmations); not yet recorded in the journal.</summary>
    ReceiptRead,
}

/// <summary>
/// An intent handed to <see cref="TransactionExecutor.SubmitAllAsync"/>: broadcast and not final yet (<see cref="Outcome"/>
/// null; <see cref="TransactionExecutor.SettleAsync"/> waits for it), or already with its outcome (deferred for gas,
/// refused, finished earlier, or a broadcast whose answer was lost).
/// </summary>
public sealed record Submission(TransactionIntent Intent, IntentRecord Record, ExecutionOutcome? Outcome)
{
    public bool IsPending => Outcome is null;
}
