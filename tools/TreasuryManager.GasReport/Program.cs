using TreasuryManager.Contracts.Deployment;
using TreasuryManager.DevNode;
using TreasuryManager.Ethereum.JsonRpc;
using TreasuryManager.Ethereum.Wallets;
using TreasuryManager.GasReport;

// Measures gas on a Hardhat node this process starts (and stops), writes docs/gas.md, and with --json prints
// one JSON object (operation -> gasUsed) on stdout. Progress goes to stderr.
// Usage: dotnet run --project tools/TreasuryManager.GasReport [-- [--json] [--out docs/gas.md] [--repo ROOT]]
var json = false;
string? output = null;
string? repo = null;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--json": json = true; break;
        case "--out" when i + 1 < args.Length: output = args[++i]; break;
        case "--repo" when i + 1 < args.Length: repo = args[++i]; break;
        default:
            Console.Error.WriteLine($"error: unknown argument '{args[i]}'. Usage: gas-report [--json] [--out FILE] [--repo ROOT]");
            return 2;
    }
}

try
{
    var root = repo is null ? LocalNode.FindRepositoryRoot(Directory.GetCurrentDirectory()) : Path.GetFullPath(repo);
    var outPath = Path.GetFullPath(output ?? Path.Combine(root, "docs", "gas.md"));
    var wallet = HdWallet.FromMnemonic("test test test test test test test test test test test junk"); // public test keys only

    Console.Error.WriteLine("gas-report: starting a Hardhat node");
    await using var node = await LocalNode.StartAsync(LocalNodeKind.Hardhat, root);
    using var rpc = new RpcClient(new RpcClientOptions { Endpoint = node.Endpoint, Timeout = TimeSpan.FromSeconds(30) });
    var eth = new EthClient(rpc);
    var environment = await ReportEnvironment.CollectAsync(root, rpc);

    Console.Error.WriteLine($"gas-report: measuring on {environment.ClientVersion} (hardfork {environment.Hardfork})");
    var started = System.Diagnostics.Stopwatch.StartNew();
    var figures = await GasMeasurement.RunAsync(eth, root, wallet.GetAccount);
    Console.Error.WriteLine($"gas-report: {figures.Entries.Count} operations measured in {started.Elapsed.TotalSeconds:0.0} s");

    GasBreakdown? breakdown = null;
    if (figures.TransactionOf("vault.rebalance") is { } rebalance)
    {
        Console.Error.WriteLine("gas-report: tracing vault.rebalance");
        breakdown = await GasBreakdown.TraceAsync(rpc, rebalance, figures.ContractName);
    }

    Directory.CreateDirectory(Path.GetDirectoryName(outPath)!);
    File.WriteAllText(outPath, GasMarkdown.Render(figures, environment, breakdown));
    Console.Error.WriteLine($"gas-report: wrote {Path.GetRelativePath(root, outPath)}");
    foreach (var (target, measured, passed) in figures.Targets)
        Console.Error.WriteLine($"  {(passed ? "PASS" : "FAIL")}  {target}: {measured}");
    if (figures.Contains("uniswapV3.vault.rebalance"))
    {
        var (target, measured, passed) = figures.UniswapVaultTarget;
        Console.Error.WriteLine($"  {(passed ? "PASS" : "FAIL")}  {target}: {measured}");
    }
    if (json) Console.Out.WriteLine(GasMarkdown.Json(figures));
    return 0;
}
catch (Exception e) when (e is IOException or InvalidOperationException or InvalidDataException or TimeoutException
    or RpcException or NotSupportedException or UnauthorizedAccessException or TreasuryManager.Ethereum.Contracts.ContractRevertException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
