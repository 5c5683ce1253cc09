using System.Diagnostics;
using System.Text;

namespace TreasuryManager.Keeper.Tests;

/// <summary>The output and exit code of one crash-harness process.</summary>
public sealed record HarnessRun(int ExitCode, string Output);

/// <summary>Starts tests/TreasuryManager.Keeper.CrashHarness as a child process (its own build output) and waits for it.</summary>
public static class CrashHarnessProcess
{
    public static async Task<HarnessRun> RunAsync(string repositoryRoot, IEnumerable<string> arguments, string harnessKeyHex, string? crashAt = null)
    {
        var start = new ProcessStartInfo(DotnetHost()) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(HarnessPath(repositoryRoot));
        foreach (var a in arguments) start.ArgumentList.Add(a);
        if (crashAt is not null)
        {
            start.ArgumentList.Add("--crash-at");
            start.ArgumentList.Add(crashAt);
        }
        start.Environment["DOTNET_DbgEnableMiniDump"] = "0";
        start.Environment["TREASURY_HARNESS_KEY"] = harnessKeyHex; // a public dev key; never on the command line
        using var process = new Process { StartInfo = start };
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine("stderr: " + e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true); // never leave a harness behind
        }
        process.WaitForExit(); // drains the output
        lock (output) return new HarnessRun(process.ExitCode, output.ToString());
    }

    internal static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    /// <summary>The harness's own build output, beside this project's (same configuration and framework).</summary>
    internal static string HarnessPath(string repositoryRoot)
    {
        var testProject = Path.Combine(repositoryRoot, "tests", "TreasuryManager.Keeper.Tests");
        var relative = Path.GetRelativePath(testProject, AppContext.BaseDirectory); // bin/<Configuration>/<tfm>
        var path = Path.GetFullPath(Path.Combine(repositoryRoot, "tests", "TreasuryManager.Keeper.CrashHarness", relative, "TreasuryManager.Keeper.CrashHarness.dll"));
        if (!File.Exists(path))
            throw new FileNotFoundException($"The crash harness is not built at {path}; build the solution (dotnet build TreasuryManager.sln) first.", path);
        return path;
    }
}

/// <summary>
/// A long-running keeper process: the crash harness's `--run forever` mode (the keeper's own KeeperService loop) with a
/// crash file, so a test can SIGKILL it from outside or have it SIGKILL itself at a named execution point for one pool.
/// Disposing kills it if it still runs.
/// </summary>
public sealed class KeeperProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private KeeperProcess(Process process, string keeper)
    {
        _process = process;
        Keeper = keeper;
    }

    /// <summary>The keeper's fleet id (its address in lower-case hex).</summary>
    public string Keeper { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>Once <see cref="HasExited"/>: waits until the redirected output is drained (the last lines a dying process
    /// printed reach <see cref="Output"/> after its exit is seen).</summary>
    public void DrainOutput() => _process.WaitForExit();

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    public static KeeperProcess Start(string repositoryRoot, string config, string crashFile, string harnessKeyHex, string keeper)
    {
        var start = new ProcessStartInfo(CrashHarnessProcess.DotnetHost()) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(CrashHarnessProcess.HarnessPath(repositoryRoot));
        foreach (var a in new[] { "--config", config, "--run", "forever", "--crash-file", crashFile }) start.ArgumentList.Add(a);
        start.Environment["DOTNET_DbgEnableMiniDump"] = "0";
        start.Environment["TREASURY_HARNESS_KEY"] = harnessKeyHex; // a public dev key; never on the command line
        var process = new Process { StartInfo = start };
        var keeperProcess = new KeeperProcess(process, keeper);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (keeperProcess._output) keeperProcess._output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (keeperProcess._output) keeperProcess._output.AppendLine("stderr: " + e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return keeperProcess;
    }

    /// <summary>Waits until the process has printed <paramref name="text"/>; fails naming the output if it exits or the time runs out first.</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan limit)
    {
        var wait = Stopwatch.StartNew();
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (_process.HasExited || wait.Elapsed > limit)
                throw new TimeoutException($"keeper {Keeper} did not print '{text}' within {limit.TotalSeconds:0} s (exited: {_process.HasExited}); its output:\n{Output}");
            await Task.Delay(20);
        }
    }

    /// <summary>SIGKILL from outside: no finally blocks, no lease handed back.</summary>
    public DateTime Kill()
    {
        _process.Kill();
        _process.WaitForExit();
        return DateTime.UtcNow;
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
    }
}
