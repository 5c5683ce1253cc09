using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using TreasuryManager.Ethereum.JsonRpc;
using TreasuryManager.Testing;

namespace TreasuryManager.Cli.Tests;

/// <summary>
/// `status`, `rebalance` and `keeper run` against a treasury deployed with `deploy --local`, given bad input: an unknown
/// pool, the wrong chain id, a keystore without its password, an RPC URL where nothing listens. Each ends with exactly
/// one stderr line naming the fix, no stack trace, a non-zero exit code, and nothing sent.
/// </summary>
[Collection(NodeCollection.Name)]
[Trait("Category", "Node")]
public sealed class KeeperCommandBadInputTests(LocalNodeFixture node) : NodeTest(node), IDisposable
{
    private const string Password = "bad-input-pw-5c1d";
    private const string MnemonicVariable = "TREASURY_MNEMONIC";
    private static readonly Ethereum.Address KeeperAddress = DevAccounts.Key(1).Address; // what `deploy --local` makes the keeper
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>`init` then `deploy --local` (a keystore with <see cref="Password"/>, or the dev mnemonic); returns the configuration path.</summary>
    private async Task<string> DeployAsync(bool keystore)
    {
        var config = _temp.File("appsettings.json");
        var (exit, _, error) = await new TestConsole().RunAsync("init", "--out", config);
        Assert.True(exit == 0, error);
        var console = new TestConsole();
        console.Environment["TREASURY_KEYSTORE_PASSWORD"] = Password;
        var deploy = await console.RunAsync(["deploy", "--local", "--config", config, "--rpc", Node.Node.Endpoint.ToString(), .. keystore ? Array.Empty<string>() : ["--dev-mnemonic"]]);
        Assert.True(deploy.Exit == 0, deploy.Err);
        return config;
    }

    /// <summary>A console that has the key's secret (the mnemonic or the keystore password) in its environment.</summary>
    private static TestConsole WithSecrets()
    {
        var console = new TestConsole();
        console.Environment[MnemonicVariable] = DevAccounts.Mnemonic;
        console.Environment["TREASURY_KEYSTORE_PASSWORD"] = Password;
        return console;
    }

    private static void Edit(string config, string pattern, string replacement)
    {
        var text = File.ReadAllText(config);
        var edited = Regex.Replace(text, pattern, replacement);
        Assert.NotEqual(text, edited);
        File.WriteAllText(config, edited);
    }

    private Task<long> KeeperNonceAsync() => Eth.GetTransactionCountAsync(KeeperAddress, BlockTag.Pending);

    private static void AssertOneLineError((int Exit, string Out, string Err) run, int exitCode, params string[] mentions)
    {
        Assert.True(run.Exit == exitCode, $"exit {run.Exit}, expected {exitCode}; stderr: {run.Err}; stdout: {run.Out}");
        var lines = run.Err.TrimEnd().Split('\n');
        Assert.True(lines.Length == 1, $"expected one stderr line, got:\n{run.Err}");
        Assert.StartsWith("error: ", lines[0]);
        foreach (var mention in mentions) Assert.Contains(mention, lines[0]);
        Assert.DoesNotContain("   at ", run.Err + run.Out);
        Assert.DoesNotContain("Exception", run.Err + run.Out);
        Assert.DoesNotContain("Plan for", run.Out);
    }

