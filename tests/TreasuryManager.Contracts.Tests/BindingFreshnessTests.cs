using TreasuryManager.BindGen;
using TreasuryManager.DevNode;

namespace TreasuryManager.Contracts.Tests;

/// <summary>The checked-in bindings are exactly what the generator makes from the compiled contracts, each in its project: the treasury's in the runtime, the test contracts' in the test-only project.</summary>
public sealed class BindingFreshnessTests
{
    [Fact]
    public void Checked_in_bindings_match_the_compiled_contracts()
    {
        var root = LocalNode.FindRepositoryRoot();
        var files = BindingSet.Generate(root);
        Assert.NotEmpty(files);
        foreach (var target in BindingSet.Targets)
        {
            var expected = files.Where(f => f.Target == target).ToDictionary(f => f.FileName, f => f.Source);
            var actual = Directory.EnumerateFiles(Path.Combine(root, target.Folder), "*.g.cs").ToDictionary(f => Path.GetFileName(f), File.ReadAllText);
            Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
            foreach (var (name, source) in expected)
                Assert.True(source == actual[name], $"{target.Folder}/{name} is stale: run scripts/gen-bindings.sh and commit the result.");
        }
    }

    [Fact]
    public void The_runtime_carries_no_test_contract_but_the_local_token()
    {
        var runtime = BindingSet.Generate(LocalNode.FindRepositoryRoot()).Where(f => f.Target == BindingSet.Runtime).Select(f => f.FileName).ToHashSet();
        foreach (var testContract in new[] { "Counter", "MockAggregator", "ReentrantToken", "FeeOnTransferToken", "UniswapV3Callee", "CurveMathHarness" })
            Assert.DoesNotContain(testContract + ".g.cs", runtime);
        Assert.Contains("IERC20Metadata.g.cs", runtime);
    }
}
