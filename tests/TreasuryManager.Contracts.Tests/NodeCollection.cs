using TreasuryManager.Testing;

namespace TreasuryManager.Contracts.Tests;

/// <summary>The tests that share one local node.</summary>
[CollectionDefinition(Name)]
public sealed class NodeCollection : ICollectionFixture<LocalNodeFixture>
{
    public const string Name = "local node";
}
