namespace TreasuryManager.Simulation.Tests;

public sealed class ScenarioTests
{
    [Fact]
    public void The_four_scenarios_are_built_in_and_valid()
    {
        Assert.Superset(new HashSet<string> { "calm", "trending", "volatile", "crash" }, ScenarioCatalog.Names.ToHashSet());
        foreach (var name in ScenarioCatalog.Names) Assert.Equal(name, ScenarioCatalog.Load(name).Name);
    }

    [Fact]
    public void An_unknown_field_is_named()
    {
        var e = Assert.Throws<ScenarioException>(() => Scenario.Parse("""{ "name": "x", "price": { "volatilty_per_day": 0.1 } }""", "x.json"));
        Assert.Contains("volatilty_per_day", e.Message);
        Assert.Contains("x.json", e.Message);
    }

    [Fact]
    public void A_bad_value_is_named_with_its_rule()
    {
        var e = Assert.Throws<ScenarioException>(() => Scenario.Parse("""{ "noise": { "median_size_quote": -5 } }""", "y.json"));
        Assert.Contains("noise.median_size_quote", e.Message);
        Assert.Contains("positive", e.Message);
        var m = Assert.Throws<ScenarioException>(() => Scenario.Parse("""{ "price": { "model": "brownian" } }""", "z.json"));
        Assert.Contains("model", m.Message);
    }

    [Fact]
    public void A_width_bound_the_vault_would_refuse_is_refused_by_name_and_the_default_is_no_upper_bound()
    {
        // TreasuryVault.UNBOUNDED_WIDTH_BPS (OnChainModeTests set it on a real vault)
        Assert.Equal(4_294_967_295L, Scenario.Parse("{}", "d.json").Strategies.MaxWidthBps);
        Assert.Equal(10_000_000, Scenario.Parse("""{ "strategies": { "max_width_bps": 10000000 } }""", "c.json").Strategies.MaxWidthBps); // the finite ceiling
        foreach (var refused in new[] { 10_000_001L, 4_294_967_294L, 4_294_967_296L })
        {
            var e = Assert.Throws<ScenarioException>(() => Scenario.Parse($$"""{ "strategies": { "max_width_bps": {{refused}} } }""", "w.json"));
            Assert.Contains("strategies.max_width_bps", e.Message);
            Assert.Contains("10000000", e.Message);
            Assert.Contains("4294967295", e.Message);
        }
    }

    [Fact]
    public void An_unknown_scenario_lists_the_known_ones()
    {
        var e = Assert.Throws<ScenarioException>(() => ScenarioCatalog.Load("sunny"));
        Assert.Contains("'sunny'", e.Message);
        Assert.Contains("calm", e.Message);
    }
}
