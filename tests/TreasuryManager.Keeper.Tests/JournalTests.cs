using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using TreasuryManager.Ethereum;
using TreasuryManager.Ethereum.JsonRpc;
using TreasuryManager.Ethereum.Transactions;
using TreasuryManager.Keeper.Journal;
using TreasuryManager.Testing;

namespace TreasuryManager.Keeper.Tests;

public sealed class JournalTests : IDisposable
{
    private readonly TempJournal _temp = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));

    public void Dispose() => _temp.Dispose();

    private static SignedTransaction Signed(long nonce, long maxFee = 30_000_000_000) => new Eip1559Transaction
    {
        ChainId = 31337,
        Nonce = nonce,
        MaxFeePerGas = maxFee,
        MaxPriorityFeePerGas = 1_000_000_000,
        GasLimit = 21_000,
        To = Address.Parse("0x70997970C51812dc3A010C7d01b50e0d17dc79C8"),
        Value = 1,
    }.Sign(DevAccounts.Key(0));

    [Fact]
    public void Creates_the_versioned_schema_in_WAL_mode_and_reopens_without_migrating_again()
    {
        using (var journal = _temp.Open(_time))
        {
            Assert.Equal(TransactionJournal.SchemaVersion, journal.CurrentSchemaVersion);
            Assert.Equal("wal", journal.JournalMode);
        }
        using (var again = _temp.Open(_time))
            Assert.Equal(TransactionJournal.SchemaVersion, again.CurrentSchemaVersion);

        using var raw = new SqliteConnection($"Data Source={_temp.FilePath};Pooling=False");
        raw.Open();
        using var command = raw.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM schema_migrations; ";
        Assert.Equal((long)TransactionJournal.SchemaVersion, (long)command.ExecuteScalar()!);
        command.CommandText = "SELECT group_concat(name) FROM (SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name);";
        Assert.Equal("attempts,intents,outcomes,schema_migrations", (string)command.ExecuteScalar()!);
    }

    [Fact]
    public void A_schema_1_journal_is_migrated_and_its_intents_keep_their_pool_read_from_the_key()
    {
        // a journal as schema 1 wrote it: no pool column; keys "{kind}:{pool}:{block}"
        using (var raw = new SqliteConnection($"Data Source={_temp.FilePath};Pooling=False"))
        {
            raw.Open();
            using var command = raw.CreateCommand();
            command.CommandText = """
                CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL);
                INSERT INTO schema_migrations VALUES (1, 'intents, attempts and outcomes', '2026-11-01T00:00:00.0000000+00:00');
                CREATE TABLE intents (id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, payload TEXT NOT NULL, created_at TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'mined', 'failed', 'superseded')), reason TEXT, updated_at TEXT NOT NULL);
                CREATE TABLE attempts (id INTEGER PRIMARY KEY AUTOINCREMENT, intent_id INTEGER NOT NULL REFERENCES intents (id), nonce INTEGER NOT NULL, raw_tx TEXT NOT NULL,
                    tx_hash TEXT NOT NULL UNIQUE, max_fee_per_gas TEXT NOT NULL, max_priority_fee_per_gas TEXT NOT NULL, written_at TEXT NOT NULL, broadcast_at TEXT,
                    broadcast_block INTEGER, status TEXT NOT NULL, reason TEXT);
                CREATE TABLE outcomes (intent_id INTEGER PRIMARY KEY, attempt_id INTEGER NOT NULL, tx_hash TEXT NOT NULL, block_number INTEGER NOT NULL, block_hash TEXT NOT NULL,
                    gas_used INTEGER NOT NULL, effective_gas_price TEXT NOT NULL, success INTEGER NOT NULL, recorded_at TEXT NOT NULL);
                INSERT INTO intents (key, kind, payload, created_at, status, updated_at) VALUES
                    ('rebalance:0x00000000000000000000000000000000000000a1:12', 'rebalance', '{}', '2026-11-01T00:00:00.0000000+00:00', 'sent', '2026-11-01T00:00:00.0000000+00:00'),
                    ('hedge:0x00000000000000000000000000000000000000b2:13', 'hedge', '{}', '2026-11-01T00:00:00.0000000+00:00', 'pending', '2026-11-01T00:00:00.0000000+00:00'),
                    ('transfer:7', 'call', '{}', '2026-11-01T00:00:00.0000000+00:00', 'pending', '2026-11-01T00:00:00.0000000+00:00');
                """;
            command.ExecuteNonQuery();
        }
        using var journal = _temp.Open(_time);
        Assert.Equal(TransactionJournal.SchemaVersion, journal.CurrentSchemaVersion);
        var intents = journal.AllIntents();
        Assert.Equal(Address.Parse("0x00000000000000000000000000000000000000a1"), intents[0].Pool);
        Assert.Equal(Address.Parse("0x00000000000000000000000000000000000000b2"), intents[1].Pool);
        Assert.Null(intents[2].Pool);
    }

    [Fact]
    public void A_journal_from_a_newer_keeper_is_refused_with_the_fix()
    {
        using (_temp.Open(_time)) { }
        using (var raw = new SqliteConnection($"Data Source={_temp.FilePath};Pooling=False"))
        {
            raw.Open();
            using var command = raw.CreateCommand();
            command.CommandText = "INSERT INTO schema_migrations VALUES (99, 'future', '2030-01-01');";
            command.ExecuteNonQuery();
        }
        var error = Assert.Throws<InvalidOperationException>(() => _temp.Open(_time));
        Assert.Contains("schema version 99", error.Message);
        Assert.Contains("keeper at least as new", error.Message);
    }

    [Fact]
    public void One_key_is_one_intent_and_a_different_payload_under_it_is_refused()
    {
        using var journal = _temp.Open(_time);
        var (first, created) = journal.GetOrCreateIntent("rebalance:pool:1", "rebalance", "{\"a\":1}");
        var (second, createdAgain) = journal.GetOrCreateIntent("rebalance:pool:1", "rebalance", "{\"a\":1}");
        Assert.True(created);
        Assert.False(createdAgain);
        Assert.Equal(first, second);
        Assert.Equal(IntentStatus.Pending, first.Status);
        Assert.Equal(_time.GetUtcNow(), first.CreatedAt);

        var error = Assert.Throws<InvalidOperationException>(() => journal.GetOrCreateIntent("rebalance:pool:1", "rebalance", "{\"a\":2}"));
        Assert.Contains("rebalance:pool:1", error.Message);
        Assert.Contains("use a new key", error.Message);
    }

    [Fact]
    public void Attempts_are_committed_with_their_raw_bytes_and_an_outcome_supersedes_the_siblings()
    {
        using (var journal = _temp.Open(_time))
        {
            var (intent, _) = journal.GetOrCreateIntent("k", "transfer", "{}");
            var first = journal.AddAttempt(intent.Id, Signed(7));
            Assert.Equal(AttemptStatus.Signed, first.Status);
            Assert.Equal(7, journal.HighestLiveNonce());
            journal.MarkBroadcast(first.Id, 100);
            Assert.Equal(IntentStatus.Sent, journal.GetIntent(intent.Id).Status);
            _time.Advance(TimeSpan.FromSeconds(12));
            journal.AddAttempt(intent.Id, Signed(7, 40_000_000_000));
        }

        // A second process (after a crash) sees everything that was committed.
        using var reopened = _temp.Open(_time);
        var intentAgain = Assert.Single(reopened.UnfinishedIntents());
        var attempts = reopened.Attempts(intentAgain.Id);
        Assert.Equal(2, attempts.Count);
        Assert.Equal(Signed(7, 40_000_000_000).RawHex, attempts[1].RawHex);
        Assert.Equal(Signed(7, 40_000_000_000).HashHex, attempts[1].Hash);
        Assert.Equal(40_000_000_000, attempts[1].MaxFeePerGas);
        Assert.Equal(100, attempts[0].BroadcastBlock);

        var receipt = new TransactionReceipt(attempts[1].Hash, 101, "0xblock", DevAccounts.Key(0).Address, null, null, true, 21_000, 2_000_000_000, []);
        var outcome = reopened.RecordOutcome(intentAgain.Id, receipt);
        Assert.Equal(attempts[1].Id, outcome.AttemptId);
        Assert.Equal(IntentStatus.Mined, reopened.GetIntent(intentAgain.Id).Status);
        Assert.Equal([AttemptStatus.Superseded, AttemptStatus.Mined], reopened.Attempts(intentAgain.Id).Select(a => a.Status));
        Assert.Null(reopened.HighestLiveNonce());
        Assert.Empty(reopened.UnfinishedIntents());
        Assert.Throws<InvalidOperationException>(() => reopened.AddAttempt(intentAgain.Id, Signed(8)));
    }

    [Fact]
    public void A_receipt_that_is_not_an_attempt_of_the_intent_is_refused()
    {
        using var journal = _temp.Open(_time);
        var (intent, _) = journal.GetOrCreateIntent("k", "transfer", "{}");
        journal.AddAttempt(intent.Id, Signed(1));
        var stranger = new TransactionReceipt("0x" + new string('a', 64), 5, "0xb", DevAccounts.Key(0).Address, null, null, true, 21_000, 1, []);
        Assert.Throws<InvalidOperationException>(() => journal.RecordOutcome(intent.Id, stranger));
    }

    [Fact]
    public void A_missing_folder_is_named_in_the_error()
    {
        var error = Assert.Throws<DirectoryNotFoundException>(() => TransactionJournal.Open(Path.Combine(_temp.Folder, "no", "such", "j.db")));
        Assert.Contains("does not exist", error.Message);
    }
}
