using System.Globalization;
using System.Numerics;
using Microsoft.Data.Sqlite;
using TreasuryManager.Ethereum;
using TreasuryManager.Ethereum.JsonRpc;
using TreasuryManager.Ethereum.Transactions;

namespace TreasuryManager.Keeper.Journal;

/// <summary>
/// The keeper's durable record of every intent, every signed attempt and every outcome, in one
/// SQLite file (WAL mode, synchronous=FULL). Each method is one committed transaction, so a
/// crash leaves the journal at a step boundary: an attempt's signed bytes are committed before
/// the executor broadcasts them, and recovery can always rebroadcast exactly those bytes.
/// Two writes whose loss on a power failure is harmless commit without waiting for the disk
/// (synchronous=NORMAL; the next FULL commit, e.g. the attempt's, makes them durable with it):
/// creating an intent (nothing is signed for it yet) and marking an attempt broadcast (recovery
/// on start reconciles every unfinished intent, broadcast or not, with the chain). Each saves an
/// fsync on the path from a plan to its broadcast. A process crash loses neither.
/// Thread-safe; one instance per file.
/// </summary>
public sealed class TransactionJournal : ITransactionJournal
{
    /// <summary>The schema migrations, in order. Never edit a released one; append a new one.</summary>
    private static readonly (int Version, string Description, string Sql)[] Migrations =
    [
        (1, "intents, attempts and outcomes", """
            CREATE TABLE intents (
                id          INTEGER PRIMARY KEY AUTOINCREMENT,
                key         TEXT NOT NULL UNIQUE,
                kind        TEXT NOT NULL,
                payload     TEXT NOT NULL,
                created_at  TEXT NOT NULL,
                status      TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'mined', 'failed', 'superseded')),
                reason      TEXT,
                updated_at  TEXT NOT NULL
            );
            CREATE INDEX intents_status ON intents (status);
            CREATE TABLE attempts (
                id                        INTEGER PRIMARY KEY AUTOINCREMENT,
                intent_id                 INTEGER NOT NULL REFERENCES intents (id),
                nonce                     INTEGER NOT NULL,
                raw_tx                    TEXT NOT NULL,
                tx_hash                   TEXT NOT NULL UNIQUE,
                max_fee_per_gas           TEXT NOT NULL,
                max_priority_fee_per_gas  TEXT NOT NULL,
                written_at                TEXT NOT NULL,
                broadcast_at              TEXT,
                broadcast_block           INTEGER,
                status                    TEXT NOT NULL CHECK (status IN ('signed', 'broadcast', 'mined', 'superseded', 'rejected')),
                reason                    TEXT
            );
            CREATE INDEX attempts_intent ON attempts (intent_id);
            CREATE TABLE outcomes (
                intent_id            INTEGER PRIMARY KEY REFERENCES intents (id),
                attempt_id           INTEGER NOT NULL REFERENCES attempts (id),
                tx_hash              TEXT NOT NULL,
                block_number         INTEGER NOT NULL,
                block_hash           TEXT NOT NULL,
                gas_used             INTEGER NOT NULL,
                effective_gas_price  TEXT NOT NULL,
                success              INTEGER NOT NULL,
                recorded_at          TEXT NOT NULL
            );
            """),
        (2, "the pool an intent acts on, as a column (read back from the keys of older journals)", """
            ALTER TABLE intents ADD COLUMN pool TEXT;
            UPDATE intents SET pool = lower(substr(key, instr(key, ':') + 1, 42))
                WHERE (key LIKE 'rebalance:0x%:%' OR key LIKE 'hedge:0x%:%') AND substr(key, instr(key, ':') + 43, 1) = ':';
            CREATE INDEX intents_pool ON intents (pool, status);
            """),
    ];

    /// <summary>The newest schema version this code knows.</summary>
    public static int SchemaVersion => Migrations[^1].Version;

    private readonly SqliteConnection _connection;
    private readonly FileStream? _processLock;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();

    private TransactionJournal(string path, SqliteConnection connection, TimeProvider time, FileStream? processLock)
    {
        Path = path;
        _connection = connection;
        _time = time;
        _processLock = processLock;
    }

    /// <summary>The journal file.</summary>
    public string Path { get; }

    /// <inheritdoc />
    public string Location => Path;

