using System.Numerics;
using System.Text.Json;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Contracts.Deployment;
using TreasuryManager.Ethereum;
using TreasuryManager.Ethereum.Contracts;
using TreasuryManager.Ethereum.JsonRpc;
using TreasuryManager.Keeper.Configuration;
using TreasuryManager.Testing;

namespace TreasuryManager.Cli.Tests;

/// <summary>
/// `treasury rebalance --pool P --fork` end to end, with the test's local node as the real chain: the command forks it
/// with scripts/node.sh (Hardhat), rehearses the rebalance there (signed with the keeper's key when its secret is in the
/// environment, else from the keeper's address impersonated), stops the fork, and only then offers to send. The real
/// chain is unchanged by the rehearsal and changes only after a confirmed send — to exactly the rehearsed curve; a
/// plan the real chain no longer calls for is not sent.
/// </summary>
[Collection(NodeCollection.Name)]
[Trait("Category", "Node")]
public sealed class RebalanceRehearsalTests(LocalNodeFixture node) : NodeTest(node), IDisposable
{
    private const string Password = "rehearsal-pw-7e2a";
    private static readonly Address KeeperAddress = DevAccounts.Key(1).Address; // what `deploy --local` makes the keeper
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>
    /// `init` and `deploy --local` (a keystore with <see cref="Password"/>, or the dev mnemonic), the TWAP window
    /// covered, then a trader's sale that pushes the pool out of its band: the keeper has a plan.
    /// </summary>
    private async Task<(string Config, ManagedPool Pool)> DeployOutOfBandAsync(bool keystore)
    {
        var config = _temp.File("appsettings.json");
        Assert.Equal(0, (await new TestConsole().RunAsync("init", "--out", config)).Exit);
        var console = new TestConsole();
        console.Environment["TREASURY_KEYSTORE_PASSWORD"] = Password;
        var deploy = await console.RunAsync(["deploy", "--local", "--config", config, "--rpc", Node.Node.Endpoint.ToString(), .. keystore ? Array.Empty<string>() : ["--dev-mnemonic"]]);
        Assert.True(deploy.Exit == 0, deploy.Err);
        var pool = new ManagedPool(Eth, Address.Parse(SettingsLoader.Load(config).Pools[0].Address!));
        await Node.Rpc.CallAsync("evm_increaseTime", [700]);
        await Node.Rpc.CallAsync("evm_mine");
        await SellBaseAsync(pool);
        return (config, pool);
    }

    private async Task SellBaseAsync(ManagedPool pool)
    {
        var trader = await AccountSender.ConnectAsync(Eth, DevAccounts.Key(3));
        await pool.SwapExactInAsync(trader, true, BigInteger.Pow(10, 18) * 30_000, 0, trader.Address, TreasuryDeployer.Deadline);
    }

    /// <summary>What a rehearsal must leave alone on the real chain.</summary>
    private async Task<(long Block, ManagedPool.PoolState Pool, long Nonce)> RealChainAsync(ManagedPool pool) =>
        (await Eth.BlockNumberAsync(), await pool.GetStateAsync(), await Eth.GetTransactionCountAsync(KeeperAddress, BlockTag.Pending));

