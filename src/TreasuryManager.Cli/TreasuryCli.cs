using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using TreasuryManager.Cli.Commands;
using TreasuryManager.Models.Reproduction;

namespace TreasuryManager.Cli;

/// <summary>The `treasury` command line. Exit codes: 0 success, 1 runtime failure, 2 bad input.</summary>
public static class TreasuryCli
{
    public const int Failure = 1;
    public const int BadInput = 2;

    /// <summary>Runs without a terminal: nothing prompts, and stdin is empty.</summary>
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr) =>
        RunAsync(args, new CliConsole { Out = stdout, Error = stderr });

    /// <summary>
    /// Runs one command. A known failure is one "error: …" line (exit 2 bad input, 1 runtime; CommandSupport); any other
    /// exception is one "error: &lt;message&gt; (details: &lt;log&gt;)" line with exit 1, its full text appended to
    /// <see cref="CliConsole.ErrorLogPath"/> — never a stack trace on the console.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, CliConsole io, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(io);
        try
        {
            return await RunCommandAsync(args, io, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            io.Error.WriteLine("error: cancelled");
            return Failure;
        }
        catch (Exception e)
        {
            io.Error.WriteLine($"error: {CommandSupport.OneLine(RedactSecrets(e.Message))} ({CommandSupport.LogUnexpected(io, args, e)})");
            return Failure;
        }
    }

    private static async Task<int> RunCommandAsync(string[] args, CliConsole io, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(io);
        var (stdout, stderr) = (io.Out, io.Error);
        var root = new RootCommand("TreasuryManager: a keeper and pool for DAO treasuries making markets in their own tokens.");
        root.Subcommands.Add(Reproduce(stdout, stderr));
        root.Subcommands.Add(DemoCommand.Create(io));
        root.Subcommands.Add(InitCommand.Create(io));
        root.Subcommands.Add(DeployCommand.Create(io));
        root.Subcommands.Add(WalletCommand.Create(io));
        root.Subcommands.Add(BacktestCommand.Create(io));
        root.Subcommands.Add(KeeperCommands.Status(io));
        root.Subcommands.Add(KeeperCommands.Rebalance(io));
        root.Subcommands.Add(KeeperCommands.Keeper(io));
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            stderr.WriteLine($"error: {RedactSecrets(ParseErrorText(parse))}");
            return BadInput;
        }

        if (parse.Action is System.CommandLine.Help.HelpAction)
        {
            // A command that takes setting overrides lets unmatched tokens through, and the stock usage line then
            // promises "[[--] <additional arguments>...]]": name what those tokens are instead.
            using var help = new StringWriter(CultureInfo.InvariantCulture);
            var code = parse.Invoke(new InvocationConfiguration { Output = help, Error = stderr, EnableDefaultExceptionHandler = false });
            stdout.Write(HelpText(help.ToString()));
            return code;
        }

        // no handler of System.CommandLine's own: an exception reaches RunAsync, which prints one line. Ctrl-C (SIGINT)
        // and SIGTERM cancel the command's token, so a command ends saying what it did (a rebalance that went out names
        // its transaction) instead of the process dying with it; one that has not ended after ShutdownGrace exits 130.
        return await parse.InvokeAsync(new InvocationConfiguration
        {
            Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = ShutdownGrace,
        }, ct);
    }

    /// <summary>How long a command has, after Ctrl-C or SIGTERM cancelled it, to end on its own (the keeper's host stops its
    /// cycle and flushes its log within it).</summary>
    public static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(10);

    /// <summary>System.CommandLine's help with the usage line of a command that takes setting overrides saying so.</summary>
    internal static string HelpText(string stock) =>
        stock.Replace(" [[--] <additional arguments>...]]", " [--Section:Key=value ...]", StringComparison.Ordinal);

    /// <summary>
    /// The parse error an operator can act on: a mistyped command named, with the nearest commands and the list; a
    /// missing one with the commands to choose from; an unknown option with the nearest options; else the parser's own
    /// first message (an unknown word before a missing one), without .NET type names.
    /// </summary>
    internal static string ParseErrorText(ParseResult parse)
    {
        var command = parse.CommandResult.Command;
        var path = string.Join(' ', CommandPath(parse.CommandResult));
        var commands = command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name).ToList();
        var word = parse.UnmatchedTokens.FirstOrDefault(t => !t.StartsWith('-'));
        if (commands.Count > 0 && word is not null)
            return $"unknown command '{word}' for `{path}`{Nearest(word, commands)}; its commands: {string.Join(", ", commands)}";
        if (commands.Count > 0 && parse.Errors.Any(e => e.Message.StartsWith("Required command was not provided", StringComparison.Ordinal)))
            return $"`{path}` needs a command: {string.Join(", ", commands)} (`{path} <command> --help` for one)";
        var option = parse.UnmatchedTokens.FirstOrDefault(t => t.StartsWith("--", StringComparison.Ordinal));
        if (option is not null)
        {
            var options = parse.CommandResult.Command.Options.Where(o => !o.Hidden).Select(o => o.Name).ToList();
            return $"unknown option '{option}' for `{path}`{Nearest(option, options)}; see `{path} --help`";
        }
        var first = parse.Errors.FirstOrDefault(e => e.Message.StartsWith("Unrecognized", StringComparison.Ordinal)) ?? parse.Errors[0];
        return TreasuryManager.Strategy.Settings.ValueKinds.InWords(first.Message);
    }

    private static IEnumerable<string> CommandPath(System.CommandLine.Parsing.CommandResult result)
    {
        var names = new List<string>();
        for (System.CommandLine.Parsing.SymbolResult? r = result; r is not null; r = r.Parent)
            if (r is System.CommandLine.Parsing.CommandResult c) names.Add(c.Parent is null ? "treasury" : c.Command.Name);
        names.Reverse();
        return names;
    }

    /// <summary>"; did you mean 'x'?" for the candidates within max(2, a third of its length) edits of
    /// <paramref name="typed"/> (or that it starts), else "".</summary>
    private static string Nearest(string typed, IReadOnlyList<string> candidates)
    {
        var most = Math.Max(2, typed.Length / 3);
        var near = candidates.Where(c => Edits(typed, c) <= most || (typed.Length >= 3 && c.StartsWith(typed, StringComparison.OrdinalIgnoreCase))).ToList();
        return near.Count == 0 ? "" : $"; did you mean {string.Join(" or ", near.Select(n => $"'{n}'"))}?";
    }

    /// <summary>Levenshtein distance, case-insensitive.</summary>
    private static int Edits(string a, string b)
    {
        a = a.ToLowerInvariant();
        b = b.ToLowerInvariant();
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var previous = row[0];
            row[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var current = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), previous + (a[i - 1] == b[j - 1] ? 0 : 1));
                previous = current;
            }
        }
        return row[b.Length];
    }

    /// <summary>
    /// A parse error quotes the offending argument; a private key typed on the command line by mistake
    /// (64 hex digits) is not echoed back.
    /// </summary>
    internal static string RedactSecrets(string message) =>
        Regex.Replace(message, "(0[xX])?[0-9a-fA-F]{64}", "<64 hex digits: a private key? not shown; keys are read from stdin or a prompt>");

    private static Command Reproduce(TextWriter stdout, TextWriter stderr)
    {
        var paths = new Option<int>("--paths") { Description = "Number of simulated paths per γ.", DefaultValueFactory = _ => 1000 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the experiment.", DefaultValueFactory = _ => 1 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of a table." };
        var avellanedaStoikov = new Command("avellaneda-stoikov", "The simulation of Avellaneda and Stoikov (2008), §4, for γ = 0.1, 0.01 and 1.")
        {
            paths, seed, json,
        };
        avellanedaStoikov.SetAction(parseResult =>
        {
            var n = parseResult.GetValue(paths);
            if (n <= 0)
            {
                stderr.WriteLine($"error: --paths must be a positive integer (got {n.ToString(CultureInfo.InvariantCulture)})");
                return BadInput;
            }

            var rows = AvellanedaStoikovExperiment.Run(new AvellanedaStoikovSettings(Paths: n), AvellanedaStoikovExperiment.PaperGammas, parseResult.GetValue(seed));
            stdout.Write(parseResult.GetValue(json) ? ToJson(rows) : ToTable(rows, n, parseResult.GetValue(seed)));
            return 0;
        });
        var reproduce = new Command("reproduce", "Reproduce a paper's experiment.");
        reproduce.Subcommands.Add(avellanedaStoikov);
        reproduce.Subcommands.Add(LvrFeesCommand.Create(stdout, stderr));
        return reproduce;
    }

    internal static string ToJson(IReadOnlyList<AvellanedaStoikovRow> rows)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartArray("rows");
            foreach (var r in rows)
            {
                w.WriteStartObject();
                w.WriteNumber("gamma", r.Gamma);
                w.WriteString("strategy", r.Strategy);
                w.WriteNumber("spread", r.Spread);
                w.WriteNumber("profit_mean", r.ProfitMean);
                w.WriteNumber("profit_std", r.ProfitStd);
                w.WriteNumber("q_mean", r.QMean);
                w.WriteNumber("q_std", r.QStd);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + Environment.NewLine;
    }

    internal static string ToTable(IReadOnlyList<AvellanedaStoikovRow> rows, int paths, ulong seed)
    {
        var ic = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(ic, $"Avellaneda–Stoikov (2008) §4: s0=100 T=1 σ=2 dt=0.005 k=1.5 A=140, {paths} paths, seed {seed}");
        sb.AppendLine("(paper) = the authors' table");
        sb.AppendLine(ic, $"{"γ",-6}{"strategy",-11}{"spread",8}{"profit",9}{"(paper)",9}{"std(pr)",9}{"(paper)",9}{"q",8}{"(paper)",9}{"std(q)",8}{"(paper)",9}");
        foreach (var r in rows)
        {
            var p = AvellanedaStoikovPaper.Lookup(r.Gamma, r.Strategy);
            sb.AppendLine(ic, $"{r.Gamma,-6}{r.Strategy,-11}{r.Spread,8:F2}{r.ProfitMean,9:F2}{p.ProfitMean,9:F1}{r.ProfitStd,9:F2}{p.ProfitStd,9:F1}{r.QMean,8:F2}{p.QMean,9:F2}{r.QStd,8:F2}{p.QStd,9:F1}");
        }

        return sb.ToString();
    }
}
