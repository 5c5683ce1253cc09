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

    /// <summary>Standard output goes to a file, not to the person at the terminal (<see cref="CliConsole.OutputRedirected"/>).</summary>
    public bool OutputRedirected { get; init; }

    /// <summary>Where unexpected exceptions are written in full (a file of this test's own).</summary>
    public string ErrorLogPath { get; init; } = Path.Combine(Path.GetTempPath(), "treasury-cli-tests", Guid.NewGuid().ToString("N"), "errors.log");

    /// <summary>Stops a long-running command (keeper run).</summary>
    public CancellationToken Cancellation { get; init; }

    private readonly WatchedWriter _stdout = new();

    /// <summary>Completes when the command's standard output first contains <paramref name="text"/>: a test acts
    /// mid-command (call before <see cref="RunAsync"/>; one console runs one command).</summary>
    public Task OutputContains(string text) => _stdout.Contains(text);

    public async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        var stdout = _stdout;
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
            OutputRedirected = OutputRedirected,
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

/// <summary>A string writer that completes a task when what was written first contains a given text (thread-safe).</summary>
internal sealed class WatchedWriter : StringWriter
{
    private readonly List<(string Text, TaskCompletionSource Seen)> _watches = [];

    public Task Contains(string text)
    {
        lock (_watches)
        {
            var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (GetStringBuilder().ToString().Contains(text, StringComparison.Ordinal)) seen.SetResult();
            else _watches.Add((text, seen));
            return seen.Task;
        }
    }

    public override void Write(char value) { lock (_watches) { base.Write(value); Check(); } }

    public override void Write(string? value) { lock (_watches) { base.Write(value); Check(); } }

    public override void Write(char[] buffer, int index, int count) { lock (_watches) { base.Write(buffer, index, count); Check(); } }

    public override string ToString() { lock (_watches) return base.ToString(); }

    private void Check()
    {
        if (_watches.Count == 0) return;
        var written = GetStringBuilder().ToString();
        for (var i = _watches.Count - 1; i >= 0; i--)
        {
            if (!written.Contains(_watches[i].Text, StringComparison.Ordinal)) continue;
            _watches[i].Seen.SetResult();
            _watches.RemoveAt(i);
        }
    }
}
