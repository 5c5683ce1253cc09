namespace TreasuryManager.Ethereum.Contracts;

/// <summary>Checks at run time that an artifact matches the binding generated from it.</summary>
public static class BindingGuard
{
    public static void EnsureMatches(HardhatArtifact artifact, string artifactName, Abi.ContractAbi bindingAbi)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        ArgumentNullException.ThrowIfNull(bindingAbi);
        if (artifact.ContractName != artifactName)
            throw new ArgumentException($"The artifact is {artifact.ContractName}, but the binding is for {artifactName}.", nameof(artifact));
        static string Shape(Abi.ContractAbi abi) => string.Join(";",
            abi.Functions.Select(f => f.Signature + "→" + string.Join(",", f.Outputs.Select(o => o.Type.CanonicalName)))
               .Concat(abi.Events.Select(e => "event " + e.Signature))
               .Concat(abi.Errors.Select(e => "error " + e.Signature))
               .Append("constructor(" + string.Join(",", abi.Constructor.Inputs.Select(i => i.Type.CanonicalName)) + ")")
               .Order(StringComparer.Ordinal));
        if (Shape(artifact.Abi) != Shape(bindingAbi))
            throw new InvalidOperationException($"The compiled {artifactName} no longer matches its C# binding; run scripts/gen-bindings.sh and rebuild.");
    }
}
