using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Ethereum;
using TreasuryManager.Keeper.Configuration;
using TreasuryManager.Keeper.Keys;
using TreasuryManager.Testing;

namespace TreasuryManager.Cli.Tests;

/// <summary>The CLI tests that share one local node.</summary>
[CollectionDefinition(Name)]
public sealed class NodeCollection : ICollectionFixture<LocalNodeFixture>
{
    public const string Name = "cli local node";
}

[Collection(NodeCollection.Name)]
[Trait("Category", "Node")]
public sealed class DeployNodeTests(LocalNodeFixture node) : NodeTest(node), IDisposable
{
    private const string Password = "deploy-pw-71e0";
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private async Task<string> InitAsync()
    {
        var config = _temp.File("appsettings.json");
        var (exit, _, error) = await new TestConsole().RunAsync("init", "--out", config);
        Assert.True(exit == 0, error);
        return config;
    }

    [Fact]
    public async Task Deploy_local_writes_a_configuration_whose_vault_knows_the_pool_and_the_keeper_key()
    {
        var config = await InitAsync();
        var console = new TestConsole();
        console.Environment["TREASURY_KEYSTORE_PASSWORD"] = Password;
        var (exit, output, error) = await console.RunAsync("deploy", "--local", "--config", config, "--rpc", Node.Node.Endpoint.ToString());
        Assert.True(exit == 0, error);
        Assert.Equal("", error);

        var settings = SettingsLoader.Load(config);
        Assert.Equal(Node.Node.Endpoint.ToString(), settings.Rpc.Url);
        Assert.Equal(_temp.File("keys/keeper.json"), settings.Key.Keystore);
        var pool = Assert.Single(settings.Pools);
        Assert.Equal("BASE/USDQ", pool.Name);

        var vault = new TreasuryVault(Eth, settings.VaultAddress);
        Assert.Contains(Address.Parse(pool.Address!), await vault.PoolsAsync());
        var key = KeyLoader.Load(settings.Key, name => console.Environment.GetValueOrDefault(name), promptPassword: null);
        Assert.Equal(DevAccounts.Key(1).Address, key.Address);
        Assert.True(await vault.IsKeeperAsync(key.Address));
        // the policy lets the keeper's width gate hold a full range (UNBOUNDED_WIDTH_BPS), its best unhedged answer
        Assert.Equal(new System.Numerics.BigInteger(uint.MaxValue), (await vault.PolicyOfAsync(Address.Parse(pool.Address!))).Params.MaxWidthBps);

        // The comments of `treasury init` survive; the printout names the contracts and roles by address only.
        var text = File.ReadAllText(config);
        Assert.Contains("// Timeout of one JSON-RPC request, in seconds", text);
        Assert.Contains("// How often the keeper polls for a new block", text);
        foreach (var label in new[] { "Vault", "Pool BASE/USDQ", "Oracle", "Price feed", "Volatility feed", "Trader", "Reporter", "Keeper" })
            Assert.Contains(label, output);
        Assert.Contains(settings.VaultAddress.ToString(), output);
        Assert.Contains(DevAccounts.Key(3).Address.ToString(), output);
        Assert.Contains(DevAccounts.Key(4).Address.ToString(), output);
        for (var i = 0; i < 6; i++)
            Assert.DoesNotContain(Convert.ToHexStringLower(DevAccounts.Key(i).PrivateKeyBytes), output + text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Password, output + text);
    }

    [Fact]
    public async Task Deploy_local_with_the_dev_mnemonic_configures_account_1_from_the_environment()
    {
        var config = await InitAsync();
        var (exit, output, error) = await new TestConsole().RunAsync("deploy", "--local", "--dev-mnemonic", "--config", config, "--rpc", Node.Node.Endpoint.ToString());
        Assert.True(exit == 0, error);
        Assert.Contains("export TREASURY_MNEMONIC=", output);
        Assert.False(File.Exists(_temp.File("keys/keeper.json")));

        var settings = SettingsLoader.Load(config);
        Assert.Equal("TREASURY_MNEMONIC", settings.Key.MnemonicEnv);
        Assert.Equal("m/44'/60'/0'/0/1", settings.Key.DerivationPath);
        Assert.Equal(1, settings.Gas.Confirmations); // a local node: the rebalance's own block is final
        var key = KeyLoader.Load(settings.Key, name => name == "TREASURY_MNEMONIC" ? DevAccounts.Mnemonic : null, null);
        Assert.Equal("0x70997970C51812dc3A010C7d01b50e0d17dc79C8", key.Address.ToString());
        Assert.True(await new TreasuryVault(Eth, settings.VaultAddress).IsKeeperAsync(key.Address));
        Assert.DoesNotContain("an earlier deployment", output); // a fresh file had none

        // deploying again replaces the deployment in the file, and says so, naming the old addresses
        var again = await new TestConsole().RunAsync("deploy", "--local", "--dev-mnemonic", "--config", config, "--rpc", Node.Node.Endpoint.ToString());
        Assert.True(again.Exit == 0, again.Err);
        var now = SettingsLoader.Load(config);
        Assert.NotEqual(settings.VaultAddress, now.VaultAddress);
        Assert.Contains($"  Vault was {settings.VaultAddress} (an earlier deployment); it is now {now.VaultAddress}.", again.Out);
        Assert.Contains($"  Pools[0] was {settings.Pools[0].Address} (an earlier deployment); it is now {now.Pools[0].Address}.", again.Out);
    }
}

