using TreasuryManager.Ethereum.Contracts;
using TreasuryManager.Ethereum.DevNode;

// Regenerates the typed contract bindings from the compiled artifacts.
// Usage: dotnet run --project tools/TreasuryManager.BindGen [-- <repository root>]
try
{
    var root = args.Length > 0 ? Path.GetFullPath(args[0]) : LocalNode.FindRepositoryRoot(Directory.GetCurrentDirectory());
    var output = Path.Combine(root, "src", "TreasuryManager.Contracts", "Generated");
    var files = BindingSet.Generate(root, "TreasuryManager.Contracts.Bindings");
    Directory.CreateDirectory(output);
    foreach (var stale in Directory.EnumerateFiles(output, "*.g.cs").Where(f => !files.ContainsKey(Path.GetFileName(f))))
        File.Delete(stale);
    foreach (var (name, source) in files)
    {
        var path = Path.Combine(output, name);
        if (File.Exists(path) && File.ReadAllText(path) == source) continue;
        File.WriteAllText(path, source);
        Console.WriteLine($"wrote {Path.GetRelativePath(root, path)}");
    }
    Console.WriteLine($"{files.Count} bindings current in {Path.GetRelativePath(root, output)}");
    return 0;
}
catch (Exception e) when (e is IOException or InvalidOperationException or InvalidDataException or NotSupportedException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