    [Fact]
    public async Task A_rehearsal_impersonating_the_keeper_changes_only_the_fork_and_without_a_terminal_or_the_flag_sends_nothing()
    {
        var (config, pool) = await DeployOutOfBandAsync(keystore: true); // no password in the environment: the key is not at hand
        var real = await RealChainAsync(pool);

        var json = await new TestConsole().RunAsync("rebalance", "--config", config, "--pool", "BASE/USDQ", "--fork", "--json");
        Assert.True(json.Exit == 0, json.Err + json.Out);
        using var doc = JsonDocument.Parse(json.Out); // one object
        var rehearsal = doc.RootElement.GetProperty("rehearsal");
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("sent").ValueKind); // --json offers nothing without the flag
        Assert.Equal(Node.Node.Endpoint.ToString(), rehearsal.GetProperty("upstream").GetString());
        Assert.Equal(real.Block, rehearsal.GetProperty("fork_block").GetInt64());
        Assert.Equal("impersonated", rehearsal.GetProperty("signed_by").GetString());
        Assert.Equal(KeeperAddress.ToString(), rehearsal.GetProperty("sender").GetString());
        Assert.Equal("plan", rehearsal.GetProperty("decision").GetString());
        Assert.Equal("mined", rehearsal.GetProperty("outcome").GetString());
        Assert.Equal(real.Block + 1, rehearsal.GetProperty("block").GetInt64());
        var plan = rehearsal.GetProperty("plan");
        var gasUsed = rehearsal.GetProperty("gas_used").GetInt64();
        Assert.InRange(gasUsed, plan.GetProperty("gas_units").GetInt64() * 9 / 10, plan.GetProperty("gas_units").GetInt64() * 11 / 10);
        // before: the pool as it is on the real chain; after: the plan's curve
        var before = rehearsal.GetProperty("before");
        var after = rehearsal.GetProperty("after");
        Assert.Equal((int)real.Pool.FeePips, before.GetProperty("fee_pips").GetInt32());
        Assert.Equal(plan.GetProperty("fee_pips").GetInt32(), after.GetProperty("fee_pips").GetInt32());
        Assert.Equal(plan.GetProperty("centre_price").GetDouble(), after.GetProperty("pool_price").GetDouble(), 1e-6 * plan.GetProperty("centre_price").GetDouble());
        Assert.NotEqual(before.GetProperty("pool_price").GetDouble(), after.GetProperty("pool_price").GetDouble());

        // text, no terminal, no flag: the rehearsal printed, nothing offered, nothing sent
        var text = await new TestConsole().RunAsync("rebalance", "--config", config, "--pool", "BASE/USDQ", "--fork");
        Assert.True(text.Exit == 0, text.Err + text.Out);
        Assert.Contains($"the keeper {KeeperAddress} impersonated", text.Out);
        Assert.Contains("  before: price ", text.Out);
        Assert.Contains("  after:  price ", text.Out);
        Assert.Contains($"outcome: mined in fork block {real.Block + 1}", text.Out);
        Assert.Contains("Not sent to the real chain: pass --send-after-rehearsal", text.Out);

        // a terminal, but the output goes to a file: the report is written there and no question is asked about it
        var redirected = new TestConsole { StandardInput = "y\n", PromptAnswers = new Queue<string>([Password]), OutputRedirected = true };
        var filed = await redirected.RunAsync("rebalance", "--config", config, "--pool", "BASE/USDQ", "--fork");
        Assert.True(filed.Exit == 0, filed.Err + filed.Out);
        Assert.Contains($"outcome: mined in fork block {real.Block + 1}", filed.Out);
        Assert.Contains("Not sent to the real chain: standard output is redirected, so no question is asked", filed.Out);
        Assert.DoesNotContain("[y/N]", filed.Out);
        Assert.Empty(redirected.Prompts);