public sealed class DeployCommandTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Deploy_without_the_password_variable_fails_before_touching_the_node()
    {
        var config = _temp.File("appsettings.json");
        Assert.Equal(0, (await new TestConsole().RunAsync("init", "--out", config)).Exit);
        var before = File.ReadAllText(config);
        var (exit, output, error) = await new TestConsole().RunAsync("deploy", "--local", "--config", config, "--rpc", "http://127.0.0.1:1");
        Assert.Equal(TreasuryCli.BadInput, exit);
        Assert.Equal("", output);
        Assert.Contains("set TREASURY_KEYSTORE_PASSWORD", error);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.Equal(before, File.ReadAllText(config));
    }

    [Fact]
    public async Task Deploy_refuses_a_chain_other_than_31337()
    {
        var config = _temp.File("appsettings.json");
        Assert.Equal(0, (await new TestConsole().RunAsync("init", "--out", config)).Exit);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var server = ServeChainIdAsync(listener, "0x1");
        var console = new TestConsole();
        console.Environment["TREASURY_KEYSTORE_PASSWORD"] = "pw";
        var (exit, output, error) = await console.RunAsync("deploy", "--local", "--config", config, "--rpc", $"http://127.0.0.1:{port}");
        listener.Stop();
        await server;
        Assert.Equal(TreasuryCli.BadInput, exit);
        Assert.StartsWith("error: refusing to deploy", error);
        Assert.Contains("chain id 1,", error);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.DoesNotContain("Deploying", output);
    }

    [Fact]
    public async Task Deploy_to_an_unreachable_node_is_a_runtime_failure()
    {
        var config = _temp.File("appsettings.json");
        Assert.Equal(0, (await new TestConsole().RunAsync("init", "--out", config)).Exit);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // nothing listens there now
        var (exit, _, error) = await new TestConsole().RunAsync("deploy", "--local", "--dev-mnemonic", "--config", config, "--rpc", $"http://127.0.0.1:{port}");
        Assert.Equal(TreasuryCli.Failure, exit);
        Assert.StartsWith($"error: cannot reach node at http://127.0.0.1:{port}/", error);
        Assert.Contains("start one with `scripts/node.sh`, or pass --rpc URL", error);
        Assert.DoesNotContain("cannot reach a node", error); // said once, not twice
        Assert.Single(error.TrimEnd().Split('\n'));
    }

    /// <summary>A minimal JSON-RPC server answering every request with the given eth_chainId, echoing the id.</summary>
    private static async Task ServeChainIdAsync(TcpListener listener, string chainIdHex)
    {
        try
        {
            while (true)
            {
                using var client = await listener.AcceptTcpClientAsync();
                var stream = client.GetStream();
                var buffer = new byte[65536];
                var received = 0;
                string request;
                while (true)
                {
                    var n = await stream.ReadAsync(buffer.AsMemory(received));
                    if (n == 0) break;
                    received += n;
                    request = System.Text.Encoding.UTF8.GetString(buffer, 0, received);
                    var headerEnd = request.IndexOf("\r\n\r\n", StringComparison.Ordinal);
                    if (headerEnd < 0) continue;
                    var lengthLine = request[..headerEnd].Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
                    var length = lengthLine is null ? 0 : int.Parse(lengthLine["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
                    if (received - headerEnd - 4 < length) continue;
                    var body = request.Substring(headerEnd + 4, length);
                    using var json = JsonDocument.Parse(body);
                    var id = json.RootElement.GetProperty("id").GetRawText();
                    var response = $"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"result\":\"{chainIdHex}\"}}";
                    var bytes = System.Text.Encoding.UTF8.GetBytes(response);
                    var head = $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\n\r\n";
                    await stream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(head));
                    await stream.WriteAsync(bytes);
                    break;
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // the listener was stopped
        }
    }
}
