using System.Globalization;
using System.Text.Json;
using TreasuryManager.Keeper.Configuration;
using TreasuryManager.Keeper.Journal;
using TreasuryManager.Testing;

namespace TreasuryManager.Cli.Tests;

/// <summary>
/// `treasury status` on a fleet's PostgreSQL journal (docs/fleet.md): for each pool, the keeper holding its lease,
/// since when and with which fencing token, and every keeper with when it was last seen — in the table and in --json.
/// </summary>
[Collection(NodeCollection.Name)]
[Trait("Category", "Node")]
public sealed class StatusFleetTests(LocalNodeFixture node, PostgresFixture postgres) : NodeTest(node), IClassFixture<PostgresFixture>, IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Status_shows_each_pools_lease_holder_since_when_and_its_fencing_token()
    {
        var config = _temp.File("appsettings.json");
        Assert.Equal(0, (await new TestConsole().RunAsync("init", "--out", config)).Exit);
        var deploy = await new TestConsole().RunAsync("deploy", "--local", "--config", config, "--rpc", Node.Node.Endpoint.ToString(), "--dev-mnemonic", "--fleet-keepers", "2");
        Assert.True(deploy.Exit == 0, deploy.Err);
        // the second keeper of the fleet, with its own key, is a keeper of the vault, and the output says how to run it
        var vault = new Contracts.Bindings.TreasuryVault(Eth, Ethereum.Address.Parse(SettingsLoader.Load(config).Vault!));
        Assert.True(await vault.IsKeeperAsync(DevAccounts.Key(6).Address));
        Assert.False(await vault.IsKeeperAsync(DevAccounts.Key(7).Address));
        Assert.Contains($"Fleet keeper: dev account 6 ({DevAccounts.Key(6).Address})", deploy.Out);
        Assert.Contains("--Key:DerivationPath=m/44'/60'/0'/0/6", deploy.Out);
        var database = await postgres.CreateDatabaseAsync();
        // the fleet's journal on the command line, as README's "Run two keepers on one PostgreSQL" does
        string[] fleet = [$"--Journal=postgres://{postgres.User}@{postgres.Host}:{postgres.Port}/{database}", "--JournalPasswordVariable=TREASURY_STATUS_TEST_PW"];
        var pool = Ethereum.Address.Parse(SettingsLoader.Load(config).Pools[0].Address!);

        // keeper-a takes the lease and hands it back; keeper-b takes it: a change of holder, so fencing token 2
        using (var a = PostgresJournal.Open(postgres.ConnectionString(database), "keeper-a"))
        {
            a.RegisterKeeper(DevAccounts.Key(1).Address);
            Assert.NotNull(a.TakeLease(pool, TimeSpan.FromSeconds(120)));
            Assert.True(a.ReleaseLease(pool));
        }
        using var b = PostgresJournal.Open(postgres.ConnectionString(database), "keeper-b");
        b.RegisterKeeper(DevAccounts.Key(6).Address);
        var lease = b.TakeLease(pool, TimeSpan.FromSeconds(120))!;
        Assert.Equal(2, lease.Token);

        var console = new TestConsole();
        console.Environment["TREASURY_STATUS_TEST_PW"] = postgres.Password;
        var json = await console.RunAsync(["status", "--config", config, "--json", .. fleet]);
        Assert.True(json.Exit == 0, json.Err);
        using var doc = JsonDocument.Parse(json.Out);
        var shown = doc.RootElement.GetProperty("leases").EnumerateArray().Single();
        Assert.Equal(pool.ToString(), shown.GetProperty("pool").GetString());
        Assert.Equal("keeper-b", shown.GetProperty("holder").GetString());
        Assert.Equal(2, shown.GetProperty("fencing_token").GetInt64());
        Assert.Equal(lease.Since, DateTimeOffset.Parse(shown.GetProperty("since").GetString()!, CultureInfo.InvariantCulture));
        Assert.InRange(shown.GetProperty("expires_in_seconds").GetDouble(), 60, 120);
        var keepers = doc.RootElement.GetProperty("keepers").EnumerateArray().Select(k => k.GetProperty("id").GetString()!).ToArray();
        Assert.Equal(new[] { "keeper-a", "keeper-b" }, keepers);

        var table = await console.RunAsync(["status", "--config", config, .. fleet]);
        Assert.True(table.Exit == 0, table.Err);
        Assert.Contains("lease holder", table.Out);
        Assert.Contains("fencing token", table.Out);
        Assert.Contains("keeper-b", table.Out);
        Assert.Contains(lease.Since.ToString("u", CultureInfo.InvariantCulture)[..10], table.Out); // the date it was taken
        Assert.Contains("Keeper keeper-a", table.Out);

        // without the password variable: one clear error naming it, and nothing read
        var noPassword = await new TestConsole().RunAsync(["status", "--config", config, .. fleet]);
        Assert.NotEqual(0, noPassword.Exit);
        Assert.Contains("TREASURY_STATUS_TEST_PW", noPassword.Err + noPassword.Out);
    }

    [Fact]
    public async Task Deploy_refuses_a_fleet_it_has_no_dev_keys_for_and_changes_nothing()
    {
        var config = _temp.File("appsettings.json");
        Assert.Equal(0, (await new TestConsole().RunAsync("init", "--out", config)).Exit);
        var before = await File.ReadAllTextAsync(config);
        var blockBefore = await Eth.BlockNumberAsync();
        var deploy = await new TestConsole().RunAsync("deploy", "--local", "--config", config, "--rpc", Node.Node.Endpoint.ToString(), "--dev-mnemonic", "--fleet-keepers", "5");
        Assert.NotEqual(0, deploy.Exit);
        Assert.Contains("--fleet-keepers 5", deploy.Err);
        Assert.Contains("1 to 4 keepers", deploy.Err);
        Assert.Equal(before, await File.ReadAllTextAsync(config));
        Assert.Equal(blockBefore, await Eth.BlockNumberAsync()); // nothing deployed
    }
}
