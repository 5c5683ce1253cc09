using Microsoft.Extensions.Logging;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Ethereum.JsonRpc;
using TreasuryManager.Keeper.Configuration;
using TreasuryManager.Keeper.Cycle;
using TreasuryManager.Keeper.Execution;
using TreasuryManager.Keeper.Hosting;
using TreasuryManager.Keeper.Journal;
using TreasuryManager.Testing;

namespace TreasuryManager.Keeper.Tests;

/// <summary>
/// The whole keeper talking to the node through a <see cref="FaultProxy"/>: faults on the Observe batch are retried
/// and counted, a lost answer to eth_sendRawTransaction never leads to a second signature, and a node that refuses
/// connections fails the cycle without sending anything.
/// </summary>
[Collection(NodeCollection.Name)]
[Trait("Category", "Node")]
public sealed class KeeperRpcFaultTests(LocalNodeFixture node) : TreasuryKeeperTest(node)
{
    /// <summary>Only the Observe batch asks for logs.</summary>
    private const string ObserveMethod = "eth_getLogs";

    private TreasurySettings Through(FaultProxy proxy, double timeoutSeconds = 10) =>
        Settings(s => s with { Rpc = s.Rpc with { Url = proxy.Endpoint.ToString(), TimeoutSeconds = timeoutSeconds } });

    [Theory]
    [InlineData(ProxyFault.Delay, "timeout")]
    [InlineData(ProxyFault.Http500, "http_5xx")]
    [InlineData(ProxyFault.MalformedJson, "malformed")]
    public async Task A_fault_on_the_observe_batch_is_retried_counted_and_logged_and_the_cycle_decides_the_same(ProxyFault fault, string kind)
    {
        await SellBaseAsync(30_000m);
        Plan expected;
        using (var direct = await StartAsync(Settings(), readOnly: true))
            expected = Assert.IsType<Plan>(Assert.Single((await direct.Cycle.RunOnceAsync(act: false))!.Decisions));

        await using var proxy = FaultProxy.Start(Node.Node.Endpoint);
        var metrics = new KeeperMetrics();
        var logs = new CapturingLoggerFactory();
        using var runtime = await StartAsync(Through(proxy, timeoutSeconds: 2), metrics, logs);
        var nonce = await Eth.GetTransactionCountAsync(KeeperKey.Address);
        proxy.Inject(fault, ObserveMethod, delay: TimeSpan.FromSeconds(5));

        var report = (await runtime.Cycle.RunOnceAsync(act: true))!;

        Assert.Equal([$"{fault} {ObserveMethod}"], proxy.Fired);
        Assert.Equal(2, proxy.Methods.Count(m => m == ObserveMethod)); // the faulted batch and its retry
        var plan = Assert.IsType<Plan>(Assert.Single(report.Decisions));
        Assert.Equal(expected.IntentKey, plan.IntentKey);
        Assert.Equal(expected.Target, plan.Target);
        Assert.Equal(expected.CentrePrice, plan.CentrePrice);
        var mined = Assert.IsType<ExecutionOutcome.Mined>(Assert.Single(report.Outcomes));
        Assert.True(mined.Receipt!.Succeeded);
        Assert.Equal(nonce + 1, await Eth.GetTransactionCountAsync(KeeperKey.Address));

        var text = await metrics.ExportAsync();
        Assert.Contains($"treasury_keeper_rpc_faults_total{{kind=\"{kind}\"}} 1", text);
        var warning = Assert.Single(logs.Entries, e => e.Category == "TreasuryManager.Rpc");
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains($"RPC fault ({kind})", warning.Message);
        Assert.Contains("eth_getBlockByNumber", warning.Message); // the Observe batch, by its first method
        Assert.Contains("retrying", warning.Message);
    }

    [Fact]
    public async Task A_lost_answer_to_the_broadcast_is_reconciled_not_re_signed_and_exactly_one_rebalance_lands()
    {
        await SellBaseAsync(30_000m);
        await using var proxy = FaultProxy.Start(Node.Node.Endpoint);
        var metrics = new KeeperMetrics();
        using var runtime = await StartAsync(Through(proxy), metrics);
        var nonce = await Eth.GetTransactionCountAsync(KeeperKey.Address);
        var firstBlock = await Eth.BlockNumberAsync();
        proxy.Inject(ProxyFault.ForwardThenDrop, "eth_sendRawTransaction");

        var first = (await runtime.Cycle.RunOnceAsync(act: true))!;
        Assert.Equal(["ForwardThenDrop eth_sendRawTransaction"], proxy.Fired);
        Assert.IsType<Plan>(Assert.Single(first.Decisions));
        var unconfirmed = Assert.IsType<ExecutionOutcome.Unconfirmed>(Assert.Single(first.Outcomes));
        Assert.Contains("journaled", unconfirmed.Reason);

        // The node got it (and mined it): the keeper's next cycles settle the journaled attempt and plan nothing new.
        await D.IncreaseTimeAsync(1);
        var second = (await runtime.Cycle.RunOnceAsync(act: true))!;
        Assert.Empty(second.Outcomes);
        await D.IncreaseTimeAsync(1);
        var third = (await runtime.Cycle.RunOnceAsync(act: true))!;
        Assert.Empty(third.Outcomes);
        Assert.IsType<Hold>(Assert.Single(third.Decisions));

        Assert.Equal(1, proxy.Methods.Count(m => m == "eth_sendRawTransaction"));
        Assert.Equal(nonce + 1, await Eth.GetTransactionCountAsync(KeeperKey.Address));
        var repositioned = Assert.Single(await RepositionedLogsAsync(firstBlock));
        var intent = Assert.Single(runtime.Journal!.AllIntents());
        Assert.Equal(IntentStatus.Mined, intent.Status);
        var attempt = Assert.Single(runtime.Journal.Attempts(intent.Id));
        Assert.Equal(AttemptStatus.Mined, attempt.Status);
        Assert.Equal(unconfirmed.LatestHash, attempt.Hash);
        Assert.Equal(repositioned.TransactionHash, attempt.Hash, ignoreCase: true);
        Assert.Equal(attempt.Hash, runtime.Journal.Outcome(intent.Id)!.TransactionHash, ignoreCase: true);
        Assert.Contains("treasury_keeper_rpc_faults_total{kind=\"unreachable\"} 1", await metrics.ExportAsync());
    }