        Assert.Equal(real, await RealChainAsync(pool)); // same block, same pool, the keeper's nonce untouched
    }

    [Fact]
    public async Task A_send_says_what_it_sent_and_on_ctrl_c_while_waiting_that_the_transaction_went_out_and_the_next_run_settles_it()
    {
        var (config, _) = await DeployOutOfBandAsync(keystore: false);
        var nonce = await Eth.GetTransactionCountAsync(KeeperAddress, BlockTag.Pending);
        var environment = new Dictionary<string, string> { ["TREASURY_MNEMONIC"] = DevAccounts.Mnemonic };
        // the automining node mines the rebalance's block and then nothing: the second confirmation never comes
        await using (var rebalance = CliProcess.Start(_temp.Path, environment, "rebalance", "--config", config, "--pool", "BASE/USDQ", "--yes", "--Gas:Confirmations=2"))
        {
            await rebalance.WaitForAsync("; waiting for 2 confirmation(s)", TimeSpan.FromSeconds(120));
            var exit = await rebalance.InterruptAsync(TimeSpan.FromSeconds(30)); // Ctrl-C
            var output = rebalance.Output;

            var sent = System.Text.RegularExpressions.Regex.Match(output, $@"Sent (0x[0-9a-f]{{64}}) \(nonce {nonce}\); waiting for 2 confirmation\(s\) — a local node that mines only when it receives a transaction needs 1 more block\(s\) mined");
            Assert.True(sent.Success, output);
            Assert.True(exit != 0, output);
            Assert.Contains($"stderr: error: cancelled while waiting for {sent.Groups[1].Value} (nonce {nonce}): it was sent and stays in flight in the journal", output);
            Assert.NotNull(await Eth.GetTransactionReceiptAsync(sent.Groups[1].Value));
        }

        // the next run settles it first: the pool was just rebalanced (by it), so nothing more is sent
        var next = await CliProcess.RunAsync(_temp.Path, environment, "rebalance", "--config", config, "--pool", "BASE/USDQ", "--yes", "--Gas:Confirmations=1");
        Assert.Contains("Nothing to send for BASE/USDQ: TooSoon — last rebalance at ", next.Output);
        Assert.Equal(nonce + 1, await Eth.GetTransactionCountAsync(KeeperAddress, BlockTag.Pending));
    }

    /// <summary>The same wait ended by the caller's token instead of a signal (a host stopping, an embedding program):
    /// the command returns at once, saying what went out, and does not wait on to Gas:MaxWait.</summary>
    [Fact]
    public async Task Cancelling_the_token_while_waiting_ends_the_wait_and_names_the_transaction_that_went_out()
    {
        var (config, _) = await DeployOutOfBandAsync(keystore: false);
        var nonce = await Eth.GetTransactionCountAsync(KeeperAddress, BlockTag.Pending);
        using var cancel = new CancellationTokenSource();
        var console = new TestConsole { Cancellation = cancel.Token };
        console.Environment["TREASURY_MNEMONIC"] = DevAccounts.Mnemonic;
        var waiting = console.OutputContains("; waiting for 2 confirmation(s)");
        var run = console.RunAsync("rebalance", "--config", config, "--pool", "BASE/USDQ", "--yes", "--Gas:Confirmations=2");

        await waiting.WaitAsync(TimeSpan.FromSeconds(120));
        await cancel.CancelAsync();
        var (exit, output, error) = await run.WaitAsync(TimeSpan.FromSeconds(30)); // Gas:MaxWait is minutes

        var sent = System.Text.RegularExpressions.Regex.Match(output, $@"Sent (0x[0-9a-f]{{64}}) \(nonce {nonce}\); waiting for 2 confirmation\(s\)");
        Assert.True(sent.Success, output);
        Assert.Equal(TreasuryCli.Failure, exit);
        Assert.StartsWith($"error: cancelled while waiting for {sent.Groups[1].Value} (nonce {nonce}): it was sent and stays in flight in the journal", error);
        Assert.NotNull(await Eth.GetTransactionReceiptAsync(sent.Groups[1].Value));
    }

    [Fact]
    public async Task After_a_rehearsal_the_operator_confirms_and_the_real_chain_takes_exactly_the_rehearsed_curve()
    {
        var (config, pool) = await DeployOutOfBandAsync(keystore: true);
        var real = await RealChainAsync(pool);
        var rehearsed = await new TestConsole().RunAsync("rebalance", "--config", config, "--pool", "BASE/USDQ", "--fork", "--json");
        Assert.True(rehearsed.Exit == 0, rehearsed.Err + rehearsed.Out);
        using var doc = JsonDocument.Parse(rehearsed.Out);
        var plan = doc.RootElement.GetProperty("rehearsal").GetProperty("plan");

        // a terminal: the rehearsal (impersonated), the fork stopped, the question, "y", then the key's password
        var console = new TestConsole { StandardInput = "y\n", PromptAnswers = new Queue<string>([Password]) };
        var run = await console.RunAsync("rebalance", "--config", config, "--pool", "BASE/USDQ", "--fork", "--Gas:Confirmations=1");
        Assert.True(run.Exit == 0, run.Err + run.Out);
        var outcome = run.Out.IndexOf("outcome: mined in fork block", StringComparison.Ordinal);
        var question = run.Out.IndexOf($"Send the same plan to the real chain ({Node.Node.Endpoint})? [y/N]", StringComparison.Ordinal);
        Assert.True(outcome >= 0 && question > outcome, run.Out); // offered only after the rehearsal
        Assert.Contains("Sent to the real chain — Mined: 0x", run.Out);
        Assert.Equal(["Keystore password: "], console.Prompts); // the key asked for only to send

        var state = await pool.GetStateAsync();
        Assert.Equal(BigInteger.Parse(plan.GetProperty("sqrt_price_x96").GetString()!, System.Globalization.CultureInfo.InvariantCulture), state.SqrtPriceX96);
        Assert.Equal(plan.GetProperty("fee_pips").GetInt32(), (int)state.FeePips);
        Assert.Equal(real.Nonce + 1, await Eth.GetTransactionCountAsync(KeeperAddress, BlockTag.Pending));
    }

    [Fact]
    public async Task With_the_key_at_hand_the_rehearsal_signs_and_send_after_rehearsal_sends_without_asking()
    {
        var (config, pool) = await DeployOutOfBandAsync(keystore: false);
        var real = await RealChainAsync(pool);
        var console = new TestConsole();
        console.Environment["TREASURY_MNEMONIC"] = DevAccounts.Mnemonic;

        var run = await console.RunAsync("rebalance", "--config", config, "--pool", "BASE/USDQ", "--fork", "--json", "--send-after-rehearsal", "--Gas:Confirmations=1");
        Assert.True(run.Exit == 0, run.Err + run.Out);
        using var doc = JsonDocument.Parse(run.Out);
        var rehearsal = doc.RootElement.GetProperty("rehearsal");
        Assert.Equal("key", rehearsal.GetProperty("signed_by").GetString());
        Assert.Equal("mined", rehearsal.GetProperty("outcome").GetString());
        var sent = doc.RootElement.GetProperty("sent");
        Assert.True(sent.GetProperty("sent").GetBoolean());
        Assert.Equal("mined", sent.GetProperty("result").GetProperty("outcome").GetString());

        var state = await pool.GetStateAsync();
        var plan = rehearsal.GetProperty("plan");
        Assert.Equal(BigInteger.Parse(plan.GetProperty("sqrt_price_x96").GetString()!, System.Globalization.CultureInfo.InvariantCulture), state.SqrtPriceX96);
        Assert.Equal(real.Nonce + 1, await Eth.GetTransactionCountAsync(KeeperAddress, BlockTag.Pending)); // one transaction on the real chain: the send
    }

    [Fact]
    public async Task When_the_real_chain_moves_between_the_rehearsal_and_the_answer_the_plan_is_not_sent()
    {
        var (config, pool) = await DeployOutOfBandAsync(keystore: true);
        // the operator's "y" arrives after another sale has moved the pool: the plan now would differ
        var input = new ActingReader("y", () => Task.Run(() => SellBaseAsync(pool)).GetAwaiter().GetResult());
        var console = new TestConsole { Input = input, PromptAnswers = new Queue<string>([Password]) };
        var run = await console.RunAsync("rebalance", "--config", config, "--pool", "BASE/USDQ", "--fork", "--Gas:Confirmations=1");
        Assert.True(input.Answered, "the question was asked");
        var moved = await RealChainAsync(pool);

        Assert.Equal(TreasuryCli.Failure, run.Exit);
        Assert.Contains("Not sent: the real chain has moved since the rehearsal", run.Out);
        Assert.Contains("sqrtPriceX96 (the centre): rehearsed ", run.Out);
        Assert.DoesNotContain("Sent to the real chain", run.Out);
        Assert.Equal(moved, await RealChainAsync(pool)); // nothing sent after the check
    }

    [Fact]
    public async Task An_anvil_fork_rehearses_the_same_way_and_leaves_the_real_chain_alone()
    {
        var (config, pool) = await DeployOutOfBandAsync(keystore: true);
        var real = await RealChainAsync(pool);

        var run = await new TestConsole().RunAsync("rebalance", "--config", config, "--pool", "BASE/USDQ", "--fork", "--json", "--Fork:Node=Anvil");
        Assert.True(run.Exit == 0, run.Err + run.Out);
        using var doc = JsonDocument.Parse(run.Out);
        var rehearsal = doc.RootElement.GetProperty("rehearsal");
        Assert.Equal("anvil", rehearsal.GetProperty("fork_node").GetString());
        Assert.Equal("impersonated", rehearsal.GetProperty("signed_by").GetString());
        Assert.Equal("mined", rehearsal.GetProperty("outcome").GetString());
        Assert.Equal(rehearsal.GetProperty("plan").GetProperty("fee_pips").GetInt32(), rehearsal.GetProperty("after").GetProperty("fee_pips").GetInt32());
        Assert.Equal(real, await RealChainAsync(pool));
    }

    [Fact]
    public async Task Bad_fork_input_is_one_line_naming_the_input_and_changes_nothing()
    {
        var (config, pool) = await DeployOutOfBandAsync(keystore: false);
        var real = await RealChainAsync(pool);
        var cases = new (string[] Args, int Exit, string[] Mentions)[]
        {
            (["--fork", "not-a-url"], TreasuryCli.BadInput, ["--fork 'not-a-url' is not an http(s) JSON-RPC URL"]),
            (["--fork", "--dry-run"], TreasuryCli.BadInput, ["--dry-run and --fork do not combine"]),
            (["--fork", "--yes"], TreasuryCli.BadInput, ["--yes does not apply to --fork", "--send-after-rehearsal"]),
            (["--send-after-rehearsal"], TreasuryCli.BadInput, ["--send-after-rehearsal needs --fork"]),
            (["--fork", "--Fork:Command=/nonexistent/node.sh"], TreasuryCli.BadInput, ["Fork:Command '/nonexistent/node.sh' does not exist"]),
            (["--fork", "--Rpc:ChainId=5"], TreasuryCli.BadInput, ["is on chain 31337, but Rpc:ChainId is 5"]),
        };
        foreach (var (args, exit, mentions) in cases)
        {
            var console = new TestConsole();
            console.Environment["TREASURY_MNEMONIC"] = DevAccounts.Mnemonic;
            var run = await console.RunAsync(["rebalance", "--config", config, "--pool", "BASE/USDQ", .. args]);
            Assert.True(run.Exit == exit, $"{string.Join(' ', args)}: exit {run.Exit}; {run.Err}{run.Out}");
            var line = Assert.Single(run.Err.TrimEnd().Split('\n'));
            Assert.StartsWith("error: ", line);
            foreach (var mention in mentions) Assert.Contains(mention, line);
            Assert.DoesNotContain("Exception", run.Err + run.Out);
        }
        Assert.Equal(real, await RealChainAsync(pool));
    }

    [Fact]
    public async Task Without_a_fork_the_plan_is_shown_then_asked_about_and_only_yes_sends_it()
    {
        var (config, pool) = await DeployOutOfBandAsync(keystore: true);
        var real = await RealChainAsync(pool);

        // "n": the plan, the question after it, "Not sent.", nothing on the chain
        var no = new TestConsole { StandardInput = "n\n", PromptAnswers = new Queue<string>([Password]) };
        var declined = await no.RunAsync("rebalance", "--config", config, "--pool", "BASE/USDQ", "--Gas:Confirmations=1");
        Assert.Equal(TreasuryCli.Failure, declined.Exit);
        var planShown = declined.Out.IndexOf("Plan for BASE/USDQ", StringComparison.Ordinal);
        var question = declined.Out.IndexOf("Send this rebalance? [y/N]", StringComparison.Ordinal);
        Assert.True(planShown >= 0 && question > planShown, declined.Out);
        Assert.Contains("Not sent.", declined.Out);
        Assert.Equal(real, await RealChainAsync(pool));

        // --json asks nothing: one error line, nothing on standard output, nothing sent
        var json = await new TestConsole { StandardInput = "y\n", PromptAnswers = new Queue<string>([Password]) }
            .RunAsync("rebalance", "--config", config, "--pool", "BASE/USDQ", "--json");
        Assert.Equal(TreasuryCli.BadInput, json.Exit);
        Assert.Equal("", json.Out);
        Assert.StartsWith("error: confirmation needed: --json asks nothing; pass --yes", json.Err);
        Assert.Single(json.Err.TrimEnd().Split('\n'));
        Assert.Equal(real, await RealChainAsync(pool));

        // a terminal, but the output goes to a file: refused at once (no password asked, no plan, no question), nothing sent
        var redirected = new TestConsole { StandardInput = "y\n", PromptAnswers = new Queue<string>([Password]), OutputRedirected = true };
        var filed = await redirected.RunAsync("rebalance", "--config", config, "--pool", "BASE/USDQ", "--Gas:Confirmations=1");
        Assert.Equal(TreasuryCli.BadInput, filed.Exit);
        Assert.Equal("", filed.Out);
        Assert.StartsWith("error: confirmation needed: standard output is redirected", filed.Err);
        Assert.Contains("--dry-run", filed.Err);
        Assert.Contains("--yes", filed.Err);
        Assert.Single(filed.Err.TrimEnd().Split('\n'));
        Assert.Empty(redirected.Prompts);
        Assert.Equal(real, await RealChainAsync(pool));

        // no terminal at all (a cron job without --yes): refused the same way, naming --yes
        var piped = await new TestConsole { StandardInput = "y\n" }.RunAsync("rebalance", "--config", config, "--pool", "BASE/USDQ");
        Assert.Equal(TreasuryCli.BadInput, piped.Exit);
        Assert.StartsWith("error: confirmation needed: standard input is not a terminal; pass --yes", piped.Err);
        Assert.Equal(real, await RealChainAsync(pool));

        // "y": sent and mined, the pool re-centred, one transaction from the keeper
        var yes = new TestConsole { StandardInput = "y\n", PromptAnswers = new Queue<string>([Password]) };
        var sent = await yes.RunAsync("rebalance", "--config", config, "--pool", "BASE/USDQ", "--Gas:Confirmations=1");
        Assert.True(sent.Exit == 0, sent.Err + sent.Out);
        Assert.Contains("Mined: 0x", sent.Out);
        Assert.Equal(real.Nonce + 1, await Eth.GetTransactionCountAsync(KeeperAddress, BlockTag.Pending));
        Assert.NotEqual(real.Pool.SqrtPriceX96, (await pool.GetStateAsync()).SqrtPriceX96);
    }

    /// <summary>Standard input whose first line runs <paramref name="act"/> before it is returned (the world moving while a person reads).</summary>
    private sealed class ActingReader(string line, Action act) : TextReader
    {
        public bool Answered { get; private set; }

        public override string? ReadLine()
        {
            if (Answered) return null;
            Answered = true;
            act();
            return line;
        }
    }
}
