using TreasuryManager.Ethereum;
using TreasuryManager.Ethereum.JsonRpc;
using TreasuryManager.Ethereum.Transactions;

namespace TreasuryManager.Keeper.Journal;

/// <summary>
/// The keeper's durable record of every intent, every signed attempt and every outcome — what the
/// <see cref="Execution.TransactionExecutor"/> needs to land each intent exactly once. Every implementation keeps the
/// same guarantees: each method is one committed transaction (a crash leaves the journal at a step boundary); an
/// attempt's signed bytes are committed before the executor broadcasts them, so recovery can rebroadcast exactly those
/// bytes; an intent key names one action (a second payload under it is refused). <see cref="TransactionJournal"/>
/// keeps it in one SQLite file (the single keeper's default); <see cref="PostgresJournal"/> in PostgreSQL (a keeper
/// fleet). The schema is versioned and migrated on open; a schema newer than the binary's is refused.
/// </summary>
public interface ITransactionJournal : IDisposable
{
    /// <summary>Where the journal is, for messages: a file path, or a PostgreSQL server and database (never a password).</summary>
    string Location { get; }

    /// <summary>The schema version of the open journal.</summary>
    int CurrentSchemaVersion { get; }

    /// <summary>
    /// Returns the intent with <paramref name="key"/>, creating it (status Pending) when there is
    /// none. An existing intent with another kind or payload is an error: one key, one action.
    /// </summary>
    (IntentRecord Intent, bool Created) GetOrCreateIntent(string key, string kind, string payloadJson, Address? pool = null);

    IntentRecord? FindIntent(string key);

    IntentRecord GetIntent(long id);

    /// <summary>Intents that are Pending or Sent, oldest first: the ones recovery reconciles.</summary>
    IReadOnlyList<IntentRecord> UnfinishedIntents();

    IReadOnlyList<IntentRecord> AllIntents();

    /// <summary>Ends an intent without a mined outcome (Failed or Superseded), with the reason.</summary>
    void FinishIntent(long intentId, IntentStatus status, string reason);

    /// <summary>
    /// Journals a signed attempt (status Signed) and commits it. Call this before broadcasting:
    /// the raw bytes are then durable whatever happens next.
    /// </summary>
    AttemptRecord AddAttempt(long intentId, SignedTransaction signed);

    /// <summary>
    /// Journals several signed attempts (one per intent) in ONE transaction, committed before any of them is
    /// broadcast.
    /// </summary>
    IReadOnlyList<AttemptRecord> AddAttempts(IReadOnlyList<(long IntentId, SignedTransaction Signed)> attempts);

    /// <summary>Marks an attempt as accepted by the node (at <paramref name="block"/>, the latest block when it was sent); its intent becomes Sent.</summary>
    AttemptRecord MarkBroadcast(long attemptId, long block);

    /// <summary>Marks an attempt the node refused (it never entered the mempool).</summary>
    AttemptRecord MarkRejected(long attemptId, string reason);

    AttemptRecord GetAttempt(long attemptId);

    /// <summary>The intent's attempts, oldest first.</summary>
    IReadOnlyList<AttemptRecord> Attempts(long intentId);

    /// <summary>
    /// The highest nonce held by an unfinished intent's live attempt (signed or broadcast), or
    /// null. The executor never hands out a nonce at or below it.
    /// </summary>
    long? HighestLiveNonce();

    /// <summary>
    /// Records the receipt of the attempt that was mined: the attempt becomes Mined, its siblings
    /// Superseded, and the intent Mined (or Failed when the transaction reverted). One commit.
    /// </summary>
    OutcomeRecord RecordOutcome(long intentId, TransactionReceipt receipt);

    OutcomeRecord? Outcome(long intentId);
}
