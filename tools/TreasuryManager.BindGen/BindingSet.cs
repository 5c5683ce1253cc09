using TreasuryManager.Ethereum.Contracts;

namespace TreasuryManager.BindGen;

/// <summary>Where a group of bindings is written, and its namespace.</summary>
/// <param name="Folder">Relative to the repository root.</param>
public sealed record BindingTarget(string Folder, string Namespace);

/// <summary>One generated binding file.</summary>
public sealed record BindingFile(BindingTarget Target, string FileName, string Source);

/// <summary>
/// The generated binding files for every contract compiled from a repository's contracts/ folder, and the standard
/// interfaces the keeper reads through. The treasury's contracts go to the Contracts library the keeper runs on; the
/// test contracts (contracts/test: mocks, attack tokens, harnesses) go to a test-only project, so the runtime carries
/// none of them — except MintableERC20, the token `treasury deploy --local` deploys. The vault, pool, oracles and perp
/// market are also written as Nethereum typed classes, for the TreasuryManager.Contracts.Nethereum package.
/// </summary>
public static class BindingSet
{
    public static readonly BindingTarget Runtime = new("src/TreasuryManager.Contracts/Generated", "TreasuryManager.Contracts.Bindings");
    public static readonly BindingTarget TestOnly = new("tests/TreasuryManager.TestContracts/Generated", "TreasuryManager.TestContracts");

    /// <summary>Nethereum typed classes (<see cref="NethereumBindingGenerator"/>) of the contracts an integrator drives, for the TreasuryManager.Contracts.Nethereum package.</summary>
    public static readonly BindingTarget Nethereum = new("src/TreasuryManager.Contracts.Nethereum/Generated", "TreasuryManager.Contracts.Nethereum");

    /// <summary>The contracts bound for Nethereum: the vault, the pool, the oracles and the perp market.</summary>
    public static readonly IReadOnlySet<string> NethereumContracts = new HashSet<string>(StringComparer.Ordinal)
    {
        "contracts/TreasuryVault.sol", "contracts/ManagedPool.sol", "contracts/oracles/VolatilityOracle.sol", "contracts/oracles/OracleFeed.sol", "contracts/perp/PerpMarket.sol",
    };

    /// <summary>Compiled library interfaces bound as well: ERC-20 metadata (decimals, symbol, name), which the keeper reads from any token.</summary>
    public static readonly IReadOnlySet<string> StandardInterfaces = new HashSet<string>(StringComparer.Ordinal)
    {
        "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol",
    };

    /// <summary>Test contracts the runtime still needs: the mintable token of local deployments.</summary>
    public static readonly IReadOnlySet<string> RuntimeTestContracts = new HashSet<string>(StringComparer.Ordinal) { "contracts/test/MintableERC20.sol" };

    public static IEnumerable<BindingTarget> Targets => [Runtime, TestOnly, Nethereum];

    /// <summary>Every binding file, for every artifact compiled from <c>contracts/</c> and each of <see cref="StandardInterfaces"/>.</summary>
    public static IReadOnlyList<BindingFile> Generate(string repositoryRoot)
    {
        var files = new SortedDictionary<string, BindingFile>(StringComparer.Ordinal);
        var nethereum = new List<BindingFile>();
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
            var target = artifact.SourceName.StartsWith("contracts/test/", StringComparison.Ordinal) && !RuntimeTestContracts.Contains(artifact.SourceName) ? TestOnly : Runtime;
            var relative = Path.GetRelativePath(repositoryRoot, path).Replace('\\', '/');
            files[fileName] = new BindingFile(target, fileName, BindingGenerator.Generate(artifact, target.Namespace, relative));
            if (NethereumContracts.Contains(artifact.SourceName))
                nethereum.Add(new BindingFile(Nethereum, fileName, NethereumBindingGenerator.Generate(artifact, Nethereum.Namespace, relative)));
        }
        return [.. files.Values, .. nethereum.OrderBy(f => f.FileName, StringComparer.Ordinal)];
    }
}
