namespace TreasuryManager.Ethereum.Contracts;

/// <summary>The generated binding files for every contract compiled from a repository's contracts/ folder.</summary>
public static class BindingSet
{
    /// <summary>File name → C# source, for every artifact compiled from <c>contracts/</c>.</summary>
    public static IReadOnlyDictionary<string, string> Generate(string repositoryRoot, string namespaceName)
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in HardhatArtifact.Enumerate(Path.Combine(repositoryRoot, "artifacts")))
        {
            var artifact = HardhatArtifact.Load(path);
            if (!artifact.SourceName.StartsWith("contracts/", StringComparison.Ordinal)) continue;
            // Libraries of internal functions have an empty ABI: nothing to bind.
            if (artifact.Abi.Functions.Count == 0 && artifact.Abi.Events.Count == 0 && artifact.Abi.Errors.Count == 0) continue;
            var fileName = artifact.ContractName + ".g.cs";
            if (files.ContainsKey(fileName))
                throw new InvalidOperationException($"Two contracts are named {artifact.ContractName}; give them distinct names so their bindings do not clash.");
            var relative = Path.GetRelativePath(repositoryRoot, path).Replace('\\', '/');
            files[fileName] = BindingGenerator.Generate(artifact, namespaceName, relative);
        }
        return files;
    }
}
