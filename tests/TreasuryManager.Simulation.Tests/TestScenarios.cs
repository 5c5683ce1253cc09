namespace TreasuryManager.Simulation.Tests;

internal static class TestScenarios
{
    /// <summary>A built-in scenario shortened to <paramref name="steps"/> (shock and informed window kept inside).</summary>
    public static Scenario Short(string name, int steps = 288)
    {
        var s = ScenarioCatalog.Load(name);
        var shock = s.Price.ShockStep > 0 ? steps * 2 / 3 : 0;
        return (s with { Steps = steps, Price = s.Price with { ShockStep = shock } }).Validate();
    }
}
