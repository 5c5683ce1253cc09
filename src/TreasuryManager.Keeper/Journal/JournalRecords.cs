using TreasuryManager.Ethereum;
using System.Numerics;

namespace TreasuryManager.Keeper.Journal;

/// <summary>Where an intent stands. Pending and Sent are unfinished; the others are final.</summary>
public enum IntentStatus
{
    /// <summary>Recorded; nothing broadcast yet (it may hold a signed attempt not yet known to the node).</summary>
    Pending,
    /// <summary>At least one attempt was broadcast; no receipt is final yet.</summary>
    Sent,
    /// <summary>One attempt was mined successfully and is final.</summary>
    Mined,
    /// <summary>Mined but reverted, or rejected by the node; it will not be retried.</summary>
    Failed,
    /// <summary>Its nonce was used by a transaction that is none of its attempts; it did not execute.</summary>
    Superseded,
}

/// <summary>Where one signed attempt of an intent stands.</summary>
public enum AttemptStatus
{
    /// <summary>Signed and journaled; not yet known to have reached the node.</summary>
    Signed,
    /// <summary>The node accepted it (or already knew it).</summary>
    Broadcast,
    /// <summary>This attempt is the one that was mined.</summary>
    Mined,
    /// <summary>Another attempt with the same nonce replaced it (or was mined instead).</summary>
    Superseded,
    /// <summary>The node refused it; it never entered the mempool.</summary>
    Rejected,
}

/// <summary>One intent: an action the keeper decided to take, keyed for idempotency.</summary>
public sealed record IntentRecord(
    long Id,
    string Key,
    string Kind,
    string PayloadJson,
    DateTimeOffset CreatedAt,
    IntentStatus Status,
    string? Reason,
    DateTimeOffset UpdatedAt)
{
    public bool IsFinished => Status is IntentStatus.Mined or IntentStatus.Failed or IntentStatus.Superseded;

    /// <summary>The pool the intent acts on (journal schema 2), or null for intents without one.</summary>
    public Address? Pool { get; init; }
}

/// <summary>One signed transaction for an intent, written (and committed) before it is broadcast.</summary>
public sealed record AttemptRecord(
    long Id,
    long IntentId,
    long Nonce,
    string RawHex,
    string Hash,
    BigInteger MaxFeePerGas,
    BigInteger MaxPriorityFeePerGas,
    DateTimeOffset WrittenAt,
    DateTimeOffset? BroadcastAt,
    long? BroadcastBlock,
    AttemptStatus Status,
    string? Reason);

/// <summary>The mined outcome of an intent: the receipt's figures.</summary>
public sealed record OutcomeRecord(
    long IntentId,
    long AttemptId,
    string TransactionHash,
    long BlockNumber,
    string BlockHash,
    long GasUsed,
    BigInteger EffectiveGasPrice,
    bool Succeeded,
    DateTimeOffset RecordedAt);
