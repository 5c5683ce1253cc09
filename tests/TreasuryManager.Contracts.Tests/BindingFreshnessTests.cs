using TreasuryManager.Ethereum.Contracts;
using TreasuryManager.Ethereum.DevNode;

namespace TreasuryManager.Contracts.Tests;

/// <summary>The checked-in bindings are exactly what the generator makes from the compiled contracts.</summary>
public sealed class BindingFreshnessTests
{
    [Fact]
    public void Checked_in_bindings_match_the_compiled_contracts()
    {
        var root = LocalNode.FindRepositoryRoot();
        var expected = BindingSet.Generate(root, "TreasuryManager.Contracts.Bindings");
        var folder = Path.Combine(root, "src", "TreasuryManager.Contracts", "Generated");
        var actual = Directory.EnumerateFiles(folder, "*.g.cs").ToDictionary(f => Path.GetFileName(f), File.ReadAllText);

        Assert.NotEmpty(expected);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, source) in expected)
            Assert.True(source == actual[name], $"{name} is stale: run scripts/gen-bindings.sh and commit the result.");
    }
}
