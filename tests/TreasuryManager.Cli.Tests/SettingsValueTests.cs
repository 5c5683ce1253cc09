using TreasuryManager.Cli.Commands;
using TreasuryManager.Keeper.Configuration;
using TreasuryManager.Strategy.Settings;

namespace TreasuryManager.Cli.Tests;

/// <summary>
/// A value in the file, a TREASURY_Section__Key variable or the command line that names no setting, or that does not read
/// as its setting's type, stops the command with one problem naming the setting, the value, where it came from and what
/// it must be (a misspelt fee cap used to leave the default in force unseen).
/// </summary>
public sealed class SettingsValueTests : IDisposable
{
    private const string VaultAddress = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
    private const string PoolAddress = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
    private static readonly string[] Complete = [$"--Vault={VaultAddress}", $"--Pools:0:Address={PoolAddress}", "--Key:MnemonicEnv=M"];
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Config(string json)
    {
        var path = _temp.File("appsettings.json");
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void The_template_treasury_init_writes_names_only_settings()
    {
        var path = Config(InitCommand.Render(new RpcSettings()));
        Assert.Equal(VaultAddress, SettingsLoader.Load(path, Complete).Vault);
    }

    [Fact]
    public void A_misspelt_key_in_the_file_is_refused_naming_it_and_the_file()
    {
        var path = Config("""{ "Gas": { "MaxFeePerGwei": 5 } }""");
        var e = Assert.Throws<SettingsException>(() => SettingsLoader.Load(path, Complete));
        Assert.Equal("Gas:MaxFeePerGwei", e.Path);
        Assert.Contains($"is unknown (from the file {path})", e.Message, StringComparison.Ordinal);
        Assert.Contains("treasury init", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "Rpc": { "TimeoutSeconds": "abc" } }""", new string[0], "Rpc:TimeoutSeconds", "'abc' (from the file FILE) is not a number")]
    [InlineData("{}", new[] { "--rpc:timeoutseconds=abc" }, "Rpc:TimeoutSeconds", "'abc' (from the command line) is not a number")]
    [InlineData("{}", new[] { "--Strategy:RiskAversion=0,0001" }, "Strategy:RiskAversion", "'0,0001' (from the command line) is not a number (a dot for decimals")]
    [InlineData("""{ "Gas": { "Confirmations": 2.5 } }""", new string[0], "Gas:Confirmations", "'2.5' (from the file FILE) is not a whole number")]
    [InlineData("{}", new[] { "--Strategy:RangeWidth=Wide" }, "Strategy:RangeWidth", "'Wide' (from the command line) is not one of StdDevs, FeeVersusLvr")]
    public void A_value_that_does_not_read_as_its_setting_is_refused_naming_the_setting_the_value_and_its_source(string file, string[] overrides, string path, string message)
    {
        var config = Config(file);
        var e = Assert.Throws<SettingsException>(() => SettingsLoader.Load(config, [.. Complete, .. overrides]));
        Assert.Equal(path, e.Path);
        Assert.Contains(message.Replace("FILE", config, StringComparison.Ordinal), e.Message, StringComparison.Ordinal);
    }

    [Theory]
    // a lower bound alone is said as one, never with .NET's largest long or double as the upper end
    [InlineData("{}", new[] { "--Rpc:ChainId=-5" }, "Rpc:ChainId", "'-5' (from the command line) must be at least 1 (31337 local, 1 mainnet)")]
    [InlineData("{}", new[] { "--Strategy:BenefitToGasMargin=-2" }, "Strategy:BenefitToGasMargin", "'-2' (from the command line) must be at least 0")]
    [InlineData("{}", new[] { "--Strategy:Defence:RegimeRatioThreshold=0.5" }, "Strategy:Defence:RegimeRatioThreshold", "'0.5' (from the command line) must be greater than 1")]
    // a range error names the value's source as a type error does: the file, the command line
    [InlineData("""{ "Gas": { "Confirmations": -3 } }""", new string[0], "Gas:Confirmations", "'-3' (from the file FILE) must be between 1 (final once mined) and 1000")]
    [InlineData("""{ "Rpc": { "TimeoutSeconds": 700 } }""", new string[0], "Rpc:TimeoutSeconds", "'700' (from the file FILE) must lie in (0, 600]")]
    [InlineData("""{ "Pools": [ { "HardLimitBps": 0 } ] }""", new string[0], "Pools:0:HardLimitBps", "'0' (from the file FILE) must lie in (0, 10000]")]
    // a whole number too large for its setting says the range: the setting's own rule, or the largest it takes
    [InlineData("{}", new[] { "--Gas:Confirmations=99999999999" }, "Gas:Confirmations", "'99999999999' (from the command line) is too large: must be between 1 (final once mined) and 1000")]
    [InlineData("{}", new[] { "--Rpc:ChainId=99999999999999999999" }, "Rpc:ChainId", "'99999999999999999999' (from the command line) is too large: the largest whole number it takes is 9223372036854775807")]
    [InlineData("{}", new[] { "--Gas:Confirmations=-99999999999" }, "Gas:Confirmations", "'-99999999999' (from the command line) is too small: must be between 1 (final once mined) and 1000")]
    // an absurd value is refused with the setting's upper end: a unit slip in a fee cap, a horizon of centuries
    [InlineData("{}", new[] { "--Gas:MaxFeePerGasGwei=1000000000" }, "Gas:MaxFeePerGasGwei", "'1000000000' (from the command line) must be positive and at most 10000 (gwei)")]
    [InlineData("{}", new[] { "--Gas:Confirmations=5000" }, "Gas:Confirmations", "'5000' (from the command line) must be between 1 (final once mined) and 1000")]
    [InlineData("{}", new[] { "--Strategy:HorizonDays=1e300" }, "Strategy:HorizonDays", "'1e300' (from the command line) must lie in (0, 365]")]
    [InlineData("{}", new[] { "--Metrics:Port=99999999999" }, "Metrics:Port", "'99999999999' (from the command line) is too large: must lie in [0, 65535] (0 = off)")]
    // a number beyond decimal's range is a number too large, not "not a number"; infinity is not a finite positive number
    [InlineData("{}", new[] { "--Gas:EthPriceInQuote=1e300" }, "Gas:EthPriceInQuote", "'1e300' (from the command line) is too large: the largest number it takes is about 7.9e28")]
    [InlineData("{}", new[] { "--Strategy:RiskAversion=Infinity" }, "Strategy:RiskAversion", "'Infinity' (from the command line) must be a finite positive number")]
    [InlineData("{}", new[] { "--Strategy:RiskAversion=1e400" }, "Strategy:RiskAversion", "'1e400' (from the command line) must be a finite positive number")]
    public void A_value_out_of_its_settings_range_is_refused_naming_the_setting_the_value_its_source_and_the_range(string file, string[] overrides, string path, string message)
    {
        var config = Config(file);
        var e = Assert.Throws<SettingsException>(() => SettingsLoader.Load(config, [.. Complete, .. overrides]));
        var problem = Assert.Single(e.Problems);
        Assert.Equal(path, problem.Path);
        Assert.Equal($"setting {path} {message.Replace("FILE", config, StringComparison.Ordinal)}", e.Message);
        Assert.DoesNotContain("E+", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("is not a number", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pool_numbered_past_a_gap_is_refused_naming_the_entry_given_and_the_one_missing()
    {
        // the binder would pack Pools:5 into Pools:1 and every problem would name a setting nobody wrote
        var config = Config("{}");
        var e = Assert.Throws<SettingsException>(() => SettingsLoader.Load(config, [.. Complete, "--Pools:5:Name=X"]));
        Assert.Equal("setting Pools:5 is given (from the command line) but Pools:1 is not: number the entries of Pools from 0 without gaps (Pools:0, Pools:1, …)", e.Message);
        // the next number is an entry like any other: its own problems name it
        var next = Assert.Throws<SettingsException>(() => SettingsLoader.Load(config, [.. Complete, "--Pools:1:Name=X"]));
        Assert.Contains("Pools:1:", next.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_gas_cap_too_large_for_wei_in_a_decimal_is_refused_by_its_rule_not_an_overflow()
    {
        var config = Config("{}");
        var e = Assert.Throws<SettingsException>(() => SettingsLoader.Load(config, [.. Complete, "--Gas:MaxFeePerGasGwei=1e28", "--Gas:BaseFeeCeilingGwei=1e27"]));
        Assert.Equal("setting Gas:MaxFeePerGasGwei '1e28' (from the command line) must be positive and at most 10000 (gwei)", e.Message);
        Assert.Equal(10_000m, SettingsLoader.Load(config, [.. Complete, "--Gas:MaxFeePerGasGwei=10000"]).Gas.MaxFeePerGasGwei); // the limit itself is allowed
    }

    [Fact]
    public void A_bad_fee_cap_is_the_one_problem_said_not_the_limits_measured_against_it()
    {
        var config = Config("{}");
        var e = Assert.Throws<SettingsException>(() => SettingsLoader.Load(config, [.. Complete, "--Gas:MaxFeePerGasGwei=-5"]));
        var problem = Assert.Single(e.Problems);
        Assert.Equal("Gas:MaxFeePerGasGwei", problem.Path);
    }

    [Fact]
    public async Task Several_bad_settings_print_as_one_line_one_problem_after_another()
    {
        var config = Config("{}");
        var (exit, output, error) = await new TestConsole().RunAsync(["status", "--config", config, .. Complete, "--Gas:MaxFeePerGasGwei=-5", "--Gas:Confirmations=0"]);
        Assert.Equal(TreasuryCli.BadInput, exit);
        Assert.Equal("", output);
        var line = Assert.Single(error.TrimEnd().Split('\n'));
        Assert.Contains("Gas:MaxFeePerGasGwei '-5' (from the command line) must be positive and at most 10000 (gwei); setting Gas:Confirmations '0' (from the command line) must be between 1", line, StringComparison.Ordinal);
    }

    [Fact]
    public void A_config_file_that_is_not_json_names_the_line_and_a_folder_is_named_as_one()
    {
        var path = Config("{\n  \"Rpc\": {\n    \"Url\": \"http://127.0.0.1:8545\"\n  \n}\n"); // the closing brace of the root is missing
        var e = Assert.Throws<SettingsException>(() => SettingsLoader.Load(path, Complete));
        Assert.Equal("--config", e.Path);
        Assert.Contains($"file '{path}' is not valid JSON: line 6, column 1:", e.Message, StringComparison.Ordinal);
        var folder = Path.GetDirectoryName(path)!;
        var dir = Assert.Throws<SettingsException>(() => SettingsLoader.Load(folder, Complete));
        Assert.Contains($"'{folder}' is a folder; pass the configuration file itself", dir.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Values_that_read_as_their_settings_load_as_before()
    {
        var config = Config("""{ "Gas": { "Confirmations": 3 }, "Strategy": { "RangeWidth": "stddevs", "RiskAversion": 0.0001 }, "Serilog": { "MinimumLevel": "Debug" } }""");
        var settings = SettingsLoader.Load(config, [.. Complete, "--Rpc:TimeoutSeconds=12.5"]);
        Assert.Equal(3, settings.Gas.Confirmations);
        Assert.Equal(RangeWidthRule.StdDevs, settings.Strategy.RangeWidth);
        Assert.Equal(12.5, settings.Rpc.TimeoutSeconds);
    }
}

/// <summary>The environment's part of the same rule; alone in its collection because it sets a process environment variable
/// every other settings test would read.</summary>
[Collection(ProcessEnvironmentCollection.Name)]
public sealed class SettingsEnvironmentTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_misspelt_section_variable_is_refused_naming_it_and_a_single_word_variable_is_not_a_setting()
    {
        var path = _temp.File("appsettings.json");
        File.WriteAllText(path, "{}");
        string[] complete = ["--Vault=0x5FbDB2315678afecb367f032d93F642f64180aa3", "--Pools:0:Address=0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512", "--Key:MnemonicEnv=M"];
        try
        {
            Environment.SetEnvironmentVariable("TREASURY_SOME_TOOLS_KNOB", "1"); // like TREASURY_KEYSTORE_PASSWORD: not a setting
            Environment.SetEnvironmentVariable("TREASURY_Gas__MaxFeePerGwei", "5");
            var e = Assert.Throws<SettingsException>(() => SettingsLoader.Load(path, complete));
            Assert.Equal("Gas:MaxFeePerGwei", e.Path);
            Assert.Contains("(from the environment variable TREASURY_Gas__MaxFeePerGwei)", e.Message, StringComparison.Ordinal);

            Environment.SetEnvironmentVariable("TREASURY_Gas__MaxFeePerGwei", null);
            Environment.SetEnvironmentVariable("TREASURY_Gas__MaxFeePerGasGwei", "abc");
            var typed = Assert.Throws<SettingsException>(() => SettingsLoader.Load(path, complete));
            Assert.Equal("Gas:MaxFeePerGasGwei", typed.Path);
            Assert.Contains("'abc' (from the environment variable TREASURY_Gas__MaxFeePerGasGwei) is not a number", typed.Message, StringComparison.Ordinal);

            Environment.SetEnvironmentVariable("TREASURY_Gas__MaxFeePerGasGwei", "50");
            Assert.Equal(50m, SettingsLoader.Load(path, complete).Gas.MaxFeePerGasGwei);

            // a value out of range names its variable as a value of the wrong type does
            Environment.SetEnvironmentVariable("TREASURY_Rpc__TimeoutSeconds", "-1");
            var range = Assert.Throws<SettingsException>(() => SettingsLoader.Load(path, complete));
            Assert.Equal("setting Rpc:TimeoutSeconds '-1' (from the environment variable TREASURY_Rpc__TimeoutSeconds) must lie in (0, 600]", range.Message);
        }
        finally
        {
            Environment.SetEnvironmentVariable("TREASURY_Rpc__TimeoutSeconds", null);
            Environment.SetEnvironmentVariable("TREASURY_SOME_TOOLS_KNOB", null);
            Environment.SetEnvironmentVariable("TREASURY_Gas__MaxFeePerGwei", null);
            Environment.SetEnvironmentVariable("TREASURY_Gas__MaxFeePerGasGwei", null);
        }
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessEnvironmentCollection
{
    public const string Name = "process environment";
}
