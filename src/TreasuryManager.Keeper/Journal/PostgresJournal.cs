using System.Collections.Concurrent;
using System.Data;
using System.Globalization;
using System.Numerics;
using Npgsql;
using TreasuryManager.Ethereum;
using TreasuryManager.Ethereum.JsonRpc;
using TreasuryManager.Ethereum.Transactions;

namespace TreasuryManager.Keeper.Journal;

/// <summary>
/// The journal of one keeper of a fleet, in a PostgreSQL database the fleet shares; the guarantees of
/// <see cref="ITransactionJournal"/> (each method one committed transaction; the signed bytes committed before the
/// broadcast; one key, one action) plus the fleet's: every intent and attempt carries its keeper
/// (<see cref="Keeper"/>, one signing key per keeper — docs/fleet.md), each keeper's view (unfinished intents, the
/// highest live nonce) is its own, and an intent key is unique across the fleet, so two keepers never journal one
/// action twice. Pools are held through leases (<see cref="TakeLease"/>, <see cref="RenewLease"/>,
/// <see cref="ReleaseLease"/>, one statement each, timed by the database server's clock): attempting to journal a
/// signed attempt for a pool checks, in the same transaction, that this keeper holds the pool's live lease with the
/// fencing token it carries — else <see cref="FencingTokenRejectedException"/>, the transaction rolls back, and nothing
/// is journaled, so nothing can be broadcast. Intents without a pool are not fenced. Thread-safe (pooled connections).
/// </summary>
public sealed class PostgresJournal : ITransactionJournal
{
    /// <summary>The schema migrations, in order. Never edit a released one; append a new one.</summary>
    private static readonly (int Version, string Description, string Sql)[] Migrations =
    [
        (1, "intents, attempts and outcomes of each keeper; the fleet's keepers and pool leases", """
            CREATE TABLE intents (
                id          BIGSERIAL PRIMARY KEY,
                keeper      TEXT NOT NULL,
                key         TEXT NOT NULL UNIQUE,
                kind        TEXT NOT NULL,
                payload     TEXT NOT NULL,
                pool        TEXT,
                created_at  TIMESTAMPTZ NOT NULL,
                status      TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'mined', 'failed', 'superseded')),
                reason      TEXT,
                updated_at  TIMESTAMPTZ NOT NULL
            );
            CREATE INDEX intents_keeper_status ON intents (keeper, status);
            CREATE INDEX intents_pool ON intents (pool, status);
            CREATE TABLE attempts (
                id                        BIGSERIAL PRIMARY KEY,
                intent_id                 BIGINT NOT NULL REFERENCES intents (id),
                nonce                     BIGINT NOT NULL,
                raw_tx                    TEXT NOT NULL,
                tx_hash                   TEXT NOT NULL UNIQUE,
                max_fee_per_gas           NUMERIC(78, 0) NOT NULL,
                max_priority_fee_per_gas  NUMERIC(78, 0) NOT NULL,
                fencing_token             BIGINT,
                written_at                TIMESTAMPTZ NOT NULL,
                broadcast_at              TIMESTAMPTZ,
                broadcast_block           BIGINT,
                status                    TEXT NOT NULL CHECK (status IN ('signed', 'broadcast', 'mined', 'superseded', 'rejected')),
                reason                    TEXT
            );
            CREATE INDEX attempts_intent ON attempts (intent_id);
            CREATE TABLE outcomes (
                intent_id            BIGINT PRIMARY KEY REFERENCES intents (id),
                attempt_id           BIGINT NOT NULL REFERENCES attempts (id),
                tx_hash              TEXT NOT NULL,
                block_number         BIGINT NOT NULL,
                block_hash           TEXT NOT NULL,
                gas_used             BIGINT NOT NULL,
                effective_gas_price  NUMERIC(78, 0) NOT NULL,
                success              BOOLEAN NOT NULL,
                recorded_at          TIMESTAMPTZ NOT NULL
            );
            CREATE TABLE keepers (
                id             TEXT PRIMARY KEY,
                address        TEXT NOT NULL,
                registered_at  TIMESTAMPTZ NOT NULL,
                last_seen      TIMESTAMPTZ NOT NULL
            );
            CREATE TABLE pool_leases (
                pool        TEXT PRIMARY KEY,
                holder      TEXT,
                token       BIGINT NOT NULL CHECK (token > 0),
                since       TIMESTAMPTZ NOT NULL,
                expires_at  TIMESTAMPTZ NOT NULL
            );
            """),
    ];

    /// <summary>Serialises the migrations of keepers starting together (pg_advisory_xact_lock key).</summary>
    private const long MigrationLock = 0x7472_6561_7375_7279; // "treasury"

    /// <summary>The newest schema version this code knows.</summary>
    public static int SchemaVersion => Migrations[^1].Version;

    private readonly NpgsqlDataSource _source;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<Address, long> _tokens = new();

