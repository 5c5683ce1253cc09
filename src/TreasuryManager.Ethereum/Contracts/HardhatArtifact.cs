using System.Text.Json;
using TreasuryManager.Ethereum.Abi;
using TreasuryManager.Ethereum.Encoding;

namespace TreasuryManager.Ethereum.Contracts;

/// <summary>A compiled contract as Hardhat writes it (artifacts/contracts/**/Name.json).</summary>
public sealed record HardhatArtifact(string ContractName, string SourceName, ContractAbi Abi, string AbiJson, byte[] Bytecode, byte[] DeployedBytecode)
{
    /// <summary>Reads an artifact file; a missing or malformed file is an error naming the path.</summary>
    public static HardhatArtifact Load(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"No Hardhat artifact at {path}; compile the contracts first (scripts/test.sh or `npx hardhat compile`).", path);
        try
        {
            return Parse(File.ReadAllText(path));
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{path} is not a Hardhat artifact: {e.Message}", e);
        }
    }

    public static HardhatArtifact Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var abi = root.GetProperty("abi");
        var linkReferences = root.TryGetProperty("linkReferences", out var links) && links.ValueKind == JsonValueKind.Object && links.EnumerateObject().Any();
        var name = root.GetProperty("contractName").GetString()!;
        if (linkReferences)
            throw new NotSupportedException($"Contract {name} needs linked libraries, which this loader does not link; make its library functions internal.");
        return new HardhatArtifact(
            name,
            root.GetProperty("sourceName").GetString()!,
            ContractAbi.Parse(abi),
            JsonSerializer.Serialize(abi),
            Hex.Decode(root.GetProperty("bytecode").GetString()!, $"{name} bytecode"),
            Hex.Decode(root.GetProperty("deployedBytecode").GetString()!, $"{name} deployed bytecode"));
    }

    /// <summary>The artifact files under <paramref name="artifactsRoot"/>/contracts (debug files excluded).</summary>
    public static IEnumerable<string> Enumerate(string artifactsRoot)
    {
        var contracts = Path.Combine(artifactsRoot, "contracts");
        if (!Directory.Exists(contracts))
            throw new DirectoryNotFoundException($"No compiled contracts under {contracts}; compile them first (scripts/test.sh or `npx hardhat compile`).");
        return Directory.EnumerateFiles(contracts, "*.json", SearchOption.AllDirectories)
            .Where(f => !f.EndsWith(".dbg.json", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);
    }

    /// <summary>Finds the artifact of <paramref name="contractName"/> in a repository's artifacts folder.</summary>
    public static HardhatArtifact Find(string repositoryRoot, string contractName)
    {
        var matches = Enumerate(Path.Combine(repositoryRoot, "artifacts"))
            .Where(f => Path.GetFileNameWithoutExtension(f) == contractName)
            .ToArray();
        return matches.Length switch
        {
            1 => Load(matches[0]),
            0 => throw new FileNotFoundException($"No compiled contract named {contractName} under {repositoryRoot}/artifacts; check the name or compile the contracts."),
            _ => throw new InvalidOperationException($"Several contracts are named {contractName}: {string.Join(", ", matches)}; load one by path."),
        };
    }
}
