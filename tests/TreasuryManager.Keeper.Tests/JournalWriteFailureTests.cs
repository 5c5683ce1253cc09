using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using TreasuryManager.Keeper.Configuration;
using TreasuryManager.Keeper.Execution;
using TreasuryManager.Keeper.Hosting;
using TreasuryManager.Keeper.Journal;
using TreasuryManager.Testing;
using TreasuryManager.Keeper.Cycle;

namespace TreasuryManager.Keeper.Tests;

/// <summary>
/// A journal write SQLite refuses — here the file held locked by another process's connection (BEGIN EXCLUSIVE), a
/// real "database is locked" after SQLite's and Microsoft.Data.Sqlite's busy waits — stops the cycle before anything is
/// broadcast, counts treasury_keeper_journal_write_failures_total, and the bot logs one clear error and retries.
/// </summary>
[Collection(NodeCollection.Name)]
[Trait("Category", "Node")]
public sealed class JournalWriteFailureTests(LocalNodeFixture node) : TreasuryKeeperTest(node)
{
    [Fact]
    public async Task A_locked_journal_fails_the_cycle_before_any_broadcast_counts_the_failure_and_the_next_cycle_sends()
    {
        var metrics = new KeeperMetrics();
        var loggers = new CapturingLoggerFactory();
        var settings = Settings();
        using var runtime = await StartAsync(settings, metrics, loggers);
        await SellBaseAsync(30_000m);
        var nonce = await Eth.GetTransactionCountAsync(KeeperKey.Address);
        var poolBefore = await D.Pool.GetStateAsync();

        var service = new KeeperService(runtime, settings, metrics, loggers.CreateLogger<KeeperService>(), TimeProvider.System);
        using (var other = HoldLocked(settings.Journal))
        {
            await service.StartAsync(CancellationToken.None);
            await WaitUntilAsync(() => ((TransactionJournal)runtime.Journal!).WriteFailures >= 1, TimeSpan.FromSeconds(90));

            Assert.Equal(nonce, await Eth.GetTransactionCountAsync(KeeperKey.Address)); // nothing unjournaled was broadcast
            Assert.Equal(poolBefore, await D.Pool.GetStateAsync());
            Assert.Empty(runtime.Journal!.AllIntents()); // the refused write left no trace
        }

        // the lock released: the next block's cycle plans again, journals and sends
        await D.IncreaseTimeAsync(1); // a new block (the failed cycle had this one)
        await WaitUntilAsync(() => runtime.Journal!.AllIntents().Any(i => i.Status == IntentStatus.Mined), TimeSpan.FromSeconds(90));
        await service.StopAsync(CancellationToken.None);

        var text = await metrics.ExportAsync();
        Assert.Matches(@"(?m)^treasury_keeper_journal_write_failures_total [1-9]", text);
        Assert.Matches(@"(?m)^treasury_keeper_cycle_errors_total\{kind=""JournalWriteException""\} [1-9]", text);
        Assert.Contains("treasury_keeper_transactions_mined_total{kind=\"rebalance\"} 1", text);
        var error = Assert.Single(loggers.Entries, e => e.Level == LogLevel.Error && e.Message.StartsWith("Cycle failed", StringComparison.Ordinal));
        Assert.Contains(settings.Journal, error.Message, StringComparison.Ordinal);   // names the file
        Assert.Contains("database is locked", error.Message, StringComparison.Ordinal); // and SQLite's reason
        Assert.Contains("stop the process holding it", error.Message, StringComparison.Ordinal); // and what to do
        Assert.Equal(nonce + 1, await Eth.GetTransactionCountAsync(KeeperKey.Address));
        Assert.IsType<Hold>(Assert.Single((await runtime.Cycle.RunOnceAsync(act: false, evenIfSameBlock: true))!.Decisions));
    }

    [Fact]
    public void A_refused_write_throws_a_journal_write_exception_naming_the_file_and_counts_it()
    {
        using var journal = Temp.Open();
        var seen = new List<JournalWriteException>();
        journal.WriteFailed += seen.Add;
        journal.GetOrCreateIntent("before", "rebalance", "{}");

        using (HoldLocked(Temp.FilePath))
        {
            var e = Assert.Throws<JournalWriteException>(() => journal.GetOrCreateIntent("during", "rebalance", "{}"));
            Assert.Equal(Temp.FilePath, e.JournalPath);
            Assert.Equal(nameof(TransactionJournal.GetOrCreateIntent), e.Operation);
            Assert.Equal(5, e.SqliteErrorCode); // SQLITE_BUSY
            Assert.IsType<SqliteException>(e.InnerException);
        }

        Assert.Equal(1, journal.WriteFailures);
        Assert.Single(seen);
        Assert.Equal(["before"], journal.AllIntents().Select(i => i.Key));
        journal.GetOrCreateIntent("after", "rebalance", "{}"); // writable again once the lock is gone
        Assert.Equal(1, journal.WriteFailures);
    }

    /// <summary>Another connection holding the journal's write lock (as a second keeper on the same file would).</summary>
    private static SqliteConnection HoldLocked(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "BEGIN EXCLUSIVE;";
        command.ExecuteNonQuery();
        return connection;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"the condition did not hold within {limit.TotalSeconds} s");
            await Task.Delay(100);
        }
    }
}
