namespace TreasuryManager.Strategy.Settings;

/// <summary>A setting that cannot be used: <see cref="Path"/> is its configuration path (e.g. "Pools:0:Address").</summary>
public sealed class SettingsException(string path, string problem)
    : Exception($"setting {path} {problem}")
{
    public string Path { get; } = path;
}

