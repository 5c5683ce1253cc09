namespace TreasuryManager.Simulation;

/// <summary>The scenarios in the repository's <c>scenarios/</c> folder (embedded at build time), and loading one by name or file.</summary>
public static class ScenarioCatalog
{
    private const string Prefix = "scenarios.";

    public static IReadOnlyList<string> Names =>
        [.. typeof(ScenarioCatalog).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal) && n.EndsWith(".json", StringComparison.Ordinal))
            .Select(n => n[Prefix.Length..^".json".Length]).Order(StringComparer.Ordinal)];

    /// <summary>A built-in scenario by name, or a JSON file by path (anything ending in .json or naming an existing file).</summary>
    public static Scenario Load(string nameOrFile)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nameOrFile);
        if (nameOrFile.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || File.Exists(nameOrFile))
        {
            if (!File.Exists(nameOrFile)) throw new ScenarioException(nameOrFile, "does not exist; give a scenario name (" + string.Join(", ", Names) + ") or the path of a scenario JSON file");
            return Scenario.Parse(File.ReadAllText(nameOrFile), nameOrFile);
        }
        using var stream = typeof(ScenarioCatalog).Assembly.GetManifestResourceStream(Prefix + nameOrFile + ".json")
            ?? throw new ScenarioException($"'{nameOrFile}'", "is not a known scenario; use one of " + string.Join(", ", Names) + " or the path of a scenario JSON file");
        using var reader = new StreamReader(stream);
        return Scenario.Parse(reader.ReadToEnd(), nameOrFile);
    }
}
