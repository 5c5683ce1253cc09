using TreasuryManager.BindGen;
using TreasuryManager.DevNode;

// Regenerates the typed contract bindings from the compiled artifacts (runtime ones in src/, test ones in tests/, the
// Nethereum typed classes in src/TreasuryManager.Contracts.Nethereum).
// Usage: dotnet run --project tools/TreasuryManager.BindGen [-- <repository root>]
try
{
    var root = args.Length > 0 ? Path.GetFullPath(args[0]) : LocalNode.FindRepositoryRoot(Directory.GetCurrentDirectory());
    var files = BindingSet.Generate(root);
    foreach (var target in BindingSet.Targets)
    {
        var output = Path.Combine(root, target.Folder);
        var mine = files.Where(f => f.Target == target).ToDictionary(f => f.FileName, f => f.Source);
        Directory.CreateDirectory(output);
        foreach (var stale in Directory.EnumerateFiles(output, "*.g.cs").Where(f => !mine.ContainsKey(Path.GetFileName(f))))
            File.Delete(stale);
        foreach (var (name, source) in mine)
        {
            var path = Path.Combine(output, name);
            if (File.Exists(path) && File.ReadAllText(path) == source) continue;
            File.WriteAllText(path, source);
            Console.WriteLine($"wrote {Path.GetRelativePath(root, path)}");
        }
        Console.WriteLine($"{mine.Count} bindings current in {target.Folder}");
    }
    return 0;
}
catch (Exception e) when (e is IOException or InvalidOperationException or InvalidDataException or NotSupportedException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
