using System.Numerics;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Ethereum.Encoding;
using TreasuryManager.Keeper.Journal;
using TreasuryManager.Testing;
using TreasuryManager.TestContracts;

namespace TreasuryManager.Keeper.Tests;

/// <summary>
/// Crash recovery with a real process death: the crash harness runs the executor for one intent
/// and kills itself (SIGKILL) at a named point; a second run of the harness — recovery, then the
/// same intent — must land exactly one transaction for it, and the journal must agree with the chain.
/// </summary>
[Collection(NodeCollection.Name)]
[Trait("Category", "Node")]
public sealed class CrashTests(LocalNodeFixture node) : KeeperNodeTest(node)
{
    [Theory]
    [InlineData("after-sign-before-broadcast")]
    [InlineData("after-broadcast-before-receipt")]
    public async Task Crash_at_any_point_lands_exactly_one_transaction_for_the_intent(string point)
    {
        var counter = await DeployCounterAsync(start: 5);
        var nonceBefore = await LatestNonceAsync();
        const string key = "rebalance:crash:1";

        var crashed = await RunHarnessAsync(counter, key, point);
        Assert.True(crashed.ExitCode != 0, $"the harness should have died at {point}; output:\n{crashed.Output}");
        Assert.Contains($"crashing at {point}", crashed.Output);

        // What the dead process left behind.
        using (var journal = Temp.Open())
        {
            var intent = journal.FindIntent(key)!;
            var attempt = Assert.Single(journal.Attempts(intent.Id));
            if (point == "after-sign-before-broadcast")
            {
                Assert.Equal(AttemptStatus.Signed, attempt.Status);
                Assert.Equal(IntentStatus.Pending, intent.Status);
                Assert.Equal(nonceBefore, await PendingNonceAsync()); // signed, never sent
            }
            else
            {
                Assert.Equal(AttemptStatus.Broadcast, attempt.Status);
                Assert.Equal(IntentStatus.Sent, intent.Status);
            }
        }

        var restarted = await RunHarnessAsync(counter, key, crashAt: null);
        Assert.True(restarted.ExitCode == 0, $"the restarted harness should land the intent; output:\n{restarted.Output}");
        Assert.Contains(point == "after-sign-before-broadcast" ? $"recovered {key}: Rebroadcast" : $"recovered {key}: Mined", restarted.Output);

        // Exactly one transaction for the intent on chain…
        Assert.Equal(nonceBefore + 1, await LatestNonceAsync());
        Assert.Equal(new BigInteger(6), await counter.CountAsync());
        // …and the journal agrees with it.
        using (var journal = Temp.Open())
        {
            var intent = Assert.Single(journal.AllIntents());
            Assert.Equal(IntentStatus.Mined, intent.Status);
            var attempt = Assert.Single(journal.Attempts(intent.Id));
            Assert.Equal(AttemptStatus.Mined, attempt.Status);
            var outcome = journal.Outcome(intent.Id)!;
            Assert.Equal(attempt.Hash, outcome.TransactionHash);
            var receipt = await Eth.GetTransactionReceiptAsync(outcome.TransactionHash);
            Assert.NotNull(receipt);
            Assert.True(receipt.Succeeded);
            Assert.Equal(receipt.BlockNumber, outcome.BlockNumber);
            Assert.Equal(receipt.GasUsed, outcome.GasUsed);
            Assert.Equal(nonceBefore, attempt.Nonce);
        }

        // A third run changes nothing.
        var again = await RunHarnessAsync(counter, key, crashAt: null);
        Assert.Equal(0, again.ExitCode);
        Assert.Equal(nonceBefore + 1, await LatestNonceAsync());
    }

    private Task<HarnessRun> RunHarnessAsync(Counter counter, string key, string? crashAt) =>
        CrashHarnessProcess.RunAsync(Node.RepositoryRoot,
        [
            "--rpc", Node.Node.Endpoint.ToString(),
            "--journal", Temp.FilePath,
            "--intent", key,
            "--to", counter.Address.ToString(),
            "--data", Hex.Encode(Counter.EncodeIncrement(1)),
            "--gas", "120000",
        ], Hex.Encode(Keeper.PrivateKeyBytes), crashAt);
}