    [Fact]
    public async Task A_second_keeper_on_the_same_journal_is_refused_while_the_first_runs()
    {
        var config = await DeployAsync(keystore: false);
        var environment = new Dictionary<string, string> { [MnemonicVariable] = DevAccounts.Mnemonic };
        await using var first = CliProcess.Start(_temp.Path, environment, "keeper", "run", "--config", config, "--Metrics:Port=0");
        await first.WaitForAsync("Keeper started", TimeSpan.FromSeconds(60));
        var nonce = await KeeperNonceAsync();

        foreach (var args in new[] { new[] { "keeper", "run", "--Metrics:Port=0" }, ["rebalance", "--pool", "BASE/USDQ", "--yes"] })
            AssertOneLineError(await WithSecrets().RunAsync([.. args, "--config", config]), TreasuryCli.Failure,
                "is in use by another keeper process", "treasury-journal.db.lock", "two keepers must never share a key and a journal");
        Assert.Equal(nonce, await KeeperNonceAsync());

        Assert.Equal(0, await first.TerminateAsync(TimeSpan.FromSeconds(30)));
        var dryRun = await WithSecrets().RunAsync("rebalance", "--config", config, "--pool", "BASE/USDQ", "--dry-run");
        Assert.True(dryRun.Exit is 0 or 1, dryRun.Err); // reads: a dry run takes no lock, and the lock left with the first keeper
        Assert.DoesNotContain("in use", dryRun.Err);
    }

    [Fact]
    public async Task An_unknown_pool_is_bad_input_naming_the_configured_pools()
    {
        var config = await DeployAsync(keystore: false);
        var nonce = await KeeperNonceAsync();

        foreach (var extra in new[] { "--yes", "--dry-run" })
        {
            var run = await WithSecrets().RunAsync("rebalance", "--config", config, "--pool", "NOPE/USD", extra);
            AssertOneLineError(run, TreasuryCli.BadInput, "unknown pool 'NOPE/USD'", "BASE/USDQ", "--pool");
            Assert.Equal("", run.Out);
        }
        Assert.Equal(nonce, await KeeperNonceAsync());
    }

    [Fact]
    public async Task A_dry_run_whose_key_gives_no_address_is_bad_input_naming_the_key_source_and_status_warns_and_reads_on()
    {
        var config = await DeployAsync(keystore: false);
        var nonce = await KeeperNonceAsync();

        // before: the plan was simulated from address zero and blamed the chain (GuardRejected, NotKeeper(account=0x0…))
        var run = await WithSecrets().RunAsync("rebalance", "--config", config, "--pool", "BASE/USDQ", "--dry-run", "--Key:MnemonicEnv=NO_SUCH_VARIABLE");
        AssertOneLineError(run, TreasuryCli.BadInput, "environment variable NO_SUCH_VARIABLE (named by Key:MnemonicEnv) is not set");
        Assert.Equal("", run.Out);

        var status = await WithSecrets().RunAsync("status", "--config", config, "--Key:MnemonicEnv=NO_SUCH_VARIABLE");
        Assert.True(status.Exit == 0, status.Err);
        Assert.Contains("warning: environment variable NO_SUCH_VARIABLE (named by Key:MnemonicEnv) is not set", status.Err);
        Assert.Contains("simulated without the keeper's address", status.Err);
        Assert.Contains("BASE/USDQ", status.Out);
        Assert.Equal(nonce, await KeeperNonceAsync());
    }

    [Fact]
    public async Task With_no_key_configured_status_watches_and_whatever_needs_the_key_says_none_is_configured()
    {
        var config = await DeployAsync(keystore: false);
        string[] noKey = ["--config", config, "--Key:MnemonicEnv="];

        // a watcher's configuration: status reads and plans, warning that it simulates without the keeper's address
        var status = await WithSecrets().RunAsync(["status", .. noKey]);
        Assert.True(status.Exit == 0, status.Err);
        Assert.Contains("warning: no keeper key is configured (Key sets neither Keystore nor MnemonicEnv)", status.Err);
        Assert.Contains("BASE/USDQ", status.Out);

        foreach (var args in new[] { new[] { "rebalance", "--pool", "BASE/USDQ", "--dry-run" }, ["rebalance", "--pool", "BASE/USDQ", "--yes"], ["keeper", "run", "--Metrics:Port=0"] })
            AssertOneLineError(await WithSecrets().RunAsync([.. args, .. noKey]), TreasuryCli.BadInput,
                "no keeper key is configured (Key sets neither Keystore nor MnemonicEnv)", "run `treasury wallet new`");
    }

