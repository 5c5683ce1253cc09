using System.Text.Json;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Ethereum.Encoding;
using TreasuryManager.Keeper.Journal;
using TreasuryManager.Testing;

namespace TreasuryManager.Keeper.Tests;

/// <summary>
/// The whole keeper killed with SIGKILL mid-rebalance — after signing (before broadcast) and after broadcast (before
/// the receipt) — and restarted from its configuration: exactly one rebalance lands for the plan, the journal agrees
/// with the chain, and a third start sends nothing.
/// </summary>
[Collection(NodeCollection.Name)]
[Trait("Category", "Node")]
public sealed class KeeperCrashTests(LocalNodeFixture node) : TreasuryKeeperTest(node)
{
    [Theory]
    [InlineData("after-sign-before-broadcast")]
    [InlineData("after-broadcast-before-receipt")]
    public async Task Killed_keeper_restarts_and_exactly_one_rebalance_lands(string point)
    {
        await SellBaseAsync(30_000m);
        var config = Path.Combine(Temp.Folder, "appsettings.json");
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(Settings()));
        var nonceBefore = await Eth.GetTransactionCountAsync(KeeperKey.Address);
        var firstBlock = await Eth.BlockNumberAsync();

        var crashed = await RunKeeperAsync(config, point);
        Assert.True(crashed.ExitCode != 0, $"the keeper should have died at {point}; output:\n{crashed.Output}");
        Assert.Contains($"crashing at {point}", crashed.Output);

        var restarted = await RunKeeperAsync(config, null);
        Assert.True(restarted.ExitCode == 0, restarted.Output);
        Assert.Contains(point == "after-sign-before-broadcast" ? ": Rebroadcast" : ": Mined", restarted.Output);
        Assert.Contains("hold TooSoon", restarted.Output); // the restarted cycle sees the rebalance done

        Assert.Equal(nonceBefore + 1, await Eth.GetTransactionCountAsync(KeeperKey.Address));
        Assert.Single(await RepositionedLogsAsync(firstBlock));
        using (var journal = Temp.Open())
        {
            var intent = Assert.Single(journal.AllIntents());
            Assert.Equal(IntentStatus.Mined, intent.Status);
            var outcome = journal.Outcome(intent.Id)!;
            var receipt = await Eth.GetTransactionReceiptAsync(outcome.TransactionHash);
            Assert.True(receipt!.Succeeded);
            Assert.Equal(receipt.BlockNumber, outcome.BlockNumber);
            Assert.Equal(D.Vault.Address, receipt.To);
        }

        var third = await RunKeeperAsync(config, null);
        Assert.Equal(0, third.ExitCode);
        Assert.Equal(nonceBefore + 1, await Eth.GetTransactionCountAsync(KeeperKey.Address));
        Assert.Single(await RepositionedLogsAsync(firstBlock));
    }

    private Task<HarnessRun> RunKeeperAsync(string config, string? crashAt) =>
        CrashHarnessProcess.RunAsync(Node.RepositoryRoot, ["--config", config], Hex.Encode(KeeperKey.PrivateKeyBytes), crashAt);

    private async Task<IReadOnlyList<Ethereum.JsonRpc.LogEntry>> RepositionedLogsAsync(long fromBlock) =>
        await Eth.GetLogsAsync(D.Pool.Address, fromBlock, await Eth.BlockNumberAsync(), [ManagedPool.Abi.GetEvent("Repositioned").Topic0]);
}