    /// <summary>
    /// Opens (creating if needed) the journal at <paramref name="path"/> and brings its schema up
    /// to date. A journal written by a newer keeper is refused rather than misread. With <paramref name="exclusive"/> (a
    /// keeper that sends) the process holds the journal's lock file (PATH.lock, an OS file lock released when the journal
    /// is disposed or the process dies) and a second process asking for it is refused with a <see cref="JournalInUseException"/>:
    /// two keepers sharing one key and one journal would race for nonces.
    /// </summary>
    public static TransactionJournal Open(string path, TimeProvider? time = null, bool exclusive = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = System.IO.Path.GetFullPath(path);
        var directory = System.IO.Path.GetDirectoryName(full);
        if (directory is not null && !Directory.Exists(directory))
            throw new DirectoryNotFoundException($"The journal's folder {directory} does not exist; create it or point the journal path elsewhere.");
        var processLock = exclusive ? TakeProcessLock(full) : null;
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = full,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            DefaultTimeout = 30,
        }.ToString());
        try
        {
            connection.Open();
            Execute(connection, "PRAGMA journal_mode = WAL;");
            Execute(connection, "PRAGMA synchronous = FULL;");
            Execute(connection, "PRAGMA foreign_keys = ON;");
            Execute(connection, "PRAGMA busy_timeout = 5000;");
            var journal = new TransactionJournal(full, connection, time ?? TimeProvider.System, processLock);
            journal.Migrate();
            return journal;
        }
        catch
        {
            connection.Dispose();
            processLock?.Dispose();
            throw;
        }
    }

    private static FileStream TakeProcessLock(string journalPath)
    {
        var lockPath = journalPath + ".lock";
        try
        {
            // FileShare.None: an exclusive OS lock (flock on Linux, a share mode on Windows) for as long as the stream is open
            return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new JournalInUseException(
                $"the journal {journalPath} is in use by another keeper process (it holds {lockPath}); two keepers must never share a key and a journal: stop the other one (`keeper run` or a `rebalance` still waiting), or give this one its own Journal and key", e);
        }
    }

    /// <summary>The schema version of the open file.</summary>
    public int CurrentSchemaVersion
    {
        get
        {
            lock (_lock)
                return Convert.ToInt32(Scalar(_connection, null, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations;"), CultureInfo.InvariantCulture);
        }
    }

    /// <summary>The file's journal mode as SQLite reports it ("wal").</summary>
    public string JournalMode
    {
        get
        {
            lock (_lock)
                return (string)Scalar(_connection, null, "PRAGMA journal_mode;")!;
        }
    }

    private void Migrate()
    {
        lock (_lock)
        {
            Execute(_connection, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL);");
            var current = Convert.ToInt32(Scalar(_connection, null, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations;"), CultureInfo.InvariantCulture);
            if (current > SchemaVersion)
                throw new InvalidOperationException(
                    $"The journal {Path} has schema version {current}, newer than this keeper's {SchemaVersion}; run a keeper at least as new as the one that wrote it.");
            foreach (var (version, description, sql) in Migrations.Where(m => m.Version > current))
            {
                using var tx = _connection.BeginTransaction();
                Execute(_connection, sql, tx);
                Execute(_connection, "INSERT INTO schema_migrations (version, description, applied_at) VALUES ($v, $d, $t);", tx,
                    ("$v", version), ("$d", description), ("$t", Now()));
                tx.Commit();
            }
        }
    }

    /// <summary>
    /// Until disposed, commits on this connection do not wait for the disk (synchronous=NORMAL): only for writes whose
    /// loss on a power failure is harmless (see the class summary). Call under <c>_lock</c>, outside a transaction.
    /// </summary>
    private SynchronousFull Relaxed()
    {
        Execute(_connection, "PRAGMA synchronous = NORMAL;");
        return new SynchronousFull(_connection);
    }

    private readonly struct SynchronousFull(SqliteConnection connection) : IDisposable
    {
        public void Dispose() => Execute(connection, "PRAGMA synchronous = FULL;");
    }

    // ---------------------------------------------------------------- intents

    /// <summary>
    /// Returns the intent with <paramref name="key"/>, creating it (status Pending) when there is
    /// none. An existing intent with another kind or payload is an error: one key, one action.
    /// </summary>
    public (IntentRecord Intent, bool Created) GetOrCreateIntent(string key, string kind, string payloadJson, Address? pool = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        ArgumentNullException.ThrowIfNull(payloadJson);
        lock (_lock)
            return Write(nameof(GetOrCreateIntent), () =>
            {
                using var relaxed = Relaxed();
                using var tx = _connection.BeginTransaction();
                var existing = QueryIntents(tx, "WHERE key = $key", ("$key", key)).SingleOrDefault();
                if (existing is not null)
                {
                    if (existing.Kind != kind || existing.PayloadJson != payloadJson)
                        throw new InvalidOperationException(
                            $"Intent key '{key}' is already journaled (intent {existing.Id}, {existing.Status}) for a different {(existing.Kind != kind ? "kind" : "payload")}; " +
                            "an idempotency key names one action — use a new key for a different transaction.");
                    return (existing, false);
                }
                var now = Now();
                Execute(_connection, "INSERT INTO intents (key, kind, payload, created_at, status, updated_at, pool) VALUES ($key, $kind, $payload, $now, 'pending', $now, $pool);", tx,
                    ("$key", key), ("$kind", kind), ("$payload", payloadJson), ("$now", now), ("$pool", pool?.ToLowerHex()));
                var id = (long)Scalar(_connection, tx, "SELECT last_insert_rowid();")!;
                tx.Commit();
                return (GetIntent(id), true);
            });
    }

    public IntentRecord? FindIntent(string key)
    {
        lock (_lock) return QueryIntents(null, "WHERE key = $key", ("$key", key)).SingleOrDefault();
    }

    public IntentRecord GetIntent(long id)
    {
        lock (_lock)
            return QueryIntents(null, "WHERE id = $id", ("$id", id)).SingleOrDefault()
                ?? throw new KeyNotFoundException($"The journal {Path} has no intent {id}.");
    }

    /// <summary>Intents that are Pending or Sent, oldest first: the ones recovery reconciles.</summary>
    public IReadOnlyList<IntentRecord> UnfinishedIntents()
    {
        lock (_lock) return QueryIntents(null, "WHERE status IN ('pending', 'sent') ORDER BY id");
    }

    public IReadOnlyList<IntentRecord> AllIntents()
    {
        lock (_lock) return QueryIntents(null, "ORDER BY id");
    }

    /// <summary>Ends an intent without a mined outcome (Failed or Superseded), with the reason.</summary>
    public void FinishIntent(long intentId, IntentStatus status, string reason)
    {
        if (status is not (IntentStatus.Failed or IntentStatus.Superseded))
            throw new ArgumentOutOfRangeException(nameof(status), status, "FinishIntent sets Failed or Superseded; a mined intent is recorded with RecordOutcome.");
        lock (_lock)
            Write(nameof(FinishIntent), () =>
            {
                using var tx = _connection.BeginTransaction();
                SetIntentStatus(tx, intentId, status, reason);
                // Attempts that never reached the node become rejected; broadcast ones are superseded.
                Execute(_connection, "UPDATE attempts SET status = 'superseded', reason = COALESCE(reason, $r) WHERE intent_id = $id AND status = 'broadcast';", tx,
                    ("$id", intentId), ("$r", reason));
                Execute(_connection, "UPDATE attempts SET status = 'rejected', reason = COALESCE(reason, $r) WHERE intent_id = $id AND status = 'signed';", tx,
                    ("$id", intentId), ("$r", reason));
                tx.Commit();
            });
    }

    // ---------------------------------------------------------------- attempts

    /// <summary>
    /// Journals a signed attempt (status Signed) and commits it. Call this before broadcasting:
    /// the raw bytes are then on disk whatever happens next.
    /// </summary>
    public AttemptRecord AddAttempt(long intentId, SignedTransaction signed)
    {
        ArgumentNullException.ThrowIfNull(signed);
        if (signed.Transaction is not Eip1559Transaction tx1559)
            throw new ArgumentException($"The keeper journals EIP-1559 (type 2) transactions only; got {signed.Type}.", nameof(signed));
        lock (_lock)
            return Write(nameof(AddAttempt), () =>
            {
                using var tx = _connection.BeginTransaction();
                var id = InsertAttempt(tx, intentId, signed, tx1559);
                tx.Commit();
                return GetAttempt(id);
            });
    }

    /// <summary>One signed attempt of an unfinished intent, inserted in <paramref name="tx"/>; returns its id.</summary>
    private long InsertAttempt(SqliteTransaction tx, long intentId, SignedTransaction signed, Eip1559Transaction tx1559)
    {
        var intent = QueryIntents(tx, "WHERE id = $id", ("$id", intentId)).SingleOrDefault()
            ?? throw new KeyNotFoundException($"The journal {Path} has no intent {intentId}.");
        if (intent.IsFinished)
            throw new InvalidOperationException($"Intent '{intent.Key}' is already {intent.Status}; no new attempt may be signed for it.");
        Execute(_connection, """
            INSERT INTO attempts (intent_id, nonce, raw_tx, tx_hash, max_fee_per_gas, max_priority_fee_per_gas, written_at, status)
            VALUES ($intent, $nonce, $raw, $hash, $maxFee, $tip, $now, 'signed');
            """, tx,
            ("$intent", intentId), ("$nonce", (long)tx1559.Nonce), ("$raw", signed.RawHex), ("$hash", signed.HashHex),
            ("$maxFee", Text(tx1559.MaxFeePerGas)), ("$tip", Text(tx1559.MaxPriorityFeePerGas)), ("$now", Now()));
        return (long)Scalar(_connection, tx, "SELECT last_insert_rowid();")!;
    }

    /// <summary>
    /// Journals several signed attempts (one per intent) in ONE transaction, committed (fsync) before any of them is
    /// broadcast: the keeper signs every plan of a cycle with consecutive nonces and pays one fsync for all.
    /// </summary>
    public IReadOnlyList<AttemptRecord> AddAttempts(IReadOnlyList<(long IntentId, SignedTransaction Signed)> attempts)
    {
        ArgumentNullException.ThrowIfNull(attempts);
        var ids = new List<long>(attempts.Count);
        lock (_lock)
            return Write(nameof(AddAttempts), () =>
            {
                using var tx = _connection.BeginTransaction();
                foreach (var (intentId, signed) in attempts)
                {
                    if (signed.Transaction is not Eip1559Transaction tx1559)
                        throw new ArgumentException($"The keeper journals EIP-1559 (type 2) transactions only; got {signed.Type}.", nameof(attempts));
                    ids.Add(InsertAttempt(tx, intentId, signed, tx1559));
                }
                tx.Commit();
                return ids.Select(GetAttempt).ToArray();
            });
    }

    /// <summary>Marks an attempt as accepted by the node (at <paramref name="block"/>, the latest block when it was sent); its intent becomes Sent.</summary>
    public AttemptRecord MarkBroadcast(long attemptId, long block)
    {
        lock (_lock)
            return Write(nameof(MarkBroadcast), () =>
            {
                using (Relaxed())
                using (var tx = _connection.BeginTransaction())
                {
                    Execute(_connection, "UPDATE attempts SET status = 'broadcast', broadcast_at = COALESCE(broadcast_at, $now), broadcast_block = COALESCE(broadcast_block, $block) WHERE id = $id AND status IN ('signed', 'broadcast');", tx,
                        ("$id", attemptId), ("$now", Now()), ("$block", block));
                    Execute(_connection, "UPDATE intents SET status = 'sent', updated_at = $now WHERE id = (SELECT intent_id FROM attempts WHERE id = $id) AND status = 'pending';", tx,
                        ("$id", attemptId), ("$now", Now()));
                    tx.Commit();
                }
                return GetAttempt(attemptId);
            });
    }

    /// <summary>Marks an attempt the node refused (it never entered the mempool).</summary>
    public AttemptRecord MarkRejected(long attemptId, string reason)
    {
        lock (_lock)
            return Write(nameof(MarkRejected), () =>
            {
                Execute(_connection, "UPDATE attempts SET status = 'rejected', reason = $r WHERE id = $id AND status = 'signed';", null, ("$id", attemptId), ("$r", reason));
                return GetAttempt(attemptId);
            });
    }

    public AttemptRecord GetAttempt(long attemptId)
    {
        lock (_lock)
            return QueryAttempts(null, "WHERE id = $id", ("$id", attemptId)).SingleOrDefault()
                ?? throw new KeyNotFoundException($"The journal {Path} has no attempt {attemptId}.");
    }

    /// <summary>The intent's attempts, oldest first.</summary>
    public IReadOnlyList<AttemptRecord> Attempts(long intentId)
    {
        lock (_lock) return QueryAttempts(null, "WHERE intent_id = $id ORDER BY id", ("$id", intentId));
    }

    /// <summary>
    /// The highest nonce held by an unfinished intent's live attempt (signed or broadcast), or
    /// null. The executor never hands out a nonce at or below it.
    /// </summary>
    public long? HighestLiveNonce()
    {
        lock (_lock)
        {
            var value = Scalar(_connection, null, """
                SELECT MAX(a.nonce) FROM attempts a JOIN intents i ON i.id = a.intent_id
                WHERE i.status IN ('pending', 'sent') AND a.status IN ('signed', 'broadcast');
                """);
            return value is null or DBNull ? null : (long)value;
        }
    }

    // ---------------------------------------------------------------- outcomes

    /// <summary>
    /// Records the receipt of the attempt that was mined: the attempt becomes Mined, its siblings
    /// Superseded, and the intent Mined (or Failed when the transaction reverted). One commit.
    /// </summary>
    public OutcomeRecord RecordOutcome(long intentId, TransactionReceipt receipt)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        lock (_lock)
            return Write(nameof(RecordOutcome), () =>
            {
                using var tx = _connection.BeginTransaction();
                var attempt = QueryAttempts(tx, "WHERE intent_id = $id AND tx_hash = $hash", ("$id", intentId), ("$hash", receipt.TransactionHash.ToLowerInvariant())).SingleOrDefault()
                    ?? throw new InvalidOperationException($"Receipt {receipt.TransactionHash} is not one of intent {intentId}'s attempts; refusing to record it.");
                var now = Now();
                Execute(_connection, """
                    INSERT INTO outcomes (intent_id, attempt_id, tx_hash, block_number, block_hash, gas_used, effective_gas_price, success, recorded_at)
                    VALUES ($intent, $attempt, $hash, $block, $blockHash, $gas, $price, $ok, $now)
                    ON CONFLICT (intent_id) DO UPDATE SET attempt_id = excluded.attempt_id, tx_hash = excluded.tx_hash, block_number = excluded.block_number,
                        block_hash = excluded.block_hash, gas_used = excluded.gas_used, effective_gas_price = excluded.effective_gas_price,
                        success = excluded.success, recorded_at = excluded.recorded_at;
                    """, tx,
                    ("$intent", intentId), ("$attempt", attempt.Id), ("$hash", attempt.Hash), ("$block", receipt.BlockNumber), ("$blockHash", receipt.BlockHash),
                    ("$gas", receipt.GasUsed), ("$price", Text(receipt.EffectiveGasPrice)), ("$ok", receipt.Succeeded ? 1 : 0), ("$now", now));
                Execute(_connection, "UPDATE attempts SET status = 'mined', broadcast_at = COALESCE(broadcast_at, $now) WHERE id = $id;", tx, ("$id", attempt.Id), ("$now", now));
                Execute(_connection, "UPDATE attempts SET status = 'superseded', reason = COALESCE(reason, $r) WHERE intent_id = $intent AND id <> $id AND status IN ('signed', 'broadcast');", tx,
                    ("$intent", intentId), ("$id", attempt.Id), ("$r", $"attempt {attempt.Id} ({attempt.Hash}) was mined instead"));
                SetIntentStatus(tx, intentId, receipt.Succeeded ? IntentStatus.Mined : IntentStatus.Failed,
                    receipt.Succeeded ? null : $"transaction {attempt.Hash} was mined in block {receipt.BlockNumber} but reverted");
                tx.Commit();
                return Outcome(intentId)!;
            });
    }

    public OutcomeRecord? Outcome(long intentId)
    {
        lock (_lock)
        {
            using var command = Command(_connection, null, "SELECT intent_id, attempt_id, tx_hash, block_number, block_hash, gas_used, effective_gas_price, success, recorded_at FROM outcomes WHERE intent_id = $id;", ("$id", intentId));
            using var reader = command.ExecuteReader();
            if (!reader.Read()) return null;
            return new OutcomeRecord(reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.GetInt64(3), reader.GetString(4), reader.GetInt64(5),
                BigInteger.Parse(reader.GetString(6), CultureInfo.InvariantCulture), reader.GetInt64(7) != 0, Time(reader.GetString(8)));
        }
    }

    // ---------------------------------------------------------------- plumbing

    private void SetIntentStatus(SqliteTransaction tx, long intentId, IntentStatus status, string? reason) =>
        Execute(_connection, "UPDATE intents SET status = $s, reason = $r, updated_at = $now WHERE id = $id;", tx,
            ("$id", intentId), ("$s", Name(status)), ("$r", reason), ("$now", Now()));

    private List<IntentRecord> QueryIntents(SqliteTransaction? tx, string where, params (string, object?)[] parameters)
    {
        using var command = Command(_connection, tx, $"SELECT id, key, kind, payload, created_at, status, reason, updated_at, pool FROM intents {where};", parameters);
        using var reader = command.ExecuteReader();
        var list = new List<IntentRecord>();
        while (reader.Read())
            list.Add(new IntentRecord(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), Time(reader.GetString(4)),
                Enum.Parse<IntentStatus>(reader.GetString(5), ignoreCase: true), reader.IsDBNull(6) ? null : reader.GetString(6), Time(reader.GetString(7)))
            {
                Pool = reader.IsDBNull(8) ? null : Address.Parse(reader.GetString(8)),
            });
        return list;
    }

    private List<AttemptRecord> QueryAttempts(SqliteTransaction? tx, string where, params (string, object?)[] parameters)
    {
        using var command = Command(_connection, tx,
            $"SELECT id, intent_id, nonce, raw_tx, tx_hash, max_fee_per_gas, max_priority_fee_per_gas, written_at, broadcast_at, broadcast_block, status, reason FROM attempts {where};", parameters);
        using var reader = command.ExecuteReader();
        var list = new List<AttemptRecord>();
        while (reader.Read())
            list.Add(new AttemptRecord(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetString(3), reader.GetString(4),
                BigInteger.Parse(reader.GetString(5), CultureInfo.InvariantCulture), BigInteger.Parse(reader.GetString(6), CultureInfo.InvariantCulture),
                Time(reader.GetString(7)), reader.IsDBNull(8) ? null : Time(reader.GetString(8)), reader.IsDBNull(9) ? null : reader.GetInt64(9),
                Enum.Parse<AttemptStatus>(reader.GetString(10), ignoreCase: true), reader.IsDBNull(11) ? null : reader.GetString(11)));
        return list;
    }

    private static string Name(IntentStatus status) => status.ToString().ToLowerInvariant();

    private static string Text(BigInteger value) => value.ToString(CultureInfo.InvariantCulture);

    private string Now() => _time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset Time(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = tx;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }

    private static void Execute(SqliteConnection connection, string sql, SqliteTransaction? tx = null, params (string, object?)[] parameters)
    {
        using var command = Command(connection, tx, sql, parameters);
        command.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection connection, SqliteTransaction? tx, string sql, params (string, object?)[] parameters)
    {
        using var command = Command(connection, tx, sql, parameters);
        return command.ExecuteScalar();
    }

    /// <summary>
    /// Raised (before the <see cref="JournalWriteException"/> is thrown) each time a write fails in SQLite: disk full,
    /// I/O error, a file another process holds locked, a read-only file. The keeper counts these
    /// (treasury_keeper_journal_write_failures_total).
    /// </summary>
    public event Action<JournalWriteException>? WriteFailed;

    /// <summary>Journal writes that failed since this journal was opened.</summary>
    public long WriteFailures => Interlocked.Read(ref _writeFailures);

    private long _writeFailures;

    /// <summary>Runs one write (under <c>_lock</c>); a SQLite failure becomes a <see cref="JournalWriteException"/>, counted and announced.</summary>
    private T Write<T>(string operation, Func<T> body)
    {
        try
        {
            return body();
        }
        catch (SqliteException e)
        {
            var failure = new JournalWriteException(Path, operation, e);
            Interlocked.Increment(ref _writeFailures);
            WriteFailed?.Invoke(failure);
            throw failure;
        }
    }

    private void Write(string operation, Action body) => Write(operation, () => { body(); return true; });

    public void Dispose()
    {
        _connection.Dispose();
        _processLock?.Dispose();
    }
}

/// <summary>Another process holds the journal's lock: it is another keeper sending with the same journal (and key).</summary>
public sealed class JournalInUseException(string message, Exception inner) : IOException(message, inner);

/// <summary>
/// A journal write SQLite refused (disk full, I/O error, the file locked by another process, a read-only file). Nothing
/// whose signed bytes failed to be journaled is broadcast; the operation named here did not happen.
/// </summary>
public sealed class JournalWriteException(string journalPath, string operation, SqliteException inner)
    : IOException($"the keeper's journal {journalPath} could not be written ({operation}): {inner.Message.TrimEnd('.')}; free disk space, make the file writable or stop the process holding it, then let the keeper retry (the journal is unchanged)", inner)
{
    public string JournalPath { get; } = journalPath;
    public string Operation { get; } = operation;
    /// <summary>SQLite's primary result code (5 busy, 8 read-only, 10 I/O error, 13 full…).</summary>
    public int SqliteErrorCode { get; } = inner.SqliteErrorCode;
}
