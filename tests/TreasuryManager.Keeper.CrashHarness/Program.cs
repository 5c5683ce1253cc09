using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using TreasuryManager.Ethereum;
using TreasuryManager.Ethereum.Crypto;
using TreasuryManager.Ethereum.Encoding;
using TreasuryManager.Ethereum.JsonRpc;
using Microsoft.Extensions.Logging.Abstractions;
using TreasuryManager.Keeper.Configuration;
using TreasuryManager.Keeper.Cycle;
using TreasuryManager.Keeper.Execution;
using TreasuryManager.Keeper.Hosting;
using TreasuryManager.Keeper.Journal;
using TreasuryManager.Testing;

// Runs the keeper's executor for one intent: recovery first (as the keeper does on start), then
// the intent. With --crash-at (or TREASURY_CRASH_AT) it kills its own process with SIGKILL at the
// named point — no finally blocks, no flushes, no disposal: a real process death.
//
//   dotnet TreasuryManager.Keeper.CrashHarness.dll --rpc URL --journal PATH --intent KEY --to ADDRESS
//       [--data HEX] [--gas N] [--confirmations N]
//
// The signing key comes from the environment variable TREASURY_HARNESS_KEY (0x + 64 hex digits;
// never on the command line, where ps would show it); without it, the public Hardhat dev account 0.
//       [--crash-at after-sign-before-broadcast|after-broadcast-before-receipt] [--crash-mode kill|failfast]
//
// Exit codes: 0 mined, 2 another outcome, 64 bad arguments; a crash ends with SIGKILL (137) or SIGABRT.
//
// Keeper mode: `--config PATH` runs the whole keeper instead — start (chain checks, journal recovery) and one
// cycle with Act — with the same crash points and key variable. Prints each decision and outcome; exit 0.
//
// Long-running keeper mode: `--config PATH --run forever [--crash-file PATH]` runs the keeper's own loop
// (KeeperService: a cycle every poll, leases renewed, SIGTERM hands them back) until killed. With --crash-file, at
// every execution point it reads that file; a line `POINT POOL` (POINT one of after-sign-before-broadcast,
// after-broadcast-before-receipt, after-receipt-before-record; POOL the pool's address) kills the process with
// SIGKILL when this keeper reaches that point for an intent on that pool. Prints `ready KEEPER` once started.

var options = ParseArguments(args);
if (options is null) return 64;

var crashAt = Get(options, "crash-at") ?? Environment.GetEnvironmentVariable("TREASURY_CRASH_AT");
ExecutionPoint? crashPoint = crashAt switch
{
    null or "" => null,
    "after-sign-before-broadcast" => ExecutionPoint.Journaled,
    "after-broadcast-before-receipt" => ExecutionPoint.Broadcast,
    "after-receipt-before-record" => ExecutionPoint.ReceiptRead,
    _ => null,
};
if (!string.IsNullOrEmpty(crashAt) && crashPoint is null)
{
    Console.Error.WriteLine($"--crash-at '{crashAt}' is not a crash point; use after-sign-before-broadcast, after-broadcast-before-receipt or after-receipt-before-record.");
    return 64;
}
var failFast = Get(options, "crash-mode") == "failfast";
var harnessKey = Environment.GetEnvironmentVariable("TREASURY_HARNESS_KEY") is { Length: > 0 } keyHex ? EthKey.FromHex(keyHex) : DevAccounts.Key(0);

void OnPoint(ExecutionPoint point, AttemptRecord attempt)
{
    Console.WriteLine($"point {point} attempt {attempt.Id} nonce {attempt.Nonce} hash {attempt.Hash}");
    if (point != crashPoint) return;
    Console.WriteLine($"crashing at {crashAt}");
    Console.Out.Flush();
    if (failFast) Environment.FailFast($"crash harness: crashing at {crashAt}");
    Process.GetCurrentProcess().Kill(); // SIGKILL on ourselves
}

