using System.Diagnostics;
using System.Numerics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Contracts.Deployment;
using TreasuryManager.Ethereum;
using TreasuryManager.Ethereum.Contracts;
using TreasuryManager.Ethereum.Crypto;
using TreasuryManager.Ethereum.JsonRpc;
using TreasuryManager.Ethereum.Wallets;
using TreasuryManager.Keeper.Configuration;
using TreasuryManager.Strategy.Settings;
using TreasuryManager.Testing;

namespace TreasuryManager.Cli.Tests;

/// <summary>
/// A whole run of the built CLI as child processes, at Debug log level, with a keeper key nobody else knows (a fresh
/// keystore with a fresh password, or a fresh mnemonic): `keeper run` until it has rebalanced, SIGTERM, then `status`,
/// `rebalance --dry-run --json` and `rebalance --yes` (which rebalances again). Everything the processes wrote is
/// scanned for the private key (hex, with or without 0x, any case), the mnemonic (the phrase and any three consecutive
/// words) and the keystore password.
/// </summary>
[Collection(NodeCollection.Name)]
[Trait("Category", "Node")]
public sealed class SecretScanTests(LocalNodeFixture node) : NodeTest(node), IDisposable
{
    private const string MnemonicVariable = "SCAN_KEEPER_MNEMONIC";
    private const string PasswordVariable = "SCAN_KEEPER_PASSWORD";
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("keystore")]
    [InlineData("mnemonic")]
    public async Task A_whole_run_that_signs_rebalances_never_prints_the_key_the_mnemonic_or_the_password(string source)
    {
        // the treasury, deployed by the CLI; then a keeper key of our own, made a keeper and funded
        var baseConfig = _temp.File("deployed.json");
        Assert.Equal(0, (await new TestConsole().RunAsync("init", "--out", baseConfig)).Exit);
        var deploy = await new TestConsole().RunAsync("deploy", "--local", "--dev-mnemonic", "--config", baseConfig, "--rpc", Node.Node.Endpoint.ToString());
        Assert.True(deploy.Exit == 0, deploy.Err);
        var deployed = SettingsLoader.Load(baseConfig);

        var mnemonic = source == "mnemonic" ? Bip39.Generate(12) : null;
        var password = source == "keystore" ? "pw-" + Convert.ToHexString(Guid.NewGuid().ToByteArray()) : null;
        var key = mnemonic is null ? EthKey.Generate() : HdWallet.FromMnemonic(mnemonic).GetAccount(0);
        var owner = await AccountSender.ConnectAsync(Eth, DevAccounts.Key(0));
        await new TreasuryVault(Eth, deployed.VaultAddress).SetKeeperAsync(owner, key.Address, true);
        await owner.SendAndWaitAsync(new TransactionRequest { To = key.Address, Value = BigInteger.Pow(10, 19) });
        await IncreaseTimeAsync(700); // the TWAP window must be covered before the keeper reads it

        var keySettings = mnemonic is not null
            ? new KeySettings { MnemonicEnv = MnemonicVariable, DerivationPath = "m/44'/60'/0'/0/0" }
            : new KeySettings { Keystore = _temp.File("keeper.json"), PasswordEnv = PasswordVariable };
        if (password is not null) Keystore.Save(key, password, keySettings.Keystore!, TestConsole.FastKdf);
        var config = WriteConfig(deployed with
        {
            Key = keySettings,
            Journal = _temp.File("journal.db"),
            Metrics = new MetricsSettings { Port = 0 },
            Cycle = new CycleSettings { PollIntervalMilliseconds = 100 },
            Gas = deployed.Gas with { Confirmations = 1 },
            // the σ rule: the keeper's first rebalance is the swap's (the default rule would first widen the fresh
            // pool, after which a 30,000 push stays inside the band)
            Strategy = deployed.Strategy with { RangeWidth = RangeWidthRule.StdDevs },
        });
        var environment = new Dictionary<string, string>
        {
            [mnemonic is null ? PasswordVariable : MnemonicVariable] = mnemonic ?? password!,
        };

        var pool = new ManagedPool(Eth, Address.Parse(deployed.Pools[0].Address!));
        var trader = await AccountSender.ConnectAsync(Eth, DevAccounts.Key(3));
        var outputs = new List<string>();

        // keeper run: waits for a block, then the swap pushes the inventory out of the band and it rebalances
        await using (var keeper = CliProcess.Start(_temp.Path, environment, "keeper", "run", "--config", config))
        {
            await keeper.WaitForAsync("Cycle at block", TimeSpan.FromSeconds(60));
            await pool.SwapExactInAsync(trader, true, BigInteger.Pow(10, 18) * 30_000, 0, trader.Address, TreasuryDeployer.Deadline);
            await keeper.WaitForAsync("Rebalanced BASE/USDQ", TimeSpan.FromSeconds(60));
            Assert.Equal(1, await Eth.GetTransactionCountAsync(key.Address));

            var exit = await keeper.TerminateAsync(TimeSpan.FromSeconds(30));
            outputs.Add(keeper.Output);
            Assert.True(exit == 0, $"keeper run exited {exit} after SIGTERM:\n{keeper.Output}");
            Assert.Contains("Keeper stopping", keeper.Output);
            Assert.Contains(" DBG] ", keeper.Output); // Debug level really was on
        }

        // push it out again, past the policy's minimum interval: the manual commands find a plan and sign it
        await IncreaseTimeAsync(120);
        await pool.SwapExactInAsync(trader, true, BigInteger.Pow(10, 18) * 30_000, 0, trader.Address, TreasuryDeployer.Deadline);
        var status = await CliProcess.RunAsync(_temp.Path, environment, "status", "--config", config);
        var dryRun = await CliProcess.RunAsync(_temp.Path, environment, "rebalance", "--config", config, "--pool", "BASE/USDQ", "--dry-run", "--json");
        var yes = await CliProcess.RunAsync(_temp.Path, environment, "rebalance", "--config", config, "--pool", "BASE/USDQ", "--yes");
        outputs.AddRange([status.Output, dryRun.Output, yes.Output]);
        Assert.True(status.Exit == 0, status.Output);
        Assert.Contains("PLAN", status.Output);
        Assert.True(dryRun.Exit == 0, dryRun.Output);
        Assert.Contains("\"decision\": \"plan\"", dryRun.Output);
        Assert.True(yes.Exit == 0, yes.Output);
        // it says what it sent as the node accepts it, then that the same transaction was mined
        var sent = System.Text.RegularExpressions.Regex.Match(yes.Output, @"Sent (0x[0-9a-f]{64}) \(nonce 1\); waiting for \d+ confirmation");
        Assert.True(sent.Success, yes.Output);
        Assert.Contains($"Mined: {sent.Groups[1].Value}", yes.Output);
        Assert.Equal(2, await Eth.GetTransactionCountAsync(key.Address)); // two rebalances signed with the secret key

        var logFiles = Directory.EnumerateFiles(_temp.Path, "*.log", SearchOption.AllDirectories).Select(File.ReadAllText);
        var everything = string.Join("\n", outputs.Concat(logFiles));
        var privateHex = Convert.ToHexStringLower(key.PrivateKeyBytes);
        Assert.DoesNotContain(privateHex, everything, StringComparison.OrdinalIgnoreCase); // with or without 0x, any case
        Assert.DoesNotContain(Convert.ToBase64String(key.PrivateKeyBytes), everything);
        if (password is not null) Assert.DoesNotContain(password, everything, StringComparison.OrdinalIgnoreCase);
        if (mnemonic is not null)
        {
            var words = mnemonic.Split(' ');
            var flat = System.Text.RegularExpressions.Regex.Replace(everything, @"\s+", " ");
            Assert.DoesNotContain(mnemonic, flat, StringComparison.OrdinalIgnoreCase);
            for (var i = 0; i + 3 <= words.Length; i++)
                Assert.DoesNotContain(string.Join(' ', words[i..(i + 3)]), flat, StringComparison.OrdinalIgnoreCase);
        }
        // the scanned text holds both signing paths' reports (the bot's and the manual rebalance's)
        Assert.Contains("Rebalanced BASE/USDQ", everything);
        Assert.Contains("Mined: 0x", everything);
    }

    private async Task IncreaseTimeAsync(long seconds)
    {
        await Node.Rpc.CallAsync("evm_increaseTime", [seconds]);
        await Node.Rpc.CallAsync("evm_mine");
    }

    private string WriteConfig(TreasurySettings settings)
    {
        var json = JsonSerializer.SerializeToNode(settings)!.AsObject();
        json["Serilog"] = new JsonObject { ["MinimumLevel"] = new JsonObject { ["Default"] = "Debug" } };
        var path = _temp.File("appsettings.json");
        File.WriteAllText(path, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return path;
    }
}

