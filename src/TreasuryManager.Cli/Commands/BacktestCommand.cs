using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using TreasuryManager.Simulation;

namespace TreasuryManager.Cli.Commands;

/// <summary>
/// `treasury backtest --scenario NAME|FILE [--paths N] [--seed S] [--out DIR] [--json]`: the in-memory market
/// simulation, every strategy on the same paths (hold, full-range, static-range, passive, managed). A table (with a
/// progress bar on a terminal), or with --json exactly one JSON object; --out DIR writes report.md and series.csv.
/// </summary>
public static class BacktestCommand
{
    public static Command Create(CliConsole io)
    {
        var scenario = new Option<string>("--scenario") { Description = "A scenario name (" + string.Join(", ", ScenarioCatalog.Names) + ") or the path of a scenario JSON file.", Required = true };
        var paths = new Option<int>("--paths") { Description = "Number of simulated paths.", DefaultValueFactory = _ => 200 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the experiment (each path's seed is derived from it).", DefaultValueFactory = _ => 1 };
        var outDir = new Option<string?>("--out") { Description = "Write report.md (the table) and series.csv (time series of the first path) into this directory." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of a table." };
        var command = new Command("backtest", "Simulate a market scenario and compare the liquidity strategies on the same paths.") { scenario, paths, seed, outDir, json };
        command.SetAction(parse => Run(io, parse.GetValue(scenario)!, parse.GetValue(paths), parse.GetValue(seed), parse.GetValue(outDir), parse.GetValue(json)));
        return command;
    }

    private static int Run(CliConsole io, string scenarioName, int paths, ulong seed, string? outDir, bool json)
    {
        if (paths <= 0)
        {
            io.Error.WriteLine($"error: --paths must be a positive integer (got {paths.ToString(CultureInfo.InvariantCulture)})");
            return TreasuryCli.BadInput;
        }
        Scenario scenario;
        try
        {
            scenario = ScenarioCatalog.Load(scenarioName);
        }
        catch (Exception e) when (e is ScenarioException or IOException or UnauthorizedAccessException)
        {
            io.Error.WriteLine($"error: {e.Message}");
            return TreasuryCli.BadInput;
        }

        BacktestResult result;
        if (json || io.Ansi is null)
        {
            result = Backtest.Run(scenario, paths, seed);
        }
        else
        {
            BacktestResult? r = null;
            io.Ansi.Progress().Start(ctx =>
            {
                var task = ctx.AddTask($"{scenario.Name}: {paths} paths", maxValue: paths);
                r = Backtest.Run(scenario, paths, seed, onPathDone: () => task.Increment(1));
            });
            result = r!;
        }

        // the command that reproduces these figures (every choice explicit)
        var commandLine = FormattableString.Invariant($"treasury backtest --scenario {scenarioName} --paths {paths} --seed {seed}") + (outDir is null ? "" : $" --out {outDir}");
        if (outDir is not null)
        {
            try
            {
                Directory.CreateDirectory(outDir);
                File.WriteAllText(Path.Combine(outDir, "report.md"), BacktestReport.Markdown(result, commandLine));
                File.WriteAllText(Path.Combine(outDir, "series.csv"), BacktestReport.Csv(result));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                io.Error.WriteLine($"error: cannot write the report to --out {outDir}: {e.Message}");
                return TreasuryCli.Failure;
            }
        }

        if (json)
        {
            io.Out.WriteLine(BacktestReport.Json(result));
            return 0;
        }

        io.Out.WriteLine($"{scenario.Name}: {scenario.Description}");
        io.Out.WriteLine($"{paths} paths, seed {seed}, {scenario.Steps} steps × {scenario.StepSeconds} s; {result.SwapsSimulated:N0} swaps; figures in thousands of quote (k), means across paths");
        var table = new Table().Border(TableBorder.Simple);
        foreach (var h in BacktestReport.ShortHeader) table.AddColumn(new TableColumn(Markup.Escape(h)) { NoWrap = true });
        foreach (var row in BacktestReport.Rows(result, compact: true)) table.AddRow(row.Select(Markup.Escape).ToArray());
        CliConsole.PlainAnsi(io.Out).Write(table); // plain wide tables, like `treasury status`
        if (outDir is not null) io.Out.WriteLine($"report: {Path.Combine(outDir, "report.md")}, series: {Path.Combine(outDir, "series.csv")}");
        return 0;
    }
}
