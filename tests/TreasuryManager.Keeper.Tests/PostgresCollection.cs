using TreasuryManager.Testing;

namespace TreasuryManager.Keeper.Tests;

/// <summary>The keeper tests that share one local PostgreSQL server (each test in its own database).</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "keeper postgres";
}
