using System.Net;
using System.Numerics;
using System.Text.Json.Nodes;
using TreasuryManager.Ethereum.JsonRpc;
using TreasuryManager.Ethereum.Transactions;
using TreasuryManager.Keeper.Execution;
using TreasuryManager.Keeper.Journal;
using TreasuryManager.Testing;

namespace TreasuryManager.Keeper.Tests;

[Collection(NodeCollection.Name)]
[Trait("Category", "Node")]
public sealed class ExecutorNodeTests(LocalNodeFixture node) : KeeperNodeTest(node)
{
    [Fact]
    public async Task Gas_a_non_urgent_intent_waits_above_the_ceiling_and_an_urgent_one_pays_up_to_the_cap()
    {
        var counter = await DeployCounterAsync();
        using var journal = Temp.Open();
        var options = FastOptions with { BaseFeeCeiling = 20 * Gwei, MaxFeePerGasCap = 60 * Gwei };
        var executor = await ExecutorAsync(journal, options);
        var nonceBefore = await PendingNonceAsync();

        await SetNextBaseFeeAsync(40 * Gwei);
        var waiting = await executor.ExecuteAsync(Increment(counter, "gas:calm"));
        var deferred = Assert.IsType<ExecutionOutcome.Deferred>(waiting);
        Assert.Equal(40 * Gwei, deferred.BaseFeePerGas);
        Assert.Contains("ceiling", deferred.Reason);
        Assert.Equal(nonceBefore, await PendingNonceAsync());
        Assert.Empty(journal.Attempts(deferred.IntentId));
        Assert.Equal(IntentStatus.Pending, journal.GetIntent(deferred.IntentId).Status);

        var urgent = await executor.ExecuteAsync(Increment(counter, "gas:urgent", urgent: true));
        var mined = Assert.IsType<ExecutionOutcome.Mined>(urgent);
        var attempt = Assert.Single(journal.Attempts(mined.IntentId));
        Assert.Equal(60 * Gwei, attempt.MaxFeePerGas); // 2·40 + 1 gwei capped at 60
        Assert.True(await ChainMaxFeeAsync(mined.Outcome.TransactionHash) <= options.MaxFeePerGasCap);
        Assert.True(mined.Receipt!.EffectiveGasPrice <= options.MaxFeePerGasCap);
        Assert.Equal(nonceBefore + 1, await LatestNonceAsync());
        Assert.Equal(new BigInteger(6), await counter.CountAsync());
    }

    [Fact]
    public async Task Gas_even_an_urgent_intent_waits_when_the_base_fee_is_above_the_cap()
    {
        var counter = await DeployCounterAsync();
        using var journal = Temp.Open();
        var executor = await ExecutorAsync(journal, FastOptions with { MaxFeePerGasCap = 60 * Gwei });
        var nonceBefore = await PendingNonceAsync();
        await SetNextBaseFeeAsync(70 * Gwei);

        var outcome = Assert.IsType<ExecutionOutcome.Deferred>(await executor.ExecuteAsync(Increment(counter, "gas:over-cap", urgent: true)));

        Assert.Contains("above the cap", outcome.Reason);
        Assert.Equal(nonceBefore, await PendingNonceAsync());
    }