    [Fact]
    public async Task A_lost_answer_to_a_broadcast_not_yet_mined_is_never_followed_by_a_rebalance_at_another_nonce()
    {
        await SellBaseAsync(30_000m);
        await using var proxy = FaultProxy.Start(Node.Node.Endpoint);
        using var runtime = await StartAsync(Through(proxy));
        var nonce = await Eth.GetTransactionCountAsync(KeeperKey.Address);
        var firstBlock = await Eth.BlockNumberAsync();
        await AutomineAsync(false);
        proxy.Inject(ProxyFault.ForwardThenDrop, "eth_sendRawTransaction");

        var first = (await runtime.Cycle.RunOnceAsync(act: true))!;
        Assert.IsType<ExecutionOutcome.Unconfirmed>(Assert.Single(first.Outcomes));
        Assert.Equal(nonce + 1, await Eth.GetTransactionCountAsync(KeeperKey.Address, BlockTag.Pending)); // the node got it

        // A new block comes that the transaction cannot pay for, so the pool still looks out of band at a new block
        // (a new intent key). Hardhat keeps the transaction pending; anvil drops it from its pool. Either way the
        // keeper must not sign a rebalance at the next nonce while the first one may still land.
        await SetNextBaseFeeAsync(12 * Gwei);
        await MineAsync();
        await SetNextBaseFeeAsync(1 * Gwei);
        var second = runtime.Cycle.RunOnceAsync(act: true);
        for (var i = 0; i < 40 && !second.IsCompleted; i++) await Task.Delay(50);
        for (var i = 0; i < 200 && !second.IsCompleted; i++)
        {
            await MineAsync(); // only when the cycle waits for a transaction of its own
            await Task.Delay(60);
        }
        await second.WaitAsync(TimeSpan.FromSeconds(10));
        await AutomineAsync(true);
        await MineAsync();
        await D.IncreaseTimeAsync(1);
        var last = (await runtime.Cycle.RunOnceAsync(act: true))!;
        Assert.Empty(last.Outcomes);
        Assert.IsType<Hold>(Assert.Single(last.Decisions));

        // every transaction the keeper signed used the first nonce, so exactly one rebalance could land — and did
        var attempts = runtime.Journal!.AllIntents().SelectMany(i => runtime.Journal.Attempts(i.Id)).ToArray();
        Assert.All(attempts, a => Assert.Equal(nonce, a.Nonce));
        Assert.Equal(nonce + 1, await Eth.GetTransactionCountAsync(KeeperKey.Address));
        var repositioned = Assert.Single(await RepositionedLogsAsync(firstBlock));
        var mined = Assert.Single(attempts, a => a.Status == AttemptStatus.Mined);
        Assert.Equal(mined.Hash, repositioned.TransactionHash, ignoreCase: true);
        var minedIntent = Assert.Single(runtime.Journal.AllIntents(), i => i.Status == IntentStatus.Mined);
        Assert.Equal(mined.Hash, runtime.Journal.Outcome(minedIntent.Id)!.TransactionHash, ignoreCase: true);
        Assert.Empty(runtime.Journal.UnfinishedIntents());
    }

    [Fact]
    public async Task A_refused_connection_fails_the_cycle_clearly_and_sends_nothing_and_the_next_cycle_works_once_the_node_is_back()
    {
        await SellBaseAsync(30_000m);
        await using var proxy = FaultProxy.Start(Node.Node.Endpoint);
        var metrics = new KeeperMetrics();
        using var runtime = await StartAsync(Through(proxy), metrics);
        var nonce = await Eth.GetTransactionCountAsync(KeeperKey.Address);

        proxy.StopListening();
        var error = await Assert.ThrowsAsync<NodeUnreachableException>(() => runtime.Cycle.RunOnceAsync(act: true));
        Assert.Contains($"cannot reach node at {proxy.Endpoint}", error.Message);
        Assert.Contains("check that the node is running and the URL is right", error.Message);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Equal(nonce, await Eth.GetTransactionCountAsync(KeeperKey.Address, Ethereum.JsonRpc.BlockTag.Pending));
        Assert.Empty(runtime.Journal!.AllIntents());
        var text = await metrics.ExportAsync();
        Assert.Contains("treasury_keeper_rpc_faults_total{kind=\"unreachable\"} 4", text); // three retries, then the final failure

        proxy.Resume();
        var report = (await runtime.Cycle.RunOnceAsync(act: true))!;
        Assert.IsType<Plan>(Assert.Single(report.Decisions));
        Assert.IsType<ExecutionOutcome.Mined>(Assert.Single(report.Outcomes));
        Assert.Equal(nonce + 1, await Eth.GetTransactionCountAsync(KeeperKey.Address));
    }

    private async Task<IReadOnlyList<Ethereum.JsonRpc.LogEntry>> RepositionedLogsAsync(long fromBlock) =>
        await Eth.GetLogsAsync(D.Pool.Address, fromBlock, await Eth.BlockNumberAsync(), [ManagedPool.Abi.GetEvent("Repositioned").Topic0]);
}