    private PostgresJournal(NpgsqlDataSource source, string keeper, string location, TimeProvider time)
    {
        _source = source;
        Keeper = keeper;
        Location = location;
        _time = time;
    }

    /// <summary>This keeper's id in the fleet: its intents carry it, and it is the holder of the leases it takes.</summary>
    public string Keeper { get; }

    /// <inheritdoc />
    public string Location { get; }

    /// <summary>Opens the journal of the PostgreSQL database <paramref name="connection"/> names (the password from its environment variable).</summary>
    public static PostgresJournal Open(PostgresJournalConnection connection, string keeper, TimeProvider? time = null, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return Open(connection.ConnectionString(environment), keeper, time, connection.ToString());
    }

    /// <summary>
    /// Opens the journal in the database <paramref name="connectionString"/> names as keeper <paramref name="keeper"/> and
    /// brings the schema up to date (under an advisory lock, so keepers starting together migrate once). A database
    /// written by a newer keeper is refused rather than misread.
    /// </summary>
    public static PostgresJournal Open(string connectionString, string keeper, TimeProvider? time = null, string? location = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentException.ThrowIfNullOrWhiteSpace(keeper);
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var source = NpgsqlDataSource.Create(builder);
        var journal = new PostgresJournal(source, keeper, location ?? $"postgres://{builder.Username}@{builder.Host}:{builder.Port}/{builder.Database}", time ?? TimeProvider.System);
        try
        {
            journal.Migrate();
            return journal;
        }
        catch
        {
            source.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public int CurrentSchemaVersion
    {
        get
        {
            using var connection = _source.OpenConnection();
            return Convert.ToInt32(Scalar(connection, null, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations;"), CultureInfo.InvariantCulture);
        }
    }

    private void Migrate()
    {
        using var connection = _source.OpenConnection();
        using var tx = connection.BeginTransaction();
        Execute(connection, tx, "SELECT pg_advisory_xact_lock(@lock);", ("lock", MigrationLock));
        Execute(connection, tx, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL);");
        var current = Convert.ToInt32(Scalar(connection, tx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations;"), CultureInfo.InvariantCulture);
        if (current > SchemaVersion)
            throw new InvalidOperationException(
                $"The journal {Location} has schema version {current}, newer than this keeper's {SchemaVersion}; run a keeper at least as new as the one that wrote it (every keeper of the fleet on the newest version).");
        foreach (var (version, description, sql) in Migrations.Where(m => m.Version > current))
        {
            Execute(connection, tx, sql);
            Execute(connection, tx, "INSERT INTO schema_migrations (version, description, applied_at) VALUES (@v, @d, @t);",
                ("v", version), ("d", description), ("t", Now()));
        }
        tx.Commit();
    }

    // ---------------------------------------------------------------- intents

    /// <inheritdoc />
    public (IntentRecord Intent, bool Created) GetOrCreateIntent(string key, string kind, string payloadJson, Address? pool = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        ArgumentNullException.ThrowIfNull(payloadJson);
        return InTransaction((connection, tx) =>
        {
            var now = Now();
            // One statement: concurrent creators of one key both end here, one inserting, the other reading.
            var id = Scalar(connection, tx, """
                INSERT INTO intents (keeper, key, kind, payload, pool, created_at, status, updated_at)
                VALUES (@keeper, @key, @kind, @payload, @pool, @now, 'pending', @now)
                ON CONFLICT (key) DO NOTHING RETURNING id;
                """, ("keeper", Keeper), ("key", key), ("kind", kind), ("payload", payloadJson), ("pool", pool?.ToLowerHex()), ("now", now));
            if (id is long created) return (QueryIntents(connection, tx, "WHERE id = @id", ("id", created)).Single(), true);
            var (existing, owner) = QueryIntentWithKeeper(connection, tx, key);
            if (owner != Keeper)
                throw new InvalidOperationException(
                    $"Intent key '{key}' is already journaled by keeper '{owner}' (intent {existing.Id}, {existing.Status}); " +
                    "one action is taken by one keeper of the fleet — this keeper must not act on it.");
            if (existing.Kind != kind || existing.PayloadJson != payloadJson)
                throw new InvalidOperationException(
                    $"Intent key '{key}' is already journaled (intent {existing.Id}, {existing.Status}) for a different {(existing.Kind != kind ? "kind" : "payload")}; " +
                    "an idempotency key names one action — use a new key for a different transaction.");
            return (existing, false);
        });
    }

    /// <inheritdoc />
    public IntentRecord? FindIntent(string key) => Read(c => QueryIntents(c, null, "WHERE key = @key AND keeper = @keeper", ("key", key), ("keeper", Keeper)).SingleOrDefault());

    /// <inheritdoc />
    public IntentRecord GetIntent(long id) =>
        Read(c => QueryIntents(c, null, "WHERE id = @id", ("id", id)).SingleOrDefault())
        ?? throw new KeyNotFoundException($"The journal {Location} has no intent {id}.");

    /// <inheritdoc />
    public IReadOnlyList<IntentRecord> UnfinishedIntents() =>
        Read(c => QueryIntents(c, null, "WHERE keeper = @keeper AND status IN ('pending', 'sent') ORDER BY id", ("keeper", Keeper)));

    /// <inheritdoc />
    public IReadOnlyList<IntentRecord> AllIntents() => Read(c => QueryIntents(c, null, "WHERE keeper = @keeper ORDER BY id", ("keeper", Keeper)));

    /// <summary>The unfinished intents of every keeper of the fleet for <paramref name="pool"/>, oldest first.</summary>
    public IReadOnlyList<IntentRecord> UnfinishedIntentsOfPool(Address pool) =>
        Read(c => QueryIntents(c, null, "WHERE pool = @pool AND status IN ('pending', 'sent') ORDER BY id", ("pool", pool.ToLowerHex())));

    /// <summary>
    /// The pools with an intent of <paramref name="kind"/> in flight by ANOTHER keeper — Sent, or Pending with a live
    /// attempt (the executor's test of "in flight", on every keeper's intents): a keeper that took over a pool must not
    /// plan for it while its previous holder's journaled transaction may still land.
    /// </summary>
    public IReadOnlySet<Address> PoolsInFlightElsewhere(string kind) => Read(c =>
    {
        using var command = Command(c, null, """
            SELECT DISTINCT i.pool FROM intents i
            WHERE i.keeper <> @keeper AND i.kind = @kind AND i.pool IS NOT NULL AND (i.status = 'sent'
                OR (i.status = 'pending' AND EXISTS (SELECT 1 FROM attempts a WHERE a.intent_id = i.id AND a.status IN ('signed', 'broadcast'))));
            """, ("keeper", Keeper), ("kind", kind));
        using var reader = command.ExecuteReader();
        var set = new HashSet<Address>();
        while (reader.Read()) set.Add(Address.Parse(reader.GetString(0)));
        return (IReadOnlySet<Address>)set;
    });

    /// <summary>
    /// The unfinished intents of OTHER keepers on <paramref name="pools"/> (the pools this keeper now holds), oldest
    /// first, each with its keeper's signing address (null when the keeper never registered): what a new holder settles
    /// before it plans for the pool.
    /// </summary>
    public IReadOnlyList<(IntentRecord Intent, string Keeper, Address? Sender)> ForeignUnfinishedIntents(IReadOnlyCollection<Address> pools)
    {
        if (pools.Count == 0) return [];
        return Read(c =>
        {
            using var command = Command(c, null, $"""
                SELECT {string.Join(", ", IntentColumns.Split(", ").Select(col => "i." + col))}, i.keeper, k.address FROM intents i LEFT JOIN keepers k ON k.id = i.keeper
                WHERE i.keeper <> @keeper AND i.pool = ANY(@pools) AND i.status IN ('pending', 'sent') ORDER BY i.id;
                """, ("keeper", Keeper), ("pools", pools.Select(p => p.ToLowerHex()).ToArray()));
            using var reader = command.ExecuteReader();
            var list = new List<(IntentRecord, string, Address?)>();
            while (reader.Read())
                list.Add((ReadIntent(reader), reader.GetString(9), reader.IsDBNull(10) ? null : Address.Parse(reader.GetString(10))));
            return (IReadOnlyList<(IntentRecord, string, Address?)>)list;
        });
    }

    /// <inheritdoc />
    public void FinishIntent(long intentId, IntentStatus status, string reason)
    {
        if (status is not (IntentStatus.Failed or IntentStatus.Superseded))
            throw new ArgumentOutOfRangeException(nameof(status), status, "FinishIntent sets Failed or Superseded; a mined intent is recorded with RecordOutcome.");
        InTransaction((connection, tx) =>
        {
            SetIntentStatus(connection, tx, intentId, status, reason);
            Execute(connection, tx, "UPDATE attempts SET status = 'superseded', reason = COALESCE(reason, @r) WHERE intent_id = @id AND status = 'broadcast';", ("id", intentId), ("r", reason));
            Execute(connection, tx, "UPDATE attempts SET status = 'rejected', reason = COALESCE(reason, @r) WHERE intent_id = @id AND status = 'signed';", ("id", intentId), ("r", reason));
            return 0;
        });
    }

    // ---------------------------------------------------------------- attempts

    /// <inheritdoc />
    public AttemptRecord AddAttempt(long intentId, SignedTransaction signed) => AddAttempts([(intentId, signed)])[0];

    /// <summary>
    /// Journals the signed attempts in ONE transaction, committed before any is broadcast. For each intent on a pool the
    /// transaction first checks (locking the lease row against a concurrent take until it commits) that this keeper holds
    /// the pool's live lease with its token; a stale or missing lease throws <see cref="FencingTokenRejectedException"/>
    /// and rolls everything back.
    /// </summary>
    public IReadOnlyList<AttemptRecord> AddAttempts(IReadOnlyList<(long IntentId, SignedTransaction Signed)> attempts)
    {
        ArgumentNullException.ThrowIfNull(attempts);
        foreach (var (_, signed) in attempts)
            if (signed.Transaction is not Eip1559Transaction)
                throw new ArgumentException($"The keeper journals EIP-1559 (type 2) transactions only; got {signed.Type}.", nameof(attempts));
        var ids = InTransaction((connection, tx) =>
        {
            var list = new List<long>(attempts.Count);
            foreach (var (intentId, signed) in attempts)
            {
                var tx1559 = (Eip1559Transaction)signed.Transaction;
                var intent = QueryIntents(connection, tx, "WHERE id = @id FOR UPDATE", ("id", intentId)).SingleOrDefault()
                    ?? throw new KeyNotFoundException($"The journal {Location} has no intent {intentId}.");
                if (intent.IsFinished)
                    throw new InvalidOperationException($"Intent '{intent.Key}' is already {intent.Status}; no new attempt may be signed for it.");
                long? token = intent.Pool is { } pool ? CheckFence(connection, tx, pool) : null;
                list.Add((long)Scalar(connection, tx, """
                    INSERT INTO attempts (intent_id, nonce, raw_tx, tx_hash, max_fee_per_gas, max_priority_fee_per_gas, fencing_token, written_at, status)
                    VALUES (@intent, @nonce, @raw, @hash, CAST(@maxFee AS NUMERIC), CAST(@tip AS NUMERIC), @token, @now, 'signed') RETURNING id;
                    """, ("intent", intentId), ("nonce", (long)tx1559.Nonce), ("raw", signed.RawHex), ("hash", signed.HashHex),
                    ("maxFee", Text(tx1559.MaxFeePerGas)), ("tip", Text(tx1559.MaxPriorityFeePerGas)), ("token", token), ("now", Now()))!);
            }
            return list;
        });
        return ids.Select(GetAttempt).ToArray();
    }

    /// <summary>The fencing check: this keeper's token for <paramref name="pool"/> is the live lease's; the row is share-locked until commit.</summary>
    private long CheckFence(NpgsqlConnection connection, NpgsqlTransaction tx, Address pool)
    {
        if (!_tokens.TryGetValue(pool, out var token))
            throw new FencingTokenRejectedException(pool, Keeper, null, "it holds no lease on the pool");
        var live = Scalar(connection, tx,
            "SELECT 1 FROM pool_leases WHERE pool = @pool AND holder = @keeper AND token = @token AND expires_at > clock_timestamp() FOR SHARE;",
            ("pool", pool.ToLowerHex()), ("keeper", Keeper), ("token", token));
        if (live is not null) return token;
        var lease = QueryLeases(connection, tx, "WHERE pool = @pool", ("pool", pool.ToLowerHex())).SingleOrDefault();
        var detail = lease switch
        {
            null => $"its token {token} names no lease (the pool has none)",
            { Holder: { } holder } when holder != Keeper || lease.Token != token =>
                $"its token {token} is stale: the lease is held by '{holder}' with token {lease.Token} since {lease.Since:O}",
            { Holder: null } => $"its token {token} is stale: the lease was released (token {lease.Token})",
            _ => $"its lease (token {token}) expired at {lease.ExpiresAt:O}",
        };
        throw new FencingTokenRejectedException(pool, Keeper, token, detail);
    }

    /// <inheritdoc />
    public AttemptRecord MarkBroadcast(long attemptId, long block)
    {
        InTransaction((connection, tx) =>
        {
            var now = Now();
            Execute(connection, tx, "UPDATE attempts SET status = 'broadcast', broadcast_at = COALESCE(broadcast_at, @now), broadcast_block = COALESCE(broadcast_block, @block) WHERE id = @id AND status IN ('signed', 'broadcast');",
                ("id", attemptId), ("now", now), ("block", block));
            Execute(connection, tx, "UPDATE intents SET status = 'sent', updated_at = @now WHERE id = (SELECT intent_id FROM attempts WHERE id = @id) AND status = 'pending';",
                ("id", attemptId), ("now", now));
            return 0;
        });
        return GetAttempt(attemptId);
    }

    /// <inheritdoc />
    public AttemptRecord MarkRejected(long attemptId, string reason)
    {
        Read(c => Execute(c, null, "UPDATE attempts SET status = 'rejected', reason = @r WHERE id = @id AND status = 'signed';", ("id", attemptId), ("r", reason)));
        return GetAttempt(attemptId);
    }

    /// <inheritdoc />
    public AttemptRecord GetAttempt(long attemptId) =>
        Read(c => QueryAttempts(c, null, "WHERE id = @id", ("id", attemptId)).SingleOrDefault())
        ?? throw new KeyNotFoundException($"The journal {Location} has no attempt {attemptId}.");

    /// <inheritdoc />
    public IReadOnlyList<AttemptRecord> Attempts(long intentId) => Read(c => QueryAttempts(c, null, "WHERE intent_id = @id ORDER BY id", ("id", intentId)));

    /// <inheritdoc />
    public long? HighestLiveNonce() => Read(c => Scalar(c, null, """
        SELECT MAX(a.nonce) FROM attempts a JOIN intents i ON i.id = a.intent_id
        WHERE i.keeper = @keeper AND i.status IN ('pending', 'sent') AND a.status IN ('signed', 'broadcast');
        """, ("keeper", Keeper)) is long n ? n : (long?)null);

    // ---------------------------------------------------------------- outcomes

    /// <inheritdoc />
    public OutcomeRecord RecordOutcome(long intentId, TransactionReceipt receipt)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        InTransaction((connection, tx) =>
        {
            var attempt = QueryAttempts(connection, tx, "WHERE intent_id = @id AND tx_hash = @hash", ("id", intentId), ("hash", receipt.TransactionHash.ToLowerInvariant())).SingleOrDefault()
                ?? throw new InvalidOperationException($"Receipt {receipt.TransactionHash} is not one of intent {intentId}'s attempts; refusing to record it.");
            var now = Now();
            Execute(connection, tx, """
                INSERT INTO outcomes (intent_id, attempt_id, tx_hash, block_number, block_hash, gas_used, effective_gas_price, success, recorded_at)
                VALUES (@intent, @attempt, @hash, @block, @blockHash, @gas, CAST(@price AS NUMERIC), @ok, @now)
                ON CONFLICT (intent_id) DO UPDATE SET attempt_id = excluded.attempt_id, tx_hash = excluded.tx_hash, block_number = excluded.block_number,
                    block_hash = excluded.block_hash, gas_used = excluded.gas_used, effective_gas_price = excluded.effective_gas_price,
                    success = excluded.success, recorded_at = excluded.recorded_at;
                """, ("intent", intentId), ("attempt", attempt.Id), ("hash", attempt.Hash), ("block", receipt.BlockNumber), ("blockHash", receipt.BlockHash),
                ("gas", receipt.GasUsed), ("price", Text(receipt.EffectiveGasPrice)), ("ok", receipt.Succeeded), ("now", now));
            Execute(connection, tx, "UPDATE attempts SET status = 'mined', broadcast_at = COALESCE(broadcast_at, @now) WHERE id = @id;", ("id", attempt.Id), ("now", now));
            Execute(connection, tx, "UPDATE attempts SET status = 'superseded', reason = COALESCE(reason, @r) WHERE intent_id = @intent AND id <> @id AND status IN ('signed', 'broadcast');",
                ("intent", intentId), ("id", attempt.Id), ("r", $"attempt {attempt.Id} ({attempt.Hash}) was mined instead"));
            SetIntentStatus(connection, tx, intentId, receipt.Succeeded ? IntentStatus.Mined : IntentStatus.Failed,
                receipt.Succeeded ? null : $"transaction {attempt.Hash} was mined in block {receipt.BlockNumber} but reverted");
            return 0;
        });
        return Outcome(intentId)!;
    }

    /// <inheritdoc />
    public OutcomeRecord? Outcome(long intentId) => Read(c =>
    {
        using var command = Command(c, null, "SELECT intent_id, attempt_id, tx_hash, block_number, block_hash, gas_used, effective_gas_price::text, success, recorded_at FROM outcomes WHERE intent_id = @id;", ("id", intentId));
        using var reader = command.ExecuteReader();
        if (!reader.Read()) return null;
        return new OutcomeRecord(reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.GetInt64(3), reader.GetString(4), reader.GetInt64(5),
            BigInteger.Parse(reader.GetString(6), CultureInfo.InvariantCulture), reader.GetBoolean(7), reader.GetFieldValue<DateTimeOffset>(8));
    });

    // ---------------------------------------------------------------- the fleet: keepers and leases

    /// <summary>Registers this keeper (or marks it seen again) with its signing address.</summary>
    public void RegisterKeeper(Address address) => Write(() => Read(c => LeaseStatement(1, () => Execute(c, null, """
        INSERT INTO keepers (id, address, registered_at, last_seen) VALUES (@id, @address, clock_timestamp(), clock_timestamp())
        ON CONFLICT (id) DO UPDATE SET address = excluded.address, last_seen = excluded.last_seen;
        """, ("id", Keeper), ("address", address.ToLowerHex())))));

    /// <summary>The registered keepers, by id.</summary>
    public IReadOnlyList<FleetKeeper> Keepers() => Read(c => LeaseStatement(1, () => QueryKeepers(c)));

    private static List<FleetKeeper> QueryKeepers(NpgsqlConnection connection)
    {
        using var command = Command(connection, null, "SELECT id, address, registered_at, last_seen FROM keepers ORDER BY id;");
        using var reader = command.ExecuteReader();
        var list = new List<FleetKeeper>();
        while (reader.Read())
            list.Add(new FleetKeeper(reader.GetString(0), Address.Parse(reader.GetString(1)), reader.GetFieldValue<DateTimeOffset>(2), reader.GetFieldValue<DateTimeOffset>(3)));
        return list;
    }

    /// <summary>
    /// Takes <paramref name="pool"/>'s lease for <paramref name="ttl"/> when it is free, released, expired or already this
    /// keeper's (one statement). The token increases whenever the holder changes (a release counts as a change). Returns
    /// the lease, or null when another keeper holds it live.
    /// </summary>
    public PoolLease? TakeLease(Address pool, TimeSpan ttl)
    {
        Interlocked.Increment(ref _leaseStatements);
        Ttl(ttl);
        var lease = Write(() => Read(c => QueryLeasesSql(c, null, """
            INSERT INTO pool_leases AS l (pool, holder, token, since, expires_at)
            VALUES (@pool, @keeper, 1, clock_timestamp(), clock_timestamp() + @ttl)
            ON CONFLICT (pool) DO UPDATE SET
                holder = excluded.holder,
                token = CASE WHEN l.holder IS NOT DISTINCT FROM excluded.holder THEN l.token ELSE l.token + 1 END,
                since = CASE WHEN l.holder IS NOT DISTINCT FROM excluded.holder THEN l.since ELSE excluded.since END,
                expires_at = excluded.expires_at
            WHERE l.holder IS NULL OR l.holder = excluded.holder OR l.expires_at <= clock_timestamp()
            RETURNING pool, holder, token, since, expires_at;
            """, ("pool", pool.ToLowerHex()), ("keeper", Keeper), ("ttl", ttl)).SingleOrDefault()));
        if (lease is null) _tokens.TryRemove(pool, out _);
        else _tokens[pool] = lease.Token;
        return lease;
    }

    /// <summary>
    /// Extends this keeper's live lease on <paramref name="pool"/> by <paramref name="ttl"/> from now (one statement), only
    /// while it is live and the token unchanged. Returns the lease, or null — the lease is lost and the keeper forgets it.
    /// </summary>
    public PoolLease? RenewLease(Address pool, TimeSpan ttl)
    {
        Interlocked.Increment(ref _leaseStatements);
        Ttl(ttl);
        if (!_tokens.TryGetValue(pool, out var token)) return null;
        var lease = Write(() => Read(c => QueryLeasesSql(c, null, """
            UPDATE pool_leases SET expires_at = clock_timestamp() + @ttl
            WHERE pool = @pool AND holder = @keeper AND token = @token AND expires_at > clock_timestamp()
            RETURNING pool, holder, token, since, expires_at;
            """, ("pool", pool.ToLowerHex()), ("keeper", Keeper), ("token", token), ("ttl", ttl)).SingleOrDefault()));
        if (lease is null) _tokens.TryRemove(pool, out _);
        return lease;
    }

    /// <summary>
    /// Statements this journal sent for the fleet's bookkeeping (the heartbeat, reading the keepers and the leases,
    /// taking, renewing and handing back leases) since it was opened: a keeper's lease traffic.
    /// </summary>
    public long LeaseStatements => Interlocked.Read(ref _leaseStatements);

    private long _leaseStatements;

    private T LeaseStatement<T>(int statements, Func<T> body)
    {
        Interlocked.Add(ref _leaseStatements, statements);
        return body();
    }

    /// <summary>
    /// <see cref="RenewLease"/> for many pools in one statement (one round trip whatever the number of pools a keeper
    /// holds): each of <paramref name="pools"/> is extended by <paramref name="ttl"/> from now only while this keeper holds
    /// it live with the token it carries. Returns the leases renewed; a pool missing from the answer is lost, and its
    /// token forgotten. A pool this keeper carries no token for is not renewed (take it with <see cref="TakeLease"/>).
    /// </summary>
    public IReadOnlyList<PoolLease> RenewLeases(IReadOnlyCollection<Address> pools, TimeSpan ttl)
    {
        ArgumentNullException.ThrowIfNull(pools);
        Ttl(ttl);
        var mine = pools.Select(p => (Pool: p, Token: _tokens.TryGetValue(p, out var t) ? t : (long?)null)).Where(m => m.Token is not null).ToArray();
        if (mine.Length == 0) return [];
        Interlocked.Increment(ref _leaseStatements);
        var renewed = Write(() => Read(c => QueryLeasesSql(c, null, """
            UPDATE pool_leases AS l SET expires_at = clock_timestamp() + @ttl
            FROM unnest(@pools::text[], @tokens::bigint[]) AS mine (pool, token)
            WHERE l.pool = mine.pool AND l.holder = @keeper AND l.token = mine.token AND l.expires_at > clock_timestamp()
            RETURNING l.pool, l.holder, l.token, l.since, l.expires_at;
            """, ("pools", mine.Select(m => m.Pool.ToLowerHex()).ToArray()), ("tokens", mine.Select(m => m.Token!.Value).ToArray()),
            ("keeper", Keeper), ("ttl", ttl))));
        var kept = renewed.Select(l => l.Pool).ToHashSet();
        foreach (var (pool, _) in mine)
            if (!kept.Contains(pool)) _tokens.TryRemove(pool, out _);
        return renewed;
    }

    /// <summary>Hands <paramref name="pool"/>'s lease back at once (one statement) so another keeper may take it; true when this keeper held it.</summary>
    public bool ReleaseLease(Address pool)
    {
        Interlocked.Increment(ref _leaseStatements);
        if (!_tokens.TryRemove(pool, out var token)) return false;
        return Write(() => Read(c => Execute(c, null,
            "UPDATE pool_leases SET holder = NULL, expires_at = clock_timestamp() WHERE pool = @pool AND holder = @keeper AND token = @token;",
            ("pool", pool.ToLowerHex()), ("keeper", Keeper), ("token", token)))) == 1;
    }

    /// <summary>
    /// Whether a journal write for <paramref name="pool"/> would pass the fencing check now — the very check
    /// <see cref="AddAttempts"/> makes — without writing anything. The keeper asks it before it plans for a pool.
    /// </summary>
    public bool HoldsLiveLease(Address pool)
    {
        try
        {
            return InTransaction((connection, tx) => CheckFence(connection, tx, pool) > 0);
        }
        catch (FencingTokenRejectedException)
        {
            return false;
        }
    }

    /// <summary>The token this keeper carries for <paramref name="pool"/> (its last take or renew), or null.</summary>
    public long? TokenFor(Address pool) => _tokens.TryGetValue(pool, out var token) ? token : null;

    /// <summary>Every pool's lease as the database holds it now, with the database's clock.</summary>
    public (IReadOnlyList<PoolLease> Leases, DateTimeOffset Now) Leases() => Read(c =>
    {
        Interlocked.Add(ref _leaseStatements, 2); // the server's clock, then the leases
        DateTimeOffset now;
        using (var command = Command(c, null, "SELECT clock_timestamp();"))
        using (var reader = command.ExecuteReader())
        {
            reader.Read();
            now = reader.GetFieldValue<DateTimeOffset>(0);
        }
        return ((IReadOnlyList<PoolLease>)QueryLeases(c, null, "ORDER BY pool"), now);
    });

    /// <summary>
    /// The fleet as <c>treasury status</c> shows it — every pool's lease and every keeper, with the database's clock —
    /// read without opening a journal (no migration, nothing written). A database without the fleet's tables yet
    /// reads as an empty fleet.
    /// </summary>
    public static FleetSnapshot ReadFleet(string connectionString)
    {
        using var source = NpgsqlDataSource.Create(connectionString);
        using var connection = source.OpenConnection();
        DateTimeOffset now;
        using (var command = Command(connection, null, "SELECT clock_timestamp(), to_regclass('pool_leases') IS NOT NULL;"))
        using (var reader = command.ExecuteReader())
        {
            reader.Read();
            now = reader.GetFieldValue<DateTimeOffset>(0);
            if (!reader.GetBoolean(1)) return new FleetSnapshot([], [], now);
        }
        return new FleetSnapshot(QueryLeases(connection, null, "ORDER BY pool"), QueryKeepers(connection), now);
    }

    private static void Ttl(TimeSpan ttl)
    {
        if (ttl <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(ttl), ttl, "a lease's time to live must be positive");
    }

    // ---------------------------------------------------------------- plumbing

    private void SetIntentStatus(NpgsqlConnection connection, NpgsqlTransaction tx, long intentId, IntentStatus status, string? reason) =>
        Execute(connection, tx, "UPDATE intents SET status = @s, reason = @r, updated_at = @now WHERE id = @id;",
            ("id", intentId), ("s", status.ToString().ToLowerInvariant()), ("r", reason), ("now", Now()));

    private const string IntentColumns = "id, key, kind, payload, created_at, status, reason, updated_at, pool";

    private static List<IntentRecord> QueryIntents(NpgsqlConnection connection, NpgsqlTransaction? tx, string where, params (string, object?)[] parameters)
    {
        using var command = Command(connection, tx, $"SELECT {IntentColumns} FROM intents {where};", parameters);
        using var reader = command.ExecuteReader();
        var list = new List<IntentRecord>();
        while (reader.Read()) list.Add(ReadIntent(reader));
        return list;
    }

    private static IntentRecord ReadIntent(NpgsqlDataReader reader) =>
        new(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetFieldValue<DateTimeOffset>(4),
            Enum.Parse<IntentStatus>(reader.GetString(5), ignoreCase: true), reader.IsDBNull(6) ? null : reader.GetString(6), reader.GetFieldValue<DateTimeOffset>(7))
        {
            Pool = reader.IsDBNull(8) ? null : Address.Parse(reader.GetString(8)),
        };

    private static (IntentRecord Intent, string Keeper) QueryIntentWithKeeper(NpgsqlConnection connection, NpgsqlTransaction tx, string key)
    {
        using var command = Command(connection, tx, $"SELECT {IntentColumns}, keeper FROM intents WHERE key = @key;", ("key", key));
        using var reader = command.ExecuteReader();
        if (!reader.Read()) throw new InvalidOperationException($"Intent key '{key}' vanished while it was being read.");
        return (ReadIntent(reader), reader.GetString(9));
    }

    private static List<AttemptRecord> QueryAttempts(NpgsqlConnection connection, NpgsqlTransaction? tx, string where, params (string, object?)[] parameters)
    {
        using var command = Command(connection, tx,
            $"SELECT id, intent_id, nonce, raw_tx, tx_hash, max_fee_per_gas::text, max_priority_fee_per_gas::text, written_at, broadcast_at, broadcast_block, status, reason FROM attempts {where};", parameters);
        using var reader = command.ExecuteReader();
        var list = new List<AttemptRecord>();
        while (reader.Read())
            list.Add(new AttemptRecord(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetString(3), reader.GetString(4),
                BigInteger.Parse(reader.GetString(5), CultureInfo.InvariantCulture), BigInteger.Parse(reader.GetString(6), CultureInfo.InvariantCulture),
                reader.GetFieldValue<DateTimeOffset>(7), reader.IsDBNull(8) ? null : reader.GetFieldValue<DateTimeOffset>(8), reader.IsDBNull(9) ? null : reader.GetInt64(9),
                Enum.Parse<AttemptStatus>(reader.GetString(10), ignoreCase: true), reader.IsDBNull(11) ? null : reader.GetString(11)));
        return list;
    }

    private static List<PoolLease> QueryLeases(NpgsqlConnection connection, NpgsqlTransaction? tx, string where, params (string, object?)[] parameters) =>
        QueryLeasesSql(connection, tx, $"SELECT pool, holder, token, since, expires_at FROM pool_leases {where};", parameters);

    private static List<PoolLease> QueryLeasesSql(NpgsqlConnection connection, NpgsqlTransaction? tx, string sql, params (string, object?)[] parameters)
    {
        using var command = Command(connection, tx, sql, parameters);
        using var reader = command.ExecuteReader();
        var list = new List<PoolLease>();
        while (reader.Read())
            list.Add(new PoolLease(Address.Parse(reader.GetString(0)), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetInt64(2),
                reader.GetFieldValue<DateTimeOffset>(3), reader.GetFieldValue<DateTimeOffset>(4)));
        return list;
    }

    private static string Text(BigInteger value) => value.ToString(CultureInfo.InvariantCulture);

    private DateTimeOffset Now() => _time.GetUtcNow().ToUniversalTime();

    private T Read<T>(Func<NpgsqlConnection, T> work)
    {
        using var connection = _source.OpenConnection();
        return work(connection);
    }

    private T InTransaction<T>(Func<NpgsqlConnection, NpgsqlTransaction, T> work) => Write(() =>
    {
        using var connection = _source.OpenConnection();
        using var tx = connection.BeginTransaction(IsolationLevel.ReadCommitted);
        var result = work(connection, tx);
        tx.Commit();
        return result;
    });

    /// <summary>
    /// Raised each time a write (a journal transaction, a lease or heartbeat statement) fails in PostgreSQL or on the way
    /// to it — the server unreachable, the connection dropped, a statement timed out — before the exception goes on to
    /// the caller unchanged. The keeper counts these (treasury_keeper_journal_write_failures_total), as it does the SQLite
    /// journal's. A refused fencing token is not a failure of the write: it is not counted here.
    /// </summary>
    public event Action<NpgsqlException>? WriteFailed;

    /// <summary>Writes that failed since this journal was opened.</summary>
    public long WriteFailures => Interlocked.Read(ref _writeFailures);

    private long _writeFailures;

    private T Write<T>(Func<T> body)
    {
        try
        {
            return body();
        }
        catch (NpgsqlException e)
        {
            Interlocked.Increment(ref _writeFailures);
            WriteFailed?.Invoke(e);
            throw;
        }
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection, tx);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }

    private static int Execute(NpgsqlConnection connection, NpgsqlTransaction? tx, string sql, params (string, object?)[] parameters)
    {
        using var command = Command(connection, tx, sql, parameters);
        return command.ExecuteNonQuery();
    }

    private static object? Scalar(NpgsqlConnection connection, NpgsqlTransaction? tx, string sql, params (string, object?)[] parameters)
    {
        using var command = Command(connection, tx, sql, parameters);
        var value = command.ExecuteScalar();
        return value is DBNull ? null : value;
    }

    public void Dispose() => _source.Dispose();
}