    [Fact]
    public async Task A_batch_is_journaled_before_its_broadcasts_and_a_refused_item_leaves_no_nonce_gap()
    {
        var counter = await DeployCounterAsync();
        using var journal = Temp.Open();
        var executor = await ExecutorAsync(journal);
        var before = await counter.CountAsync();
        var nonceBefore = await PendingNonceAsync();
        await SetNextBaseFeeAsync(1 * Gwei);
        var block = await Eth.BlockNumberAsync();
        var refused = Increment(counter, "batch:refused", amount: 2) with { GasLimit = 1_000_000_000 }; // past the block gas limit: the node refuses it
        var submissions = await executor.SubmitAllAsync([Increment(counter, "batch:first", amount: 1), refused, Increment(counter, "batch:third", amount: 4)], new ObservedFees(block, 1 * Gwei));

        Assert.Null(submissions[0].Outcome);
        Assert.IsType<ExecutionOutcome.Failed>(submissions[1].Outcome);
        var outcomes = new List<ExecutionOutcome>();
        foreach (var s in submissions) outcomes.Add(await executor.SettleAsync(s));
        Assert.IsType<ExecutionOutcome.Mined>(outcomes[0]);
        Assert.IsType<ExecutionOutcome.Mined>(outcomes[2]);
        Assert.Equal(before + 5, await counter.CountAsync()); // the first and the third landed, the refused one did not
        Assert.Equal(nonceBefore + 2, await LatestNonceAsync()); // no gap: the third was signed again on the refused one's nonce
        var third = journal.Attempts(submissions[2].Record.Id);
        Assert.Equal(2, third.Count);
        Assert.Equal(AttemptStatus.Rejected, third[0].Status); // signed in the batch, never broadcast, retired
        Assert.Equal(third[0].Nonce - 1, third[1].Nonce);
        Assert.True(executor.NonceResyncs >= 1, "the refused send made the executor read the account's nonce again (treasury_keeper_nonce_resyncs_total)");
    }

    [Fact]
    public async Task Idempotency_the_same_key_twice_sends_once()
    {
        var counter = await DeployCounterAsync();
        using var journal = Temp.Open();
        var executor = await ExecutorAsync(journal);
        var nonceBefore = await LatestNonceAsync();

        var first = Assert.IsType<ExecutionOutcome.Mined>(await executor.ExecuteAsync(Increment(counter, "rebalance:pool:1")));
        var second = Assert.IsType<ExecutionOutcome.Mined>(await executor.ExecuteAsync(Increment(counter, "rebalance:pool:1")));

        // A new executor on the same journal (a restarted keeper) does not send it again either.
        var restarted = await ExecutorAsync(journal);
        var third = Assert.IsType<ExecutionOutcome.Mined>(await restarted.ExecuteAsync(Increment(counter, "rebalance:pool:1")));

        Assert.Equal(first.Outcome.TransactionHash, second.Outcome.TransactionHash);
        Assert.Equal(first.Outcome.TransactionHash, third.Outcome.TransactionHash);
        Assert.Equal(nonceBefore + 1, await LatestNonceAsync());
        Assert.Equal(new BigInteger(6), await counter.CountAsync());
        Assert.Single(journal.AllIntents());
        Assert.Single(journal.Attempts(first.IntentId));

        // The same key for another transaction is an error, not a second send.
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => executor.ExecuteAsync(Increment(counter, "rebalance:pool:1", amount: 2)));
        Assert.Contains("use a new key", error.Message);
        Assert.Equal(nonceBefore + 1, await LatestNonceAsync());