    [Fact]
    public async Task A_vault_address_that_holds_another_contract_is_bad_input_naming_Vault()
    {
        var config = await DeployAsync(keystore: false);
        var pool = Regex.Match(File.ReadAllText(config), "\"Address\": \"(0x[0-9a-fA-F]{40})\"").Groups[1].Value; // the pool: a contract, not a vault
        foreach (var args in new[] { new[] { "status" }, ["rebalance", "--pool", "BASE/USDQ", "--dry-run"] })
        {
            var run = await WithSecrets().RunAsync([.. args, "--config", config, $"--Vault={pool}"]);
            AssertOneLineError(run, TreasuryCli.BadInput, $"the contract at Vault {pool} does not answer as a TreasuryVault", "check Vault in the configuration");
        }
    }

    [Fact]
    public async Task A_wrong_chain_id_is_bad_input_naming_Rpc_ChainId_for_every_command()
    {
        var config = await DeployAsync(keystore: false);
        Edit(config, "\"ChainId\": 31337", "\"ChainId\": 1");
        var nonce = await KeeperNonceAsync();

        foreach (var args in new[] { new[] { "status" }, ["rebalance", "--pool", "BASE/USDQ", "--yes"], ["rebalance", "--pool", "BASE/USDQ", "--dry-run", "--json"], ["keeper", "run"] })
        {
            var run = await WithSecrets().RunAsync([.. args, "--config", config]);
            AssertOneLineError(run, TreasuryCli.BadInput, "is on chain 31337, but Rpc:ChainId is 1", "fix Rpc:ChainId");
            Assert.Equal("", run.Out);
        }
        Assert.Equal(nonce, await KeeperNonceAsync());
    }

    [Fact]
    public async Task A_keystore_without_its_password_and_no_terminal_is_bad_input_but_status_needs_no_key()
    {
        var config = await DeployAsync(keystore: true);
        var nonce = await KeeperNonceAsync();

        foreach (var args in new[] { new[] { "rebalance", "--pool", "BASE/USDQ", "--yes" }, ["keeper", "run"] })
        {
            var run = await new TestConsole().RunAsync([.. args, "--config", config]); // no variables, no prompt
            AssertOneLineError(run, TreasuryCli.BadInput, "no password for keystore", "set TREASURY_KEYSTORE_PASSWORD or run interactively");
            Assert.DoesNotContain(Password, run.Err);
            Assert.Equal("", run.Out);
        }
        Assert.Equal(nonce, await KeeperNonceAsync());

        // status reads only: it needs no password
        var status = await new TestConsole().RunAsync("status", "--config", config);
        Assert.True(status.Exit == 0, status.Err);
        Assert.Contains("BASE/USDQ", status.Out);
    }

    [Fact]
    public async Task An_unreachable_rpc_is_a_runtime_failure_naming_the_url_and_the_fix()
    {
        var config = await DeployAsync(keystore: false);
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        } // nothing listens there now
        Edit(config, "\"Url\": \"[^\"]*\"", $"\"Url\": \"http://127.0.0.1:{port}\"");
        var nonce = await KeeperNonceAsync();

        foreach (var args in new[] { new[] { "status" }, ["rebalance", "--pool", "BASE/USDQ", "--yes"], ["keeper", "run"] })
        {
            var run = await WithSecrets().RunAsync([.. args, "--config", config]);
            AssertOneLineError(run, TreasuryCli.Failure, $"cannot reach node at http://127.0.0.1:{port}/", "check that the node is running and the URL is right");
            if (args[0] == "keeper")
                Assert.Contains("WRN] RPC fault (unreachable)", run.Out); // the bot logs its retries through the command line's console
            else
                Assert.Equal("", run.Out);
        }
        Assert.Equal(nonce, await KeeperNonceAsync());
    }
}
