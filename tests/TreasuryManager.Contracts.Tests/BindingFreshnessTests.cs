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

    /// <summary>The Nethereum package binds exactly the contracts an integrator drives, each with the shapes Nethereum's generator gives.</summary>
    [Fact]
    public void The_Nethereum_classes_cover_the_vault_pool_oracles_and_perp_market()
    {
        var nethereum = BindingSet.Generate(LocalNode.FindRepositoryRoot()).Where(f => f.Target == BindingSet.Nethereum).ToArray();
        Assert.Equal(["ManagedPool.g.cs", "OracleFeed.g.cs", "PerpMarket.g.cs", "TreasuryVault.g.cs", "VolatilityOracle.g.cs"], nethereum.Select(f => f.FileName).Order(StringComparer.Ordinal));
        var vault = nethereum.Single(f => f.FileName == "TreasuryVault.g.cs").Source;
        Assert.Contains("namespace TreasuryManager.Contracts.Nethereum.TreasuryVault.ContractDefinition", vault);
        Assert.Contains("[Function(\"deposit\")]\n    public class DepositFunctionBase : FunctionMessage", vault);
        Assert.Contains("[Function(\"policyOf\", typeof(PolicyOfOutputDTO))]", vault);
        Assert.Contains("[Event(\"Deposited\")]\n    public class DepositedEventDTOBase : IEventDTO", vault);
        Assert.Contains("[Parameter(\"address\", \"pool\", 1, true)]", vault); // an indexed event parameter
        Assert.Contains("[Error(\"PolicyOutOfBounds\")]\n    public class PolicyOutOfBoundsErrorBase : IErrorDTO", vault);
        Assert.DoesNotContain("TreasuryManager.Ethereum", vault); // Nethereum only
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
