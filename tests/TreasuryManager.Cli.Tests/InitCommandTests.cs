using System.Reflection;
using Microsoft.Extensions.Configuration;
using TreasuryManager.Cli.Commands;
using TreasuryManager.Ethereum;
using TreasuryManager.Keeper.Configuration;
using TreasuryManager.Strategy.Settings;

namespace TreasuryManager.Cli.Tests;

public sealed class InitCommandTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static readonly string VaultAddress = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
    private static readonly string PoolAddress = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";

    [Fact]
    public async Task Init_writes_a_file_that_loads_once_vault_pools_and_key_are_filled()
    {
        var path = _temp.File("appsettings.json");
        var (exit, output, error) = await new TestConsole().RunAsync("init", "--out", path);
        Assert.True(exit == 0, error);
        Assert.Contains(path, output);

        // As written, the file is valid JSON-with-comments but names no vault, pool or key (a key is needed only to send).
        var incomplete = Assert.Throws<SettingsException>(() => SettingsLoader.Load(path));
        Assert.Equal("Vault", incomplete.Path);
        Assert.DoesNotContain("Key", incomplete.Message, StringComparison.Ordinal);

        var settings = SettingsLoader.Load(path, [$"--Vault={VaultAddress}", $"--Pools:0:Address={PoolAddress}", "--Key:Keystore=keys/keeper.json"]);
        Assert.Equal(Address.Parse(VaultAddress), settings.VaultAddress);
        Assert.Equal(Path.Combine(_temp.Path, "keys", "keeper.json"), settings.Key.Keystore);
        Assert.Equal(new RpcSettings(), settings.Rpc);
        Assert.Equal(new GasSettings(), settings.Gas);
        Assert.Equal(new StrategySettings(), settings.Strategy);
        Assert.Equal(new CycleSettings(), settings.Cycle);
        Assert.Equal(new MetricsSettings(), settings.Metrics);
        Assert.Equal(Path.Combine(_temp.Path, "treasury-journal.db"), settings.Journal);
    }

    [Fact]
    public async Task Every_setting_is_written_with_a_comment()
    {
        var path = _temp.File("appsettings.json");
        Assert.Equal(0, (await new TestConsole().RunAsync("init", "--out", path)).Exit);
        var keys = new ConfigurationBuilder().AddJsonFile(path).Build().AsEnumerable().Select(kv => kv.Key).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var setting in SettingPaths(typeof(TreasurySettings), ""))
            Assert.True(keys.Contains(setting), $"{setting} is not in the file");

        var lines = File.ReadAllLines(path);
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (!line.StartsWith('"') || line.EndsWith('{')) continue; // a section opener is explained by its members
            Assert.True(lines[i - 1].Trim().StartsWith("//", StringComparison.Ordinal) || lines[i - 1].Trim().Length == 0 && lines[i - 2].Trim().StartsWith("//", StringComparison.Ordinal),
                $"line {i + 1} ({line}) has no comment above it");
        }
    }

    /// <summary>The configuration paths of a settings record's bindable leaf properties (arrays as one key).</summary>
    private static IEnumerable<string> SettingPaths(Type type, string prefix)
    {
        foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (p.SetMethod is null) continue; // computed (Endpoint, VaultAddress, …)
            var path = prefix + p.Name;
            if (p.PropertyType.IsArray) yield return path;
            else if (p.PropertyType.Namespace == typeof(TreasurySettings).Namespace && p.PropertyType.IsClass)
                foreach (var inner in SettingPaths(p.PropertyType, path + ":")) yield return inner;
            else yield return path;
        }
    }

    [Fact]
    public async Task Init_takes_the_rpc_url_and_chain_id()
    {
        var path = _temp.File("sub/dir/mainnet.json");
        var (exit, _, error) = await new TestConsole().RunAsync("init", "--rpc", "https://rpc.example.org/v1", "--chain-id", "1", "--out", path);
        Assert.True(exit == 0, error);
        var settings = SettingsLoader.Load(path, [$"--Vault={VaultAddress}", $"--Pools:0:Address={PoolAddress}", "--Key:MnemonicEnv=MY_MNEMONIC"]);
        Assert.Equal("https://rpc.example.org/v1", settings.Rpc.Url);
        Assert.Equal(1, settings.Rpc.ChainId);
        Assert.Equal("MY_MNEMONIC", settings.Key.MnemonicEnv);
    }

    [Fact]
    public async Task Init_says_a_chain_id_below_1_must_be_at_least_1_not_a_range_up_to_longs_maximum()
    {
        var (exit, output, error) = await new TestConsole().RunAsync("init", "--chain-id", "0", "--out", _temp.File("init.json"));
        Assert.Equal(TreasuryCli.BadInput, exit);
        Assert.Equal("", output);
        Assert.Equal("error: --chain-id: 0 must be at least 1 (31337 local, 1 mainnet)", error.TrimEnd());
    }

    [Fact]
    public async Task Init_refuses_to_overwrite_without_force()
    {
        var path = _temp.File("appsettings.json");
        File.WriteAllText(path, "{ \"mine\": true }");
        var (exit, output, error) = await new TestConsole().RunAsync("init", "--out", path);
        Assert.Equal(TreasuryCli.BadInput, exit);
        Assert.Equal("", output);
        Assert.StartsWith("error: ", error);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.Contains("--force", error);
        Assert.Equal("{ \"mine\": true }", File.ReadAllText(path));

        Assert.Equal(0, (await new TestConsole().RunAsync("init", "--out", path, "--force")).Exit);
        Assert.Contains("\"Strategy\"", File.ReadAllText(path));
    }

    [Fact]
    public async Task Deploy_configuration_update_keeps_comments_and_loads()
    {
        var path = _temp.File("appsettings.json");
        Assert.Equal(0, (await new TestConsole().RunAsync("init", "--out", path)).Exit);
        var root = SettingsLoader.Build(path);
        var text = DeployCommand.UpdateConfiguration(File.ReadAllText(path), root, Address.Parse(VaultAddress), Address.Parse(PoolAddress),
            devMnemonic: false, "TREASURY_KEYSTORE_PASSWORD", rpcUrl: "http://127.0.0.1:9999");
        File.WriteAllText(path, text);
        Assert.Contains("// Timeout of one JSON-RPC request, in seconds", text);
        Assert.Contains("// Prometheus metrics on", text);

        var settings = SettingsLoader.Load(path);
        Assert.Equal(Address.Parse(VaultAddress), settings.VaultAddress);
        var pool = Assert.Single(settings.Pools);
        Assert.Equal("BASE/USDQ", pool.Name);
        Assert.Equal(Address.Parse(PoolAddress), Address.Parse(pool.Address!));
        Assert.Equal(Path.Combine(_temp.Path, "keys", "keeper.json"), settings.Key.Keystore);
        Assert.Equal("http://127.0.0.1:9999", settings.Rpc.Url);
        Assert.Equal(new GasSettings { Confirmations = 1 }, settings.Gas); // a local node: one confirmation

        // Run again with the mnemonic: the sections are replaced, not duplicated.
        text = DeployCommand.UpdateConfiguration(text, SettingsLoader.Build(path), Address.Parse(PoolAddress), Address.Parse(VaultAddress),
            devMnemonic: true, "TREASURY_KEYSTORE_PASSWORD", rpcUrl: null);
        File.WriteAllText(path, text);
        settings = SettingsLoader.Load(path);
        Assert.Equal(Address.Parse(PoolAddress), settings.VaultAddress);
        Assert.Equal("TREASURY_MNEMONIC", settings.Key.MnemonicEnv);
        Assert.Equal("m/44'/60'/0'/0/1", settings.Key.DerivationPath);
        Assert.True(string.IsNullOrEmpty(settings.Key.Keystore));
        Assert.Single(settings.Pools);
    }

    [Fact]
    public void Jsonc_editor_adds_missing_properties_and_sections()
    {
        var text = "// head\n{\n  \"A\": 1 // one\n}\n";
        text = JsoncEditor.Set(text, ["Vault"], "\"0x01\"");
        text = JsoncEditor.Set(text, ["Rpc", "Url"], "\"http://x\"");
        Assert.Contains("// head", text);
        Assert.Contains("// one", text);
        var config = new ConfigurationBuilder().AddJsonStream(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text))).Build();
        Assert.Equal("1", config["A"]);
        Assert.Equal("0x01", config["Vault"]);
        Assert.Equal("http://x", config["Rpc:Url"]);
        Assert.Equal("{\n  \"B\": 2\n}", JsoncEditor.Set("{}", ["B"], "2"));
    }
}
