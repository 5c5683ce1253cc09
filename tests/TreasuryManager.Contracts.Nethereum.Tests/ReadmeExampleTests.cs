using System.Text.RegularExpressions;
using TreasuryManager.DevNode;

namespace TreasuryManager.Contracts.Nethereum.Tests;

/// <summary>
/// The README's "Driving the treasury from Nethereum" example stays in step with the generated classes and with the node
/// test that runs it: every generated type it names exists, and every Nethereum call it makes is one the test makes.
/// </summary>
public sealed partial class ReadmeExampleTests
{
    [GeneratedRegex(@"\b(Vault|Pool)\.(\w+)")]
    private static partial Regex GeneratedType();

    [GeneratedRegex(@"\.(\w+Async|DecodeAllEvents|IsCustomErrorFor|DecodeError)\b")]
    private static partial Regex NethereumCall();

    private static string Example()
    {
        var root = LocalNode.FindRepositoryRoot();
        var readme = File.ReadAllText(Path.Combine(root, "README.md"));
        var section = readme[readme.IndexOf("## Driving the treasury from Nethereum", StringComparison.Ordinal)..];
        var start = section.IndexOf("```csharp", StringComparison.Ordinal);
        Assert.True(start >= 0, "the README section has a C# example");
        var end = section.IndexOf("```", start + 9, StringComparison.Ordinal);
        return section[(start + 9)..end];
    }

    [Fact]
    public void Every_generated_type_the_README_names_exists()
    {
        var assembly = typeof(TreasuryVault.ContractDefinition.DepositFunction).Assembly;
        var names = GeneratedType().Matches(Example()).Select(m => (m.Groups[1].Value, m.Groups[2].Value)).Distinct().ToArray();
        Assert.Contains(("Vault", "PolicyOutOfBoundsError"), names);
        foreach (var (alias, type) in names)
        {
            var ns = alias == "Vault" ? "TreasuryVault" : "ManagedPool";
            Assert.True(assembly.GetType($"TreasuryManager.Contracts.Nethereum.{ns}.ContractDefinition.{type}") is not null, $"README names {alias}.{type}, which the generator does not write");
        }
    }

    [Fact]
    public void Every_Nethereum_call_of_the_README_is_made_by_the_node_test()
    {
        var root = LocalNode.FindRepositoryRoot();
        var test = File.ReadAllText(Path.Combine(root, "tests", "TreasuryManager.Contracts.Nethereum.Tests", "DrivingTheTreasuryFromNethereumTests.cs"));
        var calls = NethereumCall().Matches(Example()).Select(m => m.Groups[1].Value).Distinct().ToArray();
        Assert.Contains("SendRequestAndWaitForReceiptAsync", calls);
        foreach (var call in calls) Assert.True(test.Contains("." + call, StringComparison.Ordinal), $"the README calls {call}, the test does not");
    }
}
