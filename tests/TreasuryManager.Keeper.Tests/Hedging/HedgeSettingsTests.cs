using TreasuryManager.Keeper.Configuration;
using TreasuryManager.Strategy.Settings;

namespace TreasuryManager.Keeper.Tests.Hedging;

/// <summary>The hedge and treasury risk settings: bad values name the setting and the fix.</summary>
public sealed class HedgeSettingsTests
{
    private static TreasurySettings Valid(Func<PoolSettings, PoolSettings>? pool = null, TreasuryRiskSettings? risk = null) => new()
    {
        Key = new KeySettings { MnemonicEnv = "X" },
        Vault = "0x00000000000000000000000000000000000000aa",
        Pools = [(pool ?? (p => p))(new PoolSettings { Address = "0x00000000000000000000000000000000000000bb" })],
        Risk = risk ?? new TreasuryRiskSettings(),
    };

    [Fact]
    public void The_defaults_hedge_nothing_and_validate()
    {
        var s = Valid().Validate();
        Assert.False(s.Pools[0].Hedge.Wanted);
        Assert.Equal(0.25, s.Pools[0].Hedge.TargetMarginRatio);
        Assert.Empty(s.Risk.Tokens);
    }

    [Theory]
    [InlineData(-0.1, 0.25, "Pools:0:Hedge:Ratio", "-0.1 must lie in [0, 1] (0 no hedge, 1 delta-neutral)")]
    [InlineData(1.5, 0.25, "Pools:0:Hedge:Ratio", "1.5 must lie in [0, 1] (0 no hedge, 1 delta-neutral)")]
    [InlineData(double.NaN, 0.25, "Pools:0:Hedge:Ratio", "NaN must be a finite number in [0, 1] (0 no hedge, 1 delta-neutral)")]
    [InlineData(0.5, 0, "Pools:0:Hedge:TargetMarginRatio", "0 must lie in (0, 10]")]
    [InlineData(0.5, double.PositiveInfinity, "Pools:0:Hedge:TargetMarginRatio", "Infinity must be a finite number in (0, 10]")]
    public void A_bad_hedge_setting_is_named(double ratio, double margin, string path, string problem)
    {
        var e = Assert.Throws<SettingsException>(() => Valid(p => p with { Hedge = new HedgeSettings { Ratio = ratio, TargetMarginRatio = margin } }).Validate());
        Assert.Equal(path, e.Path);
        Assert.Equal($"setting {path} {problem}", e.Message);
    }

    [Fact]
    public void A_bad_risk_limit_is_named()
    {
        var token = "0x00000000000000000000000000000000000000cc";
        Assert.Equal("Risk:Tokens:0:MaxNetDelta", Assert.Throws<SettingsException>(() =>
            Valid(risk: new TreasuryRiskSettings { Tokens = [new TokenRiskLimit { Token = token, MaxNetDelta = 0 }] }).Validate()).Path);
        Assert.Equal("Risk:Tokens:1:Token", Assert.Throws<SettingsException>(() =>
            Valid(risk: new TreasuryRiskSettings { Tokens = [new TokenRiskLimit { Token = token, MaxNetDelta = 5 }, new TokenRiskLimit { Token = token, MaxNetDelta = 6 }] }).Validate()).Path);
        Assert.Equal("Risk:Tokens:0:Token", Assert.Throws<SettingsException>(() =>
            Valid(risk: new TreasuryRiskSettings { Tokens = [new TokenRiskLimit { Token = "nope", MaxNetDelta = 5 }] }).Validate()).Path);
        Assert.Equal("Risk:ValueAtRiskZ", Assert.Throws<SettingsException>(() => Valid(risk: new TreasuryRiskSettings { ValueAtRiskZ = -1 }).Validate()).Path);
        var ok = Valid(risk: new TreasuryRiskSettings { Tokens = [new TokenRiskLimit { Token = token, MaxNetDelta = 5 }] }).Validate();
        Assert.Equal(5, ok.Risk.Limits().Single().Value);
    }
}