/// <summary>The built CLI (src/TreasuryManager.Cli's own output, treasury.dll) as a child process, its stdout and stderr captured together.</summary>
internal sealed class CliProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private CliProcess(Process process) => _process = process;

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    public static CliProcess Start(string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo(DotnetHost()) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, WorkingDirectory = workingDirectory };
        start.ArgumentList.Add(CliPath());
        foreach (var a in args) start.ArgumentList.Add(a);
        IsolateEnvironment(start); // the configuration file alone, not the test runner's environment
        foreach (var (name, value) in environment) start.Environment[name] = value;
        var process = new Process { StartInfo = start };
        var cli = new CliProcess(process);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (cli._output) cli._output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (cli._output) cli._output.AppendLine("stderr: " + e.Data); };
        process.Start();
        process.StandardInput.Close(); // no terminal: nothing can prompt
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return cli;
    }

    /// <summary>Runs a command to its end (60 s at most) and returns its exit code and output.</summary>
    public static async Task<(int Exit, string Output)> RunAsync(string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        await using var cli = Start(workingDirectory, environment, args);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await cli._process.WaitForExitAsync(timeout.Token);
        cli._process.WaitForExit(); // drains the output
        return (cli._process.ExitCode, cli.Output);
    }

    /// <summary>
    /// Runs a command as a person at a terminal with its output sent to a file: under script(1), so standard input and
    /// standard error are a pseudo-terminal, with standard output redirected to <paramref name="stdoutFile"/>;
    /// <paramref name="typed"/> is typed once the terminal shows <paramref name="prompt"/>. Returns the exit code and
    /// what the terminal showed.
    /// </summary>
    public static async Task<(int Exit, string Terminal)> RunAtTerminalAsync(string workingDirectory, string prompt, string typed, string stdoutFile, params string[] args)
    {
        static string Quote(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
        var command = string.Join(' ', new[] { DotnetHost(), CliPath() }.Concat(args).Select(Quote)) + " > " + Quote(stdoutFile);
        var start = new ProcessStartInfo("script", ["--quiet", "--return", "--command", command, "/dev/null"])
        {
            UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, WorkingDirectory = workingDirectory,
        };
        IsolateEnvironment(start); // nothing from the test runner's environment: the password is typed
        using var process = Process.Start(start) ?? throw new InvalidOperationException("script(1) did not start (util-linux's script is needed)");
        var shown = new StringBuilder();
        var reading = Task.Run(async () =>
        {
            var buffer = new char[256];
            int n;
            while ((n = await process.StandardOutput.ReadAsync(buffer)) > 0) lock (shown) shown.Append(buffer, 0, n);
        });
        var error = process.StandardError.ReadToEndAsync();
        string Shown() { lock (shown) return shown.ToString(); }
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (!Shown().Contains(prompt, StringComparison.Ordinal)) // typed before the prompt, the terminal would echo it
            {
                if (process.HasExited || DateTime.UtcNow > deadline)
                    throw new InvalidOperationException($"the terminal never showed '{prompt}' (exited: {process.HasExited}):\n{Shown()}");
                await Task.Delay(50);
            }
            await process.StandardInput.WriteAsync(typed);
            process.StandardInput.Close();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(timeout.Token);
            await reading;
            return (process.ExitCode, Shown() + await error);
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true); // never leave the command waiting at its prompt
        }
    }

    public async Task WaitForAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (_process.HasExited) throw new InvalidOperationException($"the CLI exited ({_process.ExitCode}) before printing '{text}':\n{Output}");
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"the CLI did not print '{text}' within {timeout}:\n{Output}");
            await Task.Delay(50);
        }
    }

    /// <summary>Sends SIGTERM (as systemd or docker stop would) and waits for the exit code.</summary>
    public Task<int> TerminateAsync(TimeSpan timeout) => SignalAsync("-TERM", timeout);

    /// <summary>Sends SIGINT (Ctrl-C at a terminal) and waits for the exit code.</summary>
    public Task<int> InterruptAsync(TimeSpan timeout) => SignalAsync("-INT", timeout);

    private async Task<int> SignalAsync(string signal, TimeSpan timeout)
    {
        using (var kill = Process.Start(new ProcessStartInfo("kill", [signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false })!)
            await kill.WaitForExitAsync();
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true); // never leave a keeper behind
        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>No TREASURY_* variable of the test runner reaches the command, and a crash writes no dump.</summary>
    private static void IsolateEnvironment(ProcessStartInfo start)
    {
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("TREASURY_", StringComparison.Ordinal)).ToArray())
            start.Environment.Remove(name);
        start.Environment["DOTNET_DbgEnableMiniDump"] = "0";
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    /// <summary>The CLI's own build output (same configuration and framework as this test project's).</summary>
    private static string CliPath()
    {
        var root = DevNode.LocalNode.FindRepositoryRoot();
        var testProject = Path.Combine(root, "tests", "TreasuryManager.Cli.Tests");
        var relative = Path.GetRelativePath(testProject, AppContext.BaseDirectory);
        var path = Path.GetFullPath(Path.Combine(root, "src", "TreasuryManager.Cli", relative, "treasury.dll"));
        if (!File.Exists(path))
            throw new FileNotFoundException($"The CLI is not built at {path}; build the solution (dotnet build TreasuryManager.sln) first.", path);
        return path;
    }
}
