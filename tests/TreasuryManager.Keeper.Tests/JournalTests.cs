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

    [Fact]
    public void An_exclusive_journal_refuses_a_second_sender_until_the_first_is_closed()
    {
        var first = TransactionJournal.Open(_temp.FilePath, _time, exclusive: true);
        var refused = Assert.Throws<JournalInUseException>(() => TransactionJournal.Open(_temp.FilePath, _time, exclusive: true));
        Assert.Contains($"the journal {Path.GetFullPath(_temp.FilePath)} is in use by another keeper process (it holds {Path.GetFullPath(_temp.FilePath)}.lock)", refused.Message);
        Assert.Contains("two keepers must never share a key and a journal", refused.Message);
        using (var reader = _temp.Open()) Assert.Empty(reader.UnfinishedIntents()); // a non-exclusive open (a reader, a test) is not refused

        first.Dispose();
        using var second = TransactionJournal.Open(_temp.FilePath, _time, exclusive: true); // the lock went with the first
        Assert.Empty(second.UnfinishedIntents());
    }

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
    public void A_missing_folder_is_named_in_the_error()
    {
        var error = Assert.Throws<DirectoryNotFoundException>(() => TransactionJournal.Open(Path.Combine(_temp.Folder, "no", "such", "j.db")));
        Assert.Contains("does not exist", error.Message);
    }
}
