using TreasuryManager.Cli.Commands;
using TreasuryManager.Ethereum.Wallets;

namespace TreasuryManager.Cli.Tests;

/// <summary>A non-interactive console for one command: captured output, given stdin, variables and prompt answers.</summary>
internal sealed class TestConsole
{
    /// <summary>scrypt light enough for tests; the CLI's default is n=262144.</summary>
    public static readonly KeystoreKdf FastKdf = new KeystoreKdf.Scrypt(16, 8, 1);

    public Dictionary<string, string> Environment { get; } = new(StringComparer.Ordinal);
    public string StandardInput { get; init; } = "";

    /// <summary>Standard input as a reader of the test's own (one that acts when read); else <see cref="StandardInput"/>.</summary>
    public TextReader? Input { get; init; }

    /// <summary>Answers to hidden prompts in order; null = no terminal (prompts impossible).</summary>
    public Queue<string>? PromptAnswers { get; init; }

    public List<string> Prompts { get; } = [];

    /// <summary>Where unexpected exceptions are written in full (a file of this test's own).</summary>
    public string ErrorLogPath { get; init; } = Path.Combine(Path.GetTempPath(), "treasury-cli-tests", Guid.NewGuid().ToString("N"), "errors.log");

    /// <summary>Stops a long-running command (keeper run).</summary>
    public CancellationToken Cancellation { get; init; }

    public async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var io = new CliConsole
        {
            Out = stdout,
            Error = stderr,
            In = Input ?? new StringReader(StandardInput),
            GetEnvironmentVariable = name => Environment.GetValueOrDefault(name),
            ReadSecret = PromptAnswers is { } answers ? prompt => { Prompts.Add(prompt); return answers.Dequeue(); } : null,
            KeystoreKdf = FastKdf,
            ErrorLogPath = ErrorLogPath,
        };
        var exit = await TreasuryCli.RunAsync(args, io, Cancellation);
        return (exit, stdout.ToString(), stderr.ToString());
    }
}

/// <summary>A temporary folder deleted after the test.</summary>
internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("treasury-cli-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
    }
}
