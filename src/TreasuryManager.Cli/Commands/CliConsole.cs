using Spectre.Console;
using TreasuryManager.Ethereum.Wallets;

namespace TreasuryManager.Cli.Commands;

/// <summary>
/// What a command may touch outside its arguments: the output streams, standard input, whether a person can
/// answer a prompt, the environment, and the keystore KDF. <see cref="FromSystemConsole"/> is the real terminal;
/// tests build one with a <see cref="StringWriter"/>, a <see cref="StringReader"/> and their own variables, so
/// nothing prompts and nothing reads the process environment.
/// </summary>
public sealed class CliConsole
{
    public required TextWriter Out { get; init; }
    public required TextWriter Error { get; init; }

    /// <summary>Standard input (a piped private key for <c>wallet import</c>).</summary>
    public TextReader In { get; init; } = TextReader.Null;

    /// <summary>Reads an environment variable (TREASURY_KEYSTORE_PASSWORD, …).</summary>
    public Func<string, string?> GetEnvironmentVariable { get; init; } = Environment.GetEnvironmentVariable;

    /// <summary>Asks a question with hidden input; null when no person can answer (input redirected, tests).</summary>
    public Func<string, string?>? ReadSecret { get; init; }

    /// <summary>The KDF for keystores this command line writes: geth's standard scrypt n=262144 unless a test lightens it.</summary>
    public KeystoreKdf KeystoreKdf { get; init; } = KeystoreKdf.Default;

    /// <summary>Renders Spectre.Console tables to <see cref="Out"/>; plain text (no ANSI) unless set otherwise.</summary>
    public IAnsiConsole? Ansi { get; init; }

    /// <summary>
    /// Where an unexpected exception is written in full (the console gets one line naming this file): by default
    /// treasury-errors.log in the system's temporary folder, or the file TREASURY_ERROR_LOG names.
    /// </summary>
    public string ErrorLogPath { get; init; } = DefaultErrorLogPath(Environment.GetEnvironmentVariable);

    public const string ErrorLogVariable = "TREASURY_ERROR_LOG";

    public static string DefaultErrorLogPath(Func<string, string?> environment) =>
        environment(ErrorLogVariable) is { Length: > 0 } set ? set : Path.Combine(Path.GetTempPath(), "treasury-errors.log");

    public bool CanPrompt => ReadSecret is not null;

    /// <summary>Standard output goes to a file or a pipe, not to the person at the terminal (tests: false unless set).</summary>
    public bool OutputRedirected { get; init; }

    /// <summary>A person can both read what the command writes and answer it: a yes/no question about a plan is only
    /// asked then. With output redirected the plan and the question would go to the file while the terminal waits.</summary>
    public bool CanConfirm => CanPrompt && !OutputRedirected;

    public IAnsiConsole Tables => Ansi ?? PlainAnsi(Out, TableWidth(GetEnvironmentVariable));

    /// <summary>The width of a plain table: COLUMNS when it is set (40..1000), else 250, so that a table written to a file or
    /// a pipe keeps each number and word on one line (a terminal's console is <see cref="Ansi"/> and measures itself).</summary>
    public static int TableWidth(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return int.TryParse(environment("COLUMNS"), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var columns) && columns is >= 40 and <= 1000
            ? columns : DefaultTableWidth;
    }

    public const int DefaultTableWidth = 250;

    public static IAnsiConsole PlainAnsi(TextWriter writer, int width = DefaultTableWidth)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
        console.Profile.Width = width;
        return console;
    }

    /// <summary>The process's console: hidden prompts only when standard input is a terminal.</summary>
    public static CliConsole FromSystemConsole()
    {
        var interactive = !Console.IsInputRedirected;
        return new CliConsole
        {
            Out = Console.Out,
            Error = Console.Error,
            In = Console.In,
            ReadSecret = interactive ? AskHidden : null,
            Ansi = Console.IsOutputRedirected ? null : AnsiConsole.Console,
            OutputRedirected = Console.IsOutputRedirected,
        };
    }

    /// <summary>
    /// A hidden prompt on standard error, answered at the terminal standard input is. Not on standard output: a command
    /// whose output goes to a file (<c>treasury wallet check k.json &gt; address.txt</c>, a keeper logging to a file)
    /// would otherwise write the question into that file, and Spectre.Console, seeing its output redirected, refused to
    /// read the answer ("Failed to read input in non-interactive mode").
    /// </summary>
    private static string AskHidden(string prompt)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Console.Error),
            Interactive = InteractionSupport.Yes, // the caller checked: standard input is a terminal
        });
        return console.Prompt(new TextPrompt<string>(Markup.Escape(prompt)).Secret().AllowEmpty());
    }
}

/// <summary>A command's failure: one line for stderr (after "error: ") and the exit code (2 bad input, 1 runtime).</summary>
public sealed class CliException(int exitCode, string message, Exception? inner = null) : Exception(message, inner)
{
    public int ExitCode { get; } = exitCode;

    public static CliException BadInput(string message) => new(TreasuryCli.BadInput, message);
    public static CliException Failure(string message, Exception? inner = null) => new(TreasuryCli.Failure, message, inner);
}
