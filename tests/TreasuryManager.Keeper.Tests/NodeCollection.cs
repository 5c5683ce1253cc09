using TreasuryManager.Testing;

namespace TreasuryManager.Keeper.Tests;

/// <summary>The keeper tests that share one local node.</summary>
[CollectionDefinition(Name)]
public sealed class NodeCollection : ICollectionFixture<LocalNodeFixture>
{
    public const string Name = "keeper local node";
}