        // A second intent takes the next nonce.
        var other = Assert.IsType<ExecutionOutcome.Mined>(await executor.ExecuteAsync(Increment(counter, "rebalance:pool:2")));
        Assert.Equal(nonceBefore + 2, await LatestNonceAsync());
        Assert.NotEqual(first.Outcome.TransactionHash, other.Outcome.TransactionHash);
    }

    [Fact]
    public async Task Stuck_a_transaction_not_mined_in_N_blocks_is_replaced_with_both_fees_bumped_and_exactly_one_lands()
    {
        var counter = await DeployCounterAsync();
        using var journal = Temp.Open();
        var options = FastOptions with { BlocksBeforeReplacement = 2, MaxFeePerGasCap = 200 * Gwei };
        var executor = await ExecutorAsync(journal, options);
        var nonceBefore = await LatestNonceAsync();
        await AutomineAsync(false);

        var running = executor.ExecuteAsync(Increment(counter, "stuck:1", urgent: true));
        await WaitUntilAsync(async () => await PendingNonceAsync() == nonceBefore + 1, "the first attempt to reach the mempool");
        var first = Assert.Single(journal.Attempts(journal.FindIntent("stuck:1")!.Id));
        Assert.Equal(AttemptStatus.Broadcast, first.Status);

        // Blocks come, but at a base fee the first attempt's max fee cannot pay: it stays pending.
        var stuckBaseFee = first.MaxFeePerGas * 4;
        for (var i = 0; i < 200 && !running.IsCompleted; i++)
        {
            await SetNextBaseFeeAsync(stuckBaseFee);
            await MineAsync();
            await Task.Delay(60);
        }

        var mined = Assert.IsType<ExecutionOutcome.Mined>(await running.WaitAsync(TimeSpan.FromSeconds(10)));
        var attempts = journal.Attempts(mined.IntentId);
        Assert.Equal(2, attempts.Count);
        var (replaced, replacement) = (attempts[0], attempts[1]);
        Assert.Equal(AttemptStatus.Superseded, replaced.Status);
        Assert.Equal(AttemptStatus.Mined, replacement.Status);
        Assert.Equal(replaced.Nonce, replacement.Nonce);
        Assert.Equal(replacement.Hash, mined.Outcome.TransactionHash);
        Assert.True(replacement.MaxFeePerGas * 1000 >= replaced.MaxFeePerGas * 1125, "max fee bumped by at least 12.5%");
        Assert.True(replacement.MaxPriorityFeePerGas * 1000 >= replaced.MaxPriorityFeePerGas * 1125, "tip bumped by at least 12.5%");
        Assert.True(replacement.MaxFeePerGas <= options.MaxFeePerGasCap);
        Assert.True(replacement.BroadcastBlock - replaced.BroadcastBlock >= options.BlocksBeforeReplacement);

        Assert.Equal(nonceBefore + 1, await LatestNonceAsync());
        Assert.Equal(new BigInteger(6), await counter.CountAsync());
        Assert.Null(await Eth.GetTransactionReceiptAsync(replaced.Hash));
        Assert.Equal(IntentStatus.Mined, journal.GetIntent(mined.IntentId).Status);
    }

    [Fact]
    public async Task Journal_the_signed_bytes_are_committed_before_broadcast_and_recovery_sends_those_very_bytes()
    {
        var counter = await DeployCounterAsync();
        var nonceBefore = await PendingNonceAsync();
        string journaledRaw;
        long intentId;

        // The node goes away exactly at the broadcast: every read answers, eth_sendRawTransaction finds a closed port.
        using (var down = new RpcClient(new RpcClientOptions { Endpoint = Node.Node.Endpoint, ReadRetries = 0 }, new HttpClient(new RefusesConnectionHandler("eth_sendRawTransaction"))))
        using (var journal = Temp.Open())
        {
            var executor = await ExecutorAsync(journal, eth: new EthClient(down));
            var outcome = Assert.IsType<ExecutionOutcome.Unconfirmed>(await executor.ExecuteAsync(Increment(counter, "journal:1")));
            Assert.Contains("journaled", outcome.Reason);
            intentId = outcome.IntentId;

            var attempt = Assert.Single(journal.Attempts(intentId));
            Assert.Equal(AttemptStatus.Signed, attempt.Status);
            Assert.Null(attempt.BroadcastAt);
            Assert.Equal(IntentStatus.Pending, journal.GetIntent(intentId).Status);
            var decoded = SignedTransaction.Decode(attempt.RawHex);
            Assert.Equal(Keeper.Address, decoded.Sender);
            Assert.Equal(nonceBefore, (long)decoded.Transaction.Nonce);
            Assert.Equal(attempt.Hash, decoded.HashHex);
            journaledRaw = attempt.RawHex;
        }
        Assert.Equal(nonceBefore, await PendingNonceAsync()); // nothing reached the node

        // A restarted keeper recovers: the very bytes go out, nothing is signed anew.
        using (var journal = Temp.Open())
        {
            var executor = await ExecutorAsync(journal);
            var report = await executor.RecoverAsync();
            Assert.Equal(RecoveryAction.Rebroadcast, Assert.Single(report.Intents).Action);

            var mined = Assert.IsType<ExecutionOutcome.Mined>(await executor.ExecuteAsync(Increment(counter, "journal:1")));
            var attempt = Assert.Single(journal.Attempts(intentId));
            Assert.Equal(journaledRaw, attempt.RawHex);
            Assert.Equal(attempt.Hash, mined.Outcome.TransactionHash);
            Assert.Equal(AttemptStatus.Mined, attempt.Status);
        }
        Assert.Equal(nonceBefore + 1, await LatestNonceAsync());
        Assert.Equal(new BigInteger(6), await counter.CountAsync());
    }

    [Fact]
    public async Task Nonce_held_by_the_executor_resynchronises_after_another_sender_used_the_account()
    {
        var counter = await DeployCounterAsync();
        using var journal = Temp.Open();
        var executor = await ExecutorAsync(journal);
        Assert.IsType<ExecutionOutcome.Mined>(await executor.ExecuteAsync(Increment(counter, "nonce:1")));

        // Someone else sends from the keeper's account: the executor's held nonce is now stale.
        var other = await Ethereum.Contracts.AccountSender.ConnectAsync(Eth, Keeper);
        await counter.IncrementAsync(other, 10);

        var second = Assert.IsType<ExecutionOutcome.Mined>(await executor.ExecuteAsync(Increment(counter, "nonce:2")));
        var attempts = journal.Attempts(second.IntentId);
        Assert.Equal(AttemptStatus.Rejected, attempts[0].Status); // nonce too low: never broadcast
        Assert.Contains("nonce", attempts[0].Reason, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(AttemptStatus.Mined, attempts[^1].Status);
        Assert.Equal(new BigInteger(5 + 1 + 10 + 1), await counter.CountAsync());
    }

    [Fact]
    public async Task Recovery_rebroadcasting_bytes_the_node_already_holds_is_harmless()
    {
        var counter = await DeployCounterAsync();
        var nonceBefore = await LatestNonceAsync();
        await AutomineAsync(false);
        long intentId;
        using (var journal = Temp.Open())
        {
            // The process "dies" right after the broadcast: the exception escapes before any receipt is read.
            var dying = await TransactionExecutor.ConnectAsync(Eth, Keeper, journal, FastOptions,
                onPoint: (point, _) => { if (point == ExecutionPoint.Broadcast) throw new OperationCanceledException("simulated crash"); });
            await Assert.ThrowsAsync<OperationCanceledException>(() => dying.ExecuteAsync(Increment(counter, "known:1")));
            intentId = journal.FindIntent("known:1")!.Id;
        }
        Assert.Equal(nonceBefore + 1, await PendingNonceAsync()); // in the mempool, not mined

        using (var journal = Temp.Open())
        {
            var executor = await ExecutorAsync(journal);
            var report = await executor.RecoverAsync(); // the node answers "known transaction" / "already imported"
            var recovered = Assert.Single(report.Intents);
            Assert.Equal(RecoveryAction.Rebroadcast, recovered.Action);
            Assert.Equal(AttemptStatus.Broadcast, Assert.Single(journal.Attempts(intentId)).Status);

            await AutomineAsync(true);
            await MineAsync();
            var mined = Assert.IsType<ExecutionOutcome.Mined>(await executor.ExecuteAsync(Increment(counter, "known:1")));
            Assert.Equal(Assert.Single(journal.Attempts(intentId)).Hash, mined.Outcome.TransactionHash);
        }
        Assert.Equal(nonceBefore + 1, await LatestNonceAsync());
        Assert.Equal(new BigInteger(6), await counter.CountAsync());
    }

    [Fact]
    public async Task The_outcome_is_final_only_after_the_configured_confirmations()
    {
        var counter = await DeployCounterAsync();
        using var journal = Temp.Open();
        var executor = await ExecutorAsync(journal, FastOptions with { Confirmations = 3 });

        var running = executor.ExecuteAsync(Increment(counter, "confirm:1"));
        await WaitUntilAsync(async () => journal.FindIntent("confirm:1") is { Status: IntentStatus.Sent }, "the broadcast");
        await Task.Delay(200);
        Assert.False(running.IsCompleted); // mined (automine) but only 1 confirmation
        Assert.Equal(IntentStatus.Sent, journal.FindIntent("confirm:1")!.Status);

        for (var i = 0; i < 50 && !running.IsCompleted; i++)
        {
            await MineAsync();
            await Task.Delay(50);
        }
        var mined = Assert.IsType<ExecutionOutcome.Mined>(await running.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.True(await Eth.BlockNumberAsync() - mined.Outcome.BlockNumber + 1 >= 3);
        Assert.Equal(IntentStatus.Mined, journal.GetIntent(mined.IntentId).Status);
    }

    [Fact]
    public async Task On_a_node_that_mines_no_further_block_the_wait_ends_saying_so_and_the_intent_stays_in_flight()
    {
        // an automining node mines the transaction's own block and then nothing: the second confirmation never comes (the
        // block may land before or after the wait's first read: either way no further block came, and the reason says so)
        var counter = await DeployCounterAsync();
        using var journal = Temp.Open();
        var executor = await ExecutorAsync(journal, FastOptions with { Confirmations = 2, MaxWait = TimeSpan.FromSeconds(1) });

        var outcome = Assert.IsType<ExecutionOutcome.Unconfirmed>(await executor.ExecuteAsync(Increment(counter, "idle:1")));

        Assert.Contains("the node mined no further block in 1 s of waiting", outcome.Reason);
        Assert.Contains("each of the 2 confirmation(s)", outcome.Reason);
        Assert.Contains("stays in flight in the journal", outcome.Reason);
        Assert.NotNull(outcome.LatestHash);
        Assert.NotNull(await Eth.GetTransactionReceiptAsync(outcome.LatestHash!)); // mined, only not yet final
        Assert.Equal(IntentStatus.Sent, journal.GetIntent(outcome.IntentId).Status);
    }

    [Fact]
    public async Task Stuck_when_the_cap_leaves_no_room_for_a_valid_bump_it_says_so_and_sends_nothing_else()
    {
        var counter = await DeployCounterAsync();
        using var journal = Temp.Open();
        // With a 1 gwei base fee the first attempt's max fee is 2·1 + 1 = 3 gwei: exactly the cap.
        var options = FastOptions with { MaxFeePerGasCap = 3 * Gwei, BaseFeeCeiling = 2 * Gwei, BlocksBeforeReplacement = 2, MaxBlocksToWait = 6 };
        var executor = await ExecutorAsync(journal, options);
        var nonceBefore = await LatestNonceAsync();
        await AutomineAsync(false);
        await SetNextBaseFeeAsync(1 * Gwei);

        var running = executor.ExecuteAsync(Increment(counter, "capped:1", urgent: true));
        await WaitUntilAsync(async () => await PendingNonceAsync() == nonceBefore + 1, "the first attempt to reach the mempool");
        for (var i = 0; i < 100 && !running.IsCompleted; i++)
        {
            await SetNextBaseFeeAsync(10 * Gwei);
            await MineAsync();
            await Task.Delay(40);
        }

        var outcome = Assert.IsType<ExecutionOutcome.Unconfirmed>(await running.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("cannot replace", outcome.Reason);
        Assert.Contains("above the cap 3000000000", outcome.Reason);
        Assert.Contains("MaxFeePerGasCap", outcome.Reason);
        var attempt = Assert.Single(journal.Attempts(outcome.IntentId));
        Assert.Equal(3 * Gwei, attempt.MaxFeePerGas);
        Assert.Equal(AttemptStatus.Broadcast, attempt.Status);
        Assert.Equal(IntentStatus.Sent, journal.GetIntent(outcome.IntentId).Status); // still in flight, for recovery
        Assert.Equal(nonceBefore, await LatestNonceAsync());
    }

    [Fact]
    public async Task Recovery_marks_an_intent_superseded_when_another_transaction_took_its_nonce()
    {
        var counter = await DeployCounterAsync();
        long intentId;
        using (var down = new RpcClient(new RpcClientOptions { Endpoint = Node.Node.Endpoint, ReadRetries = 0 }, new HttpClient(new RefusesConnectionHandler("eth_sendRawTransaction"))))
        using (var journal = Temp.Open())
        {
            var executor = await ExecutorAsync(journal, eth: new EthClient(down));
            intentId = Assert.IsType<ExecutionOutcome.Unconfirmed>(await executor.ExecuteAsync(Increment(counter, "taken:1"))).IntentId;
        }

        // While the keeper is down, someone else uses the keeper's account (and so the journaled nonce).
        var other = await Ethereum.Contracts.AccountSender.ConnectAsync(Eth, Keeper);
        await counter.IncrementAsync(other, 10);

        using (var journal = Temp.Open())
        {
            var executor = await ExecutorAsync(journal);
            var recovered = Assert.Single((await executor.RecoverAsync()).Intents);
            Assert.Equal(RecoveryAction.Superseded, recovered.Action);
            Assert.Contains("none of this intent's", recovered.Detail);
            Assert.Equal(IntentStatus.Superseded, journal.GetIntent(intentId).Status);
            Assert.Equal(AttemptStatus.Rejected, Assert.Single(journal.Attempts(intentId)).Status);

            // The same key is final; it is not sent again.
            Assert.IsType<ExecutionOutcome.Failed>(await executor.ExecuteAsync(Increment(counter, "taken:1")));
        }
        Assert.Equal(new BigInteger(15), await counter.CountAsync());
    }

    [Fact]
    public async Task A_nonce_served_before_its_receipt_is_not_taken_for_a_superseded_intent()
    {
        // anvil's automine sometimes answers [nonce, receipt] with the nonce already past a just-mined transaction
        // and its receipt still null; the handler makes the node's first receipt answer look like that, every time.
        var counter = await DeployCounterAsync();
        using var journal = Temp.Open();
        using var lagging = new RpcClient(new RpcClientOptions { Endpoint = Node.Node.Endpoint }, new HttpClient(new FirstReceiptLagsHandler()));
        var executor = await ExecutorAsync(journal, eth: new EthClient(lagging));
        var nonceBefore = await LatestNonceAsync();

        var outcome = await executor.ExecuteAsync(Increment(counter, "lag:1"));

        var mined = Assert.IsType<ExecutionOutcome.Mined>(outcome);
        Assert.True(mined.Receipt!.Succeeded);
        Assert.Equal(IntentStatus.Mined, journal.GetIntent(mined.IntentId).Status);
        Assert.Equal(AttemptStatus.Mined, Assert.Single(journal.Attempts(mined.IntentId)).Status);
        Assert.Equal(nonceBefore + 1, await LatestNonceAsync());
        Assert.Equal(new BigInteger(6), await counter.CountAsync());
    }

    [Fact]
    public async Task An_unreachable_node_fails_before_anything_is_journaled()
    {
        using var journal = Temp.Open();
        using var dead = new RpcClient(new RpcClientOptions { Endpoint = new Uri("http://127.0.0.1:1/"), ReadRetries = 0, Timeout = TimeSpan.FromSeconds(2) });
        var error = await Assert.ThrowsAsync<NodeUnreachableException>(() => ExecutorAsync(journal, eth: new EthClient(dead)));
        Assert.Contains("127.0.0.1:1", error.Message);
        Assert.Empty(journal.AllIntents());
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        for (var i = 0; i < 200; i++)
        {
            if (await condition()) return;
            await Task.Delay(25);
        }
        throw new TimeoutException($"timed out waiting for {what}");
    }

    /// <summary>Nulls every receipt in the first answer that holds receipts (the transaction is mined by then; automine).</summary>
    private sealed class FirstReceiptLagsHandler() : DelegatingHandler(new SocketsHttpHandler())
    {
        private int _lagged;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
            var response = await base.SendAsync(request, cancellationToken);
            if (!body.Contains("eth_getTransactionReceipt", StringComparison.Ordinal) || Interlocked.Exchange(ref _lagged, 1) == 1)
                return response;
            var receiptIds = JsonNode.Parse(body)!.AsArray()
                .Where(r => (string?)r!["method"] == "eth_getTransactionReceipt").Select(r => (long)r!["id"]!).ToHashSet();
            var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken))!.AsArray();
            foreach (var item in answer)
                if (receiptIds.Contains((long)item!["id"]!)) item["result"] = null;
            response.Content = new StringContent(answer.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
            return response;
        }
    }
}