if (Get(options, "config") is { } runConfig && Get(options, "run") == "forever")
{
    var settings = SettingsLoader.Load(runConfig);
    var crashFile = Get(options, "crash-file");
    var metrics = new KeeperMetrics();
    KeeperRuntime? started = null;
    void OnPointInFile(ExecutionPoint point, AttemptRecord attempt)
    {
        if (crashFile is null || started?.Journal is not { } journal || !File.Exists(crashFile)) return;
        var pool = journal.GetIntent(attempt.IntentId).Pool;
        var name = point switch { ExecutionPoint.Journaled => "after-sign-before-broadcast", ExecutionPoint.Broadcast => "after-broadcast-before-receipt", _ => "after-receipt-before-record" };
        foreach (var line in File.ReadAllLines(crashFile))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2 || parts[0] != name || pool is null || !string.Equals(parts[1], pool.Value.ToString(), StringComparison.OrdinalIgnoreCase)) continue;
            Console.WriteLine($"crashing at {name} on {pool} attempt {attempt.Id} nonce {attempt.Nonce}");
            Console.Out.Flush();
            Process.GetCurrentProcess().Kill(); // SIGKILL on ourselves
        }
    }
    started = await KeeperRuntime.StartAsync(settings, harnessKey, metrics, NullLoggerFactory.Instance, onPoint: OnPointInFile);
    Console.WriteLine($"ready {started.Fleet?.Keeper ?? harnessKey.Address.ToLowerHex()}");
    Console.Out.Flush();
    using var service = new KeeperService(started, settings, metrics, NullLogger<KeeperService>.Instance, TimeProvider.System);
    using var stopping = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) => { e.Cancel = true; stopping.Cancel(); };
    AppDomain.CurrentDomain.ProcessExit += (_, _) => stopping.Cancel();
    await service.StartAsync(CancellationToken.None);
    try
    {
        await Task.Delay(Timeout.Infinite, stopping.Token);
    }
    catch (OperationCanceledException)
    {
    }
    await service.StopAsync(CancellationToken.None); // hands the leases back
    started.Dispose();
    return 0;
}

if (Get(options, "config") is { } configPath)
{
    var settings = SettingsLoader.Load(configPath);
    using var runtime = await KeeperRuntime.StartAsync(settings, harnessKey, new KeeperMetrics(), NullLoggerFactory.Instance, onPoint: OnPoint);
    foreach (var recovered in runtime.Recovery!.Intents)
        Console.WriteLine($"recovered {recovered.Key}: {recovered.Action} — {recovered.Detail}");
    var cycle = await runtime.Cycle.RunOnceAsync(act: true, evenIfSameBlock: true);
    foreach (var decision in cycle!.Decisions)
        Console.WriteLine(decision is Hold hold ? $"hold {hold.Reason}: {hold.Detail}" : $"plan {((Plan)decision).IntentKey}");
    foreach (var done in cycle.Outcomes)
        Console.WriteLine($"outcome {done.GetType().Name} {done}");
    return 0;
}

using var rpc = new RpcClient(new RpcClientOptions { Endpoint = new Uri(Require(options, "rpc")), Timeout = TimeSpan.FromSeconds(10) });
var eth = new EthClient(rpc);
using var journal = TransactionJournal.Open(Require(options, "journal"));
var executorOptions = new ExecutorOptions
{
    MaxFeePerGasCap = BigInteger.Parse("200000000000", CultureInfo.InvariantCulture),
    BaseFeeCeiling = BigInteger.Parse("100000000000", CultureInfo.InvariantCulture),
    Confirmations = int.Parse(Get(options, "confirmations") ?? "1", CultureInfo.InvariantCulture),
    PollInterval = TimeSpan.FromMilliseconds(50),
    MaxWait = TimeSpan.FromSeconds(30),
};
var executor = await TransactionExecutor.ConnectAsync(
    eth, harnessKey, journal, executorOptions, onPoint: OnPoint);

var report = await executor.RecoverAsync();
foreach (var recovered in report.Intents)
    Console.WriteLine($"recovered {recovered.Key}: {recovered.Action} — {recovered.Detail}");

var outcome = await executor.ExecuteAsync(new TransactionIntent
{
    Key = Require(options, "intent"),
    Kind = "crash-test",
    To = Address.Parse(Require(options, "to"), "--to"),
    Data = Hex.Decode(Get(options, "data") ?? "0x", "--data"),
    GasLimit = long.Parse(Get(options, "gas") ?? "100000", CultureInfo.InvariantCulture),
});
Console.WriteLine($"outcome {outcome.GetType().Name} {outcome}");
return outcome is ExecutionOutcome.Mined ? 0 : 2;

static Dictionary<string, string>? ParseArguments(string[] args)
{
    var result = new Dictionary<string, string>(StringComparer.Ordinal);
    for (var i = 0; i < args.Length; i++)
    {
        if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
        {
            Console.Error.WriteLine($"unexpected argument '{args[i]}'; give --name value pairs (see the comment at the top of Program.cs).");
            return null;
        }
        result[args[i][2..]] = args[++i];
    }
    return result;
}

static string? Get(Dictionary<string, string> options, string name) => options.TryGetValue(name, out var value) ? value : null;

static string Require(Dictionary<string, string> options, string name) =>
    Get(options, name) ?? throw new ArgumentException($"--{name} is required.");
