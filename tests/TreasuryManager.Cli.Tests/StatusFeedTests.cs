using System.Text.Json;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Keeper.Configuration;
using TreasuryManager.Testing;

namespace TreasuryManager.Cli.Tests;

/// <summary>
/// `treasury status` shows each pool's feeds — address, fresh or stale against the policy's heartbeat, age — in the
/// table and in --json, also when the pool holds before any inventory figure is computed (a stale feed).
/// </summary>
[Collection(NodeCollection.Name)]
[Trait("Category", "Node")]
public sealed class StatusFeedTests(LocalNodeFixture node) : NodeTest(node), IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static JsonElement OnlyPool(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.GetProperty("pools").EnumerateArray().Single().Clone();
    }

    private static JsonElement Feed(JsonElement pool, string kind) =>
        pool.GetProperty("feeds").EnumerateArray().Single(f => f.GetProperty("kind").GetString() == kind);

    [Fact]
    public async Task Status_shows_each_feed_fresh_then_stale_with_its_age_and_heartbeat()
    {
        var config = _temp.File("appsettings.json");
        Assert.Equal(0, (await new TestConsole().RunAsync("init", "--out", config)).Exit);
        var deploy = await new TestConsole().RunAsync("deploy", "--local", "--config", config, "--rpc", Node.Node.Endpoint.ToString(), "--dev-mnemonic");
        Assert.True(deploy.Exit == 0, deploy.Err);
        var settings = SettingsLoader.Load(config);
        var policy = await new TreasuryVault(Eth, settings.VaultAddress).PolicyOfAsync(Ethereum.Address.Parse(settings.Pools[0].Address!));

        var fresh = await new TestConsole().RunAsync("status", "--config", config, "--json");
        Assert.True(fresh.Exit == 0, fresh.Err);
        var pool = OnlyPool(fresh.Out);
        var price = Feed(pool, "price");
        Assert.Equal(policy.Params.PriceFeed.ToString(), price.GetProperty("address").GetString());
        Assert.Equal("fresh", price.GetProperty("state").GetString());
        Assert.Equal(3600, price.GetProperty("heartbeat_seconds").GetInt64());
        Assert.InRange(price.GetProperty("age_seconds").GetInt64(), 0, 3600);
        Assert.Equal(policy.Params.VolatilityFeed.ToString(), Feed(pool, "volatility").GetProperty("address").GetString());

        await Node.Rpc.CallAsync("evm_increaseTime", [3700]);
        await Node.Rpc.CallAsync("evm_mine");

        var stale = await new TestConsole().RunAsync("status", "--config", config, "--json");
        Assert.True(stale.Exit == 0, stale.Err);
        pool = OnlyPool(stale.Out);
        price = Feed(pool, "price");
        Assert.Equal("stale", price.GetProperty("state").GetString());
        Assert.True(price.GetProperty("age_seconds").GetInt64() > 3600);
        Assert.Equal("StaleOracle", pool.GetProperty("reason").GetString());

        var table = await new TestConsole().RunAsync("status", "--config", config);
        Assert.True(table.Exit == 0, table.Err);
        Assert.Contains("STALE", table.Out);
    }
}
