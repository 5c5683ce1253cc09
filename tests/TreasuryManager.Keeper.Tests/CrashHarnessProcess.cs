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

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    /// <summary>The harness's own build output, beside this project's (same configuration and framework).</summary>
    private static string HarnessPath(string repositoryRoot)
    {
        var testProject = Path.Combine(repositoryRoot, "tests", "TreasuryManager.Keeper.Tests");
        var relative = Path.GetRelativePath(testProject, AppContext.BaseDirectory); // bin/<Configuration>/<tfm>
        var path = Path.GetFullPath(Path.Combine(repositoryRoot, "tests", "TreasuryManager.Keeper.CrashHarness", relative, "TreasuryManager.Keeper.CrashHarness.dll"));
        if (!File.Exists(path))
            throw new FileNotFoundException($"The crash harness is not built at {path}; build the solution (dotnet build TreasuryManager.sln) first.", path);
        return path;
    }
}
