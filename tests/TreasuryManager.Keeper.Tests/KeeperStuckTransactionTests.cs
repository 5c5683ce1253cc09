using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Ethereum.JsonRpc;
using TreasuryManager.Keeper.Cycle;
using TreasuryManager.Keeper.Execution;
using TreasuryManager.Keeper.Hosting;
using TreasuryManager.Keeper.Journal;
using TreasuryManager.Testing;
using TreasuryManager.Models.Curve;

namespace TreasuryManager.Keeper.Tests;

/// <summary>
/// The keeper's own rebalance stuck in the mempool (automine off; blocks keep coming at a base fee its max fee cannot
/// pay): the cycle replaces it with both fees bumped by at least 12.5%, capped at Gas:MaxFeePerGasGwei, and exactly
/// one rebalance lands.
/// </summary>
[Collection(NodeCollection.Name)]
[Trait("Category", "Node")]
public sealed class KeeperStuckTransactionTests(LocalNodeFixture node) : TreasuryKeeperTest(node)
{
    [Fact]
    public async Task A_stuck_rebalance_is_replaced_with_both_fees_bumped_within_the_cap_and_exactly_one_lands()
    {
        const long capGwei = 20;
        var settings = Settings(s => s with
        {
            Gas = s.Gas with { MaxFeePerGasGwei = capGwei, BaseFeeCeilingGwei = 10, BlocksBeforeReplacement = 2, MaxBlocksToWait = 40 },
        });
        var metrics = new KeeperMetrics();
        using var runtime = await StartAsync(settings, metrics);
        await SellBaseAsync(30_000m);
        var nonce = await Eth.GetTransactionCountAsync(KeeperKey.Address);
        var firstBlock = await Eth.BlockNumberAsync();
        await AutomineAsync(false);

        var running = runtime.Cycle.RunOnceAsync(act: true);
        await WaitUntilAsync(async () => running.IsCompleted || await Eth.GetTransactionCountAsync(KeeperKey.Address, BlockTag.Pending) == nonce + 1,
            "the rebalance to reach the mempool");
        Assert.False(running.IsCompleted, running.IsFaulted ? running.Exception!.ToString() : "the cycle finished without waiting for its rebalance");
        var intent = Assert.Single(runtime.Journal!.AllIntents());
        var first = Assert.Single(runtime.Journal.Attempts(intent.Id));
        Assert.InRange(first.MaxFeePerGas, 1 * Gwei, 3 * Gwei); // 2·(base fee ≤ 1 gwei) + 1 gwei tip

        // Blocks come, at a base fee the first attempt cannot pay (12 gwei): it stays pending. A replacement that could
        // pay it would want 2·12 gwei + tip, more than the 20 gwei cap: the cap binds.
        var stuckBaseFee = 12 * Gwei;
        for (var i = 0; i < 200 && !running.IsCompleted; i++)
        {
            await SetNextBaseFeeAsync(stuckBaseFee);
            await MineAsync();
            await Task.Delay(60);
        }
        var report = (await running.WaitAsync(TimeSpan.FromSeconds(10)))!;

        var plan = Assert.IsType<Plan>(Assert.Single(report.Decisions));
        Assert.False(plan.Urgent);
        var mined = Assert.IsType<ExecutionOutcome.Mined>(Assert.Single(report.Outcomes));
        Assert.Equal(2, mined.Attempts);
        var attempts = runtime.Journal.Attempts(intent.Id);
        Assert.Equal(2, attempts.Count);
        var (replaced, replacement) = (attempts[0], attempts[1]);
        Assert.Equal(AttemptStatus.Superseded, replaced.Status);
        Assert.Equal(AttemptStatus.Mined, replacement.Status);
        Assert.Equal(replaced.Nonce, replacement.Nonce);
        Assert.Equal(nonce, replacement.Nonce);
        Assert.True(replacement.MaxFeePerGas * 1000 >= replaced.MaxFeePerGas * 1125, "max fee bumped by at least 12.5%");
        Assert.True(replacement.MaxPriorityFeePerGas * 1000 >= replaced.MaxPriorityFeePerGas * 1125, "tip bumped by at least 12.5%");
        Assert.Equal(capGwei * Gwei, replacement.MaxFeePerGas); // what it wanted was more: capped exactly
        Assert.True(await ChainMaxFeeAsync(replacement.Hash) <= capGwei * Gwei);
        Assert.True(replacement.BroadcastBlock - replaced.BroadcastBlock >= settings.Gas.BlocksBeforeReplacement);

        // The chain agrees with the journal: one rebalance, by the replacement; the first attempt never landed.
        Assert.Equal(nonce + 1, await Eth.GetTransactionCountAsync(KeeperKey.Address));
        var repositioned = Assert.Single(await Eth.GetLogsAsync(D.Pool.Address, firstBlock, await Eth.BlockNumberAsync(), [ManagedPool.Abi.GetEvent("Repositioned").Topic0]));
        Assert.Equal(replacement.Hash, repositioned.TransactionHash, ignoreCase: true);
        Assert.Equal(replacement.Hash, mined.Outcome.TransactionHash, ignoreCase: true);
        Assert.Null(await Eth.GetTransactionReceiptAsync(replaced.Hash));
        Assert.Equal(IntentStatus.Mined, runtime.Journal.GetIntent(intent.Id).Status);
        Assert.Equal(SqrtPriceGrid.RoundDown(plan.Target.SqrtPriceX96), (await D.Pool.GetStateAsync()).SqrtPriceX96);
        Assert.Contains("treasury_keeper_transactions_replaced_total{kind=\"rebalance\"} 1", await metrics.ExportAsync());
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        for (var i = 0; i < 400; i++)
        {
            if (await condition()) return;
            await Task.Delay(25);
        }
        throw new TimeoutException($"timed out waiting for {what}");
    }
}
