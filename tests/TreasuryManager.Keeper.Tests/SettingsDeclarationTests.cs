using TreasuryManager.Keeper.Configuration;
using TreasuryManager.Strategy.Settings;

namespace TreasuryManager.Keeper.Tests;

/// <summary>The settings are declared once (default, description, rules): validation reports every bad setting at once, and the `init` template is written from the same declarations.</summary>
public sealed class SettingsDeclarationTests
{
    private static TreasurySettings Valid() => new()
    {
        Vault = "0x00000000000000000000000000000000000000aa",
        Key = new KeySettings { MnemonicEnv = "TREASURY_MNEMONIC" },
        Pools = [new PoolSettings { Address = "0x00000000000000000000000000000000000000a1" }],
    };

    [Fact]
    public void The_defaults_with_a_vault_a_pool_and_a_key_are_valid() => Assert.Empty(SettingsValidator.Check(Valid()));

    [Fact]
    public void One_run_names_every_bad_setting_by_its_path()
    {
        var bad = Valid() with
        {
            Rpc = new RpcSettings { Url = "ftp://node", TimeoutSeconds = 0 },
            Gas = new GasSettings { ReplacementBumpPerMille = 1000, Confirmations = 0, BaseFeeCeilingGwei = 500 },
            Strategy = new StrategySettings { RiskAversion = -1, Defence = new DefenceSettings { VpinThreshold = 2, RegimeReferenceSeconds = 10 } },
            Pools = [new PoolSettings { Address = "nope", HardLimitBps = 0 }],
            Metrics = new MetricsSettings { Port = 70_000 },
        };
        var e = Assert.Throws<SettingsException>(() => bad.Validate());
        var paths = e.Problems.Select(p => p.Path).ToHashSet();
        string[] expected =
        [
            "Rpc:Url", "Rpc:TimeoutSeconds", "Gas:ReplacementBumpPerMille", "Gas:Confirmations", "Gas:BaseFeeCeilingGwei",
            "Strategy:RiskAversion", "Strategy:Defence:VpinThreshold", "Strategy:Defence:RegimeReferenceSeconds",
            "Pools:0:Address", "Pools:0:HardLimitBps", "Metrics:Port",
        ];
        foreach (var path in expected) Assert.Contains(path, paths);
        Assert.Equal(e.Problems.Count, e.Message.Split('\n').Length); // one line per problem
        Assert.Contains("setting Gas:ReplacementBumpPerMille 1000 must be between 1125", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_lower_bound_alone_is_said_as_one_not_as_a_range_up_to_a_types_maximum()
    {
        var bad = Valid() with
        {
            Rpc = new RpcSettings { ChainId = -5 },
            Strategy = new StrategySettings
            {
                BenefitToGasMargin = -2,
                RiskAversion = double.PositiveInfinity,
                Defence = new DefenceSettings { RegimeRatioThreshold = 1, FeeMultiplier = double.NaN },
            },
            Pools = [new PoolSettings { Address = "0x00000000000000000000000000000000000000a1", Hedge = new HedgeSettings { ReferenceBase = -1 } }],
        };
        var e = Assert.Throws<SettingsException>(() => bad.Validate());
        var problems = e.Problems.ToDictionary(p => p.Path, p => p.ToString());
        Assert.Equal("setting Rpc:ChainId -5 must be at least 1 (31337 local, 1 mainnet)", problems["Rpc:ChainId"]);
        Assert.Equal("setting Strategy:BenefitToGasMargin -2 must be at least 0", problems["Strategy:BenefitToGasMargin"]);
        Assert.Equal("setting Strategy:RiskAversion Infinity must be a finite positive number", problems["Strategy:RiskAversion"]);
        Assert.Equal("setting Strategy:Defence:RegimeRatioThreshold 1 must be greater than 1", problems["Strategy:Defence:RegimeRatioThreshold"]);
        Assert.Equal("setting Strategy:Defence:FeeMultiplier NaN must be a finite number at least 1", problems["Strategy:Defence:FeeMultiplier"]);
        Assert.Equal("setting Pools:0:Hedge:ReferenceBase -1 must be at least 0", problems["Pools:0:Hedge:ReferenceBase"]);
        Assert.DoesNotContain("E+", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_declared_setting_is_in_the_init_template_with_its_description()
    {
        var template = SettingsTemplate.Render(new TreasurySettings());
        var flat = string.Join(" ", template.Split('\n').Select(l => System.Text.RegularExpressions.Regex.Replace(l, @"^[\s/]*", "")));
        var count = 0;
        foreach (var (name, setting) in Declared(typeof(TreasurySettings)))
        {
            Assert.Contains($"\"{name}\":", template, StringComparison.Ordinal);
            Assert.Contains(setting.Description, flat, StringComparison.Ordinal);
            count++;
        }
        Assert.True(count > 50, $"only {count} settings declared");
    }

    private static IEnumerable<(string Name, SettingAttribute Setting)> Declared(Type type)
    {
        foreach (var (property, setting) in SettingsValidator.Settings(type))
        {
            yield return (property.Name, setting);
            var inner = property.PropertyType.IsArray ? property.PropertyType.GetElementType()! : property.PropertyType;
            if (SettingsValidator.IsSection(inner))
                foreach (var nested in Declared(inner)) yield return nested;
        }
    }
}
