using Microsoft.Extensions.Time.Testing;
using TreasuryManager.Ethereum;
using TreasuryManager.Ethereum.JsonRpc;
using TreasuryManager.Ethereum.Transactions;
using TreasuryManager.Keeper.Execution;
using TreasuryManager.Keeper.Journal;
using TreasuryManager.Testing;

namespace TreasuryManager.Keeper.Tests;

/// <summary>
/// The journal's contract (<see cref="ITransactionJournal"/>): one test class, run against each implementation — the
/// SQLite file (<see cref="SqliteJournalContractTests"/>) and PostgreSQL on a real local server
/// (<see cref="PostgresJournalContractTests"/>). <see cref="Open"/> opens the same journal again each time it is
/// called, as a restarted keeper would.
/// </summary>
public abstract class JournalContractTests : IAsyncLifetime
{
    protected FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));

    /// <summary>Opens the test's journal (a second call reopens the same one).</summary>
    protected abstract ITransactionJournal Open();

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual Task DisposeAsync() => Task.CompletedTask;

    internal static SignedTransaction Signed(long nonce, long maxFee = 30_000_000_000) => new Eip1559Transaction
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
    public void One_key_is_one_intent_and_a_different_payload_under_it_is_refused()
    {
        using var journal = Open();
        var (first, created) = journal.GetOrCreateIntent("rebalance:pool:1", "rebalance", "{\"a\":1}");
        var (second, createdAgain) = journal.GetOrCreateIntent("rebalance:pool:1", "rebalance", "{\"a\":1}");
        Assert.True(created);
        Assert.False(createdAgain);
        Assert.Equal(first, second);
        Assert.Equal(IntentStatus.Pending, first.Status);
        Assert.Equal(Time.GetUtcNow(), first.CreatedAt);

        var error = Assert.Throws<InvalidOperationException>(() => journal.GetOrCreateIntent("rebalance:pool:1", "rebalance", "{\"a\":2}"));
        Assert.Contains("rebalance:pool:1", error.Message);
        Assert.Contains("use a new key", error.Message);
    }

    [Fact]
    public void Attempts_are_committed_with_their_raw_bytes_and_an_outcome_supersedes_the_siblings()
    {
        using (var journal = Open())
        {
            var (intent, _) = journal.GetOrCreateIntent("k", "transfer", "{}");
            var first = journal.AddAttempt(intent.Id, Signed(7));
            Assert.Equal(AttemptStatus.Signed, first.Status);
            Assert.Equal(7, journal.HighestLiveNonce());
            journal.MarkBroadcast(first.Id, 100);
            Assert.Equal(IntentStatus.Sent, journal.GetIntent(intent.Id).Status);
            Time.Advance(TimeSpan.FromSeconds(12));
            journal.AddAttempt(intent.Id, Signed(7, 40_000_000_000));
        }

        // A second process (after a crash) sees everything that was committed.
        using var reopened = Open();
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
        using var journal = Open();
        var (intent, _) = journal.GetOrCreateIntent("k", "transfer", "{}");
        journal.AddAttempt(intent.Id, Signed(1));
        var stranger = new TransactionReceipt("0x" + new string('a', 64), 5, "0xb", DevAccounts.Key(0).Address, null, null, true, 21_000, 1, []);
        Assert.Throws<InvalidOperationException>(() => journal.RecordOutcome(intent.Id, stranger));
    }

    [Fact]
    public void A_second_key_after_a_finished_intent_signs_above_nothing_and_a_failed_intent_retires_its_attempts()
    {
        using var journal = Open();
        var (intent, _) = journal.GetOrCreateIntent("k1", "transfer", "{}");
        var signed = journal.AddAttempt(intent.Id, Signed(3));
        var broadcast = journal.AddAttempt(intent.Id, Signed(3, 40_000_000_000));
        journal.MarkBroadcast(broadcast.Id, 9);
        Assert.Equal(3, journal.HighestLiveNonce());
        journal.FinishIntent(intent.Id, IntentStatus.Superseded, "nonce 3 was taken");
        Assert.Equal([AttemptStatus.Rejected, AttemptStatus.Superseded], journal.Attempts(intent.Id).Select(a => a.Status));
        Assert.Equal("nonce 3 was taken", journal.GetIntent(intent.Id).Reason);
        Assert.Null(journal.HighestLiveNonce());
        Assert.Empty(journal.UnfinishedIntents());
        Assert.Equal(signed.Id, journal.Attempts(intent.Id)[0].Id);
        Assert.Throws<ArgumentOutOfRangeException>(() => journal.FinishIntent(intent.Id, IntentStatus.Mined, "no"));
    }

    [Fact]
    public void A_batch_of_attempts_commits_together_or_not_at_all()
    {
        using var journal = Open();
        var (a, _) = journal.GetOrCreateIntent("a", "transfer", "{}");
        var (b, _) = journal.GetOrCreateIntent("b", "transfer", "{}");
        var batch = journal.AddAttempts([(a.Id, Signed(1)), (b.Id, Signed(2))]);
        Assert.Equal([1L, 2L], batch.Select(x => x.Nonce));
        Assert.Equal(2, journal.HighestLiveNonce());

        // the second item names no intent: the whole batch rolls back, the first item's attempt included
        var (c, _) = journal.GetOrCreateIntent("c", "transfer", "{}");
        Assert.Throws<KeyNotFoundException>(() => journal.AddAttempts([(c.Id, Signed(3)), (999_999, Signed(4))]));
        Assert.Empty(journal.Attempts(c.Id));
        Assert.Equal(2, journal.HighestLiveNonce());
        Assert.Equal(["a", "b", "c"], journal.AllIntents().Select(i => i.Key));
    }

    [Fact]
    public void An_intent_keeps_its_pool()
    {
        using var journal = Open();
        var pool = Address.Parse("0x00000000000000000000000000000000000000a1");
        var (intent, _) = journal.GetOrCreateIntent(new IntentKey(IntentKind.Rebalance, pool, 12).ToString(), "rebalance", "{}", pool);
        Assert.Equal(pool, journal.GetIntent(intent.Id).Pool);
        Assert.Equal(pool, journal.FindIntent("rebalance:0x00000000000000000000000000000000000000a1:12")!.Pool);
        Assert.Null(journal.FindIntent("rebalance:0x00000000000000000000000000000000000000a1:13"));
    }
}

/// <summary>The journal's contract on the SQLite file.</summary>
public sealed class SqliteJournalContractTests : JournalContractTests, IDisposable
{
    private readonly TempJournal _temp = new();

    protected override ITransactionJournal Open() => _temp.Open(Time);

    public void Dispose() => _temp.Dispose();
}

/// <summary>The journal's contract on PostgreSQL: a real server (one per collection), a fresh database per test.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresJournalContractTests(PostgresFixture postgres) : JournalContractTests
{
    private string? _database;

    public override async Task InitializeAsync() => _database = await postgres.CreateDatabaseAsync();

    protected override ITransactionJournal Open() => PostgresJournal.Open(postgres.ConnectionString(_database!), "keeper-a", Time);
}
