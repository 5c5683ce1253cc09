using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using TreasuryManager.Ethereum.Contracts;
using TreasuryManager.Ethereum.JsonRpc;

namespace TreasuryManager.GasReport;

/// <summary>Where the figures were measured: node, compiler, machine, date.</summary>
public sealed record ReportEnvironment(
    string ClientVersion, string HardhatVersion, string Hardfork, long ChainId, string Solc, string UniswapVersion,
    string Os, int Cpus, string DotNet, string NodeVersion, DateTimeOffset Date, IReadOnlyList<(string Name, int Size)> ContractSizes)
{
    public static async Task<ReportEnvironment> CollectAsync(string root, RpcClient rpc)
    {
        var clientVersion = (await rpc.CallAsync("web3_clientVersion")).GetString() ?? "unknown";
        var chainId = await new EthClient(rpc).ChainIdAsync();
        return new ReportEnvironment(
            clientVersion,
            PackageVersion(root, "hardhat"),
            Run(root, "node", "-e", "console.log(require('hardhat').network.config.hardfork)") ?? "unknown",
            chainId,
            SolcSettings(root),
            PackageVersion(root, Path.Combine("@uniswap", "v3-core")),
            RuntimeInformation.OSDescription,
            Environment.ProcessorCount,
            RuntimeInformation.FrameworkDescription.Replace(".NET ", "", StringComparison.Ordinal),
            Run(root, "node", "--version") ?? "unknown",
            DateTimeOffset.UtcNow,
            new[] { "ManagedPool", "TreasuryVault", "VolatilityOracle", "OracleFeed", "PerpMarket", "UniswapV3PositionManager", "UniswapV3Callee" }
                .Select(n => (n, HardhatArtifact.Find(root, n).DeployedBytecode.Length)).ToArray());
    }

    private static string PackageVersion(string root, string package)
    {
        var path = Path.Combine(root, "node_modules", package, "package.json");
        if (!File.Exists(path)) return "unknown";
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.GetProperty("version").GetString() ?? "unknown";
    }

    /// <summary>Compiler version and settings from the build info of the compiled ManagedPool.</summary>
    private static string SolcSettings(string root)
    {
        try
        {
            var dbg = Path.Combine(root, "artifacts", "contracts", "ManagedPool.sol", "ManagedPool.dbg.json");
            using var dbgDoc = JsonDocument.Parse(File.ReadAllText(dbg));
            var buildInfo = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(dbg)!, dbgDoc.RootElement.GetProperty("buildInfo").GetString()!));
            using var doc = JsonDocument.Parse(File.ReadAllText(buildInfo));
            var settings = doc.RootElement.GetProperty("input").GetProperty("settings");
            var optimizer = settings.GetProperty("optimizer");
            var runs = optimizer.TryGetProperty("runs", out var r) ? r.GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture) : "?";
            var enabled = optimizer.TryGetProperty("enabled", out var en) && en.GetBoolean();
            var evm = settings.TryGetProperty("evmVersion", out var ev) ? ev.GetString() : "default";
            return $"{doc.RootElement.GetProperty("solcVersion").GetString()}, optimizer {(enabled ? $"on, {runs} runs" : "off")}, evmVersion {evm}";
        }
        catch (Exception e) when (e is IOException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return "unknown";
        }
    }

    private static string? Run(string root, string file, params string[] arguments)
    {
        try
        {
            var info = new ProcessStartInfo(file) { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in arguments) info.ArgumentList.Add(a);
            using var process = Process.Start(info);
            if (process is null) return null;
            var stdout = process.StandardOutput.ReadToEnd();
            process.StandardError.ReadToEnd();
            if (!process.WaitForExit(30_000)) { process.Kill(entireProcessTree: true); return null; }
            return process.ExitCode == 0 ? stdout.Trim() : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
