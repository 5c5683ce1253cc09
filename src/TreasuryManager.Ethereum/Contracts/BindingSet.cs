namespace TreasuryManager.Ethereum.Contracts;

/// <summary>The generated binding files for every contract compiled from a repository's contracts/ folder, and the standard interfaces the keeper reads through.</summary>
public static class BindingSet
{
    /// <summary>Compiled library interfaces bound as well: ERC-20 metadata (decimals, symbol, name), which the keeper reads from any token.</summary>
    public static readonly IReadOnlySet<string> StandardInterfaces = new HashSet<string>(StringComparer.Ordinal)
    {
        "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol",
    };

    /// <summary>File name → C# source, for every artifact compiled from <c>contracts/</c> and each of <see cref="StandardInterfaces"/>.</summary>
    public static IReadOnlyDictionary<string, string> Generate(string repositoryRoot, string namespaceName)
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var artifacts = Path.Combine(repositoryRoot, "artifacts");
        var standard = StandardInterfaces.Select(source => Path.Combine(artifacts, source, Path.GetFileNameWithoutExtension(source) + ".json")).Where(File.Exists);
        foreach (var path in HardhatArtifact.Enumerate(artifacts).Concat(standard))
        {
            var artifact = HardhatArtifact.Load(path);
            if (!artifact.SourceName.StartsWith("contracts/", StringComparison.Ordinal) && !StandardInterfaces.Contains(artifact.SourceName)) continue;
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
