using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using TreasuryManager.Simulation;

namespace TreasuryManager.Cli.Commands;

/// <summary>
/// `treasury backtest --scenario NAME|FILE [--paths N] [--seed S] [--out DIR] [--json]`: the in-memory market
/// simulation, every strategy on the same paths (hold, full-range, static-range, passive, managed). A table (with a
/// progress bar on a terminal), or with --json exactly one JSON object; --out DIR writes report.md and series.csv.
/// `treasury backtest --prices FILE [--format binance|uniswap-minute] [--scenario ...]`: one path on a real price
/// file (the scenario, calm by default, gives the flow, gas and strategies' settings); the same output with one path.
/// </summary>
public static class BacktestCommand
{
    public static Command Create(CliConsole io)
    {
        var scenario = new Option<string?>("--scenario") { Description = "A scenario name (" + string.Join(", ", ScenarioCatalog.Names) + ") or the path of a scenario JSON file (with --prices: the flow, gas and settings, default calm; without --prices it is required)." };
        var prices = new Option<string?>("--prices") { Description = "Replay a real price file (gzip or CSV) as the market: Binance OHLCV bars or Uniswap v3 minutes." };
        var format = new Option<string?>("--format") { Description = "The price file's format: binance or uniswap-minute (default: from its header)." };
        var poolFee = new Option<int>("--pool-fee-pips") { Description = "uniswap-minute: the real pool's fee in pips (500 = 0.05%).", DefaultValueFactory = _ => 500 };
        var decimals0 = new Option<int>("--decimals0") { Description = "uniswap-minute: token0's decimals.", DefaultValueFactory = _ => 6 };
        var decimals1 = new Option<int>("--decimals1") { Description = "uniswap-minute: token1's decimals.", DefaultValueFactory = _ => 18 };
        var fillGaps = new Option<bool>("--fill-gaps") { Description = "With --prices: fill each missing row (a gap) with a flat one at the previous close and no volume, instead of refusing the file." };
        var baseToken = new Option<int>("--base-token") { Description = "uniswap-minute: which token is the base (priced in the other): 0 or 1.", DefaultValueFactory = _ => 1 };
        var paths = new Option<int>("--paths") { Description = "Number of simulated paths.", DefaultValueFactory = _ => 200 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the experiment (each path's seed is derived from it).", DefaultValueFactory = _ => 1 };
        var outDir = new Option<string?>("--out") { Description = "Write report.md (the table) and series.csv (time series of the first path) into this directory." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of a table." };
        var strategies = new Option<string?>("--strategies")
        {
            Description = "Comma-separated strategies to compare (default: " + string.Join(",", Strategies.Names) + "; also " + string.Join(", ", Strategies.Variants) + "). hold is always included.",
        };
        var command = new Command("backtest", "Simulate a market scenario and compare the liquidity strategies on the same paths.")
        {
            scenario, paths, seed, outDir, json, prices, format, poolFee, decimals0, decimals1, baseToken, fillGaps, strategies,
        };
        command.SetAction(parse =>
        {
            string[]? chosen = null;
            if (parse.GetValue(strategies) is { } list)
            {
                chosen = ["hold", .. list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(n => n != "hold").Distinct()];
                string[] known = [.. Strategies.Names, .. Strategies.Variants];
                if (chosen.FirstOrDefault(n => !known.Contains(n)) is { } unknown)
                {
                    io.Error.WriteLine($"error: --strategies: '{unknown}' is not a strategy; choose from {string.Join(", ", known)}");
                    return TreasuryCli.BadInput;
                }
            }
            // an option that does not apply is refused, not silently ignored
            var priceFile = parse.GetValue(prices);
            bool Given(Option option) => parse.GetResult(option) is { Implicit: false };
            if (priceFile is null && new Option[] { format, poolFee, decimals0, decimals1, baseToken, fillGaps }.FirstOrDefault(Given) is { } stray)
            {
                io.Error.WriteLine($"error: {stray.Name} applies only with --prices FILE (a real price file); drop it, or give --prices");
                return TreasuryCli.BadInput;
            }
            if (priceFile is not null && Given(paths))
            {
                io.Error.WriteLine("error: --paths does not apply with --prices: a price file is one path (its bars or minutes, as they happened); drop --paths");
                return TreasuryCli.BadInput;
            }
            if (priceFile is { } file)
            {
                var pool = new UniswapPoolInfo(parse.GetValue(decimals0), parse.GetValue(decimals1), parse.GetValue(baseToken), parse.GetValue(poolFee));
                return RunPrices(io, file, parse.GetValue(format), parse.GetValue(scenario) ?? "calm", pool, parse.GetValue(fillGaps), parse.GetValue(seed), parse.GetValue(outDir), parse.GetValue(json), chosen);
            }
            if (parse.GetValue(scenario) is not { } name)
            {
                io.Error.WriteLine("error: give --scenario NAME|FILE, or --prices FILE");
                return TreasuryCli.BadInput;
            }
            return Run(io, name, parse.GetValue(paths), parse.GetValue(seed), parse.GetValue(outDir), parse.GetValue(json), chosen);
        });
        return command;
    }

    /// <summary>One path on a real price file: Binance bars under the simulated market, or a Uniswap pool's minutes replayed.</summary>
    private static int RunPrices(CliConsole io, string file, string? formatName, string scenarioName, UniswapPoolInfo pool, bool fillGaps, ulong seed, string? outDir, bool json, string[]? strategies)
    {
        PriceFileFormat? format = formatName switch
        {
            "binance" => PriceFileFormat.Binance,
            "uniswap-minute" => PriceFileFormat.UniswapMinute,
            _ => null,
        };
        if (formatName is not null && format is null)
        {
            io.Error.WriteLine($"error: --format must be binance or uniswap-minute (got {formatName})");
            return TreasuryCli.BadInput;
        }
        BacktestResult result;
        var filled = 0;
        try
        {
            var baseScenario = ScenarioCatalog.Load(scenarioName);
            pool.Validate();
            if (!File.Exists(file))
            {
                io.Error.WriteLine($"error: --prices {file} does not exist");
                return TreasuryCli.BadInput;
            }
            var name = Path.GetFileName(file);
            foreach (var ext in new[] { ".gz", ".csv" })
                if (name.EndsWith(ext, StringComparison.OrdinalIgnoreCase)) name = name[..^ext.Length];
            using var reader = PriceFiles.Open(file);
            var detected = PriceFiles.ReadHeader(reader, file, format);
            if (detected == PriceFileFormat.Binance)
            {
                var bars = PriceFiles.ReadBinance(reader, file, fillGaps, out filled);
                result = Backtest.RunOne(RealMarket.FromBars(baseScenario, bars, name, seed), seed, strategies) with
                {
                    Reference = ReferenceStatistics.Of(bars.Select(b => b.Close).ToArray(), (bars[1].Time - bars[0].Time).TotalSeconds),
                };
            }
            else
            {
                var minutes = PriceFiles.ReadUniswapMinutes(reader, file, fillGaps, out filled);
                var path = RealMarket.FromPoolMinutes(baseScenario, minutes, pool, name, seed);
                result = Backtest.RunOne(path, seed, strategies, venueFactory: ReplayVenueFactory.Instance, marketStep: new PoolReplay(minutes, pool).Step) with
                {
                    Reference = ReferenceStatistics.Of(path.Reference, path.Scenario.StepSeconds),
                };
            }
        }
        catch (Exception e) when (e is PriceFileException or ScenarioException or IOException or UnauthorizedAccessException or InvalidDataException)
        {
            io.Error.WriteLine($"error: {e.Message}");
            return TreasuryCli.BadInput;
        }
        var commandLine = $"treasury backtest --prices {file}" + (formatName is null ? "" : $" --format {formatName}") + (fillGaps ? " --fill-gaps" : "") + FormattableString.Invariant($" --scenario {scenarioName} --seed {seed}") + (strategies is null ? "" : $" --strategies {string.Join(",", strategies)}");
        if (filled > 0 && !json) io.Out.WriteLine(FormattableString.Invariant($"--fill-gaps: {filled} missing rows filled flat at the previous close"));
        return Output(io, result, commandLine, outDir, json);
    }

    private static int Run(CliConsole io, string scenarioName, int paths, ulong seed, string? outDir, bool json, string[]? strategies = null)
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
            result = Backtest.Run(scenario, paths, seed, strategies: strategies);
        }
        else
        {
            BacktestResult? r = null;
            io.Ansi.Progress().Start(ctx =>
            {
                var task = ctx.AddTask($"{scenario.Name}: {paths} paths", maxValue: paths);
                r = Backtest.Run(scenario, paths, seed, onPathDone: () => task.Increment(1), strategies: strategies);
            });
            result = r!;
        }

        // the command that reproduces these figures (every choice explicit)
        var commandLine = FormattableString.Invariant($"treasury backtest --scenario {scenarioName} --paths {paths} --seed {seed}") + (strategies is null ? "" : $" --strategies {string.Join(",", strategies)}") + (outDir is null ? "" : $" --out {outDir}");
        return Output(io, result, commandLine, outDir, json);
    }

    private static int Output(CliConsole io, BacktestResult result, string commandLine, string? outDir, bool json)
    {
        var scenario = result.Scenario;
        var (paths, seed) = (result.Paths, result.Seed);
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
        if (result.Reference is { } reference)
            io.Out.WriteLine(BacktestReport.ReferenceLine(reference));
        var table = new Table().Border(TableBorder.Simple);
        foreach (var h in BacktestReport.ShortHeader) table.AddColumn(new TableColumn(Markup.Escape(h)) { NoWrap = true });
        foreach (var row in BacktestReport.Rows(result, compact: true)) table.AddRow(row.Select(Markup.Escape).ToArray());
        CliConsole.PlainAnsi(io.Out, CliConsole.TableWidth(io.GetEnvironmentVariable)).Write(table); // plain wide tables, like `treasury status`
        if (outDir is not null) io.Out.WriteLine($"report: {Path.Combine(outDir, "report.md")}, series: {Path.Combine(outDir, "series.csv")}");
        return 0;
    }

}
