using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Spectre.Console;
using TreasuryManager.DevNode;
using TreasuryManager.Ethereum.JsonRpc;
using TreasuryManager.Ethereum.Wallets;
using TreasuryManager.Reports;
using TreasuryManager.Simulation;
using TreasuryManager.Simulation.OnChain;

namespace TreasuryManager.Cli.Commands;

/// <summary>
/// `treasury demo`: the whole product on a local chain in minutes. Starts a local node (Hardhat, or anvil), deploys
/// tokens, oracle, vault and pool, then plays a simulated market on chain — the reporter posting to the real oracle,
/// traders sending real swaps, the keeper running its real cycle (observe, decide, guard, sign, journal, send) —
/// for a few hundred blocks with a live progress display; prints the summary (PnL against hold, rebalances, gas)
/// next to the in-memory strategies on the same path, writes report.md with its charts, and stops the node
/// however the run ends.
/// </summary>
public static class DemoCommand
{
    /// <summary>The public Hardhat/anvil test mnemonic; its accounts are funded on local nodes only.</summary>
    private const string DevMnemonic = "test test test test test test test test test test test junk";

    public static Command Create(CliConsole io)
    {
        var anvil = new Option<bool>("--anvil") { Description = "Run on anvil instead of Hardhat." };
        var scenario = new Option<string>("--scenario") { Description = "A scenario name (" + string.Join(", ", ScenarioCatalog.Names) + ") or a scenario JSON file.", DefaultValueFactory = _ => "calm" };
        var steps = new Option<int>("--steps") { Description = "Simulated steps (blocks of traders plus one keeper cycle each).", DefaultValueFactory = _ => 192 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the simulated market.", DefaultValueFactory = _ => 1 };
        var outDir = new Option<string>("--out") { Description = "Directory for report.md and its charts.", DefaultValueFactory = _ => "demo-report" };
        var uniswapV3 = new Option<bool>("--uniswap-v3") { Description = "Hold the treasury's position in a real Uniswap v3 pool (v3-core's bytecode, through UniswapV3PositionManager) instead of a ManagedPool; the scenario's fee must be a tier (500, 3000 or 10000 pips)." };
        var command = new Command("demo", "Start a local node, deploy the treasury, run a simulated market and the keeper on chain, print the summary and write a report with charts.")
            { anvil, scenario, steps, seed, outDir, uniswapV3 };
        command.SetAction((parse, ct) => CommandSupport.GuardAsync(io, () => RunAsync(io, parse.GetValue(anvil) ? LocalNodeKind.Anvil : LocalNodeKind.Hardhat,
            parse.GetValue(scenario)!, parse.GetValue(steps), parse.GetValue(seed), parse.GetValue(outDir)!, ct, parse.GetValue(uniswapV3) ? OnChainPool.UniswapV3 : OnChainPool.ManagedPool)));
        return command;
    }

    public static async Task<int> RunAsync(CliConsole io, LocalNodeKind kind, string scenarioName, int steps, ulong seed, string outDir, CancellationToken ct, OnChainPool venue = OnChainPool.ManagedPool)
    {
        if (steps is < 2 or > 100_000) throw CliException.BadInput($"--steps {steps.ToString(CultureInfo.InvariantCulture)} must lie in [2, 100000]");
        Scenario scenario;
        try
        {
            scenario = ScenarioCatalog.Load(scenarioName) with { Steps = steps };
            scenario.Validate();
        }
        catch (Exception e) when (e is ScenarioException or IOException or UnauthorizedAccessException)
        {
            throw CliException.BadInput(e.Message);
        }
        if (venue == OnChainPool.UniswapV3 && !OnChainRun.UniswapV3Tiers.Contains(scenario.Pool.FeePips))
            throw CliException.BadInput($"--uniswap-v3: the scenario's pool fee {scenario.Pool.FeePips.ToString(CultureInfo.InvariantCulture)} pips is not a Uniswap v3 tier ({string.Join(", ", OnChainRun.UniswapV3Tiers)}); set pool.fee_pips in the scenario file");
        var outPath = Path.GetFullPath(outDir);
        var root = LocalNode.FindRepositoryRoot(Directory.GetCurrentDirectory());
        var path = MarketPath.Generate(scenario, Backtest.PathSeed(seed, 0));
        var clock = Stopwatch.StartNew();

        io.Out.WriteLine($"Starting a local {kind} node…");
        OnChainResult result;
        int nodePid;
        await using (var node = await LocalNode.StartAsync(kind, root, ct: ct))
        {
            nodePid = node.ProcessId;
            io.Out.WriteLine($"  node ready at {node.Endpoint} (pid {nodePid})");
            using var rpc = new RpcClient(new RpcClientOptions { Endpoint = node.Endpoint, Timeout = TimeSpan.FromSeconds(30) });
            var eth = new EthClient(rpc);
            var wallet = HdWallet.FromMnemonic(DevMnemonic);
            io.Out.WriteLine("Deploying tokens, oracle, vault and pool; funding the traders…");
            await using var run = await OnChainRun.DeployAsync(eth, root, path, "managed", wallet.GetAccount, venue, ct);
            io.Out.WriteLine(run.UniswapV3 is { } v3
                ? $"  vault {run.Deployment.Vault.Address}, Uniswap v3 pool {v3.Pool.Address} (the position held by UniswapV3PositionManager {v3.Manager.Address}), oracle {run.Deployment.Oracle.Address}"
                : $"  vault {run.Deployment.Vault.Address}, pool {run.Deployment.Pool.Address}, oracle {run.Deployment.Oracle.Address}");
            io.Out.WriteLine($"Market '{scenario.Name}' ({scenario.Description}); the demo runs its first {steps} steps of {scenario.StepSeconds.ToString(CultureInfo.InvariantCulture)} s ({(steps * scenario.StepSeconds / 3600).ToString("0.#", CultureInfo.InvariantCulture)} h), seed {seed}; the keeper runs its real cycle each step");
            result = await RunWithProgressAsync(io, run, ct);
        }
        io.Out.WriteLine($"Node stopped (pid {nodePid}).");

        // the same path in memory, every strategy (the on-chain run is "managed" with the real keeper)
        var series = new List<SeriesPoint>(steps + 1);
        var memory = Backtest.RunPath(path, Strategies.Names, series);
        var rows = Rows(result, memory, venue);
        io.Out.WriteLine();
        io.Out.WriteLine($"Summary after {steps} steps ({(steps * scenario.StepSeconds / 3600).ToString("0.#", CultureInfo.InvariantCulture)} h simulated; {result.Transactions:N0} transactions on chain; {clock.Elapsed.TotalSeconds:0.0} s):");
        var table = new Table().Border(TableBorder.Simple);
        foreach (var h in Header) table.AddColumn(new TableColumn(Markup.Escape(h)) { NoWrap = true });
        foreach (var row in rows) table.AddRow(row.Select(Markup.Escape).ToArray());
        CliConsole.PlainAnsi(io.Out, CliConsole.TableWidth(io.GetEnvironmentVariable)).Write(table);

        Directory.CreateDirectory(outPath);
        var charts = BacktestCharts.Write(ChartData(result, memory, series), outPath);
        var report = Path.Combine(outPath, "report.md");
        await File.WriteAllTextAsync(report, Markdown(result, rows, charts, kind, scenarioName, steps, seed, venue), ct);
        io.Out.WriteLine($"Report: {report} (charts: {string.Join(", ", charts.Select(Path.GetFileName))})");
        return 0;
    }

    private static async Task<OnChainResult> RunWithProgressAsync(CliConsole io, OnChainRun run, CancellationToken ct)
    {
        var steps = run.Path.Steps;
        string Describe(OnChainStep s) => FormattableString.Invariant(
            $"step {s.Step}/{steps}: price {s.Reference:0.00}, pool {s.PoolPrice:0.00} in [{s.Low:0.00}, {s.High:0.00}], {s.SwapsSoFar} swaps, {s.RebalancesSoFar} rebalances, PnL vs hold {s.PnlVsHold:N0}");
        if (io.Ansi is null)
        {
            var every = Math.Max(1, steps / 10);
            return await run.RunAsync(s => { if (s.Step % every == 0 || s.Step == steps) io.Out.WriteLine("  " + Describe(s)); }, ct);
        }
        OnChainResult? result = null;
        await io.Ansi.Progress().AutoClear(false).StartAsync(async ctx =>
        {
            var task = ctx.AddTask("market + keeper on chain", maxValue: steps);
            result = await run.RunAsync(s =>
            {
                task.Value = s.Step;
                task.Description = Markup.Escape(Describe(s));
            }, ct);
        });
        return result!;
    }

    private static readonly string[] Header = ["strategy", "where", "PnL vs hold", "fees", "rebalances", "gas spent (quote)", "final base", "final quote"];

    private static List<string[]> Rows(OnChainResult chain, PathResult[] memory, OnChainPool venue)
    {
        static string Q(double v) => v.ToString("N0", CultureInfo.InvariantCulture);
        var end = chain.Series[^1];
        var rows = new List<string[]>
        {
            new[] { "managed", venue == OnChainPool.UniswapV3 ? "on chain, Uniswap v3 pool (real keeper)" : "on chain (real keeper)", Q(chain.PnlVsHold), Q(chain.Fees), chain.Rebalances.ToString(CultureInfo.InvariantCulture), Q(chain.GasSpentQuote), Q(end.Base), Q(end.Quote) },
        };
        foreach (var r in memory)
            rows.Add([r.Strategy, "in memory", Q(r.PnlVsHold), Q(r.Fees), r.Rebalances.ToString(CultureInfo.InvariantCulture), Q(r.GasSpent),
                Q(Units.Human(r.Reserve0End)), Q(Units.Human(r.Reserve1End))]);
        return rows;
    }

    private static PathChartData ChartData(OnChainResult chain, PathResult[] memory, List<SeriesPoint> series)
    {
        var s = chain.Series;
        var hours = s.Select(p => p.Timestamp - s[0].Timestamp).Select(t => t / 3600.0).ToArray();
        var inventory = new List<NamedSeries> { new("managed (on chain)", s.Select(p => p.Base).ToArray()) };
        var pnl = new List<NamedSeries> { new("managed (on chain)", s.Select(p => p.PnlVsHold).ToArray()) };
        for (var k = 0; k < memory.Length; k++)
        {
            if (memory[k].Strategy == "hold") continue;
            inventory.Add(new($"{memory[k].Strategy} (memory)", series.Select(p => p.Strategies[k].Base).ToArray()));
            pnl.Add(new($"{memory[k].Strategy} (memory)", series.Select(p => p.Strategies[k].PnlVsHold).ToArray()));
        }
        return new PathChartData($"{chain.Path.Scenario.Name}", "hours", hours, s.Select(p => p.Reference).ToArray(),
            s.Select(p => p.PoolPrice).ToArray(), s.Select(p => p.Low).ToArray(), s.Select(p => p.High).ToArray(), inventory, pnl);
    }

    private static string Markdown(OnChainResult chain, List<string[]> rows, IReadOnlyList<string> charts, LocalNodeKind kind, string scenario, int steps, ulong seed, OnChainPool venue)
    {
        var b = new StringBuilder();
        var sc = chain.Path.Scenario;
        b.AppendLine(CultureInfo.InvariantCulture, $"# TreasuryManager demo: {sc.Name}");
        b.AppendLine();
        b.AppendLine(CultureInfo.InvariantCulture, $"{sc.Description}. {steps} steps of {sc.StepSeconds} s on a local {kind} node; seed {seed}.");
        b.AppendLine(CultureInfo.InvariantCulture, $"Reproduce: `scripts/demo.sh --scenario {scenario} --steps {steps} --seed {seed}`{(kind == LocalNodeKind.Anvil ? " --anvil" : "")}{(venue == OnChainPool.UniswapV3 ? " --uniswap-v3" : "")}.");
        b.AppendLine();
        b.AppendLine("On chain, the reporter posted to the real oracle, the traders sent signed swaps and the keeper ran its real cycle");
        b.AppendLine(CultureInfo.InvariantCulture, $"({chain.Transactions:N0} transactions). The in-memory rows replay the same path on the bit-exact pool math.");
        b.AppendLine("PnL against hold in quote, at the reference price, after gas (valued at the path's gas price).");
        b.AppendLine();
        b.AppendLine("| " + string.Join(" | ", Header) + " |");
        b.AppendLine("|" + string.Concat(Enumerable.Repeat("---|", Header.Length)));
        foreach (var r in rows) b.AppendLine("| " + string.Join(" | ", r) + " |");
        b.AppendLine();
        b.AppendLine("Keeper decisions on chain: " + string.Join(", ", chain.Decisions.Select(d => $"{d.Key} {d.Value}")) + ".");
        b.AppendLine();
        foreach (var c in charts) b.AppendLine(CultureInfo.InvariantCulture, $"![{Path.GetFileNameWithoutExtension(c)}]({Path.GetFileName(c)})");
        return b.ToString();
    }
}
